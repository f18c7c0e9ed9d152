#include "ui/figure/ArchitectureFigure.h"

#include "util/Format.h"

#include <QAbstractTextDocumentLayout>
#include <QCoreApplication>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPainter>
#include <QPainterPath>
#include <QStringList>
#include <QTextDocument>
#include <algorithm>
#include <cmath>

namespace automoe::ui {

namespace {

// Geometry in logical pixels at scale 1.
constexpr double kMargin = 26;
constexpr double kBlockWidth = 412;
constexpr double kGap = 104; // between the stacks, where the cross-attention links run
constexpr double kPad = 9;   // inside a layer block
constexpr double kLine = 17; // one text line inside a block
constexpr double kLineGap = 4;
constexpr double kAttentionWidth = 182;
constexpr double kBarHeight = 9;
constexpr double kBarGap = 4;
constexpr double kRowGap = 8;
constexpr double kHeaderHeight = 24;
constexpr double kEmbeddingHeight = 24;
constexpr double kHeadLabelWidth = 40;
constexpr double kHeadInfoWidth = 50;
constexpr double kRouterSpan = 28; // router diamond and its fan-out, left of the bars
constexpr double kWidthLabel = 40; // expert width numbers, right of the bars

const QString kDot = QStringLiteral(" \u00B7 ");
const QChar kTimes(0x00D7);
const QChar kEnDash(0x2013);

QString si(double v) {
    return QString::fromStdString(formatSI(v));
}
QString params(double v) {
    return QCoreApplication::translate("ArchitectureFigure", "%1 params").arg(si(v));
}
QString flops(double v) {
    const QString n = si(v);
    return n.back().isDigit() ? n + QStringLiteral(" FLOPs") : n + QStringLiteral("FLOPs");
}

struct Span {
    QString text;
    bool bold = false;
};

// Draws spans one after another on a base line, left to right; returns the x after the last one.
double drawSpans(QPainter& p, QPointF origin, const std::vector<Span>& spans, const QFont& regular,
                 const QFont& bold, const QColor& colour, const QColor& boldColour) {
    double x = origin.x();
    for (const Span& s : spans) {
        const QFont& f = s.bold ? bold : regular;
        p.setFont(f);
        p.setPen(s.bold ? boldColour : colour);
        p.drawText(QPointF(x, origin.y()), s.text);
        x += QFontMetricsF(f).horizontalAdvance(s.text);
    }
    return x;
}

// The baseline that vertically centres text of font `f` in `r`.
double baseline(const QRectF& r, const QFont& f) {
    const QFontMetricsF fm(f);
    return r.center().y() + (fm.ascent() - fm.descent()) / 2.0;
}

// The supernet a diff's sides share: `base` (the space's, when known) widened to both architectures, so both
// sides have the same expert slots and bar scale, and as many rows as the deeper of the two (layers neither
// has are left out: a diff is about what differs).
SupernetDims unionDims(const std::optional<SupernetDims>& base, const Architecture& a,
                       const Architecture& b) {
    SupernetDims d = base.value_or(SupernetDims{});
    d.encoderLayers = d.decoderLayers = 0;
    for (const Architecture* x : {&a, &b}) {
        d.encoderLayers = std::max(d.encoderLayers, x->encoder.depth());
        d.decoderLayers = std::max(d.decoderLayers, x->decoder.depth());
        for (const LayerGene& l : x->encoder.layers) {
            d.encoderExperts = std::max(d.encoderExperts, l.experts());
            d.encoderFfnDim = std::max(d.encoderFfnDim, l.maxWidth());
        }
        for (const LayerGene& l : x->decoder.layers) {
            d.decoderExperts = std::max(d.decoderExperts, l.experts());
            d.decoderFfnDim = std::max(d.decoderFfnDim, l.maxWidth());
        }
    }
    return d;
}

QString fieldLabel(const std::string& field) {
    static const std::pair<const char*, const char*> labels[] = {
        {"qkv_dim", QT_TRANSLATE_NOOP("ArchitectureFigure", "qkv_dim")},
        {"embed_dim", QT_TRANSLATE_NOOP("ArchitectureFigure", "d_model")},
        {"layers", QT_TRANSLATE_NOOP("ArchitectureFigure", "layers")},
        {"present", QT_TRANSLATE_NOOP("ArchitectureFigure", "present")},
        {"self_heads", QT_TRANSLATE_NOOP("ArchitectureFigure", "self-attention heads")},
        {"ende_heads", QT_TRANSLATE_NOOP("ArchitectureFigure", "cross-attention heads")},
        {"ende_layers", QT_TRANSLATE_NOOP("ArchitectureFigure", "encoder layers attended")},
        {"experts", QT_TRANSLATE_NOOP("ArchitectureFigure", "experts")},
        {"expert_widths", QT_TRANSLATE_NOOP("ArchitectureFigure", "expert widths")},
        {"top_k", QT_TRANSLATE_NOOP("ArchitectureFigure", "top-k")},
    };
    for (const auto& [name, label] : labels)
        if (field == name) return QCoreApplication::translate("ArchitectureFigure", label);
    return QString::fromStdString(field);
}

// "experts 4 → 1", "only in A".
QString differenceItem(const FieldDifference& d) {
    if (d.field == "present")
        return QCoreApplication::translate("ArchitectureFigure", "only in %1")
            .arg(!d.a.empty() && d.a.front() ? QStringLiteral("A") : QStringLiteral("B"));
    auto value = [&d](const std::vector<int>& v) {
        QStringList parts;
        for (int x : v)
            parts << QString::number(x);
        return parts.isEmpty() ? QStringLiteral("–") : parts.join(QLatin1Char('/'));
    };
    return QStringLiteral("%1 %2 \u2192 %3").arg(fieldLabel(d.field), value(d.a), value(d.b));
}

QString signedSi(double v) {
    const QString n = si(std::abs(v));
    return (v > 0 ? QStringLiteral("+") : v < 0 ? QStringLiteral("\u2212") : QString()) + n;
}

QString signedPercent(double v) {
    const QString sign = v > 0 ? QStringLiteral("+") : v < 0 ? QStringLiteral("\u2212") : QString();
    return sign + QStringLiteral("%1 %").arg(std::abs(v), 0, 'f', 1);
}

// "B − A:  Params (HAT) −3.10 M (−12.4 %) · Active params … · FLOPs (HAT) … · Latency (ms) +0.40 ms": the
// deltas bold.
std::vector<Span> deltaSpans(const ArchitectureDiff& diff) {
    std::vector<Span> spans{
        {QCoreApplication::translate("ArchitectureFigure", "B \u2212 A:") + QStringLiteral("  "), true}};
    const std::vector<CostComparison> costs = diff.costs();
    for (std::size_t i = 0; i < costs.size(); ++i) {
        const CostComparison& c = costs[i];
        const double d = c.delta();
        QString value;
        if (c.name == "latency_ms") {
            const QString sign = d > 0 ? QStringLiteral("+") : d < 0 ? QStringLiteral("\u2212") : QString();
            value = sign + QStringLiteral("%1 ms").arg(std::abs(d), 0, 'f', 2);
        } else {
            value = signedSi(d);
        }
        QString label = QString::fromStdString(c.label);
        if (c.name == "latency_ms") label = QCoreApplication::translate("ArchitectureFigure", "Latency");
        spans.push_back({(i ? kDot : QString()) + label + QLatin1Char(' '), false});
        spans.push_back({value, true});
        if (const std::optional<double> rel = c.relative())
            spans.push_back({QStringLiteral(" (%1)").arg(signedPercent(*rel)), false});
    }
    return spans;
}

} // namespace

ArchitectureFigure::ArchitectureFigure()
    : fontFamily_(QGuiApplication::font().family()) {
    relayout();
}

void ArchitectureFigure::setArchitecture(const Architecture& arch, const QString& title,
                                         const QString& subtitle) {
    arch_ = arch;
    cost_ = CostModel::evaluate(arch);
    hasArchitecture_ = true;
    isDarts_ = false;
    sides_.clear();
    diff_.reset();
    darts_.setArchitecture(DartsArchitecture());
    title_ = title;
    subtitle_ = subtitle;
    relayout();
}

void ArchitectureFigure::setDartsArchitecture(const DartsArchitecture& arch, const QString& title,
                                              const QString& subtitle) {
    arch_ = Architecture();
    cost_ = ArchitectureCost();
    sides_.clear();
    diff_.reset();
    darts_.setArchitecture(arch);
    hasArchitecture_ = true;
    isDarts_ = true;
    title_ = title;
    subtitle_ = subtitle;
    relayout();
}

void ArchitectureFigure::setDiff(const Architecture& a, const Architecture& b, const QString& title,
                                 const DiffSide& sideA, const DiffSide& sideB) {
    arch_ = a;
    cost_ = CostModel::evaluate(a);
    hasArchitecture_ = true;
    isDarts_ = false;
    darts_.setArchitecture(DartsArchitecture());
    diffB_ = b;
    diffSides_[0] = sideA;
    diffSides_[1] = sideB;
    title_ = title;
    rebuildDiffSides();
    relayout();
}

void ArchitectureFigure::rebuildDiffSides() {
    diff_ = diffArchitectures(arch_, diffB_, CostOptions{}, diffSides_[0].latencyMs, diffSides_[1].latencyMs);
    const SupernetDims dims = unionDims(supernet_, arch_, diffB_);
    sides_.assign(2, ArchitectureFigure());
    for (int i = 0; i < 2; ++i) {
        ArchitectureFigure& f = sides_[std::size_t(i)];
        f.palette_ = palette_;
        f.fontFamily_ = fontFamily_;
        f.showLegend_ = false;
        f.supernet_ = dims;
        f.setArchitecture(i == 0 ? arch_ : diffB_, diffSides_[i].title, diffSides_[i].subtitle);
        f.diff_ = diff_;
        f.diffSide_ = i;
    }
    const int layers = int(diff_->layers.size());
    subtitle_ = diff_->identical()
                    ? tr("The same architecture (equal canonical forms): nothing differs")
                    : tr("%1 differences in %2 layers, highlighted on both sides; both at one scale")
                          .arg(diff_->differences.size())
                          .arg(layers);
}

void ArchitectureFigure::clear() {
    arch_ = Architecture();
    cost_ = ArchitectureCost();
    sides_.clear();
    diff_.reset();
    hasArchitecture_ = false;
    isDarts_ = false;
    darts_.setArchitecture(DartsArchitecture());
    title_.clear();
    subtitle_.clear();
    relayout();
}

void ArchitectureFigure::setSupernet(const std::optional<SupernetDims>& supernet) {
    supernet_ = supernet;
    if (isDiff()) rebuildDiffSides();
    relayout();
}

void ArchitectureFigure::setFontFamily(const QString& family) {
    fontFamily_ = family;
    if (isDiff()) rebuildDiffSides();
    relayout();
}

QFont ArchitectureFigure::font(double pixelSize, bool bold) const {
    QFont f(fontFamily_);
    f.setPixelSize(static_cast<int>(std::lround(pixelSize)));
    f.setBold(bold);
    // Unhinted glyphs keep their proportions at every scale, so text fits its box on screen and in exports.
    f.setHintingPreference(QFont::PreferNoHinting);
    f.setStyleStrategy(QFont::PreferAntialias);
    return f;
}

int ArchitectureFigure::rowCount(Stack stack) const {
    int rows = arch_.stack(stack).depth();
    if (supernet_)
        rows = std::max(rows, stack == Stack::Encoder ? supernet_->encoderLayers : supernet_->decoderLayers);
    return std::max(rows, hasArchitecture_ ? 1 : 0);
}

int ArchitectureFigure::slotCount() const {
    int slotTotal = 1;
    for (const StackGene* s : {&arch_.encoder, &arch_.decoder})
        for (const LayerGene& l : s->layers)
            slotTotal = std::max(slotTotal, l.experts());
    if (supernet_) slotTotal = std::max({slotTotal, supernet_->encoderExperts, supernet_->decoderExperts});
    return slotTotal;
}

int ArchitectureFigure::scaleWidth(Stack stack) const {
    int widest = 1;
    for (const LayerGene& l : arch_.stack(stack).layers)
        widest = std::max(widest, l.maxWidth());
    if (supernet_)
        widest =
            std::max(widest, stack == Stack::Encoder ? supernet_->encoderFfnDim : supernet_->decoderFfnDim);
    return widest;
}

void ArchitectureFigure::relayout() {
    if (isDarts_) {
        relayoutDarts();
        return;
    }
    if (isDiff()) {
        relayoutDiff();
        return;
    }
    const double width = 2 * kMargin + 2 * kBlockWidth + kGap;
    const double encoderX = kMargin;
    const double decoderX = kMargin + kBlockWidth + kGap;
    double y = kMargin;
    titleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 24);
    y += 24;
    subtitleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 18);
    y += 18 + 18;
    encoderHeader_ = QRectF(encoderX, y, kBlockWidth, kHeaderHeight);
    decoderHeader_ = QRectF(decoderX, y, kBlockWidth, kHeaderHeight);
    y += kHeaderHeight + 12;

    const double attentionHeight = 3 * kLine + 2 * kLineGap;
    const double ffnHeight = kLine + kLineGap + slotCount() * (kBarHeight + kBarGap) - kBarGap + 1;
    const double rowHeight = 2 * kPad + std::max(attentionHeight, ffnHeight);
    const int rows = std::max(rowCount(Stack::Encoder), rowCount(Stack::Decoder));
    layoutStack(Stack::Encoder, encoderX, y, rows, rowHeight, kRowGap);
    layoutStack(Stack::Decoder, decoderX, y, rows, rowHeight, kRowGap);
    y += rows * rowHeight + std::max(0, rows - 1) * kRowGap + 10;

    encoderEmbedding_ = QRectF(encoderX, y, kBlockWidth, kEmbeddingHeight);
    decoderEmbedding_ = QRectF(decoderX, y, kBlockWidth, kEmbeddingHeight);
    y += kEmbeddingHeight + 20;

    captionRect_ = QRectF(kMargin, y, width - 2 * kMargin, 20);
    y += 20 + 4;
    if (showLegend_) {
        const QFontMetricsF small(font(11));
        const QRectF legend = small.boundingRect(QRectF(0, 0, width - 2 * kMargin, 1000),
                                                 Qt::TextWordWrap | Qt::AlignLeft, legendLine());
        legendRect_ = QRectF(kMargin, y, width - 2 * kMargin, legend.height() + 2);
    } else {
        legendRect_ = QRectF(kMargin, y, width - 2 * kMargin, 0);
    }
    y += legendRect_.height() + kMargin;
    size_ = QSizeF(width, y);
}

