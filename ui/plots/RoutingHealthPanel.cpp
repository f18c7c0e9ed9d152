#include "ui/plots/RoutingHealthPanel.h"

#include "ui/plots/PlotTheme.h"

#include <qcustomplot.h>

#include <QLocale>
#include <algorithm>
#include <array>
#include <cmath>

namespace automoe::ui {

namespace {

// "0 %", "20 %", ... for the busiest share (stored as a fraction).
class PercentTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale&, QChar, int) override {
        return QStringLiteral("%1 %").arg(std::lround(100.0 * tick));
    }
};

QCPScatterStyle::ScatterShape markerOf(int layer) {
    static const std::array<QCPScatterStyle::ScatterShape, 6> shapes{
        QCPScatterStyle::ssCircle,  QCPScatterStyle::ssSquare,           QCPScatterStyle::ssTriangle,
        QCPScatterStyle::ssDiamond, QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross};
    return shapes[std::size_t(layer) % shapes.size()];
}

QVector<QPointF> pointsOf(const QCPGraph* graph) {
    QVector<QPointF> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out.append(QPointF(it->key, it->value));
    return out;
}

void setPoints(QCPGraph* graph, const QVector<QPointF>& points) {
    QVector<double> keys, values;
    for (const QPointF& p : points) {
        keys.push_back(p.x());
        values.push_back(p.y());
    }
    graph->setData(keys, values, true);
}

} // namespace

RoutingHealthPanel::RoutingHealthPanel(QCustomPlot& plot, QCPLayoutGrid& column, int row,
                                       const FigurePalette& palette, const QFont& font)
    : plot_(plot)
    , palette_(palette)
    , font_(font) {
    QFont small = font;
    small.setPointSizeF(8);
    // The legend at its natural width, left-aligned (a grid cell would stretch its columns to the panel's
    // width), and on the right a note of events that could not be read.
    auto* margins = new QCPMarginGroup(&plot);
    auto* legendRow = new QCPLayoutGrid;
    column.addElement(row, 0, legendRow);
    legend_ = new QCPLegend;
    legendRow->addElement(0, 0, legend_);
    note_ = new QCPTextElement(&plot, QString(), small);
    note_->setTextColor(palette.muted);
    note_->setTextFlags(Qt::AlignRight | Qt::AlignVCenter);
    legendRow->addElement(0, 1, note_);
    legendRow->setColumnStretchFactors({0.001, 1.0});
    legendRow->setMarginGroup(QCP::msLeft | QCP::msRight, margins); // starts where the axis rects do
    legend_->setLayer(QStringLiteral("legend"));
    PlotTheme::styleLegend(*legend_, palette, font);
    legend_->setBorderPen(Qt::NoPen);
    legend_->setBrush(Qt::NoBrush);
    legend_->setColumnSpacing(12);
    legend_->setRowSpacing(0);
    legend_->setMargins(QMargins(2, 0, 2, 0));
    legend_->setVisible(false);

    rect_ = new QCPAxisRect(&plot);
    column.addElement(row + 1, 0, rect_);
    rect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    PlotTheme::styleAxisRect(*rect_, palette, font);
    rect_->setRangeDrag(Qt::Horizontal);
    rect_->setRangeZoom(Qt::Horizontal);
    QCPAxis* x = rect_->axis(QCPAxis::atBottom);
    QCPAxis* y = rect_->axis(QCPAxis::atLeft);
    y->setRange(0, 1.06);
    x->setLabel(tr("Update"));
    x->ticker()->setTickCount(4);

    // Collapse: the busiest expert takes more than kCollapsedShare of the layer's tokens.
    collapseLine_ = new QCPItemStraightLine(&plot);
    collapseLine_->setClipAxisRect(rect_);
    for (QCPItemPosition* p : {collapseLine_->point1, collapseLine_->point2}) {
        p->setAxisRect(rect_);
        p->setAxes(x, y);
    }
    collapseLine_->point1->setCoords(0, kCollapsedShare);
    collapseLine_->point2->setCoords(1, kCollapsedShare);
    collapseLine_->setPen(QPen(palette.muted, 1.2, Qt::DashLine));
    collapseLine_->setSelectable(false);
    collapseLabel_ = new QCPItemText(&plot);
    collapseLabel_->setClipAxisRect(rect_);
    collapseLabel_->position->setAxisRect(rect_);
    collapseLabel_->position->setAxes(x, y);
    collapseLabel_->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    collapseLabel_->position->setTypeY(QCPItemPosition::ptPlotCoords);
    collapseLabel_->position->setCoords(0.01, kCollapsedShare);
    collapseLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    collapseLabel_->setText(tr("collapse (%1 %)").arg(std::lround(100 * kCollapsedShare)));
    collapseLabel_->setFont(small);
    collapseLabel_->setColor(palette.muted);
    QColor veil = palette.paper; // legible over the lines it crosses
    veil.setAlpha(215);
    collapseLabel_->setBrush(veil);
    collapseLabel_->setPadding(QMargins(2, 0, 2, 0));
    collapseLabel_->setLayer(QStringLiteral("axes")); // above the lines
    collapseLabel_->setSelectable(false);
    applyMetric();
}

void RoutingHealthPanel::setMetric(Metric metric) {
    if (metric == metric_) return;
    metric_ = metric;
    applyMetric();
}

void RoutingHealthPanel::applyMetric() {
    const bool share = metric_ == Metric::BusiestShare;
    QCPAxis* y = rect_->axis(QCPAxis::atLeft);
    if (share) {
        y->setTicker(QSharedPointer<QCPAxisTicker>(new PercentTicker));
        y->ticker()->setTickCount(3);
        y->setLabel(tr("Busiest expert"));
    } else {
        y->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        y->ticker()->setTickCount(2);
        y->setLabel(tr("Balance"));
    }
    collapseLine_->setVisible(share);
    collapseLabel_->setVisible(share);
    for (const LayerGraphs& g : graphs_) {
        g.share->setVisible(share);
        g.entropy->setVisible(!share);
    }
}

