#include "ui/plots/PlotExporter.h"

#include "ui/figure/FigureExporter.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace automoe::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("PlotExporter", text);
}

bool fail(QString* error, const QString& path, const QString& why) {
    if (error) *error = QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), why);
    return false;
}

// Vector output: QCustomPlot draws through a QCPPainter in vectorised mode (no pixmap caching).
void paintVector(QCustomPlot& plot, QPaintDevice& device, int width, int height) {
    QCPPainter painter(&device);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    plot.toPainter(&painter, width, height);
    painter.end();
}

} // namespace

bool PlotExporter::exportPlot(QCustomPlot& plot, const QString& path, QString* error) {
    const std::optional<FigureExporter::Format> format = FigureExporter::formatForPath(path);
    if (!format) return fail(error, path, tr("unknown image format (use .png, .svg or .pdf)"));
    const int width = std::max(plot.width(), 320);
    const int height = std::max(plot.height(), 240);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    switch (*format) {
    case FigureExporter::Format::Png: {
        const QPixmap pixmap = plot.toPixmap(width, height, 2.0);
        if (pixmap.isNull() || !pixmap.toImage().save(&buffer, "PNG"))
            return fail(error, path, tr("could not encode the PNG"));
        break;
    }
    case FigureExporter::Format::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        svg.setResolution(96);
        svg.setTitle(plot.windowTitle());
        svg.setDescription(tr("Plot exported from AutoMoE Studio"));
        paintVector(plot, svg, width, height);
        break;
    }
    case FigureExporter::Format::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(width * 72.0 / 96.0, height * 72.0 / 96.0), QPageSize::Point,
                                  QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setCreator(QStringLiteral("AutoMoE Studio"));
        paintVector(plot, pdf, width, height);
        break;
    }
    }
    buffer.close();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return fail(error, path, file.errorString());
    if (file.write(bytes) != bytes.size()) return fail(error, path, file.errorString());
    if (!file.commit()) return fail(error, path, file.errorString());
    return true;
}

} // namespace automoe::ui