void ArchitectureFigure::relayoutDiff() {
    const double width = sides_[0].size().width() + sides_[1].size().width();
    double y = kMargin;
    titleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 24);
    y += 24;
    subtitleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 18);
    y += 18;
    sidesTop_ = y;
    y += std::max(sides_[0].size().height(), sides_[1].size().height());
    deltaRect_ = QRectF(kMargin, y, width - 2 * kMargin, 22);
    y += 22 + 6;
    const QFontMetricsF regular(font(12.5));
    const QRectF differences = regular.boundingRect(QRectF(0, 0, width - 2 * kMargin, 1000),
                                                    Qt::TextWordWrap | Qt::AlignLeft, differencesText());
    differencesRect_ = QRectF(kMargin, y, width - 2 * kMargin, differences.height() + 2);
    y += differencesRect_.height() + 10;
    const QFontMetricsF small(font(11));
    const QRectF legend = small.boundingRect(QRectF(0, 0, width - 2 * kMargin, 1000),
                                             Qt::TextWordWrap | Qt::AlignLeft, legendLine());
    legendRect_ = QRectF(kMargin, y, width - 2 * kMargin, legend.height() + 2);
    y += legendRect_.height() + kMargin;
    captionRect_ = QRectF();
    size_ = QSizeF(width, y);
}

