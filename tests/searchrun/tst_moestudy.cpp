// The MoE-vs-dense study (MoeDenseStudy, `automoe study moe-vs-dense`): its settings and their errors, the
// dense sub-space, JSON round trips, and the study end to end on a generated corpus — cancelled after its
// dense supernet, resumed, and finished with every stage linked once, finished stages reused, and a table
// whose every number is the one its stage run stored.
#include "../support/SmallRun.h"
#include "RunTestSupport.h"
#include "cost/CostModel.h"
#include "nn/TorchRuntime.h"
#include "run/MoeDenseStudy.h"
#include "run/RunObserver.h"
#include "space/ArchitectureIO.h"

#include "TestMain.h"
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <map>
#include <set>

using namespace automoe;
using testsupport::errorOf;
using testsupport::eventsOf;

namespace {

// Cancels the study once its stage `stage` has finished.
class CancelAfterStage : public RunObserver {
public:
    CancelAfterStage(std::string stage)
        : stage_(std::move(stage)) {}
    RunBase* run = nullptr;
    void onEvent(const Event& e) override {
        if (e.type == "moe_study_stage" && e.payload.value("stage", "") == stage_ &&
            e.payload.value("state", "") == "finished")
            run->control().cancel();
    }

private:
    std::string stage_;
};

} // namespace

