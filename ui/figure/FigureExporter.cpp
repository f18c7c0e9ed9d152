#include "ui/figure/FigureExporter.h"

#include "ui/figure/ArchitectureFigure.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <cmath>

namespace automoe::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("FigureExporter", text);
}

bool fail(QString* error, const QString& path, const QString& why) {
    if (error) *error = QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), why);
    return false;
}

bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return fail(error, path, file.errorString());
    if (file.write(bytes) != bytes.size()) return fail(error, path, file.errorString());
    if (!file.commit()) return fail(error, path, file.errorString());
    return true;
}

QByteArray svgBytes(const ArchitectureFigure& figure) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    const QSizeF size = figure.size();
    svg.setSize(QSize(static_cast<int>(std::ceil(size.width())), static_cast<int>(std::ceil(size.height()))));
    svg.setViewBox(QRectF(QPointF(0, 0), size));
    svg.setResolution(96);
    svg.setTitle(figure.title());
    svg.setDescription(tr("Architecture figure exported from AutoMoE Studio"));
    QPainter p(&svg);
    figure.paint(p, QTransform());
    p.end();
    return buffer.data();
}

QByteArray pdfBytes(const ArchitectureFigure& figure) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter pdf(&buffer);
    const QSizeF size = figure.size();
    // One figure pixel = 1/96 inch, as on a standard screen.
    pdf.setResolution(96);
    pdf.setPageSize(QPageSize(QSizeF(size.width() * 72.0 / 96.0, size.height() * 72.0 / 96.0),
                              QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setTitle(figure.title());
    pdf.setCreator(QStringLiteral("AutoMoE Studio"));
    QPainter p(&pdf);
    figure.paint(p, figure.fitTransform(QRectF(0, 0, pdf.width(), pdf.height()), 100.0));
    p.end();
    return buffer.data();
}

} // namespace

std::optional<FigureExporter::Format> FigureExporter::formatForPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) return Format::Png;
    if (suffix == QLatin1String("svg")) return Format::Svg;
    if (suffix == QLatin1String("pdf")) return Format::Pdf;
    return std::nullopt;
}

QString FigureExporter::fileDialogFilter() {
    return tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
}

QImage FigureExporter::renderImage(const ArchitectureFigure& figure, double scale) {
    const QSizeF size = figure.size() * scale;
    QImage image(static_cast<int>(std::ceil(size.width())), static_cast<int>(std::ceil(size.height())),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(figure.palette().paper);
    QPainter p(&image);
    figure.paint(p, QTransform::fromScale(scale, scale));
    p.end();
    return image;
}

bool FigureExporter::exportFigure(const ArchitectureFigure& figure, const QString& path, QString* error) {
    if (!figure.hasArchitecture()) return fail(error, path, tr("there is no architecture to export"));
    const std::optional<Format> format = formatForPath(path);
    if (!format) return fail(error, path, tr("unknown image format (use .png, .svg or .pdf)"));
    QByteArray bytes;
    switch (*format) {
    case Format::Png: {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (!renderImage(figure).save(&buffer, "PNG"))
            return fail(error, path, tr("could not encode the PNG"));
        break;
    }
    case Format::Svg:
        bytes = svgBytes(figure);
        break;
    case Format::Pdf:
        bytes = pdfBytes(figure);
        break;
    }
    return writeAtomically(path, bytes, error);
}

} // namespace automoe::ui