QPointF ArchitectureFigure::sideOffset(int i) const {
    return QPointF(i == 0 ? 0.0 : sides_[0].size().width(), sidesTop_);
}

QString ArchitectureFigure::differencesText() const {
    if (!diff_ || diff_->identical()) return tr("A and B are the same architecture: nothing is highlighted.");
    // Grouped by place: "decoder layer 2: experts 4 → 1, expert widths 3072/2048/1024/1024 → 3072".
    QStringList groups;
    std::string place;
    QStringList items;
    auto flush = [&] {
        if (!items.isEmpty())
            groups << QStringLiteral("%1: %2").arg(QString::fromStdString(place),
                                                   items.join(QStringLiteral(", ")));
        items.clear();
    };
    for (const FieldDifference& d : diff_->differences) {
        if (d.place() != place) {
            flush();
            place = d.place();
        }
        items << differenceItem(d);
    }
    flush();
    return tr("What differs (A \u2192 B): %1").arg(groups.join(QStringLiteral("; ")));
}

QString ArchitectureFigure::deltaLine() const {
    if (!diff_) return {};
    QString line;
    for (const Span& span : deltaSpans(*diff_))
        line += span.text;
    return line.trimmed();
}

void ArchitectureFigure::layoutStack(Stack stack, double x, double top, int rows, double rowHeight,
                                     double gap) {
    std::vector<LayerBox>& boxes = stack == Stack::Encoder ? encoderBoxes_ : decoderBoxes_;
    boxes.clear();
    const StackGene& gene = arch_.stack(stack);
    const int slotTotal = slotCount();
    const int layers = rowCount(stack);
    for (int i = 0; i < layers; ++i) {
        LayerBox b;
        b.stack = stack;
        b.index = i;
        b.active = i < gene.depth();
        // Layer 1 at the bottom, as in the Transformer paper's figure: data flows upwards.
        const double rowTop = top + (rows - 1 - i) * (rowHeight + gap);
        b.rect = QRectF(x, rowTop, kBlockWidth, rowHeight);
        const QRectF in = b.rect.adjusted(kPad, kPad, -kPad, -kPad);
        b.header = QRectF(in.left(), in.top(), kAttentionWidth, kLine);
        b.selfRow = QRectF(in.left(), in.top() + kLine + kLineGap, kAttentionWidth, kLine);
        b.crossRow = QRectF(in.left(), in.top() + 2 * (kLine + kLineGap), kAttentionWidth, kLine);
        const double ffnLeft = in.left() + kAttentionWidth + 18;
        b.ffnHeader = QRectF(ffnLeft, in.top(), in.right() - ffnLeft, kLine);
        const double barsTop = in.top() + kLine + kLineGap + 1;
        b.ffn = QRectF(ffnLeft, barsTop, in.right() - ffnLeft, slotTotal * (kBarHeight + kBarGap) - kBarGap);
        const int used = b.active ? gene.layers[static_cast<std::size_t>(i)].experts() : 0;
        const double usedHeight = std::max(1, used) * (kBarHeight + kBarGap) - kBarGap;
        b.router = QPointF(ffnLeft + 6, barsTop + usedHeight / 2);
        const double trackLeft = ffnLeft + kRouterSpan;
        const double trackRight = in.right() - kWidthLabel;
        const int scale = scaleWidth(stack);
        for (int s = 0; s < slotTotal; ++s) {
            ExpertBox e;
            e.slot = s;
            const double by = barsTop + s * (kBarHeight + kBarGap);
            e.track = QRectF(trackLeft, by, trackRight - trackLeft, kBarHeight);
            if (s < used) {
                e.width = gene.layers[static_cast<std::size_t>(i)].expertWidths[static_cast<std::size_t>(s)];
                const double len = std::max(3.0, e.track.width() * e.width / scale);
                e.bar = QRectF(trackLeft, by, len, kBarHeight);
            }
            e.label = QRectF(trackRight + 6, by - 3, kWidthLabel - 6, kBarHeight + 6);
            b.experts.push_back(e);
        }
        boxes.push_back(std::move(b));
    }
}

