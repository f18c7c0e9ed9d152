#include "ui/darts/AlphaView.h"

#include "ui/darts/DartsModel.h"
#include "ui/plots/PlotTheme.h"
#include "ui/run/RunDocument.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace automoe::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Viridis: perceptually even and readable in grey and by most colour-blind readers; the weight of an
// unavailable candidate (NaN) is drawn as an empty cell.
QCPColorGradient weightGradient(const FigurePalette& palette) {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(0x44, 0x01, 0x54));
    g.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    g.setColorStopAt(0.5, QColor(0x21, 0x91, 0x8c));
    g.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    g.setColorStopAt(1.0, QColor(0xfd, 0xe7, 0x25));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(palette.paper);
    return g;
}

QString weightText(double w) {
    return QString::number(w, 'f', 4);
}

} // namespace

AlphaView::AlphaView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("DARTS architecture weights"));
    status_ = new QLabel(this);
    status_->setObjectName("alphaStatus");
    status_->setContentsMargins(8, 4, 8, 2);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_->setWordWrap(true);
    buildPlot();

    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("alphaTimeline");
    slider_->setRange(0, 0);
    slider_->setToolTip(tr("Scrub through the architecture weights after every update"));
    connect(slider_, &QSlider::valueChanged, this, [this](int value) {
        if (!updating_) scrubTo(value);
    });
    stepLabel_ = new QLabel(this);
    stepLabel_->setObjectName("alphaStepLabel");
    stepLabel_->setMinimumWidth(
        stepLabel_->fontMetrics().horizontalAdvance(QStringLiteral("update 000000 / 000000")));
    followButton_ = new QToolButton(this);
    followButton_->setObjectName("alphaFollow");
    followButton_->setText(tr("Follow"));
    followButton_->setCheckable(true);
    followButton_->setChecked(true);
    followButton_->setAutoRaise(true);
    followButton_->setToolTip(tr("Follow the run: show the weights after the newest update. Scrubbing the "
                                 "timeline back stops following until you press this."));
    connect(followButton_, &QToolButton::toggled, this, &AlphaView::setFollow);

    auto* timelineRow = new QHBoxLayout;
    timelineRow->setContentsMargins(8, 0, 4, 4);
    timelineRow->addWidget(new QLabel(tr("Update"), this));
    timelineRow->addWidget(slider_, 1);
    timelineRow->addWidget(stepLabel_);
    timelineRow->addWidget(followButton_);
    colourBox_ = new QComboBox(this);
    colourBox_->setObjectName("alphaColour");
    colourBox_->addItem(tr("softmax weight"));
    colourBox_->addItem(tr("weight × candidates"));
    colourBox_->setToolTip(
        tr("Colour by the softmax weight, or by the weight times the stack's number of "
           "candidates (1 = uniform), which compares the encoder's and the decoder's edges "
           "when their candidate lists differ in length"));
    connect(colourBox_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setColour(i == 1 ? Colour::Relative : Colour::Weight); });
    auto* colourLabel = new QLabel(tr("Colour"), this);
    colourLabel->setContentsMargins(12, 0, 0, 0);
    timelineRow->addWidget(colourLabel);
    timelineRow->addWidget(colourBox_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(status_);
    layout->addWidget(plot_, 1);
    layout->addLayout(timelineRow);
    clear();
}

AlphaView::~AlphaView() = default;

