// PlotTheme gives every QCustomPlot of the workbench the light "paper" look of the architecture figure
// (FigurePalette): white background, quiet grid, dark readable labels, and SI tick labels for costs.
#pragma once

#include "ui/figure/FigurePalette.h"

#include <QFont>
#include <QString>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;
class QCPLegend;

namespace automoe::ui {

class PlotTheme {
public:
    // Background, antialiasing and plotting hints for the whole plot (the plot's default axis rect
    // and legend included).
    static void apply(QCustomPlot& plot, const FigurePalette& palette, const QFont& font);
    // Fonts, pens and grid of an axis rect's four axes (only the visible ones matter).
    static void styleAxisRect(QCPAxisRect& rect, const FigurePalette& palette, const QFont& font);
    static void styleAxis(QCPAxis& axis, const FigurePalette& palette, const QFont& font);
    static void styleLegend(QCPLegend& legend, const FigurePalette& palette, const QFont& font);
    // Tick labels in SI prefixes ("800 M", "1.2 G") for axes that show FLOPs or parameter counts.
    static void useSiTicks(QCPAxis& axis);

    // "1.23 G", "850 M", "12.5 k", "3.4": at most `significant` significant digits, trailing zeros trimmed.
    static QString siNumber(double value, int significant = 3);
};

} // namespace automoe::ui