QTransform ArchitectureFigure::fitTransform(const QRectF& target, double maxScale) const {
    if (size_.isEmpty()) return {};
    const double s = std::min({target.width() / size_.width(), target.height() / size_.height(), maxScale});
    const double dx = target.left() + (target.width() - size_.width() * s) / 2;
    const double dy = target.top() + (target.height() - size_.height() * s) / 2;
    return QTransform(s, 0, 0, s, dx, dy);
}

void ArchitectureFigure::paint(QPainter& p, const QTransform& transform) const {
    p.save();
    p.setTransform(transform, true);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.fillRect(QRectF(QPointF(0, 0), size_), palette_.paper);
    if (hasArchitecture_) {
        p.setFont(font(18, true));
        p.setPen(palette_.text);
        p.drawText(titleRect_, Qt::AlignLeft | Qt::AlignVCenter, title_);
        paintSubtitle(p);
    }
    if (hasArchitecture_ && isDarts_) {
        darts_.paint(p, palette_, [this](double px, bool bold) { return font(px, bold); });
        paintDartsCaption(p);
    } else if (isDiff()) {
        paintDiff(p);
    } else if (hasArchitecture_) {
        paintCrossLinks(p);
        paintStack(p, Stack::Encoder);
        paintStack(p, Stack::Decoder);
        paintCaption(p);
        paintHighlights(p);
    }
    p.restore();
}

void ArchitectureFigure::paintDiff(QPainter& p) const {
    for (int i = 0; i < 2; ++i)
        sides_[std::size_t(i)].paint(p, QTransform::fromTranslate(sideOffset(i).x(), sideOffset(i).y()));
    // A thin rule between the sides.
    const double x = sideOffset(1).x();
    p.setPen(QPen(palette_.faint, 1));
    p.drawLine(QPointF(x, sidesTop_ + kMargin), QPointF(x, deltaRect_.top() - 8));

    const QFont regular = font(13.5);
    const QFont bold = font(13.5, true);
    const std::vector<Span> spans = deltaSpans(*diff_);
    drawSpans(p, QPointF(deltaRect_.left(), baseline(deltaRect_, bold)), spans, regular, bold, palette_.muted,
              palette_.text);
    p.setFont(font(12.5));
    p.setPen(palette_.text);
    p.drawText(differencesRect_, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, differencesText());
    p.setFont(font(11));
    p.setPen(palette_.muted);
    p.drawText(legendRect_, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, legendLine());
}

