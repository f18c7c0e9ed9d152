// `automoe close` (AutoMoE stages 5-7 for a front architecture) with the real CLI on the small fixture: the
// retrain run it creates is linked to the search and the supernet, holds the architecture's measured
// latency and its cost-model FLOPs / active params (stage 5, before stage 6 starts), trains it from scratch
// or from the search's supernet checkpoint, and ends with its test BLEU; its progress lights stages 5-7 with
// the training's "/N"; `runs show` shows all of it; a bad architecture id is named.
#include "../support/SmallRun.h"
#include "nn/TorchRuntime.h"
#include "run/RunProgress.h"
#include "run/SearchExport.h"
#include "run/SearchRun.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureIO.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;

class TestClosePipeline : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<RunStore> store_;
    QString db_;
    int64_t supernet_ = 0;
    int64_t search_ = 0;

    struct Cli {
        int exitCode = -1;
        QString out, err;
    };
    Cli cli(const QStringList& args) {
        store_->flush();
        QProcess p;
        p.start(AUTOMOE_CLI, args);
        Cli r;
        if (!p.waitForFinished(120000)) return r;
        r.exitCode = p.exitCode();
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    int64_t lastRunId() {
        int64_t id = 0;
        for (const RunSummary& r : store_->listRuns())
            id = std::max(id, r.id);
        return id;
    }

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        db_ = dir_.path() + "/runs.sqlite";
        const std::string corpus = testsupport::writeSmallCorpus(dir_.path().toStdString());
        store_ = std::make_unique<RunStore>(db_.toStdString());
        TrainingRunConfig c = TrainingRunConfig::fromJson(testsupport::smallSupernetConfigJson(corpus, 6));
        TrainingRun supernet(*store_, c);
        QCOMPARE(supernet.execute(), RunStatus::Finished);
        supernet_ = supernet.id();
        SearchRunConfig s;
        s.supernetRun = supernet_;
        s.evolution.population = 6;
        s.evolution.parents = 2;
        s.evolution.mutations = 2;
        s.evolution.crossovers = 2;
        s.evolution.iterations = 2;
        s.fitnessSentences = 10;
        SearchRun search(*store_, s);
        QCOMPARE(search.execute(), RunStatus::Finished);
        search_ = search.id();
    }

    void closeStoresCostsTrainingAndBleuUnderOneLinkedRun_data() {
        QTest::addColumn<bool>("inherit");
        QTest::newRow("from scratch") << false;
        QTest::newRow("inherited") << true;
    }

    void closeStoresCostsTrainingAndBleuUnderOneLinkedRun() {
        QFETCH(bool, inherit);
        const nlohmann::json point = searchFront(*store_, search_).back();
        const int64_t archId = point["arch_id"];
        const Architecture arch =
            architectureFromJson(searchArchitecture(*store_, search_, std::to_string(archId)).json);
        QStringList args = {"close",
                            "--run",
                            QString::number(search_),
                            "--arch",
                            QString::number(archId),
                            "--db",
                            db_,
                            "--updates",
                            "3",
                            "--latency-repeats",
                            "2",
                            "--validate-every",
                            "3",
                            "--checkpoint-every",
                            "3",
                            "--test-sentences",
                            "5",
                            "--threads",
                            "1"};
        if (inherit) args << "--inherit";
        const Cli r = cli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("latency") && r.out.contains("test BLEU"), qPrintable(r.out));

        const int64_t id = lastRunId();
        // The first line of stdout names the run (the desktop app reads it).
        const nlohmann::json first = nlohmann::json::parse(r.out.section('\n', 0, 0).toStdString());
        QCOMPARE(first, (nlohmann::json{{"run_id", id}, {"kind", "retrain"}, {"db", db_.toStdString()}}));
        const auto info = store_->getRun(id);
        QCOMPARE(info->spec.kind, std::string("retrain"));
        QCOMPARE(info->status, RunStatus::Finished);
        const TrainingRunConfig c = TrainingRunConfig::fromJson(info->spec.config);
        QCOMPARE(c.searchRun, search_);
        QCOMPARE(c.searchArchId, archId);
        QCOMPARE(c.parentRun, supernet_);
        QVERIFY(c.trainer.fixedArchitecture && *c.trainer.fixedArchitecture == arch);
        const std::string searchCheckpoint =
            SearchRunConfig::fromJson(store_->getRun(search_)->spec.config).checkpoint;
        QCOMPARE(c.inheritCheckpoint, inherit ? searchCheckpoint : std::string());

        bool costs = false, inherited = false, bleu = false;
        for (const Event& e : store_->events(id)) {
            if (e.type == "arch_costs") {
                costs = true;
                QVERIFY(e.payload["encoder_ms"].get<double>() > 0);
                QVERIFY(e.payload["decoder_ms"].get<double>() > 0);
                QCOMPARE(e.payload["repeats"].get<int>(), 2);
                // The cost model's numbers, as the search stored them for this candidate.
                QCOMPARE(e.payload["flops"].get<double>(), point["flops"].get<double>());
                QCOMPARE(e.payload["params_active"].get<int64_t>(), point["params_active"].get<int64_t>());
                QCOMPARE(e.payload["arch_key"].get<std::string>(), arch.key());
            }
            inherited = inherited || e.type == "inherited";
            if (e.type == "test_bleu") {
                bleu = true;
                QCOMPARE(e.payload["subnet"].get<std::string>(), std::string("fixed"));
                QCOMPARE(e.payload["arch_key"].get<std::string>(), arch.key());
                QCOMPARE(e.payload["sentences"].get<int>(), 5);
            }
        }
        QVERIFY(costs && bleu);
        QCOMPARE(inherited, inherit);

        // Stage 5 (costs) ends before stage 6 (retrain) starts.
        std::vector<std::string> stages;
        const std::vector<Event> events = store_->events(id);
        for (const Event& e : events)
            if (e.type == stage::kEventType)
                stages.push_back(e.payload["stage"].get<std::string>() + " " +
                                 e.payload["state"].get<std::string>());
        QCOMPARE(stages, (std::vector<std::string>{"data started", "data finished", "costs started",
                                                   "costs finished", "retrain started", "retrain finished",
                                                   "test started", "test finished"}));
        RunProgress progress;
        progress.setRun(info->spec.kind, info->spec.config);
        for (const Event& e : events)
            progress.apply(e);
        for (PipelineStage s : {PipelineStage::Measure, PipelineStage::Retrain, PipelineStage::Test})
            QCOMPARE(progress.state(s), StageState::Done);
        QCOMPARE(progress.state(PipelineStage::Supernet), StageState::Pending);
        QCOMPARE(progress.unit(), ProgressUnit::Update);
        QCOMPARE(progress.total(), std::int64_t(3));
        QCOMPARE(progress.done(), std::int64_t(3));
        QCOMPARE(store_->trainingSteps(id).size(), size_t(3));

        const Cli show = cli({"runs", "show", QString::number(id), "--db", db_});
        QCOMPARE(show.exitCode, 0);
        QVERIFY2(show.out.contains(QString("search     run %1, architecture %2").arg(search_).arg(archId)),
                 qPrintable(show.out));
        QVERIFY2(show.out.contains("costs      latency") && show.out.contains("test"), qPrintable(show.out));
    }

    void badArchitectureOrRunIsNamed() {
        Cli r = cli(
            {"close", "--run", QString::number(search_), "--arch", "98765", "--db", db_, "--updates", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("automoe: error:") && r.err.contains("98765"), qPrintable(r.err));
        r = cli({"close", "--run", QString::number(supernet_), "--arch", "1", "--db", db_, "--updates", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a search run"), qPrintable(r.err));
    }
};

AUTOMOE_TEST_MAIN(TestClosePipeline)
#include "tst_close_pipeline.moc"
