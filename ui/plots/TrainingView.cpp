#include "ui/plots/TrainingView.h"

#include "ui/figure/FigureExporter.h"
#include "ui/plots/LegendPlacement.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/plots/RankThroughput.h"
#include "ui/plots/TrainingOverlays.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QMenu>
#include <QMessageBox>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

namespace automoe::ui {

namespace {

const QColor kLargest(0xe1, 0x6a, 0x1b);
const QColor kSmallest(0x3c, 0x8d, 0x40);
const QColor kOther(0x8a, 0x93, 0x9c);
const QColor kRate(0x1f, 0x8a, 0x8a);
const QColor kThroughput(0x8e, 0x5e, 0xa2);

// Powers of ten ("5.0·10⁻⁴") for the learning rate, but a plain "0" at zero.
class RateTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override {
        if (std::abs(tick) < 1e-30) return QStringLiteral("0");
        return QCPAxisTicker::getTickLabel(tick, locale, formatChar, precision);
    }
};

QVector<QPointF> pointsOf(const QCPGraph* graph) {
    QVector<QPointF> out;
    out.reserve(graph->dataCount());
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out.append(QPointF(it->key, it->value));
    return out;
}

QString layerName(const QString& stack, int layer) {
    return (stack == QLatin1String("decoder") ? QObject::tr("Dec %1") : QObject::tr("Enc %1")).arg(layer + 1);
}

void padValueAxis(QCPAxis* axis, bool fromZero = false) {
    bool found = false;
    QCPRange range;
    for (QCPAbstractPlottable* p : axis->plottables()) {
        if (!p->visible()) continue;
        bool ok = false;
        const QCPRange r = p->getValueRange(ok);
        if (!ok) continue;
        range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
        found = true;
    }
    if (!found) return;
    if (fromZero) range.lower = std::min(0.0, range.lower);
    double span = range.size();
    if (span <= 0) span = std::max(std::abs(range.upper) * 0.1, 1e-12);
    axis->setRange(range.lower - (fromZero ? 0 : 0.06 * span), range.upper + 0.08 * span);
}

} // namespace

TrainingView::TrainingView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Training curves"));
    buildPlot();
    followButton_ = new QToolButton(this);
    followButton_->setObjectName("trainingFollow");
    followButton_->setText(tr("Follow"));
    followButton_->setCheckable(true);
    followButton_->setChecked(true);
    followButton_->setAutoRaise(true);
    followButton_->setToolTip(tr("Follow live data: the axes take in every new update. Zooming or panning "
                                 "switches it off; switch it on to see everything again."));
    connect(followButton_, &QToolButton::toggled, this, &TrainingView::setFollow);
    balanceButton_ = new QToolButton(this);
    balanceButton_->setObjectName("routingBalance");
    balanceButton_->setText(tr("Balance"));
    balanceButton_->setCheckable(true);
    balanceButton_->setAutoRaise(true);
    balanceButton_->setToolTip(
        tr("Routing health: show each MoE layer's balance (the entropy of its expert load "
           "over ln n: 1 = every expert equally busy, 0 = one expert takes every token) "
           "instead of its busiest expert's share"));
    connect(balanceButton_, &QToolButton::toggled, this, [this](bool balance) {
        health_->setMetric(balance ? RoutingHealthPanel::Metric::Balance
                                   : RoutingHealthPanel::Metric::BusiestShare);
        plot_->replot(QCustomPlot::rpQueuedReplot);
    });
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 2, 8, 0);
    bar->addStretch(1);
    bar->addWidget(balanceButton_);
    bar->addWidget(followButton_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
    rebuildRoutingBars();
    rescale();
}

TrainingView::~TrainingView() = default;

QCPGraph* TrainingView::addSeries(QCPAxisRect* rect, const QString& name, const QPen& pen, bool axis2) {
    QCPGraph* graph = plot_->addGraph(rect->axis(QCPAxis::atBottom),
                                      rect->axis(axis2 ? QCPAxis::atRight : QCPAxis::atLeft));
    graph->setName(name);
    graph->setPen(pen);
    graph->setAdaptiveSampling(true);
    graph->setSelectable(QCP::stNone);
    return graph;
}

