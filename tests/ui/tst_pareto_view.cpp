// Pins ParetoView: the front equals the hand-computed non-dominated set (and a brute-force one on random
// points); dragging the budget line with the mouse sets the budget and the feasible count; a click selects
// the nearest candidate; the cost metric switches the plotted x; one batch and many batches plot the same
// (live and replay); overlays; export.
#include "ui/plots/ParetoFrontTracker.h"
#include "ui/plots/ParetoView.h"

#include <qcustomplot.h>

#include "TestMain.h"
#include <QComboBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

CandidateRow candidate(std::int64_t id, std::int64_t generation, double flops, double fitness,
                       std::int64_t params = 0, std::optional<double> latency = std::nullopt,
                       std::optional<double> predicted = std::nullopt) {
    CandidateRow r;
    r.generation = generation;
    r.architecture.id = id;
    r.architecture.key = "arch-" + std::to_string(id);
    r.flops = flops;
    r.fitness = fitness;
    r.paramsActive = params;
    r.latencyMs = latency;
    r.predictedLatencyMs = predicted;
    return r;
}

// (cost, fitness): A(1,5) B(2,4) C(3,4.5) D(4,2) E(2,4) F(5,2) G(6,1) H(7,3).
// C is dominated by B; E equals B (the first stays); F by D; H by G. Front: A, B, D, G.
std::vector<CandidateRow> handMade() {
    return {candidate(1, 0, 1, 5), candidate(2, 0, 2, 4), candidate(3, 0, 3, 4.5), candidate(4, 1, 4, 2),
            candidate(5, 1, 2, 4), candidate(6, 1, 5, 2), candidate(7, 2, 6, 1),   candidate(8, 2, 7, 3)};
}

std::vector<CandidateRow> randomRows(int generations, int perGeneration, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<CandidateRow> rows;
    std::int64_t id = 1;
    for (int g = 0; g < generations; ++g)
        for (int i = 0; i < perGeneration; ++i) {
            const double flops = 1e8 + u(rng) * 3e9;
            rows.push_back(candidate(id, g, flops, 3.5 + 2e9 / flops * u(rng), std::int64_t(flops / 30),
                                     i % 3 == 0 ? std::optional<double>(flops / 4e7) : std::nullopt,
                                     i % 3 == 1 ? std::optional<double>(flops / 5e7) : std::nullopt));
            ++id;
        }
    return rows;
}

std::vector<qint64> ids(const std::vector<ParetoView::PlottedPoint>& points) {
    std::vector<qint64> out;
    for (const auto& p : points)
        out.push_back(p.architectureId);
    return out;
}

void showAndLayout(ParetoView& view) {
    view.resize(900, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.plot()->replot(QCustomPlot::rpImmediateRefresh); // lays out the axis rect
}

} // namespace

class TestParetoView : public QObject {
    Q_OBJECT

private slots:
    void frontIsTheHandComputedNonDominatedSet() {
        ParetoView view;
        view.addCandidates(handMade());
        QCOMPARE(view.pointCount(), 8);
        QCOMPARE(ids(view.front()), (std::vector<qint64>{1, 2, 4, 7}));
        std::vector<qint64> flagged;
        for (const auto& p : view.points())
            if (p.onFront) flagged.push_back(p.architectureId);
        QCOMPARE(flagged, (std::vector<qint64>{1, 2, 4, 7}));
    }

    void trackerAgreesWithBruteForce_data() {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("count");
        QTest::newRow("continuous") << quint64(1) << 500;
        QTest::newRow("ties on a grid") << quint64(2) << 400;
        QTest::newRow("single point") << quint64(3) << 1;
    }

