// Pins ArchitectureDiff (issue 17): on a hand-built pair exactly the layers and fields that differ, nothing
// for architectures with one canonical form, a layer on one side only, cost deltas that are the difference of
// each side's own costs, and `automoe arch diff` (text, --json, a bad file named).
#include "cost/ArchitectureDiff.h"
#include "space/ArchitectureIO.h"
#include "util/Format.h"

#include "CliTestSupport.h"
#include "TestMain.h"
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;

namespace {

LayerGene layer(int heads, std::vector<int> widths, int arbitraryEnde = -1, int topK = 1) {
    LayerGene l;
    l.selfHeads = heads;
    l.endeHeads = 8;
    l.arbitraryEnde = arbitraryEnde;
    l.expertWidths = std::move(widths);
    l.topK = topK;
    return l;
}

// Encoder: 2 dense layers (3072, 2048). Decoder: dense 3072, dense 2048 with 4 heads, and a MoE layer of 4
// experts (3072, 2048, 1024, 1024), each attending to the last encoder layer.
Architecture archA() {
    Architecture a;
    a.qkvDim = 512;
    a.encoder.embedDim = 512;
    a.encoder.layers = {layer(8, {3072}), layer(8, {2048})};
    a.decoder.embedDim = 512;
    a.decoder.layers = {layer(8, {3072}), layer(4, {2048}), layer(8, {3072, 2048, 1024, 1024})};
    return a;
}

// A with encoder layer 1's FFN 2048 wide, decoder layer 1 attending to the last two encoder layers, and
// decoder layer 3 dense (its first expert's width kept).
Architecture archB() {
    Architecture b = archA();
    b.encoder.layers[0].expertWidths = {2048};
    b.decoder.layers[0].arbitraryEnde = 1;
    b.decoder.layers[2].expertWidths = {3072};
    return b;
}

QStringList differenceTexts(const ArchitectureDiff& d) {
    QStringList out;
    for (const FieldDifference& f : d.differences)
        out << QString::fromStdString(differenceText(f));
    return out;
}

using clitest::CliResult;
using clitest::runCli;

} // namespace

class TestArchitectureDiff : public QObject {
    Q_OBJECT

private slots:
    void handBuiltPairHighlightsExactlyWhatDiffers() {
        const ArchitectureDiff d = diffArchitectures(archA(), archB());
        QVERIFY(!d.identical());
        QCOMPARE(differenceTexts(d),
                 QStringList({"encoder layer 1 expert_widths: 3072 -> 2048",
                              "decoder layer 1 ende_layers: 1 -> 2", "decoder layer 3 experts: 4 -> 1"}));
        QCOMPARE(int(d.layers.size()), 3);
        const LayerDiff* enc0 = d.layer(Stack::Encoder, 0);
        QVERIFY(enc0);
        QCOMPARE(enc0->fields, unsigned(kLayerWidths));
        QCOMPARE(enc0->expertSlots, std::vector<int>({0}));
        const LayerDiff* dec0 = d.layer(Stack::Decoder, 0);
        QVERIFY(dec0);
        QCOMPARE(dec0->fields, unsigned(kLayerEndeLayers));
        QVERIFY(dec0->expertSlots.empty());
        const LayerDiff* dec2 = d.layer(Stack::Decoder, 2);
        QVERIFY(dec2);
        // Slot 1 (3072) is the same on both sides; slots 2-4 exist in A only. No common slot differs.
        QCOMPARE(dec2->fields, unsigned(kLayerExperts));
        QCOMPARE(dec2->expertSlots, std::vector<int>({1, 2, 3}));
        // Every other layer and the stacks are the same.
        QVERIFY(!d.layer(Stack::Encoder, 1));
        QVERIFY(!d.layer(Stack::Decoder, 1));
        QVERIFY(!d.qkvDimDiffers());
        for (Stack s : {Stack::Encoder, Stack::Decoder}) {
            QVERIFY(!d.embedDimDiffers(s));
            QVERIFY(!d.depthDiffers(s));
        }
    }

    void headsWidthsTopKAndStackGenes() {
        Architecture b = archA();
        b.qkvDim = 256;
        b.encoder.embedDim = 640;
        b.decoder.layers[1].selfHeads = 8;
        b.decoder.layers[1].endeHeads = 4;
        b.decoder.layers[2].expertWidths = {3072, 1024, 1024, 1024};
        b.decoder.layers[2].topK = 2;
        const ArchitectureDiff d = diffArchitectures(archA(), b);
        QCOMPARE(differenceTexts(d),
                 QStringList({"architecture qkv_dim: 512 -> 256", "encoder embed_dim: 512 -> 640",
                              "decoder layer 2 self_heads: 4 -> 8", "decoder layer 2 ende_heads: 8 -> 4",
                              "decoder layer 3 expert_widths: 3072,2048,1024,1024 -> "
                              "3072,1024,1024,1024",
                              "decoder layer 3 top_k: 1 -> 2"}));
        QVERIFY(d.qkvDimDiffers());
        QVERIFY(d.embedDimDiffers(Stack::Encoder));
        QVERIFY(!d.embedDimDiffers(Stack::Decoder));
        QCOMPARE(d.layer(Stack::Decoder, 1)->fields, unsigned(kLayerSelfHeads | kLayerEndeHeads));
        QCOMPARE(d.layer(Stack::Decoder, 2)->fields, unsigned(kLayerWidths | kLayerTopK));
        QCOMPARE(d.layer(Stack::Decoder, 2)->expertSlots, std::vector<int>({1}));
        // d_model differs but no gene of the encoder's layers does.
        QVERIFY(!d.layer(Stack::Encoder, 0));
    }

