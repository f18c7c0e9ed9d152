#include "ui/figure/ArchitectureView.h"

#include <QHelpEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QToolTip>

namespace automoe::ui {

namespace {
constexpr int kCanvasMargin = 18;
// Beyond this the figure would only get blurry-big; leave canvas around it instead.
constexpr double kMaxScale = 1.6;
} // namespace

ArchitectureView::ArchitectureView(QWidget* parent)
    : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Architecture figure"));
    figure_.setFontFamily(font().family());
}

void ArchitectureView::setArchitecture(const Architecture& arch, const QString& title,
                                       const QString& subtitle) {
    figure_.setArchitecture(arch, title, subtitle);
    setAccessibleDescription(title + QLatin1Char(' ') + subtitle);
    updateGeometry();
    update();
    emit architectureChanged();
}

void ArchitectureView::setDartsArchitecture(const DartsArchitecture& arch, const QString& title,
                                            const QString& subtitle) {
    figure_.setDartsArchitecture(arch, title, subtitle);
    setAccessibleDescription(title + QLatin1Char(' ') + subtitle);
    updateGeometry();
    update();
    emit architectureChanged();
}

void ArchitectureView::setDiff(const Architecture& a, const Architecture& b, const QString& title,
                               const ArchitectureFigure::DiffSide& sideA,
                               const ArchitectureFigure::DiffSide& sideB) {
    figure_.setDiff(a, b, title, sideA, sideB);
    setAccessibleDescription(title + QLatin1Char(' ') + figure_.subtitle());
    updateGeometry();
    update();
    emit architectureChanged();
}

void ArchitectureView::setSupernet(const std::optional<SupernetDims>& supernet) {
    figure_.setSupernet(supernet);
    updateGeometry();
    update();
}

void ArchitectureView::clear() {
    figure_.clear();
    update();
    emit architectureChanged();
}

QSize ArchitectureView::sizeHint() const {
    return (figure_.size() + QSizeF(2 * kCanvasMargin, 2 * kCanvasMargin)).toSize();
}

QSize ArchitectureView::minimumSizeHint() const {
    return {560, 420};
}

QTransform ArchitectureView::figureTransform() const {
    const QRectF target =
        QRectF(rect()).adjusted(kCanvasMargin, kCanvasMargin, -kCanvasMargin, -kCanvasMargin);
    return figure_.fitTransform(target, kMaxScale);
}

void ArchitectureView::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const FigurePalette& pal = figure_.palette();
    p.fillRect(event->rect(), pal.canvas);
    if (!figure_.hasArchitecture()) return;

    const QTransform t = figureTransform();
    const QRectF paper = t.mapRect(QRectF(QPointF(0, 0), figure_.size()));
    // A soft shadow under the paper.
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    for (int i = 1; i <= 5; ++i) {
        QColor shadow(0, 0, 0, 10 - i);
        p.setBrush(shadow);
        p.drawRoundedRect(paper.adjusted(-i, -i + 2, i, i + 2), 3 + i, 3 + i);
    }
    figure_.paint(p, t);
}

bool ArchitectureView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        bool invertible = false;
        const QTransform inverse = figureTransform().inverted(&invertible);
        const QString text = invertible ? figure_.toolTipAt(inverse.map(QPointF(help->pos()))) : QString();
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void ArchitectureView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange) {
        figure_.setFontFamily(font().family());
        update();
    }
    QWidget::changeEvent(event);
}

} // namespace automoe::ui
