// Pins the parallel coordinates' raster (PolylineCloud over 1,000 lines): a redraw with the same lines,
// highlights and size reuses the image (no line is walked again); a new highlight walks only a subset against
// the kept sums of all lines, changes the picture and equals a raster from scratch; another size or new
// values rasterise every line again; the gene axes binned per pair of values give exactly the picture of
// walking every line; appended lines are walked alone, and the view appends a generation whose values stay
// inside every axis's range. With many lines a resize stretches the kept image until the size rests.
#include "ui/plots/PolylineCloud.h"

#include "ui/plots/CandidateTableView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include "TestMain.h"
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

// `count` lines over five axes: a continuous first axis (the shade), then four "genes" of 2-4 values.
std::vector<PolylineCloud::Line> lines(int count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<PolylineCloud::Line> out;
    for (int i = 0; i < count; ++i) {
        PolylineCloud::Line l;
        l.values = {u(rng), double(rng() % 3) / 2.0, double(rng() % 4) / 3.0, double(rng() % 2),
                    i % 17 == 0 ? std::nan("") : double(rng() % 3) / 2.0};
        l.shade = l.values[0];
        out.push_back(std::move(l));
    }
    return out;
}

struct Plot {
    QCustomPlot plot;
    PolylineCloud* cloud;
    Plot() {
        plot.xAxis->setRange(-0.3, 4.3);
        plot.yAxis->setRange(-0.05, 1.05);
        cloud = new PolylineCloud(plot.xAxis, plot.yAxis);
    }
    // Drawn as a PNG export draws it, at `width` x 400 (a new width: another geometry).
    QImage image(int width = 700) { return plot.toPixmap(width, 400).toImage(); }
};

// A batch of `count` candidates with fitness, FLOPs and active parameters in [lo, hi] × 4, 1e8, 1e3.
FeedBatch candidates(int first, int count, double lo, double hi, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    FeedBatch batch;
    for (int i = first; i < first + count; ++i) {
        CandidateRow c;
        c.architecture.key = "c" + std::to_string(i);
        c.architecture.json = nlohmann::json::object();
        const double t = i == first ? lo : i == first + 1 ? hi : lo + (hi - lo) * u(rng);
        c.fitness = 4 * t;
        c.flops = 1e8 * t;
        c.paramsActive = std::int64_t(1000 * t);
        batch.events.push_back(Event::candidate(1, c));
    }
    return batch;
}

} // namespace

class TestParallelRaster : public QObject {
    Q_OBJECT

private slots:
    void redrawsReuseTheImageUntilSomethingChanges() {
        Plot p;
        p.cloud->setLines(lines(3000, 1));
        const QImage first = p.image();
        QCOMPARE(p.cloud->fullRasterisations(), quint64(1));
        QCOMPARE(p.cloud->partialRasterisations(), quint64(0));
        QCOMPARE(p.image(), first); // the same picture from the kept image
        QCOMPARE(p.cloud->fullRasterisations(), quint64(1));

        // A third highlighted: only a subset walked, and the picture changes (greyer).
        std::vector<char> flags(3000);
        for (std::size_t i = 0; i < flags.size(); ++i)
            flags[i] = i % 3 == 0;
        p.cloud->setHighlighted(flags);
        const QImage brushed = p.image();
        QCOMPARE(p.cloud->fullRasterisations(), quint64(1));
        QCOMPARE(p.cloud->partialRasterisations(), quint64(1));
        QVERIFY(brushed != first);
        p.cloud->setHighlighted(flags); // the same flags: nothing to do
        QCOMPARE(p.image(), brushed);
        QCOMPARE(p.cloud->partialRasterisations(), quint64(1));
        // Two thirds highlighted: the faded third is walked and subtracted.
        for (char& f : flags)
            f = !f;
        p.cloud->setHighlighted(flags);
        const QImage inverse = p.image();
        QCOMPARE(p.cloud->partialRasterisations(), quint64(2));
        QVERIFY(inverse != brushed && inverse != first);
        // Everything highlighted again: the kept sums alone give the first picture back.
        p.cloud->setHighlighted(std::vector<char>(3000, 1));
        QCOMPARE(p.image(), first);
        QCOMPARE(p.cloud->fullRasterisations(), quint64(1));
        QCOMPARE(p.cloud->partialRasterisations(), quint64(2));

        // A resize and new values each walk every line again.
        p.image(690);
        QCOMPARE(p.cloud->fullRasterisations(), quint64(2));
        p.cloud->setLines(lines(3000, 2));
        QVERIFY(p.image() != first);
        QCOMPARE(p.cloud->fullRasterisations(), quint64(3));
    }

