// RoutingCharts draws the aggregates of a routing result into the routing view's two side plots: the mean
// FFN FLOPs per token type (encoder and decoder bars side by side) and the expert load of every layer
// (one stacked bar per layer, one colour per expert slot, as in the architecture figure).
#pragma once

#include "ui/figure/FigurePalette.h"
#include "ui/routing/RoutingResult.h"

class QCustomPlot;
class QFont;

namespace automoe::ui {

class RoutingCharts {
public:
    // Replaces the plot's bars; the plot's legend (placed by the caller) names encoder and decoder.
    static void drawFlopsByType(QCustomPlot& plot, const RoutingResult& result, const FigurePalette& palette,
                                const QFont& font);
    static void drawExpertLoad(QCustomPlot& plot, const RoutingResult& result, const FigurePalette& palette,
                               const QFont& font);
};

} // namespace automoe::ui
