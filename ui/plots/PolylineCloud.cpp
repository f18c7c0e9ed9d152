#include "ui/plots/PolylineCloud.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace automoe::ui {

namespace {
constexpr std::int32_t kShadeScale = 1024; // fixed point of the shade sums: 100k lines stay below 2^31
constexpr std::uint8_t kNoLevel = 255;
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
    deferTimer_.setSingleShot(true);
    deferTimer_.setInterval(150);
    connect(&deferTimer_, &QTimer::timeout, this, [this] {
        forceRaster_ = true;
        if (parentPlot()) parentPlot()->replot(QCustomPlot::rpQueuedReplot);
    });
}

void PolylineCloud::setDeferredResize(int ms, std::size_t aboveLines) {
    deferTimer_.setInterval(std::max(0, ms));
    deferAbove_ = ms > 0 ? aboveLines : std::numeric_limits<std::size_t>::max();
}

void PolylineCloud::flushDeferredRaster() {
    if (!deferTimer_.isActive()) return;
    deferTimer_.stop();
    forceRaster_ = true;
}

void PolylineCloud::setLines(std::vector<Line> lines) {
    lines_ = std::move(lines);
    sumsValid_ = false;
    highlightedCount_ =
        std::size_t(std::count_if(lines_.begin(), lines_.end(), [](const Line& l) { return l.highlighted; }));
    ++valuesVersion_;
    ++highlightVersion_;
}

void PolylineCloud::appendLines(std::vector<Line> lines) {
    for (Line& l : lines) {
        highlightedCount_ += l.highlighted ? 1 : 0;
        lines_.push_back(std::move(l));
    }
    ++valuesVersion_;
    ++highlightVersion_;
}

void PolylineCloud::setDiscreteLevels(int levels) {
    sumsValid_ = false;
    maxLevels_ = std::size_t(std::clamp(levels, 0, 254));
    levelsVersion_ = 0;
    ++valuesVersion_;
}

void PolylineCloud::setHighlighted(const std::vector<char>& highlighted) {
    bool changed = false;
    highlightedCount_ = 0;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        const bool on = i < highlighted.size() && highlighted[i] != 0;
        changed = changed || lines_[i].highlighted != on;
        lines_[i].highlighted = on;
        highlightedCount_ += on ? 1 : 0;
    }
    if (changed) ++highlightVersion_;
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

PolylineCloud::Geometry PolylineCloud::geometry() const {
    const QCPAxis* x = keyAxis();
    const QCPAxis* y = valueAxis();
    Geometry g;
    g.area = clipRect().intersected(x->axisRect()->rect());
    const std::size_t axes = lines_.empty() ? 0 : lines_.front().values.size();
    for (std::size_t a = 0; a < axes; ++a)
        g.axisPixels.push_back(x->coordToPixel(double(a)) - g.area.left());
    g.top = y->coordToPixel(1.0) - g.area.top();
    g.bottom = y->coordToPixel(0.0) - g.area.top();
    return g;
}

void PolylineCloud::indexLevels() const {
    if (levelsVersion_ == valuesVersion_) return;
    levelsVersion_ = valuesVersion_;
    const std::size_t axes = lines_.empty() ? 0 : lines_.front().values.size();
    levels_.assign(axes, {});
    levelOf_.assign(lines_.size() * axes, kNoLevel);
    for (std::size_t a = 0; a < axes; ++a) {
        std::vector<double>& values = levels_[a];
        bool discrete = true;
        for (const Line& l : lines_) {
            const double v = a < l.values.size() ? l.values[a] : std::nan("");
            if (std::isnan(v) || std::find(values.begin(), values.end(), v) != values.end()) continue;
            if (values.size() >= maxLevels_) {
                discrete = false;
                break;
            }
            values.push_back(v);
        }
        if (!discrete) {
            values.clear();
            continue;
        }
        std::sort(values.begin(), values.end());
        for (std::size_t i = 0; i < lines_.size(); ++i) {
            const double v = a < lines_[i].values.size() ? lines_[i].values[a] : std::nan("");
            if (std::isnan(v)) continue;
            levelOf_[i * axes + a] =
                std::uint8_t(std::lower_bound(values.begin(), values.end(), v) - values.begin());
        }
    }
}

