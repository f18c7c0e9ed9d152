// Pins eval/RoutingHealth on hand-built routing snapshots against values computed by hand: the entropy of a
// layer's expert load (nats), that entropy over ln n, and the busiest expert and its share; fractions
// renormalised per layer, layers ordered encoder then decoder by index, dense layers left out, and a bad
// snapshot or event payload refused with the update, layer or field named.
#include "eval/RoutingHealth.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <cmath>
#include <nlohmann/json.hpp>

using namespace automoe;

Q_DECLARE_METATYPE(std::vector<double>)

namespace {

RoutingSnapshot layerOf(const std::vector<double>& fractions, const std::string& stack = "encoder",
                        int layer = 0) {
    RoutingSnapshot s;
    s.update = 400;
    for (std::size_t e = 0; e < fractions.size(); ++e)
        s.rows.push_back({stack, layer, int(e), fractions[e]});
    return s;
}

QString errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

} // namespace

class TestRoutingHealth : public QObject {
    Q_OBJECT

private slots:
    void oneLayer_data() {
        QTest::addColumn<std::vector<double>>("fractions");
        QTest::addColumn<int>("experts");
        QTest::addColumn<double>("entropy");
        QTest::addColumn<double>("normalized");
        QTest::addColumn<int>("busiest");
        QTest::addColumn<double>("share");
        QTest::addColumn<bool>("collapsed");
        // Uniform over 4: H = -4 * 0.25 ln 0.25 = ln 4 = 1.3862943611198906; H / ln 4 = 1; ties go to slot 0.
        QTest::newRow("uniform 4") << std::vector<double>{0.25, 0.25, 0.25, 0.25} << 4 << 1.3862943611198906
                                   << 1.0 << 0 << 0.25 << false;
        // H = -(0.7 ln 0.7 + 3 * 0.1 ln 0.1) = 0.7 * 0.356675 + 0.3 * 2.302585 = 0.249672 + 0.690776
        //   = 0.9404479886553264; / ln 4 (1.386294) = 0.6783898247235198.
        QTest::newRow("0.7 of 4") << std::vector<double>{0.7, 0.1, 0.1, 0.1} << 4 << 0.9404479886553264
                                  << 0.6783898247235198 << 0 << 0.7 << true;
        // The same load as top-2 bookkeeping might leave it (summing to 2): renormalised to the row above.
        QTest::newRow("sums to 2") << std::vector<double>{0.2, 1.4, 0.2, 0.2} << 4 << 0.9404479886553264
                                   << 0.6783898247235198 << 1 << 0.7 << true;
        // Two experts: H = -(0.9 ln 0.9 + 0.1 ln 0.1) = 0.9 * 0.105361 + 0.1 * 2.302585 = 0.094825 + 0.230259
        //   = 0.3250829733914482; / ln 2 (0.693147) = 0.46899559358928117.
        QTest::newRow("2 experts 0.1 / 0.9") << std::vector<double>{0.1, 0.9} << 2 << 0.3250829733914482
                                             << 0.46899559358928117 << 1 << 0.9 << true;
        // 50 / 50 of 2: H = ln 2, balanced.
        QTest::newRow("2 experts even")
            << std::vector<double>{0.5, 0.5} << 2 << std::log(2.0) << 1.0 << 0 << 0.5 << false;
        // Collapsed onto slot 1 of 3; the empty slots still count: n = 3, H = 0 (0 ln 0 taken as 0).
        QTest::newRow("all on one of 3")
            << std::vector<double>{0.0, 1.0, 0.0} << 3 << 0.0 << 0.0 << 1 << 1.0 << true;
        // 0.6 exactly is not collapsed (the threshold is "more than 60 %"). H = -(0.6 ln 0.6 + 0.4 ln 0.4)
        //   = 0.6 * 0.510826 + 0.4 * 0.916291 = 0.306495 + 0.366516 = 0.6730116670092565.
        QTest::newRow("60 / 40 of 2") << std::vector<double>{0.6, 0.4} << 2 << 0.6730116670092565
                                      << 0.6730116670092565 / std::log(2.0) << 0 << 0.6 << false;
    }