    void trackerAgreesWithBruteForce() {
        QFETCH(quint64, seed);
        QFETCH(int, count);
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        const bool grid = QByteArray(QTest::currentDataTag()).startsWith("ties");
        std::vector<std::pair<double, double>> pts;
        ParetoFrontTracker tracker;
        for (int i = 0; i < count; ++i) {
            double x = u(rng), y = u(rng);
            if (grid) {
                x = std::floor(x * 12);
                y = std::floor(y * 12);
            }
            pts.emplace_back(x, y);
            tracker.add(x, y, std::size_t(i));
        }
        // Brute force: i is on the front when nothing earlier equals it and nothing dominates it.
        std::vector<std::size_t> expected;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            bool keep = true;
            for (std::size_t j = 0; j < pts.size() && keep; ++j) {
                if (i == j) continue;
                const bool noWorse = pts[j].first <= pts[i].first && pts[j].second <= pts[i].second;
                const bool better = pts[j].first < pts[i].first || pts[j].second < pts[i].second;
                if (noWorse && (better || j < i)) keep = false;
            }
            if (keep) expected.push_back(i);
        }
        std::vector<std::size_t> got;
        for (const auto& p : tracker.front())
            got.push_back(p.index);
        std::sort(got.begin(), got.end());
        QCOMPARE(got, expected);
    }

    void draggingTheBudgetLineSetsBudgetAndFeasibleCount() {
        ParetoView view;
        view.addCandidates(handMade());
        showAndLayout(view);
        QSignalSpy budgetSpy(&view, &ParetoView::budgetChanged);
        QVERIFY(!std::isfinite(view.budget()));
        QCOMPARE(view.feasibleCount(), 8);

        QCustomPlot* plot = view.plot();
        const int y = plot->axisRect()->rect().center().y();
        const QPoint grab(int(std::lround(view.budgetLinePixel())), y);
        const QPoint target(int(std::lround(view.pixelFor(3.5, 3).x())), y);
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, grab);
        QTest::mouseMove(plot, (grab + target) / 2);
        QTest::mouseMove(plot, target);
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, target);

        // One pixel is a few hundredths of a cost unit here.
        const double pixel = plot->xAxis->range().size() / plot->axisRect()->width();
        QVERIFY2(std::abs(view.budget() - 3.5) <= pixel, qPrintable(QString::number(view.budget())));
        QVERIFY(budgetSpy.count() >= 1);
        QCOMPARE(budgetSpy.last().at(0).toDouble(), view.budget());
        // Costs 1, 2, 3 and 2 are within 3.5: A, B, C, E.
        QCOMPARE(view.feasibleCount(), 4);
        std::vector<qint64> within;
        for (const auto& p : view.points())
            if (p.withinBudget) within.push_back(p.architectureId);
        QCOMPARE(within, (std::vector<qint64>{1, 2, 3, 5}));

        // Dragging further left, to 1.5, keeps only A.
        const QPoint again(int(std::lround(view.budgetLinePixel())), y);
        const QPoint left(int(std::lround(view.pixelFor(1.5, 3).x())), y);
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, again);
        QTest::mouseMove(plot, left);
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, left);
        QCOMPARE(view.feasibleCount(), 1);
    }

    void clickSelectsTheNearestCandidate() {
        ParetoView view;
        view.addCandidates(handMade());
        showAndLayout(view);
        QSignalSpy spy(&view, &ParetoView::candidateSelected);
        const QPoint d = view.pixelFor(4, 2).toPoint() + QPoint(2, -1);
        QTest::mouseClick(view.plot(), Qt::LeftButton, Qt::NoModifier, d);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toLongLong(), qint64(4));
        QCOMPARE(spy.at(0).at(1).toString(), QString("arch-4"));
        QCOMPARE(view.selectedArchitectureId(), std::optional<qint64>(4));
        QVERIFY(view.toolTipAt(d).contains("arch-4"));

        // Far from every point: nothing is selected.
        const QPoint empty = view.pixelFor(6.5, 4.8).toPoint();
        QTest::mouseClick(view.plot(), Qt::LeftButton, Qt::NoModifier, empty);
        QCOMPARE(spy.count(), 1);
        QVERIFY(view.toolTipAt(empty).isEmpty());
    }

    void costMetricChangesThePlottedX() {
        ParetoView view;
        view.addCandidates({candidate(1, 0, 1e9, 4.0, 30'000'000, 12.0, 15.0),
                            candidate(2, 0, 2e9, 3.5, 60'000'000, std::nullopt, 25.0),
                            candidate(3, 1, 3e9, 3.2, 90'000'000)});
        auto xs = [&view] {
            std::vector<double> out;
            for (const QPointF& p : view.plottedData())
                out.push_back(p.x());
            return out;
        };
        QCOMPARE(xs(), (std::vector<double>{1e9, 2e9, 3e9}));
        view.setCostMetric(ParetoView::CostMetric::ActiveParams);
        QCOMPARE(xs(), (std::vector<double>{30e6, 60e6, 90e6}));
        // Latency: measured when there is one, else predicted; candidate 3 has neither.
        view.metricBox()->setCurrentIndex(view.metricBox()->findData(int(ParetoView::CostMetric::Latency)));
        QCOMPARE(view.costMetric(), ParetoView::CostMetric::Latency);
        QCOMPARE(xs(), (std::vector<double>{12.0, 25.0}));
        QCOMPARE(view.pointCount(), 2);
        QCOMPARE(ids(view.front()), (std::vector<qint64>{1, 2}));
        QCOMPARE(view.plot()->xAxis->label(), QString("Latency (ms)"));
    }

    void oneBatchAndManyBatchesPlotTheSame() {
        const std::vector<CandidateRow> rows = randomRows(6, 50, 7);
        ParetoView once;
        once.addCandidates(rows);
        ParetoView perGeneration;
        for (int g = 0; g < 6; ++g)
            perGeneration.addCandidates(
                std::vector<CandidateRow>(rows.begin() + g * 50, rows.begin() + (g + 1) * 50));
        ParetoView ragged;
        std::mt19937_64 rng(3);
        for (std::size_t i = 0; i < rows.size();) {
            const std::size_t n = std::min(rows.size() - i, std::size_t(1 + rng() % 17));
            ragged.addCandidates(std::vector<CandidateRow>(rows.begin() + std::ptrdiff_t(i),
                                                           rows.begin() + std::ptrdiff_t(i + n)));
            i += n;
        }
        // Replaying an already shown batch adds nothing.
        ragged.addCandidates(std::vector<CandidateRow>(rows.begin(), rows.begin() + 20));

        for (ParetoView* other : {&perGeneration, &ragged}) {
            QCOMPARE(other->pointCount(), once.pointCount());
            QCOMPARE(other->plottedData(), once.plottedData());
            QCOMPARE(ids(other->points()), ids(once.points()));
            QCOMPARE(ids(other->front()), ids(once.front()));
            const auto a = other->points(), b = once.points();
            for (std::size_t i = 0; i < a.size(); ++i) {
                QCOMPARE(a[i].cost, b[i].cost);
                QCOMPARE(a[i].fitness, b[i].fitness);
                QCOMPARE(a[i].generation, b[i].generation);
            }
        }
        QCOMPARE(once.pointCount(), 300);
        once.clear();
        QCOMPARE(once.pointCount(), 0);
        QVERIFY(once.plottedData().empty());
        QVERIFY(once.front().empty());
    }

    void overlaysAnotherRunsFront() {
        ParetoView view;
        view.addCandidates(randomRows(2, 20, 1));
        view.setOverlay("baseline", handMade());
        QCOMPARE(view.overlayNames(), QStringList{"baseline"});
        QCOMPARE(view.overlayFront("baseline"),
                 (std::vector<QPointF>{QPointF(1, 5), QPointF(2, 4), QPointF(4, 2), QPointF(6, 1)}));
        view.setOverlay("baseline", {});
        QVERIFY(view.overlayNames().isEmpty());
    }

    void setBudgetProgrammaticallyAndClearIt() {
        ParetoView view;
        view.addCandidates(handMade());
        QSignalSpy spy(&view, &ParetoView::budgetChanged);
        view.setBudget(4.0);
        QCOMPARE(view.feasibleCount(), 5); // 1, 2, 3, 4, 2
        QCOMPARE(spy.count(), 1);
        view.setCostMetric(ParetoView::CostMetric::ActiveParams); // a FLOPs budget means nothing in params
        QVERIFY(!std::isfinite(view.budget()));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(view.feasibleCount(), view.pointCount());
    }

    void exportsThePlot_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "pareto.png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "pareto.svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "pareto.pdf" << QByteArray("%PDF");
    }

    void exportsThePlot() {
        QFETCH(QString, file);
        QFETCH(QByteArray, magic);
        QTemporaryDir dir;
        ParetoView view;
        view.resize(800, 560);
        view.addCandidates(randomRows(3, 30, 5));
        view.setBudget(1.5e9);
        const QString path = dir.filePath(file);
        QString error;
        QVERIFY2(view.exportPlot(path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 1000);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
        if (file.endsWith(".svg"))
            QVERIFY(bytes.count("<path") + bytes.count("<ellipse") + bytes.count("<circle") > 90);
        QVERIFY(!view.exportPlot(dir.filePath("pareto.bmpx"), &error));
        QVERIFY(error.contains("pareto.bmpx"));
    }
};

AUTOMOE_TEST_MAIN(TestParetoView)
#include "tst_pareto_view.moc"
