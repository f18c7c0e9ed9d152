// One test per bug the fuzz targets (tests/fuzz) found or led to, with the exact error a user now gets: each
// input is also kept under tests/fuzz/regressions/<target>/ and replayed by fuzz_replay_<target>.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "run/EventText.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "store/EventRows.h"
#include "util/JsonField.h"

#include <nlohmann/json.hpp>
#include <string>

using namespace automoe;

namespace {

template <class F> QString spaceErrorOf(F&& f) {
    try {
        f();
    } catch (const SpaceError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return "not a SpaceError: " + QString::fromStdString(e.what());
    }
    return "no error";
}

std::string tinySpaceWith(const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json space = {{"format", "automoe-space"},
                            {"version", 1},
                            {"name", "t"},
                            {"qkv_dim", 192},
                            {"encoder",
                             {{"embed_dim", {128}},
                              {"layers", {{"min", 1}, {"max", 2}}},
                              {"ffn_dim", {256}},
                              {"heads", {2}},
                              {"experts", {1}},
                              {"top_k", {1}}}},
                            {"decoder",
                             {{"embed_dim", {128}},
                              {"layers", {1}},
                              {"ffn_dim", {256}},
                              {"heads", {2}},
                              {"ende_heads", {2}},
                              {"arbitrary_ende", {-1}},
                              {"experts", {1}},
                              {"top_k", {1}}}}};
    space[nlohmann::json::json_pointer(pointer)] = value;
    return space.dump();
}

const char* kDenseYml = "encoder-embed-dim-subtransformer: 512\n"
                        "decoder-embed-dim-subtransformer: 512\n"
                        "encoder-ffn-embed-dim-all-subtransformer: [3072]\n"
                        "decoder-ffn-embed-dim-all-subtransformer: [3072]\n"
                        "encoder-layer-num-subtransformer: 1\n"
                        "decoder-layer-num-subtransformer: 1\n"
                        "encoder-self-attention-heads-all-subtransformer: [8]\n"
                        "decoder-self-attention-heads-all-subtransformer: [8]\n"
                        "decoder-ende-attention-heads-all-subtransformer: [8]\n";

} // namespace

class TestFuzzFindings : public QObject {
    Q_OBJECT

private slots:
    void theFixtureIsValid() {
        QCOMPARE(parseSpace(tinySpaceWith("/qkv_dim", 192), "t.json").qkvDim, 192);
        QCOMPARE(parseHatYaml(kDenseYml, "d.yml").encoder.layers.size(), std::size_t(1));
    }

    // fuzz_space_json: a number too large for a double was nlohmann's out_of_range 406, not a SpaceError,
    // and its message named no file. The same in architecture JSON.
    void numberOverflowNamesTheFile() {
        QCOMPARE(spaceErrorOf([] { parseSpace("{\"qkv_dim\": 1E400}", "big.json"); }),
                 "big.json: invalid JSON: [json.exception.out_of_range.406] number overflow parsing '1E400'");
        QCOMPARE(spaceErrorOf([] { parseArchitectureJson("{\"qkv_dim\": 1E400}", "big.json"); }),
                 "big.json: invalid JSON: [json.exception.out_of_range.406] number overflow parsing '1E400'");
    }

    // Found writing fuzz_space_json: a range of min -2147483648 and max 2147483647 overflowed "max - min"
    // (undefined behaviour; in practice the width check passed and the range was expanded until memory ran
    // out).
    void widestIntRangeIsRefused() {
        QCOMPARE(spaceErrorOf([] {
                     parseSpace(
                         tinySpaceWith("/encoder/layers", {{"min", -2147483648LL}, {"max", 2147483647}}),
                         "wide.json");
                 }),
                 "wide.json: encoder.layers: range too wide");
    }