    void oneLayer() {
        QFETCH(std::vector<double>, fractions);
        QFETCH(int, experts);
        QFETCH(double, entropy);
        QFETCH(double, normalized);
        QFETCH(int, busiest);
        QFETCH(double, share);
        QFETCH(bool, collapsed);
        const RoutingHealth h = routingHealth(layerOf(fractions, "decoder", 2));
        QCOMPARE(h.update, std::int64_t(400));
        QCOMPARE(h.subnet, std::string("largest"));
        QCOMPARE(h.layers.size(), std::size_t(1));
        const LayerRoutingHealth& l = h.layers[0];
        QCOMPARE(l.stack, std::string("decoder"));
        QCOMPARE(l.layer, 2);
        QCOMPARE(l.experts, experts);
        QVERIFY2(std::abs(l.entropy - entropy) < 1e-12, qPrintable(QString::number(l.entropy, 'g', 17)));
        QVERIFY2(std::abs(l.normalizedEntropy - normalized) < 1e-12,
                 qPrintable(QString::number(l.normalizedEntropy, 'g', 17)));
        QCOMPARE(l.busiestExpert, busiest);
        QVERIFY(std::abs(l.busiestShare - share) < 1e-12);
        QCOMPARE(l.collapsed(), collapsed);
    }

    void layersInStackThenLayerOrderDenseLeftOut() {
        RoutingSnapshot s;
        s.update = 7;
        // As rows may come: decoder first, layers out of order, a dense (one-expert) layer among them.
        s.rows = {{"decoder", 1, 0, 0.5}, {"decoder", 1, 1, 0.5}, {"encoder", 2, 0, 0.8},
                  {"encoder", 2, 1, 0.2}, {"encoder", 1, 0, 1.0}, {"encoder", 0, 2, 0.1},
                  {"encoder", 0, 0, 0.6}, {"encoder", 0, 1, 0.3}};
        const RoutingHealth h = routingHealth(s, "fixed");
        QCOMPARE(h.subnet, std::string("fixed"));
        QCOMPARE(h.layers.size(), std::size_t(3));
        QCOMPARE(h.layers[0].stack + std::to_string(h.layers[0].layer), std::string("encoder0"));
        QCOMPARE(h.layers[1].stack + std::to_string(h.layers[1].layer), std::string("encoder2"));
        QCOMPARE(h.layers[2].stack + std::to_string(h.layers[2].layer), std::string("decoder1"));
        QCOMPARE(h.layers[0].experts, 3);
        QCOMPARE(h.layers[0].busiestShare, 0.6);
        QCOMPARE(h.layers[1].busiestShare, 0.8);
        QCOMPARE(h.layers[1].busiestExpert, 0);
        QCOMPARE(h.layers[2].normalizedEntropy, 1.0);
        // An empty snapshot (a dense subnet) has no layers.
        QVERIFY(routingHealth(RoutingSnapshot{}).layers.empty());
    }

    void badSnapshotsAreRefusedNamingTheLayer() {
        QString e = errorOf([] { routingHealth(layerOf({0.5, 0.5}, "middle")); });
        QVERIFY2(e.contains("unknown stack \"middle\"") && e.contains("update 400"), qPrintable(e));
        e = errorOf([] { routingHealth(layerOf({0.5, -0.1, 0.6}, "decoder", 1)); });
        QVERIFY2(e.contains("decoder layer 1, expert 1"), qPrintable(e));
        e = errorOf([] { routingHealth(layerOf({0.0, 0.0}, "encoder", 3)); });
        QVERIFY2(e.contains("encoder layer 3") && e.contains("no tokens"), qPrintable(e));
        e = errorOf([] { routingHealth(layerOf({NAN, 0.5})); });
        QVERIFY2(e.contains("expert 0"), qPrintable(e));
    }

