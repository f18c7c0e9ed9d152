#include "ui/plots/ParallelCoordinatesView.h"

#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/PlotExporter.h"
#include "ui/plots/PlotTheme.h"
#include "ui/plots/PolylineCloud.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace automoe::ui {

namespace {
constexpr double kGrabPixels = 14.0; // how close to an axis a press starts a brush
constexpr double kClickPixels = 4.0; // a shorter drag is a click: it clears the axis's brush
constexpr double kBrushHalfWidth = 0.09;
const QColor kDiffColour(0xd6, 0x33, 0x6c); // the architecture diff's raspberry (figure, Pareto ring, table)
} // namespace

ParallelCoordinatesView::ParallelCoordinatesView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Parallel coordinates"));
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(480, 260);
    PlotTheme::apply(*plot_, palette_, font());
    PlotTheme::styleAxisRect(*plot_->axisRect(), palette_, font());
    plot_->yAxis->setRange(-0.04, 1.04);
    plot_->yAxis->setVisible(false);
    plot_->xAxis->grid()->setVisible(false);
    plot_->yAxis->grid()->setVisible(false);
    plot_->xAxis->setTickLabelRotation(-30);
    plot_->xAxis->setTickLength(0, 0);
    plot_->xAxis->setBasePen(Qt::NoPen);
    lines_ = new PolylineCloud(plot_->xAxis, plot_->yAxis);
    diffCurve_ = new QCPCurve(plot_->xAxis, plot_->yAxis);
    diffCurve_->setPen(QPen(kDiffColour, 2.6));
    diffCurve_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kDiffColour, 1.5), QBrush(Qt::white), 6));
    diffCurve_->setSelectable(QCP::stNone);
    diffCurve_->removeFromLegend();
    connect(plot_, &QCustomPlot::mousePress, this, &ParallelCoordinatesView::handleMousePress);
    connect(plot_, &QCustomPlot::mouseMove, this, &ParallelCoordinatesView::handleMouseMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &ParallelCoordinatesView::handleMouseRelease);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* top = new QVBoxLayout;
    top->setContentsMargins(8, 6, 8, 0);
    top->addWidget(status_);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);
    rebuild();
}

void ParallelCoordinatesView::setTable(CandidateTableView* table) {
    if (model_) disconnect(model_, nullptr, this, nullptr);
    table_ = table;
    model_ = table ? table->model() : nullptr;
    columns_.clear();
    brushes_.clear();
    if (model_) {
        columns_ = {CandidateTableModel::FitnessColumn, CandidateTableModel::FlopsColumn,
                    CandidateTableModel::ParamsColumn};
        for (int c = CandidateTableModel::FirstGeneColumn; c < model_->keyColumn(); ++c)
            columns_.push_back(c);
        auto valuesChanged = [this] {
            linesStale_ = true;
            scheduleRebuild();
        };
        // Rows added at the end (a live search's new candidates) may only need their own lines; a change of
        // a column that is not an axis (the on-front flag) none.
        connect(model_, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int, int last) {
            if (last != model_->rowCount() - 1) linesStale_ = true;
            scheduleRebuild();
        });
        connect(model_, &QAbstractItemModel::dataChanged, this,
                [this, valuesChanged](const QModelIndex& from, const QModelIndex& to) {
                    for (int c : columns_)
                        if (c >= from.column() && c <= to.column()) {
                            valuesChanged();
                            return;
                        }
                });
        // A new run: its own ranges, no brushes.
        connect(model_, &QAbstractItemModel::modelReset, this, [this, valuesChanged] {
            brushes_.clear();
            valuesChanged();
        });
        // A compared search removed: its lines go.
        connect(model_, &QAbstractItemModel::rowsRemoved, this, valuesChanged);
        // The diff's B alone: only its line is redrawn.
        connect(model_, &CandidateTableModel::diffKeyChanged, this, [this] {
            updateDiffLine();
            plot_->replot(QCustomPlot::rpQueuedReplot);
        });
    }
    linesStale_ = true;
    rebuild();
}