void AlphaView::buildPlot() {
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("alphaPlot");
    plot_->setMinimumSize(420, 240);
    plot_->setMouseTracking(true);
    PlotTheme::apply(*plot_, palette_, font());
    connect(plot_, &QCustomPlot::mouseMove, this, &AlphaView::handleMouseMove);
    QCPAxisRect* rect = plot_->axisRect();
    rect->setRangeDrag(Qt::Orientations());
    rect->setRangeZoom(Qt::Orientations());
    QCPAxis* ops = plot_->xAxis;
    QCPAxis* edges = plot_->yAxis;
    for (QCPAxis* axis : {ops, edges}) {
        axis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
        axis->setSubTicks(false);
        axis->setTickLength(0, 0);
        axis->grid()->setVisible(false);
        axis->setBasePen(Qt::NoPen);
    }
    ops->setTickLabelRotation(-40);
    ops->setLabel(tr("candidate operation"));
    edges->setRangeReversed(true); // the first encoder edge on top
    edges->setLabel(tr("mixed edge"));

    map_ = new QCPColorMap(ops, edges);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(plot_);
    scale_->setType(QCPAxis::atRight);
    scale_->setBarWidth(10);
    scale_->setRangeDrag(false);
    scale_->setRangeZoom(false);
    scale_->axis()->setLabel(tr("softmax weight"));
    PlotTheme::styleAxis(*scale_->axis(), palette_, font());
    plot_->plotLayout()->addElement(0, 1, scale_);
    // The map takes the scale's gradient and range once they are linked: set them on the scale.
    map_->setColorScale(scale_);
    scale_->setGradient(weightGradient(palette_));
    auto* margins = new QCPMarginGroup(plot_);
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    // The derived operation of each edge: a light ring with a dark dot, visible on every colour of the scale.
    marks_ = plot_->addGraph(ops, edges);
    marks_->setLineStyle(QCPGraph::lsNone);
    marks_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette_.paper, 2.2), QBrush(palette_.text), 9));
    marks_->setSelectable(QCP::stNone);
    marks_->setName(tr("derived operation"));

    emptyLabel_ = new QCPItemText(plot_);
    emptyLabel_->setClipToAxisRect(false);
    emptyLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyLabel_->position->setAxisRect(rect);
    emptyLabel_->position->setCoords(0.5, 0.5);
    emptyLabel_->setBrush(palette_.paper);
    emptyLabel_->setPadding(QMargins(8, 6, 8, 6));
    emptyLabel_->setPositionAlignment(Qt::AlignCenter);
    emptyLabel_->setTextAlignment(Qt::AlignCenter);
    emptyLabel_->setColor(palette_.muted);
}

const DartsModel* AlphaView::model() const {
    return document_ ? &document_->darts() : nullptr;
}

void AlphaView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    clear();
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &AlphaView::clear);
    connect(document_, &RunDocument::dartsChanged, this, &AlphaView::refresh);
    connect(document_, &RunDocument::infoChanged, this, &AlphaView::updateStatus);
    refresh();
}

void AlphaView::clear() {
    shown_ = -1;
    rowLabels_.clear();
    columnLabels_.clear();
    marked_.clear();
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(true);
    }
    const bool wasFollowing = follow_;
    follow_ = true;
    updating_ = true;
    slider_->setRange(0, 0);
    slider_->setEnabled(false);
    updating_ = false;
    drawStep();
    if (!wasFollowing) emit followChanged(true);
}

void AlphaView::refresh() {
    const DartsModel* m = model();
    if (!m) return;
    const int count = int(m->history().size());
    updating_ = true;
    slider_->setRange(0, std::max(0, count - 1));
    slider_->setEnabled(count > 1);
    if (count == 0)
        shown_ = -1;
    else if (follow_ || shown_ < 0)
        shown_ = count - 1;
    else
        shown_ = std::min(shown_, count - 1);
    slider_->setValue(std::max(0, shown_));
    updating_ = false;
    drawStep();
    emit shownStepChanged(shown_);
}

void AlphaView::scrubTo(int index) {
    const DartsModel* m = model();
    const int count = m ? int(m->history().size()) : 0;
    if (count == 0) return;
    index = std::clamp(index, 0, count - 1);
    const bool changed = index != shown_;
    shown_ = index;
    updating_ = true;
    slider_->setValue(index);
    updating_ = false;
    setFollow(index == count - 1);
    if (changed) {
        drawStep();
        emit shownStepChanged(shown_);
    }
}

void AlphaView::setFollow(bool follow) {
    if (follow == follow_) return;
    follow_ = follow;
    {
        const QSignalBlocker block(followButton_);
        followButton_->setChecked(follow);
    }
    if (follow && document_) refresh(); // to the newest update
    emit followChanged(follow);
}

std::int64_t AlphaView::shownUpdate() const {
    const DartsModel* m = model();
    return m && shown_ >= 0 && shown_ < int(m->history().size()) ? m->history()[std::size_t(shown_)].update
                                                                 : 0;
}

