#include "ui/plots/PolylineCloud.h"

#include <cmath>

namespace automoe::ui {

namespace {
// ColorBrewer YlGnBu stops, dark (fit) to light.
QColor shadeColour(double t) {
    static const QColor stops[] = {QColor(0x0c, 0x2c, 0x84), QColor(0x22, 0x5e, 0xa8),
                                   QColor(0x1d, 0x91, 0xc0), QColor(0x41, 0xb6, 0xc4),
                                   QColor(0xa1, 0xda, 0xb4)};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * f, a.greenF() + (b.greenF() - a.greenF()) * f,
                            a.blueF() + (b.blueF() - a.blueF()) * f);
}
} // namespace

PolylineCloud::PolylineCloud(QCPAxis* keyAxis, QCPAxis* valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis) {
    setSelectable(QCP::stNone);
}

void PolylineCloud::setLines(std::vector<Line> lines) {
    lines_ = std::move(lines);
}

double PolylineCloud::selectTest(const QPointF&, bool, QVariant*) const {
    return -1;
}

QCPRange PolylineCloud::getKeyRange(bool& foundRange, QCP::SignDomain) const {
    std::size_t axes = 0;
    for (const Line& l : lines_)
        axes = std::max(axes, l.values.size());
    foundRange = axes > 0;
    return QCPRange(0, axes > 0 ? double(axes - 1) : 1.0);
}

QCPRange PolylineCloud::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const {
    foundRange = !lines_.empty();
    return QCPRange(0, 1);
}

void PolylineCloud::draw(QCPPainter* painter) {
    const QCPAxis* x = keyAxis();
    const QCPAxis* y = valueAxis();
    if (!x || !y) return;
    painter->setBrush(Qt::NoBrush);
    // Many lines on screen: without antialiasing (several times faster on the raster engine, and at that
    // density the smoothing is not seen). Vector export keeps it.
    const bool vector = painter->modes().testFlag(QCPPainter::pmVectorized) ||
                        painter->modes().testFlag(QCPPainter::pmNoCaching);
    if (lines_.size() > 1000 && !vector) painter->setRenderHint(QPainter::Antialiasing, false);
    const bool anyFaded =
        std::any_of(lines_.begin(), lines_.end(), [](const Line& l) { return !l.highlighted; });
    // A thin line per candidate; with many, translucent so density shows.
    const double alpha = lines_.size() > 2000 ? 0.12 : lines_.size() > 300 ? 0.35 : 0.7;
    for (int pass = 0; pass < 2; ++pass) {
        const bool highlighted = pass == 1;
        for (const Line& l : lines_) {
            if (l.highlighted != highlighted) continue;
            QColor c = highlighted ? shadeColour(l.shade) : QColor(0xb8, 0xbe, 0xc6);
            c.setAlphaF(highlighted ? (anyFaded ? std::min(1.0, alpha * 2) : alpha) : 0.18);
            painter->setPen(QPen(c, 1.0)); // wider antialiased pens cost ~10x on the raster engine
            QPolygonF segment;
            for (std::size_t a = 0; a < l.values.size(); ++a) {
                if (std::isnan(l.values[a])) {
                    if (segment.size() > 1) painter->drawPolyline(segment);
                    segment.clear();
                    continue;
                }
                segment << QPointF(x->coordToPixel(double(a)), y->coordToPixel(l.values[a]));
            }
            if (segment.size() > 1) painter->drawPolyline(segment);
        }
    }
}

void PolylineCloud::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const {
    painter->setPen(QPen(shadeColour(0.2), 1.5));
    painter->drawLine(QLineF(rect.left(), rect.bottom(), rect.right(), rect.top()));
}

} // namespace automoe::ui
