// Pins architecture I/O: HAT/AutoMoE yml and JSON round trips, dense HAT files, AutoMoE's
// '3072_2048' expert lists, and error messages that name the file, key and line.
#include "space/ArchitectureIO.h"
#include "space/SearchSpace.h"
#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;

namespace {
const char* kHatDense = R"(encoder-embed-dim-subtransformer: 512
decoder-embed-dim-subtransformer: 512

encoder-ffn-embed-dim-all-subtransformer: [1024, 3072, 3072, 2048, 2048, 2048]
decoder-ffn-embed-dim-all-subtransformer: [3072, 2048, 1024, 1024, 1024, 1024]

encoder-layer-num-subtransformer: 6
decoder-layer-num-subtransformer: 2

encoder-self-attention-heads-all-subtransformer: [4, 8, 4, 4, 4, 8]
decoder-self-attention-heads-all-subtransformer: [8, 4, 8, 8, 8, 8]
decoder-ende-attention-heads-all-subtransformer: [8, 4, 8, 8, 8, 8]

# for arbitrary encoder decoder attention.
decoder-arbitrary-ende-attn-all-subtransformer: [-1, 2, 1, 1, 1, 1]
)";

const char* kAutoMoE = R"(encoder-embed-dim-subtransformer: 640
decoder-embed-dim-subtransformer: 512
encoder-ffn-embed-dim-all-subtransformer: [3072, 2048]
decoder-ffn-embed-dim-all-subtransformer: [3072]
encoder-layer-num-subtransformer: 2
decoder-layer-num-subtransformer: 1
encoder-self-attention-heads-all-subtransformer: [8, 4]
decoder-self-attention-heads-all-subtransformer: [8]
decoder-ende-attention-heads-all-subtransformer: [4]
decoder-arbitrary-ende-attn-all-subtransformer: [1]
encoder-n-experts: [1, 2]
decoder-n-experts: [3]
encoder-num-experts-to-route: [1, 1]
decoder-num-experts-to-route: [2]
encoder-each-expert-ffn-dim-listoflist: ['3072', '2048_1024']
decoder-each-expert-ffn-dim-listoflist: ['3072_1024_2048']
)";

QString tempPath(const QString& name) {
    return QDir::temp().filePath("automoe-test-" + name);
}
} // namespace

class TestArchitectureIO : public QObject {
    Q_OBJECT
private slots:
    void hatYmlWithoutMoEKeysIsDense() {
        const Architecture a = parseHatYaml(kHatDense, "dense.yml");
        QCOMPARE(a.qkvDim, 512);
        QCOMPARE(a.encoder.depth(), 6);
        QCOMPARE(a.decoder.depth(), 2); // longer lists are cut to the depth, as HAT does
        QCOMPARE(a.encoder.layers[1].expertWidths, std::vector<int>{3072});
        QCOMPARE(a.encoder.layers[0].selfHeads, 4);
        QCOMPARE(a.decoder.layers[1].expertWidths, std::vector<int>{2048});
        QCOMPARE(a.decoder.layers[1].arbitraryEnde, 2);
        QCOMPARE(a.decoder.layers[1].endeHeads, 4);
        QVERIFY(!a.isMoE());
        for (const auto& l : a.encoder.layers)
            QCOMPARE(l.experts(), 1);
    }

    void automoeListOfListIsRead() {
        const Architecture a = parseHatYaml(kAutoMoE, "moe.yml");
        QVERIFY(a.isMoE());
        QCOMPARE(a.encoder.embedDim, 640);
        QCOMPARE(a.encoder.layers[0].expertWidths, std::vector<int>{3072});
        QCOMPARE(a.encoder.layers[1].expertWidths, (std::vector<int>{2048, 1024}));
        QCOMPARE(a.decoder.layers[0].expertWidths, (std::vector<int>{3072, 1024, 2048}));
        QCOMPARE(a.decoder.layers[0].topK, 2);
        QCOMPARE(a.decoder.layers[0].arbitraryEnde, 1);
    }

    void ymlAndJsonRoundTripsAreExact() {
        for (const char* space : {"tiny", "automoe-wmt"}) {
            SearchSpace s = loadSpaceByNameOrPath(space);
            s.encoder.topK = s.decoder.topK = Dimension::of({1, 2});
            std::mt19937_64 rng(5);
            for (int i = 0; i < 300; ++i) {
                const Architecture a = s.sample(rng);
                const Architecture fromYml = parseHatYaml(toHatYaml(a), "roundtrip.yml", 1);
                QVERIFY2(fromYml == a, (a.key() + " vs " + fromYml.key()).c_str());
                QCOMPARE(fromYml.key(), a.key());
                QCOMPARE(fromYml.qkvDim, a.qkvDim); // written as qkv-dim, not the default 1
                const Architecture fromJson =
                    architectureFromJson(nlohmann::json::parse(architectureToJson(a).dump()));
                QCOMPARE(fromJson.key(), a.key());
                QVERIFY(fromJson.encoder.layers == a.encoder.layers);
            }
        }
        // A yml read, written and read again is the same architecture.
        const Architecture moe = parseHatYaml(kAutoMoE, "moe.yml");
        QCOMPARE(parseHatYaml(toHatYaml(moe), "again.yml").key(), moe.key());
    }

