// One test per bug the fuzz targets (tests/fuzz) found or led to, with the exact error a user now gets: each
// input is also kept under tests/fuzz/regressions/<target>/ and replayed by fuzz_replay_<target>.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "run/EventText.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceError.h"
#include "space/SpaceIO.h"

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
};

AUTOMOE_TEST_MAIN(TestFuzzFindings)
#include "tst_fuzz_findings.moc"
