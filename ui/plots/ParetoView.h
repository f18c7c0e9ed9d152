// ParetoView plots every evaluated candidate of a search: cost (FLOPs, latency or active parameters) against
// fitness (validation loss), coloured by generation, with the Pareto front as a step line kept up to date
// as candidates arrive, a budget line the user drags (candidates beyond it are faded as infeasible),
// tooltips, click-to-select and the fronts of other runs overlaid for comparison. It follows a RunDocument
// (live runs and replay alike: the candidates, the selection shared with the other views, the search's own
// budget) or is fed CandidateRows directly. The wheel zooms and a drag pans; then live candidates no longer
// move the axes until Follow is switched on again.
#pragma once

#include "store/RunRecords.h"
#include "ui/figure/FigurePalette.h"
#include "ui/plots/CostMetric.h"
#include "ui/plots/ParetoFrontTracker.h"

#include <QHash>
#include <QMap>
#include <QPointer>
#include <QWidget>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QCustomPlot;
class QCPColorScale;
class QCPGraph;
class QCPLayer;
class QLabel;
class QMouseEvent;
class QToolButton;

namespace automoe::ui {

class BudgetMarker;
class CandidateCloud;
class RunDocument;

class ParetoView : public QWidget {
    Q_OBJECT

public:
    using CostMetric = ui::CostMetric;

    // One candidate as plotted.
    struct PlottedPoint {
        qint64 architectureId = 0;
        QString key;
        qint64 generation = 0;
        double cost = 0;    // x, in the current metric's unit (FLOPs, ms, parameters)
        double fitness = 0; // y
        bool withinBudget = true;
        bool onFront = false;
    };

    explicit ParetoView(QWidget* parent = nullptr);
    ~ParetoView() override;

    // Shows the candidates of `document`, shares its selection and takes the search's budget from its run
    // (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    RunDocument* document() const { return document_; }

    // Whether new candidates rescale the axes to show them all. Zooming or panning turns it off.
    bool follow() const { return follow_; }
    void setFollow(bool follow);
    QToolButton* followButton() const { return followButton_; }

    // Appends candidates (one or many generations). An architecture already shown (same key; same id when
    // the key is empty) is not added twice. Replots once, queued.
    void addCandidates(const std::vector<CandidateRow>& rows);
    void clear();

    // Overlays another run's Pareto front (computed from `rows` for the current metric) as a dashed line;
    // empty `rows` removes the overlay of that name.
    void setOverlay(const QString& name, const std::vector<CandidateRow>& rows);
    void removeOverlay(const QString& name);
    QStringList overlayNames() const;
    // The front of an overlay as plotted, sorted by cost.
    std::vector<QPointF> overlayFront(const QString& name) const;
    // Rings candidate `key` of overlay `name` in the overlay's colour (a compared search's row selected in
    // the candidate table), whether or not it is on that search's front; an empty name removes the ring.
    // False when the overlay has no such candidate with a value of the current metric.
    bool markComparedCandidate(const QString& name, const QString& key);
    // The ringed compared candidate (cost, fitness); nullopt when none.
    std::optional<QPointF> comparedMark() const;

    void setCostMetric(CostMetric metric);
    CostMetric costMetric() const { return metric_; }

    // The largest feasible cost; +infinity when no budget is set. Changing the metric clears the budget.
    double budget() const { return budget_; }
    void setBudget(double budget);
    int feasibleCount() const;
    int pointCount() const { return static_cast<int>(plotted_.size()); }

    // What is plotted, in insertion order (only candidates that have the current metric).
    std::vector<PlottedPoint> points() const;
    // The Pareto front, sorted by cost.
    std::vector<PlottedPoint> front() const;
    // The points held by the plot's candidate plottable (cost, fitness), sorted by cost: what is drawn.
    std::vector<QPointF> plottedData() const;

    std::optional<qint64> selectedArchitectureId() const;
    // Highlights the candidate of that id without emitting candidateSelected; false when it is not plotted.
    bool selectArchitecture(qint64 architectureId);
    // The same by architecture key (candidates followed live carry no store id); empty when none is selected.
    QString selectedKey() const;
    bool selectKey(const QString& key);
    // The point ringed (dashed) as B of an architecture diff (cost, fitness); nullopt when none.
    std::optional<QPointF> diffPoint() const;

    // Widget coordinates (of plot()) of a data point and of the budget line, for input and tests.
    QPointF pixelFor(double cost, double fitness) const;
    double budgetLinePixel() const;
    QString toolTipAt(const QPointF& plotPos) const;