    // Integers beyond int were wrapped (4294967488 read as 192) in spaces and architectures.
    void integersBeyondIntAreRefused() {
        QCOMPARE(spaceErrorOf([] { parseSpace(tinySpaceWith("/qkv_dim", 4294967488LL), "wrap.json"); }),
                 "wrap.json: qkv_dim: integer 4294967488 is out of range");
        QCOMPARE(
            spaceErrorOf([] { parseSpace(tinySpaceWith("/encoder/heads/0", -4294967294LL), "wrap.json"); }),
            "wrap.json: encoder.heads[0]: integer -4294967294 is out of range");
        nlohmann::json arch = architectureToJson(parseHatYaml(kDenseYml, "d.yml"));
        arch["qkv_dim"] = 4294967808ULL;
        QCOMPARE(spaceErrorOf([&] { parseArchitectureJson(arch.dump(), "wrap.json"); }),
                 "wrap.json: qkv_dim: integer 4294967808 is out of range");
    }

    // fuzz_arch_yml: a complex key ("? a: b") made yaml-cpp throw BadConversion ("bad conversion", no file).
    void complexYamlKeyNamesTheLine() {
        QCOMPARE(spaceErrorOf([] { parseHatYaml(std::string(kDenseYml) + "? a: b\n", "bad.yml"); }),
                 "bad.yml: line 10: expected a key such as encoder-embed-dim-subtransformer");
    }

    // A yml with "n-experts: [2000000000]" and no widths list allocated 8 GB before anything checked it.
    void expertCountIsBounded() {
        QCOMPARE(spaceErrorOf([] {
                     parseHatYaml(std::string(kDenseYml) + "encoder-n-experts: [2000000000]\n", "big.yml");
                 }),
                 "big.yml: encoder-n-experts: layer 1 has 2000000000 experts, at most 4096");
    }

    // fuzz_event_payload: a count stored as a double beyond int64 (2e47) was converted with get<int64_t>()
    // (undefined behaviour; UBSan: "2e+47 is outside the range of representable values of type 'long'").
    void eventTextReadsAHugeCountAsZero() {
        Event e = Event::make(1, "darts_setup", {{"weight_params", 2e47}, {"alpha_params", 10}});
        QCOMPARE(
            QString::fromStdString(eventText(e)),
            "DARTS search: 0 + 0 layers, hidden 0, 0 splits, reversible; 0 encoder and 0 decoder candidates; "
            "0 weights, 10 architecture weights");
        e.payload["weight_params"] = 1.5e6;
        QVERIFY(eventText(e).find("1.50 M weights") != std::string::npos);
    }

    // fuzz_arch_yml (the 600 s run): the yml reader accepted a negative embedding width (and qkv-dim), which
    // the JSON reader of the same architecture refuses ("encoder.embed_dim: must be positive").
    void ymlRefusesNonPositiveWidths() {
        std::string yml = kDenseYml;
        yml.replace(yml.find(": 512"), 5, ": -512");
        QCOMPARE(spaceErrorOf([&] { parseHatYaml(yml, "neg.yml"); }),
                 "neg.yml: encoder-embed-dim-subtransformer: must be positive");
        QCOMPARE(spaceErrorOf([] { parseHatYaml(std::string(kDenseYml) + "qkv-dim: 0\n", "q.yml"); }),
                 "q.yml: qkv-dim: must be positive");
    }

