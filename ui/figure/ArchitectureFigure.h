// ArchitectureFigure lays out and paints one architecture as a paper-style figure: encoder and decoder
// stacks side by side, each layer with its attention heads and its experts as bars proportional to their
// width, cross-attention links, and a caption with the costs from the core's CostModel. The on-screen
// ArchitectureView and the PNG/SVG/PDF export both paint through it, so an export is what is shown.
#pragma once

#include "cost/CostModel.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"
#include "ui/figure/DartsFigure.h"
#include "ui/figure/FigurePalette.h"

#include <QCoreApplication>
#include <QFont>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QTransform>
#include <optional>
#include <vector>

class QPainter;

namespace automoe::ui {

class ArchitectureFigure {
    Q_DECLARE_TR_FUNCTIONS(ArchitectureFigure)

public:
    ArchitectureFigure();

    // `title` names the architecture ("Most expensive architecture"); `subtitle`, rich text (for exponents:
    // 10<sup>17.6</sup>), says where it is from.
    void setArchitecture(const Architecture& arch, const QString& title, const QString& subtitle = QString());
    // A DARTS architecture (issue 13) instead: its stacks of chosen operations (DartsFigure), the same
    // title, subtitle and caption around them.
    void setDartsArchitecture(const DartsArchitecture& arch, const QString& title,
                              const QString& subtitle = QString());
    void clear();
    // The supernet the architecture lives in sets the bar scale and shows unused expert slots and skipped
    // layers, so that figures of one space share a scale. Without it the architecture's own maxima are used.
    void setSupernet(const std::optional<SupernetDims>& supernet);
    // The font family and weights the figure uses; sizes are the figure's own.
    void setFontFamily(const QString& family);

    bool hasArchitecture() const { return hasArchitecture_; }
    // The AutoMoE architecture shown (empty while a DARTS architecture is).
    const Architecture& architecture() const { return arch_; }
    bool isDarts() const { return isDarts_; }
    const DartsArchitecture& dartsArchitecture() const { return darts_.architecture(); }
    const DartsFigure& dartsFigure() const { return darts_; }
    QString subtitle() const { return subtitle_; }
    const ArchitectureCost& cost() const { return cost_; }
    QString title() const { return title_; }
    const FigurePalette& palette() const { return palette_; }

    // The natural size in logical pixels; the figure scales to any target.
    QSizeF size() const { return size_; }
    // The transform that fits the figure into `target` (aspect kept, centred, at most `maxScale`).
    QTransform fitTransform(const QRectF& target, double maxScale) const;
    // Paints the figure with `transform` (paper background included).
    void paint(QPainter& painter, const QTransform& transform) const;
    // Tooltip text for a point in figure coordinates; empty when nothing is there.
    QString toolTipAt(const QPointF& figurePoint) const;

private:
    struct ExpertBox {
        QRectF track;
        QRectF bar;
        QRectF label;
        int slot = 0;
        int width = 0; // 0 = slot unused by this architecture
    };
    struct LayerBox {
        Stack stack = Stack::Encoder;
        int index = 0;       // 0-based layer index
        bool active = false; // false: beyond the sampled depth (skipped)
        QRectF rect;
        QRectF header;    // "Layer 3 · 1.2 M params"
        QRectF ffnHeader; // "MoE · 4 experts · top-1"
        QRectF selfRow;
        QRectF crossRow; // decoder only
        QRectF ffn;
        QPointF router;
        std::vector<ExpertBox> experts;
    };

    void relayout();
    void layoutStack(Stack stack, double x, double top, int rows, double rowHeight, double gap);
    QFont font(double pixelSize, bool bold = false) const;

    void paintSubtitle(QPainter& p) const;
    void paintStack(QPainter& p, Stack stack) const;
    void paintLayer(QPainter& p, const LayerBox& box) const;
    void paintHeads(QPainter& p, const QRectF& row, const QString& label, int heads,
                    const QColor& colour) const;
    void paintExperts(QPainter& p, const LayerBox& box, const LayerGene& gene) const;
    void paintCrossLinks(QPainter& p) const;
    void paintCaption(QPainter& p) const;

    QString layerToolTip(const LayerBox& box) const;
    QString captionLine() const;
    void relayoutDarts();
    void paintDartsCaption(QPainter& p) const;
    QString legendLine() const;
    int scaleWidth(Stack stack) const;
    int slotCount() const;
    int rowCount(Stack stack) const;

    FigurePalette palette_;
    QString fontFamily_;
    Architecture arch_;
    ArchitectureCost cost_;
    bool hasArchitecture_ = false;
    bool isDarts_ = false;
    DartsFigure darts_;
    std::optional<SupernetDims> supernet_;
    QString title_;
    QString subtitle_;

    // Layout, in figure coordinates.
    QSizeF size_;
    QRectF titleRect_, subtitleRect_, captionRect_, legendRect_;
    QRectF encoderHeader_, decoderHeader_, encoderEmbedding_, decoderEmbedding_;
    std::vector<LayerBox> encoderBoxes_, decoderBoxes_;
};

} // namespace automoe::ui