std::vector<ArchitectureFigure::Highlight> ArchitectureFigure::highlights() const {
    std::vector<Highlight> out;
    if (!hasArchitecture_ || isDarts_) return out;
    if (isDiff()) {
        for (int i = 0; i < 2; ++i)
            for (Highlight h : sides_[std::size_t(i)].highlights()) {
                h.what = (i == 0 ? QStringLiteral("A ") : QStringLiteral("B ")) + h.what;
                h.rect.translate(sideOffset(i));
                out.push_back(std::move(h));
            }
        return out;
    }
    if (!diff_) return out;
    const ArchitectureDiff& d = *diff_;
    if (d.qkvDimDiffers()) out.push_back({QStringLiteral("qkv_dim"), captionRect_, false});
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const QString name = QString::fromLatin1(stackName(s));
        if (d.embedDimDiffers(s) || d.depthDiffers(s))
            out.push_back({name + QStringLiteral(" header"), factsRect(s), false});
        if (d.embedDimDiffers(s))
            out.push_back(
                {name + QStringLiteral(" embedding"),
                 (s == Stack::Encoder ? encoderEmbedding_ : decoderEmbedding_).adjusted(1, 1, -1, -1),
                 false});
        for (const LayerBox& b : s == Stack::Encoder ? encoderBoxes_ : decoderBoxes_) {
            const LayerDiff* l = d.layer(s, b.index);
            if (!l) continue;
            const QString layer = QStringLiteral("%1 layer %2").arg(name).arg(b.index + 1);
            out.push_back({layer, b.rect, true});
            // A layer on one side only: its outline says it all.
            if (!b.active || l->has(kLayerPresent)) continue;
            const LayerGene& gene = arch_.stack(s).layers[std::size_t(b.index)];
            const QRectF row(b.selfRow.left() - 3, 0, b.selfRow.width() + 6, b.selfRow.height() + 2);
            if (l->has(kLayerSelfHeads))
                out.push_back(
                    {layer + QStringLiteral(" self_heads"), row.translated(0, b.selfRow.top() - 1), false});
            if (l->has(kLayerEndeHeads))
                out.push_back(
                    {layer + QStringLiteral(" ende_heads"), row.translated(0, b.crossRow.top() - 1), false});
            if (l->has(kLayerEndeLayers))
                out.push_back(
                    {layer + QStringLiteral(" ende_layers"), row.translated(0, b.crossRow.top() - 1), false});
            const double titleWidth = QFontMetricsF(font(11)).horizontalAdvance(ffnTitle(gene));
            const QRectF ffnTitleRect(b.ffnHeader.left() - 3, b.ffnHeader.top() - 1, titleWidth + 6,
                                      b.ffnHeader.height() + 2);
            if (l->has(kLayerExperts))
                out.push_back({layer + QStringLiteral(" experts"), ffnTitleRect, false});
            if (l->has(kLayerTopK)) out.push_back({layer + QStringLiteral(" top_k"), ffnTitleRect, false});
            for (int slot : l->expertSlots) {
                if (slot >= int(b.experts.size())) continue;
                const ExpertBox& e = b.experts[std::size_t(slot)];
                out.push_back({QStringLiteral("%1 slot %2").arg(layer).arg(slot + 1),
                               e.track.united(e.label).adjusted(-2, -1.5, 0, 1.5), false});
            }
        }
    }
    return out;
}

void ArchitectureFigure::paintHighlights(QPainter& p) const {
    std::vector<QRectF> marked;
    for (const Highlight& h : highlights()) {
        if (h.outline) {
            p.setPen(QPen(palette_.diffOutline, 2.2));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(h.rect.adjusted(-1.5, -1.5, 1.5, 1.5), 7, 7);
            continue;
        }
        // Two fields on one spot (experts and top-k) mark it once.
        if (std::find(marked.begin(), marked.end(), h.rect) != marked.end()) continue;
        marked.push_back(h.rect);
        p.setPen(Qt::NoPen);
        p.setBrush(palette_.diffMarker);
        p.drawRoundedRect(h.rect, 3, 3);
    }
}

void ArchitectureFigure::paintSubtitle(QPainter& p) const {
    // Rich text, for exponents such as 10<sup>17.6</sup>.
    QTextDocument doc;
    doc.setDocumentMargin(0);
    doc.setDefaultFont(font(12.5));
    doc.setDefaultStyleSheet(QStringLiteral("body { color: %1; }").arg(palette_.muted.name()));
    doc.setHtml(QStringLiteral("<body>%1</body>").arg(subtitle_));
    doc.setTextWidth(subtitleRect_.width());
    p.save();
    p.translate(subtitleRect_.left(), subtitleRect_.center().y() - doc.size().height() / 2);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette.setColor(QPalette::Text, palette_.muted);
    doc.documentLayout()->draw(&p, context);
    p.restore();
}

void ArchitectureFigure::paintStack(QPainter& p, Stack stack) const {
    const bool enc = stack == Stack::Encoder;
    const StackGene& gene = arch_.stack(stack);
    const QColor accent = enc ? palette_.encoderAccent : palette_.decoderAccent;
    const QRectF header = enc ? encoderHeader_ : decoderHeader_;

    const QFont headFont = font(15, true);
    p.setFont(headFont);
    p.setPen(accent);
    const QString name = enc ? tr("Encoder") : tr("Decoder");
    const double base = baseline(header.adjusted(0, 0, 0, -4), headFont);
    p.drawText(QPointF(header.left(), base), name);
    const QFont factsFont = font(12);
    p.setFont(factsFont);
    p.setPen(palette_.muted);
    p.drawText(QPointF(header.left() + QFontMetricsF(headFont).horizontalAdvance(name) + 12, base),
               factsText(stack));
    p.setPen(QPen(accent, 2));
    p.drawLine(QPointF(header.left(), header.bottom()), QPointF(header.right(), header.bottom()));

    for (const LayerBox& b : enc ? encoderBoxes_ : decoderBoxes_)
        paintLayer(p, b);

    const QRectF emb = enc ? encoderEmbedding_ : decoderEmbedding_;
    p.setPen(QPen(enc ? palette_.encoderBorder : palette_.decoderBorder, 1));
    p.setBrush(enc ? palette_.encoderFill : palette_.decoderFill);
    p.drawRoundedRect(emb, 5, 5);
    p.setFont(font(12));
    p.setPen(palette_.text);
    const QString embText = enc ? tr("Source embedding%1d %2").arg(kDot).arg(gene.embedDim)
                                : tr("Target embedding%1d %2").arg(kDot).arg(gene.embedDim);
    p.drawText(emb, Qt::AlignCenter, embText);
    // The flow from the embedding into the first layer.
    const std::vector<LayerBox>& boxes = enc ? encoderBoxes_ : decoderBoxes_;
    if (!boxes.empty()) {
        const double x = emb.center().x();
        p.setPen(QPen(palette_.faint, 1.4));
        p.drawLine(QPointF(x, emb.top()), QPointF(x, boxes.front().rect.bottom() + 1));
    }
}

