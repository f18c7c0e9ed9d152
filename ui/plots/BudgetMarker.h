// BudgetMarker is the budget of the Pareto view drawn on a plot: a dashed vertical line at the budget, a
// white veil over everything beyond it (so infeasible candidates look faded), and a label. It lives on a
// buffered layer of its own, so moving it while the user drags redraws that layer only, however many
// candidates are plotted underneath.
#pragma once

#include "ui/figure/FigurePalette.h"

#include <QString>

class QCPAxisRect;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCPLayer;
class QCustomPlot;
class QFont;

namespace automoe::ui {

class BudgetMarker {
public:
    // Creates the items on `layer` (made buffered) of `rect`'s plot; the plot owns them.
    BudgetMarker(QCPAxisRect& rect, QCPLayer& layer, const FigurePalette& palette, const QFont& font);

    // `active`: a budget is set (line solid-dark, veil shown); otherwise the line waits at `x` muted.
    void place(double x, bool active, const QString& label);
    // The line's x in widget pixels.
    double pixel() const;
    // Redraws the marker's layer only.
    void replotLayer();

private:
    FigurePalette palette_;
    QCPLayer* layer_ = nullptr;
    QCPItemStraightLine* line_ = nullptr;
    QCPItemRect* veil_ = nullptr;
    QCPItemText* label_ = nullptr;
};

} // namespace automoe::ui
