// ParallelCoordinatesView draws every candidate of the candidate table (CandidateTableModel) as a polyline
// across one vertical axis per column — fitness, FLOPs, active parameters and each gene group — each axis
// scaled to its column's range, lines coloured by fitness (dark = fit). Dragging along an axis brushes a
// range of it (a click on the axis clears that axis's brush); the brushes become the candidate table's filter
// ("fitness=4.93..4.95 dec_layers=2..3"), so the table shows exactly the brushed candidates, and the brushed
// lines stay coloured while the others fade. B of the document's architecture diff is drawn over the others
// as a raspberry line (as the Pareto view rings it and the table tints its row). It follows the model live
// and in replay (the model follows the RunDocument), redrawing at most once per event-loop pass.
#pragma once

#include "ui/figure/FigurePalette.h"
#include "ui/plots/PolylineCloud.h"

#include <QMap>
#include <QPair>
#include <QWidget>
#include <optional>
#include <vector>

class QCPCurve;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace automoe::ui {

class CandidateTableModel;
class CandidateTableView;

class ParallelCoordinatesView : public QWidget {
    Q_OBJECT

public:
    explicit ParallelCoordinatesView(QWidget* parent = nullptr);

    // Draws the rows of `table`'s model and writes the brushes into its filter. Not owned.
    void setTable(CandidateTableView* table);

    // The model columns drawn as axes, left to right.
    const std::vector<int>& axisColumns() const { return columns_; }
    // Brushes a value range of axis `axis` (an index into axisColumns()); an empty optional clears it.
    void setBrush(int axis, std::optional<QPair<double, double>> range);
    void clearBrushes();
    QMap<int, QPair<double, double>> brushes() const { return brushes_; }
    // The table filter the brushes stand for ("" when none).
    QString brushFilter() const;
    // Model rows inside every brush (all rows when none).
    std::vector<int> brushedRows() const;

    QCustomPlot* plot() const { return plot_; }
    PolylineCloud* lines() const { return lines_; }
    // B of the architecture diff as drawn: (axis, normalised value) per axis with a value; empty when no
    // diff (or B is not a row).
    std::vector<QPointF> diffLine() const;

    // Widget coordinates of a value on an axis, for input and tests.
    QPointF pixelFor(int axis, double value) const;
    bool exportPlot(const QString& path, QString* error = nullptr);

private:
    void rebuild();
    // The axes' ranges and every line from the model; `brushed` says which are highlighted.
    void rebuildLines(const std::vector<char>& brushed);
    // The lines of rows added since, when no axis's range changed (false: it did, rebuild them all).
    bool appendLines(const std::vector<char>& brushed);
    std::vector<QPair<double, double>> columnRanges() const;
    PolylineCloud::Line lineOf(int row, bool brushed) const;
    void scheduleRebuild();
    void updateDiffLine();
    void applyBrushes();
    double normalised(int axis, double value) const;
    double valueAt(int axis, double pixelY) const;
    int axisNear(double pixelX) const;
    void handleMousePress(QMouseEvent* event);
    void handleMouseMove(QMouseEvent* event);
    void handleMouseRelease(QMouseEvent* event);

    FigurePalette palette_;
    CandidateTableView* table_ = nullptr;
    CandidateTableModel* model_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    PolylineCloud* lines_ = nullptr;
    QCPCurve* diffCurve_ = nullptr;    // B of the architecture diff, over the lines
    QCPItemText* diffLabel_ = nullptr; // "B" beside it (an item: rebuild() clears and redraws it)
    QLabel* status_ = nullptr;
    std::vector<int> columns_;
    std::vector<QPair<double, double>> ranges_; // per axis: min, max of its column
    QMap<int, QPair<double, double>> brushes_;  // axis -> value range
    bool rebuildQueued_ = false;
    bool linesStale_ = true; // the model's values changed since the lines were built
    int dragAxis_ = -1;
    double dragFrom_ = 0;
};

} // namespace automoe::ui