QString ArchitectureFigure::factsText(Stack stack) const {
    const StackGene& gene = arch_.stack(stack);
    int moeLayers = 0;
    for (const LayerGene& l : gene.layers)
        moeLayers += l.experts() > 1 ? 1 : 0;
    return tr("d_model %1%2%3 layers%4%5 MoE")
        .arg(gene.embedDim)
        .arg(kDot)
        .arg(gene.depth())
        .arg(kDot)
        .arg(moeLayers);
}

QRectF ArchitectureFigure::factsRect(Stack stack) const {
    const QRectF header = stack == Stack::Encoder ? encoderHeader_ : decoderHeader_;
    const QString name = stack == Stack::Encoder ? tr("Encoder") : tr("Decoder");
    const double left = header.left() + QFontMetricsF(font(15, true)).horizontalAdvance(name) + 12;
    const double width = QFontMetricsF(font(12)).horizontalAdvance(factsText(stack));
    return QRectF(left - 3, header.top(), width + 6, header.height() - 4);
}

QString ArchitectureFigure::ffnTitle(const LayerGene& gene) const {
    if (gene.experts() > 1)
        return tr("MoE%1%2 experts%3top-%4")
            .arg(kDot)
            .arg(gene.experts())
            .arg(kDot)
            .arg(std::min(gene.topK, gene.experts()));
    return tr("Dense FFN");
}

