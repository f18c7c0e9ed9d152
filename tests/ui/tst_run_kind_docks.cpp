// Pins RunKindDocks in the main window: the bottom docks that fit the shown run's kind are shown and its
// first one raised, the others hidden but still in the View menu; a run whose kind is not known yet, or fits
// no dock, changes nothing; a dock the user shows again stays until the kind changes.
#include "ui/run/RunDocument.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/RunKindDocks.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

const QStringList kBottom{"trainingDock",   "routingDock",  "paretoDock", "hypervolumeDock", "candidatesDock",
                          "importanceDock", "parallelDock", "studyDock",  "moeStudyDock",    "alphaDock"};

void showRun(RunDocument& document, qint64 id, const std::string& kind) {
    document.reset("runs.sqlite", id);
    FeedBatch batch;
    RunInfo info;
    info.id = id;
    info.spec.name = "run";
    info.spec.kind = kind;
    batch.info = info;
    document.apply(batch);
}

} // namespace

class TestRunKindDocks : public QObject {
    Q_OBJECT

private:
    QStringList shownDocks(MainWindow& window) {
        QStringList shown;
        for (const QString& name : kBottom) {
            auto* dock = window.findChild<QDockWidget*>(name);
            if (!dock) return {"missing " + name};
            if (dock->toggleViewAction()->isChecked()) shown << name;
        }
        return shown;
    }

private slots:
    void showsTheDocksOfTheShownRunsKind() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        QCOMPARE(shownDocks(window), kBottom); // no run shown: every dock

        RunDocument& run = *window.runDocument();
        run.reset("runs.sqlite", 1); // the record not read yet: nothing changes
        QCOMPARE(shownDocks(window), kBottom);

        showRun(run, 1, "supernet");
        QCOMPARE(shownDocks(window), (QStringList{"trainingDock", "routingDock"}));
        QVERIFY(!window.findChild<QDockWidget*>("trainingDock")->visibleRegion().isEmpty()); // raised

        showRun(run, 2, "search");
        QCOMPARE(shownDocks(window), (QStringList{"paretoDock", "hypervolumeDock", "candidatesDock",
                                                  "importanceDock", "parallelDock"}));
        QVERIFY(!window.findChild<QDockWidget*>("paretoDock")->visibleRegion().isEmpty());
        // Hidden, but the View menu still lists it: the user shows it again, and it stays for another search.
        auto* training = window.findChild<QDockWidget*>("trainingDock");
        QAction* toggle = training->toggleViewAction();
        bool listed = false;
        for (QAction* menu : window.menuBar()->actions())
            if (menu->menu() && menu->menu()->actions().contains(toggle)) listed = true;
        QVERIFY(listed);
        QVERIFY(!toggle->isChecked());
        toggle->trigger();
        QVERIFY(!training->isHidden());
        showRun(run, 3, "search");
        QVERIFY(!training->isHidden());

        showRun(run, 4, "latency"); // fits no dock: nothing changes
        QVERIFY(!training->isHidden());
        QCOMPARE(window.runKindDocks()->arrangedKind(), QString("search"));

        showRun(run, 5, "darts");
        QCOMPARE(shownDocks(window), (QStringList{"trainingDock", "alphaDock"}));
        QVERIFY(!window.findChild<QDockWidget*>("alphaDock")->visibleRegion().isEmpty());
        showRun(run, 6, "study");
        QCOMPARE(shownDocks(window), QStringList{"studyDock"});
        showRun(run, 7, "moe_study");
        QCOMPARE(shownDocks(window), QStringList{"moeStudyDock"});
    }
};

AUTOMOE_TEST_MAIN(TestRunKindDocks)
#include "tst_run_kind_docks.moc"
