// TrainingView shows a supernet training run as it goes: training loss per update (raw, faint, and an
// exponential moving average), validation loss of the largest and smallest subnets (and of any other
// evaluated subnet), the learning rate, throughput in tokens per second, the routing health of every MoE
// layer against the update (RoutingHealthPanel: the busiest expert's share, or with Balance the entropy of
// the expert load over ln n), and the latest expert load of every MoE layer as stacked bars (one colour per
// expert slot, as in the architecture figure). It follows a RunDocument (live runs and replay alike) or is
// fed rows directly. Like PlotJuggler it "follows" live data (the axes take in every new update) until the
// user zooms or pans; then the user's view stays put under live updates until Follow is switched on again.
// Other supernet runs (a TrainingComparison) can be overlaid on the shown one, each in its own colour with a
// legend entry of its own (TrainingOverlays). A multi-process run's throughput is also drawn per rank, with
// the world size in the panel's legend (RankThroughput).
#pragma once

#include "store/RunRecords.h"
#include "ui/figure/FigurePalette.h"
#include "ui/plots/RoutingHealthPanel.h"

#include <QPointF>
#include <QVector>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPBars;
class QCPGraph;
class QCPItemText;
class QCPTextElement;
class QMouseEvent;
class QToolButton;

namespace automoe::ui {

class LegendPlacement;
class RankThroughput;
class RunDocument;
class TrainingComparison;
class TrainingOverlays;

class TrainingView : public QWidget {
    Q_OBJECT

public:
    // One MoE layer of the routing snapshot as plotted.
    struct LayerLoad {
        QString stack; // "encoder" or "decoder"
        int layer = 0;
        std::vector<double> fractions; // per expert slot, summing to ~1
    };

    explicit TrainingView(QWidget* parent = nullptr);
    ~TrainingView() override;

    // Shows `document` and follows its changes (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    RunDocument* document() const { return document_; }

    // Overlays the training curves of the runs of `comparison` (nullptr: none). Not owned.
    void setComparison(TrainingComparison* comparison);
    // The curves of the compared runs as drawn.
    const TrainingOverlays& overlays() const { return *overlays_; }
    // The per-rank throughput of a multi-process run (nothing for one process).
    const RankThroughput& rankThroughput() const { return *ranks_; }
    // The names in the loss panel's legend, top to bottom.
    QStringList legendNames() const;
    // The loss panel's corner the legend is in: the one where it hides the least of the curves
    // (LegendPlacement), top right to begin with.
    Qt::Alignment legendCorner() const;
    // Whether the legend is above the loss panel (too big to go inside it) rather than in a corner.
    bool legendAbovePanel() const;

    // Whether new data rescales the axes to show every update. Zooming or panning turns it off.
    bool follow() const { return follow_; }
    void setFollow(bool follow);
    QToolButton* followButton() const { return followButton_; }
    // Switches the routing-health panel between the busiest expert's share (off) and the balance (on).
    QToolButton* balanceButton() const { return balanceButton_; }

    void addTrainingSteps(const std::vector<TrainingStepRow>& rows);
    void addValidations(const std::vector<ValidationRow>& rows);
    // Replaces the expert-load panel with this snapshot (the latest one wins).
    void setRouting(const RoutingSnapshot& snapshot);
    // Replaces the routing-health panel with what `model` holds (every update so far).
    void setRoutingHealth(const RoutingHealthModel& model);
    void clear();

    // Weight of the moving average of the training loss and throughput, in [0, 1) (0 = no smoothing);
    // 0.98 by default (a supernet's per-update loss is noisy: each update trains another subnet).
    // Debiased like TensorBoard's, so the first updates are not pulled towards zero.
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }

    // What is plotted, (update, value), sorted by update.
    QVector<QPointF> trainLoss() const;
    QVector<QPointF> smoothedTrainLoss() const;
    QVector<QPointF> learningRate() const;
    QVector<QPointF> tokensPerSecond() const;
    // `subnet` is "largest", "smallest" or "other" (every other subnet, architecture keys included).
    QVector<QPointF> validationLoss(const QString& subnet) const;
    std::vector<LayerLoad> expertLoad() const { return loads_; }
    std::optional<std::int64_t> routingUpdate() const { return routingUpdate_; }
    QString toolTipAt(const QPointF& plotPos) const;

    QCustomPlot* plot() const { return plot_; }
    // The loss panel (the update axis it shares with the learning-rate and throughput panels).
    QCPAxisRect* lossRect() const { return lossRect_; }
    const RoutingHealthPanel& routingHealth() const { return *health_; }
    bool exportPlot(const QString& path, QString* error = nullptr);

signals:
    void followChanged(bool follow);

private:
    void buildPlot();
    QCPGraph* addSeries(QCPAxisRect* rect, const QString& name, const QPen& pen, bool axis2 = false);
    void recomputeSmoothing();
    // Debiased exponential moving average of `source` into `target`, from scratch.
    void smoothSeries(const QCPGraph* source, QCPGraph* target, double& value, double& weight, double& last);
    void rescale();
    // Rescales when following; always replots.
    void dataChanged();
    void reloadSteps();
    void reloadValidations();
    void rebuildRoutingBars();
    void showContextMenu(const QPoint& pos);
    void handleMouseMove(QMouseEvent* event);
    // Names the shown run's smoothed loss after the run while other runs are overlaid.
    void updateShownName();

    FigurePalette palette_;
    RunDocument* document_ = nullptr;
    QToolButton* followButton_ = nullptr;
    QToolButton* balanceButton_ = nullptr;
    bool follow_ = true;
    bool rescaling_ = false; // the view itself is moving the axes
    QCustomPlot* plot_ = nullptr;
    QCPAxisRect* lossRect_ = nullptr;
    QCPAxisRect* lrRect_ = nullptr;
    QCPAxisRect* throughputRect_ = nullptr;
    QCPAxisRect* routingRect_ = nullptr;
    std::unique_ptr<RoutingHealthPanel> health_;
    std::unique_ptr<TrainingOverlays> overlays_;
    std::unique_ptr<RankThroughput> ranks_;
    LegendPlacement* legendPlacement_ = nullptr; // a child of plot_
    std::vector<QCPAxisRect*> updateRects_;      // the panels that share the update axis
    QCPTextElement* routingTitle_ = nullptr;
    QCPGraph* rawLoss_ = nullptr;
    QCPGraph* smoothLoss_ = nullptr;
    QCPGraph* validLargest_ = nullptr;
    QCPGraph* validSmallest_ = nullptr;
    QCPGraph* validOther_ = nullptr;
    QCPGraph* lr_ = nullptr;
    QCPGraph* throughput_ = nullptr;
    QCPGraph* smoothThroughput_ = nullptr;
    std::vector<QCPItemText*> shareLabels_; // percentages on the wider bar segments
    std::vector<QCPBars*> expertBars_;      // one per expert slot, stacked

    double smoothing_ = 0.98;
    double emaValue_ = 0;  // biased running average
    double emaWeight_ = 0; // 1 - smoothing^n, for the debiasing
    double lastUpdate_ = -1;
    double tpsValue_ = 0, tpsWeight_ = 0, lastTpsUpdate_ = -1; // the same average for throughput
    std::vector<LayerLoad> loads_;
    std::optional<std::int64_t> routingUpdate_;
};

} // namespace automoe::ui
