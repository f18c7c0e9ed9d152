#include "ui/plots/ParetoView.h"

#include "ui/figure/FigureExporter.h"
#include "ui/plots/BudgetMarker.h"
#include "ui/plots/CandidateCloud.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace automoe::ui {

namespace {

constexpr double kPointSize = 5.0;
constexpr double kGrabPixels = 6.0;  // how close to the budget line a press starts a drag
constexpr double kPickPixels = 10.0; // how close to a point a click selects it
constexpr double kHoverPixels = 8.0; // how close to a point the tooltip explains it
constexpr double kClickSlopPixels = 4.0;

// Sequential ColorBrewer YlGnBu without its palest stops (they vanish on white paper): early generations
// light green, late ones deep blue.
QCPColorGradient generationGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(0xa1, 0xda, 0xb4));
    g.setColorStopAt(0.25, QColor(0x41, 0xb6, 0xc4));
    g.setColorStopAt(0.50, QColor(0x1d, 0x91, 0xc0));
    g.setColorStopAt(0.75, QColor(0x22, 0x5e, 0xa8));
    g.setColorStopAt(1.00, QColor(0x0c, 0x2c, 0x84));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    return g;
}

const QColor kFrontColour(0xd6, 0x45, 0x3d);
const QColor kOverlayColours[] = {QColor(0x6b, 0x75, 0x80), QColor(0x8c, 0x6b, 0xb1),
                                  QColor(0xe0, 0x8e, 0x0b), QColor(0x2a, 0x9d, 0x8f)};

} // namespace

ParetoView::ParetoView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Pareto front"));
    metricBox_ = new QComboBox(this);
    metricBox_->addItem(tr("FLOPs"), int(CostMetric::Flops));
    metricBox_->addItem(tr("Latency"), int(CostMetric::Latency));
    metricBox_->addItem(tr("Active parameters"), int(CostMetric::ActiveParams));
    metricBox_->setToolTip(tr("The cost on the horizontal axis. Latency is the measured one when present, "
                              "else the predicted one."));
    feasibleLabel_ = new QLabel(this);
    feasibleLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    auto* costLabel = new QLabel(tr("Cost:"), this);
    costLabel->setBuddy(metricBox_);
    bar->addWidget(costLabel);
    bar->addWidget(metricBox_);
    bar->addSpacing(16);
    bar->addWidget(feasibleLabel_, 1);
    followButton_ = new QToolButton(this);
    followButton_->setObjectName("paretoFollow");
    followButton_->setText(tr("Follow"));
    followButton_->setCheckable(true);
    followButton_->setChecked(true);
    followButton_->setAutoRaise(true);
    followButton_->setToolTip(tr("Follow live data: the axes take in every new candidate. The wheel zooms "
                                 "and a drag pans, which switches it off; switch it on to see everything."));
    connect(followButton_, &QToolButton::toggled, this, &ParetoView::setFollow);
    bar->addWidget(followButton_);

    buildPlot();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);

    connect(metricBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int) { setCostMetric(CostMetric(metricBox_->currentData().toInt())); });
    rebuildForMetric();
}

ParetoView::~ParetoView() = default;

