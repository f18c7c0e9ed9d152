#include "ui/plots/LegendPlacement.h"

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace automoe::ui {

namespace {

constexpr double kLineStepPx = 4.0; // a line is sampled every 4 pixels
constexpr int kMarkerWeight = 4;    // a marker hides about as much as a few pixels of line
// The share of the rect a one-column legend may take inside it: above kLeave it moves out, below kReturn
// back in (between the two it stays where it is).
constexpr double kLeave = 0.16;
constexpr double kReturn = 0.10;

// In order of preference when they hide the same.
const std::array<Qt::Alignment, 4> kCorners = {Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft,
                                               Qt::AlignBottom | Qt::AlignRight,
                                               Qt::AlignBottom | Qt::AlignLeft};

// The minimum size of each of the legend's entries, in order (a wrapped legend's empty cells skipped).
std::vector<QSize> entrySizes(const QCPLegend& legend) {
    std::vector<QSize> sizes;
    for (int i = 0; i < legend.itemCount(); ++i)
        if (const QCPAbstractLegendItem* cell = legend.item(i)) sizes.push_back(cell->minimumOuterSizeHint());
    return sizes;
}

bool finite(const QPointF& p) {
    return std::isfinite(p.x()) && std::isfinite(p.y());
}

} // namespace

LegendPlacement::LegendPlacement(QCustomPlot* plot, QCPAxisRect* rect, QCPLegend* legend)
    : QObject(plot)
    , plot_(plot)
    , rect_(rect)
    , legend_(legend) {
    for (int i = 0; i < rect_->insetLayout()->elementCount(); ++i)
        if (rect_->insetLayout()->elementAt(i) == legend_) corner_ = rect_->insetLayout()->insetAlignment(i);
    if (!corner_) corner_ = Qt::AlignTop | Qt::AlignRight;
    connect(plot_, &QCustomPlot::beforeReplot, this, &LegendPlacement::place);
}

void LegendPlacement::setOutside(QCPLayoutGrid* grid, int row) {
    if (outside_) moveInside();
    outsideGrid_ = grid;
    outsideRow_ = row;
}

Qt::Alignment LegendPlacement::corner() const {
    return corner_;
}

QSizeF LegendPlacement::columnSize(const QCPLegend& legend) {
    const std::vector<QSize> sizes = entrySizes(legend);
    if (sizes.empty()) return {};
    double width = 0, height = 0;
    for (const QSize& item : sizes) {
        width = std::max(width, double(item.width()));
        height += item.height();
    }
    const QMargins m = legend.margins();
    return {width + m.left() + m.right(),
            height + double(sizes.size() - 1) * legend.rowSpacing() + m.top() + m.bottom()};
}

void LegendPlacement::place() {
    if (!legend_->visible()) return;
    const QSizeF size = columnSize(*legend_);
    QRectF area = rect_->rect();
    if (area.isEmpty() || size.isEmpty()) return;                                // not laid out yet
    if (outside_) area.setHeight(area.height() + legend_->outerRect().height()); // the rect with it back
    const double share = size.width() * size.height() / (area.width() * area.height());
    if (outsideGrid_ && !outside_ && share > kLeave) {
        moveOutside();
    } else if (outside_ && share < kReturn) {
        moveInside();
    }
    if (outside_) {
        // Entries side by side, as many per row as fit the rect's width (each column as wide as its widest).
        const int perRow = entriesPerRow(*legend_, rect_->outerRect().width());
        if (legend_->wrap() != perRow) {
            legend_->setWrap(perRow);
            legend_->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // a new wrap moves no entry by itself
        }
        return;
    }
    placeInCorner(size);
}

int LegendPlacement::entriesPerRow(const QCPLegend& legend, double width) {
    std::vector<int> widths;
    for (const QSize& item : entrySizes(legend))
        widths.push_back(item.width());
    const QMargins m = legend.margins();
    for (int perRow = int(widths.size()); perRow > 1; --perRow) {
        std::vector<int> columns(std::size_t(perRow), 0);
        for (std::size_t j = 0; j < widths.size(); ++j)
            columns[j % std::size_t(perRow)] = std::max(columns[j % std::size_t(perRow)], widths[j]);
        double needed = m.left() + m.right() + (perRow - 1) * legend.columnSpacing();
        for (const int c : columns)
            needed += c;
        if (needed <= width) return perRow;
    }
    return 1;
}

void LegendPlacement::moveOutside() {
    rect_->insetLayout()->take(legend_);
    insidePen_ = legend_->borderPen();
    insideBrush_ = legend_->brush();
    legend_->setBorderPen(Qt::NoPen);
    legend_->setBrush(Qt::NoBrush);
    // Its entries side by side would make the grid's column as wide as all of them: it takes the width the
    // rect has (the column's), and place() wraps the entries to it.
    legend_->setMinimumSize(1, 0);
    outsideGrid_->insertRow(outsideRow_);
    outsideGrid_->addElement(outsideRow_, 0, legend_);
    outsideGrid_->setRowStretchFactor(outsideRow_, 0.001); // its own height, no more
    outside_ = true;
}

void LegendPlacement::moveInside() {
    outsideGrid_->take(legend_);
    outsideGrid_->simplify();
    legend_->setMinimumSize(0, 0);
    legend_->setWrap(0);
    legend_->setFillOrder(QCPLayoutGrid::foRowsFirst);
    legend_->setBorderPen(insidePen_);
    legend_->setBrush(insideBrush_);
    rect_->insetLayout()->addElement(legend_, corner_);
    outside_ = false;
}

QRectF LegendPlacement::cornerRect(const QCPAxisRect& rect, const QSizeF& size, Qt::Alignment corner) {
    const QRectF r = rect.insetLayout()->rect(); // the axis rect less the inset layout's margins
    const double x = corner & Qt::AlignLeft ? r.left() : r.right() - size.width();
    const double y = corner & Qt::AlignTop ? r.top() : r.bottom() - size.height();
    return {x, y, size.width(), size.height()};
}

int LegendPlacement::coveredSamples(const QCPAxisRect& rect, const QRectF& area) {
    return coveredSamples(rect, std::vector<QRectF>{area}).front();
}

std::vector<int> LegendPlacement::coveredSamples(const QCPAxisRect& rect, const std::vector<QRectF>& areas) {
    std::vector<int> covered(areas.size(), 0);
    auto count = [&](const QPointF& p, int weight) {
        for (std::size_t a = 0; a < areas.size(); ++a)
            if (areas[a].contains(p)) covered[a] += weight;
    };
    for (QCPAbstractPlottable* plottable : rect.plottables()) {
        auto* graph = qobject_cast<QCPGraph*>(plottable);
        if (!graph || !graph->realVisibility() || graph->data()->isEmpty()) continue;
        const bool lines = graph->lineStyle() != QCPGraph::lsNone;
        const int weight = graph->scatterStyle().isNone() ? 1 : kMarkerWeight;
        const QCPRange keys = graph->keyAxis()->range();
        auto it = graph->data()->findBegin(keys.lower);
        const auto end = graph->data()->findEnd(keys.upper);
        // A long run has far more points than the rect has pixels: every stride-th of them, each counting
        // for stride (100k updates at 600 px took 7.7 ms a replot point by point).
        const long visible = long(end - it);
        const int stride = int(std::max(1L, visible / std::max(1L, 2L * long(rect.width()))));
        const int pointWeight = weight * stride;
        QPointF previous;
        bool havePrevious = false;
        for (; it < end; it += std::min<long>(stride, std::max(1L, long(end - it)))) {
            if (std::isnan(it->value)) { // a gap in the line
                havePrevious = false;
                continue;
            }
            const QPointF p = graph->coordsToPixels(it->key, it->value);
            if (!finite(p)) {
                havePrevious = false;
                continue;
            }
            count(p, pointWeight);
            if (lines && havePrevious) {
                const QPointF d = p - previous;
                const int steps = int(std::min(4096.0, std::hypot(d.x(), d.y()) / kLineStepPx));
                for (int s = 1; s < steps; ++s)
                    count(previous + d * (double(s) / steps), 1);
            }
            previous = p;
            havePrevious = true;
        }
    }
    return covered;
}

void LegendPlacement::placeInCorner(const QSizeF& size) {
    std::vector<QRectF> areas;
    for (const Qt::Alignment c : kCorners)
        areas.push_back(cornerRect(*rect_, size, c));
    const std::vector<int> counts = coveredSamples(*rect_, areas); // one pass over the data for all four
    int currentCount = 0;
    for (std::size_t c = 0; c < kCorners.size(); ++c)
        if (kCorners[c] == corner_) currentCount = counts[c];
    Qt::Alignment best = corner_;
    int bestCount = currentCount;
    for (std::size_t c = 0; c < kCorners.size(); ++c) {
        if (counts[c] < bestCount) {
            best = kCorners[c];
            bestCount = counts[c];
        }
    }
    // Only for a clear gain: a legend that hops between corners as points arrive is worse than one that
    // hides a few of them.
    if (best == corner_ || currentCount - bestCount <= 2 + currentCount / 10) return;
    corner_ = best;
    for (int i = 0; i < rect_->insetLayout()->elementCount(); ++i)
        if (rect_->insetLayout()->elementAt(i) == legend_)
            rect_->insetLayout()->setInsetAlignment(i, corner_);
}

} // namespace automoe::ui