void TrainingView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(560, 380);
    plot_->setMouseTracking(true);
    plot_->setAutoAddPlottableToLegend(false);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot_, &QWidget::customContextMenuRequested, this, &TrainingView::showContextMenu);
    connect(plot_, &QCustomPlot::mouseMove, this, &TrainingView::handleMouseMove);
    PlotTheme::apply(*plot_, palette_, font());

    // Left column: loss, learning rate and throughput over updates, x-aligned. Right: routing, the expert
    // load of the latest snapshot and the routing health of every snapshot (on the same update range as the
    // left).
    QCPLayoutGrid* main = plot_->plotLayout();
    lossRect_ = plot_->axisRect();
    main->take(lossRect_);
    main->simplify();
    auto* left = new QCPLayoutGrid;
    auto* right = new QCPLayoutGrid;
    main->addElement(0, 0, left);
    main->addElement(0, 1, right);
    main->setColumnStretchFactor(0, 1.9);
    main->setColumnStretchFactor(1, 1.0);
    main->setColumnSpacing(12);

    lrRect_ = new QCPAxisRect(plot_);
    throughputRect_ = new QCPAxisRect(plot_);
    left->addElement(0, 0, lossRect_);
    left->addElement(1, 0, lrRect_);
    left->addElement(2, 0, throughputRect_);
    left->setRowStretchFactors({3.0, 1.1, 1.1});
    left->setRowSpacing(4);
    auto* margins = new QCPMarginGroup(plot_);
    for (QCPAxisRect* rect : {lossRect_, lrRect_, throughputRect_}) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        PlotTheme::styleAxisRect(*rect, palette_, font());
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
    }
    health_ = std::make_unique<RoutingHealthPanel>(*plot_, *right, 2, palette_, font());
    updateRects_ = {lossRect_, lrRect_, throughputRect_, health_->rect()};
    for (QCPAxisRect* rect : updateRects_) {
        // One update axis. A change the view did not make is the user's zoom or pan.
        connect(rect->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
                [this](const QCPRange& range) {
                    if (!rescaling_) setFollow(false);
                    for (QCPAxisRect* other : updateRects_)
                        if (other->axis(QCPAxis::atBottom)->range() != range)
                            other->axis(QCPAxis::atBottom)->setRange(range);
                });
    }
    lossRect_->axis(QCPAxis::atBottom)->setTickLabels(false);
    lrRect_->axis(QCPAxis::atBottom)->setTickLabels(false);
    throughputRect_->axis(QCPAxis::atBottom)->setLabel(tr("Update"));
    lossRect_->axis(QCPAxis::atLeft)->setLabel(tr("Loss"));
    QCPAxis* rateAxis = lrRect_->axis(QCPAxis::atLeft);
    rateAxis->setLabel(tr("Learning rate"));
    rateAxis->setTicker(QSharedPointer<QCPAxisTicker>(new RateTicker));
    rateAxis->setNumberFormat(QStringLiteral("eb"));
    rateAxis->setNumberPrecision(1);
    rateAxis->ticker()->setTickCount(3);
    QCPAxis* tpsAxis = throughputRect_->axis(QCPAxis::atLeft);
    tpsAxis->setLabel(tr("Tokens / s"));
    PlotTheme::useSiTicks(*tpsAxis);
    tpsAxis->ticker()->setTickCount(3);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    QColor faint = palette_.encoderAccent;
    faint.setAlpha(55);
    rawLoss_ = addSeries(lossRect_, tr("Training loss"), QPen(faint, 1.0));
    smoothLoss_ = addSeries(lossRect_, tr("Training loss (smoothed)"), QPen(palette_.encoderAccent, 2.0));
    validLargest_ = addSeries(lossRect_, tr("Validation, largest subnet"), QPen(kLargest, 1.8));
    validLargest_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kLargest, 1.6), QBrush(palette_.paper), 7));
    validSmallest_ = addSeries(lossRect_, tr("Validation, smallest subnet"), QPen(kSmallest, 1.8));
    validSmallest_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(kSmallest, 1.6), QBrush(palette_.paper), 6.5));
    validOther_ = addSeries(lossRect_, tr("Validation, other subnets"), QPen(kOther));
    validOther_->setLineStyle(QCPGraph::lsNone);
    validOther_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(kOther, 1.2), kOther, 5));
    for (QCPGraph* g : {rawLoss_, smoothLoss_, validLargest_, validSmallest_, validOther_})
        g->addToLegend();
    lossRect_->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    PlotTheme::styleLegend(*plot_->legend, palette_, font());
    plot_->legend->setVisible(true);
    // Loss falls from the top left, so the top right is usually free; not with compared runs' curves and
    // validation points: the legend then moves to the emptiest corner.
    // Too big for the panel (a short dock), it goes above the panel, its entries side by side.
    legendPlacement_ = new LegendPlacement(plot_, lossRect_, plot_->legend);
    legendPlacement_->setOutside(left, 0);

    lr_ = addSeries(lrRect_, tr("Learning rate"), QPen(kRate, 1.8));
    QColor faintThroughput = kThroughput;
    faintThroughput.setAlpha(50);
    throughput_ = addSeries(throughputRect_, tr("Tokens per second"), QPen(faintThroughput, 1.0));
    smoothThroughput_ =
        addSeries(throughputRect_, tr("Tokens per second (smoothed)"), QPen(kThroughput, 1.8));
    ranks_ = std::make_unique<RankThroughput>(*plot_, throughputRect_, smoothThroughput_, font(),
                                              palette_.text, palette_.paper, palette_.faint);
    overlays_ = std::make_unique<TrainingOverlays>(*plot_, lossRect_, lrRect_, palette_.paper);
    connect(overlays_.get(), &TrainingOverlays::changed, this, [this] {
        updateShownName();
        dataChanged();
    });

    // Expert load: one stacked horizontal bar per MoE layer.
    QFont titleFont = font();
    titleFont.setPointSizeF(10);
    titleFont.setBold(true);
    routingTitle_ = new QCPTextElement(plot_, tr("Expert load"), titleFont);
    routingTitle_->setTextColor(palette_.text);
    routingRect_ = new QCPAxisRect(plot_);
    routingRect_->setRangeDrag(Qt::Orientations());
    routingRect_->setRangeZoom(Qt::Orientations());
    right->addElement(0, 0, routingTitle_);
    right->addElement(1, 0, routingRect_);
    right->setRowStretchFactors({0.01, 1.0, 0.01, 0.85});
    PlotTheme::styleAxisRect(*routingRect_, palette_, font());
    QCPAxis* share = routingRect_->axis(QCPAxis::atBottom);
    share->setLabel(tr("Share of the layer's tokens (%)"));
    share->setRange(0, 100);
    share->grid()->setVisible(true);
    QCPAxis* layers = routingRect_->axis(QCPAxis::atLeft);
    layers->setRangeReversed(true);
    layers->grid()->setVisible(false);
    layers->setTickLength(0, 0);
    layers->setSubTicks(false);
    layers->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
}

