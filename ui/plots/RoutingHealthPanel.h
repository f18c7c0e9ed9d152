// RoutingHealthPanel is the routing-health panel of the Training view (issue 14): for every MoE layer of the
// validated subnet, the busiest expert's share of the layer's tokens against the update, with a dashed line
// where a layer counts as collapsed (kCollapsedShare, 60 %); or, switched to "balance", the entropy of the
// layer's expert load over ln n (1 = every expert equally busy, 0 = one expert takes all). One metric at a
// time, under the expert-load bars and on the update range of the loss: the Training dock's default size has
// room for one such panel there, not two, and for top-1 routing the two mostly move together (a high busiest
// share is a low balance); the share comes first because it has a natural threshold. A layer keeps one colour
// and marker: encoder layers in blues, decoder layers in browns (the architecture figure's stack colours),
// darker for lower layers. The numbers are the core's (RoutingHealthModel, from the run's "routing_health"
// events); the panel only draws them, inside the Training view's plot.
#pragma once

#include "ui/figure/FigurePalette.h"
#include "ui/plots/RoutingHealthModel.h"

#include <QCoreApplication>
#include <QFont>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPLayoutGrid;
class QCPLegend;
class QCPRange;
class QCPTextElement;

namespace automoe::ui {

class RoutingHealthPanel {
    Q_DECLARE_TR_FUNCTIONS(RoutingHealthPanel)

public:
    enum class Metric { BusiestShare, Balance };

    // Adds the panel to `column` of `plot`: its legend (and a note of unreadable events) at row `row`, its
    // axis rect at row + 1. The plot owns them.
    RoutingHealthPanel(QCustomPlot& plot, QCPLayoutGrid& column, int row, const FigurePalette& palette,
                       const QFont& font);

    // Draws `model` (a copy is kept for the tooltips) and replaces what was drawn. Does not replot.
    void show(const RoutingHealthModel& model);
    void clear();

    // Which value the lines show; the busiest share by default. Does not replot.
    void setMetric(Metric metric);
    Metric metric() const { return metric_; }

    QCPAxisRect* rect() const { return rect_; }
    QCPLegend* legend() const { return legend_; }
    // "N event(s) not read" when a routing_health event could not be read, else empty.
    QCPTextElement* note() const { return note_; }

    // What is drawn, one entry per MoE layer in legend order (encoder, then decoder, by layer).
    int layerCount() const { return int(graphs_.size()); }
    QString layerName(int i) const;
    QColor layerColour(int i) const;
    // (update, value) as plotted, sorted by update; both series exist, the metric picks the visible one.
    QVector<QPointF> busiestShare(int i) const;
    QVector<QPointF> normalizedEntropy(int i) const;
    QCPGraph* shareGraph(int i) const { return graphs_[std::size_t(i)].share; }
    QCPGraph* entropyGraph(int i) const { return graphs_[std::size_t(i)].entropy; }
    QCPItemStraightLine* collapseLine() const { return collapseLine_; }
    QCPItemText* collapseLabel() const { return collapseLabel_; }

    // The updates plotted; false when there are none.
    bool updateRange(QCPRange& range) const;
    // The tooltip at a pixel of the plot: every layer at the nearest plotted update, or the unreadable events
    // over the note; empty elsewhere.
    QString toolTipAt(const QPointF& pos) const;

    // The colour of an MoE layer, the same in every run.
    static QColor colourOf(const RoutingHealthModel::Layer& layer, const FigurePalette& palette);
    static QString nameOf(const RoutingHealthModel::Layer& layer); // "Enc 1", "Dec 3": 1-based

private:
    struct LayerGraphs {
        RoutingHealthModel::Layer layer;
        QCPGraph* share = nullptr;
        QCPGraph* entropy = nullptr;
    };
    void removeGraphs();
    void applyMetric();

    QCustomPlot& plot_;
    FigurePalette palette_;
    QFont font_;
    Metric metric_ = Metric::BusiestShare;
    QCPLegend* legend_ = nullptr;
    QCPTextElement* note_ = nullptr;
    QCPAxisRect* rect_ = nullptr;
    QCPItemStraightLine* collapseLine_ = nullptr;
    QCPItemText* collapseLabel_ = nullptr;
    std::vector<LayerGraphs> graphs_;
    RoutingHealthModel model_;
};

} // namespace automoe::ui
