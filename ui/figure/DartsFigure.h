// DartsFigure lays out and paints the body of a DARTS architecture's figure (issue 13): the encoder and the
// decoder side by side, each layer a row of the sub-layer operations it runs one after another (the chosen
// operation of each split, then, in a decoder layer, encoder-decoder attention), one colour per family of
// operation, and links from every decoder layer's encoder-decoder attention to the encoder's output.
// ArchitectureFigure draws the title, subtitle and caption around it, so the on-screen view and the
// PNG/SVG/PDF export of a DARTS architecture paint through the same code as every other figure.
#pragma once

#include "space/DartsArchitecture.h"
#include "ui/figure/FigurePalette.h"

#include <QCoreApplication>
#include <QFont>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

class QPainter;

namespace automoe::ui {

class DartsFigure {
    Q_DECLARE_TR_FUNCTIONS(DartsFigure)

public:
    // The figure's font at a pixel size, bold or not (ArchitectureFigure's).
    using FontFactory = std::function<QFont(double pixelSize, bool bold)>;

    void setArchitecture(const DartsArchitecture& arch);
    const DartsArchitecture& architecture() const { return arch_; }

    // The width the stacks need: two blocks wide enough for the longest layer's sub-layers, at least
    // `minWidth` (the AutoMoE figure's).
    double width(double minWidth) const;
    // Lays the stacks out in the band from (left, top), `width` wide; returns the band's height.
    double layout(double left, double top, double width);
    void paint(QPainter& p, const FigurePalette& palette, const FontFactory& font) const;
    // Tooltip text at a point in figure coordinates; empty when no layer is there.
    QString toolTipAt(const QPointF& pt) const;

    // The sub-layers drawn for layer `layer` of a stack, in order ("Self-attention", "FFN", ...): the chosen
    // operation of each split (identity is no sub-layer) and, in a decoder layer, encoder-decoder attention.
    QStringList layerOps(bool decoder, int layer) const;
    // The caption line and the legend under the figure.
    QString captionLine() const;
    static QString legendLine();

    // "Self-attention", "Conv k=7", "LightConv k=3", "Enc-dec attention", ...
    static QString opTitle(const DartsOpSpec& op);
    static QString opDescription(const DartsOpSpec& op);
    static QColor opColour(const DartsOpSpec& op, const FigurePalette& palette);

private:
    struct Chip {
        QRectF rect;
        DartsOpSpec op;
        int split = -1; // -1: the decoder layer's closing encoder-decoder attention
    };
    struct LayerRow {
        bool decoder = false;
        int index = 0;
        QRectF rect;
        QRectF header;
        std::vector<Chip> chips;
    };

    void layoutStack(bool decoder, double x, double top, double width, int rows);
    // The sub-layers of a layer in order (identity dropped), each with its split (-1: closing attention).
    std::vector<std::pair<DartsOpSpec, int>> subLayers(bool decoder, int layer) const;
    void paintStack(QPainter& p, bool decoder, const FigurePalette& palette, const FontFactory& font) const;
    void paintCrossLinks(QPainter& p, const FigurePalette& palette) const;

    DartsArchitecture arch_;
    QRectF encoderHeader_, decoderHeader_, encoderInput_, decoderInput_;
    std::vector<LayerRow> rows_;
};

} // namespace automoe::ui
