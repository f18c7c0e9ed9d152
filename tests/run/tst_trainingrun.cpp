// A TrainingRun end to end on a small generated corpus and a small space: what it stores, what observers
// see (the same events replay reads), pause / cancel, exact resume, clear failures, and the real CLI killed
// with SIGKILL mid-run and resumed.
#include "../support/SmallRun.h"
#include "nn/TorchRuntime.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <csignal>
#include <mutex>

using namespace automoe;

namespace {

std::string writeCorpus(const QString& dir, int pairs = 240) {
    return testsupport::writeSmallCorpus(dir.toStdString(), pairs);
}

TrainingRunConfig smallConfig(const std::string& corpus) {
    return TrainingRunConfig::fromJson(testsupport::smallTrainingRunConfigJson(corpus));
}

class Recorder : public RunObserver {
public:
    void onEvent(const Event& e) override {
        std::lock_guard<std::mutex> lock(mutex);
        types.push_back(e.type);
        if (onEach) onEach(e);
    }
    std::mutex mutex;
    std::vector<std::string> types;
    std::function<void(const Event&)> onEach;
};

} // namespace

class TestTrainingRun : public QObject {
    Q_OBJECT
private slots:
    void runStoresEverythingObserversSee() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        TrainingRun run(store, smallConfig(corpus));
        Recorder rec;
        run.addObserver(&rec);
        QCOMPARE(run.execute(), RunStatus::Finished);