    QCustomPlot* plot() const { return plot_; }
    QComboBox* metricBox() const { return metricBox_; }
    bool exportPlot(const QString& path, QString* error = nullptr);

signals:
    void candidateSelected(qint64 architectureId, const QString& key);
    // A point of a compared search's front (an overlay) was clicked. With a document, that search's
    // candidate is then the document's selection (RunDocument::selectCandidate).
    void comparedCandidateClicked(const QString& name, const QString& key);
    // +infinity when the budget was cleared.
    void budgetChanged(double budget);
    void feasibleCountChanged(int feasible, int total);
    void followChanged(bool follow);

private:
    struct Candidate {
        qint64 id = 0;
        QString key;
        qint64 generation = 0;
        double fitness = 0;
        double flops = 0;
        double params = 0;
        std::optional<double> latency;
        bool latencyPredicted = false;
    };
    struct Overlay {
        std::vector<CandidateRow> rows;
        QCPGraph* graph = nullptr;
        QColor color;
        std::vector<QString> frontKeys; // the keys of graph's points, in its order (by cost)
    };

    void buildPlot();
    void rebuildForMetric();
    // Plots candidates_[first..] and updates the front, the ranges and the colours.
    void plotFrom(std::size_t first);
    void recolourGenerations();
    void updateFrontGraph();
    void updateAxes();
    void updateBudgetItems();
    void updateFeasibleLabel();
    void updateSelectionGraph();
    void refreshOverlay(const QString& name, Overlay& overlay);
    void updateComparedMark();
    // The point (cost, fitness) of candidate `key` of overlay `name` (its newest row); nullopt when none.
    std::optional<QPointF> overlayCandidatePoint(const QString& name, const QString& key) const;
    // Follows the document's selection: a candidate of the shown search is selected here, a compared
    // search's is ringed on its overlay (markComparedCandidate).
    void showDocumentSelection();
    // The overlay front point nearest to `pos` within `radius` pixels: (overlay name, key).
    std::optional<std::pair<QString, QString>> nearestOverlayPoint(const QPointF& pos, double radius) const;
    void applyBudget(double budget, bool fromUser);
    std::optional<double> costOf(const Candidate& c) const;
    // Index into plotted_ of the point nearest to `pos` within `radius` pixels.
    std::optional<std::size_t> nearestPoint(const QPointF& pos, double radius) const;
    bool nearBudgetLine(const QPointF& pos) const;
    void showContextMenu(const QPoint& pos);
    // The budget of the shown search on the current metric, when the user has not set one.
    void adoptRunBudget();

    void handleMousePress(QMouseEvent* event);
    void handleMouseMove(QMouseEvent* event);
    void handleMouseRelease(QMouseEvent* event);

    FigurePalette palette_;
    RunDocument* document_ = nullptr;
    QToolButton* followButton_ = nullptr;
    bool follow_ = true;
    bool rescaling_ = false;  // the view itself is moving the axes
    bool userBudget_ = false; // the budget was dragged or set by hand, not taken from the run
    QCustomPlot* plot_ = nullptr;
    QComboBox* metricBox_ = nullptr;
    QLabel* feasibleLabel_ = nullptr;
    QCPColorScale* colorScale_ = nullptr;
    QCPLayer* budgetLayer_ = nullptr;
    QCPGraph* frontGraph_ = nullptr;
    QCPGraph* selectionGraph_ = nullptr;
    QCPGraph* diffGraph_ = nullptr; // the candidate diffed with the selected one (RunDocument::diffKey)
    QCPGraph* comparedMarkGraph_ = nullptr; // a compared search's candidate selected in the table
    QString markName_, markKey_;
    std::unique_ptr<BudgetMarker> budgetMarker_;

    CostMetric metric_ = CostMetric::Flops;
    std::vector<Candidate> candidates_;
    QHash<QString, std::size_t> byKey_; // dedup of architectures
    QHash<qint64, std::size_t> byId_;
    // Plotted points: index into candidates_ and the x in the current metric.
    struct Plotted {
        std::size_t candidate;
        double x;
    };
    std::vector<Plotted> plotted_;
    std::vector<double> sortedX_;     // for the feasible count in O(log n)
    CandidateCloud* cloud_ = nullptr; // every plotted candidate, coloured by generation
    qint64 minGeneration_ = 0, maxGeneration_ = -1;
    double minX_ = 0, maxX_ = 0, minY_ = 0, maxY_ = 0;
    ParetoFrontTracker tracker_; // handles are indices into plotted_
    std::uint64_t frontRevision_ = 0;
    QMap<QString, Overlay> overlays_;

    double budget_ = std::numeric_limits<double>::infinity();
    std::optional<std::size_t> selected_; // index into candidates_
    bool draggingBudget_ = false;
    std::optional<QPointF> pressPos_;
    int lastFeasible_ = -1;
};

} // namespace automoe::ui
