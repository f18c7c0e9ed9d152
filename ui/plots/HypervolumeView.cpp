#include "ui/plots/HypervolumeView.h"

#include "search/Pareto.h"
#include "ui/plots/CostMetric.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace automoe::ui {

namespace {

const QColor kCurveColour(0x22, 0x5e, 0xa8);
const QColor kOverlayColours[] = {QColor(0xd6, 0x45, 0x3d), QColor(0x8c, 0x6b, 0xb1),
                                  QColor(0xe0, 0x8e, 0x0b), QColor(0x2a, 0x9d, 0x8f)};

// The workbench's cost axis of a core metric name, for the candidates of an overlay.
std::optional<CostMetric> uiMetric(const QString& name) {
    if (name == QLatin1String("flops")) return CostMetric::Flops;
    if (name == QLatin1String("params")) return CostMetric::ActiveParams;
    if (name == QLatin1String("latency") || name == QLatin1String("predicted_latency"))
        return CostMetric::Latency;
    return std::nullopt;
}

QString metricText(const QString& name, double value) {
    if (const auto m = uiMetric(name)) return formatCost(value, *m);
    return QString::number(value, 'g', 4);
}

} // namespace

HypervolumeView::HypervolumeView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Hypervolume"));
    status_ = new QLabel(this);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    followButton_ = new QToolButton(this);
    followButton_->setObjectName("hypervolumeFollow");
    followButton_->setText(tr("Follow"));
    followButton_->setCheckable(true);
    followButton_->setChecked(true);
    followButton_->setAutoRaise(true);
    followButton_->setToolTip(tr("Follow live data: the axes take in every new generation. The wheel zooms "
                                 "and a drag pans, which switches it off; switch it on to see everything."));
    connect(followButton_, &QToolButton::toggled, this, &HypervolumeView::setFollow);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(status_, 1);
    bar->addWidget(followButton_);

    buildPlot();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
    refresh();
}

HypervolumeView::~HypervolumeView() = default;

void HypervolumeView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(360, 240);
    plot_->setAutoAddPlottableToLegend(false);
    PlotTheme::apply(*plot_, palette_, font());
    QCPAxisRect* rect = plot_->axisRect();
    rect->setupFullAxesBox(false);
    plot_->xAxis2->setTicks(false);
    plot_->yAxis2->setTicks(false);
    PlotTheme::styleAxisRect(*rect, palette_, font());
    plot_->xAxis->setLabel(tr("Generation"));
    auto integerTicks = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
    integerTicks->setTickStep(1.0);
    integerTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->xAxis->setTicker(integerTicks);
    plot_->yAxis->setLabel(tr("Hypervolume (cost × loss)"));
    PlotTheme::useSiTicks(*plot_->yAxis);

    graph_ = plot_->addGraph();
    graph_->setName(tr("This search"));
    graph_->setPen(QPen(kCurveColour, 2.0));
    graph_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kCurveColour, 1.6), QBrush(palette_.paper), 7));
    graph_->addToLegend();

    referenceLabel_ = new QCPItemText(plot_);
    referenceLabel_->setClipToAxisRect(false);
    referenceLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
    referenceLabel_->position->setCoords(0.015, 0.025);
    referenceLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    referenceLabel_->setTextAlignment(Qt::AlignLeft);
    referenceLabel_->setColor(palette_.text);
    referenceLabel_->setBrush(QBrush(palette_.paper));
    referenceLabel_->setPadding(QMargins(4, 2, 4, 2));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    referenceLabel_->setFont(small);

    plot_->legend->setVisible(true);
    PlotTheme::styleLegend(*plot_->legend, palette_, font());
    rect->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignBottom);

    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis})
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
            if (!rescaling_) setFollow(false);
        });
}

void HypervolumeView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &HypervolumeView::clear);
    connect(document_, &RunDocument::generationsAdded, this, [this](int first) {
        const auto& all = document_->generations();
        addGenerations(std::vector<GenerationRow>(all.begin() + first, all.end()));
    });
    addGenerations(document_->generations());
}

void HypervolumeView::clear() {
    volumes_.clear();
    reference_.reset();
    costMetric_.clear();
    setFollow(true);
    refresh();
}

void HypervolumeView::addGenerations(const std::vector<GenerationRow>& rows) {
    if (rows.empty()) return;
    const bool hadReference = reference_.has_value();
    for (const GenerationRow& g : rows) {
        volumes_[g.generation] = g.hypervolume;
        if (g.referenceCost && g.referenceFitness) {
            reference_ = QPointF(*g.referenceCost, *g.referenceFitness);
            costMetric_ = QString::fromStdString(g.costMetric);
        }
    }
    if (!hadReference && reference_)
        for (Overlay& overlay : overlays_)
            refreshOverlay(overlay);
    refresh();
}

