// LegendPlacement keeps a legend that sits in an axis rect's inset layout in the corner where it covers the
// least of what the rect plots (matplotlib's loc="best"): before every replot it counts, for each corner, the
// graph samples the legend would hide there (the points and, for connected graphs, the lines between them
// sampled every few pixels) and moves the legend when another corner hides clearly less. Follows live data,
// zoom and pan; a tie keeps the legend where it is, so it does not jump as points arrive.
//
// With an outside place (setOutside), a legend too big for its rect (a short dock, several compared runs)
// leaves the rect for a row of its own above it, its entries side by side and without a box: it then hides
// nothing. It comes back once it would take under 10 % of the rect (it leaves above 16 %: no flapping while a
// dock is resized).
#pragma once

#include <QBrush>
#include <QObject>
#include <QPen>
#include <QRectF>
#include <QSizeF>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPLayoutGrid;
class QCPLegend;

namespace automoe::ui {

class LegendPlacement : public QObject {
    Q_OBJECT

public:
    // `legend` is in `rect`'s inset layout; the placement is a child of `plot`.
    LegendPlacement(QCustomPlot* plot, QCPAxisRect* rect, QCPLegend* legend);

    // Where the legend goes when it is too big for the rect: a row inserted at `row` of `grid` (the grid that
    // holds the rect, the row above it).
    void setOutside(QCPLayoutGrid* grid, int row);
    bool isOutside() const { return outside_; }
    // The corner the legend is in (Qt::AlignTop | Qt::AlignRight, ...); inside only.
    Qt::Alignment corner() const;
    // Chooses the place now (what each replot does first).
    void place();

    // The plotted samples of `rect`'s visible graphs inside `area` (pixels): data points, and points every
    // few pixels along the lines of graphs drawn with lines.
    static int coveredSamples(const QCPAxisRect& rect, const QRectF& area);
    // The same for several areas, in one pass over the data.
    static std::vector<int> coveredSamples(const QCPAxisRect& rect, const std::vector<QRectF>& areas);
    // The legend's rectangle of size `size` in `corner` of `rect`, as its inset layout puts it (inside the
    // layout's margins).
    static QRectF cornerRect(const QCPAxisRect& rect, const QSizeF& size, Qt::Alignment corner);
    // The size of `legend` as one column of entries (what it takes inside a rect), whatever its layout now.
    static QSizeF columnSize(const QCPLegend& legend);
    // How many of `legend`'s entries fit side by side in `width` pixels, in order, each column as wide as its
    // widest entry (at least 1).
    static int entriesPerRow(const QCPLegend& legend, double width);

private:
    void moveOutside();
    void moveInside();
    void placeInCorner(const QSizeF& size);

    QCustomPlot* plot_;
    QCPAxisRect* rect_;
    QCPLegend* legend_;
    Qt::Alignment corner_;
    QCPLayoutGrid* outsideGrid_ = nullptr;
    int outsideRow_ = 0;
    bool outside_ = false;
    QPen insidePen_;
    QBrush insideBrush_;
};

} // namespace automoe::ui
