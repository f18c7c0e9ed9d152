// The supernet-standalone gap study (GapStudyRun, `automoe study gap`): the architectures it picks, its
// summary against hand-computed values, a study end to end over a shared and a mos-layer supernet trained
// for a few updates on a generated corpus (every event, numbers consistent with each other and with the
// search's fitness, the stored result equal to the returned one), and clear errors for runs it cannot
// compare.
#include "../support/SmallRun.h"
#include "RunTestSupport.h"
#include "nn/TorchRuntime.h"
#include "run/GapStudyRun.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureEncoding.h"
#include "space/ArchitectureIO.h"
#include "util/RankCorrelation.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <set>

using namespace automoe;
using testsupport::errorOf;
using testsupport::eventsOf;

class TestGapStudy : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string corpus_;
    std::string db_;
    std::unique_ptr<RunStore> store_;
    int64_t shared_ = 0;
    int64_t mos_ = 0;

    int64_t trainSupernet(const nlohmann::json& supernet, int updates, int vocabulary = 60) {
        nlohmann::json j = testsupport::smallSupernetConfigJson(corpus_, updates);
        j["supernet"] = supernet;
        j["vocabulary"]["size"] = vocabulary;
        TrainingRun run(*store_, TrainingRunConfig::fromJson(j));
        if (run.execute() != RunStatus::Finished) return 0;
        return run.id();
    }

    GapStudyConfig studyConfig() const {
        GapStudyConfig c;
        c.runs = {shared_, mos_};
        c.archs = 3;
        c.standaloneUpdates = 4;
        c.finetuneUpdates = 2;
        c.finetuneEvery = 1;
        c.sentences = 10;
        c.seed = 7;
        return c;
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        corpus_ = testsupport::writeSmallCorpus(dir_.path().toStdString());
        db_ = (dir_.path() + "/runs.sqlite").toStdString();
        store_ = std::make_unique<RunStore>(db_);
        shared_ = trainSupernet({{"kind", "shared"}}, 6);
        mos_ = trainSupernet({{"kind", "mos-layer"}, {"sets", 2}}, 6);
        QVERIFY(shared_ > 0 && mos_ > 0);
    }

    // The largest and the smallest first, then spread out; the same for a seed, all different.
    void spreadArchitecturesAreDeterministicAndAnchored() {
        const SearchSpace space = testsupport::smallSpace();
        SupernetDims dims = space.supernet();
        const auto a = spreadArchitectures(space, dims, 6, 11);
        const auto b = spreadArchitectures(space, dims, 6, 11);
        QCOMPARE(a.size(), size_t(6));
        std::set<std::string> keys;
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].key(), b[i].key());
            keys.insert(a[i].key());
        }
        QCOMPARE(keys.size(), a.size());
        QCOMPARE(a[0].key(), space.largest().key());
        QCOMPARE(a[1].key(), space.smallest().key());
        // Farthest-point: the third pick is at least as far from the first two as any other pick is from
        // the ones before it (distances only shrink as more points are picked).
        auto dist = [&](const Architecture& x, const Architecture& y) {
            const auto cx = architectureEncoding(x, dims), cy = architectureEncoding(y, dims);
            double s = 0;
            for (size_t k = 0; k < cx.size(); ++k)
                s += double(cx[k] - cy[k]) * double(cx[k] - cy[k]);
            return s;
        };
        double previous = std::numeric_limits<double>::infinity();
        for (size_t i = 2; i < a.size(); ++i) {
            double nearest = std::numeric_limits<double>::infinity();
            for (size_t j = 0; j < i; ++j)
                nearest = std::min(nearest, dist(a[i], a[j]));
            QVERIFY(nearest > 0);
            QVERIFY2(nearest <= previous + 1e-12, qPrintable(QString::number(i)));
            previous = nearest;
        }
        QVERIFY(spreadArchitectures(space, dims, 0, 1).empty());
    }

    void updatesToReachFindsTheFirstPoint() {
        const std::vector<std::pair<int64_t, double>> curve{{0, 3.0}, {5, 2.5}, {10, 2.5}, {15, 2.0}};
        QCOMPARE(updatesToReach(curve, 2.5).value_or(-1), int64_t(5));
        QCOMPARE(updatesToReach(curve, 3.0).value_or(-1), int64_t(0));
        QCOMPARE(updatesToReach(curve, 2.1).value_or(-1), int64_t(15));
        QVERIFY(!updatesToReach(curve, 1.9));
        QVERIFY(!updatesToReach({}, 10.0));
    }

    // inherited {3, 2, 1, 2.5}, standalone {2, 2.5, 1.5, 2}: gaps 1, -0.5, -0.5, 0.5 (mean |gap| 0.625,
    // mean 0.125). Pairs (inherited, standalone): (0,1) discordant, (0,2) concordant, (0,3) tied in
    // standalone, (1,2) concordant, (1,3) discordant, (2,3) concordant: C = 3, D = 2, n0 = 6, ties n2 = 1,
    // tau-b = (3 - 2) / sqrt(6 * 5) = 0.182574. Fine-tune: arch 0 reaches 2.0 at 20, archs 1 and 2 already
    // at 0, arch 3 never (2.05 > 2): 3 reached, mean (20 + 0 + 0) / 3; after fine-tuning |1.9 - 2|,
    // |2 - 2.5|, |1 - 1.5|, |2.05 - 2| = 1.15 / 4.
    void summaryAgainstHandValues() {
        const std::vector<double> inherited{3.0, 2.0, 1.0, 2.5};
        const std::vector<double> standalone{2.0, 2.5, 1.5, 2.0};
        const std::vector<std::vector<std::pair<int64_t, double>>> curves{
            {{0, 3.0}, {10, 2.2}, {20, 1.9}}, {{0, 2.0}}, {{0, 1.0}}, {{0, 2.5}, {10, 2.1}, {20, 2.05}}};
        const GapStudyRunResult r = summarizeGap(inherited, standalone, curves);
        QVERIFY(std::abs(r.meanAbsGap - 0.625) < 1e-12);
        QVERIFY(std::abs(r.meanGap - 0.125) < 1e-12);
        QVERIFY2(std::abs(r.kendallTau - 1.0 / std::sqrt(30.0)) < 1e-12,
                 qPrintable(QString::number(r.kendallTau)));
        QCOMPARE(r.reached, 3);
        QVERIFY(std::abs(r.meanUpdatesToReach - 20.0 / 3) < 1e-12);
        QVERIFY(std::abs(r.finetunedMeanAbsGap - 1.15 / 4) < 1e-12);
        // None reached: NaN, stored as null.
        const GapStudyRunResult none = summarizeGap({3.0, 4.0}, {1.0, 2.0}, {{{0, 3.0}}, {{0, 4.0}}});
        QCOMPARE(none.reached, 0);
        QVERIFY(std::isnan(none.meanUpdatesToReach));
        QVERIFY(none.toJson()["mean_updates_to_reach"].is_null());
        QCOMPARE(none.kendallTau, 1.0);
        QCOMPARE(errorOf([] {
                     summarizeGap({1.0}, {1.0, 2.0}, {{}, {}});
                 }),
                 QString("summarizeGap: one value per architecture is needed in each series"));
    }

    void configRoundTripsAndNamesBadFields() {
        GapStudyConfig c = studyConfig();
        c.name = "gap";
        c.finetuneLr = 1e-3;
        c.maxTokens = 300;
        const GapStudyConfig back = GapStudyConfig::fromJson(c.toJson());
        QCOMPARE(back.toJson(), c.toJson());
        QCOMPARE(back.runs, c.runs);
        QCOMPARE(back.archs, 3);
        const QString e = errorOf([] { GapStudyConfig::fromJson({{"archs", "many"}}); });
        QVERIFY2(e.contains("study.archs"), qPrintable(e));
    }

    // Two supernets, three architectures: one setup, one standalone per architecture, one inherited per
    // architecture and run, one result; the numbers agree with each other and with the search's fitness.
    void studyEndToEnd() {
        GapStudyRun study(*store_, studyConfig());
        QCOMPARE(study.execute(), RunStatus::Finished);
        QCOMPARE(store_->getRun(study.id())->spec.kind, std::string("study"));

        const auto setup = eventsOf(*store_, study.id(), "study_setup");
        QCOMPARE(setup.size(), size_t(1));
        const auto& archs = setup[0].payload["archs"];
        QCOMPARE(archs.size(), size_t(3));
        const SearchSpace space = testsupport::smallSpace();
        QCOMPARE(archs[0]["arch_key"].get<std::string>(), space.largest().key());
        QCOMPARE(archs[1]["arch_key"].get<std::string>(), space.smallest().key());
        QCOMPARE(setup[0].payload["runs"].size(), size_t(2));
        QCOMPARE(setup[0].payload["runs"][1]["kind"].get<std::string>(), std::string("mos-layer x2"));
        QCOMPARE(setup[0].payload["runs"][0]["updates"].get<int64_t>(), int64_t(6));

        const auto standalone = eventsOf(*store_, study.id(), "study_standalone");
        const auto inherited = eventsOf(*store_, study.id(), "study_inherited");
        QCOMPARE(standalone.size(), size_t(3));
        QCOMPARE(inherited.size(), size_t(6));

        const SupernetSource source = loadSupernet(*store_, shared_);
        SubnetFitness fitness(source.model, source.valid, 10, source.config.trainer.maxTokens);
        std::map<int64_t, std::vector<double>> inh;
        std::vector<double> alone;
        for (const Event& s : standalone) {
            const double nll = s.payload["standalone_nll"].get<double>();
            QVERIFY(std::isfinite(nll) && nll > 0);
            alone.push_back(nll);
        }
        for (const Event& e : inherited) {
            const size_t i = e.payload["index"].get<size_t>();
            const int64_t run = e.payload["run"].get<int64_t>();
            const double nll = e.payload["inherited_nll"].get<double>();
            inh[run].push_back(nll);
            // The standalone loss is trained once and shared by the runs.
            QCOMPARE(e.payload["standalone_nll"].get<double>(), alone[i]);
            const auto& curve = e.payload["finetune"];
            QCOMPARE(curve.size(), size_t(3)); // updates 0, 1, 2
            QCOMPARE(curve[0][1].get<double>(), nll);
            QCOMPARE(curve[2][0].get<int64_t>(), int64_t(2));
            // The inherited loss is the search's fitness of that architecture in that supernet.
            if (run == shared_) {
                const Architecture arch = architectureFromJson(archs[i]["arch"]);
                QCOMPARE(nll, fitness(arch));
            }
        }
        QCOMPARE(inh[shared_].size(), size_t(3));
        QCOMPARE(inh[mos_].size(), size_t(3));
        // The two supernets are different models: some architecture's inherited loss differs.
        QVERIFY(inh[shared_] != inh[mos_]);

        const auto result = eventsOf(*store_, study.id(), "study_result");
        QCOMPARE(result.size(), size_t(1));
        const auto& rows = result[0].payload["runs"];
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(study.results().size(), size_t(2));
        for (size_t r = 0; r < 2; ++r) {
            const int64_t run = rows[r]["run"].get<int64_t>();
            QCOMPARE(run, r == 0 ? shared_ : mos_);
            QCOMPARE(rows[r], study.results()[r].toJson());
            const double tau = kendallTauB(inh[run], alone);
            QVERIFY(std::abs(rows[r]["kendall_tau"].get<double>() - tau) < 1e-12);
            double gap = 0;
            for (size_t i = 0; i < 3; ++i)
                gap += std::abs(inh[run][i] - alone[i]) / 3;
            QVERIFY(std::abs(rows[r]["mean_abs_gap"].get<double>() - gap) < 1e-12);
            QVERIFY(rows[r]["seconds_per_update"].get<double>() > 0);
            QCOMPARE(rows[r]["updates"].get<int64_t>(), int64_t(6));
        }
        QCOMPARE(store_->getRun(study.id())->status, RunStatus::Finished);
    }

    void runsItCannotCompareAreNamed() {
        GapStudyConfig twice = studyConfig();
        twice.runs = {shared_, shared_};
        QCOMPARE(errorOf([&] { GapStudyRun(*store_, twice); }),
                 QString("runs: run %1 is given twice").arg(shared_));
        GapStudyConfig missing = studyConfig();
        missing.runs = {shared_, 999};
        QVERIFY2(errorOf([&] { GapStudyRun(*store_, missing); }).contains("999"),
                 qPrintable(errorOf([&] { GapStudyRun(*store_, missing); })));
        GapStudyConfig few = studyConfig();
        few.archs = 1;
        QCOMPARE(errorOf([&] { GapStudyRun(*store_, few); }), QString("archs: 1 is < 2"));
        // Another vocabulary: the runs tokenize differently, so their losses are not comparable.
        const int64_t other = trainSupernet({{"kind", "shared"}}, 2, 50);
        QVERIFY(other > 0);
        GapStudyConfig mixed = studyConfig();
        mixed.runs = {shared_, other};
        const QString e = errorOf([&] { GapStudyRun(*store_, mixed); });
        QVERIFY2(e.startsWith(QString("run %1 differs from run %2 in its ").arg(other).arg(shared_)) &&
                     e.endsWith("the gap study compares runs of one space and one corpus"),
                 qPrintable(e));
    }

    void runsShowNamesTheSupernetKind() {
        for (const auto& [run, line] :
             {std::pair{shared_, QString("  supernet   shared, sampling random\n")},
              std::pair{mos_, QString("  supernet   mos-layer x2, sampling random\n")}}) {
            QProcess p;
            p.start(AUTOMOE_CLI, {"runs", "show", QString::number(run), "--db", QString::fromStdString(db_)});
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), 0);
            const QString out = QString::fromUtf8(p.readAllStandardOutput());
            QVERIFY2(out.contains(line), qPrintable(out));
        }
    }

    void cliNamesBadRuns() {
        QProcess p;
        p.start(AUTOMOE_CLI, {"study", "gap", "--db", QString::fromStdString(db_), "--runs", "1,x"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(p.exitCode() != 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("--runs: 'x' is not a run id"), qPrintable(err));
    }
};

AUTOMOE_TEST_MAIN(TestGapStudy)
#include "tst_gapstudy.moc"