void ParetoView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(420, 300);
    plot_->setMouseTracking(true);
    plot_->setAutoAddPlottableToLegend(false);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot_, &QWidget::customContextMenuRequested, this, &ParetoView::showContextMenu);
    PlotTheme::apply(*plot_, palette_, font());

    QCPAxisRect* rect = plot_->axisRect();
    plot_->yAxis->setLabel(tr("Validation loss (fitness)"));
    rect->setupFullAxesBox(false);
    plot_->xAxis2->setTicks(false);
    plot_->yAxis2->setTicks(false);
    PlotTheme::styleAxisRect(*rect, palette_, font());

    // Generations: a colour bar beside the axis rect, aligned with it.
    colorScale_ = new QCPColorScale(plot_);
    colorScale_->setType(QCPAxis::atRight);
    colorScale_->setGradient(generationGradient());
    colorScale_->setBarWidth(10);
    colorScale_->setRangeDrag(false);
    colorScale_->setRangeZoom(false);
    colorScale_->axis()->setLabel(tr("Generation"));
    PlotTheme::styleAxis(*colorScale_->axis(), palette_, font());
    auto integerTicks = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
    integerTicks->setTickStep(1.0);
    integerTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    colorScale_->axis()->setTicker(integerTicks);
    colorScale_->axis()->setNumberFormat(QStringLiteral("f"));
    colorScale_->axis()->setNumberPrecision(0);
    plot_->plotLayout()->addElement(0, 1, colorScale_);
    auto* margins = new QCPMarginGroup(plot_);
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    colorScale_->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    // Layers: candidates on "main"; the fronts above them; the budget (shade, line, label) and the selection
    // on a buffered layer of their own, so dragging the budget redraws only that layer.
    plot_->addLayer(QStringLiteral("front"), plot_->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    plot_->addLayer(QStringLiteral("budget"), plot_->layer(QStringLiteral("front")), QCustomPlot::limAbove);
    budgetLayer_ = plot_->layer(QStringLiteral("budget"));

    cloud_ = new CandidateCloud(plot_->xAxis, plot_->yAxis);
    cloud_->setLayer(QStringLiteral("main"));
    cloud_->setName(tr("Candidates"));
    cloud_->setPointDiameter(kPointSize);

    frontGraph_ = plot_->addGraph();
    frontGraph_->setLayer(QStringLiteral("front"));
    frontGraph_->setName(tr("Pareto front"));
    frontGraph_->setLineStyle(QCPGraph::lsStepLeft);
    frontGraph_->setPen(QPen(kFrontColour, 2.0));
    frontGraph_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kFrontColour, 1.6), QBrush(palette_.paper), 7));
    frontGraph_->setSelectable(QCP::stNone);
    frontGraph_->addToLegend();

    budgetMarker_ = std::make_unique<BudgetMarker>(*rect, *budgetLayer_, palette_, font());

    selectionGraph_ = plot_->addGraph();
    selectionGraph_->setLayer(budgetLayer_);
    selectionGraph_->setLineStyle(QCPGraph::lsNone);
    selectionGraph_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette_.text, 2.2), Qt::NoBrush, 15));
    selectionGraph_->setSelectable(QCP::stNone);
    // B of an architecture diff: a dashed ring in the figure's diff colour.
    diffGraph_ = plot_->addGraph();
    diffGraph_->setLayer(budgetLayer_);
    diffGraph_->setLineStyle(QCPGraph::lsNone);
    QPen diffPen(QColor(0xd6, 0x33, 0x6c), 2.0, Qt::DashLine);
    diffGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, diffPen, Qt::NoBrush, 15));
    diffGraph_->setSelectable(QCP::stNone);
    // A compared search's candidate selected in the table: a ring in its overlay's colour (set when drawn).
    comparedMarkGraph_ = plot_->addGraph();
    comparedMarkGraph_->setLayer(budgetLayer_);
    comparedMarkGraph_->setLineStyle(QCPGraph::lsNone);
    comparedMarkGraph_->setSelectable(QCP::stNone);
    comparedMarkGraph_->removeFromLegend();

    plot_->legend->setVisible(true);
    PlotTheme::styleLegend(*plot_->legend, palette_, font());
    // Under the plot, in one row: inside it, the legend covered the cheap, fit corner where the front runs.
    rect->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(6);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->plotLayout()->setRowSpacing(2);

    // Wheel zoom and drag pan; a change of the axes the view did not make turns following off.
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis})
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
            if (!rescaling_) setFollow(false);
        });
    connect(plot_, &QCustomPlot::mousePress, this, &ParetoView::handleMousePress);
    connect(plot_, &QCustomPlot::mouseMove, this, &ParetoView::handleMouseMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &ParetoView::handleMouseRelease);
}

std::optional<double> ParetoView::costOf(const Candidate& c) const {
    switch (metric_) {
    case CostMetric::Flops:
        return c.flops;
    case CostMetric::ActiveParams:
        return c.params;
    case CostMetric::Latency:
        return c.latency;
    }
    return std::nullopt;
}

void ParetoView::addCandidates(const std::vector<CandidateRow>& rows) {
    const std::size_t first = candidates_.size();
    for (const CandidateRow& row : rows) {
        const QString key = QString::fromStdString(row.architecture.key);
        const qint64 id = row.architecture.id;
        if (!key.isEmpty() ? byKey_.contains(key) : (id != 0 && byId_.contains(id))) continue;
        Candidate c;
        c.id = id;
        c.key = key;
        c.generation = row.generation;
        c.fitness = row.fitness;
        c.flops = row.flops;
        c.params = double(row.paramsActive);
        c.latency = row.latencyMs ? row.latencyMs : row.predictedLatencyMs;
        c.latencyPredicted = !row.latencyMs && row.predictedLatencyMs;
        const std::size_t index = candidates_.size();
        if (!key.isEmpty()) byKey_.insert(key, index);
        if (id != 0 && !byId_.contains(id)) byId_.insert(id, index);
        candidates_.push_back(std::move(c));
    }
    if (candidates_.size() == first) return;
    plotFrom(first);
}

