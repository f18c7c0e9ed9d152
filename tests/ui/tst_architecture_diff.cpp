// Pins the architecture diff in the figure (issue 17): on a hand-built pair the figure highlights exactly the
// layers and fields that differ, on both sides, and paints them (the outline colour is on a differing layer's
// border and nowhere for identical architectures); a layer on one side only; the cost delta line; and in the
// main window: a candidate diffed with the selected one through the document (Ctrl+click in the Pareto view,
// the table's row under the mouse), a new selection ending it, File > Export… of the diff figure, two files
// diffed and a bad file named.
#include "space/ArchitectureIO.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/figure/FigureExporter.h"
#include "ui/plots/CandidateFilterModel.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/ParetoView.h"
#include "ui/run/RunDocument.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"
#include "util/Format.h"

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QtTest/QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace automoe;
using namespace automoe::ui;

namespace {

LayerGene layer(int heads, std::vector<int> widths, int arbitraryEnde = -1) {
    LayerGene l;
    l.selfHeads = heads;
    l.endeHeads = 8;
    l.arbitraryEnde = arbitraryEnde;
    l.expertWidths = std::move(widths);
    return l;
}

// As in tst_architecturediff: B has encoder layer 1's FFN 2048 wide instead of 3072, decoder layer 1
// attending to two encoder layers instead of one, decoder layer 3 dense instead of 4 experts.
Architecture archA() {
    Architecture a;
    a.encoder.embedDim = 512;
    a.encoder.layers = {layer(8, {3072}), layer(8, {2048})};
    a.decoder.embedDim = 512;
    a.decoder.layers = {layer(8, {3072}), layer(4, {2048}), layer(8, {3072, 2048, 1024, 1024})};
    return a;
}

Architecture archB() {
    Architecture b = archA();
    b.encoder.layers[0].expertWidths = {2048};
    b.decoder.layers[0].arbitraryEnde = 1;
    b.decoder.layers[2].expertWidths = {3072};
    return b;
}

QStringList highlighted(const ArchitectureFigure& f) {
    QStringList out;
    for (const ArchitectureFigure::Highlight& h : f.highlights())
        out << h.what;
    out.sort();
    return out;
}

const ArchitectureFigure::Highlight* find(const std::vector<ArchitectureFigure::Highlight>& all,
                                          const QString& what) {
    for (const auto& h : all)
        if (h.what == what) return &h;
    return nullptr;
}

// Pixels (of a 1x render) within a small distance of `colour`.
int pixelsNear(const QImage& image, const QColor& colour, int tolerance = 10) {
    int n = 0;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x)
            n += std::abs(qRed(line[x]) - colour.red()) + std::abs(qGreen(line[x]) - colour.green()) +
                     std::abs(qBlue(line[x]) - colour.blue()) <=
                 tolerance;
    }
    return n;
}

CandidateRow candidate(const char* key, qint64 id, const Architecture& a, double fitness, double flops,
                       std::optional<double> latency) {
    CandidateRow c;
    c.generation = 0;
    c.architecture.id = id;
    c.architecture.key = key;
    c.architecture.json = architectureToJson(a);
    c.fitness = fitness;
    c.flops = flops;
    c.latencyMs = latency;
    return c;
}

void applyCandidates(RunDocument& doc, const std::vector<CandidateRow>& rows) {
    FeedBatch batch;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        batch.events.push_back(Event::candidate(doc.runId(), rows[i]));
        batch.events.back().seq = std::int64_t(i + 1);
    }
    doc.apply(batch);
}

// What the figure highlights in the diff of archA() with archB(), checked by hand, sorted: on both sides
// encoder layer 1 (its expert width), decoder layer 1 (its attended encoder layers) and decoder layer 3
// (its expert count and slots 2-4).
QStringList archAAndBHighlights() {
    QStringList expected;
    for (const QString side : {"A ", "B "})
        expected << side + "encoder layer 1" << side + "encoder layer 1 slot 1" << side + "decoder layer 1"
                 << side + "decoder layer 1 ende_layers" << side + "decoder layer 3"
                 << side + "decoder layer 3 experts" << side + "decoder layer 3 slot 2"
                 << side + "decoder layer 3 slot 3" << side + "decoder layer 3 slot 4";
    expected.sort();
    return expected;
}

} // namespace