void TrainingView::addTrainingSteps(const std::vector<TrainingStepRow>& rows) {
    if (rows.empty()) return;
    QVector<double> updates, losses, rates, tpsUpdates, tps;
    updates.reserve(int(rows.size()));
    losses.reserve(int(rows.size()));
    rates.reserve(int(rows.size()));
    bool ordered = true;
    double previous = lastUpdate_;
    for (const TrainingStepRow& r : rows) {
        const double update = double(r.update);
        ordered = ordered && update > previous;
        previous = std::max(previous, update);
        updates.push_back(update);
        losses.push_back(r.loss);
        rates.push_back(r.lr);
        // wallMs is the wall-clock time of the step itself.
        if (r.wallMs > 0) {
            tpsUpdates.push_back(update);
            tps.push_back(double(r.tokens) * 1000.0 / r.wallMs);
        }
    }
    rawLoss_->addData(updates, losses, ordered);
    lr_->addData(updates, rates, ordered);
    ranks_->addSteps(rows);
    throughput_->addData(tpsUpdates, tps, ordered);
    if (ordered) {
        QVector<double> smooth;
        smooth.reserve(losses.size());
        for (double loss : losses) {
            emaValue_ = smoothing_ * emaValue_ + (1 - smoothing_) * loss;
            emaWeight_ = smoothing_ * emaWeight_ + (1 - smoothing_);
            smooth.push_back(emaWeight_ > 0 ? emaValue_ / emaWeight_ : loss);
        }
        smoothLoss_->addData(updates, smooth, true);
        lastUpdate_ = previous;
        QVector<double> smoothTps;
        smoothTps.reserve(tps.size());
        for (double v : tps) {
            tpsValue_ = smoothing_ * tpsValue_ + (1 - smoothing_) * v;
            tpsWeight_ = smoothing_ * tpsWeight_ + (1 - smoothing_);
            smoothTps.push_back(tpsValue_ / tpsWeight_);
        }
        smoothThroughput_->addData(tpsUpdates, smoothTps, true);
    } else {
        recomputeSmoothing(); // rows out of order: average the whole series again, in update order
    }
    dataChanged();
}

