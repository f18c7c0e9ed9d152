// TrainingOverlays draws the training curves of other supernet runs over the Training view's own: for each
// run of a TrainingComparison, its training loss (raw, faint, and the same debiased moving average as the
// shown run's), its validation loss of the largest, smallest and other subnets (the shown run's markers, in
// the run's colour) and its learning rate, all against the update. Each run has one legend entry, its
// smoothed loss, named after the run. The curves follow the run's RunDocument, so a run still training
// keeps growing.
#pragma once

#include <QColor>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QVector>
#include <map>
#include <optional>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPRange;

namespace automoe::ui {

class TrainingComparison;

class TrainingOverlays : public QObject {
    Q_OBJECT

public:
    // Draws into `plot`: losses in `lossRect`, learning rates in `lrRect`. `paper` fills the markers.
    TrainingOverlays(QCustomPlot& plot, QCPAxisRect* lossRect, QCPAxisRect* lrRect, QColor paper);
    ~TrainingOverlays() override;

    // Follows `comparison` (nullptr: none); not owned.
    void setComparison(TrainingComparison* comparison);
    TrainingComparison* comparison() const { return comparison_; }
    void setSmoothing(double weight);

    // The runs drawn, in the comparison's order.
    QList<qint64> runs() const;
    bool isEmpty() const { return overlays_.empty(); }
    QVector<QPointF> trainLoss(qint64 runId) const;
    QVector<QPointF> smoothedTrainLoss(qint64 runId) const;
    QVector<QPointF> learningRate(qint64 runId) const;
    // `subnet` is "largest", "smallest" or "other".
    QVector<QPointF> validationLoss(qint64 runId, const QString& subnet) const;
    // The smoothed loss of a run at the first update >= `update` (its last one past the end); none when the
    // run has no step.
    std::optional<QPointF> smoothedLossAt(qint64 runId, double update) const;
    // The legend entry of a run ("" when it is not drawn).
    QString legendName(qint64 runId) const;
    // Widens `range` (found: whether it holds anything yet) to the updates of every overlay.
    void takeUpdateRange(QCPRange& range, bool& found) const;

signals:
    // Curves were added, changed or removed: rescale (when following) and replot.
    void changed();

private:
    struct Overlay {
        QCPGraph* raw = nullptr;
        QCPGraph* smooth = nullptr;
        QCPGraph* largest = nullptr;
        QCPGraph* smallest = nullptr;
        QCPGraph* other = nullptr;
        QCPGraph* lr = nullptr;
        double emaValue = 0, emaWeight = 0;
    };
    void add(qint64 runId);
    void remove(qint64 runId);
    void reloadSteps(qint64 runId);
    void addSteps(qint64 runId, int first);
    void reloadValidations(qint64 runId);
    void addValidations(qint64 runId, int first);
    void resmooth(Overlay& overlay);
    const Overlay* find(qint64 runId) const;

    QCustomPlot& plot_;
    QCPAxisRect* lossRect_;
    QCPAxisRect* lrRect_;
    QColor paper_;
    TrainingComparison* comparison_ = nullptr;
    double smoothing_ = 0.98;
    std::map<qint64, Overlay> overlays_;
};

} // namespace automoe::ui