void ParallelCoordinatesView::scheduleRebuild() {
    if (rebuildQueued_) return;
    rebuildQueued_ = true;
    QTimer::singleShot(0, this, [this] {
        rebuildQueued_ = false;
        rebuild();
    });
}

double ParallelCoordinatesView::normalised(int axis, double value) const {
    const auto& [lo, hi] = ranges_[std::size_t(axis)];
    if (!std::isfinite(value)) return std::numeric_limits<double>::quiet_NaN();
    return hi > lo ? (value - lo) / (hi - lo) : 0.5;
}

double ParallelCoordinatesView::valueAt(int axis, double pixelY) const {
    const auto& [lo, hi] = ranges_[std::size_t(axis)];
    const double t = std::clamp(plot_->yAxis->pixelToCoord(pixelY), 0.0, 1.0);
    return lo + t * (hi - lo);
}

QPointF ParallelCoordinatesView::pixelFor(int axis, double value) const {
    const double t = normalised(axis, value);
    return {plot_->xAxis->coordToPixel(double(axis)), plot_->yAxis->coordToPixel(std::isnan(t) ? 0.0 : t)};
}

int ParallelCoordinatesView::axisNear(double pixelX) const {
    int best = -1;
    double bestDistance = kGrabPixels;
    for (int a = 0; a < int(columns_.size()); ++a) {
        const double d = std::abs(plot_->xAxis->coordToPixel(double(a)) - pixelX);
        if (d <= bestDistance) {
            best = a;
            bestDistance = d;
        }
    }
    return best;
}

std::vector<int> ParallelCoordinatesView::brushedRows() const {
    std::vector<int> rows;
    if (!model_) return rows;
    for (int r = 0; r < model_->rowCount(); ++r) {
        bool inside = true;
        for (auto it = brushes_.begin(); it != brushes_.end() && inside; ++it) {
            const double v = model_->value(r, columns_[std::size_t(it.key())]);
            const double tol = 1e-9 * std::max(1.0, std::abs(it.value().second));
            inside = std::isfinite(v) && v >= it.value().first - tol && v <= it.value().second + tol;
        }
        if (inside) rows.push_back(r);
    }
    return rows;
}

QString ParallelCoordinatesView::brushFilter() const {
    QStringList terms;
    for (auto it = brushes_.begin(); it != brushes_.end(); ++it)
        terms << QStringLiteral("%1=%2..%3")
                     .arg(model_->columnName(columns_[std::size_t(it.key())]))
                     .arg(QString::number(it.value().first, 'g', 10),
                          QString::number(it.value().second, 'g', 10));
    return terms.join(QLatin1Char(' '));
}

void ParallelCoordinatesView::setBrush(int axis, std::optional<QPair<double, double>> range) {
    if (axis < 0 || axis >= int(columns_.size())) return;
    if (range) {
        if (range->first > range->second) std::swap(range->first, range->second);
        brushes_[axis] = *range;
    } else {
        brushes_.remove(axis);
    }
    applyBrushes();
}

void ParallelCoordinatesView::clearBrushes() {
    brushes_.clear();
    applyBrushes();
}

void ParallelCoordinatesView::applyBrushes() {
    if (table_) table_->setFilterText(brushFilter());
    rebuild();
}

std::vector<QPair<double, double>> ParallelCoordinatesView::columnRanges() const {
    const int n = int(columns_.size());
    const int rows = model_ ? model_->rowCount() : 0;
    std::vector<QPair<double, double>> ranges(std::size_t(n), {0.0, 0.0});
    for (int a = 0; a < n; ++a) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int r = 0; r < rows; ++r) {
            const double v = model_->value(r, columns_[std::size_t(a)]);
            if (!std::isfinite(v)) continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        ranges[std::size_t(a)] =
            std::isfinite(lo) ? QPair<double, double>(lo, hi) : QPair<double, double>(0, 1);
    }
    return ranges;
}

