// Pins the training comparison: the Training view overlays the curves of other runs read through their own
// RunFeeds (the path a shown run takes), exactly the stored steps and validations of each, one legend entry
// per run named after it; clearing takes them all away; a run still being written keeps growing in the
// overlay, as does the shown run beside it, and a finished one is no longer polled once read; the runs
// browser hands its multi-selection to the main window, which overlays those runs and skips the shown one and
// runs without training steps.
#include "RunTestSupport.h"
#include "store/RunReader.h"
#include "ui/plots/TrainingOverlays.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunPlayer.h"
#include "ui/run/RunsBrowser.h"
#include "ui/run/TrainingComparison.h"
#include "ui/shell/MainWindow.h"

#include <qcustomplot.h>

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

// A training run of `updates` steps written to `db`; returns its id.
std::int64_t writeTrainingRun(const QString& db, const std::string& name, int updates, std::uint64_t seed) {
    RunStore store(db.toStdString());
    const std::int64_t id = runtest::createRun(store, name, "supernet");
    for (Event& e : runtest::syntheticRun(id, updates, 0, seed))
        store.append(std::move(e));
    store.flush();
    store.setRunStatus(id, RunStatus::Finished);
    return id;
}

QVector<QPointF> storedLoss(const std::vector<TrainingStepRow>& steps) {
    QVector<QPointF> out;
    for (const TrainingStepRow& s : steps)
        out.append(QPointF(double(s.update), s.loss));
    return out;
}

QVector<QPointF> storedValidation(const std::vector<ValidationRow>& rows, const std::string& subnet) {
    QVector<QPointF> out;
    for (const ValidationRow& v : rows) {
        const bool other = v.subnet != "largest" && v.subnet != "smallest";
        if (subnet == "other" ? other : v.subnet == subnet) out.append(QPointF(double(v.update), v.loss));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    return out;
}

} // namespace

class TestTrainingCompare : public QObject {
    Q_OBJECT

private slots:
    void overlaysTwoRunsWithTheirStoredCurves() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const std::int64_t a = writeTrainingRun(db, "lr 5e-4", 120, 1);
        const std::int64_t b = writeTrainingRun(db, "lr 1e-3", 80, 2);

