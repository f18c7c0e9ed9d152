// SIGINT and SIGTERM through the real `automoe train`, `search`, `latency build`, `rank` and `close`: the
// first ends the run at its next safe point (a training run writes its checkpoint, a search keeps its
// committed generations, a rank run the architectures it ranked) with status "cancelled" and the command
// that resumes it; a second signal ends the
// process at once, and the store is sound with every event committed before it, and the run resumes from its
// last checkpoint.
#include "CliTestSupport.h"
#include "store/RunReader.h"
#include "store/StoreError.h"

#include "TestMain.h"
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest/QtTest>
#include <csignal>
#include <memory>

using namespace automoe;
using namespace clitest;

namespace {

RunReader::Options lockOnly() {
    RunReader::Options o;
    o.staleAfterMs = 0; // a run whose lock is free counts as interrupted at once
    return o;
}

} // namespace

class TestCliSignals : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString db_;
    int64_t search_ = 0;

    // Starts `automoe ARGS` and returns the run id of its first line of stdout.
    int64_t start(QProcess& p, const QStringList& args) {
        prepareCli(p, dir_.path());
        p.start(AUTOMOE_CLI, args);
        if (!p.waitForStarted()) return 0;
        QElapsedTimer t;
        t.start();
        while (!p.canReadLine() && t.elapsed() < 120000)
            p.waitForReadyRead(1000);
        if (!p.canReadLine()) return 0;
        return nlohmann::json::parse(p.readLine().toStdString()).value("run_id", int64_t(0));
    }
    // Waits until `enough(store)` holds for the database (committed data, read beside the writer).
    template <class F> bool waitFor(F&& enough) {
        std::unique_ptr<RunReader> reader;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120000) {
            try {
                if (!reader) reader = std::make_unique<RunReader>(db_.toStdString(), lockOnly());
                if (enough(*reader)) return true;
            } catch (const StoreError&) {
            }
            QThread::msleep(50);
        }
        return false;
    }
    // A small finished search on run 1 for `rank` and `close` (run once, then reused).
    int64_t finishedSearch() {
        if (search_ > 0) return search_;
        const CliResult r = runCli({"search",  "--run",        "1", "--db",
                                    db_,       "--population", "4", "--parents",
                                    "2",       "--mutation",   "2", "--crossover",
                                    "2",       "--iterations", "2", "--fitness-sentences",
                                    "4",       "--threads",    "1", "--name",
                                    "for rank"},
                                   dir_.path());
        if (r.exitCode != 0) {
            qWarning("search failed: %s", qPrintable(r.err));
            return 0;
        }
        search_ = nlohmann::json::parse(r.out.section('\n', 0, 0).toStdString()).value("run_id", int64_t(0));
        return search_;
    }
    QStringList trainArgs() const {
        return {"train",  "--corpus",           "sample", "--space",          "tiny", "--updates",
                "100000", "--checkpoint-every", "1000",   "--validate-every", "1000", "--vocab-size",
                "200",    "--max-tokens",       "300",    "--threads",        "1",    "--db",
                db_,      "--test-sentences",   "0"};
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.path() + "/runs.sqlite";
        // Run 1: the supernet the search runs on.
        QStringList args = trainArgs();
        args[6] = "4";
        const CliResult r = runCli(args, dir_.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void trainStopsAtNextCheckpoint_data() {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGINT") << SIGINT;
        QTest::newRow("SIGTERM") << SIGTERM;
    }
    void trainStopsAtNextCheckpoint() {
        QFETCH(int, sig);
        QProcess p;
        const int64_t id = start(p, trainArgs());
        QVERIFY(id > 1);
        QVERIFY(waitFor([&](RunReader& r) { return r.trainingSteps(id).size() >= 3; }));
        ::kill(pid_t(p.processId()), sig);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(out.endsWith(QString("run %1 cancelled\n").arg(id)), qPrintable(out));
        QVERIFY2(err.contains(QString("interrupted: stopping run %1 at its next checkpoint (resume it with "
                                      "`automoe train --resume %1`)")
                                  .arg(id)),
                 qPrintable(err));

        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.getRun(id)->status, RunStatus::Cancelled);
        const auto steps = store.trainingSteps(id);
        QVERIFY(steps.size() >= 3);
        // The checkpoint is of the last update trained (none of the periodic ones was due).
        QCOMPARE(store.checkpoints(id).size(), size_t(1));
        QCOMPARE(store.lastCheckpoint(id)->update, steps.back().update);

        const int64_t last = steps.back().update;
        const CliResult r = runCli({"train", "--resume", QString::number(id), "--updates",
                                    QString::number(last + 1), "--threads", "1", "--db", db_},
                                   dir_.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QString("resumed at update %1").arg(last)), qPrintable(r.err));
        RunReader after(db_.toStdString());
        QCOMPARE(int64_t(after.trainingSteps(id).size()), last + 1);
        QCOMPARE(after.getRun(id)->status, RunStatus::Finished);
    }

    // SIGINT, then SIGTERM before the run got to its checkpoint: the process exits at once with 128 + 15,
    // the store keeps every committed event, and the run resumes from its last (periodic) checkpoint.
    void secondSignalExitsAtOnce() {
        QProcess p;
        QStringList args = trainArgs();
        args[8] = "2"; // --checkpoint-every 2
        const int64_t id = start(p, args);
        QVERIFY(id > 1);
        QVERIFY(waitFor([&](RunReader& r) { return r.checkpoints(id).size() >= 2; }));
        QStringList committed;
        {
            RunReader reader(db_.toStdString(), lockOnly());
            committed = eventLines(reader, id);
        }
        ::kill(pid_t(p.processId()), SIGINT);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        // 128 + the signal handled second (SIGTERM: pending signals are delivered by number).
        QVERIFY2(p.exitCode() == 128 + SIGTERM || p.exitCode() == 128 + SIGINT,
                 qPrintable(QString::number(p.exitCode())));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("interrupted again: exiting at once (committed events and the last checkpoint "
                              "are kept)\n"),
                 qPrintable(err));

        RunReader store(db_.toStdString(), lockOnly());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(eventLines(store, id).mid(0, committed.size()), committed);
        QCOMPARE(store.getRun(id)->status, RunStatus::Interrupted); // it never got to say otherwise
        const auto ck = store.lastCheckpoint(id);
        QVERIFY(ck && QFile::exists(QString::fromStdString(ck->path)));

        const CliResult r = runCli({"train", "--resume", QString::number(id), "--updates",
                                    QString::number(ck->update + 1), "--threads", "1", "--db", db_},
                                   dir_.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QString("resumed at update %1").arg(ck->update)), qPrintable(r.err));
        RunReader after(db_.toStdString());
        QCOMPARE(int64_t(after.trainingSteps(id).size()), ck->update + 1);
    }

    // `latency build` stopped by SIGINT after two measured architectures: cancelled, exit 0, the samples
    // measured so far stored and no more.
    void latencyBuildStopsAtNextSample() {
        QProcess p;
        const int64_t id =
            start(p, {"latency", "build", "--run", "1", "--samples", "40", "--repeats", "2", "--db", db_});
        QVERIFY(id > 1);
        auto samples = [&](RunReader& r) {
            size_t n = 0;
            for (const Event& e : r.events(id))
                n += e.type == "latency_sample" ? 1 : 0;
            return n;
        };
        QVERIFY(waitFor([&](RunReader& r) { return samples(r) >= 2; }));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.endsWith(QString("latency run %1 cancelled\n").arg(id)), qPrintable(out));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.getRun(id)->status, RunStatus::Cancelled);
        const size_t stored = samples(store);
        QVERIFY(stored >= 2 && stored < 40);
        QCOMPARE(size_t(out.count(QString("/40  encoder"))), stored); // each one printed was stored
    }

    // A search stopped by SIGTERM after two generations: cancelled, its generations kept, resumable.
    void searchStopsAtNextGeneration() {
        QProcess p;
        const int64_t id = start(p, {"search",   "--run",        "1",   "--db",
                                     db_,        "--population", "6",   "--parents",
                                     "2",        "--mutation",   "3",   "--crossover",
                                     "3",        "--iterations", "400", "--fitness-sentences",
                                     "8",        "--threads",    "1",   "--name",
                                     "signalled"});
        QVERIFY(id > 1);
        QVERIFY(waitFor([&](RunReader& r) { return r.generations(id).size() >= 2; }));
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(out.contains(QString("search run %1 cancelled: ").arg(id)), qPrintable(out));
        QVERIFY2(err.contains(QString("interrupted: stopping run %1 at its next checkpoint (resume it with "
                                      "`automoe search --resume %1`)")
                                  .arg(id)),
                 qPrintable(err));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.getRun(id)->status, RunStatus::Cancelled);
        const auto generations = store.generations(id);
        QVERIFY(generations.size() >= 2 && generations.size() < 400);
        // Candidates stored belong to the stored generations or to the one it stopped in (`search --resume`
        // evaluates none of them again: tst_search_resume).
        for (const CandidateRow& c : store.candidates(id))
            QVERIFY(c.generation <= generations.back().generation + 1);
    }

    // `rank` stopped by SIGINT once it has ranked an architecture: cancelled at its next fine-tune update,
    // exit 0, the architectures ranked so far stored and no more.
    void rankStopsAtNextUpdate() {
        const int64_t search = finishedSearch();
        QVERIFY(search > 1);
        QProcess p;
        const int64_t id = start(p, {"rank", "--run", QString::number(search), "--archs", "6",
                                     "--finetune-updates", "200", "--threads", "1", "--db", db_});
        QVERIFY(id > search);
        auto ranked = [&](RunReader& r) {
            size_t n = 0;
            for (const Event& e : r.events(id))
                n += e.type == "rank_arch" ? 1 : 0;
            return n;
        };
        QVERIFY(waitFor([&](RunReader& r) { return ranked(r) >= 1; }));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(out.endsWith(QString("rank run %1 cancelled\n").arg(id)), qPrintable(out));
        // A rank run is not resumable: no resume command.
        QVERIFY2(err.contains(QString("interrupted: stopping run %1 at its next checkpoint\n").arg(id)),
                 qPrintable(err));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.getRun(id)->status, RunStatus::Cancelled);
        const size_t stored = ranked(store);
        QVERIFY2(stored >= 1 && stored < 6, qPrintable(QString::number(stored)));
        QCOMPARE(
            size_t(err.count(QRegularExpression("^ ?\\d/6  arch ", QRegularExpression::MultilineOption))),
            stored); // each one printed was stored
    }

    // `close` stopped by SIGTERM while it retrains: cancelled at the next update with a checkpoint of it,
    // exit 0, and resumable with `train --resume`.
    void closeStopsAtNextCheckpoint() {
        const int64_t search = finishedSearch();
        QVERIFY(search > 1);
        std::string key;
        {
            RunReader reader(db_.toStdString());
            key = reader.candidates(search).front().architecture.key;
        }
        QProcess p;
        const int64_t id =
            start(p, {"close", "--run", QString::number(search), "--arch", QString::fromStdString(key),
                      "--updates", "100000", "--checkpoint-every", "1000", "--validate-every", "1000",
                      "--latency-repeats", "1", "--test-sentences", "0", "--threads", "1", "--db", db_});
        QVERIFY(id > search);
        QVERIFY(waitFor([&](RunReader& r) { return r.trainingSteps(id).size() >= 3; }));
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(out.startsWith(QString("run %1 cancelled\n").arg(id)), qPrintable(out)); // then its costs
        QVERIFY2(err.contains(QString("interrupted: stopping run %1 at its next checkpoint (resume it with "
                                      "`automoe train --resume %1`)")
                                  .arg(id)),
                 qPrintable(err));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(store.getRun(id)->status, RunStatus::Cancelled);
        const auto steps = store.trainingSteps(id);
        QVERIFY(steps.size() >= 3);
        QCOMPARE(store.checkpoints(id).size(), size_t(1)); // of the last update trained
        QCOMPARE(store.lastCheckpoint(id)->update, steps.back().update);
        QVERIFY(QFile::exists(QString::fromStdString(store.lastCheckpoint(id)->path)));
    }
};

AUTOMOE_TEST_MAIN(TestCliSignals)
#include "tst_cli_signals.moc"
