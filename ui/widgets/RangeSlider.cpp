#include "ui/widgets/RangeSlider.h"

#include <QFocusEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace automoe::ui {

namespace {

constexpr double kHandleRadius = 7.5;
constexpr double kTrackHeight = 4.0;
constexpr double kTickLength = 4.0;
constexpr int kTopMargin = 3;
const QChar kEnDash(0x2013);

} // namespace

RangeSlider::RangeSlider(QWidget* parent)
    : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void RangeSlider::setAxis(const QList<int>& values) {
    if (values.isEmpty()) return;
    const int lo = lower(), hi = upper();
    axis_ = values;
    lowerIndex_ = nearestIndex(lo);
    upperIndex_ = std::max(lowerIndex_, nearestIndex(hi));
    updateGeometry();
    updateAccessibleDescription();
    update();
}

void RangeSlider::setSpan(int lo, int hi) {
    lowerIndex_ = nearestIndex(std::min(lo, hi));
    upperIndex_ = std::max(lowerIndex_, nearestIndex(std::max(lo, hi)));
    updateAccessibleDescription();
    update();
}

int RangeSlider::lower() const {
    return axis_.value(lowerIndex_);
}

int RangeSlider::upper() const {
    return axis_.value(upperIndex_);
}

void RangeSlider::setLimit(std::optional<int> limit) {
    limit_ = limit;
    update();
}

void RangeSlider::setUnit(const QString& unit) {
    unit_ = unit;
    updateAccessibleDescription();
}

QString RangeSlider::valueText(int value) const {
    return unit_.isEmpty() ? QString::number(value) : QStringLiteral("%1 %2").arg(value).arg(unit_);
}

QString RangeSlider::spanText() const {
    if (lowerIndex_ == upperIndex_) return valueText(lower());
    const QString span = QString::number(lower()) + kEnDash + QString::number(upper());
    return unit_.isEmpty() ? span : span + QLatin1Char(' ') + unit_;
}

void RangeSlider::updateAccessibleDescription() {
    setAccessibleDescription(lowerIndex_ == upperIndex_
                                 ? tr("%1 only").arg(valueText(lower()))
                                 : tr("from %1 to %2").arg(lower()).arg(valueText(upper())));
}

// ------------------------------------------------------------------------------------------- geometry

double RangeSlider::left() const {
    const QFontMetricsF fm(font());
    const double label = fm.horizontalAdvance(QString::number(axis_.front()));
    return std::max(kHandleRadius + 2, label / 2 + 1);
}

double RangeSlider::right() const {
    const QFontMetricsF fm(font());
    const double label = fm.horizontalAdvance(QString::number(axis_.back()));
    return width() - std::max(kHandleRadius + 2, label / 2 + 1);
}

double RangeSlider::trackY() const {
    return kTopMargin + kHandleRadius + 1;
}

double RangeSlider::xAt(int index) const {
    if (axis_.size() < 2) return (left() + right()) / 2;
    return left() + (right() - left()) * index / (axis_.size() - 1);
}

int RangeSlider::indexAt(double x) const {
    if (axis_.size() < 2) return 0;
    const double t = (x - left()) / (right() - left());
    return std::clamp(static_cast<int>(std::lround(t * (axis_.size() - 1))), 0,
                      static_cast<int>(axis_.size()) - 1);
}

int RangeSlider::nearestIndex(int value) const {
    int best = 0;
    for (int i = 1; i < axis_.size(); ++i)
        if (std::abs(axis_[i] - value) < std::abs(axis_[best] - value)) best = i;
    return best;
}

// Every value gets a label when they fit; otherwise every 2nd, 5th, 10th, ... one.
int RangeSlider::labelStep() const {
    if (axis_.size() < 2) return 1;
    const QFontMetricsF fm(font());
    double widest = 0;
    for (int v : axis_)
        widest = std::max(widest, fm.horizontalAdvance(QString::number(v)));
    const double spacing = (right() - left()) / (axis_.size() - 1);
    for (int step : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})
        if (spacing * step >= widest + 6) return step;
    return static_cast<int>(axis_.size());
}

QPoint RangeSlider::handlePosition(Handle handle) const {
    const int index = handle == Handle::Lower ? lowerIndex_ : upperIndex_;
    return QPointF(xAt(index), trackY()).toPoint();
}

QPoint RangeSlider::valuePosition(int value) const {
    return QPointF(xAt(nearestIndex(value)), trackY()).toPoint();
}

QSize RangeSlider::sizeHint() const {
    const QFontMetrics fm(font());
    const int h = static_cast<int>(trackY() + kHandleRadius + kTickLength) + fm.height() + 2;
    return {std::max(160, static_cast<int>(axis_.size()) * 18), h};
}

QSize RangeSlider::minimumSizeHint() const {
    return {80, sizeHint().height()};
}

