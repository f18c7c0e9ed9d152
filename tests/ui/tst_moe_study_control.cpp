// Pins a MoE-vs-dense study started from the Run dock's MoE vs dense tab with the real `automoe` CLI (the
// small test space in the editor, the bundled sample corpus, three updates per stage): the child is
// `automoe study moe-vs-dense --control-stdin --db …`, the main window follows the run it announces, the
// MoE vs dense dock fills in while the study runs (stages, then rows), and when it has finished the table,
// the plot and the stages are what a replay of the stored run shows, and the table is the study's stored
// result.
#include "../support/SmallRun.h"
#include "store/RunReader.h"
#include "ui/plots/MoeStudyModel.h"
#include "ui/plots/MoeStudyStageModel.h"
#include "ui/plots/MoeStudyTableModel.h"
#include "ui/plots/MoeStudyView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/MoeStudyOptionsForm.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/MainWindow.h"

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QPlainTextEdit>
#include <QTableView>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

QStringList column(const MoeStudyView& view, int c) {
    QStringList out;
    const QAbstractItemModel* m = view.table()->model();
    for (int r = 0; r < m->rowCount(); ++r)
        out << m->index(r, c).data().toString();
    return out;
}

} // namespace

class TestMoeStudyControl : public QObject {
    Q_OBJECT

private slots:
    void aStudyStartedFromTheRunDockFillsItsDockLiveAndAsReplayed() {
        testsupport::MainWindowRig rig;
        const QString db = rig.dir.filePath("runs.sqlite");
        const QString spacePath = rig.dir.filePath("small.json");
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        QVERIFY(rig.show(spacePath, db));
        MainWindow& window = *rig.window;
        auto* view = window.findChild<MoeStudyView*>("moeStudyView");
        QVERIFY(view);

        RunControlPanel* panel = window.runControl();
        panel->process()->setCliPath(AUTOMOE_CLI);
        panel->setMode(RunControlPanel::Mode::MoeStudy);
        MoeStudyOptionsForm::Options o;
        o.corpus = "sample";
        o.editorSpace = true;
        o.minutes = 0;
        o.updates = 3;
        o.budgets = "0.5,0.75";
        o.seed = 2;
        panel->moeStudyForm()->setOptions(o);
        panel->setExtraMoeStudyArguments({"--population", "4", "--parents", "2", "--mutation", "1",
                                          "--crossover", "1", "--iterations", "1", "--fitness-sentences", "8",
                                          "--latency-repeats", "1", "--test-sentences", "5", "--threads",
                                          "1"});
        // What the dock showed while the study ran: rows seen before the study's status said finished.
        int rowsWhileRunning = 0, stagesRunning = 0;
        connect(window.runDocument(), &RunDocument::moeStudyChanged, this, [&] {
            const RunDocument* doc = window.runDocument();
            if (doc->status() == RunStatus::Finished) return;
            rowsWhileRunning = std::max(rowsWhileRunning, int(doc->moeStudy().rows().size()));
            for (const MoeStudyModel::Stage& s : doc->moeStudy().stages())
                if (MoeStudyModel::stateOf(s, doc->status()) == MoeStudyModel::StageState::Running)
                    ++stagesRunning;
        });
        QVERIFY(panel->startButton()->isEnabled());
        panel->startButton()->click();
        QVERIFY(panel->process()->isRunning());
        const QStringList args = panel->process()->arguments();
        QCOMPARE(args.mid(0, 5), (QStringList{"study", "moe-vs-dense", "--control-stdin", "--db", db}));
        QVERIFY(args.contains("--updates") && args.contains("0.5,0.75"));

        // The main window follows the run the child announced.
        QTRY_VERIFY_WITH_TIMEOUT(panel->process()->runId() > 0, 120000);
        const qint64 id = panel->process()->runId();
        QTRY_COMPARE_WITH_TIMEOUT(window.runDocument()->runId(), id, 10000);
        QVERIFY(window.runDocument()->isLive());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->process()->isRunning(), 540000);
        QVERIFY2(!panel->process()->isRunning(), qPrintable(panel->log()->toPlainText().right(2000)));
        QTRY_COMPARE_WITH_TIMEOUT(window.runDocument()->status(), RunStatus::Finished, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window.runDocument()->moeStudy().hasResult(), 20000);
        QTRY_VERIFY(!view->visibleRegion().isEmpty()); // the dock came forward
        QVERIFY2(rowsWhileRunning >= 1, "no row was shown before the study finished");
        QVERIFY(stagesRunning >= 1);

        const MoeStudyModel& study = window.runDocument()->moeStudy();
        QCOMPARE(study.errors(), QStringList());
        QCOMPARE(study.rows().size(), std::size_t(5));
        QCOMPARE(view->stageModel()->rowCount(), 11);
        for (int i = 0; i < 11; ++i)
            QCOMPARE(view->stageModel()->index(i, MoeStudyStageModel::StateColumn).data().toString(),
                     QString("finished"));
        QCOMPARE(view->points("baseline").size(), 1);
        QCOMPARE(view->points("dense").size(), 2);
        QCOMPARE(view->points("moe").size(), 2);
        QCOMPARE(view->budgetLabels(), (QStringList{"0.5x", "0.75x"}));
        // Each row's run is a finished retrain of the database, listed as its stage's run.
        const std::vector<RunSummary> runs = RunReader(db.toStdString()).listRuns();
        for (const MoeDenseStudyRow& r : study.rows()) {
            const auto it =
                std::find_if(runs.begin(), runs.end(), [&](const RunSummary& s) { return s.id == r.run; });
            QVERIFY(it != runs.end());
            QCOMPARE(it->kind, std::string("retrain"));
            QCOMPARE(it->status, RunStatus::Finished);
            QVERIFY(r.flops > 0 && r.latencyMs > 0 && r.paramsActive > 0);
        }
        QCOMPARE(study.stage("baseline")->run, study.row("baseline", std::nullopt)->run);
        QCOMPARE(study.stage("moe_retrain@0.75")->run, study.row("moe", 0.75)->run);
        // Dense rows have one expert per layer: no more params in total than active.
        for (const MoeDenseStudyRow& r : study.rows())
            if (r.method != "moe") QCOMPARE(r.paramsTotal, r.paramsActive);