void ParetoView::clear() {
    candidates_.clear();
    byKey_.clear();
    byId_.clear();
    selected_.reset();
    // A new run: seen whole, with its own budget.
    setFollow(true);
    if (std::isfinite(budget_)) {
        budget_ = std::numeric_limits<double>::infinity();
        emit budgetChanged(budget_);
    }
    userBudget_ = false;
    rebuildForMetric();
}

void ParetoView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &ParetoView::clear);
    connect(document_, &RunDocument::candidatesAdded, this, [this](int first) {
        const auto& all = document_->candidates();
        addCandidates(std::vector<CandidateRow>(all.begin() + first, all.end()));
    });
    connect(document_, &RunDocument::selectionChanged, this, &ParetoView::showDocumentSelection);
    connect(document_, &RunDocument::diffChanged, this, [this] {
        updateSelectionGraph();
        budgetMarker_->replotLayer();
    });
    connect(document_, &RunDocument::infoChanged, this, &ParetoView::adoptRunBudget);
    addCandidates(document_->candidates());
    showDocumentSelection();
    adoptRunBudget();
}

void ParetoView::showDocumentSelection() {
    const qint64 run = document_->selectedRun();
    const QString key = document_->selectedKey();
    // A compared search's candidate is ringed on its overlay, in its colour; the shown search then has none.
    if (run != 0 || !markName_.isEmpty())
        markComparedCandidate(run ? document_->comparedSearchName(run) : QString(), run ? key : QString());
    if (run == 0 && key == selectedKey()) return;
    if (run != 0 || key.isEmpty() || !selectKey(key)) {
        selected_.reset();
        updateSelectionGraph();
        budgetMarker_->replotLayer();
    }
}

void ParetoView::adoptRunBudget() {
    if (!document_ || userBudget_) return;
    const std::optional<double> budget = document_->budget(metric_);
    applyBudget(budget ? *budget : std::numeric_limits<double>::infinity(), false);
}

void ParetoView::setFollow(bool follow) {
    if (follow == follow_) return;
    follow_ = follow;
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(follow);
    }
    if (follow) {
        updateAxes();
        updateBudgetItems();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    emit followChanged(follow);
}

void ParetoView::setCostMetric(CostMetric metric) {
    if (metric == metric_) return;
    metric_ = metric;
    {
        const QSignalBlocker block(metricBox_);
        metricBox_->setCurrentIndex(metricBox_->findData(int(metric)));
    }
    // A budget in FLOPs means nothing in milliseconds: the search's own budget on the new metric, if any.
    const bool hadBudget = std::isfinite(budget_);
    budget_ = std::numeric_limits<double>::infinity();
    userBudget_ = false;
    rebuildForMetric();
    if (hadBudget) emit budgetChanged(budget_);
    adoptRunBudget();
}

void ParetoView::rebuildForMetric() {
    cloud_->clearPoints();
    plotted_.clear();
    sortedX_.clear();
    tracker_.clear();
    frontRevision_ = ~std::uint64_t(0);
    minGeneration_ = 0;
    maxGeneration_ = -1;
    plot_->xAxis->setLabel(costAxisLabel(metric_));
    if (metric_ == CostMetric::Latency)
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    else
        PlotTheme::useSiTicks(*plot_->xAxis);
    for (auto it = overlays_.begin(); it != overlays_.end(); ++it)
        refreshOverlay(it.key(), it.value());
    updateComparedMark();
    plotFrom(0);
}