void ArchitectureFigure::paintLayer(QPainter& p, const LayerBox& b) const {
    const bool enc = b.stack == Stack::Encoder;
    if (!b.active) {
        QPen pen(palette_.faint, 1, Qt::DashLine);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(b.rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        p.setFont(font(12));
        p.setPen(palette_.muted);
        p.drawText(b.rect, Qt::AlignCenter,
                   tr("Layer %1%2skipped (beyond depth %3)")
                       .arg(b.index + 1)
                       .arg(kDot)
                       .arg(arch_.stack(b.stack).depth()));
        return;
    }
    const LayerGene& gene = arch_.stack(b.stack).layers[static_cast<std::size_t>(b.index)];
    p.setPen(QPen(enc ? palette_.encoderBorder : palette_.decoderBorder, 1));
    p.setBrush(enc ? palette_.encoderFill : palette_.decoderFill);
    p.drawRoundedRect(b.rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);

    // Header: layer number and its parameters (all experts, non-embedding), from the cost model.
    const QFont bold = font(12.5, true);
    const QFont small = font(11);
    const double base = baseline(b.header, bold);
    p.setFont(bold);
    p.setPen(palette_.text);
    const QString name = tr("Layer %1").arg(b.index + 1);
    p.drawText(QPointF(b.header.left(), base), name);
    p.setFont(small);
    p.setPen(palette_.muted);
    const double layerParams = static_cast<double>(CostModel::layerParams(arch_, b.stack, b.index));
    p.drawText(QPointF(b.header.left() + QFontMetricsF(bold).horizontalAdvance(name) + 8, base),
               params(layerParams));

    paintHeads(p, b.selfRow, tr("self"), gene.selfHeads, palette_.selfHead);
    if (!enc) paintHeads(p, b.crossRow, tr("cross"), gene.endeHeads, palette_.crossHead);

    // The divider between attention and FFN.
    const double dx = b.ffn.left() - 9;
    p.setPen(QPen(enc ? palette_.encoderBorder : palette_.decoderBorder, 1));
    p.drawLine(QPointF(dx, b.rect.top() + kPad + 2), QPointF(dx, b.rect.bottom() - kPad - 2));

    p.setFont(small);
    p.setPen(palette_.muted);
    p.drawText(QPointF(b.ffnHeader.left(), baseline(b.ffnHeader, small)), ffnTitle(gene));
    paintExperts(p, b, gene);
}

void ArchitectureFigure::paintHeads(QPainter& p, const QRectF& row, const QString& label, int heads,
                                    const QColor& colour) const {
    const QFont small = font(11);
    p.setFont(small);
    p.setPen(palette_.muted);
    p.drawText(QPointF(row.left(), baseline(row, small)), label);
    if (heads <= 0) return;
    const QString info = QStringLiteral("%1 %2 %3").arg(heads).arg(kTimes).arg(arch_.qkvDim / heads);
    p.drawText(QRectF(row.right() - kHeadInfoWidth, row.top(), kHeadInfoWidth, row.height()),
               Qt::AlignRight | Qt::AlignVCenter, info);

    const double left = row.left() + kHeadLabelWidth;
    const double avail = row.width() - kHeadLabelWidth - kHeadInfoWidth - 6;
    const double gap = heads > 12 ? 2 : 3;
    const double glyph = std::clamp((avail + gap) / heads - gap, 2.0, 10.0);
    const double top = row.center().y() - glyph / 2;
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    for (int h = 0; h < heads; ++h)
        p.drawRoundedRect(QRectF(left + h * (glyph + gap), top, glyph, glyph), 2, 2);
}

void ArchitectureFigure::paintExperts(QPainter& p, const LayerBox& b, const LayerGene& gene) const {
    const int used = gene.experts();
    // Router: a diamond that fans out to the experts; a dense layer has a plain connection.
    if (used > 1) {
        p.setPen(QPen(palette_.muted, 1));
        for (const ExpertBox& e : b.experts) {
            if (!e.width) continue;
            QPainterPath fan(b.router + QPointF(5, 0));
            const QPointF end(e.track.left() - 1, e.track.center().y());
            fan.cubicTo(QPointF(b.router.x() + 14, b.router.y()), QPointF(end.x() - 8, end.y()), end);
            p.setBrush(Qt::NoBrush);
            p.drawPath(fan);
        }
        QPainterPath diamond;
        const QPointF c = b.router;
        diamond.moveTo(c + QPointF(0, -6));
        diamond.lineTo(c + QPointF(6, 0));
        diamond.lineTo(c + QPointF(0, 6));
        diamond.lineTo(c + QPointF(-6, 0));
        diamond.closeSubpath();
        p.setPen(Qt::NoPen);
        p.setBrush(palette_.router);
        p.drawPath(diamond);
    } else if (!b.experts.empty()) {
        p.setPen(QPen(palette_.muted, 1));
        const QRectF& t = b.experts.front().track;
        p.drawLine(QPointF(b.ffn.left(), t.center().y()), QPointF(t.left() - 1, t.center().y()));
    }

    p.setFont(font(10));
    for (const ExpertBox& e : b.experts) {
        if (!e.width) {
            // An expert slot the supernet has but this layer does not use.
            p.setPen(QPen(palette_.faint, 0.8, Qt::DotLine));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(e.track.adjusted(0.5, 0.5, -0.5, -0.5), 2, 2);
            continue;
        }
        p.setPen(Qt::NoPen);
        p.setBrush(palette_.track);
        p.drawRoundedRect(e.track, 2, 2);
        const QColor c = palette_.expert(e.slot);
        p.setPen(QPen(c.darker(125), 0.8));
        p.setBrush(c);
        p.drawRoundedRect(e.bar.adjusted(0.4, 0.4, -0.4, -0.4), 2, 2);
        p.setPen(palette_.text);
        p.drawText(e.label, Qt::AlignLeft | Qt::AlignVCenter, QString::number(e.width));
    }
}

void ArchitectureFigure::paintCrossLinks(QPainter& p) const {
    const int encoderDepth = arch_.encoder.depth();
    if (encoderDepth == 0) return;
    QColor link = palette_.crossLink;
    link.setAlphaF(0.55);
    for (const LayerBox& d : decoderBoxes_) {
        if (!d.active) continue;
        const LayerGene& gene = arch_.decoder.layers[static_cast<std::size_t>(d.index)];
        const int attended = arch_.attendedEncoderLayers(gene);
        // In a diff, the links of a decoder layer that attends to another number of encoder layers stand out.
        const LayerDiff* changed = diff_ ? diff_->layer(Stack::Decoder, d.index) : nullptr;
        const bool differs = changed && changed->has(kLayerEndeLayers);
        const QColor dot = differs ? palette_.diffOutline : palette_.crossLink;
        const QPointF start(d.rect.left(), d.crossRow.center().y());
        for (int e = encoderDepth - attended; e < encoderDepth; ++e) {
            const LayerBox& target = encoderBoxes_[static_cast<std::size_t>(e)];
            const QPointF end(target.rect.right(), target.rect.center().y());
            QPainterPath path(start);
            path.cubicTo(start - QPointF(kGap * 0.55, 0), end + QPointF(kGap * 0.55, 0), end);
            p.setPen(differs ? QPen(palette_.diffOutline, 2.2) : QPen(link, 1.4));
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
            p.setPen(Qt::NoPen);
            p.setBrush(dot);
            p.drawEllipse(end, 2.6, 2.6);
        }
        p.setPen(Qt::NoPen);
        p.setBrush(dot);
        p.drawEllipse(start, 2.6, 2.6);
    }
}

QString ArchitectureFigure::captionLine() const {
    return tr("%1 non-embedding, %2 active per token, %3 per sentence pair")
        .arg(params(static_cast<double>(cost_.paramsHat)), si(static_cast<double>(cost_.paramsActive)),
             flops(cost_.flopsHat));
}

QString ArchitectureFigure::legendLine() const {
    if (isDiff())
        return tr("Highlighted on both sides: what differs between A and B. A raspberry outline goes around "
                  "a layer "
                  "that differs (or exists on one side only), a yellow marker over the heads, expert count, "
                  "top-k, "
                  "expert widths, d_model or depth that differ; raspberry cross links: a decoder layer "
                  "attends "
                  "to another number of encoder layers. Layers are compared by index. ") +
               sides_[0].legendLine();
    const int scale = std::max(scaleWidth(Stack::Encoder), scaleWidth(Stack::Decoder));
    return tr("Bars are the experts of each layer's FFN: length proportional to the expert's width "
              "(grey track = widest choice, %1), colour = supernet slot. Squares are attention heads "
              "(heads %2 head size). Teal links: the encoder layers each decoder layer attends to. "
              "Dashed: skipped layers and unused expert slots. FLOPs for a 30-token source and "
              "target (HAT convention, uniform routing).")
        .arg(scale)
        .arg(kTimes);
}

void ArchitectureFigure::relayoutDarts() {
    // At least the AutoMoE figure's width; title and subtitle; DartsFigure's stacks; caption and legend.
    const double width = 2 * kMargin + darts_.width(2 * kBlockWidth + kGap);
    double y = kMargin;
    titleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 24);
    y += 24;
    subtitleRect_ = QRectF(kMargin, y, width - 2 * kMargin, 18);
    y += 18 + 18;
    y += darts_.layout(kMargin, y, width - 2 * kMargin) + 20;
    captionRect_ = QRectF(kMargin, y, width - 2 * kMargin, 20);
    y += 20 + 4;
    const QFontMetricsF small(font(11));
    const QRectF legend = small.boundingRect(QRectF(0, 0, width - 2 * kMargin, 1000),
                                             Qt::TextWordWrap | Qt::AlignLeft, DartsFigure::legendLine());
    legendRect_ = QRectF(kMargin, y, width - 2 * kMargin, legend.height() + 2);
    y += legendRect_.height() + kMargin;
    size_ = QSizeF(width, y);
}