// Each segment is walked column by column; in each pixel column it covers a vertical span, added in O(1) to
// difference arrays of the line count and of the summed shade (row-major: a segment's neighbouring columns
// are neighbours in memory). A prefix sum down the rows then gives every pixel its count and shade sum.
// Integers, so sums of subsets subtract exactly. Between two axes of few distinct values (the genes) the
// lines are counted per pair of values first and each pair's segment is walked once, with its count and shade
// sum: the same sums, without walking thousands of identical segments.
void PolylineCloud::accumulate(const Geometry& g, Subset subset, std::vector<std::int32_t>& sums,
                               std::size_t from) const {
    const int w = g.area.width(), h = g.area.height();
    const std::size_t cells = std::size_t(w) * std::size_t(h + 1);
    sums.assign(2 * cells, 0);
    const std::vector<double>& px = g.axisPixels;
    const std::size_t stride = std::size_t(w);
    auto walk = [&](std::size_t a, double v0, double v1, std::int32_t n, std::int32_t s) {
        const double x0 = px[a], x1 = px[a + 1];
        const double y0 = g.bottom + (g.top - g.bottom) * v0, y1 = g.bottom + (g.top - g.bottom) * v1;
        const int c0 = std::max(0, int(x0)), c1 = std::min(w - 1, int(x1));
        if (c0 > c1) return;
        const double slope = x1 > x0 ? (y1 - y0) / (x1 - x0) : 0.0;
        double ya = y0 + slope * (std::max(double(c0), x0) - x0);
        for (int c = c0; c <= c1; ++c) {
            const double yb = c == c1 ? y1 : y0 + slope * (double(c + 1) - x0);
            int lo = int(ya), hi = int(yb);
            if (lo > hi) std::swap(lo, hi);
            ya = yb;
            lo = std::clamp(lo, 0, h - 1);
            hi = std::clamp(hi, 0, h - 1);
            std::int32_t* top = sums.data() + 2 * (std::size_t(lo) * stride + std::size_t(c));
            std::int32_t* below = sums.data() + 2 * (std::size_t(hi + 1) * stride + std::size_t(c));
            top[0] += n;
            top[1] += s;
            below[0] -= n;
            below[1] -= s;
        }
    };
    auto included = [subset](const Line& l) {
        return subset == Subset::All || (subset == Subset::Highlighted) == l.highlighted;
    };
    indexLevels();
    const std::size_t axes = levels_.size();
    std::vector<std::int32_t> shadeOf(lines_.size());
    for (std::size_t i = 0; i < lines_.size(); ++i)
        shadeOf[i] = std::int32_t(std::lround(std::clamp(lines_[i].shade, 0.0, 1.0) * kShadeScale));
    std::vector<std::int32_t> pairCount, pairShade;
    for (std::size_t a = 0; a + 1 < axes && a + 1 < px.size(); ++a) {
        const std::size_t left = levels_[a].size(), right = levels_[a + 1].size();
        if (left > 0 && right > 0) {
            pairCount.assign(left * right, 0);
            pairShade.assign(left * right, 0);
            for (std::size_t i = from; i < lines_.size(); ++i) {
                const std::uint8_t l0 = levelOf_[i * axes + a], l1 = levelOf_[i * axes + a + 1];
                if (l0 == kNoLevel || l1 == kNoLevel || !included(lines_[i])) continue;
                ++pairCount[l0 * right + l1];
                pairShade[l0 * right + l1] += shadeOf[i];
            }
            for (std::size_t p = 0; p < pairCount.size(); ++p)
                if (pairCount[p] > 0)
                    walk(a, levels_[a][p / right], levels_[a + 1][p % right], pairCount[p], pairShade[p]);
            continue;
        }
        for (std::size_t i = from; i < lines_.size(); ++i) {
            const Line& l = lines_[i];
            if (a + 1 >= l.values.size() || !included(l)) continue;
            const double v0 = l.values[a], v1 = l.values[a + 1];
            if (!std::isnan(v0) && !std::isnan(v1)) walk(a, v0, v1, 1, shadeOf[i]);
        }
    }
    for (int r = 1; r < h; ++r) {
        std::int32_t* row = sums.data() + 2 * std::size_t(r) * stride;
        const std::int32_t* above = row - 2 * stride;
        for (std::size_t i = 0; i < 2 * stride; ++i)
            row[i] += above[i];
    }
}