QColor RoutingHealthPanel::colourOf(const RoutingHealthModel::Layer& layer, const FigurePalette& palette) {
    // The stack's accent hue, drifting a little and lightening with depth, so neighbouring layers differ.
    const QColor accent = layer.decoder ? palette.decoderAccent : palette.encoderAccent;
    const int step = std::min(layer.layer, 5);
    const int hue = (accent.hslHue() + (layer.decoder ? 7 : -9) * step + 360) % 360;
    return QColor::fromHsl(hue, layer.decoder ? 150 : 120, std::min(70 + 24 * step, 190));
}

QString RoutingHealthPanel::nameOf(const RoutingHealthModel::Layer& layer) {
    return (layer.decoder ? tr("Dec %1") : tr("Enc %1")).arg(layer.layer + 1);
}

void RoutingHealthPanel::removeGraphs() {
    legend_->clearItems();
    legend_->simplify(); // drops the emptied rows and columns
    for (const LayerGraphs& g : graphs_) {
        plot_.removeGraph(g.share);
        plot_.removeGraph(g.entropy);
    }
    graphs_.clear();
}

void RoutingHealthPanel::show(const RoutingHealthModel& model) {
    model_ = model;
    removeGraphs();
    const std::vector<RoutingHealthModel::Layer> layers = model_.layers();
    // The legend: encoder layers on its first row, decoder layers on the next.
    const bool hasEncoder = std::any_of(layers.begin(), layers.end(),
                                        [](const RoutingHealthModel::Layer& l) { return !l.decoder; });
    int column = 0;
    for (const RoutingHealthModel::Layer& l : layers) {
        if (l.decoder && (graphs_.empty() || !graphs_.back().layer.decoder)) column = 0;
        const QColor colour = colourOf(l, palette_);
        auto makeGraph = [&](const QVector<QPointF>& points) {
            QCPGraph* graph = plot_.addGraph(rect_->axis(QCPAxis::atBottom), rect_->axis(QCPAxis::atLeft));
            graph->setName(nameOf(l));
            graph->setPen(QPen(colour, 1.8));
            graph->setScatterStyle(
                QCPScatterStyle(markerOf(l.layer), QPen(colour, 1.4), QBrush(palette_.paper), 6));
            graph->setSelectable(QCP::stNone);
            setPoints(graph, points);
            return graph;
        };
        LayerGraphs g;
        g.layer = l;
        g.share = makeGraph(model_.busiestShare(l));
        g.entropy = makeGraph(model_.normalizedEntropy(l));
        legend_->addElement(l.decoder && hasEncoder ? 1 : 0, column++,
                            new QCPPlottableLegendItem(legend_, g.share));
        graphs_.push_back(g);
    }
    legend_->setVisible(!graphs_.empty());
    const int unread = int(model_.errors().size());
    note_->setText(unread ? tr("%n routing_health event(s) not read", nullptr, unread) : QString());
    applyMetric();
}

void RoutingHealthPanel::clear() {
    show(RoutingHealthModel());
}

QString RoutingHealthPanel::layerName(int i) const {
    return nameOf(graphs_[std::size_t(i)].layer);
}

QColor RoutingHealthPanel::layerColour(int i) const {
    return colourOf(graphs_[std::size_t(i)].layer, palette_);
}

QVector<QPointF> RoutingHealthPanel::busiestShare(int i) const {
    return pointsOf(graphs_[std::size_t(i)].share);
}

QVector<QPointF> RoutingHealthPanel::normalizedEntropy(int i) const {
    return pointsOf(graphs_[std::size_t(i)].entropy);
}

bool RoutingHealthPanel::updateRange(QCPRange& range) const {
    if (model_.isEmpty()) return false;
    range = QCPRange(double(model_.history().front().update), double(model_.history().back().update));
    return true;
}

QString RoutingHealthPanel::toolTipAt(const QPointF& pos) const {
    if (!model_.errors().isEmpty() && note_->outerRect().contains(pos.toPoint()))
        return model_.errors().join(QStringLiteral("<br>"));
    if (!rect_->rect().contains(pos.toPoint())) return QString();
    if (model_.isEmpty()) return QString();
    const double update = rect_->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
    const auto& history = model_.history();
    int nearest = 0;
    for (int i = 1; i < int(history.size()); ++i)
        if (std::abs(double(history[std::size_t(i)].update) - update) <
            std::abs(double(history[std::size_t(nearest)].update) - update))
            nearest = i;
    const RoutingHealth& h = history[std::size_t(nearest)];
    QStringList lines{tr("<b>Routing health at update %1</b> (%2 subnet)")
                          .arg(QLocale().toString(qint64(h.update)), QString::fromStdString(h.subnet))};
    for (const LayerGraphs& g : graphs_) {
        const LayerRoutingHealth* l = model_.at(nearest, g.layer);
        if (!l) continue;
        lines << tr("%1: expert %2 of %3 takes %4 % (uniform %5 %), balance %6%7")
                     .arg(nameOf(g.layer))
                     .arg(l->busiestExpert + 1)
                     .arg(l->experts)
                     .arg(100.0 * l->busiestShare, 0, 'f', 1)
                     .arg(100.0 / l->experts, 0, 'f', 0)
                     .arg(l->normalizedEntropy, 0, 'f', 2)
                     .arg(l->collapsed() ? tr(" <b>collapsed</b>") : QString());
    }
    return lines.join(QStringLiteral("<br>"));
}

} // namespace automoe::ui