        // The same run replayed from the store shows the same.
        RunDocument replayed;
        MoeStudyView again;
        again.setDocument(&replayed);
        RunPlayer player(&replayed);
        player.openReplay(db, id);
        QTRY_VERIFY_WITH_TIMEOUT(player.lastSeq() > 0, 10000);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), player.lastSeq(), 10000);
        for (int c = 0; c < MoeStudyTableModel::ColumnCount; ++c)
            QCOMPARE(column(again, c), column(*view, c));
        for (const char* method : {"baseline", "dense", "moe"})
            QCOMPARE(again.points(method), view->points(method));
        QCOMPARE(again.budgetLines(), view->budgetLines());
    }

    // Cancelled while a stage runs, the study says which stage it stopped in; Resume (the Run dock's, as
    // for any run shown) continues it with `automoe study moe-vs-dense --resume ID` to the same table a
    // study that was never stopped has: every stage finished, the stopped one begun twice.
    void aCancelledStudyResumedFromTheRunDockFinishes() {
        testsupport::MainWindowRig rig;
        const QString db = rig.dir.filePath("runs.sqlite");
        const QString spacePath = rig.dir.filePath("small.json");
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        QVERIFY(rig.show(spacePath, db));
        MainWindow& window = *rig.window;
        auto* view = window.findChild<MoeStudyView*>("moeStudyView");
        RunControlPanel* panel = window.runControl();
        panel->process()->setCliPath(AUTOMOE_CLI);
        panel->setMode(RunControlPanel::Mode::MoeStudy);
        MoeStudyOptionsForm::Options o;
        o.corpus = "sample";
        o.editorSpace = true;
        o.minutes = 0;
        o.updates = 3;
        panel->moeStudyForm()->setOptions(o);
        panel->setExtraMoeStudyArguments({"--population", "4", "--parents", "2", "--mutation", "1",
                                          "--crossover", "1", "--iterations", "1", "--fitness-sentences", "8",
                                          "--latency-repeats", "1", "--test-sentences", "5", "--threads",
                                          "1"});
        // Cancel as soon as the dense supernet's stage has begun.
        bool cancelled = false;
        connect(window.runDocument(), &RunDocument::moeStudyChanged, this, [&] {
            const MoeStudyModel::Stage* s = window.runDocument()->moeStudy().stage("dense_supernet");
            if (!cancelled && s && s->started && !s->finished && panel->cancelButton()->isEnabled()) {
                cancelled = true;
                panel->cancelButton()->click();
            }
        });
        QVERIFY(panel->startMoeStudy());
        QTRY_VERIFY_WITH_TIMEOUT(cancelled, 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->process()->isRunning(), 120000);
        QTRY_COMPARE_WITH_TIMEOUT(window.runDocument()->status(), RunStatus::Cancelled, 20000);
        const qint64 id = window.runDocument()->runId();
        const MoeStudyModel& study = window.runDocument()->moeStudy();
        QStringList stopped;
        for (int i = 0; i < view->stageModel()->rowCount(); ++i) {
            const MoeStudyModel::Stage& s = study.stages()[std::size_t(i)];
            const QString state =
                view->stageModel()->index(i, MoeStudyStageModel::StateColumn).data().toString();
            if (s.started && !s.finished) {
                QCOMPARE(state, QString("cancelled"));
                stopped << s.name;
            }
        }
        QCOMPARE(stopped.size(), 1); // the stage the study was in
        QVERIFY(study.rows().size() < 5);

        // Resume the run shown.
        QTRY_VERIFY(panel->resumeButton()->isEnabled());
        panel->resumeButton()->click();
        QVERIFY(panel->process()->isRunning());
        // The study's own settings are stored with it; the thread count is this machine's.
        QCOMPARE(panel->process()->arguments(),
                 (QStringList{"study", "moe-vs-dense", "--control-stdin", "--db", db, "--resume",
                              QString::number(id), "--threads", "1"}));
        QTRY_VERIFY_WITH_TIMEOUT(!panel->process()->isRunning(), 540000);
        QVERIFY2(panel->process()->errorOutput().isEmpty() || study.hasResult(),
                 qPrintable(panel->process()->errorOutput().join('\n')));
        QTRY_COMPARE_WITH_TIMEOUT(window.runDocument()->runId(), id, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.runDocument()->status(), RunStatus::Finished, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window.runDocument()->moeStudy().hasResult(), 20000);
        const MoeStudyModel& done = window.runDocument()->moeStudy();
        QCOMPARE(done.errors(), QStringList());
        QCOMPARE(done.resumes(), 1);
        QCOMPARE(done.rows().size(), std::size_t(5));
        QCOMPARE(done.stage(stopped.front())->starts, 2);
        QVERIFY(done.stage(stopped.front())->finished);
        for (int i = 0; i < 11; ++i)
            QCOMPARE(view->stageModel()->index(i, MoeStudyStageModel::StateColumn).data().toString(),
                     QString("finished"));
        QVERIFY2(view->statusLabel()->text().contains("resumed 1 time"),
                 qPrintable(view->statusLabel()->text()));
    }
};

AUTOMOE_TEST_MAIN(TestMoeStudyControl)
#include "tst_moe_study_control.moc"