void TrainingView::smoothSeries(const QCPGraph* source, QCPGraph* target, double& value, double& weight,
                                double& last) {
    value = weight = 0;
    last = -1;
    QVector<double> keys, smooth;
    keys.reserve(source->dataCount());
    smooth.reserve(source->dataCount());
    for (auto it = source->data()->constBegin(); it != source->data()->constEnd(); ++it) {
        value = smoothing_ * value + (1 - smoothing_) * it->value;
        weight = smoothing_ * weight + (1 - smoothing_);
        keys.push_back(it->key);
        smooth.push_back(weight > 0 ? value / weight : it->value);
        last = it->key;
    }
    target->setData(keys, smooth, true);
}

void TrainingView::recomputeSmoothing() {
    smoothSeries(rawLoss_, smoothLoss_, emaValue_, emaWeight_, lastUpdate_);
    smoothSeries(throughput_, smoothThroughput_, tpsValue_, tpsWeight_, lastTpsUpdate_);
}

void TrainingView::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == smoothing_) return;
    smoothing_ = weight;
    recomputeSmoothing();
    ranks_->setSmoothing(weight);
    overlays_->setSmoothing(weight);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::addValidations(const std::vector<ValidationRow>& rows) {
    if (rows.empty()) return;
    for (const ValidationRow& r : rows) {
        QCPGraph* graph = r.subnet == "largest"    ? validLargest_
                          : r.subnet == "smallest" ? validSmallest_
                                                   : validOther_;
        graph->addData(double(r.update), r.loss);
    }
    dataChanged();
}