    void identicalArchitecturesHaveNoDifferences() {
        const ArchitectureDiff same = diffArchitectures(archA(), archA());
        QVERIFY(same.identical());
        QVERIFY(same.layers.empty());
        // Genes that build the same network: top-k above a dense layer's one expert, encoder-only "cross"
        // heads, a decoder attending to "3" of 2 encoder layers (clamped to 2, as gene 1 says).
        Architecture a = archA(), b = archA();
        a.decoder.layers[0].arbitraryEnde = 1;
        b.decoder.layers[0].arbitraryEnde = 2;
        b.encoder.layers[0].endeHeads = 2;
        b.decoder.layers[1].topK = 3;
        QVERIFY(a == b);
        const ArchitectureDiff canonical = diffArchitectures(a, b);
        QVERIFY2(canonical.identical(), qPrintable(differenceTexts(canonical).join("; ")));
        for (const CostComparison& c : canonical.costs())
            QCOMPARE(c.delta(), 0.0);
    }

    void layerOnOneSideOnly() {
        Architecture b = archA();
        b.decoder.layers.pop_back();
        b.encoder.layers.push_back(layer(2, {1024}));
        const ArchitectureDiff d = diffArchitectures(archA(), b);
        QCOMPARE(differenceTexts(d),
                 QStringList({"encoder layers: 2 -> 3", "encoder layer 3 present: no -> yes",
                              "decoder layers: 3 -> 2", "decoder layer 3 present: yes -> no"}));
        QVERIFY(d.depthDiffers(Stack::Encoder));
        QVERIFY(d.depthDiffers(Stack::Decoder));
        QCOMPARE(d.layer(Stack::Encoder, 2)->fields, unsigned(kLayerPresent));
        QCOMPARE(d.layer(Stack::Encoder, 2)->expertSlots, std::vector<int>({0}));
        QCOMPARE(d.layer(Stack::Decoder, 2)->fields, unsigned(kLayerPresent));
        QCOMPARE(d.layer(Stack::Decoder, 2)->expertSlots, std::vector<int>({0, 1, 2, 3}));
        // The decoder's layers attend to the last encoder layer on both sides: the same count, no difference.
        QVERIFY(!d.layer(Stack::Decoder, 0));
        QCOMPARE(int(d.layers.size()), 2);
    }

    void costDeltasAreTheDifferenceOfEachSidesCosts() {
        CostOptions o;
        o.srcLen = 17;
        o.tgtLen = 23;
        o.vocabSize = 1000;
        const ArchitectureDiff d = diffArchitectures(archA(), archB(), o, 4.25, 3.5);
        const ArchitectureCost a = CostModel::evaluate(archA(), o), b = CostModel::evaluate(archB(), o);
        const std::vector<CostComparison> costs = d.costs();
        QCOMPARE(int(costs.size()), 4);
        QCOMPARE(costs[0].name, std::string("params_hat"));
        QCOMPARE(costs[0].a, double(a.paramsHat));
        QCOMPARE(costs[0].delta(), double(b.paramsHat - a.paramsHat));
        QCOMPARE(costs[1].name, std::string("params_active"));
        QCOMPARE(costs[1].delta(), double(b.paramsActive - a.paramsActive));
        QCOMPARE(costs[2].name, std::string("flops_hat"));
        QCOMPARE(costs[2].delta(), b.flopsHat - a.flopsHat);
        QCOMPARE(costs[3].name, std::string("latency_ms"));
        QCOMPARE(costs[3].delta(), -0.75);
        QCOMPARE(*costs[3].relative(), -100.0 * 0.75 / 4.25);
        // By layer: encoder layer 1's FFN goes from 3072 to 2048 wide; decoder layer 3 loses three experts
        // (2048, 1024, 1024 wide) and its router.
        const double expected = -double(CostModel::ffnParams(512, 3072) - CostModel::ffnParams(512, 2048)) -
                                double(CostModel::ffnParams(512, 2048) + 2 * CostModel::ffnParams(512, 1024) +
                                       CostModel::routerParams(512, 4));
        QCOMPARE(costs[0].delta(), expected);
        // Latency only where both sides have one.
        QCOMPARE(int(diffArchitectures(archA(), archB(), o, 4.25, std::nullopt).costs().size()), 3);
    }

