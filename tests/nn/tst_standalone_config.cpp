// The config of an exported standalone model (nn/StandaloneConfig, torch-free): the reader names the field
// of every wrong type, out-of-range size and inconsistency with the architecture, refuses a config whose
// model would be absurdly large, counts the parameters as the model has them, and round-trips.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "nn/StandaloneConfig.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

using namespace automoe;
using nlohmann::json;

Q_DECLARE_METATYPE(std::string)

namespace {

// vocab 100; qkv 64; encoder 32 wide, one layer (4 heads, one expert of 64); decoder 32 wide, one layer
// (4 + 4 heads, experts of 64 and 32, top-1).
json fixture() {
    return {{"vocab_size", 100},
            {"pad_index", 1},
            {"encoder_dropout", 0.1},
            {"decoder_dropout", 0.1},
            {"attention_dropout", 0.1},
            {"capacity_factor", 1.0},
            {"drop_tokens", false},
            {"architecture",
             {{"format", "automoe-arch"},
              {"version", 1},
              {"qkv_dim", 64},
              {"encoder", {{"embed_dim", 32}, {"layers", {{{"heads", 4}, {"experts", {64}}, {"top_k", 1}}}}}},
              {"decoder",
               {{"embed_dim", 32},
                {"layers",
                 {{{"heads", 4},
                   {"ende_heads", 4},
                   {"arbitrary_ende", -1},
                   {"experts", {64, 32}},
                   {"top_k", 1}}}}}}}}};
}

QString errorOf(const std::string& text) {
    try {
        parseStandaloneConfig(text);
    } catch (const std::invalid_argument& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return "not an invalid_argument: " + QString::fromStdString(e.what());
    }
    return "accepted";
}

} // namespace

class TestStandaloneConfig : public QObject {
    Q_OBJECT

private slots:
    void fixtureReadsAndCountsItsParameters() {
        const StandaloneTransformerConfig c = standaloneConfigFromJson(fixture());
        QCOMPARE(c.vocabSize, int64_t(100));
        QCOMPARE(c.padIndex, int64_t(1));
        QCOMPARE(c.arch.decoder.layers[0].expertWidths, (std::vector<int>{64, 32}));
        QCOMPARE(c.capacityFactor, 1.0);
        // Encoder layer: attention (32*64+64) + 2*(32*64+64) + (64*32+32) = 8416, two LayerNorms 128,
        // expert (32*64+64) + (64*32+32) = 4192: 12736. Decoder layer: two attentions 16832, three
        // LayerNorms 192, router 32*2+2 = 66, experts 4192 + (32*32+32) + (32*32+32) = 2112: 23394.
        // Embedding 100 x 32 = 3200. Total 39330.
        QCOMPARE(standaloneParameterCount(c), int64_t(39330));
    }

    void roundTripIsExact() {
        StandaloneTransformerConfig c = standaloneConfigFromJson(fixture());
        c.encoderDropout = 0.07500000000000001;
        c.dropTokens = true;
        const StandaloneTransformerConfig again = parseStandaloneConfig(standaloneConfigToJson(c).dump());
        QCOMPARE(again.encoderDropout, c.encoderDropout);
        QCOMPARE(again.dropTokens, true);
        QCOMPARE(again.arch, c.arch);
        QCOMPARE(standaloneConfigToJson(again), standaloneConfigToJson(c));
    }

