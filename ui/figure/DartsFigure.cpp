#include "ui/figure/DartsFigure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace automoe::ui {

namespace {

// Geometry in logical pixels at scale 1 (ArchitectureFigure's scale).
constexpr double kGap = 104; // between the stacks, where the encoder-decoder links run
constexpr double kHeaderHeight = 24;
constexpr double kInputHeight = 24;
constexpr double kRowHeight = 46;
constexpr double kRowGap = 8;
constexpr double kPad = 9;
constexpr double kLayerLabel = 62;
constexpr double kArrow = 16; // between two chips
constexpr double kChipHeight = 28;
constexpr double kMinChipWidth = 150; // "Enc-dec attention" and "fixed" at 11.5 and 10 px

const QString kDot = QStringLiteral(" \u00B7 ");

double baseline(const QRectF& r, const QFont& f) {
    const QFontMetricsF fm(f);
    return r.center().y() + (fm.ascent() - fm.descent()) / 2.0;
}

} // namespace

void DartsFigure::setArchitecture(const DartsArchitecture& arch) {
    arch_ = arch;
}

QString DartsFigure::opTitle(const DartsOpSpec& op) {
    switch (op.kind) {
    case DartsOpKind::Conv:
        return tr("Conv k=%1").arg(op.kernel);
    case DartsOpKind::LightConv:
        return tr("LightConv k=%1").arg(op.kernel);
    case DartsOpKind::DynamicConv:
        return tr("DynConv k=%1").arg(op.kernel);
    case DartsOpKind::SelfAttention:
        return tr("Self-attention");
    case DartsOpKind::EncoderAttention:
        return tr("Enc-dec attention");
    case DartsOpKind::Glu:
        return tr("GLU");
    case DartsOpKind::Ffn:
        return tr("FFN");
    case DartsOpKind::Zero:
        return tr("Zero");
    case DartsOpKind::Identity:
        return tr("Identity");
    }
    return QString::fromStdString(op.name());
}

QString DartsFigure::opDescription(const DartsOpSpec& op) {
    switch (op.kind) {
    case DartsOpKind::Conv:
        return tr("1-D convolution over the sequence, kernel width %1").arg(op.kernel);
    case DartsOpKind::LightConv:
        return tr("lightweight convolution (head-shared softmax-normalised kernels), width %1")
            .arg(op.kernel);
    case DartsOpKind::DynamicConv:
        return tr("dynamic convolution (kernels predicted per position), width %1").arg(op.kernel);
    case DartsOpKind::SelfAttention:
        return tr("multi-head self-attention");
    case DartsOpKind::EncoderAttention:
        return tr("multi-head attention over the encoder's output");
    case DartsOpKind::Glu:
        return tr("gated linear unit");
    case DartsOpKind::Ffn:
        return tr("position-wise feed-forward network");
    case DartsOpKind::Zero:
        return tr("no contribution");
    case DartsOpKind::Identity:
        return tr("no sub-layer");
    }
    return QString();
}

QColor DartsFigure::opColour(const DartsOpSpec& op, const FigurePalette& palette) {
    switch (op.kind) {
    case DartsOpKind::Conv:
        return palette.expert(0);
    case DartsOpKind::LightConv:
        return palette.expert(1);
    case DartsOpKind::DynamicConv:
        return palette.expert(2);
    case DartsOpKind::Glu:
        return palette.expert(4);
    case DartsOpKind::Ffn:
        return palette.expert(3);
    case DartsOpKind::SelfAttention:
        return palette.selfHead;
    case DartsOpKind::EncoderAttention:
        return palette.crossHead;
    case DartsOpKind::Zero:
    case DartsOpKind::Identity:
        return palette.faint;
    }
    return palette.muted;
}