class TestMoeStudy : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string corpus_;

    MoeDenseStudyConfig smallConfig() const {
        MoeDenseStudyConfig c;
        nlohmann::json t = testsupport::smallTrainingRunConfigJson(corpus_);
        t["validate_every"] = 3;
        t["checkpoint_every"] = 2;
        t["routing_every"] = 0;
        c.training = TrainingRunConfig::fromJson(t);
        c.updates = 3;
        c.budgets = {0.5};
        c.evolution.population = 3;
        c.evolution.parents = 2;
        c.evolution.mutations = 1;
        c.evolution.crossovers = 1;
        c.evolution.iterations = 2;
        c.fitnessSentences = 10;
        c.latencyRepeats = 1;
        c.testSentences = 5;
        return c;
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        corpus_ = testsupport::writeSmallCorpus(dir_.path().toStdString());
    }

    void denseSubspaceHasOneExpertPerLayer() {
        const SearchSpace full = testsupport::smallSpace();
        const SearchSpace dense = denseSubspace(full);
        for (Stack s : {Stack::Encoder, Stack::Decoder}) {
            QCOMPARE(dense.stack(s).experts.choices, std::vector<int>{1});
            QCOMPARE(dense.stack(s).topK.choices, std::vector<int>{1});
            QCOMPARE(dense.stack(s).embedDim, full.stack(s).embedDim);
            QCOMPARE(dense.stack(s).layers, full.stack(s).layers);
            QCOMPARE(dense.stack(s).ffnDim, full.stack(s).ffnDim);
        }
        std::string why;
        QVERIFY2(full.containsSpace(dense, &why), why.c_str());
        // Its largest: every layer one expert of the widest FFN, the deepest stacks.
        const Architecture big = dense.largest();
        QCOMPARE(big.encoder.depth(), 3);
        QCOMPARE(big.decoder.depth(), 2);
        for (const StackGene* g : {&big.encoder, &big.decoder})
            for (const LayerGene& l : g->layers)
                QCOMPARE(l.expertWidths, std::vector<int>{24});
    }

    void badSettingsNameTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("no budget") << "none"
                                   << "minutes: a training budget is needed (minutes or updates per stage)";
        QTest::newRow("zero budget") << "zero"
                                     << "budgets[0]: 0 is not a fraction in (0, 1] of the baseline's FLOPs";
        QTest::newRow("above one") << "above"
                                   << "budgets[1]: 1.5 is not a fraction in (0, 1] of the baseline's FLOPs";
        QTest::newRow("twice") << "twice"
                               << "budgets[1]: 0.5 is given twice";
        QTest::newRow("repeats") << "repeats"
                                 << "latency_repeats: 0 is < 1";
    }
    void badSettingsNameTheField() {
        QFETCH(QString, field);
        QFETCH(QString, message);
        MoeDenseStudyConfig c = smallConfig();
        if (field == "none") c.updates = 0;
        if (field == "zero") c.budgets = {0.0};
        if (field == "above") c.budgets = {0.5, 1.5};
        if (field == "twice") c.budgets = {0.5, 0.5};
        if (field == "repeats") c.latencyRepeats = 0;
        QCOMPARE(errorOf([&] { c.validate(); }), message);
    }

    void baselineOutsideTheSpaceIsRefused() {
        MoeDenseStudyConfig c = smallConfig();
        Architecture a = c.training.space.largest();
        a.encoder.embedDim = 20;
        c.baseline = a;
        const QString e = errorOf([&] { c.validate(); });
        QVERIFY2(e.startsWith("baseline: ") && e.contains("is not in space nn-test"), qPrintable(e));
    }

    void configAndRowRoundTrip() {
        MoeDenseStudyConfig c = smallConfig();
        c.baseline = denseSubspace(c.training.space).smallest();
        const MoeDenseStudyConfig back = MoeDenseStudyConfig::fromJson(c.toJson());
        QCOMPARE(back.toJson().dump(), c.toJson().dump());
        QCOMPARE(back.baseline->key(), c.baseline->key());

        MoeDenseStudyRow r;
        r.method = "moe";
        r.budget = 0.75;
        r.run = 4;
        r.flops = 1.5e6;
        r.paramsTotal = 1234;
        r.bleu = 3.25;
        const MoeDenseStudyRow rb = MoeDenseStudyRow::fromJson(r.toJson());
        QCOMPARE(rb.toJson().dump(), r.toJson().dump());
        nlohmann::json bad = r.toJson();
        bad["method"] = "sparse";
        QCOMPARE(errorOf([&] { MoeDenseStudyRow::fromJson(bad); }),
                 QString("moe_study_row.method: expected baseline, dense or moe, got 'sparse'"));
        bad = r.toJson();
        bad["bleu"] = "high";
        QVERIFY(errorOf([&] { MoeDenseStudyRow::fromJson(bad); }).contains("moe_study_row.bleu"));
    }

    // The whole study on a generated corpus, cancelled after its dense supernet and resumed.
    void endToEndCancelledThenResumed() {
        RunStore store((dir_.path() + "/study.sqlite").toStdString());
        int64_t id = 0;
        std::map<std::string, int64_t> before;
        {
            MoeDenseStudy study(store, smallConfig());
            id = study.id();
            CancelAfterStage cancel("dense_supernet");
            cancel.run = &study;
            study.addObserver(&cancel);
            const RunStatus status = study.execute();
            QVERIFY2(status == RunStatus::Cancelled, study.error().c_str());
            store.flush();
            for (const Event& e : eventsOf(store, id, "moe_study_stage"))
                before[e.payload.value("stage", "")] = e.payload.value("run", int64_t(0));
            // The baseline and the dense supernet finished; the MoE supernet was cancelled as it began.
            QVERIFY(before.count("baseline") && before.count("dense_supernet"));
            QCOMPARE(store.requireRun(before["baseline"]).status, RunStatus::Finished);
            QCOMPARE(store.requireRun(before["dense_supernet"]).status, RunStatus::Finished);
            QVERIFY(eventsOf(store, id, "moe_study_row").empty());
        }
        QVERIFY(
            errorOf([&] {
                MoeDenseStudy::resume(store, before["baseline"]);
            }).startsWith(QString("run %1 is a retrain run, not a MoE study run").arg(before["baseline"])));

        auto study = MoeDenseStudy::resume(store, id);
        const RunStatus status = study->execute();
        QVERIFY2(status == RunStatus::Finished, study->error().c_str());
        store.flush();
        QCOMPARE(store.requireRun(id).status, RunStatus::Finished);
        QVERIFY(
            errorOf([&] { MoeDenseStudy::resume(store, id); }).contains("is finished: nothing to resume"));

        // Every stage linked, started and finished, each its own run; the stages done before are reused.
        const std::vector<std::string> names = MoeDenseStudy::stageNames({0.5});
        QCOMPARE(names,
                 (std::vector<std::string>{"baseline", "dense_supernet", "moe_supernet", "dense_search@0.5",
                                           "moe_search@0.5", "dense_retrain@0.5", "moe_retrain@0.5"}));
        std::map<std::string, int64_t> runs;
        std::map<std::string, int> finishedCount;
        for (const Event& e : eventsOf(store, id, "moe_study_stage")) {
            const std::string stage = e.payload.value("stage", "");
            const int64_t run = e.payload.value("run", int64_t(0));
            if (runs.count(stage)) QCOMPARE(runs[stage], run); // one run per stage, even across the resume
            runs[stage] = run;
            if (e.payload.value("state", "") == "finished") ++finishedCount[stage];
        }
        QCOMPARE(runs.size(), names.size());
        std::set<int64_t> distinct;
        for (const std::string& n : names) {
            QCOMPARE(finishedCount[n], 1);
            QCOMPARE(store.requireRun(runs[n]).status, RunStatus::Finished);
            distinct.insert(runs[n]);
        }
        QCOMPARE(distinct.size(), names.size());
        QCOMPARE(runs["baseline"], before["baseline"]);
        QCOMPARE(runs["dense_supernet"], before["dense_supernet"]);
        QCOMPARE(store.requireRun(runs["dense_search@0.5"]).spec.kind, std::string("search"));
        // Nothing else was created: the study and its seven stage runs.
        QCOMPARE(store.listRuns().size(), names.size() + 1);

        // The table: the baseline, then the dense and the MoE search's best at half its FLOPs.
        const auto& rows = study->rows();
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0].method, std::string("baseline"));
        QCOMPARE(rows[1].method, std::string("dense"));
        QCOMPARE(rows[2].method, std::string("moe"));
        const Architecture baseline = denseSubspace(smallConfig().training.space).largest();
        QCOMPARE(rows[0].archKey, baseline.key());
        QCOMPARE(rows[0].flops, CostModel::evaluate(baseline).flopsHat);
        const int64_t baselineUpdates = store.trainingSteps(runs["baseline"]).back().update;
        QCOMPARE(baselineUpdates, int64_t(3));
        for (const MoeDenseStudyRow& r : rows) {
            QCOMPARE(r.updates, baselineUpdates); // the same updates for every row
            const Architecture arch = architectureFromJson(r.arch);
            const ArchitectureCost cost = CostModel::evaluate(arch);
            QCOMPARE(r.flops, cost.flopsHat);
            QCOMPARE(r.paramsActive, cost.paramsActive);
            QCOMPARE(r.paramsTotal, cost.paramsHat);
            if (r.budget) QVERIFY(r.flops <= *r.budget * rows[0].flops);
            if (r.method != "moe")
                for (const StackGene* g : {&arch.encoder, &arch.decoder})
                    for (const LayerGene& l : g->layers)
                        QCOMPARE(l.experts(), 1);
            // The numbers are the ones its run stored.
            const auto test = eventsOf(store, r.run, "test_bleu");
            QCOMPARE(test.size(), size_t(1));
            QCOMPARE(r.bleu, test[0].payload.value("bleu", -1.0));
            QCOMPARE(r.chrf, test[0].payload.value("chrf", -1.0));
            const auto costs = eventsOf(store, r.run, "arch_costs");
            QCOMPARE(costs.size(), size_t(1));
            QCOMPARE(r.latencyMs, costs[0].payload.value("latency_ms", -1.0));
            QVERIFY(r.latencyMs > 0);
            QCOMPARE(r.validNll, store.validations(r.run).back().loss);
            if (r.method != "baseline") {
                // The search's fittest candidate, retrained from scratch under that search's link.
                double best = 1e9;
                for (const CandidateRow& c : store.candidates(r.searchRun))
                    best = std::min(best, c.fitness);
                QCOMPARE(r.searchFitness, best);
                const TrainingRunConfig rc = TrainingRunConfig::ofRun(store, r.run);
                QCOMPARE(rc.searchRun, r.searchRun);
                QCOMPARE(rc.parentRun, r.supernetRun);
                QVERIFY(rc.inheritCheckpoint.empty());
                QCOMPARE(r.supernetRun, runs[r.method == "dense" ? "dense_supernet" : "moe_supernet"]);
            }
        }
        // One row event per row, and the result holds the same table.
        QCOMPARE(eventsOf(store, id, "moe_study_row").size(), size_t(3));
        const auto result = eventsOf(store, id, "moe_study_result");
        QCOMPARE(result.size(), size_t(1));
        QCOMPARE(result[0].payload["rows"].size(), size_t(3));
        QCOMPARE(result[0].payload["rows"][2].dump(), rows[2].toJson().dump());
        QCOMPARE(result[0].payload.value("retrain_updates", int64_t(0)), baselineUpdates);
    }

    // `automoe train` shows the core's defaults, which the study's runs use: they once differed (the core
    // had a peak learning rate of 5e-4 after 1000 warm-up updates, the CLI 1e-3 after 400).
    void trainDefaultsAreTheCores() {
        QProcess p;
        p.start(AUTOMOE_CLI, {"train", "--help"});
        QVERIFY(p.waitForFinished(60000));
        const QString help = QString::fromUtf8(p.readAllStandardOutput());
        auto shown = [&](const QString& option) {
            // "--lr FLOAT:POSITIVE=0.001", "--vocab-size INT:INT in [8 - 1048576]=8000": the type and check,
            // then the default.
            const QRegularExpression re(QRegularExpression::escape(option) + " [A-Z][^=\\n]*=([0-9.e+-]+)");
            const auto m = re.match(help);
            return m.hasMatch() ? m.captured(1).toDouble() : -1.0;
        };
        const TrainingRunConfig core;
        QCOMPARE(shown("--lr"), core.trainer.lr.peak);
        QCOMPARE(shown("--warmup"), double(core.trainer.lr.warmupUpdates));
        QCOMPARE(shown("--max-tokens"), double(core.trainer.maxTokens));
        QCOMPARE(shown("--vocab-size"), double(core.vocabulary.size));
        QCOMPARE(shown("--dropout"), core.dropout);
        QCOMPARE(shown("--balance-weight"), core.trainer.balanceLossWeight);
        QCOMPARE(shown("--routing-every"), double(core.routingEvery));
        QVERIFY(help.contains("--schedule TEXT=" + QString(toString(core.trainer.lr.kind))));
    }

    // The CLI refuses bad budgets with the option's name, before it creates anything.
    void cliRefusesBadBudgets() {
        const QString db = dir_.path() + "/cli.sqlite";
        QProcess p;
        p.start(AUTOMOE_CLI, {"study", "moe-vs-dense", "--corpus", "sample", "--updates", "2", "--budgets",
                              "0.5,x", "--db", db});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(p.exitCode() != 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("--budgets: 'x' is not a fraction of the baseline's FLOPs"), qPrintable(err));
        p.start(AUTOMOE_CLI, {"study", "moe-vs-dense", "--corpus", "sample", "--updates", "2", "--budgets",
                              "0.5,2", "--db", db});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY(p.exitCode() != 0);
        const QString err2 = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err2.contains("budgets[1]: 2 is not a fraction in (0, 1]"), qPrintable(err2));
        RunStore store(db.toStdString());
        QCOMPARE(store.listRuns().size(), size_t(0));
    }
};

AUTOMOE_TEST_MAIN(TestMoeStudy)
#include "tst_moestudy.moc"
