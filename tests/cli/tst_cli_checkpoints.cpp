// Checkpoints and the run store at the edge, through the real `automoe train`: a checkpoint write that fails
// (a file size limit: EFBIG, as on a full disk) stops training with the file named, keeps the last good
// checkpoint and every committed event, and the run resumes once space is back; a store write that fails
// the same way stops it naming the database; a damaged or truncated latest checkpoint is detected by its
// checksum and the run resumes from the previous one with a warning naming both files.
#include "CliTestSupport.h"
#include "store/RunReader.h"

#include "TestMain.h"
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>

using namespace automoe;
using namespace clitest;

namespace {

struct Step {
    int64_t update;
    double loss;
};

std::vector<Step> steps(RunReader& store) {
    std::vector<Step> out;
    for (const TrainingStepRow& r : store.trainingSteps(1))
        out.push_back({r.update, r.loss});
    return out;
}

} // namespace

class TestCliCheckpoints : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString db_, runDir_;

    QStringList trainArgs(int updates) const {
        return {"train",
                "--corpus",
                "sample",
                "--space",
                "tiny",
                "--updates",
                QString::number(updates),
                "--checkpoint-every",
                "2",
                "--validate-every",
                "2",
                "--vocab-size",
                "200",
                "--max-tokens",
                "300",
                "--test-sentences",
                "0",
                "--threads",
                "1",
                "--db",
                db_};
    }
    QStringList resumeArgs(int updates) const {
        return {"train",     "--resume", "1",    "--updates", QString::number(updates),
                "--threads", "1",        "--db", db_};
    }
    QString checkpoint(int update) const {
        return runDir_ + "/checkpoint-" + QString::number(update) + ".pt";
    }
    // The run's checkpoint files (and any temporary or set-aside one), by update.
    QStringList checkpointFiles() const {
        QStringList files = QDir(runDir_).entryList({"checkpoint-*"}, QDir::Files);
        std::sort(files.begin(), files.end(), [](const QString& a, const QString& b) {
            return a.section('-', 1).section('.', 0, 0).toInt() <
                   b.section('-', 1).section('.', 0, 0).toInt();
        });
        return files;
    }
    // Every update 1..n once, in order.
    static bool contiguous(const std::vector<Step>& s, int64_t n) {
        if (int64_t(s.size()) != n) return false;
        for (size_t i = 0; i < s.size(); ++i)
            if (s[i].update != int64_t(i) + 1) return false;
        return true;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        db_ = dir_.path() + "/runs.sqlite";
        runDir_ = dir_.path() + "/runs-files/run-1";
    }

    // Four updates, a checkpoint every two: the files of updates 2 and 4, each with its row.
    void trainWritesCheckpointsWithHeader() {
        const CliResult r = runCli(trainArgs(4), dir_.path());
        QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        QCOMPARE(checkpointFiles(), (QStringList{"checkpoint-2.pt", "checkpoint-4.pt"}));
        QFile f(checkpoint(4));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray header = f.read(32);
        QCOMPARE(header.left(8), QByteArray("AMOECKPT"));
        // Header version 2, then the archive's byte count: the rest of the file, a zip.
        QCOMPARE(int(header[8]), 2);
        qint64 size = 0;
        for (int i = 0; i < 8; ++i)
            size |= qint64(quint8(header[16 + i])) << (8 * i);
        QCOMPARE(size, f.size() - 32);
        QCOMPARE(f.read(2), QByteArray("PK"));
        RunReader store(db_.toStdString());
        QCOMPARE(store.lastCheckpoint(1)->path, checkpoint(4).toStdString());
        QCOMPARE(store.lastCheckpoint(1)->bytes, f.size());
    }

    // Resumed under a file size limit below a checkpoint's size: the checkpoint of update 6 fails, the
    // run stops with the file named, checkpoint 4 is untouched and steps 5 and 6 are committed.
    void checkpointWriteFailureStopsTraining() {
        const qint64 checkpointBytes = QFileInfo(checkpoint(4)).size();
        const qint64 dbBytes = QFileInfo(db_).size();
        const long limit = long(checkpointBytes / 2);
        // The store (and its write-ahead log) stays far below the limit: only the checkpoint fails.
        QVERIFY2(dbBytes * 3 < limit,
                 qPrintable(QString("db %1, checkpoint %2").arg(dbBytes).arg(checkpointBytes)));
        const QByteArray before4 = fileHash(checkpoint(4));

        const CliResult r = runCli(resumeArgs(8), dir_.path(), limit);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        const QString expected = "automoe: error: supernet run 1 failed: checkpoint " + checkpoint(6) +
                                 " could not be written: File too large\n";
        QVERIFY2(r.err.endsWith(expected), qPrintable(r.err));
        QCOMPARE(fileHash(checkpoint(4)), before4);
        QCOMPARE(checkpointFiles(), (QStringList{"checkpoint-2.pt", "checkpoint-4.pt"})); // no .tmp left

        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QVERIFY(contiguous(steps(store), 6));
        QCOMPARE(store.lastCheckpoint(1)->update, int64_t(4));
        QCOMPARE(store.getRun(1)->status, RunStatus::Failed);
        const auto events = store.events(1);
        QCOMPARE(events.back().type, std::string("run_status"));
        QCOMPARE(events[events.size() - 2].type, std::string("error"));
        QVERIFY(events[events.size() - 2].payload["message"].get<std::string>().find(
                    checkpoint(6).toStdString()) != std::string::npos);
    }

    // A limit the store's write-ahead log reaches within its first commits: the run stops naming the
    // database, and every event committed before (this attempt's and the earlier ones) is still there.
    void storeWriteFailureStopsTraining() {
        std::vector<Step> before;
        QStringList eventsBefore;
        {
            RunReader store(db_.toStdString());
            before = steps(store);
            eventsBefore = eventLines(store, 1);
        }
        // 36 KB: above the 32 KB of the write-ahead log's index (-shm), a few commits of the log itself.
        const CliResult r = runCli(resumeArgs(8), dir_.path(), 36 * 1024);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("automoe: error: supernet run 1 failed: " + db_ + ": "), qPrintable(r.err));
        QVERIFY2(r.err.contains("disk I/O error") || r.err.contains("full"), qPrintable(r.err));

        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        const QStringList eventsAfter = eventLines(store, 1);
        QVERIFY(eventsAfter.size() >= eventsBefore.size());
        QCOMPARE(eventsAfter.mid(0, eventsBefore.size()), eventsBefore);
        const auto after = steps(store);
        QVERIFY(after.size() >= before.size());
        for (size_t i = 0; i < before.size(); ++i) // redone from checkpoint 4: the same losses
            QCOMPARE(after[i].loss, before[i].loss);
        QCOMPARE(fileHash(checkpoint(4)).isEmpty(), false);
    }

    // Space is back: the run resumes from checkpoint 4 and finishes, every update once.
    void resumesOnceSpaceIsBack() {
        // What a process killed while writing a checkpoint leaves: removed with the old checkpoints.
        QFile tmp(runDir_ + "/checkpoint-5.pt.tmp");
        QVERIFY(tmp.open(QIODevice::WriteOnly));
        tmp.write("partial");
        tmp.close();
        const CliResult r = runCli(resumeArgs(8), dir_.path());
        QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        QVERIFY2(r.out.endsWith("run 1 finished\n"), qPrintable(r.out));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QVERIFY(contiguous(steps(store), 8));
        QCOMPARE(store.lastCheckpoint(1)->update, int64_t(8));
        QCOMPARE(checkpointFiles(), (QStringList{"checkpoint-6.pt", "checkpoint-8.pt"}));
    }

    // A search on the supernet under the same store limit stops naming the database; the supernet run's
    // events are untouched and the file passes integrity_check.
    void searchStoreWriteFailureStops() {
        QStringList eventsBefore;
        {
            RunReader store(db_.toStdString());
            eventsBefore = eventLines(store, 1);
        }
        const CliResult r = runCli({"search", "--run", "1", "--population", "6", "--parents", "2",
                                    "--mutation", "3", "--crossover", "3", "--iterations", "200",
                                    "--fitness-sentences", "8", "--threads", "1", "--db", db_},
                                   dir_.path(), 36 * 1024);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("automoe: error: ") && r.err.contains(db_ + ": ") &&
                     (r.err.contains("disk I/O error") || r.err.contains("full")),
                 qPrintable(r.err));
        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QCOMPARE(eventLines(store, 1), eventsBefore);
    }

    // A flipped byte in the latest checkpoint, then a truncated one: each time the resumed run warns,
    // naming the damaged file and the one it resumes from, sets the damaged file aside and retrains from
    // the previous checkpoint.
    void damagedLatestCheckpointFallsBack_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("latest");
        QTest::newRow("flipped byte") << "flip" << 8;
        QTest::newRow("truncated") << "truncate" << 10;
    }
    void damagedLatestCheckpointFallsBack() {
        QFETCH(QString, damage);
        QFETCH(int, latest);
        const int previous = latest - 2;
        QFile f(checkpoint(latest));
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        QString why;
        if (damage == "flip") {
            QVERIFY(f.seek(size / 2));
            char c = 0;
            QVERIFY(f.getChar(&c));
            QVERIFY(f.seek(size / 2));
            QVERIFY(f.putChar(char(c ^ 0x10)));
            why = "is damaged: CRC-32 ";
        } else {
            QVERIFY(f.resize(size - 1000));
            why =
                QString("is truncated or damaged: its header declares %1 bytes of archive, the file holds %2")
                    .arg(size - 32)
                    .arg(size - 32 - 1000);
        }
        f.close();

        const CliResult r = runCli(resumeArgs(latest + 2), dir_.path());
        QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        const QString warning = "checkpoint " + checkpoint(latest) + " " + why;
        const QString instead = "; resuming from checkpoint " + checkpoint(previous) +
                                QString(" (update %1) instead").arg(previous);
        QVERIFY2(r.err.contains(warning) && r.err.contains(instead), qPrintable(r.err));
        QVERIFY(QFile::exists(checkpoint(latest) + ".damaged"));

        RunReader store(db_.toStdString());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QVERIFY(contiguous(steps(store), latest + 2));
        QCOMPARE(store.lastCheckpoint(1)->update, int64_t(latest + 2));
        nlohmann::json resumed; // the last "resumed" event
        for (const Event& e : store.events(1))
            if (e.type == "resumed") resumed = e.payload;
        QCOMPARE(resumed["from_update"].get<int64_t>(), int64_t(previous));
        QCOMPARE(resumed["damaged"][0]["path"].get<std::string>(), checkpoint(latest).toStdString());
        QFile::remove(checkpoint(latest) + ".damaged");
        QCOMPARE(checkpointFiles(),
                 (QStringList{checkpoint(latest).section('/', -1), checkpoint(latest + 2).section('/', -1)}));
    }
};

AUTOMOE_TEST_MAIN(TestCliCheckpoints)
#include "tst_cli_checkpoints.moc"