        const auto steps = store.trainingSteps(run.id());
        QCOMPARE(steps.size(), size_t(12));
        for (size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].update, int64_t(i + 1));
            QVERIFY(std::isfinite(steps[i].loss) && steps[i].loss > 0);
            QVERIFY(!steps[i].archKey.empty());
        }
        const auto validations = store.validations(run.id());
        QCOMPARE(validations.size(), size_t(6)); // updates 5, 10, 12 x largest, smallest
        QCOMPARE(validations.back().update, int64_t(12));
        const auto checkpoints = store.checkpoints(run.id());
        QCOMPARE(checkpoints.size(), size_t(3));
        QCOMPARE(checkpoints.back().update, int64_t(12));
        QVERIFY(QFile::exists(QString::fromStdString(checkpoints.back().path)));
        QVERIFY(!QFile::exists(QString::fromStdString(checkpoints.front().path))); // keeps 2
        QVERIFY(!store.routingStats(run.id()).empty());
        QCOMPARE(store.getRun(run.id())->status, RunStatus::Finished);

        // Replay reads what observers saw live (run_status events are logged by the store itself).
        std::vector<std::string> stored;
        for (const Event& e : store.events(run.id()))
            stored.push_back(e.type);
        QCOMPARE(stored, rec.types);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
    }

    void resumeContinuesExactly() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        // Uninterrupted reference: 10 updates.
        std::vector<double> reference;
        {
            RunStore store((dir.path() + "/a.sqlite").toStdString());
            TrainingRunConfig c = smallConfig(corpus);
            c.maxUpdates = 10;
            c.checkpointEvery = 3;
            TrainingRun run(store, c);
            QCOMPARE(run.execute(), RunStatus::Finished);
            for (const auto& s : store.trainingSteps(run.id()))
                reference.push_back(s.loss);
        }
        // 7 updates (checkpoints at 3, 6, 7), then resume to 10.
        RunStore store((dir.path() + "/b.sqlite").toStdString());
        TrainingRunConfig c = smallConfig(corpus);
        c.maxUpdates = 7;
        c.checkpointEvery = 3;
        int64_t id = 0;
        {
            TrainingRun run(store, c);
            id = run.id();
            QCOMPARE(run.execute(), RunStatus::Finished);
        }
        auto resumed = TrainingRun::resume(store, id, 10);
        Recorder rec;
        resumed->addObserver(&rec);
        QCOMPARE(resumed->execute(), RunStatus::Finished);
        QVERIFY(std::find(rec.types.begin(), rec.types.end(), "resumed") != rec.types.end());
        const auto steps = store.trainingSteps(id);
        QCOMPARE(steps.size(), reference.size());
        for (size_t i = 0; i < steps.size(); ++i)
            QCOMPARE(steps[i].loss, reference[i]);
    }

    void pauseAndCancelWithinOneUpdate() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        TrainingRunConfig c = smallConfig(corpus);
        c.maxUpdates = 100000;
        TrainingRun run(store, c);
        Recorder rec;
        std::atomic<int64_t> lastUpdate{0};
        rec.onEach = [&](const Event& e) {
            if (e.type == "training_step") lastUpdate = std::get<TrainingStepRow>(e.row).update;
        };
        run.addObserver(&rec);
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate >= 3, 60000);
        run.control().pause();
        QTRY_COMPARE_WITH_TIMEOUT(run.status(), RunStatus::Paused, 30000);
        const int64_t atPause = lastUpdate;
        QTest::qWait(300);
        QCOMPARE(int64_t(lastUpdate), atPause); // nothing trains while paused
        run.control().resume();
        QTRY_VERIFY_WITH_TIMEOUT(lastUpdate > atPause, 30000);
        const int64_t atCancel = lastUpdate;
        run.control().cancel();
        run.wait();
        QCOMPARE(run.status(), RunStatus::Cancelled);
        const int64_t last = lastUpdate;
        QVERIFY2(last <= atCancel + 1, qPrintable(QString("cancel at %1, last %2").arg(atCancel).arg(last)));
        // The cancelled run is resumable: its last update has a checkpoint.
        QCOMPARE(store.lastCheckpoint(run.id())->update, last);
        QCOMPARE(store.getRun(run.id())->status, RunStatus::Cancelled);
    }

    void badCorpusFailsWithTheFileNamed() {
        QTemporaryDir dir;
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        const std::string missing = (dir.path() + "/nope.tsv").toStdString();
        TrainingRun run(store, smallConfig(missing));
        QCOMPARE(run.execute(), RunStatus::Failed);
        QVERIFY2(QString::fromStdString(run.error()).contains(QString::fromStdString(missing)),
                 run.error().c_str());
        QCOMPARE(store.getRun(run.id())->status, RunStatus::Failed);
        bool logged = false;
        for (const Event& e : store.events(run.id()))
            logged = logged || (e.type == "error" &&
                                e.payload.value("message", std::string()).find(missing) != std::string::npos);
        QVERIFY(logged);
    }

    void retrainInheritsWeightsAndData() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        TrainingRunConfig parentConfig = smallConfig(corpus);
        parentConfig.maxUpdates = 6;
        parentConfig.testSentences = 0;
        TrainingRun parent(store, parentConfig);
        QCOMPARE(parent.execute(), RunStatus::Finished);
        double parentSmallest = -1;
        for (const auto& v : store.validations(parent.id()))
            if (v.subnet == "smallest") parentSmallest = v.loss;

        // The smallest subnet alone, from the parent's weights, with a zero learning rate: its first
        // validation is the parent's validation of that subnet.
        TrainingRunConfig c = parentConfig;
        c.kind = "retrain";
        c.parentRun = parent.id();
        c.inheritCheckpoint = store.lastCheckpoint(parent.id())->path;
        c.trainer.sampling = SubnetSampling::Fixed;
        c.trainer.fixedArchitecture = c.space.smallest();
        c.trainer.lr.peak = 0;
        c.trainer.lr.warmupInitLr = 0;
        c.maxUpdates = 1;
        c.validateEvery = 1;
        c.split.seed = 99; // ignored: the parent's split is used
        TrainingRun retrain(store, c);
        Recorder rec;
        retrain.addObserver(&rec);
        QCOMPARE(retrain.execute(), RunStatus::Finished);
        QVERIFY(std::find(rec.types.begin(), rec.types.end(), "inherited") != rec.types.end());
        const auto v = store.validations(retrain.id());
        QCOMPARE(v.size(), size_t(1));
        QCOMPARE(v[0].subnet, std::string("fixed"));
        QCOMPARE(v[0].loss, parentSmallest);
        QCOMPARE(storedSplit(store, retrain.id()).value("indexHash", std::string()),
                 storedSplit(store, parent.id()).value("indexHash", std::string()));
    }

    void configJsonRoundTrip() {
        TrainingRunConfig c = smallConfig("x.tsv");
        c.trainer.sampling = SubnetSampling::Sandwich;
        const TrainingRunConfig back = TrainingRunConfig::fromJson(c.toJson());
        QCOMPARE(back.toJson().dump(), c.toJson().dump());
        nlohmann::json bad = c.toJson();
        bad["max_updates"] = "many";
        try {
            TrainingRunConfig::fromJson(bad);
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("config.max_updates"), e.what());
        }
    }

    // The real CLI, killed with SIGKILL while training: the database is sound, every committed update is
    // there, and --resume continues from the last checkpoint with a continuous curve.
    void sigkillThenResume() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path(), 400);
        const QString spacePath = dir.path() + "/space.json";
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        const QString db = dir.path() + "/runs.sqlite";
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(AUTOMOE_CLI,
                {"train", "--space", spacePath, "--corpus", QString::fromStdString(corpus), "--db", db,
                 "--updates", "100000", "--checkpoint-every", "4", "--validate-every", "4", "--vocab-size",
                 "60", "--max-tokens", "200", "--threads", "1"});
        QVERIFY(p.waitForStarted());
        int64_t committed = 0;
        {
            RunStore watcher(db.toStdString());
            QTRY_VERIFY_WITH_TIMEOUT((committed = int64_t(watcher.trainingSteps(1).size())) >= 10, 120000);
        }
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        RunStore store(db.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        const auto before = store.trainingSteps(1);
        QVERIFY(int64_t(before.size()) >= committed);
        QCOMPARE(store.getRun(1)->status, RunStatus::Running); // it never got to say otherwise
        const int64_t lastBefore = before.back().update;
        const auto ck = store.lastCheckpoint(1);
        QVERIFY(ck.has_value());
        QVERIFY(ck->update <= lastBefore);

        configureTorchThreads(1); // as the killed process: reductions then sum in the same order
        auto resumed = TrainingRun::resume(store, 1, lastBefore + 4);
        QCOMPARE(resumed->execute(), RunStatus::Finished);
        const auto after = store.trainingSteps(1);
        QCOMPARE(int64_t(after.size()), lastBefore + 4);
        for (size_t i = 0; i < after.size(); ++i)
            QCOMPARE(after[i].update, int64_t(i + 1)); // no gap, nothing lost
        // Updates the killed process had committed after its last checkpoint were redone identically.
        for (size_t i = size_t(ck->update); i < before.size(); ++i)
            QCOMPARE(after[i].loss, before[i].loss);
    }
};

AUTOMOE_TEST_MAIN(TestTrainingRun)
#include "tst_trainingrun.moc"
