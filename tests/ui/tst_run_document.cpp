// RunDocument, the one model of the shown run: rows arrive in batches and each update is kept once (a run
// killed and resumed logs the updates after its last checkpoint again; the later row wins), the views that
// follow it plot exactly its rows, the selection is shared, the search's own budget reaches the Pareto view,
// and the views follow live data until the user zooms or pans: then 100 live batches leave the user's view
// alone, and Follow brings every update back into view.
#include "RunTestSupport.h"
#include "TestMain.h"
#include "ui/run/RunDocument.h"

#include <QSignalSpy>
#include <QToolButton>
#include <QWheelEvent>
#include <QtTest/QtTest>
#include <qcustomplot.h>

using namespace automoe;
using namespace automoe::ui;

namespace {

Event stepEvent(std::int64_t update, double loss, std::int64_t seq) {
    TrainingStepRow r;
    r.update = update;
    r.loss = loss;
    r.nll = loss;
    r.lr = 1e-3;
    r.tokens = 1000;
    r.wallMs = 100;
    Event e = Event::trainingStep(1, r);
    e.seq = seq;
    e.timeMs = 1700000000000 + 100 * seq;
    return e;
}

FeedBatch batchOf(std::vector<Event> events) {
    FeedBatch b;
    b.firstSeq = events.front().seq;
    b.lastSeq = events.back().seq;
    b.events = std::move(events);
    return b;
}

// Updates [from, to] as one batch, seq continuing from `seq`.
FeedBatch steps(std::int64_t from, std::int64_t to, std::int64_t& seq, double offset = 0) {
    std::vector<Event> events;
    for (std::int64_t u = from; u <= to; ++u)
        events.push_back(stepEvent(u, 10.0 - 0.01 * double(u) + offset, ++seq));
    return batchOf(std::move(events));
}

CandidateRow candidate(const std::string& key, double flops, double fitness, std::int64_t generation = 0) {
    CandidateRow c;
    c.generation = generation;
    c.architecture.key = key;
    c.architecture.json = nlohmann::json::object();
    c.flops = flops;
    c.fitness = fitness;
    c.paramsActive = std::int64_t(flops / 40);
    return c;
}

} // namespace

class TestRunDocument : public QObject {
    Q_OBJECT

private slots:
    void resumedRunKeepsEachUpdateOnce() {
        RunDocument doc;
        doc.reset("db", 1);
        QSignalSpy added(&doc, &RunDocument::stepsAdded);
        QSignalSpy rewritten(&doc, &RunDocument::stepsRewritten);
        std::int64_t seq = 0;
        doc.apply(steps(1, 12, seq));
        QCOMPARE(added.count(), 1);
        QCOMPARE(added.at(0).at(0).toInt(), 0);
        // Killed at 12 after a checkpoint at 10: the resumed process logs 11 and 12 again, then goes on.
        doc.apply(steps(11, 20, seq, 0.5));
        QCOMPARE(rewritten.count(), 1);
        QCOMPARE(doc.steps().size(), std::size_t(20));
        for (std::size_t i = 0; i < doc.steps().size(); ++i)
            QCOMPARE(doc.steps()[i].update, std::int64_t(i + 1));
        QCOMPARE(doc.steps()[10].loss, 10.0 - 0.11 + 0.5); // the resumed row wins
        QCOMPARE(doc.latestUpdate(), qint64(20));
        QCOMPARE(doc.lastSeq(), seq);

        // A view following the document plots each update once.
        TrainingView view;
        view.setDocument(&doc);
        QCOMPARE(view.trainLoss().size(), 20);
        doc.apply(steps(19, 25, seq, 1.0));
        QCOMPARE(view.trainLoss().size(), 25);
        QCOMPARE(view.trainLoss()[18].y(), 10.0 - 0.19 + 1.0);
    }

    void validationsOfAnUpdateAreKeptOncePerSubnet() {
        RunDocument doc;
        doc.reset("db", 1);
        auto validation = [](std::int64_t update, const char* subnet, double loss, std::int64_t seq) {
            Event e = Event::validation(1, ValidationRow{update, subnet, loss, {}});
            e.seq = seq;
            return e;
        };
        doc.apply(batchOf({validation(10, "largest", 5.0, 1), validation(10, "smallest", 6.0, 2)}));
        doc.apply(batchOf({validation(10, "largest", 4.5, 3), validation(20, "largest", 4.0, 4)}));
        QCOMPARE(doc.validations().size(), std::size_t(3));
        QCOMPARE(doc.validations()[0].loss, 4.5);
        QCOMPARE(doc.validations()[0].subnet, std::string("largest"));
        QCOMPARE(doc.validations()[1].subnet, std::string("smallest"));
        QCOMPARE(doc.validations()[2].update, std::int64_t(20));
    }