std::vector<std::pair<DartsOpSpec, int>> DartsFigure::subLayers(bool decoder, int layer) const {
    const auto& stack = decoder ? arch_.decoder : arch_.encoder;
    std::vector<std::pair<DartsOpSpec, int>> out;
    if (layer < 0 || layer >= int(stack.size())) return out;
    const auto& ops = stack[std::size_t(layer)];
    for (std::size_t k = 0; k < ops.size(); ++k)
        if (ops[k].kind != DartsOpKind::Identity && ops[k].kind != DartsOpKind::Zero)
            out.emplace_back(ops[k], int(k));
    if (decoder) out.emplace_back(DartsOpSpec{DartsOpKind::EncoderAttention, 0}, -1);
    return out;
}

QStringList DartsFigure::layerOps(bool decoder, int layer) const {
    QStringList out;
    for (const auto& [op, split] : subLayers(decoder, layer))
        out << opTitle(op);
    return out;
}

double DartsFigure::width(double minWidth) const {
    int chips = 2;
    for (bool decoder : {false, true})
        for (int l = 0; l < int((decoder ? arch_.decoder : arch_.encoder).size()); ++l)
            chips = std::max(chips, int(subLayers(decoder, l).size()));
    const double block = 2 * kPad + kLayerLabel + chips * kMinChipWidth + (chips - 1) * kArrow;
    return std::max(minWidth, 2 * block + kGap);
}

double DartsFigure::layout(double left, double top, double width) {
    rows_.clear();
    const double block = (width - kGap) / 2;
    const int rows = std::max<int>({1, int(arch_.encoder.size()), int(arch_.decoder.size())});
    encoderHeader_ = QRectF(left, top, block, kHeaderHeight);
    decoderHeader_ = QRectF(left + block + kGap, top, block, kHeaderHeight);
    const double rowsTop = top + kHeaderHeight + 12;
    layoutStack(false, left, rowsTop, block, rows);
    layoutStack(true, left + block + kGap, rowsTop, block, rows);
    const double inputTop = rowsTop + rows * kRowHeight + (rows - 1) * kRowGap + 10;
    encoderInput_ = QRectF(left, inputTop, block, kInputHeight);
    decoderInput_ = QRectF(left + block + kGap, inputTop, block, kInputHeight);
    return inputTop + kInputHeight - top;
}

void DartsFigure::layoutStack(bool decoder, double x, double top, double width, int rows) {
    const int layers = int((decoder ? arch_.decoder : arch_.encoder).size());
    for (int i = 0; i < layers; ++i) {
        LayerRow r;
        r.decoder = decoder;
        r.index = i;
        // Layer 1 at the bottom, as in the Transformer paper's figure: data flows upwards.
        const double rowTop = top + (rows - 1 - i) * (kRowHeight + kRowGap);
        r.rect = QRectF(x, rowTop, width, kRowHeight);
        r.header = QRectF(x + kPad, rowTop, kLayerLabel, kRowHeight);
        const auto ops = subLayers(decoder, i);
        const double chipsLeft = x + kPad + kLayerLabel;
        const double avail = width - kPad - kLayerLabel - kPad;
        const int n = std::max(1, int(ops.size()));
        const double chipWidth = (avail - (n - 1) * kArrow) / n;
        for (int k = 0; k < int(ops.size()); ++k) {
            Chip c;
            c.op = ops[std::size_t(k)].first;
            c.split = ops[std::size_t(k)].second;
            c.rect = QRectF(chipsLeft + k * (chipWidth + kArrow), rowTop + (kRowHeight - kChipHeight) / 2,
                            chipWidth, kChipHeight);
            r.chips.push_back(c);
        }
        rows_.push_back(std::move(r));
    }
}

void DartsFigure::paint(QPainter& p, const FigurePalette& palette, const FontFactory& font) const {
    paintCrossLinks(p, palette);
    paintStack(p, false, palette, font);
    paintStack(p, true, palette, font);
}