void ParetoView::plotFrom(std::size_t first) {
    const qint64 oldMinGen = minGeneration_, oldMaxGen = maxGeneration_;
    std::vector<CandidateCloud::Point> added;
    const std::size_t firstPlotted = plotted_.size();
    for (std::size_t i = first; i < candidates_.size(); ++i) {
        const Candidate& c = candidates_[i];
        const std::optional<double> x = costOf(c);
        if (!x || !std::isfinite(*x) || !std::isfinite(c.fitness)) continue;
        const std::size_t p = plotted_.size();
        plotted_.push_back({i, *x});
        added.push_back({*x, c.fitness, c.generation});
        tracker_.add(*x, c.fitness, p);
        if (p == 0) {
            minX_ = maxX_ = *x;
            minY_ = maxY_ = c.fitness;
        } else {
            minX_ = std::min(minX_, *x);
            maxX_ = std::max(maxX_, *x);
            minY_ = std::min(minY_, c.fitness);
            maxY_ = std::max(maxY_, c.fitness);
        }
        if (maxGeneration_ < minGeneration_) {
            minGeneration_ = maxGeneration_ = c.generation;
        } else {
            minGeneration_ = std::min(minGeneration_, c.generation);
            maxGeneration_ = std::max(maxGeneration_, c.generation);
        }
    }
    cloud_->addPoints(added);

    // Keep the costs sorted for the feasible count: sort the batch, merge it in.
    const std::size_t oldSorted = sortedX_.size();
    for (std::size_t p = firstPlotted; p < plotted_.size(); ++p)
        sortedX_.push_back(plotted_[p].x);
    std::sort(sortedX_.begin() + std::ptrdiff_t(oldSorted), sortedX_.end());
    std::inplace_merge(sortedX_.begin(), sortedX_.begin() + std::ptrdiff_t(oldSorted), sortedX_.end());

    if (minGeneration_ != oldMinGen || maxGeneration_ != oldMaxGen || first == 0) recolourGenerations();
    if (tracker_.revision() != frontRevision_) updateFrontGraph();
    if (follow_) updateAxes();
    updateBudgetItems();
    updateSelectionGraph();
    updateFeasibleLabel();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParetoView::recolourGenerations() {
    QCPRange range(double(minGeneration_), double(std::max(maxGeneration_, minGeneration_)));
    if (range.size() < 1) range = QCPRange(range.lower - 0.5, range.upper + 0.5);
    colorScale_->setDataRange(range);
    QCPColorGradient gradient = colorScale_->gradient();
    QVector<QRgb> colours;
    for (qint64 g = minGeneration_; g <= std::max(maxGeneration_, minGeneration_); ++g)
        colours.push_back(gradient.color(double(g), range));
    cloud_->setGenerationColours(minGeneration_, colours);
}

void ParetoView::updateFrontGraph() {
    frontRevision_ = tracker_.revision();
    QVector<double> keys, values;
    for (const ParetoFrontTracker::Point& p : tracker_.front()) {
        keys.push_back(p.x);
        values.push_back(p.y);
    }
    frontGraph_->setData(keys, values, true);
    frontGraph_->setName(tr("Pareto front (%1)").arg(keys.size()));
}

void ParetoView::updateAxes() {
    rescaling_ = true;
    double x0 = minX_, x1 = maxX_, y0 = minY_, y1 = maxY_;
    if (plotted_.empty()) {
        x0 = 0;
        x1 = 1;
        y0 = 0;
        y1 = 1;
    }
    for (const Overlay& overlay : overlays_) {
        for (auto it = overlay.graph->data()->constBegin(); it != overlay.graph->data()->constEnd(); ++it) {
            if (plotted_.empty() && it == overlay.graph->data()->constBegin()) {
                x0 = x1 = it->key;
                y0 = y1 = it->value;
            }
            x0 = std::min(x0, it->key);
            x1 = std::max(x1, it->key);
            y0 = std::min(y0, it->value);
            y1 = std::max(y1, it->value);
        }
    }
    if (std::isfinite(budget_)) {
        x0 = std::min(x0, budget_);
        x1 = std::max(x1, budget_);
    }
    auto padded = [](double lo, double hi) {
        double span = hi - lo;
        if (span <= 0) span = std::max(std::abs(hi) * 0.1, 1e-9);
        return QCPRange(lo - 0.05 * span, hi + 0.05 * span);
    };
    plot_->xAxis->setRange(padded(x0, x1));
    plot_->yAxis->setRange(padded(y0, y1));
    rescaling_ = false;
}

int ParetoView::feasibleCount() const {
    if (!std::isfinite(budget_)) return int(sortedX_.size());
    return int(std::upper_bound(sortedX_.begin(), sortedX_.end(), budget_) - sortedX_.begin());
}

void ParetoView::updateBudgetItems() {
    const bool set = std::isfinite(budget_);
    // Without a budget the line waits just inside the right edge (visible, not on the border) for the user to
    // drag it in.
    const QCPRange range = plot_->xAxis->range();
    const double x = set ? budget_ : range.upper - 0.04 * range.size();
    budgetMarker_->place(x, set,
                         set ? tr("Budget %1\n%2 of %3 feasible")
                                   .arg(formatCost(budget_, metric_), QLocale().toString(feasibleCount()),
                                        QLocale().toString(pointCount()))
                             : tr("No budget\ndrag this line"));
}

void ParetoView::updateFeasibleLabel() {
    const int feasible = feasibleCount();
    const QLocale locale;
    if (std::isfinite(budget_))
        feasibleLabel_->setText(
            tr("<b>%1</b> of %2 candidates within %3")
                .arg(locale.toString(feasible), locale.toString(pointCount()), formatCost(budget_, metric_)));
    else
        feasibleLabel_->setText(
            tr("%1 candidates · %2 on the front · no budget (drag the dashed line)")
                .arg(locale.toString(pointCount()), locale.toString(int(tracker_.size()))));
    if (feasible != lastFeasible_) {
        lastFeasible_ = feasible;
        emit feasibleCountChanged(feasible, pointCount());
    }
}

void ParetoView::setBudget(double budget) {
    userBudget_ = true;
    applyBudget(budget, false);
}

void ParetoView::applyBudget(double budget, bool fromUser) {
    if (std::isnan(budget)) budget = std::numeric_limits<double>::infinity();
    if (budget == budget_) return;
    budget_ = budget;
    if (fromUser) userBudget_ = true;
    if (!fromUser && follow_) updateAxes(); // a dragged budget is inside the axes already
    updateBudgetItems();
    updateFeasibleLabel();
    if (fromUser)
        budgetMarker_->replotLayer();
    else
        plot_->replot(QCustomPlot::rpQueuedReplot);
    emit budgetChanged(budget_);
}

void ParetoView::updateSelectionGraph() {
    QVector<double> keys, values;
    if (selected_) {
        const Candidate& c = candidates_[*selected_];
        if (const std::optional<double> x = costOf(c)) {
            keys.push_back(*x);
            values.push_back(c.fitness);
        }
    }
    selectionGraph_->setData(keys, values, true);
    QVector<double> diffKeys, diffValues;
    if (document_ && !document_->diffKey().isEmpty() && document_->diffRun() != 0) {
        // B of a compared search: on its overlay.
        if (const auto p = overlayCandidatePoint(document_->comparedSearchName(document_->diffRun()),
                                                 document_->diffKey())) {
            diffKeys.push_back(p->x());
            diffValues.push_back(p->y());
        }
    } else if (document_ && !document_->diffKey().isEmpty()) {
        const auto it = byKey_.constFind(document_->diffKey());
        if (it != byKey_.constEnd()) {
            const Candidate& c = candidates_[*it];
            if (const std::optional<double> x = costOf(c)) {
                diffKeys.push_back(*x);
                diffValues.push_back(c.fitness);
            }
        }
    }
    diffGraph_->setData(diffKeys, diffValues, true);
}

std::optional<QPointF> ParetoView::diffPoint() const {
    if (!diffGraph_ || diffGraph_->data()->isEmpty()) return std::nullopt;
    const auto it = diffGraph_->data()->constBegin();
    return QPointF(it->key, it->value);
}

std::optional<qint64> ParetoView::selectedArchitectureId() const {
    if (!selected_) return std::nullopt;
    return candidates_[*selected_].id;
}

bool ParetoView::selectArchitecture(qint64 architectureId) {
    const auto it = byId_.constFind(architectureId);
    if (it == byId_.constEnd()) return false;
    selected_ = *it;
    updateSelectionGraph();
    budgetMarker_->replotLayer();
    return true;
}

QString ParetoView::selectedKey() const {
    return selected_ ? candidates_[*selected_].key : QString();
}

bool ParetoView::selectKey(const QString& key) {
    const auto it = byKey_.constFind(key);
    if (it == byKey_.constEnd()) return false;
    selected_ = *it;
    updateSelectionGraph();
    budgetMarker_->replotLayer();
    return true;
}

void ParetoView::setOverlay(const QString& name, const std::vector<CandidateRow>& rows) {
    if (rows.empty()) {
        removeOverlay(name);
        return;
    }
    Overlay& overlay = overlays_[name];
    overlay.rows = rows;
    if (!overlay.graph) {
        overlay.color = kOverlayColours[(overlays_.size() - 1) % std::size(kOverlayColours)];
        overlay.graph = plot_->addGraph();
        overlay.graph->setLayer(QStringLiteral("front"));
        overlay.graph->setLineStyle(QCPGraph::lsStepLeft);
        overlay.graph->setPen(QPen(overlay.color, 1.6, Qt::DashLine));
        overlay.graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(overlay.color, 1.4), QBrush(palette_.paper), 7));
        overlay.graph->setSelectable(QCP::stNone);
        overlay.graph->addToLegend();
    }
    refreshOverlay(name, overlay);
    updateComparedMark();
    if (follow_) updateAxes();
    updateBudgetItems();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParetoView::refreshOverlay(const QString& name, Overlay& overlay) {
    ParetoFrontTracker tracker;
    for (std::size_t i = 0; i < overlay.rows.size(); ++i)
        if (const std::optional<double> x = ui::costOf(overlay.rows[i], metric_))
            tracker.add(*x, overlay.rows[i].fitness, i);
    QVector<double> keys, values;
    overlay.frontKeys.clear();
    for (const ParetoFrontTracker::Point& p : tracker.front()) {
        keys.push_back(p.x);
        values.push_back(p.y);
        overlay.frontKeys.push_back(QString::fromStdString(overlay.rows[p.index].architecture.key));
    }
    overlay.graph->setData(keys, values, true);
    overlay.graph->setName(tr("%1 (front, %2)").arg(name).arg(keys.size()));
}

