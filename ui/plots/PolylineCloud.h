// PolylineCloud is the QCustomPlot plottable of the parallel coordinates view: one polyline per candidate
// through (axis index, normalised value) points, coloured by a 0..1 shade (0 = darkest), drawn faded when not
// highlighted. Highlighted lines are drawn last, on top. Over 1,000 lines on screen are rasterised into one
// image (each pixel the mean colour of the lines crossing it, more opaque where more cross); vector output
// (SVG, PDF) always draws real polylines.
#pragma once

#include <qcustomplot.h>

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

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    void drawRaster(QCPPainter* painter) const;

    std::vector<Line> lines_;
};

} // namespace automoe::ui