void DartsFigure::paintStack(QPainter& p, bool decoder, const FigurePalette& palette,
                             const FontFactory& font) const {
    const QColor accent = decoder ? palette.decoderAccent : palette.encoderAccent;
    const QColor fill = decoder ? palette.decoderFill : palette.encoderFill;
    const QColor border = decoder ? palette.decoderBorder : palette.encoderBorder;
    const QRectF header = decoder ? decoderHeader_ : encoderHeader_;
    const int layers = int((decoder ? arch_.decoder : arch_.encoder).size());

    const QFont headFont = font(15, true);
    p.setFont(headFont);
    p.setPen(accent);
    const QString name = decoder ? tr("Decoder") : tr("Encoder");
    const double base = baseline(header.adjusted(0, 0, 0, -4), headFont);
    p.drawText(QPointF(header.left(), base), name);
    p.setFont(font(12, false));
    p.setPen(palette.muted);
    p.drawText(QPointF(header.left() + QFontMetricsF(headFont).horizontalAdvance(name) + 12, base),
               tr("d_model %1%2%3 layers%4%5 splits")
                   .arg(arch_.hidden)
                   .arg(kDot)
                   .arg(layers)
                   .arg(kDot)
                   .arg(arch_.splits));
    p.setPen(QPen(accent, 2));
    p.drawLine(QPointF(header.left(), header.bottom()), QPointF(header.right(), header.bottom()));

    const QFont bold = font(12.5, true);
    const QFont chipFont = font(11.5, false);
    const QFont small = font(10, false);
    const LayerRow* bottom = nullptr;
    for (const LayerRow& r : rows_) {
        if (r.decoder != decoder) continue;
        if (r.index == 0) bottom = &r;
        p.setPen(QPen(border, 1));
        p.setBrush(fill);
        p.drawRoundedRect(r.rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        p.setFont(bold);
        p.setPen(palette.text);
        p.drawText(QPointF(r.header.left(), baseline(r.header, bold)), tr("Layer %1").arg(r.index + 1));
        if (r.chips.empty()) {
            p.setFont(chipFont);
            p.setPen(palette.muted);
            p.drawText(r.rect.adjusted(kPad + kLayerLabel, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                       tr("identity on every split: no sub-layer"));
        }
        for (std::size_t k = 0; k < r.chips.size(); ++k) {
            const Chip& c = r.chips[k];
            if (k > 0) { // the flow from one sub-layer into the next
                const double y = c.rect.center().y();
                const double x0 = r.chips[k - 1].rect.right() + 3, x1 = c.rect.left() - 3;
                p.setPen(QPen(palette.muted, 1.2));
                p.drawLine(QPointF(x0, y), QPointF(x1, y));
                QPainterPath head;
                head.moveTo(x1, y);
                head.lineTo(x1 - 5, y - 3.5);
                head.lineTo(x1 - 5, y + 3.5);
                head.closeSubpath();
                p.setPen(Qt::NoPen);
                p.setBrush(palette.muted);
                p.drawPath(head);
            }
            const QColor colour = opColour(c.op, palette);
            QColor chipFill = colour;
            chipFill.setAlpha(46);
            p.setPen(QPen(colour, c.split < 0 ? 1.4 : 1.2, c.split < 0 ? Qt::DashLine : Qt::SolidLine));
            p.setBrush(chipFill);
            p.drawRoundedRect(c.rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
            // A bar of the family's colour on the left edge.
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            p.drawRoundedRect(QRectF(c.rect.left() + 1, c.rect.top() + 1, 4, c.rect.height() - 2), 2, 2);
            const QRectF text = c.rect.adjusted(9, 0, -4, 0);
            const QString edge = c.split >= 0 ? QStringLiteral("e%1").arg(c.split + 1) : tr("fixed");
            p.setFont(small);
            p.setPen(palette.muted);
            p.drawText(text, Qt::AlignVCenter | Qt::AlignRight, edge);
            p.setFont(chipFont);
            p.setPen(palette.text);
            const double room = text.width() - QFontMetricsF(small).horizontalAdvance(edge) - 6;
            p.drawText(text, Qt::AlignVCenter | Qt::AlignLeft,
                       QFontMetricsF(chipFont).elidedText(opTitle(c.op), Qt::ElideRight, room));
        }
    }

    const QRectF input = decoder ? decoderInput_ : encoderInput_;
    p.setPen(QPen(border, 1));
    p.setBrush(fill);
    p.drawRoundedRect(input, 5, 5);
    p.setFont(font(12, false));
    p.setPen(palette.text);
    p.drawText(input, Qt::AlignCenter,
               decoder ? tr("Target embedding%1d %2").arg(kDot).arg(arch_.hidden)
                       : tr("Source embedding%1d %2").arg(kDot).arg(arch_.hidden));
    if (bottom) {
        const double x = input.center().x();
        p.setPen(QPen(palette.faint, 1.4));
        p.drawLine(QPointF(x, input.top()), QPointF(x, bottom->rect.bottom() + 1));
    }
}

void DartsFigure::paintCrossLinks(QPainter& p, const FigurePalette& palette) const {
    // Every decoder layer's encoder-decoder attention reads the encoder's output (its last layer).
    const LayerRow* top = nullptr;
    for (const LayerRow& r : rows_)
        if (!r.decoder && (!top || r.index > top->index)) top = &r;
    if (!top) return;
    QColor link = palette.crossLink;
    link.setAlphaF(0.55);
    const QPointF end(top->rect.right(), top->rect.center().y());
    for (const LayerRow& r : rows_) {
        if (!r.decoder || r.chips.empty()) continue;
        const QPointF start(r.rect.left(), r.rect.center().y());
        QPainterPath path(start);
        path.cubicTo(start - QPointF(kGap * 0.55, 0), end + QPointF(kGap * 0.55, 0), end);
        p.setPen(QPen(link, 1.4));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        p.setPen(Qt::NoPen);
        p.setBrush(palette.crossLink);
        p.drawEllipse(start, 2.6, 2.6);
    }
    p.drawEllipse(end, 2.6, 2.6);
}

QString DartsFigure::captionLine() const {
    QString text = tr("DARTSformer architecture%1hidden %2%3%4 heads%5%6 splits per searched layer")
                       .arg(kDot)
                       .arg(arch_.hidden)
                       .arg(kDot)
                       .arg(arch_.heads)
                       .arg(kDot)
                       .arg(arch_.splits);
    if (arch_.searchRun > 0)
        text += tr("%1from DARTS run %2 at update %3").arg(kDot).arg(arch_.searchRun).arg(arch_.searchStep);
    return text;
}

QString DartsFigure::legendLine() {
    return tr(
        "Each layer runs the operation chosen for each of its splits one after another at the full "
        "width, each as the post-norm sub-layer LayerNorm(x + op(x)); identity is no sub-layer. A "
        "decoder layer ends with encoder-decoder attention (dashed: fixed, not searched), whose teal "
        "link reads the encoder's output. Colour = family of the operation; eN = the split (mixed edge) "
        "that chose it.");
}

QString DartsFigure::toolTipAt(const QPointF& pt) const {
    for (const LayerRow& r : rows_) {
        if (!r.rect.contains(pt)) continue;
        const QString stack = r.decoder ? tr("Decoder") : tr("Encoder");
        for (const Chip& c : r.chips)
            if (c.rect.contains(pt))
                return c.split >= 0 ? tr("<b>%1 layer %2, edge %3</b>: %4<br>%5")
                                          .arg(stack)
                                          .arg(r.index + 1)
                                          .arg(c.split + 1)
                                          .arg(QString::fromStdString(c.op.name()))
                                          .arg(opDescription(c.op))
                                    : tr("<b>%1 layer %2</b>: encoder-decoder attention, %3 heads over the "
                                         "encoder's output (always there, not searched)")
                                          .arg(stack)
                                          .arg(r.index + 1)
                                          .arg(arch_.heads);
        const auto& ops = (r.decoder ? arch_.decoder : arch_.encoder)[std::size_t(r.index)];
        QStringList names;
        for (const DartsOpSpec& op : ops)
            names << QString::fromStdString(op.name());
        return tr("<b>%1 layer %2</b>: %3 (one operation per split)")
            .arg(stack)
            .arg(r.index + 1)
            .arg(names.join(QStringLiteral(", ")));
    }
    return QString();
}

} // namespace automoe::ui