void ParetoView::removeOverlay(const QString& name) {
    const auto it = overlays_.find(name);
    if (it == overlays_.end()) return;
    plot_->removeGraph(it->graph);
    overlays_.erase(it);
    if (markName_ == name) markName_.clear();
    updateComparedMark();
    if (follow_) updateAxes();
    updateBudgetItems();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool ParetoView::markComparedCandidate(const QString& name, const QString& key) {
    markName_ = name;
    markKey_ = key;
    updateComparedMark();
    budgetMarker_->replotLayer();
    return name.isEmpty() || comparedMark().has_value();
}

std::optional<QPointF> ParetoView::overlayCandidatePoint(const QString& name, const QString& key) const {
    const auto it = name.isEmpty() ? overlays_.constEnd() : overlays_.constFind(name);
    if (it == overlays_.constEnd()) return std::nullopt;
    const std::string k = key.toStdString();
    // The newest row of the key, as the table lists it.
    for (auto row = it->rows.rbegin(); row != it->rows.rend(); ++row) {
        if (row->architecture.key != k) continue;
        if (const std::optional<double> x = ui::costOf(*row, metric_)) return QPointF(*x, row->fitness);
        return std::nullopt;
    }
    return std::nullopt;
}

void ParetoView::updateComparedMark() {
    QVector<double> keys, values;
    const auto it = markName_.isEmpty() ? overlays_.constEnd() : overlays_.constFind(markName_);
    if (it != overlays_.constEnd()) {
        if (const auto p = overlayCandidatePoint(markName_, markKey_)) {
            keys.push_back(p->x());
            values.push_back(p->y());
        }
        comparedMarkGraph_->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(it->color, 2.4), Qt::NoBrush, 16));
    }
    comparedMarkGraph_->setData(keys, values, true);
}