    void writtenYmlUsesHatAndAutoMoEKeys() {
        const Architecture moe = parseHatYaml(kAutoMoE, "moe.yml");
        const QString y = QString::fromStdString(toHatYaml(moe));
        QVERIFY(y.contains("encoder-embed-dim-subtransformer: 640"));
        QVERIFY(y.contains("encoder-ffn-embed-dim-all-subtransformer: [3072, 2048]"));
        QVERIFY(y.contains("decoder-arbitrary-ende-attn-all-subtransformer: [1]"));
        QVERIFY(y.contains("encoder-n-experts: [1, 2]"));
        QVERIFY(y.contains("decoder-num-experts-to-route: [2]"));
        QVERIFY(y.contains("encoder-each-expert-ffn-dim-listoflist: ['3072', '2048_1024']"));
        const Architecture dense = parseHatYaml(kHatDense, "dense.yml");
        QVERIFY(!QString::fromStdString(toHatYaml(dense)).contains("n-experts"));
    }

    void filesByExtension() {
        const Architecture a = parseHatYaml(kAutoMoE, "moe.yml");
        for (const char* ext : {".yml", ".json"}) {
            const std::string path = tempPath(QString("arch") + ext).toStdString();
            saveArchitecture(a, path);
            QCOMPARE(loadArchitecture(path).key(), a.key());
            QFile::remove(QString::fromStdString(path));
        }
        QVERIFY_THROWS_EXCEPTION(SpaceError, saveArchitecture(a, tempPath("arch.txt").toStdString()));
    }

    void errorsNameFileKeyAndLine_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString base = kHatDense;
        QTest::newRow("missing key") << QString(base).replace("encoder-layer-num-subtransformer: 6\n", "")
                                     << "bad.yml: encoder-layer-num-subtransformer: missing";
        QTest::newRow("list too short")
            << QString(base).replace("[1024, 3072, 3072, 2048, 2048, 2048]", "[1024, 3072]")
            << "bad.yml: encoder-ffn-embed-dim-all-subtransformer: line 4: has 2 entries but the stack has 6 "
               "layers";
        QTest::newRow("unknown key")
            << base + "encoder-drop-mha-sublayer: [0]\n"
            << "bad.yml: encoder-drop-mha-sublayer: line 16: unknown or unsupported key";
        QTest::newRow("not an integer")
            << QString(base).replace("decoder-layer-num-subtransformer: 2",
                                     "decoder-layer-num-subtransformer: two")
            << "bad.yml: decoder-layer-num-subtransformer: line 8: expected an integer";
        QTest::newRow("widths vs experts")
            << QString(kAutoMoE).replace("['3072', '2048_1024']", "['3072', '2048']")
            << "bad.yml: encoder-each-expert-ffn-dim-listoflist: layer 2 lists 1 widths for 2 experts";
        QTest::newRow("bad width entry") << QString(kAutoMoE).replace("'2048_1024'", "'2048_x'")
                                         << "is not a list of widths joined by '_'";
        QTest::newRow("zero experts")
            << QString(kAutoMoE).replace("encoder-n-experts: [1, 2]", "encoder-n-experts: [0, 2]")
            << "bad.yml: encoder-n-experts: layer 1 has no expert";
        QTest::newRow("top-k above experts")
            << QString(kAutoMoE).replace("decoder-num-experts-to-route: [2]",
                                         "decoder-num-experts-to-route: [4]")
            << "bad.yml: decoder layer 1: top_k: must be between 1 and the layer's 3 experts";
        QTest::newRow("arbitrary")
            << QString(base).replace("[-1, 2, 1, 1, 1, 1]", "[-1, 5, 1, 1, 1, 1]")
            << "bad.yml: decoder-arbitrary-ende-attn-all-subtransformer: layer 2: must be -1, 1 or 2";
        QTest::newRow("invalid yaml") << "encoder-embed-dim-subtransformer: [512\n"
                                      << "bad.yml: line";
    }
    void errorsNameFileKeyAndLine() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            parseHatYaml(text.toStdString(), "bad.yml");
            QFAIL("expected a SpaceError");
        } catch (const SpaceError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void jsonErrorsNameTheField() {
        nlohmann::json j = architectureToJson(parseHatYaml(kAutoMoE, "moe.yml"));
        j["decoder"]["layers"][0]["experts"] = nlohmann::json::array();
        try {
            architectureFromJson(j);
            QFAIL("expected a SpaceError");
        } catch (const SpaceError& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("decoder.layers[0].experts"));
        }
        j = architectureToJson(parseHatYaml(kAutoMoE, "moe.yml"));
        j["encoder"]["layers"][0]["arbitrary_ende"] = 1;
        QVERIFY_THROWS_EXCEPTION(SpaceError, architectureFromJson(j));
    }

    void missingFileIsNamed() {
        try {
            loadArchitecture("/nonexistent/arch.yml");
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY(QString(e.what()).contains("/nonexistent/arch.yml"));
        }
    }
};

AUTOMOE_TEST_MAIN(TestArchitectureIO)
#include "tst_architectureio.moc"
