// `automoe launch` as a user runs it: two local ranks train a supernet on the bundled sample, rank 0 alone
// stores the run (its configuration records world_size 2, every update's step row carries the whole
// batch's tokens), and both exit 0; a run resumed on two ranks continues with exactly the losses of the
// uninterrupted one; when rank 0 fails, launch ends rank 1 and exits with rank 0's status.
#include "store/RunReader.h"

#include "TestMain.h"
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;

class TestLaunch : public QObject {
    Q_OBJECT
private slots:
    void twoRanksTrainOneStoredRun() {
        QTemporaryDir dir;
        const QString db = dir.path() + "/runs.sqlite";
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(AUTOMOE_CLI, {"launch", "--nproc",      "2",      "--master-port", "0",   "--",
                              "train",  "--corpus",     "sample", "--updates",     "3",   "--threads",
                              "1",      "--max-tokens", "512",    "--vocab-size",  "800", "--validate-every",
                              "0",      "--db",         db});
        QVERIFY(p.waitForFinished(300000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains("rank 1: stopped with rank 0 after 3 updates"), qPrintable(err));

        RunReader reader(db.toStdString());
        const RunInfo run = reader.requireRun(1);
        QCOMPARE(run.spec.config["trainer"].value("world_size", 0), 2);
        QVERIFY(!reader.getRun(2)); // rank 1 stored nothing
        const auto steps = reader.trainingSteps(1);
        QCOMPARE(int(steps.size()), 3);
        for (const auto& s : steps)
            QVERIFY(s.tokens > 0);
    }

    void resumeOnTwoRanksContinuesExactly() {
        QTemporaryDir dir;
        const QString db = dir.path() + "/runs.sqlite";
        auto launch = [&](const QStringList& train) {
            QProcess p;
            p.start(AUTOMOE_CLI, QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "train",
                                             "--threads", "1", "--db", db} +
                                     train);
            if (!p.waitForFinished(300000)) return QString("did not finish");
            return p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAllStandardError());
        };
        const QStringList run = {"--corpus",           "sample", "--max-tokens",     "512",
                                 "--vocab-size",       "800",    "--validate-every", "0",
                                 "--checkpoint-every", "2",      "--dropout",        "0"};
        QString err = launch(run + QStringList{"--updates", "4"}); // run 1, uninterrupted
        QVERIFY2(err.isEmpty(), qPrintable(err));
        err = launch(run + QStringList{"--updates", "2"}); // run 2: 2 updates, then resumed to 4
        QVERIFY2(err.isEmpty(), qPrintable(err));
        err = launch({"--resume", "2", "--updates", "4"});
        QVERIFY2(err.isEmpty(), qPrintable(err));

        RunReader reader(db.toStdString());
        const auto whole = reader.trainingSteps(1), resumed = reader.trainingSteps(2);
        QCOMPARE(int(whole.size()), 4);
        QCOMPARE(int(resumed.size()), 4);
        for (size_t i = 0; i < 4; ++i) {
            QCOMPARE(resumed[i].update, whole[i].update);
            QCOMPARE(resumed[i].archKey, whole[i].archKey);
            QCOMPARE(resumed[i].loss, whole[i].loss); // exactly
        }
    }

    void failingRankEndsTheOthers() {
        QTemporaryDir dir;
        QProcess p;
        p.start(AUTOMOE_CLI, {"launch", "--nproc", "2", "--master-port", "0", "--", "train", "--corpus",
                              dir.path() + "/missing.tsv", "--updates", "3", "--threads", "1", "--db",
                              dir.path() + "/runs.sqlite"});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("missing.tsv: not a corpus"), qPrintable(err));
        // Rank 0 fails on the corpus; rank 1, waiting for its data, loses the connection at once: whichever
        // of them launch sees first, the other is still running or unreaped, and is stopped.
        const QRegularExpression stopped(
            "automoe launch: rank [01] exited with status 1; stopping the other 1");
        QVERIFY2(err.contains(stopped), qPrintable(err));
    }
};

AUTOMOE_TEST_MAIN(TestLaunch)
#include "tst_launch.moc"
