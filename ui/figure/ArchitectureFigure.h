// ArchitectureFigure lays out and paints one architecture as a paper-style figure: encoder and decoder
// stacks side by side, each layer with its attention heads and its experts as bars proportional to their
// width, cross-attention links, and a caption with the costs from the core's CostModel. The on-screen
// ArchitectureView and the PNG/SVG/PDF export both paint through it, so an export is what is shown.
// setDiff() draws two architectures side by side instead (issue 17): each as its own figure at one shared
// scale, with what differs (the core's ArchitectureDiff) highlighted on both, and a line of cost deltas.
#pragma once

#include "cost/ArchitectureDiff.h"
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
    // One side of a diff: its title ("A · Architecture #12 of run 3"), rich-text subtitle and latency.
    struct DiffSide {
        QString title;
        QString subtitle;
        std::optional<double> latencyMs;
    };
    // `a` on the left, `b` on the right; `title` heads the figure. The sides share row count, expert slots
    // and bar scale (the supernet's, widened to both architectures).
    void setDiff(const Architecture& a, const Architecture& b, const QString& title, const DiffSide& sideA,
                 const DiffSide& sideB);
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
    // A diff is shown (setDiff); architecture() is then A's, cost() A's.
    bool isDiff() const { return !sides_.empty(); }
    // The diff shown (on a diff figure and on each of its sides); nullptr when none.
    const ArchitectureDiff* diff() const { return diff_ ? &*diff_ : nullptr; }
    // Side 0 (A) or 1 (B) of a diff figure, and where it sits in this figure.
    const ArchitectureFigure& side(int i) const { return sides_[std::size_t(i)]; }
    QPointF sideOffset(int i) const;
    // "B − A: params −3.1 M (−12.4 %) · …": the cost delta line of a diff figure.
    QString deltaLine() const;

    // What the figure highlights as different, in figure coordinates: `what` names it ("decoder layer 3",
    // "decoder layer 3 experts", "encoder layer 1 slot 2", "encoder header", "encoder embedding", "qkv_dim";
    // a diff figure prefixes its sides' with "A " / "B "); an outline goes around a layer, a marker over
    // the rest. Paint draws exactly these.
    struct Highlight {
        QString what;
        QRectF rect;
        bool outline = false;
    };
    std::vector<Highlight> highlights() const;
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
    void relayoutDiff();
    void rebuildDiffSides();
    void paintDiff(QPainter& p) const;
    void paintHighlights(QPainter& p) const;
    // The names of what differs in layer `index` of `stack`, for its tooltip; empty when nothing does.
    QString layerDiffText(Stack stack, int index) const;
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
    QString differencesText() const;
    QString factsText(Stack stack) const;
    QRectF factsRect(Stack stack) const;
    QString ffnTitle(const LayerGene& gene) const;
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

    // A diff: the two side figures (each holding diff_ and which side it is), the inputs they are built
    // from, and the diff figure's own delta line, differences and legend.
    std::vector<ArchitectureFigure> sides_;
    std::optional<ArchitectureDiff> diff_;
    int diffSide_ = -1; // on a side figure: 0 = A, 1 = B
    bool showLegend_ = true;
    Architecture diffB_;
    DiffSide diffSides_[2];
    QRectF deltaRect_, differencesRect_;
    double sidesTop_ = 0;

    // Layout, in figure coordinates.
    QSizeF size_;
    QRectF titleRect_, subtitleRect_, captionRect_, legendRect_;
    QRectF encoderHeader_, decoderHeader_, encoderEmbedding_, decoderEmbedding_;
    std::vector<LayerBox> encoderBoxes_, decoderBoxes_;
};

} // namespace automoe::ui