    void jsonNumbersLayersFromOne() {
        const nlohmann::json j = diffToJson(diffArchitectures(archA(), archB()));
        QCOMPARE(j.at("identical").get<bool>(), false);
        const auto& diffs = j.at("differences");
        QCOMPARE(int(diffs.size()), 3);
        QCOMPARE(diffs[0].at("stack").get<std::string>(), std::string("encoder"));
        QCOMPARE(diffs[0].at("layer").get<int>(), 1);
        QCOMPARE(diffs[0].at("a"), nlohmann::json({3072}));
        QCOMPARE(diffs[2].at("field").get<std::string>(), std::string("experts"));
        QCOMPARE(diffs[2].at("layer").get<int>(), 3);
        QCOMPARE(diffs[2].at("a").get<int>(), 4);
        QCOMPARE(diffs[2].at("b").get<int>(), 1);
        QCOMPARE(j.at("layers")[2].at("slots"), nlohmann::json({2, 3, 4}));
        QCOMPARE(j.at("layers")[2].at("fields"), nlohmann::json({"experts"}));
    }

    void cliPrintsTheDifferencesAndCostDeltas() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.yml"), b = dir.filePath("b.json");
        saveArchitecture(archA(), a.toStdString());
        saveArchitecture(archB(), b.toStdString());
        const CliResult r = runCli({"arch", "diff", a, b}, dir.path(), 0, 60000);
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.split('\n');
        QVERIFY2(lines.contains("3 differences (A -> B):"), qPrintable(r.out));
        QVERIFY2(lines.contains("  encoder layer 1   expert_widths  3072 -> 2048"), qPrintable(r.out));
        QVERIFY2(lines.contains("  decoder layer 1   ende_layers    1 -> 2"), qPrintable(r.out));
        QVERIFY2(lines.contains("  decoder layer 3   experts        4 -> 1"), qPrintable(r.out));
        const ArchitectureDiff d = diffArchitectures(archA(), archB());
        const std::string params = formatSI(d.costs()[0].a);
        QVERIFY2(r.out.contains(QString::fromStdString("Params (HAT)")) &&
                     r.out.contains(QString::fromStdString(params)),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QString::fromStdString("-" + formatSI(-d.costs()[0].delta()))),
                 qPrintable(r.out));

        const CliResult same = runCli({"arch", "diff", a, a}, dir.path(), 0, 60000);
        QCOMPARE(same.exitCode, 0);
        QVERIFY2(same.out.contains("The architectures are identical."), qPrintable(same.out));
    }

    void cliJson() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.json"), b = dir.filePath("b.yml");
        saveArchitecture(archA(), a.toStdString());
        saveArchitecture(archB(), b.toStdString());
        const CliResult r = runCli({"arch", "diff", a, b, "--json", "--src-len", "17", "--tgt-len", "23"},
                                   dir.path(), 0, 60000);
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("a").at("file").get<std::string>(), a.toStdString());
        QCOMPARE(j.at("b").at("key").get<std::string>(), archB().key());
        QCOMPARE(j.at("identical").get<bool>(), false);
        QCOMPARE(int(j.at("differences").size()), 3);
        QCOMPARE(j.at("differences")[1].at("field").get<std::string>(), std::string("ende_layers"));
        CostOptions o;
        o.srcLen = 17;
        o.tgtLen = 23;
        const double flopsDelta =
            CostModel::evaluate(archB(), o).flopsHat - CostModel::evaluate(archA(), o).flopsHat;
        QCOMPARE(j.at("costs")[2].at("name").get<std::string>(), std::string("flops_hat"));
        QCOMPARE(j.at("costs")[2].at("delta").get<double>(), flopsDelta);
        QCOMPARE(int(j.at("costs").size()), 3); // files carry no latency
    }

    void cliNamesTheBadFile() {
        QTemporaryDir dir;
        const QString a = dir.filePath("a.yml"), bad = dir.filePath("broken.json"),
                      missing = dir.filePath("missing.yml");
        saveArchitecture(archA(), a.toStdString());
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"qkv_dim": 512, "encoder": {"embed_dim": 512, "layers": []}})");
        f.close();
        const CliResult r = runCli({"arch", "diff", a, bad}, dir.path(), 0, 60000);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.startsWith("automoe: error: " + bad + ": "), qPrintable(r.err));
        const CliResult m = runCli({"arch", "diff", missing, a}, dir.path(), 0, 60000);
        QVERIFY(m.exitCode != 0);
        QVERIFY2(m.err.contains(missing), qPrintable(m.err));
    }
};

AUTOMOE_TEST_MAIN(TestArchitectureDiff)
#include "tst_architecturediff.moc"