// Many lines: one image instead of a QPainter polyline per line, each pixel painted in the mean shade's
// colour of the highlighted lines crossing it, more opaque where more cross, over a grey layer of the faded
// ones. Kept until the lines, their highlights or the geometry change.
void PolylineCloud::drawRaster(QCPPainter* painter) {
    const Geometry g = geometry();
    if (g.area.isEmpty() || lines_.empty()) return;
    const bool sameLines =
        imageValuesVersion_ == valuesVersion_ && imageHighlightVersion_ == highlightVersion_;
    if (!image_.isNull() && imageGeometry_ == g && sameLines) {
        painter->drawImage(g.area.topLeft(), image_);
        return;
    }
    // Resizing with many lines: the same lines stretched to the new area now (the axes' ranges are fixed, so
    // each line lands where it belongs, only blurred), rasterised again once the size has rested. Not for
    // exports (pmNoCaching): they get real pixels at their size.
    if (!image_.isNull() && sameLines && !forceRaster_ && lines_.size() >= deferAbove_ &&
        !painter->modes().testFlag(QCPPainter::pmNoCaching)) {
        painter->save();
        painter->setRenderHint(QPainter::SmoothPixmapTransform, false); // a frame: nearest pixels suffice
        painter->drawImage(QRectF(g.area), image_);
        painter->restore();
        ++stretchedFrames_;
        deferTimer_.start();
        return;
    }
    if (!painter->modes().testFlag(QCPPainter::pmNoCaching)) { // an export leaves a deferred raster due
        forceRaster_ = false;
        deferTimer_.stop();
    }
    const int w = g.area.width(), h = g.area.height();
    if (!sumsValid_ || !(sumsGeometry_ == g)) {
        accumulate(g, Subset::All, allSums_);
        sumsValid_ = true;
        summed_ = lines_.size();
        sumsGeometry_ = g;
        ++fullRasters_;
    } else if (summed_ < lines_.size()) {
        // Lines appended (a generation of a live search): only they are walked, and added to the sums.
        std::vector<std::int32_t> more;
        accumulate(g, Subset::All, more, summed_);
        for (std::size_t i = 0; i < more.size(); ++i)
            allSums_[i] += more[i];
        summed_ = lines_.size();
        ++appendRasters_;
    }
    // The highlighted sums and the faded counts: every line's sums when all are highlighted, else the smaller
    // subset rasterised and the other one by subtraction from every line's.
    const std::size_t total = lines_.size(), highlighted = highlightedCount_;
    std::vector<std::int32_t> sub;
    enum { None, OnlyHighlighted, OnlyFaded } mode = None;
    if (highlighted < total) {
        mode = highlighted <= total - highlighted ? OnlyHighlighted : OnlyFaded;
        accumulate(g, mode == OnlyHighlighted ? Subset::Highlighted : Subset::Faded, sub);
        ++partialRasters_;
    }
    image_ = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
    image_.fill(Qt::transparent);
    const QColor grey(0xb8, 0xbe, 0xc6);
    constexpr int kShades = 64;
    QRgb palette[kShades];
    for (int i = 0; i < kShades; ++i) {
        const QColor c = shadeColour(i / double(kShades - 1));
        palette[i] = qRgb(c.red(), c.green(), c.blue());
    }
    QRgb greys[16]; // by faded count, 1..16 and more
    for (int f = 1; f <= 16; ++f)
        greys[f - 1] = qPremultiply(
            qRgba(grey.red(), grey.green(), grey.blue(), int(255 * std::min(0.6, 0.1 + 0.04 * f))));
    const std::size_t stride = std::size_t(w);
    for (int r = 0; r < h; ++r) {
        auto* pixel = reinterpret_cast<QRgb*>(image_.scanLine(r));
        const std::size_t row = std::size_t(r) * stride;
        for (int c = 0; c < w; ++c) {
            const std::size_t i = row + std::size_t(c);
            std::int32_t n = allSums_[2 * i], sum = allSums_[2 * i + 1], f = 0;
            if (mode == OnlyHighlighted) {
                f = n - sub[2 * i];
                n = sub[2 * i];
                sum = sub[2 * i + 1];
            } else if (mode == OnlyFaded) {
                f = sub[2 * i];
                n -= sub[2 * i];
                sum -= sub[2 * i + 1];
            }
            if (n > 0) {
                const int index =
                    std::clamp(int((std::int64_t(sum) * (kShades - 1) + std::int64_t(n) * kShadeScale / 2) /
                                   (std::int64_t(n) * kShadeScale)),
                               0, kShades - 1);
                const QRgb rgb = palette[index];
                const int alpha = int(255 * std::min(1.0, 0.3 + 0.12 * n));
                pixel[c] = qPremultiply(qRgba(qRed(rgb), qGreen(rgb), qBlue(rgb), alpha));
            } else if (f > 0) {
                pixel[c] = greys[std::min(f, 16) - 1];
            }
        }
    }
    imageGeometry_ = g;
    imageValuesVersion_ = valuesVersion_;
    imageHighlightVersion_ = highlightVersion_;
    painter->drawImage(g.area.topLeft(), image_);
}

void PolylineCloud::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const {
    painter->setPen(QPen(shadeColour(0.2), 1.5));
    painter->drawLine(QLineF(rect.left(), rect.bottom(), rect.right(), rect.top()));
}

} // namespace automoe::ui
