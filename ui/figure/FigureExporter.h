// FigureExporter writes an ArchitectureFigure to a PNG (rendered at 2x), an SVG or a PDF, chosen by the
// file's extension. Files are written through QSaveFile, so a failed export never leaves half a file.
#pragma once

#include <QImage>
#include <QString>
#include <optional>

namespace automoe::ui {

class ArchitectureFigure;

class FigureExporter {
public:
    enum class Format { Png, Svg, Pdf };

    // By extension (case-insensitive): .png, .svg, .pdf; nullopt for anything else.
    static std::optional<Format> formatForPath(const QString& path);
    // "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)", for file dialogs.
    static QString fileDialogFilter();

    // The figure rendered at `scale` times its natural size on its paper background.
    static QImage renderImage(const ArchitectureFigure& figure, double scale = 2.0);

    // Writes the figure; on failure returns false and sets `error` to a message naming the file.
    static bool exportFigure(const ArchitectureFigure& figure, const QString& path, QString* error = nullptr);
};

} // namespace automoe::ui
