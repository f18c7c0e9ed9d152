// A TrainingRun end to end on a small generated corpus and a small space: what it stores, what observers
// see (the same events, at the same times, that replay reads, and the same progress), pause / cancel, a
// minutes budget that pausing does not spend, exact resume, clear failures, and the real CLI killed with
// SIGKILL mid-run: read beside it, listed as interrupted, and resumed.
#include "../support/SmallRun.h"
#include "eval/RoutingHealth.h"
#include "nn/TorchRuntime.h"
#include "run/RunProgress.h"
#include "run/TrainingRun.h"
#include "space/SpaceIO.h"
#include "store/Database.h"
#include "store/EventRows.h"
#include "store/RunLock.h"
#include "store/RunReader.h"
#include "store/Schema.h"
#include "store/StoreError.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <csignal>
#include <fstream>
#include <mutex>

using namespace automoe;

namespace {

std::string writeCorpus(const QString& dir, int pairs = 240) {
    testsupport::SmallCorpusOptions options;
    options.pairs = pairs;
    return testsupport::writeSmallCorpus(dir.toStdString(), options);
}

TrainingRunConfig smallConfig(const std::string& corpus) {
    return TrainingRunConfig::fromJson(testsupport::smallTrainingRunConfigJson(corpus));
}

class Recorder : public RunObserver {
public:
    void onEvent(const Event& e) override {
        std::lock_guard<std::mutex> lock(mutex);
        types.push_back(e.type);
        events.push_back(e);
        if (onEach) onEach(e);
    }
    std::mutex mutex;
    std::vector<std::string> types;
    std::vector<Event> events;
    std::function<void(const Event&)> onEach;
};

RunProgress progressOf(const std::vector<Event>& events, const RunInfo& run) {
    RunProgress p;
    p.setRun(run.spec.kind, run.spec.config);
    for (const Event& e : events)
        p.apply(e);
    return p;
}

// `automoe ARGS`: exit code and stdout (and stderr into `err`).
std::pair<int, QString> cli(const QStringList& args, QString* err = nullptr) {
    QProcess p;
    p.start(AUTOMOE_CLI, args);
    if (!p.waitForFinished(120000)) return {-1, {}};
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
}

std::vector<nlohmann::json> eventsOfType(const std::vector<Event>& events, const std::string& type) {
    std::vector<nlohmann::json> out;
    for (const Event& e : events)
        if (e.type == type) out.push_back(e.payload);
    return out;
}

RunReader::Options lockOnly() {
    RunReader::Options o;
    o.staleAfterMs = 0; // a run whose lock is free counts as interrupted at once
    return o;
}

} // namespace

class TestTrainingRun : public QObject {
    Q_OBJECT
private slots:
    void runStoresEverythingObserversSee() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        Recorder rec; // before the run: it outlives the run's worker if the test returns early
        TrainingRun run(store, smallConfig(corpus));
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

        // Replay reads what observers saw live (run_status events are logged by the store itself), stamped
        // with the same times.
        std::vector<std::string> stored;
        const std::vector<Event> storedEvents = store.events(run.id());
        for (const Event& e : storedEvents)
            stored.push_back(e.type);
        QCOMPARE(stored, rec.types);
        for (size_t i = 0; i < storedEvents.size(); ++i)
            QCOMPARE(rec.events[i].timeMs, storedEvents[i].timeMs);
        QCOMPARE(store.integrityCheck(), std::string("ok"));