void TrainingView::setRouting(const RoutingSnapshot& snapshot) {
    std::map<std::pair<int, int>, LayerLoad> layers; // (encoder 0 / decoder 1, layer)
    for (const RoutingStatRow& r : snapshot.rows) {
        if (r.expert < 0 || r.layer < 0) continue;
        const int stack = r.stack == "decoder" ? 1 : 0;
        LayerLoad& load = layers[{stack, r.layer}];
        load.stack = QString::fromStdString(r.stack);
        load.layer = r.layer;
        if (load.fractions.size() <= std::size_t(r.expert))
            load.fractions.resize(std::size_t(r.expert) + 1, 0.0);
        load.fractions[std::size_t(r.expert)] += r.tokensFraction;
    }
    loads_.clear();
    for (auto& [where, load] : layers)
        loads_.push_back(std::move(load));
    routingUpdate_ = snapshot.update;
    rebuildRoutingBars();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::setRoutingHealth(const RoutingHealthModel& model) {
    health_->show(model);
    dataChanged();
}

void TrainingView::rebuildRoutingBars() {
    std::size_t slotCount = 0;
    for (const LayerLoad& l : loads_)
        slotCount = std::max(slotCount, l.fractions.size());
    QCPAxis* layerAxis = routingRect_->axis(QCPAxis::atLeft);
    QCPAxis* shareAxis = routingRect_->axis(QCPAxis::atBottom);
    while (expertBars_.size() < slotCount) {
        const int slot = int(expertBars_.size());
        auto* bars = new QCPBars(layerAxis, shareAxis);
        bars->setName(tr("Expert %1").arg(slot + 1));
        bars->setWidth(0.68);
        bars->setPen(QPen(palette_.paper, 1.0));
        bars->setBrush(palette_.expert(slot));
        bars->setSelectable(QCP::stNone);
        if (!expertBars_.empty()) bars->moveAbove(expertBars_.back());
        expertBars_.push_back(bars);
    }
    QVector<double> keys;
    for (int i = 0; i < int(loads_.size()); ++i)
        keys.push_back(i);
    for (std::size_t slot = 0; slot < expertBars_.size(); ++slot) {
        QVector<double> values;
        for (const LayerLoad& l : loads_)
            values.push_back(slot < l.fractions.size() ? 100.0 * l.fractions[slot] : 0.0);
        expertBars_[slot]->setData(keys, values, true);
        expertBars_[slot]->setVisible(slot < slotCount);
    }
    // Percentages on segments wide enough to hold them.
    for (QCPItemText* label : shareLabels_)
        plot_->removeItem(label);
    shareLabels_.clear();
    QFont labelFont = font();
    labelFont.setPointSizeF(8);
    for (int row = 0; row < int(loads_.size()); ++row) {
        double start = 0;
        for (const double fraction : loads_[std::size_t(row)].fractions) {
            if (fraction >= 0.09) {
                auto* label = new QCPItemText(plot_);
                label->setClipAxisRect(routingRect_);
                label->position->setAxes(shareAxis, layerAxis);
                label->position->setCoords(100.0 * (start + fraction / 2), row);
                label->setText(QStringLiteral("%1 %").arg(100.0 * fraction, 0, 'f', 0));
                label->setFont(labelFont);
                label->setColor(Qt::white);
                label->setSelectable(false);
                shareLabels_.push_back(label);
            }
            start += fraction;
        }
    }
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(layerAxis->ticker());
    ticker->clear();
    for (int i = 0; i < int(loads_.size()); ++i)
        ticker->addTick(i, layerName(loads_[std::size_t(i)].stack, loads_[std::size_t(i)].layer));
    layerAxis->setRange(-0.6, std::max(1, int(loads_.size())) - 0.4);
    routingTitle_->setText(
        routingUpdate_ ? tr("Expert load at update %1").arg(QLocale().toString(qint64(*routingUpdate_)))
                       : tr("Expert load (no routing data yet)"));
}

void TrainingView::dataChanged() {
    if (follow_) rescale();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::setFollow(bool follow) {
    if (follow == follow_) return;
    follow_ = follow;
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(follow);
    }
    if (follow) {
        rescale();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    emit followChanged(follow);
}

void TrainingView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &TrainingView::clear);
    connect(document_, &RunDocument::stepsAdded, this, [this](int first) {
        const auto& all = document_->steps();
        addTrainingSteps(std::vector<TrainingStepRow>(all.begin() + first, all.end()));
    });
    connect(document_, &RunDocument::stepsRewritten, this, &TrainingView::reloadSteps);
    connect(document_, &RunDocument::validationsAdded, this, [this](int first) {
        const auto& all = document_->validations();
        addValidations(std::vector<ValidationRow>(all.begin() + first, all.end()));
    });
    connect(document_, &RunDocument::validationsRewritten, this, &TrainingView::reloadValidations);
    connect(document_, &RunDocument::routingChanged, this, [this] {
        if (document_->routing()) setRouting(*document_->routing());
    });
    connect(document_, &RunDocument::routingHealthChanged, this,
            [this] { setRoutingHealth(document_->routingHealth()); });
    connect(document_, &RunDocument::infoChanged, this, &TrainingView::updateShownName);
    reloadSteps();
    reloadValidations();
    updateShownName();
    if (document_->routing()) setRouting(*document_->routing());
    setRoutingHealth(document_->routingHealth());
}

