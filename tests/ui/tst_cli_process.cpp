// CliProcess, the one wrapper for child `automoe` processes: lines split across pipe reads are reassembled
// (LineSplitter alone and through a real child that writes half lines with pauses between them), the run id
// comes from the machine-readable first stdout line, stderr lines are kept for the error message, and a
// missing program is reported, not hung on.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "ui/run/CliProcess.h"
#include "ui/run/LineSplitter.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace automoe::ui;

class TestCliProcess : public QObject {
    Q_OBJECT

private slots:
    void splitterCarriesPartialLinesOver() {
        LineSplitter s;
        QCOMPARE(s.feed("{\"run_"), QStringList());
        QVERIFY(s.hasPartial());
        QCOMPARE(s.feed("id\": 7}\nupdate 1"), QStringList{QStringLiteral("{\"run_id\": 7}")});
        QCOMPARE(s.feed("0/20\rupdate 11/20\r"),
                 (QStringList{QStringLiteral("update 10/20"), QStringLiteral("update 11/20")}));
        QCOMPARE(s.feed("\x1b[Kdone\n\n\n"), QStringList{QStringLiteral("done")});
        QCOMPARE(s.feed("tail without newline"), QStringList());
        QCOMPARE(s.finish(), QStringList{QStringLiteral("tail without newline")});
        QVERIFY(!s.hasPartial());
        QCOMPARE(s.finish(), QStringList());
    }

    void splitterKeepsMultiByteCharactersSplitAcrossReads() {
        LineSplitter s;
        const QByteArray text = QStringLiteral("Größe ü\n").toUtf8();
        const int cut = text.indexOf("\xc3\xbc") + 1; // inside the two bytes of ü
        QCOMPARE(s.feed(text.left(cut)), QStringList());
        QCOMPARE(s.feed(text.mid(cut)), QStringList{QStringLiteral("Größe ü")});
    }

    void childLinesSplitAcrossReadsArriveWhole() {
        // A child that writes its run line and a log line in pieces, with pauses so that they arrive in
        // separate reads.
        CliProcess p;
        p.setCliPath(QStringLiteral("/bin/sh"));
        QSignalSpy created(&p, &CliProcess::runCreated);
        QSignalSpy out(&p, &CliProcess::stdoutLine);
        QSignalSpy err(&p, &CliProcess::stderrLine);
        QSignalSpy finished(&p, &CliProcess::finished);
        QVERIFY(
            p.start({QStringLiteral("-c"),
                     QStringLiteral("printf '{\"run_id\": 4'; sleep 0.2; printf ', \"kind\": \"supernet\"}\\n"
                                    "result '; sleep 0.2; printf 'line\\n'; printf 'warn' >&2; sleep 0.2; "
                                    "printf 'ing: half\\nautomoe: error: bad thing\\n' >&2; exit 3")}));
        QVERIFY(finished.wait(10000));
        QCOMPARE(created.size(), 1);
        QCOMPARE(created.at(0).at(0).toLongLong(), qint64(4));
        QCOMPARE(created.at(0).at(1).toString(), QStringLiteral("supernet"));
        QCOMPARE(p.runId(), qint64(4));
        QCOMPARE(p.runKind(), QStringLiteral("supernet"));
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.at(0).at(0).toString(), QStringLiteral("result line"));
        QCOMPARE(p.output(), QStringList{QStringLiteral("result line")});
        QCOMPARE(err.size(), 2);
        QCOMPARE(err.at(0).at(0).toString(), QStringLiteral("warning: half"));
        QCOMPARE(finished.at(0).at(0).toInt(), 3);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QCOMPARE(p.errorMessage(3), QStringLiteral("bad thing"));
    }

    void firstLineThatIsNotARunLineIsOutput() {
        CliProcess p;
        p.setCliPath(QStringLiteral("/bin/sh"));
        QSignalSpy created(&p, &CliProcess::runCreated);
        QSignalSpy finished(&p, &CliProcess::finished);
        QVERIFY(p.start({QStringLiteral("-c"), QStringLiteral("printf '{\\n  \"a\": 1\\n}\\n'")}));
        QVERIFY(finished.wait(10000));
        QCOMPARE(created.size(), 0);
        QCOMPARE(p.runId(), qint64(0));
        QCOMPARE(p.output().join(QString()), QStringLiteral("{\"a\": 1}"));
        QCOMPARE(p.errorMessage(5), QStringLiteral("automoe -c failed (exit code 5)"));
    }

    void missingProgramIsRefusedWithItsName() {
        QTemporaryDir dir;
        CliProcess p;
        p.setCliPath(dir.filePath(QStringLiteral("no-such-automoe")));
        QString error;
        QVERIFY(!p.start({QStringLiteral("train")}, &error));
        QVERIFY2(error.contains(QStringLiteral("no-such-automoe")), qPrintable(error));
        QVERIFY(!p.isRunning());
    }

    void secondStartWhileRunningIsRefused() {
        CliProcess p;
        p.setCliPath(QStringLiteral("/bin/sh"));
        QSignalSpy finished(&p, &CliProcess::finished);
        QVERIFY(p.start({QStringLiteral("-c"), QStringLiteral("sleep 0.5")}));
        QString error;
        QVERIFY(!p.start({QStringLiteral("-c"), QStringLiteral("true")}, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
    }
};

AUTOMOE_TEST_MAIN(TestCliProcess)
#include "tst_cli_process.moc"
