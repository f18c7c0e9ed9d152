// PlotExporter writes a QCustomPlot (the Pareto and training views) to a PNG (rendered at 2x), an SVG or a
// PDF, chosen by the file's extension as FigureExporter does for the architecture figure. Files are
// written through QSaveFile, so a failed export never leaves half a file.
#pragma once

#include <QString>

class QCustomPlot;

namespace automoe::ui {

class PlotExporter {
public:
    // Writes the plot at its on-screen size; on failure returns false and sets `error` to a message naming
    // the file.
    static bool exportPlot(QCustomPlot& plot, const QString& path, QString* error = nullptr);
};

} // namespace automoe::ui