class TestArchitectureDiffView : public QObject {
    Q_OBJECT

private slots:
    void highlightsExactlyWhatDiffersOnBothSides() {
        ArchitectureFigure f;
        f.setDiff(archA(), archB(), "Diff", {"A · left", "a", std::nullopt},
                  {"B · right", "b", std::nullopt});
        QVERIFY(f.isDiff());
        QVERIFY(f.hasArchitecture());
        QCOMPARE(f.side(0).architecture(), archA());
        QCOMPARE(f.side(1).architecture(), archB());
        QCOMPARE(highlighted(f), archAAndBHighlights());
        // Both sides share rows and slots: B's dense layer 3 shows A's extra experts as empty slots.
        QCOMPARE(f.side(0).size(), f.side(1).size());

        // What is listed is painted: the outline colour on the top border of a differing layer, not on a
        // layer that is the same on both sides; the marker over a differing expert bar.
        const QImage image = FigureExporter::renderImage(f, 1.0);
        const auto all = f.highlights();
        const FigurePalette& pal = f.palette();
        const QRectF changed = find(all, "B decoder layer 3")->rect;
        const QPoint onBorder(int(changed.center().x()), int(std::floor(changed.top() - 1.5)));
        QVERIFY2(pixelsNear(image.copy(QRect(onBorder - QPoint(3, 2), QSize(7, 5))), pal.diffOutline, 40) > 0,
                 "no outline on B's decoder layer 3");
        const QRectF encoder1 = find(all, "A encoder layer 1")->rect;
        // Encoder layer 2 is the row above layer 1 (layer 1 at the bottom): the same x, one row up.
        const QPoint sameBorder(int(encoder1.center().x()),
                                int(std::floor(encoder1.top() - encoder1.height() - 8 - 1.5)));
        QCOMPARE(pixelsNear(image.copy(QRect(sameBorder - QPoint(3, 2), QSize(7, 5))), pal.diffOutline, 40),
                 0);
        const QRectF slot = find(all, "A encoder layer 1 slot 1")->rect;
        const QColor marked = image.pixelColor(int(slot.right() - 4), int(slot.center().y()));
        QVERIFY2(marked.red() > 230 && marked.green() > 200 && marked.blue() < 200,
                 qPrintable(marked.name())); // yellow over the white label area
        QVERIFY(pixelsNear(image, pal.diffOutline) > 200);
    }

    void identicalArchitecturesHighlightNothing() {
        ArchitectureFigure f;
        Architecture same = archA();
        same.decoder.layers[1].topK = 4; // a dense layer's top-k: the same network
        f.setDiff(archA(), same, "Diff", {"A", "", std::nullopt}, {"B", "", std::nullopt});
        QVERIFY(f.diff()->identical());
        QVERIFY(f.highlights().empty());
        QCOMPARE(pixelsNear(FigureExporter::renderImage(f, 1.0), f.palette().diffOutline, 10), 0);
        QVERIFY(f.subtitle().contains("nothing differs"));
        // A single architecture has no highlights either.
        ArchitectureFigure single;
        single.setArchitecture(archA(), "One");
        QVERIFY(single.highlights().empty());
        QVERIFY(!single.isDiff());
    }

    void aLayerOnOneSideOnly() {
        Architecture b = archA();
        b.decoder.layers.pop_back();
        ArchitectureFigure f;
        f.setDiff(archA(), b, "Diff", {"A", "", std::nullopt}, {"B", "", std::nullopt});
        QCOMPARE(highlighted(f), QStringList({"A decoder header", "A decoder layer 3", "B decoder header",
                                              "B decoder layer 3"}));
        // B's side draws the layer it lacks as a skipped row, so the rows line up.
        QCOMPARE(f.side(1).size(), f.side(0).size());
        QVERIFY(f.side(1)
                    .toolTipAt(find(f.side(1).highlights(), "decoder layer 3")->rect.center())
                    .contains("only in A"));
    }

