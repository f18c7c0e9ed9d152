// Pins TrainingView: it plots exactly the rows it is given (loss, learning rate, tokens per second,
// validation by subnet), smooths the loss the same whether rows come in one batch or many, shows the latest
// routing snapshot per MoE layer, draws the routing health a RunDocument collected (a line per MoE layer,
// each update once, unreadable events counted), clears, and exports.
#include "ui/plots/TrainingView.h"

#include "ui/plots/LegendPlacement.h"

#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include "TestMain.h"
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

std::vector<TrainingStepRow> steps(int count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<TrainingStepRow> rows;
    for (int i = 1; i <= count; ++i) {
        TrainingStepRow r;
        r.update = i;
        r.loss = 4 + 6 * std::exp(-i / 50.0) + 0.2 * u(rng);
        r.lr = 5e-4 * std::min(1.0, i / 20.0);
        r.tokens = 1000 + i;
        r.wallMs = i % 10 == 0 ? 0.0 : 200 + 100 * u(rng); // 0: no timing, no throughput point
        rows.push_back(r);
    }
    return rows;
}

// A "routing_health" event as a training run writes it: the core's routingHealth() of a snapshot with an
// encoder layer 0 of four experts and a decoder layer 1 of two.
Event healthEvent(std::int64_t update, std::vector<double> encoder, std::vector<double> decoder,
                  std::int64_t seq) {
    RoutingSnapshot s;
    s.update = update;
    for (std::size_t e = 0; e < encoder.size(); ++e)
        s.rows.push_back({"encoder", 0, int(e), encoder[e]});
    for (std::size_t e = 0; e < decoder.size(); ++e)
        s.rows.push_back({"decoder", 1, int(e), decoder[e]});
    Event ev = Event::make(1, "routing_health", toJson(routingHealth(s)));
    ev.seq = seq;
    return ev;
}

FeedBatch batchOf(std::vector<Event> events) {
    FeedBatch b;
    b.firstSeq = events.front().seq;
    b.lastSeq = events.back().seq;
    b.events = std::move(events);
    return b;
}

bool near(const QVector<QPointF>& a, const QVector<QPointF>& b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); ++i)
        if (a[i].x() != b[i].x() || std::abs(a[i].y() - b[i].y()) > 1e-12) return false;
    return true;
}

} // namespace

class TestTrainingView : public QObject {
    Q_OBJECT

private slots:
    void plotsExactlyTheRowsGiven() {
        const auto rows = steps(120, 1);
        TrainingView view;
        view.addTrainingSteps(rows);
        const QVector<QPointF> loss = view.trainLoss(), lr = view.learningRate(),
                               tps = view.tokensPerSecond();
        QCOMPARE(loss.size(), 120);
        QCOMPARE(lr.size(), 120);
        QCOMPARE(tps.size(), 120 - 12);
        int t = 0;
        for (int i = 0; i < 120; ++i) {
            QCOMPARE(loss[i], QPointF(double(rows[std::size_t(i)].update), rows[std::size_t(i)].loss));
            QCOMPARE(lr[i], QPointF(double(rows[std::size_t(i)].update), rows[std::size_t(i)].lr));
            if (rows[std::size_t(i)].wallMs > 0) {
                QCOMPARE(tps[t].x(), double(rows[std::size_t(i)].update));
                QCOMPARE(tps[t].y(),
                         double(rows[std::size_t(i)].tokens) * 1000.0 / rows[std::size_t(i)].wallMs);
                ++t;
            }
        }
        QCOMPARE(view.smoothedTrainLoss().size(), 120);
        QCOMPARE(view.smoothedTrainLoss().first().y(), rows.front().loss); // debiased: starts at the data
    }

