#include "ui/plots/PolylineCloud.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

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
    // As CandidateCloud decides: vector output (SVG, PDF) or a rotated painter draws real lines.
    const bool vector = painter->modes().testFlag(QCPPainter::pmVectorized) ||
                        painter->transform().type() > QTransform::TxScale;
    if (!vector && lines_.size() > 1000) {
        drawRaster(painter);
        return;
    }
    painter->setBrush(Qt::NoBrush);
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

// Many lines: one image instead of a QPainter polyline per line. Each segment is walked column by column;
// in each pixel column it covers a vertical span, added in O(1) to per-column difference arrays of the line
// count and of the summed shade (faded, unbrushed lines to a count of their own). A prefix sum down each
// column then gives every pixel its count and mean shade: painted in the mean shade's colour, more opaque
// where more lines cross, over a grey layer of the faded ones.
void PolylineCloud::drawRaster(QCPPainter* painter) const {
    const QCPAxis* x = keyAxis();
    const QCPAxis* y = valueAxis();
    const QRect area = clipRect().intersected(x->axisRect()->rect());
    if (area.isEmpty() || lines_.empty()) return;
    const int w = area.width(), h = area.height();
    const std::size_t stride = std::size_t(h) + 1;
    std::vector<std::int32_t> count(std::size_t(w) * stride, 0), faded(count.size(), 0);
    std::vector<float> shadeSum(count.size(), 0.0f);
    std::vector<double> px;
    for (std::size_t a = 0; a < lines_.front().values.size(); ++a)
        px.push_back(x->coordToPixel(double(a)) - area.left());
    const double top = y->coordToPixel(1.0) - area.top(), bottom = y->coordToPixel(0.0) - area.top();
    for (const Line& l : lines_) {
        const float shade = float(l.shade);
        for (std::size_t a = 0; a + 1 < l.values.size() && a + 1 < px.size(); ++a) {
            const double v0 = l.values[a], v1 = l.values[a + 1];
            if (std::isnan(v0) || std::isnan(v1)) continue;
            const double x0 = px[a], x1 = px[a + 1];
            const double y0 = bottom + (top - bottom) * v0, y1 = bottom + (top - bottom) * v1;
            const int c0 = std::max(0, int(x0)), c1 = std::min(w - 1, int(x1));
            const double slope = x1 > x0 ? (y1 - y0) / (x1 - x0) : 0.0;
            double ya = y0 + slope * (std::max(double(c0), x0) - x0);
            for (int c = c0; c <= c1; ++c) {
                const double yb = c == c1 ? y1 : y0 + slope * (double(c + 1) - x0);
                int lo = int(ya), hi = int(yb);
                if (lo > hi) std::swap(lo, hi);
                ya = yb;
                lo = std::clamp(lo, 0, h - 1);
                hi = std::clamp(hi, 0, h - 1);
                const std::size_t col = std::size_t(c) * stride;
                if (!l.highlighted) {
                    ++faded[col + std::size_t(lo)];
                    --faded[col + std::size_t(hi) + 1];
                    continue;
                }
                ++count[col + std::size_t(lo)];
                --count[col + std::size_t(hi) + 1];
                shadeSum[col + std::size_t(lo)] += shade;
                shadeSum[col + std::size_t(hi) + 1] -= shade;
            }
        }
    }
    QImage image(w, h, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    const QColor grey(0xb8, 0xbe, 0xc6);
    QRgb palette[64];
    for (int i = 0; i < 64; ++i) {
        const QColor c = shadeColour(i / 63.0);
        palette[i] = qRgb(c.red(), c.green(), c.blue());
    }
    auto* bits = reinterpret_cast<QRgb*>(image.bits());
    const std::size_t line = std::size_t(image.bytesPerLine()) / sizeof(QRgb);
    for (int c = 0; c < w; ++c) {
        const std::size_t col = std::size_t(c) * stride;
        std::int32_t n = 0, f = 0;
        float sum = 0;
        for (int r = 0; r < h; ++r) {
            n += count[col + std::size_t(r)];
            f += faded[col + std::size_t(r)];
            sum += shadeSum[col + std::size_t(r)];
            if (n == 0 && f == 0) continue;
            QRgb* pixel = bits + std::size_t(r) * line + std::size_t(c);
            if (n > 0) {
                const QRgb rgb = palette[std::clamp(int(sum / float(n) * 63.0f + 0.5f), 0, 63)];
                const int alpha = int(255 * std::min(1.0, 0.3 + 0.12 * n));
                *pixel = qPremultiply(qRgba(qRed(rgb), qGreen(rgb), qBlue(rgb), alpha));
            } else if (f > 0) {
                const int alpha = int(255 * std::min(0.6, 0.1 + 0.04 * f));
                *pixel = qPremultiply(qRgba(grey.red(), grey.green(), grey.blue(), alpha));
            }
        }
    }
    painter->drawImage(area.topLeft(), image);
}

void PolylineCloud::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const {
    painter->setPen(QPen(shadeColour(0.2), 1.5));
    painter->drawLine(QLineF(rect.left(), rect.bottom(), rect.right(), rect.top()));
}

} // namespace automoe::ui