    void costDeltaLine() {
        ArchitectureFigure f;
        f.setDiff(archA(), archB(), "Diff", {"A", "", 4.0}, {"B", "", 3.0});
        const ArchitectureCost a = CostModel::evaluate(archA()), b = CostModel::evaluate(archB());
        const QString minus = QStringLiteral("\u2212");
        const QString line = f.deltaLine();
        auto delta = [&minus](double v) {
            return (v > 0   ? QString("+")
                    : v < 0 ? minus
                            : QString()) +
                   QString::fromStdString(formatSI(std::abs(v)));
        };
        QVERIFY2(line.startsWith("B " + minus + " A:"), qPrintable(line));
        // B drops three experts and narrows an FFN (fewer parameters) but attends to more encoder layers.
        QVERIFY(b.paramsHat < a.paramsHat && b.flopsHat > a.flopsHat);
        QVERIFY2(line.contains("Params (HAT) " + delta(double(b.paramsHat - a.paramsHat))), qPrintable(line));
        QVERIFY2(line.contains("Active params " + delta(double(b.paramsActive - a.paramsActive))),
                 qPrintable(line));
        QVERIFY2(line.contains("FLOPs (HAT) " + delta(b.flopsHat - a.flopsHat)), qPrintable(line));
        QVERIFY2(line.contains("Latency " + minus + "1.00 ms (" + minus + "25.0 %)"), qPrintable(line));
    }

    void theMainWindowDiffsCandidatesAndFiles() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        QStringList& errors = rig.errors;
        RunDocument* doc = window.runDocument();
        doc->reset("db", 7);
        Architecture c = archB();
        c.decoder.embedDim = 640;
        applyCandidates(*doc, {candidate("ka", 1, archA(), 4.5, 300, 5.0),
                               candidate("kb", 2, archB(), 4.8, 200, 4.0),
                               candidate("kc", 3, c, 4.9, 100, std::nullopt)});
        ArchitectureView* view = window.architectureView();

        // Nothing selected: no diff.
        QVERIFY(!doc->diffWithSelected("kb"));
        doc->select("ka");
        QVERIFY(!view->isDiff());
        QVERIFY(!doc->diffWithSelected("ka"));
        QSignalSpy diffs(doc, &RunDocument::diffChanged);
        QVERIFY(doc->diffWithSelected("kb"));
        QCOMPARE(diffs.count(), 1);
        QVERIFY(view->isDiff());
        QCOMPARE(view->figure().side(0).architecture(), archA());
        QCOMPARE(view->figure().side(1).architecture(), archB());
        QCOMPARE(view->figure().side(0).title(), QString("A · Architecture #1"));
        QCOMPARE(view->figure().side(1).title(), QString("B · Architecture #2"));
        QCOMPARE(view->figure().title(), QString("Architecture diff · run 7"));
        QCOMPARE(*view->figure().diff()->latencyA, 5.0);
        QVERIFY(view->figure().deltaLine().contains("Latency"));
        // The candidate table tints B's row (and only it) and says why in its tooltip.
        const CandidateTableModel* rows = window.findChild<CandidateTableView*>()->model();
        auto tinted = [rows](const char* key) {
            return rows
                ->data(rows->index(rows->rowOfKey(key), CandidateTableModel::FitnessColumn),
                       Qt::BackgroundRole)
                .isValid();
        };
        QVERIFY(tinted("kb"));
        QVERIFY(!tinted("ka"));
        QVERIFY(!tinted("kc"));
        QVERIFY(rows->data(rows->index(rows->rowOfKey("kb"), CandidateTableModel::IdColumn), Qt::ToolTipRole)
                    .toString()
                    .contains("B of the architecture diff"));

        // File > Export… path: the diff figure as PNG at twice its size, and SVG.
        const QString png = rig.dir.filePath("diff.png");
        QVERIFY(window.exportView(png));
        const QImage written(png);
        QCOMPARE(written.size(), QSize(int(std::ceil(view->figure().size().width() * 2)),
                                       int(std::ceil(view->figure().size().height() * 2))));
        QVERIFY(window.exportView(rig.dir.filePath("diff.svg")));
        QVERIFY(QFileInfo(rig.dir.filePath("diff.svg")).size() > 10000);