void TrainingView::reloadSteps() {
    for (QCPGraph* g : {rawLoss_, smoothLoss_, lr_, throughput_, smoothThroughput_})
        g->data()->clear();
    emaValue_ = emaWeight_ = 0;
    tpsValue_ = tpsWeight_ = 0;
    lastTpsUpdate_ = -1;
    lastUpdate_ = -1;
    ranks_->clear();
    if (document_) addTrainingSteps(document_->steps());
    dataChanged();
}

void TrainingView::reloadValidations() {
    for (QCPGraph* g : {validLargest_, validSmallest_, validOther_})
        g->data()->clear();
    if (document_) addValidations(document_->validations());
    dataChanged();
}

void TrainingView::rescale() {
    rescaling_ = true;
    bool ok = false;
    QCPRange updates;
    auto take = [&](const QCPRange& r) {
        updates = ok ? QCPRange(std::min(updates.lower, r.lower), std::max(updates.upper, r.upper)) : r;
        ok = true;
    };
    for (QCPGraph* g : {rawLoss_, validLargest_, validSmallest_, validOther_}) {
        bool has = false;
        const QCPRange r = g->getKeyRange(has);
        if (has) take(r);
    }
    if (QCPRange r; health_->updateRange(r)) take(r);
    overlays_->takeUpdateRange(updates, ok);
    if (!ok) updates = QCPRange(0, 1000);
    if (updates.size() <= 0) updates = QCPRange(updates.lower - 1, updates.upper + 1);
    lossRect_->axis(QCPAxis::atBottom)->setRange(updates.lower, updates.upper + 0.01 * updates.size());
    padValueAxis(lossRect_->axis(QCPAxis::atLeft));
    padValueAxis(lrRect_->axis(QCPAxis::atLeft), true);
    padValueAxis(throughputRect_->axis(QCPAxis::atLeft), true);
    rescaling_ = false;
}

void TrainingView::clear() {
    for (QCPGraph* g : {rawLoss_, smoothLoss_, validLargest_, validSmallest_, validOther_, lr_, throughput_,
                        smoothThroughput_})
        g->data()->clear();
    emaValue_ = emaWeight_ = 0;
    tpsValue_ = tpsWeight_ = 0;
    lastTpsUpdate_ = -1;
    lastUpdate_ = -1;
    ranks_->clear();
    loads_.clear();
    routingUpdate_.reset();
    rebuildRoutingBars();
    health_->clear();
    updateShownName();
    // A new run is seen whole again.
    setFollow(true);
    rescale();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingView::setComparison(TrainingComparison* comparison) {
    overlays_->setComparison(comparison);
}

void TrainingView::updateShownName() {
    QString name = tr("Training loss (smoothed)");
    if (!overlays_->isEmpty() && document_ && document_->runId() > 0) {
        const QString run = document_->name().isEmpty()
                                ? tr("Run %1").arg(document_->runId())
                                : tr("Run %1 \u00B7 %2").arg(document_->runId()).arg(document_->name());
        name = tr("%1 (shown)").arg(run);
    }
    smoothLoss_->setName(name);
}

Qt::Alignment TrainingView::legendCorner() const {
    return legendPlacement_->corner();
}

bool TrainingView::legendAbovePanel() const {
    return legendPlacement_->isOutside();
}

QStringList TrainingView::legendNames() const {
    QStringList names;
    for (int i = 0; i < plot_->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot_->legend->item(i)))
            names << item->plottable()->name();
    return names;
}

QVector<QPointF> TrainingView::trainLoss() const {
    return pointsOf(rawLoss_);
}
QVector<QPointF> TrainingView::smoothedTrainLoss() const {
    return pointsOf(smoothLoss_);
}
QVector<QPointF> TrainingView::learningRate() const {
    return pointsOf(lr_);
}
QVector<QPointF> TrainingView::tokensPerSecond() const {
    return pointsOf(throughput_);
}
QVector<QPointF> TrainingView::validationLoss(const QString& subnet) const {
    if (subnet == QLatin1String("largest")) return pointsOf(validLargest_);
    if (subnet == QLatin1String("smallest")) return pointsOf(validSmallest_);
    return pointsOf(validOther_);
}