void ArchitectureFigure::paintDartsCaption(QPainter& p) const {
    p.setFont(font(13));
    p.setPen(palette_.muted);
    p.drawText(captionRect_, Qt::AlignLeft | Qt::AlignVCenter, darts_.captionLine());
    p.setFont(font(11));
    p.drawText(legendRect_, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, DartsFigure::legendLine());
}

void ArchitectureFigure::paintCaption(QPainter& p) const {
    const QFont regular = font(13);
    const QFont bold = font(13, true);
    const double base = baseline(captionRect_, bold);
    std::vector<Span> spans{
        {tr("Params "), false},
        {si(static_cast<double>(cost_.paramsHat)), true},
        {tr(" non-embedding (HAT)") + kDot, false},
        {si(static_cast<double>(cost_.paramsActive)), true},
        {tr(" active per token") + kDot, false},
        {flops(cost_.flopsHat), true},
        {tr(" per sentence pair") + kDot + tr("qkv_dim "), false},
        {QString::number(arch_.qkvDim), true},
    };
    drawSpans(p, QPointF(captionRect_.left(), base), spans, regular, bold, palette_.muted, palette_.text);
    if (!showLegend_) return;
    p.setFont(font(11));
    p.setPen(palette_.muted);
    p.drawText(legendRect_, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, legendLine());
}

QString ArchitectureFigure::layerToolTip(const LayerBox& b) const {
    const QString stack = b.stack == Stack::Encoder ? tr("Encoder") : tr("Decoder");
    if (!b.active) {
        const QString skipped = tr("%1 layer %2 is skipped: this architecture has %3 layers.")
                                    .arg(stack)
                                    .arg(b.index + 1)
                                    .arg(arch_.stack(b.stack).depth());
        const QString differs = layerDiffText(b.stack, b.index);
        return differs.isEmpty() ? skipped : skipped + QStringLiteral("<br>") + differs;
    }
    const LayerGene& g = arch_.stack(b.stack).layers[static_cast<std::size_t>(b.index)];
    QStringList widths;
    for (int w : g.expertWidths)
        widths << QString::number(w);
    QStringList lines;
    lines << tr("<b>%1 layer %2</b> %3 %4")
                 .arg(stack)
                 .arg(b.index + 1)
                 .arg(kDot)
                 .arg(params(static_cast<double>(CostModel::layerParams(arch_, b.stack, b.index))));
    lines << tr("Self-attention: %1 heads of size %2").arg(g.selfHeads).arg(arch_.qkvDim / g.selfHeads);
    if (b.stack == Stack::Decoder) {
        const int attended = arch_.attendedEncoderLayers(g);
        const int depth = arch_.encoder.depth();
        const QString which =
            attended == 1 ? tr("encoder layer %1").arg(depth)
                          : tr("encoder layers %1%2%3").arg(depth - attended + 1).arg(kEnDash).arg(depth);
        lines << tr("Cross-attention: %1 heads over %2 (gene %3)")
                     .arg(g.endeHeads)
                     .arg(which)
                     .arg(g.arbitraryEnde);
    }
    if (g.experts() > 1)
        lines << tr("MoE: %1 experts of widths %2, top-%3 routing")
                     .arg(g.experts())
                     .arg(widths.join(QStringLiteral(", ")))
                     .arg(std::min(g.topK, g.experts()));
    else
        lines << tr("Dense FFN of width %1").arg(widths.join(QString()));
    const QString differs = layerDiffText(b.stack, b.index);
    if (!differs.isEmpty()) lines << differs;
    return lines.join(QStringLiteral("<br>"));
}

QString ArchitectureFigure::layerDiffText(Stack stack, int index) const {
    if (!diff_) return {};
    QStringList items;
    for (const FieldDifference& d : diff_->differences)
        if (d.stack == stack && d.layer == index) items << differenceItem(d);
    if (items.isEmpty()) return {};
    return tr("<i>Differs (A \u2192 B): %1</i>").arg(items.join(QStringLiteral(", ")));
}

QString ArchitectureFigure::toolTipAt(const QPointF& pt) const {
    if (!hasArchitecture_) return {};
    if (isDarts_) return darts_.toolTipAt(pt);
    if (isDiff()) {
        for (int i = 0; i < 2; ++i) {
            const QPointF local = pt - sideOffset(i);
            if (QRectF(QPointF(0, 0), sides_[std::size_t(i)].size()).contains(local))
                return sides_[std::size_t(i)].toolTipAt(local);
        }
        if (deltaRect_.united(differencesRect_).contains(pt))
            return tr("Costs from the cost model (30-token source and target, uniform routing): %1")
                .arg(deltaLine());
        return {};
    }
    for (const auto* boxes : {&encoderBoxes_, &decoderBoxes_}) {
        for (const LayerBox& b : *boxes) {
            if (!b.rect.contains(pt)) continue;
            if (b.active) {
                const int embed = arch_.stack(b.stack).embedDim;
                for (const ExpertBox& e : b.experts) {
                    if (!e.width || !e.track.adjusted(0, -1, kWidthLabel, 1).contains(pt)) continue;
                    return tr("<b>Expert %1</b> (supernet slot %1) %2 FFN width %3 of %4 %2 %5")
                        .arg(e.slot + 1)
                        .arg(kDot)
                        .arg(e.width)
                        .arg(scaleWidth(b.stack))
                        .arg(params(static_cast<double>(CostModel::ffnParams(embed, e.width))));
                }
            }
            return layerToolTip(b);
        }
    }
    if (captionRect_.united(legendRect_).contains(pt))
        return tr("Parameters and FLOPs from the cost model: %1.").arg(captionLine());
    return {};
}

} // namespace automoe::ui
