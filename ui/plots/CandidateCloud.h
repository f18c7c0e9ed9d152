// CandidateCloud is the QCustomPlot plottable that draws every evaluated candidate of the Pareto view, one
// disc per candidate coloured by its generation. On screen it rasterises all points into one image with
// a precomputed antialiased disc and skips points that would repaint an identical pixel, so 100k candidates
// redraw in a few milliseconds (QCPGraph scatters take ~0.7 s for 100k, measured by automoe-ui-bench). In
// vector output (SVG, PDF) every point is drawn as a real circle.
#pragma once

#include <qcustomplot.h>

#include <QColor>
#include <QVector>
#include <cstdint>
#include <vector>

namespace automoe::ui {

class CandidateCloud : public QCPAbstractPlottable {
    Q_OBJECT

public:
    struct Point {
        double key = 0;
        double value = 0;
        std::int64_t generation = 0;
    };

    CandidateCloud(QCPAxis* keyAxis, QCPAxis* valueAxis);

    void addPoints(const std::vector<Point>& points);
    void clearPoints();
    const std::vector<Point>& points() const { return points_; }

    // Colour of generation g is colours[g - firstGeneration]; generations outside get the last/first one.
    void setGenerationColours(std::int64_t firstGeneration, const QVector<QRgb>& colours);
    void setPointDiameter(double pixels);
    double pointDiameter() const { return diameter_; }
    // Opacity of each disc, in (0, 1]; overlapping discs read as density.
    void setPointOpacity(double opacity);

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    QRgb colourOf(std::int64_t generation) const;
    void drawVector(QCPPainter* painter) const;
    void drawRaster(QCPPainter* painter) const;

    std::vector<Point> points_;
    double minKey_ = 0, maxKey_ = 0, minValue_ = 0, maxValue_ = 0;
    std::int64_t firstGeneration_ = 0;
    QVector<QRgb> colours_;
    double diameter_ = 5.0;
    double opacity_ = 1.0;
    // Kept between draws: reallocating a widget-sized image and stamp buffer each time costs page faults.
    mutable QImage image_;
    mutable std::vector<std::uint32_t> stamp_;
    mutable std::uint32_t tag_ = 0;
};

} // namespace automoe::ui