RangeSlider::Handle RangeSlider::handleAt(const QPoint& pos) const {
    const double reach = kHandleRadius + 3;
    const double dl = std::hypot(pos.x() - xAt(lowerIndex_), pos.y() - trackY());
    const double du = std::hypot(pos.x() - xAt(upperIndex_), pos.y() - trackY());
    if (std::min(dl, du) > reach) return Handle::None;
    return du <= dl ? Handle::Upper : Handle::Lower;
}

// ------------------------------------------------------------------------------------------- painting

void RangeSlider::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    const bool enabled = isEnabled();
    const QColor accent = enabled ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid);
    const QColor groove = pal.color(QPalette::Midlight).darker(105);
    const double y = trackY();
    const double x0 = left(), x1 = right();

    // Outside the pinned supernet: hatched, from halfway to the first value beyond the limit.
    if (limit_ && axis_.back() > *limit_) {
        int first = 0;
        while (first < axis_.size() && axis_[first] <= *limit_)
            ++first;
        const double from = first == 0 ? x0 - kHandleRadius : (xAt(first - 1) + xAt(first)) / 2;
        const QRectF out(from, y - kHandleRadius, x1 + kHandleRadius - from, 2 * kHandleRadius);
        QColor hatch(0xc0, 0x39, 0x2b);
        hatch.setAlpha(70);
        p.fillRect(out, QBrush(hatch, Qt::BDiagPattern));
        QColor edge(0xc0, 0x39, 0x2b);
        edge.setAlpha(160);
        p.setPen(QPen(edge, 1, Qt::DashLine));
        p.drawLine(QPointF(from, y - kHandleRadius), QPointF(from, y + kHandleRadius));
    }

    // The groove, then the chosen span over it.
    p.setPen(Qt::NoPen);
    p.setBrush(groove);
    p.drawRoundedRect(QRectF(x0, y - kTrackHeight / 2, x1 - x0, kTrackHeight), 2, 2);
    p.setBrush(accent);
    const double xl = xAt(lowerIndex_), xu = xAt(upperIndex_);
    p.drawRoundedRect(QRectF(xl, y - kTrackHeight / 2, std::max(xu - xl, 0.0), kTrackHeight), 2, 2);

    // Ticks at every value. Labels: the chosen ends always, then every step-th value that has room.
    const QFontMetricsF fm(font());
    QFont bold = font();
    bold.setBold(true);
    const QFontMetricsF boldMetrics(bold);
    const double tickTop = y + kHandleRadius + 1;
    const double baseline = tickTop + kTickLength + fm.ascent() + 1;
    for (int i = 0; i < axis_.size(); ++i) {
        const bool chosen = i >= lowerIndex_ && i <= upperIndex_;
        p.setPen(QPen(chosen ? accent : pal.color(QPalette::Mid), 1));
        p.drawLine(QPointF(xAt(i), tickTop), QPointF(xAt(i), tickTop + kTickLength));
    }
    struct Placed {
        double from, to;
    };
    QList<Placed> placed;
    auto place = [&](int i, bool end) {
        const QString text = QString::number(axis_[i]);
        const double w = (end ? boldMetrics : fm).horizontalAdvance(text);
        const double from = xAt(i) - w / 2, to = xAt(i) + w / 2;
        for (const Placed& q : placed)
            if (from < q.to + 5 && to > q.from - 5) return;
        placed.append({from, to});
        p.setFont(end ? bold : font());
        p.setPen(end && enabled ? pal.color(QPalette::WindowText)
                                : pal.color(enabled ? QPalette::PlaceholderText : QPalette::Mid));
        p.drawText(QPointF(from, baseline), text);
    };
    place(lowerIndex_, true);
    if (upperIndex_ != lowerIndex_) place(upperIndex_, true);
    const int step = labelStep();
    for (int i = 0; i < axis_.size(); i += step)
        if (i != lowerIndex_ && i != upperIndex_) place(i, false);
    p.setFont(font());

    // Handles: the active one of a focused slider gets a focus ring.
    auto drawHandle = [&](Handle h) {
        const QPointF c(xAt(h == Handle::Lower ? lowerIndex_ : upperIndex_), y);
        if (hasFocus() && active_ == h) {
            QColor ring = accent;
            ring.setAlpha(90);
            p.setPen(Qt::NoPen);
            p.setBrush(ring);
            p.drawEllipse(c, kHandleRadius + 3, kHandleRadius + 3);
        }
        p.setPen(QPen(accent, dragging_ == h ? 2.5 : 1.6));
        p.setBrush(pal.color(QPalette::Base));
        p.drawEllipse(c, kHandleRadius, kHandleRadius);
    };
    // The active handle on top, so that it stays reachable when both sit on one value.
    if (active_ == Handle::Lower) {
        drawHandle(Handle::Upper);
        drawHandle(Handle::Lower);
    } else {
        drawHandle(Handle::Lower);
        drawHandle(Handle::Upper);
    }
}

// ------------------------------------------------------------------------------------------- input