QString TrainingView::toolTipAt(const QPointF& pos) const {
    if (QString health = health_->toolTipAt(pos); !health.isEmpty()) return health;
    if (routingRect_->rect().contains(pos.toPoint())) {
        const int row = int(std::lround(routingRect_->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        if (row < 0 || row >= int(loads_.size())) return QString();
        const LayerLoad& l = loads_[std::size_t(row)];
        const double share = routingRect_->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()) / 100.0;
        double cumulative = 0;
        for (std::size_t e = 0; e < l.fractions.size(); ++e) {
            cumulative += l.fractions[e];
            if (share <= cumulative || e + 1 == l.fractions.size())
                return tr("%1 layer %2, expert %3: %4 % of tokens (uniform: %5 %)")
                    .arg(l.stack == QLatin1String("decoder") ? tr("Decoder") : tr("Encoder"))
                    .arg(l.layer + 1)
                    .arg(e + 1)
                    .arg(100.0 * l.fractions[e], 0, 'f', 1)
                    .arg(100.0 / double(l.fractions.size()), 0, 'f', 1);
        }
        return QString();
    }
    for (QCPAxisRect* rect : {lossRect_, lrRect_, throughputRect_}) {
        if (!rect->rect().contains(pos.toPoint()) || (rawLoss_->data()->isEmpty() && overlays_->isEmpty()))
            continue;
        const double update = rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
        auto at = [update](const QCPGraph* g) -> std::optional<QCPGraphData> {
            if (g->data()->isEmpty()) return std::nullopt;
            auto it = g->data()->findBegin(update, false);
            if (it == g->data()->constEnd()) --it;
            return *it;
        };
        QStringList lines;
        if (const auto raw = at(rawLoss_)) {
            lines << tr("<b>Update %1</b>").arg(QLocale().toString(qint64(raw->key)));
            lines << tr("Training loss: %1").arg(raw->value, 0, 'f', 3);
        }
        if (const auto s = at(smoothLoss_)) lines << tr("Smoothed: %1").arg(s->value, 0, 'f', 3);
        if (const auto r = at(lr_)) lines << tr("Learning rate: %1").arg(r->value, 0, 'g', 3);
        if (const auto t = at(throughput_)) lines << tr("Tokens/s: %1").arg(PlotTheme::siNumber(t->value));
        lines << ranks_->toolTipLines(update);
        // The overlaid runs' smoothed loss at the same update, to read the comparison off.
        for (const qint64 id : overlays_->runs())
            if (const auto p = overlays_->smoothedLossAt(id, update))
                lines << tr("%1: smoothed %2 (update %3)")
                             .arg(overlays_->legendName(id).toHtmlEscaped())
                             .arg(p->y(), 0, 'f', 3)
                             .arg(QLocale().toString(qint64(p->x())));
        return lines.join(QStringLiteral("<br>"));
    }
    return QString();
}

void TrainingView::handleMouseMove(QMouseEvent* event) {
    if (event->buttons() != Qt::NoButton) return;
    const QString tip = toolTipAt(event->position());
    if (tip.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
}

void TrainingView::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    QAction* exportAction = menu.addAction(tr("Export plot…"));
    QAction* reset = menu.addAction(tr("Show all updates"));
    QAction* followAction = menu.addAction(tr("Follow live data"));
    followAction->setCheckable(true);
    followAction->setChecked(follow_);
    QAction* chosen = menu.exec(plot_->mapToGlobal(pos));
    if (chosen == reset || (chosen == followAction && !follow_)) {
        setFollow(true);
        rescale();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    } else if (chosen == followAction) {
        setFollow(false);
    } else if (chosen == exportAction) {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export training plot"), QStringLiteral("training.png"),
                                         FigureExporter::fileDialogFilter());
        if (path.isEmpty()) return;
        QString error;
        if (!exportPlot(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
    }
}

bool TrainingView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