    // The seeds of fuzz_model_config (tests/fuzz/make-seed-corpus.py) are byte for byte the config entry
    // StandaloneTransformer::save writes for them.
    void fuzzSeedsAreWhatTheWriterWrites() {
        const QDir dir(QStringLiteral(AUTOMOE_TEST_DATA "/../fuzz/corpus/fuzz_model_config"));
        const QStringList files = dir.entryList(QDir::Files);
        QVERIFY(files.size() >= 5);
        for (const QString& name : files) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const std::string text = file.readAll().toStdString();
            QCOMPARE(standaloneConfigToJson(parseStandaloneConfig(text)).dump(), text);
        }
    }

    void badFieldIsNamed_data() {
        QTest::addColumn<std::string>("pointer");
        QTest::addColumn<std::string>("value"); // JSON text; empty = remove the field
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const char* pointer, const char* value, const char* expected) {
            QTest::newRow(name) << std::string(pointer) << std::string(value) << QString(expected);
        };
        row("missing", "/capacity_factor", "", "config.capacity_factor: missing");
        row("fractional vocabulary", "/vocab_size", "1.5", "config.vocab_size: expected an integer, got 1.5");
        row("vocabulary as text", "/vocab_size", "\"100\"",
            "config.vocab_size: expected an integer, got \"100\"");
        row("vocabulary as list", "/vocab_size", "[[1]]",
            "config.vocab_size: expected an integer, got a JSON array");
        row("zero vocabulary", "/vocab_size", "0",
            "config.vocab_size: must be between 1 and 16777216, got 0");
        row("huge vocabulary", "/vocab_size", "100000000",
            "config.vocab_size: must be between 1 and 16777216, got 100000000");
        row("vocabulary beyond int64", "/vocab_size", "18446744073709551615",
            "config.vocab_size: integer 18446744073709551615 is out of range");
        row("pad past the vocabulary", "/pad_index", "100",
            "config.pad_index: 100 is outside the vocabulary of 100 tokens");
        row("negative pad", "/pad_index", "-1",
            "config.pad_index: -1 is outside the vocabulary of 100 tokens");
        row("dropout above 1", "/encoder_dropout", "1.5",
            "config.encoder_dropout: must be between 0 and 1, got 1.5");
        row("negative dropout", "/attention_dropout", "-0.1",
            "config.attention_dropout: must be between 0 and 1, got -0.1");
        row("null dropout", "/decoder_dropout", "null",
            "config.decoder_dropout: expected a number, got null");
        row("huge capacity", "/capacity_factor", "1e300",
            "config.capacity_factor: must be between 0 and 1024, got 1e+300");
        row("drop tokens as number", "/drop_tokens", "1",
            "config.drop_tokens: expected true or false, got 1");
        row("architecture not an object", "/architecture", "\"x\"",
            "config.architecture: an architecture is a JSON object");
        row("fractional embedding", "/architecture/encoder/embed_dim", "2.5",
            "config.architecture.encoder.embed_dim: expected an integer, got number 2.5");
        row("huge qkv", "/architecture/qkv_dim", "100000",
            "config.architecture.qkv_dim: must be between 1 and 65536, got 100000");
        row("huge embedding", "/architecture/decoder/embed_dim", "65537",
            "config.architecture.decoder.embed_dim: must be between 1 and 65536, got 65537");
        row("heads not dividing qkv", "/architecture/encoder/layers/0/heads", "3",
            "config.architecture.encoder.layers[0].heads: 3 heads do not divide qkv_dim 64");
        row("ende heads not dividing qkv", "/architecture/decoder/layers/0/ende_heads", "5",
            "config.architecture.decoder.layers[0].ende_heads: 5 heads do not divide qkv_dim 64");
        row("zero ende heads", "/architecture/decoder/layers/0/ende_heads", "0",
            "config.architecture.decoder.layers[0].ende_heads: must be positive, got 0");
        row("huge expert", "/architecture/decoder/layers/0/experts/1", "70000",
            "config.architecture.decoder.layers[0].experts[1]: must be between 1 and 65536, got 70000");
        row("top-k beyond the experts", "/architecture/decoder/layers/0/top_k", "3",
            "config.architecture.decoder.layers[0].top_k: must be between 1 and the layer's 2 experts, got "
            "3");
        row("no layers", "/architecture/encoder/layers", "[]",
            "config.architecture.encoder.layers: expected a non-empty list of layers");
    }

    void badFieldIsNamed() {
        QFETCH(std::string, pointer);
        QFETCH(std::string, value);
        QFETCH(QString, expected);
        json j = fixture();
        const json::json_pointer at(pointer);
        if (value.empty())
            j.at(at.parent_pointer()).erase(at.back());
        else
            j[at] = json::parse(value);
        QCOMPARE(errorOf(j.dump()), expected);
    }

    void notAnObjectOrNotJson() {
        QCOMPARE(errorOf("[1, 2]"), QString("config: expected a JSON object, got a JSON array"));
        QCOMPARE(errorOf("{\"vocab_size\": 1E400}"),
                 QString("config: invalid JSON: [json.exception.out_of_range.406] number overflow parsing "
                         "'1E400'"));
        QVERIFY(errorOf("{").startsWith("config: invalid JSON: [json.exception.parse_error.101]"));
    }

    void tooManyLayersAreRefused() {
        json j = fixture();
        json& layers = j["architecture"]["encoder"]["layers"];
        for (int i = 0; i < 256; ++i)
            layers.push_back(layers[0]);
        QCOMPARE(errorOf(j.dump()), QString("config.architecture.encoder.layers: 257 layers, at most 256"));
    }

    // Every size within its own limit, the whole beyond 2^31 parameters: vocab 1,000,000 x 4096 = 4.096e9
    // embedding parameters; encoder layer: attention (4096*64+64) + 2*(4096*64+64) + (64*4096+4096) =
    // 1052864, LayerNorms 16384, expert (4096*64+64) + (64*4096+4096) = 528448: 1597696; decoder layer:
    // 2105728 + 24576 + router 8194 + experts 528448 + 266272 = 2933218. Total 4100530914.
    void absurdModelIsRefused() {
        json j = fixture();
        j["vocab_size"] = 1000000;
        j["architecture"]["encoder"]["embed_dim"] = 4096;
        j["architecture"]["decoder"]["embed_dim"] = 4096;
        QCOMPARE(errorOf(j.dump()), QString("config: the model would have 4100530914 parameters, more than "
                                            "2147483648 (8 GiB of float32 weights)"));
    }

    // Configs built in code (not read) get the same checks, naming the same fields.
    void validateChecksConfigsBuiltInCode() {
        StandaloneTransformerConfig c = standaloneConfigFromJson(fixture());
        c.arch.encoder.layers[0].expertWidths.clear();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validateStandaloneConfig(c));
        try {
            validateStandaloneConfig(c);
        } catch (const std::invalid_argument& e) {
            QCOMPARE(
                QString(e.what()),
                QString("config.architecture.encoder.layers[0].experts: a layer needs at least one expert"));
        }
        c = standaloneConfigFromJson(fixture());
        c.capacityFactor = std::nan("");
        try {
            validateStandaloneConfig(c);
            QFAIL("a nan capacity factor was accepted");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()),
                     QString("config.capacity_factor: must be between 0 and 1024, got nan"));
        }
    }
};

AUTOMOE_TEST_MAIN(TestStandaloneConfig)
#include "tst_standalone_config.moc"