    void logLinesAndProgressComeFromTheEvents() {
        RunDocument doc;
        doc.reset("db", 3);
        Event started =
            Event::make(3, "stage", {{"stage", "supernet"}, {"state", "started"}, {"max_updates", 40}});
        started.seq = 1;
        started.timeMs = 1700000000000;
        std::int64_t seq = 1;
        FeedBatch b = steps(1, 10, seq);
        b.events.insert(b.events.begin(), started);
        b.firstSeq = 1;
        doc.apply(b);
        QVERIFY(doc.log().contains("stage supernet started, 40 updates"));
        QCOMPARE(doc.progress().done(), std::int64_t(10));
        QCOMPARE(doc.progress().total(), std::int64_t(40));
        QCOMPARE(doc.progress().state(PipelineStage::Supernet), StageState::Active);
    }

    void selectionIsSharedAndClearedWithTheRun() {
        RunDocument doc;
        doc.reset("db", 2);
        ParetoView pareto;
        pareto.setDocument(&doc);
        Event a = Event::candidate(2, candidate("a", 1e8, 5.0));
        a.seq = 1;
        Event b = Event::candidate(2, candidate("b", 2e8, 4.0));
        b.seq = 2;
        doc.apply(batchOf({a, b}));
        QCOMPARE(pareto.pointCount(), 2);
        doc.select("b");
        QCOMPARE(pareto.selectedKey(), QString("b"));
        QVERIFY(doc.candidate("b"));
        QCOMPARE(doc.candidate("b")->fitness, 4.0);
        QCOMPARE(doc.front(CostMetric::Flops).size(), std::size_t(2));
        QSignalSpy selection(&doc, &RunDocument::selectionChanged);
        doc.reset("db", 3);
        QCOMPARE(selection.count(), 1);
        QCOMPARE(doc.selectedKey(), QString());
        QCOMPARE(pareto.pointCount(), 0);
        QCOMPARE(pareto.selectedKey(), QString());
    }