void AlphaView::drawStep() {
    const DartsModel* m = model();
    const std::vector<DartsModel::Edge> edges = m ? m->edges() : std::vector<DartsModel::Edge>();
    rowLabels_.clear();
    for (const DartsModel::Edge& e : edges)
        rowLabels_ << e.label;
    columnLabels_ = m ? m->columns() : QStringList();
    const int rows = int(rowLabels_.size()), cols = int(columnLabels_.size());
    marked_.assign(std::size_t(rows), -1);
    marks_->data()->clear();

    auto opTicker = qSharedPointerCast<QCPAxisTickerText>(plot_->xAxis->ticker());
    auto edgeTicker = qSharedPointerCast<QCPAxisTickerText>(plot_->yAxis->ticker());
    opTicker->clear();
    edgeTicker->clear();
    for (int c = 0; c < cols; ++c)
        opTicker->addTick(c, columnLabels_[c]);
    for (int r = 0; r < rows; ++r)
        edgeTicker->addTick(r, rowLabels_[r]);
    plot_->xAxis->setRange(-0.5, std::max(1, cols) - 0.5);
    plot_->yAxis->setRange(-0.5, std::max(1, rows) - 0.5);

    const bool any = rows > 0 && cols > 0 && shown_ >= 0;
    map_->setVisible(any);
    marks_->setVisible(any);
    if (any) {
        map_->data()->setSize(cols, rows);
        // Cell (c, r) is centred on coordinates (c, r): the ticks name the cells.
        map_->data()->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
        map_->data()->fill(kNaN);
        weights_.fill(kNaN, rows * cols);
        const bool relative = colour_ == Colour::Relative;
        for (int r = 0; r < rows; ++r) {
            const DartsModel::Edge& e = edges[std::size_t(r)];
            const std::vector<double>& w = m->weights(shown_, e);
            for (int c = 0; c < int(w.size()); ++c) {
                const int column = m->columnOf(e.decoder, c);
                if (column < 0) continue;
                weights_[r * cols + column] = w[std::size_t(c)];
                map_->data()->setCell(column, r,
                                      relative ? w[std::size_t(c)] * double(w.size()) : w[std::size_t(c)]);
            }
            const int chosen = m->derivedCandidate(shown_, e);
            const int column = chosen >= 0 ? m->columnOf(e.decoder, chosen) : -1;
            marked_[std::size_t(r)] = column;
            if (column >= 0) marks_->addData(column, r);
        }
        double lo = relative ? m->minRelative() : m->minWeight();
        double hi = relative ? m->maxRelative() : m->maxWeight();
        if (!(hi > lo)) {
            lo = std::max(0.0, lo - 0.01);
            hi = lo + 0.02;
        }
        map_->setDataRange(QCPRange(lo, hi));
    }
    const QString empty = emptyText();
    emptyLabel_->setText(empty);
    emptyLabel_->setVisible(!empty.isEmpty());
    scale_->setVisible(any);
    updateStatus();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool AlphaView::isCell(int row, int column) const {
    return map_->visible() && row >= 0 && column >= 0 && row < rowLabels_.size() &&
           column < columnLabels_.size();
}

double AlphaView::cellValue(int row, int column) const {
    return isCell(row, column) ? weights_.value(row * int(columnLabels_.size()) + column, kNaN) : kNaN;
}

double AlphaView::colourValue(int row, int column) const {
    return isCell(row, column) ? map_->data()->cell(column, row) : kNaN;
}

void AlphaView::setColour(Colour colour) {
    if (colour == colour_) return;
    colour_ = colour;
    {
        const QSignalBlocker block(colourBox_);
        colourBox_->setCurrentIndex(colour == Colour::Relative ? 1 : 0);
    }
    scale_->axis()->setLabel(colour == Colour::Relative ? tr("weight × candidates (1 = uniform)")
                                                        : tr("softmax weight"));
    drawStep();
}

int AlphaView::markedColumn(int row) const {
    return row >= 0 && row < int(marked_.size()) ? marked_[std::size_t(row)] : -1;
}

void AlphaView::updateStatus() {
    const DartsModel* m = model();
    const int count = m ? int(m->history().size()) : 0;
    stepLabel_->setText(count > 0 ? tr("update %1 / %2").arg(shownUpdate()).arg(m->history().back().update)
                                  : QString());
    status_->setText(statusText());
    // The keys are long: under the mouse, not in the line.
    QStringList keys;
    if (m && shown_ >= 0 && shown_ < count && !m->history()[std::size_t(shown_)].derived.isEmpty())
        keys << tr("argmax at update %1: %2")
                    .arg(shownUpdate())
                    .arg(m->history()[std::size_t(shown_)].derived);
    if (m && m->derived()) keys << tr("derived: %1").arg(m->derived()->key);
    if (m) keys += m->errors();
    status_->setToolTip(keys.join(QLatin1Char('\n')));
}

QString AlphaView::statusText() const {
    const DartsModel* m = model();
    if (!m || !document_->isOpen() || m->isEmpty()) return QString();
    QStringList parts;
    parts << tr("DARTS run %1").arg(document_->runId());
    if (const auto& s = m->setup())
        parts << tr("hidden %1 · %2 + %3 layers · %4 splits%5")
                     .arg(s->hidden)
                     .arg(s->encoderLayers)
                     .arg(s->decoderLayers)
                     .arg(s->splits)
                     .arg(s->reversible ? tr(" · reversible") : QString());
    if (shown_ >= 0 && shown_ < int(m->history().size())) {
        const DartsModel::AlphaStep& step = m->history()[std::size_t(shown_)];
        parts << tr("update %1 · α loss %2").arg(step.update).arg(step.alphaLoss, 0, 'f', 4);
    }
    if (const auto& d = m->derived()) parts << tr("derived at update %1").arg(d->update);
    if (!m->errors().isEmpty()) parts << tr("%1 event(s) not read").arg(m->errors().size());
    return parts.join(QStringLiteral(" · "));
}

QString AlphaView::emptyText() const {
    if (!document_ || !document_->isOpen())
        return tr(
            "No run shown.\nOpen a DARTS search run\n(kind \"darts\", from `automoe darts`)\nin the Runs "
            "dock.");
    const DartsModel& m = document_->darts();
    if (!m.history().empty() && !rowLabels_.isEmpty() && !columnLabels_.isEmpty()) return QString();
    const QString kind = document_->kind();
    if (!kind.isEmpty() && kind != QLatin1String("darts") && m.isEmpty())
        return tr("Run %1 is a %2 run.\nThis view shows DARTS search runs\n(kind \"darts\", from `automoe "
                  "darts`).")
            .arg(document_->runId())
            .arg(kind);
    return tr("No architecture weights yet.\nThey appear after the search's first update.");
}

std::pair<int, int> AlphaView::cellAt(const QPointF& pos) const {
    if (!map_->visible() || !plot_->axisRect()->rect().contains(pos.toPoint())) return {-1, -1};
    const int column = int(std::lround(plot_->xAxis->pixelToCoord(pos.x())));
    const int row = int(std::lround(plot_->yAxis->pixelToCoord(pos.y())));
    if (row < 0 || column < 0 || row >= rowLabels_.size() || column >= columnLabels_.size()) return {-1, -1};
    return {row, column};
}

QString AlphaView::toolTipAt(const QPointF& pos) const {
    const auto [row, column] = cellAt(pos);
    if (row < 0) return QString();
    const double w = cellValue(row, column);
    QString tip = tr("%1 · %2\n").arg(rowLabels_[row], columnLabels_[column]);
    const int candidates = [&] {
        int n = 0;
        for (int c = 0; c < columnLabels_.size(); ++c)
            n += std::isnan(cellValue(row, c)) ? 0 : 1;
        return n;
    }();
    tip += std::isnan(w) ? tr("not a candidate of this stack")
                         : tr("softmax weight %1 after update %2 (%3 × uniform)")
                               .arg(weightText(w))
                               .arg(shownUpdate())
                               .arg(w * candidates, 0, 'f', 3);
    const int marked = markedColumn(row);
    if (marked >= 0)
        tip +=
            marked == column
                ? tr("\nthe operation DARTS derives for this edge")
                : tr("\nderived: %1 (%2)").arg(columnLabels_[marked]).arg(weightText(cellValue(row, marked)));
    return tip;
}

void AlphaView::handleMouseMove(QMouseEvent* event) {
    const QString tip = toolTipAt(event->position());
    if (tip.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
}

} // namespace automoe::ui