        // A new selection ends the diff and shows that candidate alone.
        QVERIFY(window.paretoView()->diffPoint());
        doc->select("kc");
        QVERIFY(!window.paretoView()->diffPoint());
        QVERIFY(!view->isDiff());
        QCOMPARE(view->architecture(), c);
        QCOMPARE(doc->diffKey(), QString());
        QCOMPARE(diffs.count(), 2);
        QVERIFY(!tinted("kb")); // the diff ended: no row tinted

        // Ctrl+click on a point of the Pareto view diffs it with the selection (kc), which stays selected.
        ParetoView* pareto = window.paretoView();
        window.findChild<QDockWidget*>("paretoDock")->raise();
        QTRY_VERIFY(pareto->isVisible());
        pareto->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QTest::mouseClick(pareto->plot(), Qt::LeftButton, Qt::ControlModifier,
                          pareto->pixelFor(200, 4.8).toPoint());
        QCOMPARE(doc->diffKey(), QString("kb"));
        QCOMPARE(doc->selectedKey(), QString("kc"));
        QCOMPARE(pareto->selectedKey(), QString("kc"));
        QCOMPARE(pareto->diffPoint(), std::optional<QPointF>(QPointF(200, 4.8))); // B ringed too
        QVERIFY(view->isDiff());
        QCOMPARE(view->figure().side(1).architecture(), archB());
        // B (kb) has the decoder's d_model 512, A (kc) 640: the decoder header is highlighted.
        QVERIFY(highlighted(view->figure()).contains("A decoder header"));

        // The candidate table names the row under the mouse; a right press does not select it.
        CandidateTableView* table = window.candidateTable();
        window.findChild<QDockWidget*>("candidatesDock")->raise();
        QTRY_VERIFY(table->isVisible());
        const int row = table->model()->rowOfKey("ka");
        const QModelIndex index = table->proxy()->mapFromSource(table->model()->index(row, 1));
        const QPoint at = table->table()->visualRect(index).center();
        QCOMPARE(table->keyAt(at), QString("ka"));
        QTest::mousePress(table->table()->viewport(), Qt::RightButton, Qt::NoModifier, at);
        QTest::mouseRelease(table->table()->viewport(), Qt::RightButton, Qt::NoModifier, at);
        QCOMPARE(doc->selectedKey(), QString("kc"));