std::optional<QPointF> ParetoView::comparedMark() const {
    if (!comparedMarkGraph_ || comparedMarkGraph_->data()->isEmpty()) return std::nullopt;
    const auto it = comparedMarkGraph_->data()->constBegin();
    return QPointF(it->key, it->value);
}

std::optional<std::pair<QString, QString>> ParetoView::nearestOverlayPoint(const QPointF& pos,
                                                                           double radius) const {
    std::optional<std::pair<QString, QString>> best;
    double bestDistance = radius;
    for (auto it = overlays_.constBegin(); it != overlays_.constEnd(); ++it) {
        std::size_t i = 0;
        for (auto p = it->graph->data()->constBegin(); p != it->graph->data()->constEnd(); ++p, ++i) {
            const double d = QLineF(pos, pixelFor(p->key, p->value)).length();
            if (d <= bestDistance && i < it->frontKeys.size()) {
                bestDistance = d;
                best = std::pair{it.key(), it->frontKeys[i]};
            }
        }
    }
    return best;
}

QStringList ParetoView::overlayNames() const {
    return overlays_.keys();
}

std::vector<QPointF> ParetoView::overlayFront(const QString& name) const {
    std::vector<QPointF> out;
    const auto it = overlays_.constFind(name);
    if (it == overlays_.constEnd()) return out;
    for (auto d = it->graph->data()->constBegin(); d != it->graph->data()->constEnd(); ++d)
        out.emplace_back(d->key, d->value);
    return out;
}

