// automoe-ui-bench: fills the Pareto view with synthetic candidates (50 generations) and prints how long
// adding them takes and the median and maximum full redraw (QCustomPlot::replot, rpImmediateRefresh),
// the budget-drag redraw (the budget layer only) and the hover look-up; then the candidate table at the same
// sizes (adding the rows with their gene features, a repaint, a re-sort, a filter). With --screenshot DIR it
// renders the Pareto and training views with realistic synthetic data instead.
//
//   automoe-ui-bench [--points 10000,100000] [--generations 50] [--repeats 21] [--size 1200x800]
//   automoe-ui-bench --screenshot docs/screenshots
#include "LiveBench.h"
#include "SyntheticRun.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "ui/plots/CandidateFilterModel.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/PolylineCloud.h"
#include "ui/plots/TrainingView.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMouseEvent>
#include <QTextStream>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

using namespace automoe;
using namespace automoe::ui;

namespace {

struct Stats {
    double median = 0;
    double max = 0;
};

Stats stats(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

double elapsedMs(const QElapsedTimer& t) {
    return double(t.nsecsElapsed()) / 1e6;
}

// CPU time of this thread: what a redraw costs, independent of how busy the shared machine is.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

void benchmark(int points, int generations, int repeats, QSize size) {
    const int perGeneration = std::max(1, points / generations);
    const std::vector<CandidateRow> rows = bench::syntheticCandidates(generations, perGeneration, 42);

    ParetoView view;
    view.resize(size);
    view.show();
    QApplication::processEvents();

    // Added generation by generation, as a live search delivers them.
    QElapsedTimer timer;
    const double addCpu = threadCpuMs();
    timer.start();
    for (int g = 0; g < generations; ++g) {
        const auto first = rows.begin() + std::ptrdiff_t(g) * perGeneration;
        view.addCandidates(std::vector<CandidateRow>(first, first + perGeneration));
    }
    const double addMs = elapsedMs(timer);
    const double addCpuMs = threadCpuMs() - addCpu;
    QApplication::processEvents(); // the queued replot

    QCustomPlot* plot = view.plot();
    std::vector<double> full, fullCpu, budget, hover;
    plot->replot(QCustomPlot::rpImmediateRefresh); // warm-up (label caches)
    for (int i = 0; i < repeats; ++i) {
        const double cpu = threadCpuMs();
        timer.restart();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        full.push_back(elapsedMs(timer));
        fullCpu.push_back(threadCpuMs() - cpu);
    }
    // A budget drag: move the line across the axis, redrawing only the budget layer as the view does.
    const QCPRange range = plot->xAxis->range();
    QCPLayer* layer = plot->layer(QStringLiteral("budget"));
    for (int i = 0; i < repeats; ++i) {
        const double b = range.lower + range.size() * (0.2 + 0.6 * i / std::max(1, repeats - 1));
        timer.restart();
        view.setBudget(b); // updates the line, shade, label and feasible count
        layer->replot();
        plot->repaint();
        budget.push_back(elapsedMs(timer));
    }
    const QRect area = plot->axisRect()->rect();
    for (int i = 0; i < repeats; ++i) {
        const QPointF pos(area.left() + area.width() * (i + 0.5) / repeats, area.center().y());
        timer.restart();
        const QString tip = view.toolTipAt(pos);
        hover.push_back(elapsedMs(timer));
        Q_UNUSED(tip);
    }
    const Stats f = stats(full), fc = stats(fullCpu), b = stats(budget), h = stats(hover);
    std::printf("%7d points, %d generations: add %.1f ms (%.1f ms CPU); redraw median %.2f ms, max %.2f ms "
                "(CPU median %.2f ms, max %.2f ms); budget-drag redraw median %.2f ms, max %.2f ms; "
                "hover look-up median %.2f ms; %d on the front\n",
                view.pointCount(), generations, addMs, addCpuMs, f.median, f.max, fc.median, fc.max, b.median,
                b.max, h.median, int(view.front().size()));
    std::fflush(stdout);
}

// The candidate table at the same sizes: adding the rows generation by generation (their gene features are
// computed from each candidate's architecture JSON: 64 sampled tiny-space architectures, cycled), a full
// repaint of the visible rows, a re-sort by fitness and a filter change.
void benchmarkTable(int points, int generations, int repeats, QSize size) {
    const int perGeneration = std::max(1, points / generations);
    std::vector<CandidateRow> rows = bench::syntheticCandidates(generations, perGeneration, 42);
    const SearchSpace space = loadSpaceByNameOrPath("tiny");
    std::mt19937_64 rng(5);
    std::vector<nlohmann::json> archs;
    for (int i = 0; i < 64; ++i)
        archs.push_back(architectureToJson(space.sample(rng)));
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].architecture.json = archs[i % archs.size()];

    CandidateTableView view;
    view.resize(size);
    view.show();
    QApplication::processEvents();
    QElapsedTimer timer;
    const double addCpu = threadCpuMs();
    timer.start();
    std::vector<double> perBatch, perBatchCpu;
    // As a RunDocument hands them on: the rows so far, the new ones from `first` (not timed: the copy).
    std::vector<CandidateRow> delivered;
    double copyMs = 0;
    for (int g = 0; g < generations; ++g) {
        QElapsedTimer copy;
        copy.start();
        const std::size_t first = delivered.size();
        const auto from = rows.begin() + std::ptrdiff_t(g) * perGeneration;
        delivered.insert(delivered.end(), from, from + perGeneration);
        copyMs += elapsedMs(copy);
        QElapsedTimer batch;
        const double batchCpu = threadCpuMs();
        batch.start();
        view.model()->addCandidates(delivered, first);
        perBatch.push_back(elapsedMs(batch));
        perBatchCpu.push_back(threadCpuMs() - batchCpu); // wall minus this: time the thread did not run
    }
    const double addMs = elapsedMs(timer) - copyMs;
    const double addCpuMs = threadCpuMs() - addCpu;
    QApplication::processEvents();

    std::vector<double> redraw, sort, filter;
    view.table()->viewport()->repaint(); // warm-up
    for (int i = 0; i < repeats; ++i) {
        timer.restart();
        view.table()->viewport()->repaint();
        redraw.push_back(elapsedMs(timer));
    }
    for (int i = 0; i < repeats; ++i) {
        timer.restart();
        view.table()->sortByColumn(i % 2 ? CandidateTableModel::FitnessColumn
                                         : CandidateTableModel::FlopsColumn,
                                   Qt::AscendingOrder);
        view.table()->viewport()->repaint();
        sort.push_back(elapsedMs(timer));
    }
    for (int i = 0; i < repeats; ++i) {
        timer.restart();
        view.setFilterText(i % 2 ? QStringLiteral("fitness<4.2 flops<1G") : QString());
        view.table()->viewport()->repaint();
        filter.push_back(elapsedMs(timer));
    }
    // The parallel coordinates over the same rows: a redraw (the kept image), unbrushed and with a brush on
    // fitness; a redraw after a resize (every line rasterised again); a brush change (the table filtered and
    // the smaller of the brushed and unbrushed sets rasterised against the kept sums).
    ParallelCoordinatesView parallel;
    parallel.resize(size);
    parallel.setTable(&view);
    parallel.show();
    QApplication::processEvents();
    std::vector<double> lines, brushed, resized, settled, brushChange;
    const int pcRepeats = std::max(3, repeats / 3);
    QCustomPlot* pc = parallel.plot();
    pc->replot(QCustomPlot::rpImmediateRefresh);
    for (int i = 0; i < pcRepeats; ++i) {
        timer.restart();
        pc->replot(QCustomPlot::rpImmediateRefresh);
        lines.push_back(elapsedMs(timer));
    }
    const QSize plotSize = pc->size();
    for (int i = 0; i < pcRepeats; ++i) {
        timer.restart(); // QCustomPlot's resize event replots at once
        pc->resize(plotSize + QSize((i + 1) % 2, 0));
        pc->replot(QCustomPlot::rpImmediateRefresh);
        resized.push_back(elapsedMs(timer));
        // Once the size rests (PolylineCloud's deferred raster, 150 ms later): every line at the new size.
        parallel.lines()->flushDeferredRaster();
        timer.restart();
        pc->replot(QCustomPlot::rpImmediateRefresh);
        settled.push_back(elapsedMs(timer));
    }
    for (int i = 0; i < pcRepeats; ++i) {
        // A tenth of the fitness range, then most of it: both sides of the subtraction.
        const auto range = i % 2 ? QPair<double, double>(3.6, 4.0) : QPair<double, double>(3.0, 6.0);
        timer.restart();
        parallel.setBrush(0, range);
        pc->replot(QCustomPlot::rpImmediateRefresh);
        brushChange.push_back(elapsedMs(timer));
    }
    // A brush dragged along the fitness axis: each mouse move redraws the brush and the highlights (the
    // table is filtered on release).
    std::vector<double> drag;
    {
        parallel.clearBrushes();
        const QPointF from = parallel.pixelFor(0, 6.0);
        auto mouse = [&](QEvent::Type type, QPointF at, Qt::MouseButton button, Qt::MouseButtons buttons) {
            QMouseEvent event(type, at, pc->mapToGlobal(at), button, buttons, Qt::NoModifier);
            QCoreApplication::sendEvent(pc, &event);
        };
        mouse(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
        for (int i = 0; i < pcRepeats * 2; ++i) {
            const QPointF to = parallel.pixelFor(0, 5.8 - 2.0 * (i + 1) / (pcRepeats * 2));
            timer.restart();
            mouse(QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
            pc->replot(QCustomPlot::rpImmediateRefresh);
            drag.push_back(elapsedMs(timer));
        }
        mouse(QEvent::MouseButtonRelease, parallel.pixelFor(0, 3.8), Qt::LeftButton, Qt::NoButton);
    }
    parallel.setBrush(0, QPair<double, double>(3.6, 4.0));
    pc->replot(QCustomPlot::rpImmediateRefresh);
    for (int i = 0; i < pcRepeats; ++i) {
        timer.restart();
        pc->replot(QCustomPlot::rpImmediateRefresh);
        brushed.push_back(elapsedMs(timer));
    }
    const auto highlighted = parallel.brushedRows().size();
    const auto fullRasters = parallel.lines()->fullRasterisations();
    const auto partialRasters = parallel.lines()->partialRasterisations();
    parallel.setTable(nullptr);
    const auto stretched = parallel.lines()->stretchedFrames();
    const Stats pl = stats(lines), pb = stats(brushed), pr = stats(resized), ps = stats(settled),
                pbc = stats(brushChange), pd = stats(drag);
    std::printf("%7d candidates in the parallel coordinates: redraw median %.1f ms, max %.1f ms; brushed "
                "(%zu) median %.1f ms, max %.1f ms; a resize frame median %.1f ms, max %.1f ms (%llu drawn "
                "as the stretched image); once the size rests (all lines rasterised) median %.1f ms, max "
                "%.1f ms; brush dragged (partial raster) median %.1f ms, max %.1f ms; brush set (table "
                "filter + partial raster) median %.1f ms, max %.1f ms (%llu full and %llu partial "
                "rasterisations)\n",
                view.model()->rowCount(), pl.median, pl.max, highlighted, pb.median, pb.max, pr.median,
                pr.max, (unsigned long long)stretched, ps.median, ps.max, pd.median, pd.max, pbc.median,
                pbc.max, (unsigned long long)fullRasters, (unsigned long long)partialRasters);
    const Stats r = stats(redraw), so = stats(sort), fi = stats(filter), b = stats(perBatch),
                bc = stats(perBatchCpu);
    std::printf(
        "%7d candidates in the table: add %.1f ms (%.1f ms CPU; per generation median %.2f ms, max %.2f "
        "ms; its CPU median %.2f ms, max %.2f ms); redraw median %.2f ms, max %.2f ms; re-sort median "
        "%.2f ms, max %.2f ms; filter median %.2f ms, max %.2f ms\n",
        view.model()->rowCount(), addMs, addCpuMs, b.median, b.max, bc.median, bc.max, r.median, r.max,
        so.median, so.max, fi.median, fi.max);
    std::fflush(stdout);
}

bool screenshots(const QString& dir) {
    QDir().mkpath(dir);
    QFont font = QApplication::font();
    font.setPointSizeF(9.5);
    QApplication::setFont(font);

    ParetoView pareto;
    pareto.resize(1280, 760);
    const std::vector<CandidateRow> rows = bench::syntheticCandidates(30, 80, 7);
    for (int g = 0; g < 30; ++g)
        pareto.addCandidates(std::vector<CandidateRow>(rows.begin() + g * 80, rows.begin() + (g + 1) * 80));
    pareto.setOverlay(QStringLiteral("Random search"), bench::syntheticCandidates(1, 600, 11, 100000, 0.55));
    pareto.setBudget(1.6e9);
    const auto front = pareto.front();
    if (!front.empty()) pareto.selectArchitecture(front[front.size() / 2].architectureId);
    pareto.show();
    QApplication::processEvents();
    pareto.plot()->replot(QCustomPlot::rpImmediateRefresh);
    if (!pareto.grab().save(dir + QStringLiteral("/pareto-view.png"))) return false;

    TrainingView training;
    training.resize(1280, 760);
    const auto steps = bench::syntheticTrainingSteps(30000, 3);
    for (std::size_t i = 0; i < steps.size(); i += 500)
        training.addTrainingSteps(
            std::vector<TrainingStepRow>(steps.begin() + std::ptrdiff_t(i),
                                         steps.begin() + std::ptrdiff_t(std::min(steps.size(), i + 500))));
    training.addValidations(bench::syntheticValidations(30000, 1000, 5));
    training.setRouting(bench::syntheticRouting(30000, 9));
    training.show();
    QApplication::processEvents();
    training.plot()->replot(QCustomPlot::rpImmediateRefresh);
    if (!training.grab().save(dir + QStringLiteral("/training-view.png"))) return false;
    std::printf("wrote %s/pareto-view.png and %s/training-view.png\n", qPrintable(dir), qPrintable(dir));
    return true;
}

QString loadAverage() {
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly)) return QStringLiteral("unknown");
    return QString::fromLatin1(file.readAll()).section(QLatin1Char(' '), 0, 2);
}

} // namespace

