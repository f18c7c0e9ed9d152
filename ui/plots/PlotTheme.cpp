#include "ui/plots/PlotTheme.h"

#include <qcustomplot.h>

#include <array>
#include <cmath>

namespace automoe::ui {

namespace {

class SiAxisTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale&, QChar, int) override {
        return PlotTheme::siNumber(tick, 3);
    }
};

QFont sized(QFont font, double points, bool bold = false) {
    font.setPointSizeF(points);
    font.setBold(bold);
    return font;
}

} // namespace

QString PlotTheme::siNumber(double value, int significant) {
    if (!std::isfinite(value)) return QString::number(value);
    if (value == 0) return QStringLiteral("0");
    struct Prefix {
        double scale;
        const char* symbol;
    };
    static const std::array<Prefix, 5> prefixes{
        {{1e12, " T"}, {1e9, " G"}, {1e6, " M"}, {1e3, " k"}, {1.0, ""}}};
    const double magnitude = std::abs(value);
    for (const Prefix& p : prefixes) {
        if (magnitude >= p.scale * 0.9995 || p.scale == 1.0) {
            const double scaled = value / p.scale;
            // 'g' drops trailing zeros; a large integer part needs no exponent.
            const int digits = std::max(significant, int(std::floor(std::log10(std::abs(scaled)))) + 1);
            return QString::number(scaled, 'g', digits) + QLatin1String(p.symbol);
        }
    }
    return QString::number(value, 'g', significant);
}

void PlotTheme::apply(QCustomPlot& plot, const FigurePalette& palette, const QFont& font) {
    plot.setBackground(palette.paper);
    plot.setAntialiasedElements(QCP::aeAll);
    plot.setNotAntialiasedElements(QCP::aeGrid | QCP::aeSubGrid | QCP::aeAxes);
    plot.setPlottingHints(QCP::phFastPolylines | QCP::phCacheLabels);
    plot.setFont(sized(font, 9));
    if (plot.axisRect()) styleAxisRect(*plot.axisRect(), palette, font);
    if (plot.legend) styleLegend(*plot.legend, palette, font);
}

void PlotTheme::styleAxisRect(QCPAxisRect& rect, const FigurePalette& palette, const QFont& font) {
    rect.setBackground(palette.paper);
    for (QCPAxis* axis : rect.axes())
        styleAxis(*axis, palette, font);
}

void PlotTheme::styleAxis(QCPAxis& axis, const FigurePalette& palette, const QFont& font) {
    const QPen line(palette.faint, 1);
    axis.setBasePen(line);
    axis.setTickPen(QPen(palette.muted, 1));
    axis.setSubTickPen(QPen(palette.faint, 1));
    axis.setTickLength(0, 4);
    axis.setSubTickLength(0, 2);
    axis.setTickLabelFont(sized(font, 9));
    axis.setTickLabelColor(palette.muted);
    axis.setLabelFont(sized(font, 9.5, true));
    axis.setLabelColor(palette.text);
    axis.setLabelPadding(6);
    axis.grid()->setPen(QPen(palette.track, 1, Qt::SolidLine));
    axis.grid()->setSubGridVisible(false);
    axis.grid()->setZeroLinePen(Qt::NoPen);
}

void PlotTheme::styleLegend(QCPLegend& legend, const FigurePalette& palette, const QFont& font) {
    legend.setFont(sized(font, 9));
    legend.setTextColor(palette.text);
    QColor fill = palette.paper;
    fill.setAlpha(225);
    legend.setBrush(fill);
    legend.setBorderPen(QPen(palette.faint, 1));
    legend.setIconSize(22, 12);
    legend.setRowSpacing(1);
}

void PlotTheme::useSiTicks(QCPAxis& axis) {
    axis.setTicker(QSharedPointer<QCPAxisTicker>(new SiAxisTicker));
}

} // namespace automoe::ui