std::vector<ParetoView::PlottedPoint> ParetoView::points() const {
    std::unordered_set<std::size_t> onFront;
    for (const ParetoFrontTracker::Point& p : tracker_.front())
        onFront.insert(p.index);
    std::vector<PlottedPoint> out;
    out.reserve(plotted_.size());
    for (std::size_t p = 0; p < plotted_.size(); ++p) {
        const Candidate& c = candidates_[plotted_[p].candidate];
        out.push_back({c.id, c.key, c.generation, plotted_[p].x, c.fitness, plotted_[p].x <= budget_,
                       onFront.count(p) > 0});
    }
    return out;
}

std::vector<ParetoView::PlottedPoint> ParetoView::front() const {
    std::vector<PlottedPoint> out;
    for (const ParetoFrontTracker::Point& p : tracker_.front()) {
        const Candidate& c = candidates_[plotted_[p.index].candidate];
        out.push_back({c.id, c.key, c.generation, p.x, p.y, p.x <= budget_, true});
    }
    return out;
}

std::vector<QPointF> ParetoView::plottedData() const {
    std::vector<QPointF> out;
    for (const CandidateCloud::Point& p : cloud_->points())
        out.emplace_back(p.key, p.value);
    std::sort(out.begin(), out.end(), [](const QPointF& a, const QPointF& b) {
        return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
    });
    return out;
}

QPointF ParetoView::pixelFor(double cost, double fitness) const {
    return {plot_->xAxis->coordToPixel(cost), plot_->yAxis->coordToPixel(fitness)};
}

double ParetoView::budgetLinePixel() const {
    return budgetMarker_->pixel();
}

std::optional<std::size_t> ParetoView::nearestPoint(const QPointF& pos, double radius) const {
    if (!plot_->axisRect()->rect().contains(pos.toPoint())) return std::nullopt;
    const QCPAxis* x = plot_->xAxis;
    const QCPAxis* y = plot_->yAxis;
    double best = radius * radius;
    std::optional<std::size_t> found;
    for (std::size_t p = 0; p < plotted_.size(); ++p) {
        const double dx = x->coordToPixel(plotted_[p].x) - pos.x();
        if (std::abs(dx) > radius) continue;
        const double dy = y->coordToPixel(candidates_[plotted_[p].candidate].fitness) - pos.y();
        const double d = dx * dx + dy * dy;
        if (d <= best) {
            best = d;
            found = p;
        }
    }
    return found;
}

bool ParetoView::nearBudgetLine(const QPointF& pos) const {
    return plot_->axisRect()
               ->rect()
               .adjusted(-int(kGrabPixels), 0, int(kGrabPixels), 0)
               .contains(pos.toPoint()) &&
           std::abs(pos.x() - budgetLinePixel()) <= kGrabPixels;
}

QString ParetoView::toolTipAt(const QPointF& plotPos) const {
    const std::optional<std::size_t> p = nearestPoint(plotPos, kHoverPixels);
    if (!p) return QString();
    const Candidate& c = candidates_[plotted_[*p].candidate];
    QString key = c.key.isEmpty() ? tr("(no key)") : c.key;
    if (key.size() > 72) key = key.left(69) + QStringLiteral("…");
    QStringList lines;
    lines << QStringLiteral("<b>%1</b>").arg(key.toHtmlEscaped());
    lines << tr("Generation %1 · architecture #%2").arg(c.generation).arg(c.id);
    lines << tr("Validation loss: %1").arg(c.fitness, 0, 'f', 4);
    lines << tr("FLOPs: %1").arg(PlotTheme::siNumber(c.flops));
    lines << tr("Active parameters: %1").arg(PlotTheme::siNumber(c.params));
    if (c.latency)
        lines << tr("Latency: %1 ms%2")
                     .arg(*c.latency, 0, 'f', 2)
                     .arg(c.latencyPredicted ? tr(" (predicted)") : QString());
    if (std::isfinite(budget_) && plotted_[*p].x > budget_) lines << tr("<i>Over the budget</i>");
    return lines.join(QStringLiteral("<br>"));
}

void ParetoView::handleMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const QPointF pos = event->position();
    if (nearBudgetLine(pos) && pointCount() > 0) {
        draggingBudget_ = true;
        pressPos_.reset();
        // The drag moves the budget, not the axes.
        plot_->axisRect()->setRangeDrag(Qt::Orientations());
        return;
    }
    pressPos_ = pos;
}

