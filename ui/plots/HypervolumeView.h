// HypervolumeView plots a search's quality as one number per generation: the hypervolume its Pareto front
// (validation loss against the front's cost) dominates up to the reference point, which the plot states.
// The curve is what the evolution stored for each generation (GenerationRow, from a RunDocument: live and
// replay alike); compared searches are overlaid, their hypervolume recomputed in core from their candidates
// (hypervolumeByGeneration) against the shown search's reference, so the curves are comparable. The wheel
// zooms and a drag pans; live generations then no longer move the axes until Follow is switched on again.
#pragma once

#include "store/RunRecords.h"
#include "ui/figure/FigurePalette.h"

#include <QMap>
#include <QPointF>
#include <QVector>
#include <QWidget>
#include <map>
#include <optional>
#include <vector>

class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QToolButton;

namespace automoe::ui {

class RunDocument;

class HypervolumeView : public QWidget {
    Q_OBJECT

public:
    explicit HypervolumeView(QWidget* parent = nullptr);
    ~HypervolumeView() override;

    // Follows the generations of `document` (nullptr: none). Not owned.
    void setDocument(RunDocument* document);

    // Adds generations (a generation logged again, by a resumed run, replaces its point).
    void addGenerations(const std::vector<GenerationRow>& rows);
    void clear();

    // Overlays another search: its hypervolume per generation from `candidates`, against this search's
    // reference point and cost axis. Without a reference (no generation shown yet, or a run logged before
    // references were), the overlay waits and is drawn once there is one. Empty `candidates` removes it.
    void setOverlay(const QString& name, const std::vector<CandidateRow>& candidates);
    void removeOverlay(const QString& name);
    QStringList overlayNames() const;
    // The overlay's curve as drawn (generation, hypervolume); empty when it is not drawn.
    QVector<QPointF> overlayCurve(const QString& name) const;

    // The shown search's curve (generation, hypervolume), by generation.
    QVector<QPointF> curve() const;
    // The reference point (cost, fitness) and the cost axis it is on ("flops", "params", "latency", ...).
    std::optional<QPointF> reference() const { return reference_; }
    QString costMetric() const { return costMetric_; }
    // The text on the plot that states the reference point.
    QString referenceText() const;

    bool follow() const { return follow_; }
    void setFollow(bool follow);
    QToolButton* followButton() const { return followButton_; }
    QCustomPlot* plot() const { return plot_; }
    bool exportPlot(const QString& path, QString* error = nullptr);

signals:
    void followChanged(bool follow);

private:
    struct Overlay {
        std::vector<CandidateRow> candidates;
        QCPGraph* graph = nullptr;
        QColor colour;
    };

    void buildPlot();
    void refresh();
    void refreshOverlay(Overlay& overlay);
    void updateAxes();

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    QCustomPlot* plot_ = nullptr;
    QCPGraph* graph_ = nullptr;
    QCPItemText* referenceLabel_ = nullptr;
    QLabel* status_ = nullptr;
    QToolButton* followButton_ = nullptr;
    bool follow_ = true;
    bool rescaling_ = false;
    std::map<qint64, double> volumes_; // by generation
    std::optional<QPointF> reference_;
    QString costMetric_;
    QMap<QString, Overlay> overlays_;
};

} // namespace automoe::ui