    void jsonRoundTrip() {
        RoutingSnapshot s = layerOf({0.7, 0.1, 0.1, 0.1});
        for (const RoutingStatRow& r : layerOf({0.02, 0.98}, "decoder", 2).rows)
            s.rows.push_back(r);
        const RoutingHealth h = routingHealth(s);
        const nlohmann::json j = toJson(h);
        QCOMPARE(j["layers"][1]["busiest_share"].get<double>(), 0.98);
        QCOMPARE(j["layers"][0]["normalized_entropy"].get<double>(), h.layers[0].normalizedEntropy);
        const RoutingHealth back = routingHealthFromJson(nlohmann::json::parse(j.dump()));
        QCOMPARE(back.update, h.update);
        QCOMPARE(back.subnet, h.subnet);
        QCOMPARE(back.layers.size(), h.layers.size());
        for (std::size_t i = 0; i < h.layers.size(); ++i) {
            const LayerRoutingHealth &a = h.layers[i], &b = back.layers[i];
            QCOMPARE(b.stack, a.stack);
            QCOMPARE(b.layer, a.layer);
            QCOMPARE(b.experts, a.experts);
            QCOMPARE(b.entropy, a.entropy); // nlohmann writes doubles round-trip exact
            QCOMPARE(b.normalizedEntropy, a.normalizedEntropy);
            QCOMPARE(b.busiestExpert, a.busiestExpert);
            QCOMPARE(b.busiestShare, a.busiestShare);
        }
    }

    void badPayloadNamesTheField_data() {
        QTest::addColumn<QString>("payload");
        QTest::addColumn<QString>("message");
        const QString layer =
            R"({"stack": "decoder", "layer": 2, "experts": 4, "entropy": 0.5, "normalized_entropy": 0.36,
                "busiest_expert": 3, "busiest_share": 0.9})";
        auto with = [&](const QString& key, const QString& value) {
            nlohmann::json l = nlohmann::json::parse(layer.toStdString());
            if (value.isEmpty())
                l.erase(key.toStdString());
            else
                l[key.toStdString()] = nlohmann::json::parse(value.toStdString());
            return QString::fromStdString(
                nlohmann::json{{"update", 400}, {"subnet", "largest"}, {"layers", {l}}}.dump());
        };
        QTest::newRow("no update") << R"({"subnet": "largest", "layers": []})"
                                   << R"(routing_health event: missing field "update")";
        QTest::newRow("layers not a list") << R"({"update": 1, "subnet": "largest", "layers": 3})"
                                           << R"(routing_health event: field "layers" is not a list)";
        QTest::newRow("no busiest share")
            << with("busiest_share", "") << R"(routing_health event: missing field "busiest_share")";
        QTest::newRow("share as text") << with("busiest_share", R"("high")")
                                       << R"(routing_health event: field "busiest_share" has the wrong type)";
        QTest::newRow("share above 1")
            << with("busiest_share", "1.5") << R"(routing_health event: field "busiest_share" is 1.5)";
        QTest::newRow("unknown stack")
            << with("stack", R"("middle")") << R"(routing_health event: field "stack" is "middle")";
        QTest::newRow("one expert") << with("experts", "1")
                                    << R"(routing_health event: field "experts" is 1)";
        QTest::newRow("busiest beyond the experts")
            << with("busiest_expert", "4") << R"(routing_health event: field "busiest_expert" is 4)";
        QTest::newRow("entropy above ln n")
            << with("entropy", "2.0") << R"(routing_health event: field "entropy" is 2)";
    }

    void badPayloadNamesTheField() {
        QFETCH(QString, payload);
        QFETCH(QString, message);
        const QString e =
            errorOf([&] { routingHealthFromJson(nlohmann::json::parse(payload.toStdString())); });
        QVERIFY2(e.startsWith(message), qPrintable(e));
    }
};

AUTOMOE_TEST_MAIN(TestRoutingHealth)
#include "tst_routinghealth.moc"