    void paretoViewTakesTheSearchsOwnBudget() {
        RunDocument doc;
        doc.reset("db", 2);
        ParetoView pareto;
        pareto.setDocument(&doc);
        RunInfo info;
        info.id = 2;
        info.spec.kind = "search";
        info.spec.config = {{"constraints", {"flops<=1.5e+08"}}, {"predicted", false}};
        info.status = RunStatus::Running;
        FeedBatch b;
        b.info = info;
        Event c = Event::candidate(2, candidate("a", 1e8, 5.0));
        c.seq = 1;
        Event d = Event::candidate(2, candidate("b", 2e8, 4.0));
        d.seq = 2;
        b.events = {c, d};
        doc.apply(b);
        QCOMPARE(doc.budget(CostMetric::Flops), std::optional<double>(1.5e8));
        QCOMPARE(doc.budget(CostMetric::Latency), std::optional<double>());
        QCOMPARE(pareto.budget(), 1.5e8);
        QCOMPARE(pareto.feasibleCount(), 1);
        // The line is inside the plot, not on its border.
        pareto.resize(800, 500);
        pareto.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pareto));
        pareto.plot()->replot();
        const QRect rect = pareto.plot()->axisRect()->rect();
        QVERIFY(rect.width() > 400);
        QVERIFY(pareto.budgetLinePixel() > rect.left() + 2 && pareto.budgetLinePixel() < rect.right() - 2);
        // Latency has no budget in this search: none is drawn.
        pareto.setCostMetric(CostMetric::Latency);
        QVERIFY(std::isinf(pareto.budget()));
        pareto.setCostMetric(CostMetric::Flops);
        QCOMPARE(pareto.budget(), 1.5e8);
    }

    void noBudgetLineWaitsInsideThePlot() {
        ParetoView pareto;
        pareto.resize(800, 500);
        pareto.addCandidates({candidate("a", 1e8, 5.0), candidate("b", 2e8, 4.0)});
        pareto.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pareto));
        pareto.plot()->replot();
        const QRect rect = pareto.plot()->axisRect()->rect();
        QVERIFY(rect.width() > 400);
        QVERIFY2(pareto.budgetLinePixel() < rect.right() - 5,
                 qPrintable(QString("%1 vs %2").arg(pareto.budgetLinePixel()).arg(rect.right())));
        QVERIFY(pareto.budgetLinePixel() > rect.left());
    }

    void zoomSurvivesAHundredLiveBatches() {
        RunDocument doc;
        doc.reset("db", 1);
        TrainingView view;
        view.resize(1000, 700);
        view.setDocument(&doc);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        std::int64_t seq = 0;
        doc.apply(steps(1, 50, seq));
        QVERIFY(view.follow());
        QCPAxis* x = view.lossRect()->axis(QCPAxis::atBottom);
        QVERIFY(x->range().upper >= 50);
        view.plot()->replot();
        // The user zooms in with the wheel over the loss panel.
        const QPointF at = view.lossRect()->rect().center();
        QWheelEvent wheel(at, view.plot()->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        const QCPRange before = x->range();
        QApplication::sendEvent(view.plot(), &wheel);
        const QCPRange zoomed = x->range();
        QVERIFY2(zoomed.size() < 0.9 * before.size(), qPrintable(QString("%1..%2 -> %3..%4")
                                                                     .arg(before.lower)
                                                                     .arg(before.upper)
                                                                     .arg(zoomed.lower)
                                                                     .arg(zoomed.upper)));
        QVERIFY(!view.follow());
        QVERIFY(!view.followButton()->isChecked());
        for (int i = 0; i < 100; ++i) {
            const std::int64_t from = 51 + 5 * i;
            doc.apply(steps(from, from + 4, seq));
        }
        QCOMPARE(view.trainLoss().size(), 550);
        QCOMPARE(x->range().lower, zoomed.lower);
        QCOMPARE(x->range().upper, zoomed.upper);
        // Follow again: every update in view.
        view.followButton()->click();
        QVERIFY(view.follow());
        QVERIFY(x->range().upper >= 550);
        QVERIFY(x->range().lower <= 1);
    }

    void paretoZoomAndSelectionSurviveLiveCandidates() {
        RunDocument doc;
        doc.reset("db", 2);
        ParetoView pareto;
        pareto.resize(900, 600);
        pareto.setDocument(&doc);
        pareto.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pareto));
        std::int64_t seq = 0;
        std::vector<Event> first;
        for (int i = 0; i < 20; ++i) {
            Event e = Event::candidate(2, candidate("c" + std::to_string(i), 1e8 + 1e7 * i, 5.0 - 0.05 * i));
            e.seq = ++seq;
            first.push_back(e);
        }
        doc.apply(batchOf(first));
        doc.select("c3");
        pareto.setBudget(2e8);
        pareto.plot()->replot();
        const QPointF at = pareto.plot()->axisRect()->rect().center();
        QWheelEvent wheel(at, pareto.plot()->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(pareto.plot(), &wheel);
        QVERIFY(!pareto.follow());
        const QCPRange xr = pareto.plot()->xAxis->range(), yr = pareto.plot()->yAxis->range();
        for (int b = 0; b < 100; ++b) {
            Event e =
                Event::candidate(2, candidate("n" + std::to_string(b), 5e7 + 3e6 * b, 6.0 - 0.02 * b, 1));
            e.seq = ++seq;
            doc.apply(batchOf({e}));
        }
        QCOMPARE(pareto.pointCount(), 120);
        QCOMPARE(pareto.plot()->xAxis->range().lower, xr.lower);
        QCOMPARE(pareto.plot()->xAxis->range().upper, xr.upper);
        QCOMPARE(pareto.plot()->yAxis->range().lower, yr.lower);
        QCOMPARE(pareto.selectedKey(), QString("c3"));
        QCOMPARE(doc.selectedKey(), QString("c3"));
        QCOMPARE(pareto.budget(), 2e8);
        pareto.followButton()->click();
        QVERIFY(pareto.plot()->xAxis->range().lower <= 5e7);
    }
};

AUTOMOE_TEST_MAIN(TestRunDocument)
#include "tst_run_document.moc"
