#include "ui/plots/CandidateCloud.h"

#include <algorithm>
#include <cmath>

namespace automoe::ui {

CandidateCloud::CandidateCloud(QCPAxis* keyAxis, QCPAxis* valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis) {
    setSelectable(QCP::stNone);
    setAntialiasedFill(false);
    colours_ = {qRgb(0x4e, 0x79, 0xa7)};
}

void CandidateCloud::addPoints(const std::vector<Point>& points) {
    for (const Point& p : points) {
        if (points_.empty()) {
            minKey_ = maxKey_ = p.key;
            minValue_ = maxValue_ = p.value;
        } else {
            minKey_ = std::min(minKey_, p.key);
            maxKey_ = std::max(maxKey_, p.key);
            minValue_ = std::min(minValue_, p.value);
            maxValue_ = std::max(maxValue_, p.value);
        }
        points_.push_back(p);
    }
}

void CandidateCloud::clearPoints() {
    points_.clear();
}

void CandidateCloud::setGenerationColours(std::int64_t firstGeneration, const QVector<QRgb>& colours) {
    firstGeneration_ = firstGeneration;
    if (!colours.isEmpty()) colours_ = colours;
}

void CandidateCloud::setPointDiameter(double pixels) {
    diameter_ = std::max(1.0, pixels);
}

void CandidateCloud::setPointOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.05, 1.0);
}

QRgb CandidateCloud::colourOf(std::int64_t generation) const {
    const std::int64_t i = std::clamp<std::int64_t>(generation - firstGeneration_, 0, colours_.size() - 1);
    return colours_[int(i)];
}

double CandidateCloud::selectTest(const QPointF&, bool, QVariant*) const {
    return -1; // the Pareto view picks candidates itself, from its own index
}

QCPRange CandidateCloud::getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain) const {
    foundRange = !points_.empty() && (inSignDomain == QCP::sdBoth ||
                                      (inSignDomain == QCP::sdPositive ? maxKey_ > 0 : minKey_ < 0));
    return QCPRange(minKey_, maxKey_);
}

QCPRange CandidateCloud::getValueRange(bool& foundRange, QCP::SignDomain inSignDomain,
                                       const QCPRange&) const {
    foundRange = !points_.empty() && (inSignDomain == QCP::sdBoth ||
                                      (inSignDomain == QCP::sdPositive ? maxValue_ > 0 : minValue_ < 0));
    return QCPRange(minValue_, maxValue_);
}

void CandidateCloud::draw(QCPPainter* painter) {
    if (points_.empty() || !mKeyAxis || !mValueAxis) return;
    const QTransform t = painter->transform();
    if (painter->modes().testFlag(QCPPainter::pmVectorized) || t.type() > QTransform::TxScale)
        drawVector(painter);
    else
        drawRaster(painter);
}

void CandidateCloud::drawVector(QCPPainter* painter) const {
    painter->setPen(Qt::NoPen);
    painter->setRenderHint(QPainter::Antialiasing, true);
    const double r = diameter_ / 2;
    const QRectF clip = QRectF(clipRect()).adjusted(-r, -r, r, r);
    QRgb current = 0;
    bool first = true;
    for (const Point& p : points_) {
        const QPointF px = coordsToPixels(p.key, p.value);
        if (!clip.contains(px)) continue;
        const QRgb c = colourOf(p.generation);
        if (first || c != current) {
            QColor colour = QColor::fromRgb(c);
            colour.setAlphaF(float(opacity_));
            painter->setBrush(colour);
            current = c;
            first = false;
        }
        painter->drawEllipse(px, r, r);
    }
}