        // Two files; then one file against the architecture shown; a bad file is named.
        const QString fa = rig.dir.filePath("a.yml"), fb = rig.dir.filePath("b.json"),
                      bad = rig.dir.filePath("bad.json");
        saveArchitecture(archA(), fa.toStdString());
        saveArchitecture(archB(), fb.toStdString());
        QVERIFY(window.diffArchitectureFiles(fa, fb));
        QCOMPARE(view->figure().side(0).title(), QString("A · a.yml"));
        QCOMPARE(highlighted(view->figure()).size(), 18);
        window.showCheapest();
        QVERIFY(!view->isDiff());
        const Architecture cheapest = view->architecture();
        QVERIFY(window.diffArchitectureFiles(QString(), fb));
        QCOMPARE(view->figure().side(0).architecture(), cheapest);
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"qkv_dim\": 512}");
        f.close();
        QVERIFY(errors.isEmpty());
        QVERIFY(!window.diffArchitectureFiles(fa, bad));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.front().startsWith(bad + ": "), qPrintable(errors.front()));
        QVERIFY(view->isDiff()); // the figure kept what it showed
    }

    // Candidates of two compared searches diffed with each other (A of run 9, B of run 8), through the same
    // document path as the shown search's: the figure draws those two architectures, not the shown search's
    // candidate of the same key, and highlights exactly what differs between archA and archB (the
    // hand-checked list of highlightsExactlyWhatDiffersOnBothSides); the table tints B's row of run 8 only.
    void diffsCandidatesOfTwoComparedSearches() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        RunDocument* doc = window.runDocument();
        doc->reset("db", 7);
        // The shown search's "kb" is another architecture than run 8's "kb": found by run, not by key alone.
        Architecture c = archB();
        c.decoder.embedDim = 640;
        applyCandidates(*doc, {candidate("kb", 1, c, 4.9, 100, std::nullopt),
                               candidate("kd", 2, archA(), 4.5, 300, 5.0)});
        window.showComparison(8, {candidate("kb", 11, archB(), 4.1, 150, 3.0)});
        window.showComparison(9, {candidate("ka", 21, archA(), 4.2, 500, 6.0)});
        QCOMPARE(doc->comparedSearches(), (QList<qint64>{8, 9}));
        ArchitectureView* view = window.architectureView();
        CandidateTableView* table = window.candidateTable();

        // A: run 9's candidate, selected in the table, drawn alone.
        QVERIFY(table->selectComparedCandidate("run 9", "ka"));
        QCOMPARE(doc->selectedRun(), qint64(9));
        QVERIFY(!view->isDiff());
        QCOMPARE(view->architecture(), archA());
        QCOMPARE(view->figure().title(), QString("Architecture #21 of run 9"));

        // B: Ctrl+click on run 8's front point in the Pareto view.
        ParetoView* pareto = window.paretoView();
        window.findChild<QDockWidget*>("paretoDock")->raise();
        QTRY_VERIFY(pareto->isVisible() && pareto->plot()->width() > 200 && pareto->plot()->height() > 150);
        pareto->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QTest::mouseClick(pareto->plot(), Qt::LeftButton, Qt::ControlModifier,
                          pareto->pixelFor(150, 4.1).toPoint());
        QCOMPARE(doc->diffKey(), QString("kb"));
        QCOMPARE(doc->diffRun(), qint64(8));
        QCOMPARE(doc->selectedRun(), qint64(9)); // A stays selected
        QVERIFY(view->isDiff());
        QCOMPARE(view->figure().side(0).architecture(), archA());
        QCOMPARE(view->figure().side(1).architecture(), archB());
        QCOMPARE(view->figure().title(), QString("Architecture diff · run 9 against run 8"));
        QCOMPARE(view->figure().side(0).title(), QString("A · Architecture #21 of run 9"));
        QCOMPARE(view->figure().side(1).title(), QString("B · Architecture #11 of run 8"));
        QCOMPARE(highlighted(view->figure()), archAAndBHighlights());
        QCOMPARE(*view->figure().diff()->latencyA, 6.0);
        QCOMPARE(*view->figure().diff()->latencyB, 3.0);
        // B ringed on run 8's overlay, its row (of run 8, not the shown search's kb) tinted.
        QCOMPARE(pareto->diffPoint(), std::optional<QPointF>(QPointF(150, 4.1)));
        const CandidateTableModel* rows = table->model();
        auto tinted = [rows](int row) {
            return rows->data(rows->index(row, CandidateTableModel::FitnessColumn), Qt::BackgroundRole)
                .isValid();
        };
        QCOMPARE(rows->diffRow(), rows->rowOfComparedKey("run 8", "kb"));
        QVERIFY(tinted(rows->rowOfComparedKey("run 8", "kb")));
        QVERIFY(!tinted(rows->rowOfKey("kb")));
        QVERIFY(!tinted(rows->rowOfComparedKey("run 9", "ka")));

        // B of the shown search instead (the table's context menu does this): the shown kb, 640 wide.
        QVERIFY(doc->diffWithSelected(7, "kb"));
        QCOMPARE(doc->diffRun(), qint64(0));
        QCOMPARE(view->figure().side(1).architecture(), c);
        QVERIFY(highlighted(view->figure()).contains("B decoder header"));
        QVERIFY(tinted(rows->rowOfKey("kb")));
        QVERIFY(!tinted(rows->rowOfComparedKey("run 8", "kb")));
        QCOMPARE(view->figure().title(), QString("Architecture diff · run 9 against run 7"));
        // The selected candidate itself and a run not compared are refused.
        QVERIFY(!doc->diffWithSelected(9, "ka"));
        QVERIFY(!doc->diffWithSelected(5, "kb"));
        // A run 8 candidate selected ends the diff and is drawn alone.
        doc->selectCandidate(8, "kb");
        QVERIFY(!view->isDiff());
        QCOMPARE(view->architecture(), archB());
        QCOMPARE(doc->diffKey(), QString());
    }
};

AUTOMOE_TEST_MAIN(TestArchitectureDiffView)
#include "tst_architecture_diff.moc"
