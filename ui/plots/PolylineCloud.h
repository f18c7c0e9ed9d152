// PolylineCloud is the QCustomPlot plottable of the parallel coordinates view: one polyline per candidate
// through (axis index, normalised value) points, coloured by a 0..1 shade (0 = darkest), drawn faded when not
// highlighted. Highlighted lines are drawn last, on top. Over 1,000 lines on screen are rasterised into one
// image (each pixel the mean colour of the lines crossing it, more opaque where more cross); vector output
// (SVG, PDF) always draws real polylines. The image is kept: a redraw with the same lines, highlights and
// geometry only draws it again. The per-pixel sums of every line are kept as well, so a change of the
// highlighted set rasterises only the lines that are highlighted or only those that are not, whichever are
// fewer (the others follow by subtraction). While the plot is being resized with many lines, each frame
// stretches the last image to the new size and the lines are rasterised again once the size has rested
// (setDeferredResize); exports always rasterise at their own size.
#pragma once

#include <qcustomplot.h>

#include <QTimer>
#include <cstdint>
#include <vector>

namespace automoe::ui {

class PolylineCloud : public QCPAbstractPlottable {
    Q_OBJECT

public:
    struct Line {
        std::vector<double> values; // per axis, 0..1; NaN: no value (the line breaks)
        double shade = 0;           // 0..1
        bool highlighted = true;
    };

    PolylineCloud(QCPAxis* keyAxis, QCPAxis* valueAxis);
    void setLines(std::vector<Line> lines);
    const std::vector<Line>& lines() const { return lines_; }
    // An axis of at most `levels` distinct values (the genes) is rasterised per pair of values with the axis
    // beside it, not per line; 64 by default, 0: never (the picture is the same either way).
    void setDiscreteLevels(int levels);

    // Adds lines after the others (every line's values as before): a raster walks only the new ones.
    void appendLines(std::vector<Line> lines);
    // Sets every line's `highlighted` (one flag per line, as many as lines()); the values stay.
    void setHighlighted(const std::vector<char>& highlighted);

    // How often the raster was built: every line walked (full), or only a highlighted or faded subset of them
    // against the kept sums of all (partial). A redraw that reuses the image adds to neither.
    quint64 fullRasterisations() const { return fullRasters_; }
    quint64 partialRasterisations() const { return partialRasters_; }
    // How often only appended lines were walked and added to the kept sums.
    quint64 appendRasterisations() const { return appendRasters_; }

    // From `aboveLines` lines on, a new size first stretches the kept image and rasterises the lines again
    // `ms` after the last resize (0 ms: at once, as below aboveLines). 150 ms and 20,000 lines by default.
    void setDeferredResize(int ms, std::size_t aboveLines);
    // Frames drawn as the stretched image of another size.
    quint64 stretchedFrames() const { return stretchedFrames_; }
    // Whether a raster at the new size is waiting; flushDeferredRaster() makes the next redraw do it now.
    bool rasterDeferred() const { return deferTimer_.isActive(); }
    void flushDeferredRaster();

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    // Where the lines go on screen: the image's rectangle and each axis's pixel column.
    struct Geometry {
        QRect area;
        std::vector<double> axisPixels;
        double top = 0, bottom = 0;
        bool operator==(const Geometry& o) const {
            return area == o.area && axisPixels == o.axisPixels && top == o.top && bottom == o.bottom;
        }
    };
    enum class Subset { All, Highlighted, Faded };
    Geometry geometry() const;
    void drawRaster(QCPPainter* painter);
    // Per pixel (row-major, area.width() wide) the count of the lines of `subset` (from line `from` on)
    // crossing it and the sum of their shades (fixed point, kShadeScale per unit), side by side.
    void accumulate(const Geometry& g, Subset subset, std::vector<std::int32_t>& sums,
                    std::size_t from = 0) const;
    // The distinct values of every axis that has few (the genes), and each line's index among them.
    void indexLevels() const;

    std::vector<Line> lines_;
    std::size_t highlightedCount_ = 0;
    // Bumped when the values change (the kept sums of all lines are stale) and when the highlights do (the
    // image is).
    quint64 valuesVersion_ = 1, highlightVersion_ = 1;
    Geometry sumsGeometry_, imageGeometry_;
    bool sumsValid_ = false; // allSums_ holds lines [0, summed_) at sumsGeometry_
    std::size_t summed_ = 0;
    quint64 imageValuesVersion_ = 0, imageHighlightVersion_ = 0;
    std::vector<std::int32_t> allSums_; // every line: count and shade sum per pixel
    QImage image_;
    quint64 fullRasters_ = 0, partialRasters_ = 0, appendRasters_ = 0, stretchedFrames_ = 0;
    QTimer deferTimer_;
    std::size_t deferAbove_ = 20000;
    bool forceRaster_ = false; // the deferred raster is due
    std::size_t maxLevels_ = 64;
    mutable quint64 levelsVersion_ = 0;
    mutable std::vector<std::vector<double>> levels_; // per axis: its distinct values, sorted; empty: many
    mutable std::vector<std::uint8_t> levelOf_;       // per line and axis: the index of its value (255: none)
};

} // namespace automoe::ui