// Points are splatted into one premultiplied image with integer arithmetic: a coverage mask of the disc
// (antialiased edge) blended source-over. A point whose pixel already holds a point of the same colour is
// skipped: it would change nothing visible beyond the disc's soft edge.
void CandidateCloud::drawRaster(QCPPainter* painter) const {
    const QTransform t = painter->transform();
    const double dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const double scale = t.m11() * dpr;
    const QRectF logicalClip = t.mapRect(QRectF(clipRect()));
    const int width = int(std::ceil(logicalClip.width() * dpr));
    const int height = int(std::ceil(logicalClip.height() * dpr));
    if (width <= 0 || height <= 0) return;

    const double radius = diameter_ / 2 * scale;
    const int reach = int(std::ceil(radius + 0.5));
    // The disc as (dx, dy, coverage * opacity in 0..256), without its empty corners.
    struct Tap {
        int dx, dy;
        std::uint32_t alpha;
        std::ptrdiff_t offset; // dy * stride + dx, set once the image's stride is known
    };
    std::vector<Tap> taps;
    for (int dy = -reach; dy <= reach; ++dy)
        for (int dx = -reach; dx <= reach; ++dx) {
            const double coverage = std::clamp(radius + 0.5 - std::hypot(dx, dy), 0.0, 1.0);
            const auto alpha = std::uint32_t(std::lround(coverage * opacity_ * 256));
            if (alpha > 0) taps.push_back({dx, dy, alpha, 0});
        }

    if (image_.width() != width || image_.height() != height) {
        image_ = QImage(width, height, QImage::Format_ARGB32_Premultiplied);
        stamp_.assign(std::size_t(width) * std::size_t(height), 0);
        tag_ = 0;
    }
    image_.setDevicePixelRatio(1.0);
    image_.fill(Qt::transparent);
    auto* pixels = reinterpret_cast<QRgb*>(image_.bits());
    const int stride = int(image_.bytesPerLine() / 4);
    // stamp_ holds, per pixel, the tag of the last colour run drawn there. Tags grow across draws, so the
    // buffer never needs clearing (except when the counter wraps).
    if (tag_ > 0xfff00000u) {
        std::fill(stamp_.begin(), stamp_.end(), 0);
        tag_ = 0;
    }
    std::uint32_t* stamp = stamp_.data();
    std::vector<std::ptrdiff_t> solid;
    std::vector<Tap> rim;
    for (Tap& tap : taps) {
        tap.offset = std::ptrdiff_t(tap.dy) * stride + tap.dx;
        if (tap.alpha >= 256)
            solid.push_back(tap.offset);
        else
            rim.push_back(tap);
    }

    // Coordinates to image pixels, as one affine map per axis (the Pareto axes are linear; a logarithmic
    // axis goes through QCPAxis per point).
    const QCPAxis* xAxis = mKeyAxis->orientation() == Qt::Horizontal ? mKeyAxis.data() : mValueAxis.data();
    const QCPAxis* yAxis = mKeyAxis->orientation() == Qt::Horizontal ? mValueAxis.data() : mKeyAxis.data();
    const bool keyIsX = xAxis == mKeyAxis.data();
    const bool linear = xAxis->scaleType() == QCPAxis::stLinear && yAxis->scaleType() == QCPAxis::stLinear;
    const double ox = (t.dx() - logicalClip.left()) * dpr;
    const double oy = (t.dy() - logicalClip.top()) * dpr;
    const double sx = t.m11() * dpr, sy = t.m22() * dpr;
    const double xa = (xAxis->coordToPixel(1.0) - xAxis->coordToPixel(0.0)) * sx;
    const double xb = xAxis->coordToPixel(0.0) * sx + ox;
    const double ya = (yAxis->coordToPixel(1.0) - yAxis->coordToPixel(0.0)) * sy;
    const double yb = yAxis->coordToPixel(0.0) * sy + oy;

    std::uint32_t& tag = tag_;
    const std::uint32_t firstTag = tag_ + 1;
    QRgb tagColour = 0;
    for (const Point& p : points_) {
        const double x = keyIsX ? p.key : p.value;
        const double y = keyIsX ? p.value : p.key;
        double fx = 0, fy = 0;
        if (linear) {
            fx = xa * x + xb;
            fy = ya * y + yb;
        } else {
            fx = xAxis->coordToPixel(x) * sx + ox;
            fy = yAxis->coordToPixel(y) * sy + oy;
        }
        if (!(fx > -reach - 1 && fy > -reach - 1 && fx < width + reach && fy < height + reach)) continue;
        // Round half up without a library call; the offset keeps the cast's truncation a floor.
        const int cx = int(fx + 0.5 + 65536.0) - 65536;
        const int cy = int(fy + 0.5 + 65536.0) - 65536;
        const QRgb colour = colourOf(p.generation);
        if (colour != tagColour || tag < firstTag) {
            tagColour = colour;
            ++tag;
        }
        const bool inside = cx >= reach && cy >= reach && cx < width - reach && cy < height - reach;
        if (inside) {
            std::uint32_t& s = stamp[std::size_t(cy) * std::size_t(width) + std::size_t(cx)];
            if (s == tag) continue;
            s = tag;
        }
        const std::uint32_t r = qRed(colour), g = qGreen(colour), b = qBlue(colour);
        const QRgb opaque = colour | 0xff000000u;
        QRgb* centre = pixels + cy * stride + cx;
        auto blend = [&](QRgb* dst, std::uint32_t a) {
            const std::uint32_t inv = 256 - a;
            const QRgb d = *dst;
            *dst = qRgba(int((r * a + qRed(d) * inv) >> 8), int((g * a + qGreen(d) * inv) >> 8),
                         int((b * a + qBlue(d) * inv) >> 8), int((255 * a + qAlpha(d) * inv) >> 8));
        };
        if (inside) { // the common case: no bounds checks, solid core written, rim blended
            for (const std::ptrdiff_t offset : solid)
                centre[offset] = opaque;
            for (const Tap& tap : rim)
                blend(centre + tap.offset, tap.alpha);
            continue;
        }
        for (const Tap& tap : taps) {
            const int px = cx + tap.dx, py = cy + tap.dy;
            if (px < 0 || py < 0 || px >= width || py >= height) continue;
            if (tap.alpha >= 256)
                centre[tap.offset] = opaque;
            else
                blend(centre + tap.offset, tap.alpha);
        }
    }
    image_.setDevicePixelRatio(dpr);
    painter->save();
    painter->resetTransform();
    painter->drawImage(logicalClip.topLeft(), image_);
    painter->restore();
}

void CandidateCloud::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const {
    painter->setPen(Qt::NoPen);
    painter->setRenderHint(QPainter::Antialiasing, true);
    const int n = 3;
    for (int i = 0; i < n; ++i) {
        const int index = colours_.size() > 1 ? int(i * (colours_.size() - 1) / (n - 1)) : 0;
        painter->setBrush(QColor::fromRgb(colours_[index]));
        painter->drawEllipse(QPointF(rect.left() + rect.width() * (i + 0.5) / n, rect.center().y()), 2.6,
                             2.6);
    }
}

} // namespace automoe::ui
