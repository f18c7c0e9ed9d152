// Pins the Run dock end to end with the real `automoe` CLI: Start writes the edited space to a file and
// launches `automoe train --control-stdin`, the run is followed through the store into TrainingView, the
// stage tracker and the progress bar follow its events, and the run ends finished. Also: a missing CLI is a
// clear message, not a crash.
#include "../support/SmallRun.h"
#include "space/SearchSpace.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/TrainingProcess.h"
#include "ui/space/SpaceDocument.h"

#include "TestMain.h"
#include <QPlainTextEdit>
#include <QPushButton>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

SearchSpace tinySpace() {
    return testsupport::smallSpace();
}

QString writeCorpus(const QString& dir) {
    return QString::fromStdString(testsupport::writeSmallCorpus(dir.toStdString()));
}

} // namespace

class TestRunControl : public QObject {
    Q_OBJECT

private slots:
    void shortRealRunEmitsProgressAndFinishes() {
        QTemporaryDir dir;
        const QString spacePath = dir.filePath("space.json");
        saveSpace(tinySpace(), spacePath.toStdString());
        SpaceDocument document;
        QString error;
        QVERIFY2(document.open(spacePath, &error), qPrintable(error));
        const QString db = dir.filePath("runs.sqlite");

        TrainingView training;
        ParetoView pareto;
        RunPlayer player(&training, &pareto);
        RunControlPanel panel(&document);
        panel.process()->setCliPath(AUTOMOE_CLI);
        panel.setDatabasePath(db);
        panel.setCorpus(writeCorpus(dir.path()));
        panel.setBudget(0, 6);
        panel.setExtraArguments(
            {"--vocab-size", "60", "--max-tokens", "200", "--threads", "1", "--validate-every", "3"});
        QObject::connect(&panel, &RunControlPanel::runStarted, &player,
                         [&](qint64 id) { player.follow(db, id); });
        QObject::connect(&player, &RunPlayer::batchApplied, &panel, &RunControlPanel::applyBatch);
        QSignalSpy started(&panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);
        QSignalSpy batches(&player, &RunPlayer::batchApplied);

        QVERIFY(panel.startRun());
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY(panel.cancelButton()->isEnabled());
        const QStringList args = panel.process()->arguments();
        QVERIFY(args.contains("--control-stdin"));
        QCOMPARE(args.at(args.indexOf("--updates") + 1), QString("6"));
        QVERIFY(QFile::exists(args.at(args.indexOf("--space") + 1)));

        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 120000);
        const qint64 runId = started.at(0).at(0).toLongLong();
        QCOMPARE(runId, qint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 300000);
        QCOMPARE(ended.at(0).at(0).toInt(), 0);
        // The feed catches up with the last committed event.
        QTRY_VERIFY_WITH_TIMEOUT(player.lastSeq() > 0 && player.position() == player.lastSeq(), 10000);

        QVERIFY(batches.count() >= 1);
        QVERIFY(training.trainLoss().size() >= 1);
        QCOMPARE(training.trainLoss().size(), 6);
        QVERIFY(!training.validationLoss("largest").isEmpty());
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Supernet), RunControlPanel::StageState::Done);
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Test), RunControlPanel::StageState::Done);
        QCOMPARE(panel.stageState(RunControlPanel::Stage::Search), RunControlPanel::StageState::Pending);
        QCOMPARE(panel.progressPercent(), 100);
        QVERIFY(panel.log()->toPlainText().contains("run 1 in"));

        RunStore store(db.toStdString());
        QCOMPARE(store.getRun(runId)->status, RunStatus::Finished);
        QCOMPARE(store.trainingSteps(runId).size(), std::size_t(6));
        QVERIFY(panel.startButton()->isEnabled());
    }

    void missingCliIsAClearMessage() {
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        QTemporaryDir dir;
        panel.setDatabasePath(dir.filePath("runs.sqlite"));
        panel.process()->setCliPath(dir.filePath("automoe"));
        QSignalSpy failed(&panel, &RunControlPanel::failed);
        QVERIFY(!panel.startRun());
        QCOMPARE(failed.count(), 1);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains("automoe") && message.contains("missing"), qPrintable(message));
        QVERIFY(panel.log()->toPlainText().contains(message));
        QVERIFY(panel.startButton()->isEnabled());
    }
};

AUTOMOE_TEST_MAIN(TestRunControl)
#include "tst_run_control.moc"