        // The stages in order, and one progress from live and from stored events.
        std::vector<std::string> stages;
        for (const Event& e : storedEvents)
            if (e.type == "stage")
                stages.push_back(e.payload["stage"].get<std::string>() + " " +
                                 e.payload["state"].get<std::string>());
        QCOMPARE(stages, (std::vector<std::string>{"data started", "data finished", "supernet started",
                                                   "supernet finished", "test started", "test finished"}));
        const RunInfo info = *store.getRun(run.id());
        const RunProgress live = progressOf(rec.events, info), replay = progressOf(storedEvents, info);
        for (const RunProgress* p : {&live, &replay}) {
            QCOMPARE(p->status(), RunStatus::Finished);
            QCOMPARE(p->state(PipelineStage::Supernet), StageState::Done);
            QCOMPARE(p->state(PipelineStage::Test), StageState::Done);
            QCOMPARE(p->state(PipelineStage::Search), StageState::Pending);
            QCOMPARE(p->done(), std::int64_t(12));
            QCOMPARE(p->total(), std::int64_t(12));
            QCOMPARE(p->fraction(p->lastEventMs()), 1.0);
        }
        QCOMPARE(live.elapsedSeconds(live.lastEventMs()), replay.elapsedSeconds(replay.lastEventMs()));
    }

    // Every routing snapshot is followed by a "routing_health" event of the same update (issue 14) whose
    // numbers are routingHealth() of that snapshot, live and as the store gives them back.
    void routingHealthFollowsEachRoutingSnapshot() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        RunStore store((dir.path() + "/runs.sqlite").toStdString());
        TrainingRunConfig c = smallConfig(corpus);
        c.maxUpdates = 4;
        c.validateEvery = 2;
        c.routingEvery = 2;
        c.checkpointEvery = 4;
        c.testSentences = 0;
        Recorder rec; // before the run: it outlives the run's worker if the test returns early
        TrainingRun run(store, c);
        run.addObserver(&rec);
        QCOMPARE(run.execute(), RunStatus::Finished);

        const std::vector<Event> stored = store.events(run.id());
        QCOMPARE(stored.size(), rec.events.size());
        std::vector<std::int64_t> updates;
        for (std::size_t i = 0; i < stored.size(); ++i) {
            if (stored[i].type != "routing") continue;
            QVERIFY(i + 1 < stored.size());
            const Event& next = stored[i + 1];
            QCOMPARE(next.type, std::string("routing_health"));
            QCOMPARE(rec.events[i + 1].payload, next.payload); // live = stored
            const RoutingSnapshot snapshot = routingFromJson(stored[i].payload);
            const RoutingHealth health = routingHealthFromJson(next.payload);
            const RoutingHealth expected = routingHealth(snapshot, "largest");
            QCOMPARE(health.update, snapshot.update);
            QCOMPARE(health.subnet, std::string("largest"));
            // The small space's largest subnet: 3 encoder and 2 decoder layers of 3 experts each.
            QCOMPARE(health.layers.size(), std::size_t(5));
            for (std::size_t l = 0; l < health.layers.size(); ++l) {
                const LayerRoutingHealth &a = health.layers[l], &b = expected.layers[l];
                QCOMPARE(a.stack, b.stack);
                QCOMPARE(a.layer, b.layer);
                QCOMPARE(a.experts, 3);
                QCOMPARE(a.entropy, b.entropy);
                QCOMPARE(a.normalizedEntropy, b.normalizedEntropy);
                QCOMPARE(a.busiestExpert, b.busiestExpert);
                QCOMPARE(a.busiestShare, b.busiestShare);
                QVERIFY(a.busiestShare >= 1.0 / 3 - 1e-12 && a.busiestShare <= 1.0);
            }
            updates.push_back(health.update);
        }
        QCOMPARE(updates, (std::vector<std::int64_t>{2, 4}));

        // `automoe runs show` prints the last one, a line per layer.
        store.flush();
        const auto [code, text] =
            cli({"runs", "show", QString::number(run.id()), "--db", dir.path() + "/runs.sqlite"});
        QCOMPARE(code, 0);
        QVERIFY2(text.contains("routing    update 4, largest subnet"), qPrintable(text));
        const RoutingHealth last = routingHealthFromJson(eventsOfType(stored, "routing_health").back());
        const LayerRoutingHealth& dec2 = last.layers.back();
        const QString line = QString("dec 2  H %1  expert %2 of 3 takes %3 %")
                                 .arg(dec2.normalizedEntropy, 0, 'f', 2)
                                 .arg(dec2.busiestExpert + 1)
                                 .arg(100.0 * dec2.busiestShare, 5, 'f', 1);
        QVERIFY2(text.contains(line), qPrintable(text + "\nexpected: " + line));
        QCOMPARE(text.count(QRegularExpression(" (enc|dec) \\d  H ")), 5);
    }

    // `automoe eval` decodes incrementally; --full-prefix re-runs the decoder over the whole prefix and must
    // give the same translations (and so the same BLEU), each stored with the decoding it used.
    void evalFullPrefixTranslatesTheSame() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        const QString db = dir.path() + "/runs.sqlite";
        int64_t id = 0;
        {
            RunStore store(db.toStdString());
            TrainingRun run(store, smallConfig(corpus));
            QCOMPARE(run.execute(), RunStatus::Finished);
            id = run.id();
        }
        QStringList hyps;
        for (const QString& way : {QString("incremental"), QString("full-prefix")}) {
            const QString out = dir.path() + "/" + way + ".txt";
            QStringList args{"eval",   "--run", QString::number(id), "--db", db,          "--split", "test",
                             "--beam", "2",     "--hyp-out",         out,    "--threads", "1"};
            if (way == "full-prefix") args << "--full-prefix";
            QString err;
            const auto [code, text] = cli(args, &err);
            QVERIFY2(code == 0, qPrintable(err));
            QVERIFY2(text.contains(way + " decoding"), qPrintable(text));
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            hyps << QString::fromUtf8(f.readAll());
        }
        QVERIFY(hyps[0].count('\n') > 5);
        QCOMPARE(hyps[1], hyps[0]);
        RunReader reader(db.toStdString());
        QStringList decodings;
        for (const Event& e : reader.events(id))
            if (e.type == "evaluation") decodings << QString::fromStdString(e.payload.value("decoding", ""));
        QCOMPARE(decodings, (QStringList{"incremental", "full-prefix"}));
    }

    // Paused time does not count against a minutes budget (it did: a run paused past its budget stopped
    // after the update it was paused at). A paused live run is not interrupted, however old its heartbeat:
    // its process holds the run's lock.
    void pausingDoesNotSpendTheMinutesBudget() {
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path());
        const std::string db = (dir.path() + "/runs.sqlite").toStdString();
        RunStore store(db);
        TrainingRunConfig c = smallConfig(corpus);
        c.maxUpdates = 0;
        c.maxMinutes = 0.05; // 3 s of training
        c.testSentences = 0;
        Recorder rec; // before the run: it outlives the run's worker if the test returns early
        TrainingRun run(store, c);
        rec.onEach = [&](const Event& e) { // on the worker: paused right after update 1
            if (e.type == "training_step" && std::get<TrainingStepRow>(e.row).update == 1)
                run.control().pause();
        };
        run.addObserver(&rec);
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(run.status(), RunStatus::Paused, 120000);
        RunReader reader(db, lockOnly());
        // The store's writer commits the status within its interval (100 ms; longer under a sanitizer).
        QTRY_COMPARE_WITH_TIMEOUT(reader.getRun(run.id())->status, RunStatus::Paused, 10000);
        QTest::qWait(3500); // longer than the whole budget
        run.control().resume();
        run.wait();
        QCOMPARE(run.status(), RunStatus::Finished);
        const auto steps = store.trainingSteps(run.id());
        QVERIFY2(steps.size() > 1, qPrintable(QString("%1 updates").arg(steps.size())));

        // The stored events tell the same: the stage's active time leaves the pause out.
        const std::vector<Event> events = store.events(run.id());
        std::int64_t stageStart = 0, stageEnd = 0, pausedAt = 0, resumedAt = 0;
        for (const Event& e : events) {
            if (e.type == "stage" && e.payload["stage"] == "supernet")
                (e.payload["state"] == "started" ? stageStart : stageEnd) = e.timeMs;
            if (e.type == "run_status" && e.payload["status"] == "paused") pausedAt = e.timeMs;
            if (e.type == "run_status" && e.payload["status"] == "running" && pausedAt > 0)
                resumedAt = e.timeMs;
        }
        QVERIFY(stageStart > 0 && stageEnd > stageStart && resumedAt - pausedAt >= 3500);
        const RunProgress progress = progressOf(events, *store.getRun(run.id()));
        QCOMPARE(progress.elapsedSeconds(progress.lastEventMs()),
                 double(stageEnd - stageStart - (resumedAt - pausedAt)) / 1000.0);
        QCOMPARE(reader.getRun(run.id())->status, RunStatus::Finished);
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
        Recorder rec; // before the run: it outlives the run's worker if the test returns early
        TrainingRun run(store, c);
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

    // The CLI's database commands: an older database is read only after `runs migrate`, which keeps its
    // runs; `runs check` reads the whole file and fails naming the damage.
    void runsMigrateAndCheck() {
        QTemporaryDir dir;
        const QString db = dir.path() + "/old.sqlite";
        {
            Database raw(db.toStdString(), Database::Mode::ReadWrite);
            raw.exec(Schema::migrations().front().sql);
            raw.exec("INSERT INTO runs(id, name, kind, status, created) VALUES (4, 'old', 'supernet', "
                     "'finished', 1234); PRAGMA user_version = 1;");
        }
        QString err;
        QCOMPARE(cli({"runs", "list", "--db", db}, &err).first, 1);
        QVERIFY2(err.contains(db + ": has schema version 1") &&
                     err.contains("automoe runs migrate --db " + db),
                 qPrintable(err));
        QCOMPARE(cli({"runs", "migrate", "--db", db}), std::make_pair(0, db + ": schema version 2\n"));
        const auto [listCode, list] = cli({"runs", "list", "--json", "--db", db});
        QCOMPARE(listCode, 0);
        QCOMPARE(nlohmann::json::parse(list.toStdString())[0]["name"], nlohmann::json("old"));
        QCOMPARE(cli({"runs", "migrate", "--db", dir.path() + "/none.sqlite"}, &err).first, 1);
        QVERIFY2(err.contains("none.sqlite: does not exist"), qPrintable(err));
        QVERIFY(!QFile::exists(dir.path() + "/none.sqlite"));

        {
            RunStore store(db.toStdString());
            for (int i = 0; i < 2000; ++i)
                store.append(Event::make(4, "tick", {{"i", i}, {"pad", std::string(100, 'x')}}));
        }
        {
            Database raw(db.toStdString(), Database::Mode::ReadWrite);
            raw.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
        }
        {
            std::fstream io(db.toStdString(), std::ios::binary | std::ios::in | std::ios::out);
            io.seekp(std::streamoff(4096 * 3));
            for (int i = 0; i < 4096 * 8; ++i)
                io.put(char(0xA5));
        }
        QCOMPARE(cli({"runs", "check", "--db", db}, &err).first, 1);
        QVERIFY2(err.startsWith("automoe: error: " + db + " is damaged (PRAGMA integrity_check):\n"),
                 qPrintable(err));
    }

    // The real CLI, killed with SIGKILL while training: the database is sound, every committed update is
    // there, and --resume continues from the last checkpoint with a continuous curve.
    void sigkillThenResume_data() {
        QTest::addColumn<QStringList>("supernet");
        QTest::newRow("shared") << QStringList{};
        // A Mixture-of-Supernets run: its weight sets and routers come back from the checkpoint, and the
        // stored kind makes the resumed run build the same supernet.
        QTest::newRow("mos-neuron") << QStringList{"--supernet", "mos-neuron", "--mos-experts", "2"};
    }

    void sigkillThenResume() {
        QFETCH(QStringList, supernet);
        QTemporaryDir dir;
        const std::string corpus = writeCorpus(dir.path(), 400);
        const QString spacePath = dir.path() + "/space.json";
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        const QString db = dir.path() + "/runs.sqlite";
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(AUTOMOE_CLI,
                QStringList{"train", "--space", spacePath, "--corpus", QString::fromStdString(corpus), "--db",
                            db, "--updates", "100000", "--checkpoint-every", "4", "--validate-every", "4",
                            "--vocab-size", "60", "--max-tokens", "200", "--threads", "1"} +
                    supernet);
        QVERIFY(p.waitForStarted());
        // The first line of stdout says which run it is, for the desktop app.
        QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine(), 60000);
        const QByteArray line = p.readLine();
        QVERIFY2(line.startsWith("{\"run_id\":1,\"kind\":\"supernet\",\"db\":"), line.constData());
        const nlohmann::json first = nlohmann::json::parse(line.toStdString());
        QCOMPARE(first, (nlohmann::json{{"run_id", 1}, {"kind", "supernet"}, {"db", db.toStdString()}}));
        int64_t committed = 0;
        {
            // A read-only reader beside the writing process (it neither blocks nor writes: tst_runstore).
            std::unique_ptr<RunReader> watcher;
            auto tenUpdates = [&] {
                try {
                    if (!watcher) watcher = std::make_unique<RunReader>(db.toStdString(), lockOnly());
                    return (committed = int64_t(watcher->trainingSteps(1).size())) >= 10;
                } catch (const StoreError&) {
                    return false; // not created (or not migrated) yet
                }
            };
            QTRY_VERIFY_WITH_TIMEOUT(tenUpdates(), 120000);
            QCOMPARE(watcher->getRun(1)->status, RunStatus::Running); // its process holds the lock
        }
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        RunStore store(db.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        const auto before = store.trainingSteps(1);
        QVERIFY(int64_t(before.size()) >= committed);
        QCOMPARE(store.getRun(1)->status, RunStatus::Running); // it never got to say otherwise

        // Its process is gone: the lock is free at once, and once its heartbeat is stale too the run is
        // listed as interrupted, with the command that resumes it.
        QVERIFY(!RunLock::isHeld(db.toStdString(), 1));
        QCOMPARE(RunReader(db.toStdString(), lockOnly()).getRun(1)->status, RunStatus::Interrupted);
        auto listedInterrupted = [&] {
            const auto [code, out] = cli({"runs", "list", "--json", "--db", db});
            return code == 0 && nlohmann::json::parse(out.toStdString())[0]["status"] == "interrupted";
        };
        QTRY_VERIFY_WITH_TIMEOUT(listedInterrupted(), 60000);
        const auto [listCode, list] = cli({"runs", "list", "--db", db});
        QCOMPARE(listCode, 0);
        QVERIFY2(list.contains(QRegularExpression("\\n\\s+1  supernet    interrupted  ")), qPrintable(list));
        const auto [showCode, show] = cli({"runs", "show", "1", "--db", db});
        QCOMPARE(showCode, 0);
        QVERIFY2(show.contains("  status     interrupted\n") &&
                     show.contains("  resume     automoe train --resume 1 --db " + db + "\n"),
                 qPrintable(show));
        const auto [checkCode, check] = cli({"runs", "check", "--db", db});
        QCOMPARE(checkCode, 0);
        QCOMPARE(check, db + ": ok (schema version 2)\n");
        const int64_t lastBefore = before.back().update;
        const auto ck = store.lastCheckpoint(1);
        QVERIFY(ck.has_value());
        QVERIFY(ck->update <= lastBefore);

        configureTorchThreads(1); // as the killed process: reductions then sum in the same order
        auto resumed = TrainingRun::resume(store, 1, lastBefore + 4);
        RunStatus whileResumed = RunStatus::Created;
        Recorder rec;
        rec.onEach = [&](const Event& e) { // resuming makes it running again
            if (e.type == "training_step" && whileResumed == RunStatus::Created)
                whileResumed = RunReader(db.toStdString(), lockOnly()).getRun(1)->status;
        };
        resumed->addObserver(&rec);
        QCOMPARE(resumed->execute(), RunStatus::Finished);
        QCOMPARE(whileResumed, RunStatus::Running);
        QCOMPARE(resumed->config().supernet.kind,
                 supernet.isEmpty() ? SupernetKind::Shared : SupernetKind::MoSNeuron);
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