void ParetoView::handleMouseMove(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (draggingBudget_) {
        const QCPRange range = plot_->xAxis->range();
        const double budget = std::clamp(plot_->xAxis->pixelToCoord(pos.x()), range.lower, range.upper);
        applyBudget(budget, true);
        return;
    }
    if (nearBudgetLine(pos)) {
        plot_->setCursor(Qt::SplitHCursor);
        QToolTip::showText(event->globalPosition().toPoint(),
                           tr("Drag to set the %1 budget").arg(costAxisLabel(metric_).toLower()), plot_);
        return;
    }
    const QString tip = toolTipAt(pos);
    plot_->setCursor(tip.isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
    if (tip.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
}

void ParetoView::handleMouseRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    if (draggingBudget_) {
        draggingBudget_ = false;
        plot_->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (!pressPos_) return;
    const QPointF press = *pressPos_;
    pressPos_.reset();
    if (QLineF(press, event->position()).length() > kClickSlopPixels) return;
    const std::optional<std::size_t> p = nearestPoint(event->position(), kPickPixels);
    if (!p) {
        // A compared search's front point: with a document it becomes the selection (Ctrl+click: B of a
        // diff with the selected candidate), ringed as the document's selection and drawn in the figure;
        // without one it is ringed here. Either way comparedCandidateClicked says so.
        if (const auto overlayPoint = nearestOverlayPoint(event->position(), kPickPixels)) {
            const qint64 run = document_ ? document_->comparedSearchNamed(overlayPoint->first) : 0;
            if (run > 0) {
                if ((event->modifiers() & Qt::ControlModifier) &&
                    document_->diffWithSelected(run, overlayPoint->second))
                    return;
                document_->selectCandidate(run, overlayPoint->second);
            } else {
                markComparedCandidate(overlayPoint->first, overlayPoint->second);
            }
            emit comparedCandidateClicked(overlayPoint->first, overlayPoint->second);
        }
        return;
    }
    // Ctrl+click: diff this candidate with the selected one (the selection stays).
    if ((event->modifiers() & Qt::ControlModifier) && document_ &&
        document_->diffWithSelected(candidates_[plotted_[*p].candidate].key))
        return;
    selected_ = plotted_[*p].candidate;
    updateSelectionGraph();
    budgetMarker_->replotLayer();
    const Candidate& c = candidates_[*selected_];
    if (document_) document_->select(c.key);
    emit candidateSelected(c.id, c.key);
}

void ParetoView::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    // The candidate under the mouse can be diffed with the selected one (also Ctrl+click), a compared
    // search's front point too.
    const std::optional<std::size_t> under = nearestPoint(QPointF(pos), kPickPixels);
    QString underKey = under ? candidates_[plotted_[*under].candidate].key : QString();
    qint64 underRun = 0;
    if (!under && document_)
        if (const auto overlayPoint = nearestOverlayPoint(QPointF(pos), kPickPixels)) {
            underRun = document_->comparedSearchNamed(overlayPoint->first);
            if (underRun > 0) underKey = overlayPoint->second;
        }
    QAction* diffAction = menu.addAction(tr("Diff with the Selected Architecture"));
    diffAction->setEnabled(document_ && !underKey.isEmpty() && !document_->selectedKey().isEmpty() &&
                           (underKey != document_->selectedKey() || underRun != document_->selectedRun()));
    menu.addSeparator();
    QAction* exportAction = menu.addAction(tr("Export plot…"));
    QAction* clearBudget = menu.addAction(tr("Clear budget"));
    clearBudget->setEnabled(std::isfinite(budget_));
    QAction* runBudget = menu.addAction(tr("Use the search's budget"));
    runBudget->setEnabled(document_ && document_->budget(metric_));
    QAction* showAll = menu.addAction(tr("Show all candidates"));
    QAction* chosen = menu.exec(plot_->mapToGlobal(pos));
    if (chosen == diffAction) {
        document_->diffWithSelected(underRun, underKey);
    } else if (chosen == clearBudget) {
        applyBudget(std::numeric_limits<double>::infinity(), true);
    } else if (chosen == runBudget) {
        userBudget_ = false;
        adoptRunBudget();
    } else if (chosen == showAll) {
        setFollow(true);
    } else if (chosen == exportAction) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Pareto plot"), QStringLiteral("pareto.png"), FigureExporter::fileDialogFilter());
        if (path.isEmpty()) return;
        QString error;
        if (!exportPlot(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
    }
}

bool ParetoView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