    // fuzz_event_payload (the 600 s run): a checkpoint event's "created" of 1.7e138 went through
    // get<int64_t>() (undefined behaviour; UBSan: "1.74444e+138 is outside the range of representable values
    // of type 'long'"). JsonFields refuses a number outside the field's type, naming it, for events and
    // configs.
    void jsonFieldsRefuseNumbersOutsideTheirType() {
        const auto errorOf = [](auto&& f) -> QString {
            try {
                f();
            } catch (const std::invalid_argument& e) {
                return QString::fromUtf8(e.what());
            }
            return QStringLiteral("no error");
        };
        const nlohmann::json checkpoint = {
            {"update", 400}, {"path", "/tmp/c.pt"}, {"bytes", 10}, {"created", 1.5e138}};
        QCOMPARE(errorOf([&] { rowFromEvent("checkpoint", checkpoint); }),
                 "checkpoint event: field \"created\" is out of range (1.5e+138)");
        const JsonFields config = JsonFields::at("config");
        QCOMPARE(errorOf([&] {
                     config.get<int>(nlohmann::json{{"n", 4294967296LL}}, "n", 0);
                 }),
                 "config.n: 4294967296 is out of range");
        QCOMPARE(errorOf([&] {
                     config.get<std::int64_t>(nlohmann::json{{"n", 18446744073709551615ULL}}, "n", 0);
                 }),
                 "config.n: 18446744073709551615 is out of range");
        QCOMPARE(errorOf([&] {
                     config.get<std::int64_t>(nlohmann::json{{"n", 9.3e18}}, "n", 0);
                 }),
                 "config.n: 9.3e+18 is out of range");
        QCOMPARE(errorOf([&] {
                     config.get<unsigned>(nlohmann::json{{"n", -1}}, "n", 0u);
                 }),
                 "config.n: -1 is out of range");
        // In range, as before: the largest int64 a double holds, a negative int, a whole double.
        QCOMPARE(config.get<std::int64_t>(nlohmann::json{{"n", 9.2e18}}, "n", 0),
                 std::int64_t(9200000000000000000LL));
        QCOMPARE(config.get<int>(nlohmann::json{{"n", -2147483648LL}}, "n", 0), -2147483647 - 1);
        QCOMPARE(config.get<int>(nlohmann::json{{"n", 5.0}}, "n", 0), 5);
        QCOMPARE(errorOf([&] {
                     config.get<int>(nlohmann::json{{"n", "five"}}, "n", 0);
                 }),
                 "config.n: expected an integer, got \"five\"");
    }

    // fuzz_event_payload (the 600 s run): a flag stored as a number ("reversible": 1e25) made
    // json::value(key, bool) throw type_error 302 out of eventText, and a "split" that is not an object made
    // json::value() of it throw 306. A flag of another type reads as its default, such a member as empty.
    void eventTextReadsMistypedFlagsAndMembersAsDefaults() {
        Event e = Event::make(1, "darts_setup",
                              {{"splits", 2}, {"reversible", 9.999999999999999e24}, {"alpha_params", 10}});
        QCOMPARE(QString::fromStdString(eventText(e)),
                 "DARTS search: 0 + 0 layers, hidden 0, 2 splits, reversible; 0 encoder and 0 decoder "
                 "candidates; 0 weights, 10 architecture weights");
        e.payload["reversible"] = false;
        QVERIFY(eventText(e).find("2 splits, ordinary backprop;") != std::string::npos);

        Event stage = Event::make(1, "stage", {{"stage", "search"}, {"state", "finished"}, {"cancelled", 1}});
        QCOMPARE(QString::fromStdString(eventText(stage)), "stage search finished");

        Event data =
            Event::make(1, "data", {{"split", 7}, {"vocabulary", {{"size", 8000}, {"from_cache", "yes"}}}});
        QCOMPARE(QString::fromStdString(eventText(data)),
                 "corpus source\u2192target: 0 train / 0 valid / 0 test pairs; vocabulary 8000 (trained)");
        data.payload["split"] = {{"counts", {{"train", 5}, {"valid", 2}, {"test", 1}}}};
        data.payload["vocabulary"]["from_cache"] = true;
        QCOMPARE(QString::fromStdString(eventText(data)),
                 "corpus source\u2192target: 5 train / 2 valid / 1 test pairs; vocabulary 8000 (cached)");

        Event predictor =
            Event::make(1, "latency_predictor", {{"meter", 2}, {"samples", 3}, {"validation", 0.5}});
        QCOMPARE(QString::fromStdString(eventText(predictor)),
                 "latency predictor (meter 2): 3 samples, held-out MAPE 0.0 %");
    }
};

AUTOMOE_TEST_MAIN(TestFuzzFindings)
#include "tst_fuzz_findings.moc"