int main(int argc, char** argv) {
    automoe::ui::ProfilingApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Redraw benchmark of the AutoMoE Studio plot views"));
    parser.addHelpOption();
    QCommandLineOption pointsOption(QStringLiteral("points"), QStringLiteral("Comma-separated point counts."),
                                    QStringLiteral("list"), QStringLiteral("10000,100000"));
    QCommandLineOption generationsOption(QStringLiteral("generations"), QStringLiteral("Generations."),
                                         QStringLiteral("n"), QStringLiteral("50"));
    QCommandLineOption repeatsOption(QStringLiteral("repeats"), QStringLiteral("Timed redraws per size."),
                                     QStringLiteral("n"), QStringLiteral("21"));
    QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("View size, WxH."),
                                  QStringLiteral("size"), QStringLiteral("1200x800"));
    QCommandLineOption shotOption(QStringLiteral("screenshot"),
                                  QStringLiteral("Render the screenshots into DIR instead of benchmarking."),
                                  QStringLiteral("dir"));
    QCommandLineOption liveOption(
        QStringLiteral("live"),
        QStringLiteral("Follow a live training then search run for SECONDS in the main "
                       "window; print the UI thread's stalls."),
        QStringLiteral("seconds"));
    QCommandLineOption liveUpdatesOption(QStringLiteral("live-updates"),
                                         QStringLiteral("Training updates a second."), QStringLiteral("n"),
                                         QStringLiteral("8"));
    QCommandLineOption liveCandidatesOption(QStringLiteral("live-candidates"),
                                            QStringLiteral("Search candidates a second."),
                                            QStringLiteral("n"), QStringLiteral("6"));
    parser.addOptions({pointsOption, generationsOption, repeatsOption, sizeOption, shotOption, liveOption,
                       liveUpdatesOption, liveCandidatesOption});
    parser.process(app);
    if (parser.isSet(liveOption)) {
        automoe::bench::LiveOptions live;
        live.seconds = std::max(2.0, parser.value(liveOption).toDouble());
        live.updatesPerSecond = std::max(0.1, parser.value(liveUpdatesOption).toDouble());
        live.candidatesPerSecond = std::max(0.1, parser.value(liveCandidatesOption).toDouble());
        std::printf("automoe-ui-bench --live: platform %s, Qt %s, load average %s\n",
                    qPrintable(QGuiApplication::platformName()), qVersion(), qPrintable(loadAverage()));
        return automoe::bench::liveBenchmark(app, live);
    }

    if (parser.isSet(shotOption)) return screenshots(parser.value(shotOption)) ? 0 : 1;

    const QStringList wh = parser.value(sizeOption).split(QLatin1Char('x'));
    const QSize size = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize(1200, 800);
    const int generations = std::max(1, parser.value(generationsOption).toInt());
    const int repeats = std::max(3, parser.value(repeatsOption).toInt());
    std::printf("automoe-ui-bench: ParetoView %dx%d, platform %s, Qt %s\n", size.width(), size.height(),
                qPrintable(QGuiApplication::platformName()), qVersion());
    std::printf("load average when starting: %s\n", qPrintable(loadAverage()));
    for (const QString& n : parser.value(pointsOption).split(QLatin1Char(','), Qt::SkipEmptyParts))
        benchmark(n.toInt(), generations, repeats, size);
    // The candidate table against the Pareto redraws above, measured in the same run.
    for (const QString& n : parser.value(pointsOption).split(QLatin1Char(','), Qt::SkipEmptyParts))
        benchmarkTable(n.toInt(), generations, repeats, size);
    return 0;
}
