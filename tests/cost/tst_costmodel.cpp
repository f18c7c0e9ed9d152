// Pins the cost model (DESIGN §4): hand counts for dense and heterogeneous MoE architectures, measured
// routing, and HAT's published #Params / FLOPs for its released SubTransformers.
#include "cost/CostModel.h"
#include "space/ArchitectureIO.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QtCore/QProcess>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;

namespace {
// qkv 4; encoder: embed 4, one dense layer of width 8; decoder: embed 4, one layer with experts {8, 4}.
Architecture handArch() {
    Architecture a;
    a.qkvDim = 4;
    a.encoder.embedDim = 4;
    LayerGene e;
    e.selfHeads = 2;
    e.expertWidths = {8};
    a.encoder.layers = {e};
    a.decoder.embedDim = 4;
    LayerGene d;
    d.selfHeads = 2;
    d.endeHeads = 2;
    d.arbitraryEnde = -1;
    d.expertWidths = {8, 4};
    d.topK = 1;
    a.decoder.layers = {d};
    return a;
}
} // namespace

class TestCostModel : public QObject {
    Q_OBJECT
private slots:
    void handCountedMoEArchitecture() {
        CostOptions o;
        o.srcLen = 3;
        o.tgtLen = 2;
        o.vocabSize = 10;
        const ArchitectureCost c = CostModel::evaluate(handArch(), o);
        // Encoder layer: attention 3*(4*4+4) + (4*4+4) = 80, two LayerNorms 16, FFN 4*8+8 + 8*4+4 = 76.
        QCOMPARE(CostModel::layerParams(handArch(), Stack::Encoder, 0), std::int64_t(172));
        // Decoder layer: self 80, enc-dec 80, three LayerNorms 24, router 4*2+2 = 10, experts 76 + 40.
        QCOMPARE(CostModel::layerParams(handArch(), Stack::Decoder, 0), std::int64_t(310));
        QCOMPARE(c.paramsHat, std::int64_t(482));
        QCOMPARE(c.paramsActive, std::int64_t(172 + 80 + 80 + 24 + 10 + 76)); // the widest expert
        QCOMPARE(c.paramsActiveExpected, 172.0 + 194.0 + 0.5 * 76 + 0.5 * 40);
        QCOMPARE(c.paramsEmbedding, std::int64_t(40));
        QCOMPARE(c.paramsTotal, std::int64_t(522));
        // Encoder MACs: projections 4*3*4*4 = 192, scores+values 2*3*3*4 = 72, FFN 3*2*4*8 = 192.
        QCOMPARE(c.flopsEncoder, 2.0 * 456);
        // Decoder MACs: self 128 + 32; enc-dec q/out 64, k/v 96, products 48;
        // MoE per token: router 4*2 + uniform experts 0.5*64 + 0.5*32 = 56, for 2 tokens.
        QCOMPARE(c.flopsDecoder, 2.0 * 480);
        QCOMPARE(c.flopsHat, 1872.0);
        QCOMPARE(c.flopsMoE, 224.0);
        QCOMPARE(c.flopsOutput, 160.0);
        QCOMPARE(c.flops, 2032.0);
        QCOMPARE(c.flopsPerToken, 1872.0 / 5);
    }

    void measuredRoutingReplacesUniform() {
        RoutingProfile r;
        r.decoder = {{1.0, 0.0}}; // every token to the wide expert
        CostOptions o;
        o.srcLen = 3;
        o.tgtLen = 2;
        o.routing = &r;
        const ArchitectureCost c = CostModel::evaluate(handArch(), o);
        // MoE per token: router 8 + 64 = 72 instead of 56: +16 MACs per token, 2 tokens.
        QCOMPARE(c.flopsDecoder, 2.0 * (480 + 32));
        QCOMPARE(c.paramsActiveExpected, 172.0 + 194.0 + 76.0);
        r.decoder = {{0.0, 1.0}};
        QCOMPARE(CostModel::evaluate(handArch(), o).flopsDecoder, 2.0 * (480 - 32));
    }

    void topKCountsKExperts() {
        Architecture a = handArch();
        a.decoder.layers[0].topK = 2;
        const ArchitectureCost c = CostModel::evaluate(a);
        QCOMPARE(c.paramsActive, std::int64_t(172 + 310)); // both experts used by every token
        QCOMPARE(c.paramsActiveExpected, 482.0);
    }