    void smoothingIsTheSameForOneBatchOrMany() {
        const auto rows = steps(200, 2);
        TrainingView once;
        once.addTrainingSteps(rows);
        TrainingView many;
        for (std::size_t i = 0; i < rows.size(); i += 7)
            many.addTrainingSteps(
                std::vector<TrainingStepRow>(rows.begin() + std::ptrdiff_t(i),
                                             rows.begin() + std::ptrdiff_t(std::min(rows.size(), i + 7))));
        QCOMPARE(many.trainLoss(), once.trainLoss());
        QCOMPARE(many.learningRate(), once.learningRate());
        QCOMPARE(many.tokensPerSecond(), once.tokensPerSecond());
        const auto a = many.smoothedTrainLoss(), b = once.smoothedTrainLoss();
        QCOMPARE(a.size(), b.size());
        for (int i = 0; i < a.size(); ++i)
            QVERIFY(qFuzzyCompare(a[i].y(), b[i].y()));

        // Hand-computed debiased moving average with weight 0.5 on losses 4, 2, 6.
        TrainingView small;
        small.setSmoothing(0.5);
        std::vector<TrainingStepRow> three(3);
        const double losses[] = {4, 2, 6};
        for (int i = 0; i < 3; ++i) {
            three[std::size_t(i)].update = i + 1;
            three[std::size_t(i)].loss = losses[i];
        }
        small.addTrainingSteps(three);
        const auto s = small.smoothedTrainLoss();
        QCOMPARE(s[0].y(), 4.0);
        QCOMPARE(s[1].y(), (0.25 * 4 + 0.5 * 2) / 0.75);
        QCOMPARE(s[2].y(), (0.125 * 4 + 0.25 * 2 + 0.5 * 6) / 0.875);
    }

    void validationsGoToTheirSubnet() {
        TrainingView view;
        view.addValidations({{100, "largest", 5.0, std::nullopt},
                             {100, "smallest", 5.6, std::nullopt},
                             {200, "largest", 4.5, 21.0},
                             {200, "enc512-L6-x3", 4.9, std::nullopt}});
        QCOMPARE(view.validationLoss("largest"), (QVector<QPointF>{{100, 5.0}, {200, 4.5}}));
        QCOMPARE(view.validationLoss("smallest"), (QVector<QPointF>{{100, 5.6}}));
        QCOMPARE(view.validationLoss("other"), (QVector<QPointF>{{200, 4.9}}));
    }

    void showsTheLatestRoutingPerLayer() {
        TrainingView view;
        QVERIFY(!view.routingUpdate());
        RoutingSnapshot first;
        first.update = 10;
        first.rows = {{"encoder", 0, 0, 0.5}, {"encoder", 0, 1, 0.5}};
        view.setRouting(first);
        RoutingSnapshot latest;
        latest.update = 20;
        latest.rows = {{"decoder", 1, 0, 0.2},
                       {"decoder", 1, 1, 0.3},
                       {"decoder", 1, 2, 0.5},
                       {"encoder", 2, 1, 0.75},
                       {"encoder", 2, 0, 0.25}};
        view.setRouting(latest);
        QCOMPARE(view.routingUpdate(), std::optional<std::int64_t>(20));
        const auto load = view.expertLoad();
        QCOMPARE(load.size(), std::size_t(2));
        QCOMPARE(load[0].stack, QString("encoder"));
        QCOMPARE(load[0].layer, 2);
        QCOMPARE(load[0].fractions, (std::vector<double>{0.25, 0.75}));
        QCOMPARE(load[1].stack, QString("decoder"));
        QCOMPARE(load[1].fractions, (std::vector<double>{0.2, 0.3, 0.5}));

        view.resize(1000, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        // The stacked bars are drawn: the routing panel holds expert colours.
        const QImage image = view.plot()->toPixmap().toImage();
        const QColor expert0 = FigurePalette().expert(0);
        int hits = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = image.width() / 2; x < image.width(); x += 2)
                hits += image.pixelColor(x, y) == expert0;
        QVERIFY(hits > 50);
    }

