// Multi-process runs in the desktop app (issue 15, item 5): the Train and Search tabs' "Processes" field
// makes the child `automoe launch --nproc N --master-port 0 -- train|search …` for N > 1 and the plain
// command for 1; per-rank figures of a stored step payload reach the RunDocument and the Training view
// through the feed (one path for live and replay), a run stored without them shows as one process; and a
// real 2-process training run started from the dock is paused and cancelled through rank 0, resumes on 2
// ranks from the dock, and shows its world size and each rank's throughput.
#include "../support/SmallRun.h"
#include "space/SpaceIO.h"
#include "store/RunReader.h"
#include "store/RunStore.h"
#include "ui/plots/RankThroughput.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/ProcessesBox.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/space/SpaceDocument.h"

#include "TestMain.h"
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

// A stand-in `automoe` that writes its arguments, one per line, to ARGS_FILE and exits 0.
QString writeRecordingCli(const QTemporaryDir& dir) {
    const QString path = dir.filePath("automoe");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write(QStringLiteral("#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1'\n").arg(dir.filePath("args")).toUtf8());
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

QStringList recorded(const QTemporaryDir& dir) {
    QFile f(dir.filePath("args"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

RunStatus storedStatus(const QString& db, qint64 runId) {
    try {
        const auto run = RunReader(db.toStdString()).getRun(runId);
        return run ? run->status : RunStatus::Created;
    } catch (const std::exception&) {
        return RunStatus::Created;
    }
}

// Follows run `runId` of `db` into `document` until everything committed is applied.
bool followWhole(RunPlayer& player, const QString& db, qint64 runId) {
    player.follow(db, runId);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000) {
        if (player.lastSeq() > 0 && player.position() == player.lastSeq()) return true;
        QTest::qWait(20);
    }
    return false;
}

} // namespace

class TestMultiProcess : public QObject {
    Q_OBJECT

private slots:
    void processesFieldMakesTheLaunchCommand() {
        QTemporaryDir dir;
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        const QString db = dir.filePath("runs.sqlite");
        panel.setDatabasePath(db);
        panel.setCorpus("sample");
        panel.setBudget(0, 5);
        panel.process()->setCliPath(writeRecordingCli(dir));
        auto* train = panel.findChild<ProcessesBox*>("trainProcesses");
        auto* search = panel.findChild<ProcessesBox*>("searchProcesses");
        QVERIFY(train && search);
        QCOMPARE(train->value(), 1); // one process unless asked
        QCOMPARE(train->minimum(), 1);
        QCOMPARE(train->maximum(), ProcessesBox::cores());
        QVERIFY(train->toolTip().contains("cores ÷ ranks"));
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);

        QString error;
        const QStringList trainArgs = panel.trainArguments(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QStringList plain = QStringList{"train", "--control-stdin", "--db", db} + trainArgs;
        QVERIFY(panel.startRun());
        QCOMPARE(panel.process()->arguments(), plain);
        QTRY_COMPARE(ended.count(), 1);
        QCOMPARE(recorded(dir), plain);

        // The field's maximum is the machine's cores; the launch line itself does not depend on them.
        QCOMPARE(
            ProcessesBox::launchArguments({"train", "--updates", "3"}, 2),
            (QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "train", "--updates", "3"}));
        QCOMPARE(ProcessesBox::launchArguments({"train"}, 1), QStringList{"train"});
        if (ProcessesBox::cores() < 2) QSKIP("one core: the field stops at 1");
        panel.setTrainProcesses(2);
        QCOMPARE(train->value(), 2);
        const QStringList launched =
            QStringList{"launch", "--nproc", "2", "--master-port", "0", "--"} + plain;
        QVERIFY(panel.startRun());
        QCOMPARE(panel.process()->arguments(), launched);
        QTRY_COMPARE(ended.count(), 2);
        QCOMPARE(recorded(dir), launched);

        // The Search tab: its own field.
        panel.setMode(RunControlPanel::Mode::Search);
        RunControlPanel::SearchSettings s = panel.searchSettings();
        s.supernetRun = 4;
        s.processes = 1;
        panel.setSearchSettings(s);
        const QStringList searchArgs = panel.searchArguments(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QStringList plainSearch = QStringList{"search", "--control-stdin", "--db", db} + searchArgs;
        QVERIFY(panel.startSearch());
        QCOMPARE(panel.process()->arguments(), plainSearch);
        QTRY_COMPARE(ended.count(), 3);
        s.processes = 2;
        panel.setSearchSettings(s);
        QCOMPARE(search->value(), 2);
        QVERIFY(panel.startSearch());
        QCOMPARE(panel.process()->arguments(),
                 QStringList({"launch", "--nproc", "2", "--master-port", "0", "--"}) + plainSearch);
        QTRY_COMPARE(ended.count(), 4);
        QCOMPARE(recorded(dir).mid(0, 7),
                 (QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "search"}));

        // Resuming: a supernet run on the Train tab's ranks, a search (resumed in one process) plainly.
        QVERIFY(panel.resumeRun(7, "supernet"));
        QCOMPARE(panel.process()->arguments(),
                 (QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "train",
                              "--control-stdin", "--db", db, "--resume", "7"}));
        QTRY_COMPARE(ended.count(), 5);
        QVERIFY(panel.resumeRun(8, "search"));
        QCOMPARE(panel.process()->arguments().mid(0, 4),
                 (QStringList{"search", "--control-stdin", "--db", db}));
        QTRY_COMPARE(ended.count(), 6);
    }

    // A hand-built step payload with per-rank figures, stored and read back through the feed: the document
    // keeps them, its world size is the configuration's, the Training view draws one line per rank with
    // the hand-computed tokens/s and names the world size in its legend. A run stored without them (before
    // issue 15, or one process) shows as one process with no rank lines.
    void perRankThroughputFromTheStoredPayload() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        qint64 multi = 0, single = 0;
        {
            RunStore store(db.toStdString());
            RunSpec spec;
            spec.name = "two ranks";
            spec.kind = "supernet";
            spec.config = {{"trainer", {{"world_size", 2}}}};
            multi = store.createRun(spec);
            // tokens 600 = 250 + 350; rank 0: 250 tokens in 125 ms = 2000/s, rank 1: 350 in 100 ms = 3500/s.
            store.append(Event::make(multi, "training_step",
                                     nlohmann::json::parse(R"({"update": 1, "loss": 5.0, "lr": 0.001,
                                         "tokens": 600, "wall_ms": 200,
                                         "ranks": [{"tokens": 250, "busy_ms": 125},
                                                   {"tokens": 350, "busy_ms": 100}]})")));
            // Update 2: rank 0 400 tokens in 100 ms = 4000/s, rank 1 200 in 50 ms = 4000/s.
            store.append(Event::make(multi, "training_step",
                                     nlohmann::json::parse(R"({"update": 2, "loss": 4.5, "lr": 0.001,
                                         "tokens": 600, "wall_ms": 150,
                                         "ranks": [{"tokens": 400, "busy_ms": 100},
                                                   {"tokens": 200, "busy_ms": 50}]})")));
            spec.name = "one process";
            spec.config = nlohmann::json::object();
            single = store.createRun(spec);
            store.append(Event::make(single, "training_step",
                                     nlohmann::json::parse(R"({"update": 1, "loss": 5.0, "lr": 0.001,
                                         "tokens": 600, "wall_ms": 200})")));
            store.flush();
        }

        RunDocument document;
        TrainingView view;
        view.setDocument(&document);
        RunPlayer player(&document);
        QVERIFY(followWhole(player, db, multi));
        QCOMPARE(int(document.steps().size()), 2);
        const TrainingStepRow& first = document.steps().front();
        QCOMPARE(int(first.ranks.size()), 2);
        QCOMPARE(first.ranks[0].tokens, std::int64_t(250));
        QCOMPARE(first.ranks[1].busyMs, 100.0);
        QCOMPARE(first.ranks[0].tokens + first.ranks[1].tokens, first.tokens);
        QCOMPARE(document.worldSize(), 2);

        const RankThroughput& ranks = view.rankThroughput();
        QCOMPARE(ranks.rankCount(), 2);
        QCOMPARE(ranks.tokensPerSecond(0), (QVector<QPointF>{{1, 2000}, {2, 4000}}));
        QCOMPARE(ranks.tokensPerSecond(1), (QVector<QPointF>{{1, 3500}, {2, 4000}}));
        // Smoothed like the run's throughput (debiased, weight 0.98): update 2 of rank 0 is
        // (0.98 * 0.02 * 2000 + 0.02 * 4000) / (1 - 0.98^2) = 3010.1.
        const QVector<QPointF> smooth = ranks.smoothedTokensPerSecond(0);
        QCOMPARE(smooth.size(), 2);
        QVERIFY2(qAbs(smooth[0].y() - 2000) < 1e-6, qPrintable(QString::number(smooth[0].y())));
        const double w = 1 - 0.98;
        QVERIFY2(qAbs(smooth[1].y() - (0.98 * w * 2000 + w * 4000) / (1 - 0.98 * 0.98)) < 1e-6,
                 qPrintable(QString::number(smooth[1].y())));
        QCOMPARE(ranks.legendNames(),
                 (QStringList{"2 processes, wall time", "Rank 0, own time", "Rank 1, own time"}));
        const QStringList tip = ranks.toolTipLines(1);
        QCOMPARE(tip.size(), 2);
        QVERIFY2(tip[1].contains("Rank 1") && tip[1].contains("350 tokens in 100 ms"), qPrintable(tip[1]));

        // The older (or one-process) run: no rank lines, no rank legend, one process.
        QVERIFY(followWhole(player, db, single));
        QCOMPARE(int(document.steps().size()), 1);
        QVERIFY(document.steps().front().ranks.empty());
        QCOMPARE(document.worldSize(), 1);
        QCOMPARE(view.rankThroughput().rankCount(), 0);
        QVERIFY(view.rankThroughput().legendNames().isEmpty());
        QCOMPARE(view.tokensPerSecond().size(), 1);
    }

    // A real 2-process run from the dock: paused while it starts and cancelled through rank 0's stdin (both
    // ranks stop, launch exits 0), resumed on 2 ranks from the dock to its budget; each update is stored once
    // and carries both ranks' figures, whose tokens sum to the update's; the dock names the world size.
    void twoProcessRunCancelsAndResumesFromTheDock() {
        if (ProcessesBox::cores() < 2) QSKIP("one core: the Processes field stops at 1");
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const QString spacePath = dir.filePath("space.json");
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        SpaceDocument space;
        QString error;
        QVERIFY2(space.open(spacePath, &error), qPrintable(error));
        RunDocument run;
        TrainingView training;
        training.setDocument(&run);
        RunPlayer player(&run);
        RunControlPanel panel(&space);
        panel.setDocument(&run);
        panel.process()->setCliPath(AUTOMOE_CLI);
        panel.setDatabasePath(db);
        panel.setCorpus(QString::fromStdString(testsupport::writeSmallCorpus(dir.path().toStdString())));
        panel.setBudget(0, 12);
        panel.setExtraArguments({"--vocab-size", "60", "--max-tokens", "200", "--threads", "1",
                                 "--validate-every", "1000", "--checkpoint-every", "1000"});
        panel.setTrainProcesses(2);
        QObject::connect(&panel, &RunControlPanel::runStarted, &player,
                         [&](qint64 id) { player.follow(db, id); });
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);

        QVERIFY(panel.startRun());
        QCOMPARE(panel.process()->arguments().mid(0, 7),
                 (QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "train"}));
        panel.pauseButton()->click(); // read by rank 0 before its first update ends
        QTRY_COMPARE_WITH_TIMEOUT(storedStatus(db, 1), RunStatus::Paused, 120000);
        QTRY_COMPARE(panel.process()->runId(), qint64(1)); // rank 0's run line came through launch
        panel.cancelButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
        QVERIFY2(ended.at(0).at(0).toInt() == 0, qPrintable(panel.log()->toPlainText()));
        QVERIFY2(panel.log()->toPlainText().contains("rank 1: stopped with rank 0"),
                 qPrintable(panel.log()->toPlainText()));
        QTRY_COMPARE_WITH_TIMEOUT(run.status(), RunStatus::Cancelled, 10000);
        QVERIFY(run.latestUpdate() < 12);

        QTRY_VERIFY_WITH_TIMEOUT(panel.resumeButton()->isEnabled(), 5000);
        panel.resumeButton()->click();
        QCOMPARE(panel.process()->arguments().mid(0, 7),
                 (QStringList{"launch", "--nproc", "2", "--master-port", "0", "--", "train"}));
        QVERIFY(panel.process()->arguments().contains("--resume"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 300000);
        QVERIFY2(ended.at(1).at(0).toInt() == 0, qPrintable(panel.log()->toPlainText()));
        QTRY_COMPARE_WITH_TIMEOUT(run.status(), RunStatus::Finished, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), player.lastSeq(), 15000);

        QCOMPARE(int(run.steps().size()), 12);
        for (std::size_t i = 0; i < run.steps().size(); ++i) {
            const TrainingStepRow& s = run.steps()[i];
            QCOMPARE(s.update, std::int64_t(i + 1));
            QCOMPARE(int(s.ranks.size()), 2);
            QCOMPARE(s.ranks[0].tokens + s.ranks[1].tokens, s.tokens);
            QVERIFY(s.ranks[0].busyMs > 0 && s.ranks[1].busyMs > 0);
        }
        QCOMPARE(run.worldSize(), 2);
        QCOMPARE(training.rankThroughput().rankCount(), 2);
        QCOMPARE(training.rankThroughput().tokensPerSecond(1).size(), 12);
        const QString status = panel.findChild<QLabel*>("runStatusLabel")->text();
        QVERIFY2(status.contains("Run 1 (2 processes)"), qPrintable(status));
    }
};

AUTOMOE_TEST_MAIN(TestMultiProcess)
#include "tst_multi_process.moc"