    // With many lines a resize draws the kept image stretched and rasterises once the size has rested; an
    // export meanwhile rasterises at its own size; below the threshold a resize rasterises at once.
    void aResizeStretchesTheImageUntilTheSizeRests() {
        Plot p;
        p.cloud->setDeferredResize(80, 2000);
        p.cloud->setLines(lines(3000, 1));
        p.plot.resize(700, 400);
        p.plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&p.plot));
        p.plot.replot(QCustomPlot::rpImmediateRefresh);
        const quint64 full = p.cloud->fullRasterisations();
        QVERIFY(full >= 1);
        QCOMPARE(p.cloud->stretchedFrames(), quint64(0));
        for (int width : {680, 660, 640}) {
            p.plot.resize(width, 400);
            p.plot.replot(QCustomPlot::rpImmediateRefresh);
        }
        QCOMPARE(p.cloud->fullRasterisations(), full); // no line walked while resizing
        QVERIFY(p.cloud->stretchedFrames() >= 3);
        QVERIFY(p.cloud->rasterDeferred());
        const QImage exported = p.image(500); // an export: real pixels at its size
        QCOMPARE(p.cloud->fullRasterisations(), full + 1);
        QVERIFY(!exported.isNull());
        // Rested: every line rasterised at the new size, once.
        QTRY_COMPARE_WITH_TIMEOUT(p.cloud->fullRasterisations(), full + 2, 5000);
        QVERIFY(!p.cloud->rasterDeferred());
        const quint64 stretched = p.cloud->stretchedFrames();
        p.plot.replot(QCustomPlot::rpImmediateRefresh); // the kept image again
        QCOMPARE(p.cloud->fullRasterisations(), full + 2);
        QCOMPARE(p.cloud->stretchedFrames(), stretched);
        // flushDeferredRaster: the next redraw rasterises now.
        p.plot.resize(620, 400);
        QVERIFY(p.cloud->rasterDeferred());
        p.cloud->flushDeferredRaster();
        p.plot.replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(p.cloud->fullRasterisations(), full + 3);
        // Fewer lines than the threshold: at once.
        p.cloud->setDeferredResize(80, 5000);
        p.plot.resize(600, 400);
        p.plot.replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(p.cloud->fullRasterisations() >= full + 4);
        QVERIFY(!p.cloud->rasterDeferred());
    }

    // The subset against the kept sums gives the picture of rasterising those highlights from scratch.
    void aHighlightChangeEqualsAFreshRaster() {
        auto rows = lines(2500, 3);
        std::vector<char> flags(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            flags[i] = rows[i].values[0] < 0.3 || rows[i].values[0] > 0.9;
        Plot changed;
        changed.cloud->setLines(rows);
        changed.image();
        changed.cloud->setHighlighted(flags);
        Plot fresh;
        for (std::size_t i = 0; i < rows.size(); ++i)
            rows[i].highlighted = flags[i] != 0;
        fresh.cloud->setLines(rows);
        QCOMPARE(changed.image(), fresh.image());
    }

    // Lines appended are walked alone and added to the kept sums: the picture of all of them from scratch.
    void appendedLinesAreWalkedAlone() {
        const auto all = lines(3000, 5);
        Plot grown, fresh;
        grown.cloud->setLines(std::vector<PolylineCloud::Line>(all.begin(), all.begin() + 2000));
        grown.image();
        grown.cloud->appendLines(std::vector<PolylineCloud::Line>(all.begin() + 2000, all.end()));
        const QImage image = grown.image();
        QCOMPARE(grown.cloud->fullRasterisations(), quint64(1));
        QCOMPARE(grown.cloud->appendRasterisations(), quint64(1));
        QCOMPARE(grown.cloud->lines().size(), std::size_t(3000));
        fresh.cloud->setLines(all);
        QCOMPARE(image, fresh.image());
    }

    // In the view: a generation inside every axis's range adds its lines only; one that widens a range, or a
    // resize, rasterises every line again; a change of the on-front flag none.
    void theViewAppendsANewGenerationWhileTheRangesHold() {
        RunDocument doc;
        doc.reset(QString(), 1);
        CandidateTableView table;
        table.setDocument(&doc);
        ParallelCoordinatesView view;
        view.resize(900, 500);
        view.setTable(&table);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        doc.apply(candidates(0, 1500, 1.0, 2.0, 1));
        QCoreApplication::processEvents();
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        PolylineCloud* cloud = view.lines();
        const quint64 full = cloud->fullRasterisations();
        QVERIFY(full >= 1);
        doc.apply(candidates(1500, 500, 1.2, 1.8, 2)); // inside: only the new lines
        QCoreApplication::processEvents();
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(cloud->lines().size(), std::size_t(2000));
        QCOMPARE(cloud->fullRasterisations(), full);
        QCOMPARE(cloud->appendRasterisations(), quint64(1));
        doc.apply(candidates(2000, 500, 0.5, 1.5, 3)); // a new best fitness: every line again
        QCoreApplication::processEvents();
        view.plot()->replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(cloud->lines().size(), std::size_t(2500));
        QCOMPARE(cloud->fullRasterisations(), full + 1);
        QCOMPARE(cloud->appendRasterisations(), quint64(1));
        view.plot()->resize(view.plot()->width() - 10, view.plot()->height()); // replots at once
        QCOMPARE(cloud->fullRasterisations(), full + 2);
    }

    void binnedGeneAxesGiveTheSamePicture() {
        Plot binned, walked;
        const auto rows = lines(4000, 4);
        binned.cloud->setLines(rows);
        walked.cloud->setDiscreteLevels(0);
        walked.cloud->setLines(rows);
        const QImage a = binned.image(), b = walked.image();
        QCOMPARE(a, b);
        // And not blank: a tenth of the picture at least is covered by lines (about a sixth here).
        int coloured = 0;
        for (int y = 0; y < a.height(); y += 2)
            for (int x = 0; x < a.width(); x += 2)
                coloured += a.pixelColor(x, y) != a.pixelColor(0, 0) ? 1 : 0;
        QVERIFY2(coloured > a.width() * a.height() / 4 / 10, qPrintable(QString::number(coloured)));
    }
};

AUTOMOE_TEST_MAIN(TestParallelRaster)
#include "tst_parallel_raster.moc"