PolylineCloud::Line ParallelCoordinatesView::lineOf(int row, bool brushed) const {
    const int n = int(columns_.size());
    PolylineCloud::Line l;
    l.values.reserve(std::size_t(n));
    for (int a = 0; a < n; ++a)
        l.values.push_back(normalised(a, model_->value(row, columns_[std::size_t(a)])));
    l.shade = n > 0 && !std::isnan(l.values[0]) ? l.values[0] : 1.0;
    l.highlighted = brushed;
    return l;
}

bool ParallelCoordinatesView::appendLines(const std::vector<char>& brushed) {
    const std::size_t have = lines_->lines().size(), rows = brushed.size();
    if (have == rows) return true;
    // The lines drawn so far stay right only while every axis keeps its range.
    if (columnRanges() != ranges_) return false;
    std::vector<PolylineCloud::Line> more;
    more.reserve(rows - have);
    for (std::size_t r = have; r < rows; ++r)
        more.push_back(lineOf(int(r), brushed[r] != 0));
    lines_->appendLines(std::move(more));
    return true;
}

void ParallelCoordinatesView::rebuildLines(const std::vector<char>& brushed) {
    const int rows = model_ ? model_->rowCount() : 0;
    ranges_ = columnRanges();
    std::vector<PolylineCloud::Line> lines;
    lines.reserve(std::size_t(rows));
    for (int r = 0; r < rows; ++r)
        lines.push_back(lineOf(r, brushed[std::size_t(r)] != 0));
    lines_->setLines(std::move(lines));
    linesStale_ = false;
}

std::vector<QPointF> ParallelCoordinatesView::diffLine() const {
    std::vector<QPointF> out;
    for (auto it = diffCurve_->data()->constBegin(); it != diffCurve_->data()->constEnd(); ++it)
        out.emplace_back(it->key, it->value);
    return out;
}

void ParallelCoordinatesView::updateDiffLine() {
    if (diffLabel_) plot_->removeItem(diffLabel_);
    diffLabel_ = nullptr;
    QVector<double> t, keys, values;
    const int row = model_ ? model_->diffRow() : -1; // of the shown search or a compared one
    // The ranges are the lines' (ranges_): B is drawn where its own line runs.
    if (row >= 0 && ranges_.size() == columns_.size()) {
        for (int a = 0; a < int(columns_.size()); ++a) {
            const double v = normalised(a, model_->value(row, columns_[std::size_t(a)]));
            if (std::isnan(v)) continue;
            t.push_back(double(t.size()));
            keys.push_back(double(a));
            values.push_back(v);
        }
    }
    diffCurve_->setData(t, keys, values, true);
    if (!keys.isEmpty()) {
        diffLabel_ = new QCPItemText(plot_);
        diffLabel_->position->setCoords(keys.front() - 0.12, values.front());
        diffLabel_->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
        diffLabel_->setText(tr("B"));
        diffLabel_->setColor(kDiffColour);
        QFont bold = font();
        bold.setBold(true);
        diffLabel_->setFont(bold);
        diffLabel_->setClipToAxisRect(false);
    }
}