    // A RunDocument collects every update's routing health (a re-emitted update once, the later event
    // winning; an unreadable payload listed) and the view draws a busiest-share and an entropy line per MoE
    // layer with the core's numbers.
    void routingHealthFromTheDocument() {
        RunDocument doc;
        doc.reset("db", 1);
        TrainingView view;
        view.setDocument(&doc);
        const RoutingHealthPanel& health = view.routingHealth();
        QCOMPARE(health.layerCount(), 0);
        QSignalSpy changed(&doc, &RunDocument::routingHealthChanged);

        Event bad = Event::make(1, "routing_health", {{"update", 300}, {"subnet", "largest"}});
        bad.seq = 5;
        doc.apply(batchOf({healthEvent(100, {0.7, 0.1, 0.1, 0.1}, {0.5, 0.5}, 1),
                           healthEvent(200, {0.1, 0.2, 0.3, 0.4}, {0.9, 0.1}, 2)}));
        // Killed after update 200 and resumed from a checkpoint at 100: 200 comes again, then 300 and 400.
        doc.apply(batchOf({healthEvent(200, {0.25, 0.25, 0.25, 0.25}, {0.99, 0.01}, 3),
                           healthEvent(400, {0.0, 1.0, 0.0, 0.0}, {0.6, 0.4}, 4), bad}));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(doc.routingHealth().history().size(), std::size_t(3));
        QCOMPARE(doc.routingHealth().errors(),
                 QStringList{"event 5 (routing_health): routing_health event: missing field \"layers\""});

        QCOMPARE(health.layerCount(), 2);
        QCOMPARE(health.layerName(0), QString("Enc 1"));
        QCOMPARE(health.layerName(1), QString("Dec 2"));
        // Both series of each layer in one panel, the busiest share shown; the legend lists the layers once.
        QCOMPARE(health.rect()->graphs().size(), 4);
        QCOMPARE(health.legend()->itemCount(), 2);
        QCOMPARE(health.legend()->itemWithPlottable(health.shareGraph(1)), health.legend()->item(1));
        for (int i = 0; i < 2; ++i) {
            QVERIFY(health.shareGraph(i)->visible() && !health.entropyGraph(i)->visible());
            QCOMPARE(health.shareGraph(i)->pen().color(), health.entropyGraph(i)->pen().color());
        }
        QVERIFY(health.layerColour(0) != health.layerColour(1));
        // Busiest shares by hand; entropy / ln n: 0.7/0.1/0.1/0.1 -> 0.6783898247235198 (tst_routinghealth),
        // uniform -> 1, all on one expert -> 0; 0.99/0.01 -> -(0.99 ln 0.99 + 0.01 ln 0.01) / ln 2
        // = (0.00995 + 0.04605) / 0.693147 = 0.0807931358959, 0.6/0.4 -> 0.6730116670092565 / ln 2.
        QVERIFY(near(health.busiestShare(0), {{100, 0.7}, {200, 0.25}, {400, 1.0}}));
        QVERIFY(near(health.normalizedEntropy(0), {{100, 0.6783898247235198}, {200, 1.0}, {400, 0.0}}));
        QVERIFY(near(health.busiestShare(1), {{100, 0.5}, {200, 0.99}, {400, 0.6}}));
        const QVector<QPointF> dec = health.normalizedEntropy(1);
        QCOMPARE(dec.size(), 3);
        QCOMPARE(dec[0].y(), 1.0);
        QVERIFY(std::abs(dec[1].y() - 0.0807931358959) < 1e-12);
        QVERIFY(std::abs(dec[2].y() - 0.6730116670092565 / std::log(2.0)) < 1e-12);
        // The collapse line at 60 %, the unreadable event noted.
        QCOMPARE(health.collapseLine()->point1->coords().y(), 0.6);
        QCOMPARE(health.collapseLine()->point2->coords().y(), 0.6);
        QVERIFY(health.collapseLine()->visible());
        QCOMPARE(health.collapseLabel()->text(), QString("collapse (60 %)"));
        QCOMPARE(health.note()->text(), QString("1 routing_health event(s) not read"));
        // On the update axis of the loss.
        QCOMPARE(health.rect()->axis(QCPAxis::atBottom)->range(),
                 view.lossRect()->axis(QCPAxis::atBottom)->range());

        // Drawn: the decoder layer's colour appears in the panel, and the tooltip names the update.
        view.resize(1400, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto hitsOf = [&](const QColor& want) {
            view.plot()->replot(QCustomPlot::rpImmediateRefresh);
            const QRect panel = health.rect()->rect();
            const QImage image = view.plot()->toPixmap().toImage();
            int hits = 0;
            for (int y = panel.top(); y < panel.bottom(); ++y)
                for (int x = panel.left(); x < panel.right(); ++x) {
                    const QColor c = image.pixelColor(x, y);
                    hits += std::abs(c.red() - want.red()) + std::abs(c.green() - want.green()) +
                                std::abs(c.blue() - want.blue()) <
                            24; // the line's core (antialiased at its edges)
                }
            return hits;
        };
        QVERIFY2(hitsOf(health.layerColour(1)) > 30, "the decoder layer's line is not drawn");
        const double x = health.rect()->axis(QCPAxis::atBottom)->coordToPixel(200);
        const QString tip = view.toolTipAt(QPointF(x, health.rect()->rect().center().y()));
        QVERIFY2(tip.contains("update 200") && tip.contains("Dec 2: expert 1 of 2 takes 99.0 %"),
                 qPrintable(tip));

        // Balance: the entropy lines instead, no collapse line.
        view.balanceButton()->click();
        QCOMPARE(health.metric(), RoutingHealthPanel::Metric::Balance);
        for (int i = 0; i < 2; ++i)
            QVERIFY(!health.shareGraph(i)->visible() && health.entropyGraph(i)->visible());
        QVERIFY(!health.collapseLine()->visible());
        QCOMPARE(health.rect()->axis(QCPAxis::atLeft)->label(), QString("Balance"));
        QVERIFY2(hitsOf(health.layerColour(1)) > 30, "the decoder layer's balance is not drawn");

        doc.reset("db", 2); // another run: nothing drawn
        QCOMPARE(health.layerCount(), 0);
        QVERIFY(!health.legend()->visible());
    }

    // coveredSamples on a hand-sized rect: 400 x 300 pixels, one unit a pixel (y up). A horizontal line at
    // y = 150 from x = 0 to 400 is sampled every 4 px (x = 4 ... 396); the 100 x 20 px box from x = 100 to
    // 200 holds the samples at x = 100, 104, ..., 200: 26. Without lines only data points count, a marker 4.
    void legendPlacementCountsWhatALegendWouldHide() {
        QCustomPlot plot;
        plot.setViewport(QRect(0, 0, 400, 300));
        QCPAxisRect* rect = plot.axisRect();
        rect->setAutoMargins(QCP::msNone);
        rect->setMargins(QMargins(0, 0, 0, 0));
        plot.xAxis->setRange(0, 400);
        plot.yAxis->setRange(0, 300);
        QCPGraph* line = plot.addGraph();
        line->setData({0, 400}, {150, 150});
        plot.replot();
        QCOMPARE(rect->rect(), QRect(0, 0, 400, 300));
        const QRectF box(100, 140, 100, 20); // y 140..160 in pixels: value 140..160
        QCOMPARE(LegendPlacement::coveredSamples(*rect, box), 26);
        line->setLineStyle(QCPGraph::lsNone);
        QCOMPARE(LegendPlacement::coveredSamples(*rect, box), 0);
        line->addData(150, 150);
        QCOMPARE(LegendPlacement::coveredSamples(*rect, box), 1);
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
        QCOMPARE(LegendPlacement::coveredSamples(*rect, box), 4);
        line->setVisible(false);
        QCOMPARE(LegendPlacement::coveredSamples(*rect, box), 0);
        // The corner rectangles of a 120 x 50 legend, inside the inset layout's 12 px margins.
        QCOMPARE(rect->insetLayout()->rect(), QRect(12, 12, 376, 276));
        const QSizeF size(120, 50);
        QCOMPARE(LegendPlacement::cornerRect(*rect, size, Qt::AlignTop | Qt::AlignRight),
                 QRectF(268, 12, 120, 50));
        QCOMPARE(LegendPlacement::cornerRect(*rect, size, Qt::AlignBottom | Qt::AlignLeft),
                 QRectF(12, 238, 120, 50));
    }

    // Points fill the plot but for one quadrant: the legend goes to that quadrant's corner, flush with it.
    void legendGoesToTheFreeCorner_data() {
        QTest::addColumn<int>("free");
        QTest::newRow("top left") << int(Qt::AlignTop | Qt::AlignLeft);
        QTest::newRow("bottom right") << int(Qt::AlignBottom | Qt::AlignRight);
        QTest::newRow("bottom left") << int(Qt::AlignBottom | Qt::AlignLeft);
        QTest::newRow("top right") << int(Qt::AlignTop | Qt::AlignRight);
    }
    void legendGoesToTheFreeCorner() {
        QFETCH(int, free);
        QCustomPlot plot;
        plot.resize(500, 400);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QCPAxisRect* rect = plot.axisRect();
        plot.xAxis->setRange(0, 10);
        plot.yAxis->setRange(0, 10);
        QCPGraph* cloud = plot.addGraph();
        cloud->setName("cloud");
        cloud->setLineStyle(QCPGraph::lsNone);
        cloud->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        const bool freeLeft = free & Qt::AlignLeft, freeTop = free & Qt::AlignTop;
        for (double x = 0.25; x < 10; x += 0.5)
            for (double y = 0.25; y < 10; y += 0.5)
                if ((x < 5) != freeLeft || (y >= 5) != freeTop) cloud->addData(x, y);
        plot.addGraph()->setName("second entry");
        plot.legend->setVisible(true);
        rect->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
        LegendPlacement placement(&plot, rect, plot.legend);
        plot.replot(QCustomPlot::rpImmediateRefresh); // lays the rect out
        plot.replot(QCustomPlot::rpImmediateRefresh); // places the legend by it
        QCOMPARE(int(placement.corner()), free);
        const QRect legend = plot.legend->outerRect(), area = rect->insetLayout()->rect();
        // Within a pixel (QCustomPlot's far edges and QRect::right() differ by one).
        const int dx = freeLeft ? legend.left() - area.left() : legend.right() - area.right();
        const int dy = freeTop ? legend.top() - area.top() : legend.bottom() - area.bottom();
        QVERIFY2(std::abs(dx) <= 1 && std::abs(dy) <= 1,
                 qPrintable(QString("off by %1, %2").arg(dx).arg(dy)));
        QCOMPARE(LegendPlacement::coveredSamples(*rect, legend), 0);
    }

    // A legend too big for its rect leaves it for a row above, its entries side by side as far as they fit
    // (none clipped), and comes back into a corner once the rect has grown.
    void legendLeavesASmallRectAndComesBack() {
        QCustomPlot plot;
        QCPAxisRect* rect = plot.axisRect();
        for (const char* name :
             {"Training loss", "Run 1 \u00B7 shared, 12 min (shown)", "Validation, largest subnet",
              "Validation, smallest subnet", "Validation, other subnets", "Run 2 \u00B7 mos-layer"})
            plot.addGraph()->setName(QString::fromUtf8(name));
        plot.legend->setVisible(true);
        LegendPlacement placement(&plot, rect, plot.legend);
        placement.setOutside(plot.plotLayout(), 0);
        auto settle = [&plot](QSize size) {
            plot.resize(size);
            plot.setViewport(QRect(QPoint(0, 0), size));
            for (int i = 0; i < 3; ++i) // lay out, place, lay out the new place
                plot.replot(QCustomPlot::rpImmediateRefresh);
        };
        auto entries = [&plot] {
            QList<QRect> rects;
            for (int i = 0; i < plot.legend->itemCount(); ++i)
                if (QCPAbstractLegendItem* item = plot.legend->item(i)) rects << item->outerRect();
            return rects;
        };
        auto unclipped = [&plot, &entries] {
            for (const QRect& r : entries())
                if (r.width() < 1 || r.right() > plot.viewport().right() ||
                    !plot.legend->outerRect().adjusted(0, 0, 1, 1).contains(r))
                    return false;
            return true;
        };

        settle(QSize(420, 260)); // the legend would take a third of the rect
        QVERIFY(placement.isOutside());
        QCOMPARE(plot.plotLayout()->rowCount(), 2);
        QCOMPARE(plot.plotLayout()->element(0, 0), static_cast<QCPLayoutElement*>(plot.legend));
        QCOMPARE(rect->insetLayout()->elementCount(), 0);
        QCOMPARE(entries().size(), 6);
        QVERIFY(unclipped());
        QVERIFY(plot.legend->outerRect().bottom() <= rect->outerRect().top()); // above the rect, not on it
        QVERIFY(plot.legend->wrap() < 6);

        settle(QSize(1600, 150)); // wide and short: still outside, the six entries in one row
        QVERIFY(placement.isOutside());
        QCOMPARE(plot.legend->wrap(), 6);
        QVERIFY(unclipped());
        for (const QRect& r : entries())
            QCOMPARE(r.top(), entries().first().top());

        settle(QSize(1400, 1000)); // room enough: back in a corner, one column in its box
        QVERIFY(!placement.isOutside());
        QCOMPARE(plot.plotLayout()->rowCount(), 1);
        QCOMPARE(rect->insetLayout()->elementCount(), 1);
        QCOMPARE(rect->insetLayout()->elementAt(0), static_cast<QCPLayoutElement*>(plot.legend));
        QCOMPARE(plot.legend->wrap(), 0);
        QVERIFY(rect->rect().contains(plot.legend->outerRect()));
        QSet<int> lefts;
        for (const QRect& r : entries())
            lefts << r.left();
        QCOMPARE(lefts.size(), 1);
        QVERIFY(plot.legend->borderPen() != QPen(Qt::NoPen)); // its box is back
    }

    // In the Training view: a falling loss leaves the top right free, the legend stays there; a rising one
    // fills it, the legend moves to the top left (free: the loss starts low).
    void trainingLegendAvoidsTheCurves_data() {
        QTest::addColumn<double>("slope");
        QTest::addColumn<int>("corner");
        QTest::newRow("falling loss") << -0.02 << int(Qt::AlignTop | Qt::AlignRight);
        QTest::newRow("rising loss") << 0.02 << int(Qt::AlignTop | Qt::AlignLeft);
    }
    void trainingLegendAvoidsTheCurves() {
        QFETCH(double, slope);
        QFETCH(int, corner);
        std::vector<TrainingStepRow> rows;
        for (int i = 1; i <= 300; ++i) {
            TrainingStepRow r;
            r.update = i;
            r.loss = 7 + slope * (i - 150);
            r.lr = 1e-4;
            r.tokens = 1000;
            r.wallMs = 100;
            rows.push_back(r);
        }
        TrainingView view;
        view.resize(1000, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(int(view.legendCorner()), int(Qt::AlignTop | Qt::AlignRight));
        view.addTrainingSteps(rows);
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(int(view.legendCorner()), corner);
    }

    void clearEmptiesEveryPanel() {
        TrainingView view;
        view.addTrainingSteps(steps(30, 3));
        view.addValidations({{10, "largest", 5.0, std::nullopt}});
        RoutingSnapshot snap;
        snap.update = 30;
        snap.rows = {{"encoder", 0, 0, 1.0}};
        view.setRouting(snap);
        view.clear();
        QVERIFY(view.trainLoss().isEmpty());
        QVERIFY(view.smoothedTrainLoss().isEmpty());
        QVERIFY(view.tokensPerSecond().isEmpty());
        QVERIFY(view.validationLoss("largest").isEmpty());
        QVERIFY(view.expertLoad().empty());
        QVERIFY(!view.routingUpdate());
        // After clearing, a new run starts its average afresh.
        view.addTrainingSteps(steps(5, 4));
        QCOMPARE(view.smoothedTrainLoss().first().y(), view.trainLoss().first().y());
    }

    void exportsThePlot_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "training.png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "training.svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "training.pdf" << QByteArray("%PDF");
    }

    void exportsThePlot() {
        QFETCH(QString, file);
        QFETCH(QByteArray, magic);
        QTemporaryDir dir;
        TrainingView view;
        view.resize(900, 600);
        view.addTrainingSteps(steps(300, 5));
        const QString path = dir.filePath(file);
        QString error;
        QVERIFY2(view.exportPlot(path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 1000);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
    }
};

AUTOMOE_TEST_MAIN(TestTrainingView)
#include "tst_training_view.moc"