    void arbitraryAttentionScalesKeys() {
        Architecture a = handArch();
        a.encoder.layers.push_back(a.encoder.layers[0]);
        const double one = CostModel::evaluate(a).flopsDecoder;
        a.decoder.layers[0].arbitraryEnde = 1; // last two encoder layers: 60 keys instead of 30
        const double two = CostModel::evaluate(a).flopsDecoder;
        // k/v projections 2*30*4*4 MACs and products 2*30*30*4 MACs more.
        QCOMPARE(two - one, 2.0 * (2 * 30 * 4 * 4 + 2 * 30 * 30 * 4));
        a.decoder.layers[0].arbitraryEnde = 2; // only two encoder layers exist: clamped
        QCOMPARE(CostModel::evaluate(a).flopsDecoder, two);
    }

    void hatPublishedTable_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("paramsM");
        QTest::addColumn<double>("flopsG");
        QTest::addColumn<int>("length"); // HAT profiles WMT at 30 tokens, IWSLT at 23
        const auto list =
            nlohmann::json::parse(readTextFile(std::string(AUTOMOE_TEST_DATA) + "/hat/expected.json"));
        QVERIFY(list.size() >= 30);
        for (const auto& e : list)
            QTest::newRow(e["file"].get<std::string>().c_str())
                << QString::fromStdString(e["file"].get<std::string>()) << e["params_m"].get<double>()
                << e["flops_g"].get<double>() << e["sentence_length"].get<int>();
    }
    void hatPublishedTable() {
        QFETCH(QString, file);
        QFETCH(double, paramsM);
        QFETCH(double, flopsG);
        QFETCH(int, length);
        const Architecture a =
            loadArchitecture(std::string(AUTOMOE_TEST_DATA) + "/hat/" + file.toStdString());
        CostOptions o;
        o.srcLen = o.tgtLen = length;
        const ArchitectureCost c = CostModel::evaluate(a, o);
        const double params = c.paramsHat / 1e6, flops = c.flopsHat / 1e9;
        QVERIFY2(std::abs(params - paramsM) < 0.005 + 1e-9,
                 qPrintable(QString("params %1 M, HAT %2 M").arg(params, 0, 'f', 4).arg(paramsM)));
        QVERIFY2(std::abs(flops - flopsG) / flopsG < 0.01,
                 qPrintable(QString("FLOPs %1 G, HAT %2 G").arg(flops, 0, 'f', 4).arg(flopsG)));
    }

    // `automoe arch cost --src-len/--tgt-len` applies the lengths to flops_hat too (it was always counted
    // at 30/30): HAT's IWSLT figures are published at 23 tokens and must come out of the CLI as flops_hat.
    void cliFlopsHatUsesTheGivenLengths_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("flopsG");
        QTest::addColumn<int>("length");
        const auto list =
            nlohmann::json::parse(readTextFile(std::string(AUTOMOE_TEST_DATA) + "/hat/expected.json"));
        int rows = 0;
        for (const auto& e : list)
            if (e["sentence_length"].get<int>() != 30) { // the IWSLT rows (23 tokens)
                QTest::newRow(e["file"].get<std::string>().c_str())
                    << QString::fromStdString(e["file"].get<std::string>()) << e["flops_g"].get<double>()
                    << e["sentence_length"].get<int>();
                ++rows;
            }
        QVERIFY(rows >= 5);
    }
    void cliFlopsHatUsesTheGivenLengths() {
        QFETCH(QString, file);
        QFETCH(double, flopsG);
        QFETCH(int, length);
        QProcess p;
        const QString path = QString(AUTOMOE_TEST_DATA) + "/hat/" + file;
        p.start(QStringLiteral(AUTOMOE_CLI), {"arch", "cost", path, "--src-len", QString::number(length),
                                              "--tgt-len", QString::number(length), "--json"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j.at("src_len").get<int>(), length);
        const double flops = j.at("flops_hat").get<double>() / 1e9;
        QVERIFY2(
            std::abs(flops - flopsG) / flopsG < 0.01,
            qPrintable(QString("flops_hat %1 G, HAT %2 G at %3 tokens").arg(flops).arg(flopsG).arg(length)));
        CostOptions o;
        o.srcLen = o.tgtLen = length;
        QCOMPARE(j.at("flops_hat").get<double>(),
                 CostModel::evaluate(loadArchitecture(path.toStdString()), o).flopsHat);
    }
};

AUTOMOE_TEST_MAIN(TestCostModel)
#include "tst_costmodel.moc"
