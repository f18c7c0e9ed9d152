// Pins ArchitectureView and the figure behind it: the corners and random samples of both bundled spaces
// render, cover the widget, follow the cost model, and export to PNG, SVG and PDF.
#include "space/SpaceIO.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/figure/FigureExporter.h"

#include "TestMain.h"
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

// Fraction of pixels that differ from `background`.
double inkFraction(const QImage& image, QRgb background) {
    qint64 ink = 0;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x)
            ink += (line[x] & 0xffffff) != (background & 0xffffff);
    }
    return double(ink) / (double(img.width()) * img.height());
}

// Ink in each quarter of the image: a figure that covers the widget puts some in all of them.
bool inkInEveryQuadrant(const QImage& image, QRgb background) {
    const int w = image.width() / 2, h = image.height() / 2;
    for (int qx = 0; qx < 2; ++qx)
        for (int qy = 0; qy < 2; ++qy)
            if (inkFraction(image.copy(qx * w, qy * h, w, h), background) < 0.01) return false;
    return true;
}

} // namespace

class TestArchitectureView : public QObject {
    Q_OBJECT

private slots:
    void rendersEveryKindOfArchitecture_data() {
        QTest::addColumn<QString>("space");
        QTest::addColumn<QString>("which");
        QTest::addColumn<QSize>("size");
        for (const char* space : {"tiny", "automoe-wmt"}) {
            for (const char* which : {"largest", "smallest", "random-1", "random-2", "random-3"})
                QTest::newRow(qPrintable(QString("%1 %2").arg(space, which)))
                    << QString(space) << QString(which) << QSize(1100, 800);
            QTest::newRow(qPrintable(QString("%1 minimum size").arg(space)))
                << QString(space) << QString("largest") << QSize(0, 0);
        }
    }

    void rendersEveryKindOfArchitecture() {
        QFETCH(QString, space);
        QFETCH(QString, which);
        QFETCH(QSize, size);
        const SearchSpace s = loadSpaceByNameOrPath(space.toStdString());
        Architecture arch;
        if (which == "largest")
            arch = s.largest();
        else if (which == "smallest")
            arch = s.smallest();
        else {
            std::mt19937_64 rng(which.mid(7).toULongLong());
            arch = s.sample(rng);
        }

        ArchitectureView view;
        view.setSupernet(s.supernet());
        view.setArchitecture(arch, "Under test", space);
        view.resize(size.isEmpty() ? view.minimumSizeHint() : size);
        QVERIFY(view.hasArchitecture());
        QVERIFY(view.architecture() == arch);

        const QImage image = view.grab().toImage();
        QCOMPARE(image.size(), view.size() * image.devicePixelRatio());
        const QRgb canvas = view.figure().palette().canvas.rgb();
        const double ink = inkFraction(image, canvas);
        QVERIFY2(ink > 0.3, qPrintable(QString("only %1 of the widget painted").arg(ink)));
        QVERIFY(inkInEveryQuadrant(image, canvas));

        // The figure itself (paper background) has drawing on it, beyond the background.
        const QImage figure = FigureExporter::renderImage(view.figure(), 1.0);
        QVERIFY(inkFraction(figure, view.figure().palette().paper.rgb()) > 0.05);
    }

    void keepsASensibleMinimumSize() {
        ArchitectureView view;
        QVERIFY(view.minimumSizeHint().width() >= 400);
        QVERIFY(view.minimumSizeHint().height() >= 300);
        const SearchSpace s = loadSpaceByNameOrPath("automoe-wmt");
        view.setSupernet(s.supernet());
        view.setArchitecture(s.largest(), "Largest");
        QVERIFY(view.sizeHint().width() > view.minimumSizeHint().width());
    }

    void captionCostsComeFromTheCostModel() {
        const SearchSpace s = loadSpaceByNameOrPath("tiny");
        ArchitectureView view;
        view.setArchitecture(s.largest(), "Largest");
        const ArchitectureCost expected = CostModel::evaluate(s.largest());
        QCOMPARE(view.figure().cost().paramsHat, expected.paramsHat);
        QCOMPARE(view.figure().cost().paramsActive, expected.paramsActive);
        QCOMPARE(view.figure().cost().flopsHat, expected.flopsHat);
    }

    void explainsWhatIsUnderTheMouse() {
        const SearchSpace s = loadSpaceByNameOrPath("tiny");
        ArchitectureFigure figure;
        figure.setSupernet(s.supernet());
        figure.setArchitecture(s.largest(), "Largest");
        // Scan the figure: some point must explain an expert and some a decoder layer's cross-attention.
        bool expert = false, cross = false;
        for (double y = 0; y < figure.size().height(); y += 3)
            for (double x = 0; x < figure.size().width(); x += 7) {
                const QString tip = figure.toolTipAt(QPointF(x, y));
                expert = expert || tip.contains("FFN width 768");
                cross = cross || tip.contains("Cross-attention");
            }
        QVERIFY(expert);
        QVERIFY(cross);
        QVERIFY(figure.toolTipAt(QPointF(-10, -10)).isEmpty());
    }

    void exportsTheFigure_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "figure.png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "figure.svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "figure.pdf" << QByteArray("%PDF");
    }

    void exportsTheFigure() {
        QFETCH(QString, file);
        QFETCH(QByteArray, magic);
        QTemporaryDir dir;
        const SearchSpace s = loadSpaceByNameOrPath("automoe-wmt");
        ArchitectureFigure figure;
        figure.setSupernet(s.supernet());
        figure.setArchitecture(s.largest(), "Largest");
        const QString path = dir.filePath(file);
        QString error;
        QVERIFY2(FigureExporter::exportFigure(figure, path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 1000);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
        if (file.endsWith(".png")) {
            const QImage image = QImage::fromData(bytes);
            QCOMPARE(image.size(), (figure.size() * 2).toSize());
        }
    }

    void refusesAnUnknownFormatNamingTheFile() {
        ArchitectureFigure figure;
        figure.setArchitecture(loadSpaceByNameOrPath("tiny").largest(), "Largest");
        QString error;
        QVERIFY(!FigureExporter::exportFigure(figure, "/tmp/figure.bmpx", &error));
        QVERIFY2(error.contains("figure.bmpx"), qPrintable(error));
        QVERIFY(!FigureExporter::exportFigure(figure, "/nonexistent-dir/figure.png", &error));
        QVERIFY2(error.contains("/nonexistent-dir/figure.png"), qPrintable(error));
    }
};

AUTOMOE_TEST_MAIN(TestArchitectureView)
#include "tst_architectureview.moc"