void HypervolumeView::setOverlay(const QString& name, const std::vector<CandidateRow>& candidates) {
    if (candidates.empty()) {
        removeOverlay(name);
        return;
    }
    Overlay& overlay = overlays_[name];
    overlay.candidates = candidates;
    if (!overlay.graph) {
        overlay.colour = kOverlayColours[(overlays_.size() - 1) % std::size(kOverlayColours)];
        overlay.graph = plot_->addGraph();
        overlay.graph->setName(name);
        QPen pen(overlay.colour, 1.8, Qt::DashLine);
        overlay.graph->setPen(pen);
        overlay.graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(overlay.colour, 1.4), QBrush(palette_.paper), 6));
        overlay.graph->addToLegend();
    }
    refreshOverlay(overlay);
    refresh();
}

void HypervolumeView::removeOverlay(const QString& name) {
    auto it = overlays_.find(name);
    if (it == overlays_.end()) return;
    if (it->graph) plot_->removeGraph(it->graph);
    overlays_.erase(it);
    refresh();
}

QStringList HypervolumeView::overlayNames() const {
    return overlays_.keys();
}

void HypervolumeView::refreshOverlay(Overlay& overlay) {
    overlay.graph->data()->clear();
    const std::optional<CostMetric> metric = uiMetric(costMetric_);
    if (!reference_ || !metric) return;
    std::vector<ParetoPoint> points;
    std::vector<long long> generations;
    for (const CandidateRow& c : overlay.candidates) {
        const std::optional<double> cost = costOf(c, *metric);
        if (!cost || !std::isfinite(*cost) || !std::isfinite(c.fitness) || c.generation < 0) continue;
        points.push_back({*cost, c.fitness});
        generations.push_back(c.generation);
    }
    const std::vector<double> volumes =
        hypervolumeByGeneration(points, generations, {reference_->x(), reference_->y()});
    QVector<double> x, y;
    for (std::size_t g = 0; g < volumes.size(); ++g) {
        x.push_back(double(g));
        y.push_back(volumes[g]);
    }
    overlay.graph->setData(x, y, true);
}

QVector<QPointF> HypervolumeView::overlayCurve(const QString& name) const {
    QVector<QPointF> out;
    auto it = overlays_.find(name);
    if (it == overlays_.end()) return out;
    for (auto p = it->graph->data()->constBegin(); p != it->graph->data()->constEnd(); ++p)
        out.push_back(QPointF(p->key, p->value));
    return out;
}

QVector<QPointF> HypervolumeView::curve() const {
    QVector<QPointF> out;
    for (const auto& [generation, volume] : volumes_)
        out.push_back(QPointF(double(generation), volume));
    return out;
}

QString HypervolumeView::referenceText() const {
    if (!reference_)
        return volumes_.empty()
                   ? QString()
                   : tr("Reference point not logged (a run older than this view): hypervolume as "
                        "the search computed it");
    return tr("Reference point: %1, validation loss %2")
        .arg(metricText(costMetric_, reference_->x()))
        .arg(reference_->y(), 0, 'f', 4);
}

void HypervolumeView::refresh() {
    QVector<double> x, y;
    for (const auto& [generation, volume] : volumes_) {
        x.push_back(double(generation));
        y.push_back(volume);
    }
    graph_->setData(x, y, true);
    referenceLabel_->setText(referenceText());
    referenceLabel_->setVisible(!referenceLabel_->text().isEmpty());
    if (volumes_.empty()) {
        status_->setText(tr("No generation yet: a search run's hypervolume appears here as its generations "
                            "finish."));
    } else {
        const double last = volumes_.rbegin()->second;
        const double first = volumes_.begin()->second;
        status_->setText(
            tr("%n generation(s) · hypervolume %1 · %2 since generation %3", nullptr, int(volumes_.size()))
                .arg(PlotTheme::siNumber(last, 4))
                .arg(first > 0 ? QStringLiteral("%1%2 %")
                                     .arg(last >= first ? "+" : "")
                                     .arg(100.0 * (last - first) / first, 0, 'f', 1)
                               : QStringLiteral("—"))
                .arg(volumes_.begin()->first));
    }
    if (follow_) updateAxes();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HypervolumeView::updateAxes() {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    double maxGeneration = 1;
    auto take = [&](const QCPGraph* g) {
        for (auto p = g->data()->constBegin(); p != g->data()->constEnd(); ++p) {
            lo = std::min(lo, p->value);
            hi = std::max(hi, p->value);
            maxGeneration = std::max(maxGeneration, p->key);
        }
    };
    take(graph_);
    for (const Overlay& o : overlays_)
        take(o.graph);
    rescaling_ = true;
    plot_->xAxis->setRange(-0.5, maxGeneration + 0.5);
    if (std::isfinite(lo)) {
        const double pad = std::max((hi - lo) * 0.12, std::abs(hi) * 0.02 + 1e-12);
        plot_->yAxis->setRange(lo - pad, hi + pad * 2.5); // room for the reference text
    } else {
        plot_->yAxis->setRange(0, 1);
    }
    rescaling_ = false;
}

void HypervolumeView::setFollow(bool follow) {
    if (follow == follow_) return;
    follow_ = follow;
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(follow);
    }
    if (follow) {
        updateAxes();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    emit followChanged(follow);
}

bool HypervolumeView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
