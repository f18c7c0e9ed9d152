// The supernet trainer's parts against hand-computed values (label-smoothed loss, learning-rate
// schedules, token-bucketed batches) and its promises: a checkpoint round trip continues with exactly the
// loss of the uninterrupted run, a broken checkpoint is refused with its file named, training learns.
#include "TrainTestSupport.h"
#include "data/Batches.h"
#include "train/LabelSmoothedLoss.h"
#include "train/LrSchedule.h"
#include "train/Trainer.h"

#include "TestMain.h"
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>
#include <set>

using namespace automoe;
using namespace automoe::nntest;
using namespace automoe::traintest;

class TestTrain : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(1); }

    void labelSmoothingUniform() {
        // Uniform logits over V = 3: every log-prob is -ln 3, so nll = ln 3 and the smoothed loss is
        // (1 - eps - eps/2) ln 3 + eps/2 * 3 ln 3 = ln 3 for any eps.
        auto logits = torch::zeros({2, 3});
        auto target = torch::tensor({0, 2}, torch::kLong);
        auto r = labelSmoothedCrossEntropy(logits, target, 0.1, /*pad*/ 1);
        QCOMPARE(r.tokens, int64_t(2));
        QVERIFY(std::abs(r.loss.item<double>() - 2 * std::log(3.0)) < 1e-6);
        QVERIFY(std::abs(r.nll.item<double>() - 2 * std::log(3.0)) < 1e-6);
    }

    void labelSmoothingHandComputed() {
        // p = (1/6, 2/6, 3/6); target 1: nll = ln 3; sum -log p = ln 6 + ln 3 + ln 2 = ln 36.
        // eps = 0.1, eps_i = 0.05: loss = 0.85 ln 3 + 0.05 ln 36. The padded row (target 0 = pad) is ignored.
        auto row = torch::log(torch::tensor({1.0, 2.0, 3.0}));
        auto logits = torch::stack({row, row}).view({1, 2, 3}).to(torch::kFloat);
        auto target = torch::tensor({{1, 0}}, torch::kLong);
        auto r = labelSmoothedCrossEntropy(logits, target, 0.1, /*pad*/ 0);
        QCOMPARE(r.tokens, int64_t(1));
        const double expected = 0.85 * std::log(3.0) + 0.05 * std::log(36.0);
        QVERIFY2(std::abs(r.loss.item<double>() - expected) < 1e-5,
                 qPrintable(QString::number(r.loss.item<double>(), 'g', 10)));
        QVERIFY(std::abs(r.nll.item<double>() - std::log(3.0)) < 1e-5);
        // Without smoothing the loss is the nll.
        auto plain = labelSmoothedCrossEntropy(logits, target, 0.0, 0);
        QVERIFY(std::abs(plain.loss.item<double>() - std::log(3.0)) < 1e-5);
    }

    void lrSchedule_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("update");
        QTest::addColumn<double>("expected");
        // peak 1e-3, warm-up 4 updates from 0, cosine to 1e-5 at update 104.
        QTest::newRow("warmup 1") << "inverse_sqrt" << qint64(1) << 2.5e-4;
        QTest::newRow("warmup 2") << "inverse_sqrt" << qint64(2) << 5e-4;
        QTest::newRow("peak") << "inverse_sqrt" << qint64(4) << 1e-3;
        QTest::newRow("isqrt 16") << "inverse_sqrt" << qint64(16) << 5e-4;
        QTest::newRow("isqrt 64") << "inverse_sqrt" << qint64(64) << 2.5e-4;
        QTest::newRow("cos start") << "cosine" << qint64(4) << 1e-3;
        QTest::newRow("cos half") << "cosine" << qint64(54) << 1e-5 + 0.5 * (1e-3 - 1e-5);
        QTest::newRow("cos end") << "cosine" << qint64(104) << 1e-5;
        QTest::newRow("cos after") << "cosine" << qint64(500) << 1e-5;
        QTest::newRow("constant") << "constant" << qint64(1) << 1e-3;
    }

    void lrSchedule() {
        QFETCH(QString, kind);
        QFETCH(qint64, update);
        QFETCH(double, expected);
        LrScheduleOptions o;
        o.kind = lrScheduleKind(kind.toStdString());
        o.peak = 1e-3;
        o.warmupInitLr = 0;
        o.warmupUpdates = 4;
        o.minLr = 1e-5;
        o.totalUpdates = 104;
        QVERIFY2(std::abs(lrAt(o, update) - expected) < 1e-12,
                 qPrintable(QString::number(lrAt(o, update), 'g', 12)));
    }

    void lrScheduleUnknown() {
        try {
            lrScheduleKind("linear");
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY(QString(e.what()).contains("'linear'"));
        }
    }

    void batchesRespectMaxTokens_data() {
        QTest::addColumn<qint64>("maxTokens");
        QTest::newRow("40") << qint64(40);
        QTest::newRow("100") << qint64(100);
        QTest::newRow("1000") << qint64(1000);
    }

    void batchesRespectMaxTokens() {
        QFETCH(qint64, maxTokens);
        auto set = reversalSet(300, 3, 1, 30);
        auto plan = planBatches(set, maxTokens, 11, true);
        std::multiset<size_t> seen;
        for (const auto& rows : plan) {
            QVERIFY(!rows.empty());
            size_t maxLen = 0;
            for (size_t i : rows) {
                maxLen = std::max({maxLen, set.source[i].size(), set.target[i].size() + 1});
                seen.insert(i);
            }
            QVERIFY2(int64_t(maxLen * rows.size()) <= maxTokens || rows.size() == 1,
                     qPrintable(QString("%1 rows x %2").arg(rows.size()).arg(maxLen)));
            Batch b = makeBatch(set, rows, testIds());
            QVERIFY(b.src.numel() <= maxTokens || rows.size() == 1);
            QVERIFY(b.tgtIn.numel() <= maxTokens || rows.size() == 1);
        }
        QCOMPARE(seen.size(), size_t(300)); // every row once
        QCOMPARE(std::set<size_t>(seen.begin(), seen.end()).size(), size_t(300));
        // Deterministic per seed, different across seeds.
        QVERIFY(planBatches(set, maxTokens, 11, true) == plan);
        QVERIFY(planBatches(set, maxTokens, 12, true) != plan);
    }

    void batchFraming() {
        TokenizedSet set;
        set.source = {{5, 6, 7, 3}, {8, 3}};
        set.target = {{9, 10}, {11, 12, 13}};
        Batch b = makeBatch(set, {0, 1});
        QCOMPARE(b.src.sizes().vec(), (std::vector<int64_t>{2, 4}));
        QVERIFY(torch::equal(b.src, torch::tensor({{5, 6, 7, 3}, {8, 3, 0, 0}}, torch::kLong)));
        QVERIFY(torch::equal(b.tgtIn, torch::tensor({{2, 9, 10, 0}, {2, 11, 12, 13}}, torch::kLong)));
        QVERIFY(torch::equal(b.tgtOut, torch::tensor({{9, 10, 3, 0}, {11, 12, 13, 3}}, torch::kLong)));
        QCOMPARE(b.sourceTokens, int64_t(6));
        QCOMPARE(b.targetTokens, int64_t(7));
    }

    void streamSeekResumes() {
        auto set = reversalSet(50, 5);
        BatchStream a(set, 60, 3, testIds());
        for (int i = 0; i < 37; ++i) // crosses epoch boundaries
            a.next();
        const DataPosition pos = a.position();
        QVERIFY(pos.epoch >= 1);
        std::vector<std::vector<size_t>> expected;
        for (int i = 0; i < 5; ++i)
            expected.push_back(a.next().indices);
        BatchStream b(set, 60, 3, testIds());
        b.seek(pos);
        for (int i = 0; i < 5; ++i)
            QVERIFY(b.next().indices == expected[size_t(i)]);
    }

    void checkpointRoundTripIsExact_data() {
        QTest::addColumn<QString>("sampling");
        QTest::addColumn<QString>("supernet");
        QTest::newRow("random") << "random"
                                << "shared";
        QTest::newRow("sandwich") << "sandwich"
                                  << "shared";
        // Mixture-of-Supernets: the further weight sets, the routers and their Adam moments round-trip too.
        QTest::newRow("sandwich mos-layer") << "sandwich"
                                            << "mos-layer";
        QTest::newRow("random mos-neuron") << "random"
                                           << "mos-neuron";
    }

    void checkpointRoundTripIsExact() {
        QFETCH(QString, sampling);
        QFETCH(QString, supernet);
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/ck.pt").toStdString();
        auto train = reversalSet(200, 1);
        auto valid = reversalSet(20, 2);
        SuperTransformerConfig config = smallConfig(0.2);
        config.mixture.kind = supernetKind(supernet.toStdString());
        config.mixture.sets = 3;
        config.mixture.attention = supernet == "mos-neuron";
        torch::manual_seed(3);
        Trainer a(SuperTransformer(config), smallSpace(), train, valid,
                  testOptions(subnetSampling(sampling.toStdString())));
        for (int i = 0; i < 6; ++i)
            a.step();
        const int64_t bytes = a.saveCheckpoint(path, {{"note", "x"}});
        QVERIFY(bytes > 0);
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));
        std::vector<UpdateResult> cont;
        for (int i = 0; i < 3; ++i)
            cont.push_back(a.step());

        torch::manual_seed(99); // different init and dropout stream: the checkpoint must restore both
        Trainer b(SuperTransformer(config), smallSpace(), train, valid,
                  testOptions(subnetSampling(sampling.toStdString())));
        const auto meta = b.loadCheckpoint(path);
        QCOMPARE(meta.value("note", std::string()), std::string("x"));
        QCOMPARE(b.update(), int64_t(6));
        for (int i = 0; i < 3; ++i) {
            const UpdateResult r = b.step();
            QCOMPARE(r.update, cont[size_t(i)].update);
            QCOMPARE(r.arch.key(), cont[size_t(i)].arch.key());
            QCOMPARE(r.loss, cont[size_t(i)].loss); // exactly
            QCOMPARE(r.lr, cont[size_t(i)].lr);
        }
    }

    void brokenCheckpointNamesFile() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/ck.pt").toStdString();
        auto train = reversalSet(40, 1);
        Trainer a(SuperTransformer(smallConfig()), smallSpace(), train, train, testOptions());
        a.step();
        a.saveCheckpoint(path);
        // Truncate to half.
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        in.close();
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), std::streamsize(bytes.size() / 2));
        Trainer b(SuperTransformer(smallConfig()), smallSpace(), train, train, testOptions());
        for (const std::string& p : {path, path + ".missing"}) {
            try {
                b.loadCheckpoint(p);
                QFAIL("no error");
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(p)), e.what());
            }
        }
    }

    void paddingMismatchRefused() {
        auto train = reversalSet(10, 1);
        TrainerOptions o = testOptions();
        o.ids.pad = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 Trainer(SuperTransformer(smallConfig()), smallSpace(), train, train, o));
    }

    void trainingLearnsFixedArchitecture() {
        // One fixed subnet on the reversal task: validation nll falls well below its start.
        torch::manual_seed(5);
        auto train = reversalSet(400, 11, 2, 6);
        auto valid = reversalSet(40, 12, 2, 6);
        TrainerOptions o = testOptions(SubnetSampling::Fixed);
        o.fixedArchitecture = smallSpace().largest();
        o.maxTokens = 200;
        o.lr.peak = 1e-2;
        o.lr.warmupUpdates = 20;
        o.balanceLossWeight = 0.01;
        Trainer t(SuperTransformer(smallConfig(0.0)), smallSpace(), train, valid, o);
        const double before = t.validate(*o.fixedArchitecture).nll;
        for (int i = 0; i < 250; ++i)
            t.step();
        const ValidationResult after = t.validate(*o.fixedArchitecture, true);
        qInfo("validation nll %.3f -> %.3f", before, after.nll);
        QVERIFY2(after.nll < 0.5 * before, qPrintable(QString("%1 -> %2").arg(before).arg(after.nll)));
        QCOMPARE(after.sentences, int64_t(40));
        // Routing of the largest (3 experts per layer): fractions per layer sum to 1.
        QVERIFY(after.routing.has_value());
        std::map<std::pair<std::string, int>, double> perLayer;
        for (const auto& r : after.routing->rows)
            perLayer[{r.stack, r.layer}] += r.tokensFraction;
        QVERIFY(!perLayer.empty());
        for (const auto& [k, sum] : perLayer)
            QVERIFY2(std::abs(sum - 1.0) < 1e-6, qPrintable(QString::number(sum)));
    }

    // The sandwich rule trains largest, smallest and n random subnets on the update's batch and averages
    // them: without dropout, the first update's loss is the mean of the losses of the same subnets trained
    // alone (fixed sampling, same seed, same first batch).
    void sandwichAveragesLargestSmallestAndRandom_data() {
        QTest::addColumn<int>("randoms");
        QTest::newRow("n = 0") << 0;
        QTest::newRow("n = 1") << 1;
    }

    void sandwichAveragesLargestSmallestAndRandom() {
        QFETCH(int, randoms);
        auto train = reversalSet(60, 1);
        auto firstLoss = [&](SubnetSampling sampling, const std::optional<Architecture>& fixed) {
            TrainerOptions o = testOptions(sampling);
            o.sandwichRandom = randoms;
            o.fixedArchitecture = fixed;
            torch::manual_seed(4);
            Trainer t(SuperTransformer(smallConfig(0.0)), smallSpace(), train, train, o);
            return t.step();
        };
        const UpdateResult sandwich = firstLoss(SubnetSampling::Sandwich, std::nullopt);
        const SearchSpace space = smallSpace();
        std::vector<double> alone{firstLoss(SubnetSampling::Fixed, space.largest()).loss,
                                  firstLoss(SubnetSampling::Fixed, space.smallest()).loss};
        if (randoms == 0) {
            QCOMPARE(sandwich.arch.key(), space.largest().key()); // the recorded subnet is one it trained
        } else {
            alone.push_back(firstLoss(SubnetSampling::Fixed, sandwich.arch).loss);
        }
        double mean = 0;
        for (double l : alone)
            mean += l / double(alone.size());
        QVERIFY2(std::abs(sandwich.loss - mean) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(sandwich.loss, 0, 'g', 9).arg(mean, 0, 'g', 9)));
    }

    void optionsJsonRoundTrip() {
        TrainerOptions o = testOptions(SubnetSampling::Sandwich);
        o.sandwichRandom = 3;
        o.lr.kind = LrScheduleOptions::Kind::Cosine;
        o.clipNorm = 0.5;
        o.fixedArchitecture = smallSpace().smallest();
        const TrainerOptions back = TrainerOptions::fromJson(o.toJson());
        QCOMPARE(back.toJson().dump(), o.toJson().dump());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TrainerOptions::fromJson({{"sampling", "greedy"}}));
        QCOMPARE(back.sandwichRandom, 3);
        try {
            TrainerOptions::fromJson({{"sampling", "sandwich"}, {"sandwich_random", -1}});
            QFAIL("accepted a negative count");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()), std::string("trainer.sandwich_random: -1 is negative"));
        }
    }
};

AUTOMOE_TEST_MAIN(TestTrain)
#include "tst_train.moc"