        TrainingView view;
        view.setSmoothing(0.5);
        const QStringList ownLegend = view.legendNames();
        const int ownGraphs = view.plot()->graphCount();
        TrainingComparison comparison;
        view.setComparison(&comparison);
        comparison.add(db, a);
        comparison.add(db, b);
        comparison.add(db, a); // already compared: nothing
        QCOMPARE(comparison.runIds(), (QList<qint64>{a, b}));
        const TrainingOverlays& overlays = view.overlays();
        QTRY_COMPARE_WITH_TIMEOUT(overlays.trainLoss(a).size(), 120, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(overlays.trainLoss(b).size(), 80, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(overlays.validationLoss(a, "largest").size(), 6, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(overlays.validationLoss(b, "largest").size(), 4, 10000);

        RunReader reader(db.toStdString());
        for (const std::int64_t id : {a, b}) {
            const auto steps = reader.trainingSteps(id);
            const auto validations = reader.validations(id);
            QVERIFY(runtest::samePoints(overlays.trainLoss(id), storedLoss(steps)));
            QVector<QPointF> lr;
            for (const TrainingStepRow& s : steps)
                lr.append(QPointF(double(s.update), s.lr));
            QVERIFY(runtest::samePoints(overlays.learningRate(id), lr));
            for (const char* subnet : {"largest", "smallest", "other"})
                QVERIFY2(runtest::samePoints(overlays.validationLoss(id, subnet),
                                             storedValidation(validations, subnet)),
                         subnet);
            // The debiased moving average at weight 0.5, by hand: m_t = (0.5 m + 0.5 x) / (1 - 0.5^t).
            double m = 0, w = 0;
            QVector<QPointF> smooth;
            for (const TrainingStepRow& s : steps) {
                m = 0.5 * m + 0.5 * s.loss;
                w = 0.5 * w + 0.5;
                smooth.append(QPointF(double(s.update), m / w));
            }
            QVERIFY(runtest::samePoints(overlays.smoothedTrainLoss(id), smooth));
        }
        // Both finished and read to their ends: no longer polled.
        QTRY_VERIFY_WITH_TIMEOUT(!comparison.isFollowing(a) && !comparison.isFollowing(b), 10000);
        // The first smoothed point is the first loss (debiased), not half of it.
        QCOMPARE(overlays.smoothedTrainLoss(a).front().y(), reader.trainingSteps(a).front().loss);

        // One legend entry per run, named after it, each in its own colour.
        QTRY_COMPARE(overlays.legendName(a), QString("Run %1 \u00B7 lr 5e-4").arg(a));
        QCOMPARE(overlays.legendName(b), QString("Run %1 \u00B7 lr 1e-3").arg(b));
        const QStringList both = ownLegend + QStringList{overlays.legendName(a), overlays.legendName(b)};
        QCOMPARE(view.legendNames(), both);
        QVERIFY(comparison.colour(a) != comparison.colour(b));
        QCOMPARE(view.plot()->graphCount(), ownGraphs + 2 * 6);
        // The update axis takes in the longer run.
        QVERIFY(view.lossRect()->axis(QCPAxis::atBottom)->range().upper >= 120);

        // The tooltip over the loss panel reads each overlaid run's smoothed loss at that update.
        view.resize(1200, 700);
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCPAxisRect* loss = view.lossRect();
        const QPointF at(loss->axis(QCPAxis::atBottom)->coordToPixel(60.0), loss->rect().center().y());
        const QString tip = view.toolTipAt(at);
        const QPointF atA = overlays.smoothedTrainLoss(a).at(59); // update 60
        QVERIFY2(
            tip.contains(
                QString("Run %1 \u00B7 lr 5e-4: smoothed %2 (update 60)").arg(a).arg(atA.y(), 0, 'f', 3)),
            qPrintable(tip));
        QVERIFY2(tip.contains(QString("Run %1 \u00B7 lr 1e-3: smoothed").arg(b)), qPrintable(tip));

        // Smoothing changes the overlays too.
        view.setSmoothing(0.0);
        QVERIFY(runtest::samePoints(overlays.smoothedTrainLoss(b), storedLoss(reader.trainingSteps(b))));

        // Removing one keeps the other; clearing removes every curve and legend entry.
        comparison.remove(a);
        QCOMPARE(overlays.runs(), (QList<qint64>{b}));
        QVERIFY(overlays.trainLoss(a).isEmpty());
        const QStringList one = ownLegend + QStringList{overlays.legendName(b)};
        QCOMPARE(view.legendNames(), one);
        comparison.clear();
        QVERIFY(overlays.isEmpty());
        QCOMPARE(view.legendNames(), ownLegend);
        QCOMPARE(view.plot()->graphCount(), ownGraphs);
        QVERIFY(comparison.document(b) == nullptr);
    }

    // The shown run and an overlaid one are both still being written: both keep growing, and the shown
    // run's legend entry names it once another run is overlaid.
    void aRunStillLiveKeepsUpdatingWhileOverlaid() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        RunStore store(db.toStdString());
        const std::int64_t shown = runtest::createRun(store, "shown", "supernet");
        const std::int64_t other = runtest::createRun(store, "other", "supernet");
        const auto shownEvents = runtest::syntheticRun(shown, 100, 0, 3);
        const auto otherEvents = runtest::syntheticRun(other, 100, 0, 4);
        // Each run's events up to its 40th update.
        for (const auto* events : {&shownEvents, &otherEvents})
            for (const Event& e : *events) {
                if (const auto* step = std::get_if<TrainingStepRow>(&e.row); step && step->update > 40) break;
                store.append(e);
            }
        store.flush();

        RunDocument document;
        RunPlayer player(&document);
        TrainingView view;
        view.setDocument(&document);
        TrainingComparison comparison;
        view.setComparison(&comparison);
        player.follow(db, shown);
        comparison.add(db, other);
        QTRY_COMPARE_WITH_TIMEOUT(view.trainLoss().size(), 40, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(view.overlays().trainLoss(other).size(), 40, 10000);
        QTRY_VERIFY(view.legendNames().contains(QString("Run %1 \u00B7 shown (shown)").arg(shown)));

        // 40 more updates of each (their steps only).
        for (const auto* events : {&shownEvents, &otherEvents})
            for (const Event& e : *events)
                if (const auto* step = std::get_if<TrainingStepRow>(&e.row);
                    step && step->update > 40 && step->update <= 80)
                    store.append(e);
        store.flush();
        QTRY_COMPARE_WITH_TIMEOUT(view.overlays().trainLoss(other).size(), 80, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(view.trainLoss().size(), 80, 10000);
        QCOMPARE(view.overlays().trainLoss(other).back().x(), 80.0);
        QVERIFY(comparison.isFollowing(other)); // still running: still polled
        QVERIFY(runtest::samePoints(view.overlays().trainLoss(other),
                                    storedLoss(RunReader(db.toStdString()).trainingSteps(other))));
    }

    // The runs browser's multi-selection goes to Run > Compare Training Curves of Selected Runs: the shown
    // run is not overlaid on itself, a search run (no training step) is skipped, Clear removes them.
    void theMainWindowComparesTheSelectedRuns() {
        testsupport::MainWindowRig rig;
        const QString db = rig.dir.filePath("runs.sqlite");
        const std::int64_t a = writeTrainingRun(db, "first", 60, 5);
        const std::int64_t b = writeTrainingRun(db, "second", 60, 6);
        std::int64_t search = 0;
        {
            RunStore store(db.toStdString());
            search = runtest::createRun(store, "a search", "search");
            store.setRunStatus(search, RunStatus::Finished);
        }
        QVERIFY(rig.show("tiny", db));
        MainWindow& window = *rig.window;
        window.replayRun(a);
        RunsBrowser* browser = window.runsBrowser();
        browser->model()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowOfRun(search) >= 0, 10000);

        QTableView* table = browser->table();
        QCOMPARE(table->selectionMode(), QAbstractItemView::ExtendedSelection);
        table->clearSelection();
        for (const std::int64_t id : {a, b, search}) {
            for (int row = 0; row < table->model()->rowCount(); ++row)
                if (table->model()->index(row, 0).data(RunListModel::RunIdRole).toLongLong() == id)
                    table->selectionModel()->select(table->model()->index(row, 0),
                                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QList<qint64> selected = browser->selectedRunIds();
        std::sort(selected.begin(), selected.end());
        QCOMPARE(selected, (QList<qint64>{a, b, search}));

        auto* compare = window.findChild<QAction*>("compareTrainingAction");
        QVERIFY(compare);
        compare->trigger();
        QCOMPARE(window.trainingComparison()->runIds(), (QList<qint64>{b}));
        const TrainingOverlays& overlays = window.trainingView()->overlays();
        QTRY_COMPARE_WITH_TIMEOUT(overlays.trainLoss(b).size(), 60, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(window.trainingView()->trainLoss().size(), 60, 10000);
        QVERIFY(window.trainingView()->legendNames().contains(QString("Run %1 \u00B7 second").arg(b)));

        window.findChild<QAction*>("clearTrainingCompareAction")->trigger();
        QVERIFY(window.trainingComparison()->isEmpty());
        QVERIFY(overlays.isEmpty());
    }
};

AUTOMOE_TEST_MAIN(TestTrainingCompare)
#include "tst_training_compare.moc"