void ParallelCoordinatesView::rebuild() {
    plot_->clearItems();
    diffLabel_ = nullptr; // cleared with the other items
    const int n = int(columns_.size());
    const int rows = model_ ? model_->rowCount() : 0;
    // Lines, coloured by fitness (the first axis): dark = fit. A brush alone changes only the highlights.
    const std::vector<int> inside = brushes_.isEmpty() ? std::vector<int>() : brushedRows();
    std::vector<char> brushed(std::size_t(rows), brushes_.isEmpty() ? 1 : 0);
    for (int r : inside)
        brushed[std::size_t(r)] = 1;
    if (linesStale_ || lines_->lines().size() > std::size_t(rows) || !appendLines(brushed))
        rebuildLines(brushed);
    else
        lines_->setHighlighted(brushed);

    // Axes: a vertical line each with its range at the ends, the column's name below; brushes as boxes.
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    auto rangeText = [&](int a, double v) {
        const int c = columns_[std::size_t(a)];
        if (c == CandidateTableModel::FitnessColumn) return QString::number(v, 'f', 3);
        if (c == CandidateTableModel::FlopsColumn || c == CandidateTableModel::ParamsColumn)
            return PlotTheme::siNumber(v, 3);
        return v == std::round(v) ? QString::number(qint64(v)) : QString::number(v, 'f', 1);
    };
    for (int a = 0; a < n; ++a) {
        ticker->addTick(a, model_->columnName(columns_[std::size_t(a)]));
        auto* line = new QCPItemLine(plot_);
        line->start->setCoords(a, 0);
        line->end->setCoords(a, 1);
        line->setPen(QPen(palette_.text, 1.2));
        for (const bool top : {true, false}) {
            auto* label = new QCPItemText(plot_);
            label->position->setCoords(a, top ? 1.0 : 0.0);
            label->setPositionAlignment(Qt::AlignHCenter | (top ? Qt::AlignBottom : Qt::AlignTop));
            label->setFont(small);
            label->setColor(palette_.text);
            label->setText(
                rows ? rangeText(a, top ? ranges_[std::size_t(a)].second : ranges_[std::size_t(a)].first)
                     : QString());
            label->setClipToAxisRect(false);
        }
    }
    for (auto it = brushes_.begin(); it != brushes_.end(); ++it) {
        auto* box = new QCPItemRect(plot_);
        box->topLeft->setCoords(it.key() - kBrushHalfWidth, normalised(it.key(), it.value().second));
        box->bottomRight->setCoords(it.key() + kBrushHalfWidth, normalised(it.key(), it.value().first));
        box->setPen(QPen(QColor(0xd6, 0x45, 0x3d), 1.5));
        box->setBrush(QColor(0xd6, 0x45, 0x3d, 40));
    }
    updateDiffLine();
    plot_->xAxis->setTicker(ticker);
    // Room on the left for the first axis's slanted name.
    plot_->xAxis->setRange(-1.3, std::max(1, n) - 0.6);
    const int shown = brushes_.isEmpty() ? rows : int(inside.size());
    status_->setText(
        rows == 0 ? tr("Candidates of a search appear here, one line each across the genes and costs.")
        : brushes_.isEmpty()
            ? tr("%n candidate(s), coloured by fitness (dark = lower loss). Drag along an axis to "
                 "brush a range; the candidate table then shows the brushed ones.",
                 nullptr, rows)
            : tr("%1 of %n candidate(s) in the brushes (%2); click an axis to clear its brush.", nullptr,
                 rows)
                  .arg(shown)
                  .arg(brushFilter()));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParallelCoordinatesView::handleMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !model_ || model_->rowCount() == 0) return;
    dragAxis_ = axisNear(event->position().x());
    dragFrom_ = event->position().y();
}

void ParallelCoordinatesView::handleMouseMove(QMouseEvent* event) {
    if (dragAxis_ < 0 || std::abs(event->position().y() - dragFrom_) < kClickPixels) return;
    // The box follows the drag; the filter is applied on release.
    brushes_[dragAxis_] = {valueAt(dragAxis_, std::max(dragFrom_, event->position().y())),
                           valueAt(dragAxis_, std::min(dragFrom_, event->position().y()))};
    rebuild();
}

void ParallelCoordinatesView::handleMouseRelease(QMouseEvent* event) {
    if (dragAxis_ < 0) return;
    const int axis = dragAxis_;
    dragAxis_ = -1;
    const double y = event->position().y();
    if (std::abs(y - dragFrom_) < kClickPixels)
        setBrush(axis, std::nullopt);
    else
        setBrush(axis, QPair<double, double>(valueAt(axis, std::max(dragFrom_, y)),
                                             valueAt(axis, std::min(dragFrom_, y))));
}

bool ParallelCoordinatesView::exportPlot(const QString& path, QString* error) {
    return PlotExporter::exportPlot(*plot_, path, error);
}

} // namespace automoe::ui