void RangeSlider::moveHandle(Handle handle, int index) {
    int lo = lowerIndex_, hi = upperIndex_;
    index = std::clamp(index, 0, static_cast<int>(axis_.size()) - 1);
    if (handle == Handle::Lower)
        lo = std::min(index, hi);
    else
        hi = std::max(index, lo);
    if (lo == attemptedLower_ && hi == attemptedUpper_) return;
    attemptedLower_ = lo;
    attemptedUpper_ = hi;
    if (lo == lowerIndex_ && hi == upperIndex_) {
        // Back on the shown span (after a refused value): report it so the owner can clear its error.
        emit spanEdited(lower(), upper());
        return;
    }
    lowerIndex_ = lo;
    upperIndex_ = hi;
    updateAccessibleDescription();
    update();
    emit spanEdited(axis_[lo], axis_[hi]);
}

void RangeSlider::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || axis_.isEmpty()) {
        QWidget::mousePressEvent(event);
        return;
    }
    attemptedLower_ = lowerIndex_;
    attemptedUpper_ = upperIndex_;
    const QPoint pos = event->position().toPoint();
    Handle h = handleAt(pos);
    pressIndex_ = indexAt(pos.x());
    pressedOnOverlap_ = h != Handle::None && lowerIndex_ == upperIndex_;
    if (h == Handle::None) {
        // A click on the axis moves the nearer handle there (the upper one on a tie to the right).
        const double dl = std::abs(pos.x() - xAt(lowerIndex_)), du = std::abs(pos.x() - xAt(upperIndex_));
        h = dl < du || (dl == du && pos.x() < xAt(lowerIndex_)) ? Handle::Lower : Handle::Upper;
    }
    active_ = h;
    dragging_ = h;
    emit dragStarted();
    if (!pressedOnOverlap_) moveHandle(h, pressIndex_);
    showValueToolTip(h);
    update();
    event->accept();
}

void RangeSlider::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_ == Handle::None) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    const int index = indexAt(event->position().x());
    if (pressedOnOverlap_) {
        if (index == pressIndex_) return;
        dragging_ = active_ = index > pressIndex_ ? Handle::Upper : Handle::Lower;
        pressedOnOverlap_ = false;
    }
    moveHandle(dragging_, index);
    showValueToolTip(dragging_);
    event->accept();
}

void RangeSlider::mouseReleaseEvent(QMouseEvent* event) {
    if (dragging_ == Handle::None || event->button() != Qt::LeftButton) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    dragging_ = Handle::None;
    pressedOnOverlap_ = false;
    update();
    emit dragFinished();
    event->accept();
}

void RangeSlider::keyPressEvent(QKeyEvent* event) {
    const int current = active_ == Handle::Lower ? lowerIndex_ : upperIndex_;
    const int page = std::max(1, static_cast<int>(axis_.size()) / 5);
    int target = current;
    switch (event->key()) {
    case Qt::Key_Left:
    case Qt::Key_Down:
        target = current - 1;
        break;
    case Qt::Key_Right:
    case Qt::Key_Up:
        target = current + 1;
        break;
    case Qt::Key_PageDown:
        target = current - page;
        break;
    case Qt::Key_PageUp:
        target = current + page;
        break;
    case Qt::Key_Home:
        target = 0;
        break;
    case Qt::Key_End:
        target = static_cast<int>(axis_.size()) - 1;
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    attemptedLower_ = lowerIndex_;
    attemptedUpper_ = upperIndex_;
    moveHandle(active_, target);
    event->accept();
}

void RangeSlider::focusInEvent(QFocusEvent* event) {
    // Tab enters at the lower handle, Shift+Tab at the upper one; Tab then steps between the handles.
    if (event->reason() == Qt::TabFocusReason) active_ = Handle::Lower;
    if (event->reason() == Qt::BacktabFocusReason) active_ = Handle::Upper;
    QWidget::focusInEvent(event);
}

bool RangeSlider::focusNextPrevChild(bool next) {
    if (hasFocus() && next && active_ == Handle::Lower) {
        active_ = Handle::Upper;
        update();
        return true;
    }
    if (hasFocus() && !next && active_ == Handle::Upper) {
        active_ = Handle::Lower;
        update();
        return true;
    }
    return QWidget::focusNextPrevChild(next);
}

void RangeSlider::showValueToolTip(Handle handle) {
    if (handle == Handle::None || !isVisible()) return;
    const QString text = (handle == Handle::Lower ? tr("Minimum: %1") : tr("Maximum: %1"))
                             .arg(valueText(handle == Handle::Lower ? lower() : upper()));
    QToolTip::showText(mapToGlobal(handlePosition(handle) + QPoint(0, -14)), text, this);
}

bool RangeSlider::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const Handle h = handleAt(help->pos());
        if (h != Handle::None) {
            showValueToolTip(h);
        } else {
            QString text = spanText();
            if (limit_ && axis_.back() > *limit_)
                text +=
                    QLatin1Char('\n') + tr("Hatched: beyond the pinned supernet (at most %1)").arg(*limit_);
            if (!toolTip().isEmpty()) text = toolTip() + QLatin1Char('\n') + text;
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace automoe::ui
