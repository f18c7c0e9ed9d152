// Pins what the analysis views show when searches are compared (Run > Compare with Selected Run), on a
// hand-built shown search of six candidates and a compared one of four: gene importance draws each search's
// bars side by side in one gene order, each led by the gene its own fitness follows; the candidate table
// lists the compared candidates with a run column that sorts and filters like the others, each search on its
// own front, and its compared rows link both ways with the Pareto view's overlay; the parallel coordinates
// draw B of the architecture diff.
#include "space/ArchitectureIO.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/CandidateFilterModel.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/GeneImportanceView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/plots/ParetoView.h"
#include "ui/run/RunDocument.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QDockWidget>
#include <QtTest/QtTest>
#include <fstream>
#include <qcustomplot.h>
#include <random>
#include <set>

using namespace automoe;
using namespace automoe::ui;

namespace {

Architecture arch(int encoderStep, int decoderLayers) {
    Architecture a;
    a.encoder.embedDim = 512 + 64 * encoderStep;
    a.decoder.embedDim = 512;
    LayerGene l;
    l.expertWidths = {1024};
    a.encoder.layers = {l};
    for (int k = 0; k < decoderLayers; ++k)
        a.decoder.layers.push_back(l);
    return a;
}

CandidateRow candidate(const std::string& key, const Architecture& a, double fitness, double flops,
                       int generation = 0) {
    CandidateRow c;
    c.generation = generation;
    c.architecture.key = key;
    c.architecture.json = architectureToJson(a);
    c.fitness = fitness;
    c.flops = flops;
    return c;
}

// The shown search (run 1): (flops, fitness), front k1, k6, k2, k3, k5; k4 dominated by k2.
std::vector<CandidateRow> shownRows() {
    return {candidate("k1", arch(0, 1), 5.0, 100),    candidate("k2", arch(1, 2), 4.6, 200),
            candidate("k3", arch(2, 3), 4.4, 300, 1), candidate("k4", arch(3, 2), 4.8, 250, 1),
            candidate("k5", arch(4, 3), 4.2, 400, 2), candidate("k6", arch(5, 1), 4.9, 150, 2)};
}

// The compared search (run 2): its front c1 (120, 4.1), c3 (90, 4.5); c2 (130, 4.3) is dominated by c1, and
// k2 (an architecture both searches evaluated) at (210, 4.7) by c1 as well. On the shown search's front c1
// would dominate k3 and k6: each search is on its own front.
std::vector<CandidateRow> comparedRows() {
    return {candidate("c1", arch(1, 1), 4.1, 120), candidate("c2", arch(2, 1), 4.3, 130),
            candidate("c3", arch(3, 1), 4.5, 90), candidate("k2", arch(1, 2), 4.7, 210)};
}

void show(RunDocument& doc, const std::vector<CandidateRow>& rows, std::int64_t runId = 1) {
    FeedBatch batch;
    for (const CandidateRow& c : rows)
        batch.events.push_back(Event::candidate(runId, c));
    doc.apply(batch);
}

QStringList shownKeys(const CandidateTableView& view, bool withRun = false) {
    QStringList keys;
    for (int r = 0; r < view.proxy()->rowCount(); ++r) {
        const int row = view.proxy()->mapToSource(view.proxy()->index(r, 0)).row();
        keys << (withRun ? QString::number(view.model()->runAt(row)) + ":" : QString()) +
                    view.model()->keyAt(row);
    }
    return keys;
}

// Search candidates whose fitness follows one gene: decoder depth (byDepth) or encoder width.
std::vector<CandidateRow> drivenRows(bool byDepth, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<CandidateRow> rows;
    for (int i = 0; i < 90; ++i) {
        const int step = int(rng() % 6), layers = 1 + int(rng() % 3);
        const double fitness = byDepth ? 7.0 - 0.75 * layers : 7.0 - 0.2 * step;
        rows.push_back(candidate("a" + std::to_string(i), arch(step, layers), fitness, 100 + i, i / 30));
    }
    return rows;
}

} // namespace

class TestComparedSearches : public QObject {
    Q_OBJECT

private slots:
    void importanceShowsComparedSearchesSideBySide() {
        RunDocument doc;
        doc.reset(QString(), 1);
        GeneImportanceView view;
        view.resize(700, 500);
        view.setDocument(&doc);
        QSignalSpy shown(&view, &GeneImportanceView::reportShown);
        show(doc, drivenRows(true, 4));
        QVERIFY(shown.wait(10000));
        QVERIFY(!view.comparison());
        QCOMPARE(view.bars().front().first, QString("dec_layers"));

        view.setOverlay("run 2", drivenRows(false, 5));
        QVERIFY(shown.wait(10000)); // computed on a worker thread
        QVERIFY(view.comparison());
        const GeneImportanceComparison& c = *view.comparison();
        QCOMPARE(view.seriesNames(), (QStringList{"run 1 (shown)", "run 2"}));
        QCOMPARE(c.importance.size(), std::size_t(2));
        QCOMPARE(c.candidates, (std::vector<int>{90, 90}));
        // Each search's largest bar is its own gene; both lead the shared order.
        for (std::size_t s = 0; s < 2; ++s) {
            const auto top = std::max_element(c.importance[s].begin(), c.importance[s].end());
            QCOMPARE(c.genes[std::size_t(top - c.importance[s].begin())],
                     std::string(s == 0 ? "dec_layers" : "enc_embed"));
            QVERIFY(*top > 0.99);
        }
        QCOMPARE((std::set<std::string>{c.genes[0], c.genes[1]}),
                 (std::set<std::string>{"dec_layers", "enc_embed"}));
        // Drawn: two bar series in a group over the same genes, a legend entry each, the shown one first.
        QList<QCPBars*> bars;
        for (int i = 0; i < view.plot()->plottableCount(); ++i)
            if (auto* b = qobject_cast<QCPBars*>(view.plot()->plottable(i))) bars << b;
        QCOMPARE(bars.size(), 2);
        QVERIFY(bars[0]->barsGroup() && bars[0]->barsGroup() == bars[1]->barsGroup());
        QCOMPARE(bars[0]->data()->size(), int(c.genes.size()));
        QCOMPARE(bars[1]->data()->size(), int(c.genes.size()));
        QVERIFY(view.plot()->legend->visible());
        QCOMPARE(view.plot()->legend->itemCount(), 2);
        QCOMPARE(qobject_cast<QCPPlottableLegendItem*>(view.plot()->legend->item(0))->plottable()->name(),
                 QString("run 1 (shown)"));
        // The shown search's bars: its values in the shared order.
        const auto shownBars = view.bars();
        QCOMPARE(shownBars.size(), int(c.genes.size()));
        for (int k = 0; k < shownBars.size(); ++k) {
            QCOMPARE(shownBars[k].first, QString::fromStdString(c.genes[std::size_t(k)]));
            QCOMPARE(shownBars[k].second, c.importance[0][std::size_t(k)]);
        }

        // Removed: the shown search alone again, one series, no legend.
        view.removeOverlay("run 2");
        QVERIFY(!view.comparison());
        int series = 0;
        for (int i = 0; i < view.plot()->plottableCount(); ++i)
            series += qobject_cast<QCPBars*>(view.plot()->plottable(i)) ? 1 : 0;
        QCOMPARE(series, 1);
        QVERIFY(!view.plot()->legend->visible());
        QCOMPARE(view.bars().front().first, QString("dec_layers"));
    }

    void tableListsComparedCandidatesWithTheirRun_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("sortColumn"); // -1: the run column
        QTest::addColumn<int>("order");
        QTest::addColumn<QStringList>("rows"); // run:key, in the order shown
        QTest::newRow("every row by fitness")
            << "" << int(CandidateTableModel::FitnessColumn) << int(Qt::AscendingOrder)
            << QStringList{"2:c1", "1:k5", "2:c2", "1:k3", "2:c3", "1:k2", "2:k2", "1:k4", "1:k6", "1:k1"};
        QTest::newRow("run descending, ties in model order")
            << "" << -1 << int(Qt::DescendingOrder)
            << QStringList{"2:k2", "2:c3", "2:c2", "2:c1", "1:k6", "1:k5", "1:k4", "1:k3", "1:k2", "1:k1"};
        QTest::newRow("the compared run only")
            << "run=2" << int(CandidateTableModel::FlopsColumn) << int(Qt::AscendingOrder)
            << QStringList{"2:c3", "2:c1", "2:c2", "2:k2"};
        // Each search on its own front: c1 would dominate k3 and k6, k2 of run 2 is off run 2's front.
        QTest::newRow("on a front, by flops")
            << "front=yes" << int(CandidateTableModel::FlopsColumn) << int(Qt::AscendingOrder)
            << QStringList{"2:c3", "1:k1", "2:c1", "1:k6", "1:k2", "1:k3", "1:k5"};
        QTest::newRow("the shown run's off-front rows")
            << "run=1 front=no" << int(CandidateTableModel::FitnessColumn) << int(Qt::AscendingOrder)
            << QStringList{"1:k4"};
        QTest::newRow("a key both evaluated")
            << "key~k2" << -1 << int(Qt::AscendingOrder) << QStringList{"1:k2", "2:k2"};
        QTest::newRow("a range of runs") << "run=2..5 fitness<4.4" << int(CandidateTableModel::FitnessColumn)
                                         << int(Qt::AscendingOrder) << QStringList{"2:c1", "2:c2"};
    }

    void tableListsComparedCandidatesWithTheirRun() {
        QFETCH(QString, filter);
        QFETCH(int, sortColumn);
        QFETCH(int, order);
        QFETCH(QStringList, rows);
        RunDocument doc;
        doc.reset(QString(), 1);
        show(doc, shownRows());
        CandidateTableView view;
        view.setDocument(&doc);
        CandidateTableModel* model = view.model();
        QVERIFY(view.table()->isColumnHidden(model->runColumn())); // nothing compared yet
        model->setComparedRun(2, "run 2", comparedRows());
        QVERIFY(!view.table()->isColumnHidden(model->runColumn()));
        QCOMPARE(view.table()->horizontalHeader()->visualIndex(model->runColumn()), 0); // shown first
        QCOMPARE(model->columnOf("run"), model->runColumn());
        QCOMPARE(model->rowCount(), 10);
        view.table()->sortByColumn(sortColumn < 0 ? model->runColumn() : sortColumn, Qt::SortOrder(order));
        QString error;
        QVERIFY2(view.setFilterText(filter, &error), qPrintable(error));
        QCOMPARE(shownKeys(view, true), rows);
    }

    void comparedRowsStayApartFromTheShownSearch() {
        RunDocument doc;
        doc.reset(QString(), 1);
        show(doc, shownRows());
        CandidateTableView view;
        view.setDocument(&doc);
        CandidateTableModel* model = view.model();
        model->setComparedRun(2, "run 2", comparedRows());
        // A key both searches evaluated: rowOfKey is the shown search's row, the compared one is found by
        // its search; the run column's text and the tooltip say which.
        const int shownK2 = model->rowOfKey("k2"), comparedK2 = model->rowOfComparedKey("run 2", "k2");
        QVERIFY(shownK2 >= 0 && comparedK2 >= 0 && shownK2 != comparedK2);
        QVERIFY(!model->isCompared(shownK2) && model->isCompared(comparedK2));
        QCOMPARE(model->value(comparedK2, CandidateTableModel::FitnessColumn), 4.7);
        QCOMPARE(model->index(comparedK2, model->runColumn()).data().toString(), QString("2"));
        QCOMPARE(model->index(shownK2, model->runColumn()).data().toString(), QString("1"));
        QVERIFY(
            model->index(comparedK2, model->runColumn()).data(Qt::ToolTipRole).toString().contains("run 2"));
        // The records (what the CSV writes) are every row's, each with its run.
        QCOMPARE(model->records().size(), std::size_t(10));
        QCOMPARE(model->records()[std::size_t(comparedK2)].run, std::int64_t(2));
        QCOMPARE(model->records()[std::size_t(shownK2)].run, std::int64_t(1));
        // New candidates of the shown search keep arriving after the compared rows.
        show(doc, {candidate("k7", arch(0, 2), 4.0, 500, 3)});
        QCOMPARE(model->rowCount(), 11);
        QCOMPARE(model->runAt(model->rowOfKey("k7")), qint64(1));
        QCOMPARE(model->value(model->rowOfKey("k7"), CandidateTableModel::FrontColumn), 1.0);
        // The compared search's front did not change: c1 and c3.
        QStringList front2;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->isCompared(r) && model->value(r, CandidateTableModel::FrontColumn) > 0)
                front2 << model->keyAt(r);
        front2.sort();
        QCOMPARE(front2, (QStringList{"c1", "c3"}));
        // Another run shown: the compared rows stay (as the Pareto view keeps its overlays).
        doc.reset(QString(), 3);
        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(model->rowOfComparedKey("run 2", "c1") >= 0, true);
        show(doc, shownRows(), 3);
        QCOMPARE(model->rowCount(), 10);
        QCOMPARE(model->runAt(model->rowOfKey("k1")), qint64(3));
        // Removed: the run column hides again.
        model->removeComparedRun(2);
        QCOMPARE(model->rowCount(), 6);
        QVERIFY(view.table()->isColumnHidden(model->runColumn()));
        QCOMPARE(model->rowOfKey("k5"), 4);
        QCOMPARE(model->rowOfComparedKey("run 2", "c1"), -1);
    }

    // File > Export Candidates CSV with a search compared: every candidate of both, each with its run and on
    // or off its own search's front, reads back as written; the filtered export keeps the order shown.
    void csvOfComparedSearchesRoundTripsWithTheirRun() {
        RunDocument doc;
        doc.reset(QString(), 1);
        show(doc, shownRows());
        CandidateTableView view;
        view.setDocument(&doc);
        CandidateTableModel* model = view.model();
        model->setComparedRun(2, "run 2", comparedRows());
        QTemporaryDir dir;
        const QString all = dir.filePath("all.csv"), shown = dir.filePath("shown.csv");
        QVERIFY(view.exportCsv(all));
        std::ifstream in(all.toStdString());
        std::string header;
        std::getline(in, header);
        QCOMPARE(QString::fromStdString(header).section(',', 0, 2), QString("run,arch_id,arch_key"));
        in.seekg(0);
        const std::vector<CandidateRecord> back = readCandidatesCsv(in);
        QVERIFY(back == model->records());
        QStringList rows; // run:key:on front, in model order
        for (const CandidateRecord& r : back)
            rows << QString("%1:%2:%3").arg(r.run).arg(QString::fromStdString(r.key)).arg(r.onFront ? 1 : 0);
        QCOMPARE(rows, (QStringList{"1:k1:1", "1:k2:1", "1:k3:1", "1:k4:0", "1:k5:1", "1:k6:1", "2:c1:1",
                                    "2:c2:0", "2:c3:1", "2:k2:0"}));
        // Each row's numbers are its own search's: k2 is 4.6 at 200 FLOPs in run 1, 4.7 at 210 in run 2.
        QCOMPARE(back[1].fitness, 4.6);
        QCOMPARE(back[9].fitness, 4.7);
        QCOMPARE(back[9].flops, 210.0);
        QCOMPARE(
            back[6].genes[std::size_t(model->columnOf("enc_embed") - CandidateTableModel::FirstGeneColumn)],
            576.0); // c1: 512 + 64

        // The rows shown: both k2, run descending.
        view.table()->sortByColumn(model->runColumn(), Qt::DescendingOrder);
        QVERIFY(view.setFilterText("key~k2"));
        QVERIFY(view.exportCsv(shown, true));
        std::ifstream inShown(shown.toStdString());
        const std::vector<CandidateRecord> backShown = readCandidatesCsv(inShown);
        QCOMPARE(backShown.size(), std::size_t(2));
        QCOMPARE(backShown[0].run, std::int64_t(2));
        QCOMPARE(backShown[0].fitness, 4.7);
        QCOMPARE(backShown[1].run, std::int64_t(1));
        QCOMPARE(backShown[1].fitness, 4.6);
    }

    void comparedRowsLinkWithTheParetoOverlay() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        window.runDocument()->reset("db", 1);
        show(*window.runDocument(), shownRows());
        window.showComparison(2, comparedRows());
        ParetoView* pareto = window.paretoView();
        CandidateTableView* table = window.candidateTable();
        QCOMPARE(pareto->overlayNames(), QStringList{"run 2"});
        QCOMPARE(table->model()->comparedRuns(), QList<qint64>{2});
        QCOMPARE(window.importanceView()->overlayNames(), QStringList{"run 2"});
        window.runDocument()->select("k3");
        RunDocument* doc = window.runDocument();
        ArchitectureView* figure = window.architectureView();
        QCOMPARE(figure->architecture(), arch(2, 3));

        // Table -> Pareto and figure: the compared row c2 (off its front) is the document's selection, of
        // run 2: ringed on the overlay, drawn in the figure (its genes: encoder 512 + 2 * 64, one decoder
        // layer), and the shown search has none selected.
        auto selectRow = [&](int row) {
            table->table()->selectionModel()->setCurrentIndex(
                table->proxy()->mapFromSource(table->model()->index(row, 0)),
                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        };
        selectRow(table->model()->rowOfComparedKey("run 2", "c2"));
        QCOMPARE(pareto->comparedMark(), std::optional<QPointF>(QPointF(130, 4.3)));
        QCOMPARE(doc->selectedKey(), QString("c2"));
        QCOMPARE(doc->selectedRun(), qint64(2));
        QCOMPARE(pareto->selectedKey(), QString());
        QCOMPARE(figure->architecture(), arch(2, 1));
        QCOMPARE(figure->architecture().encoder.embedDim, 640);
        QCOMPARE(figure->architecture().decoder.layers.size(), std::size_t(1));
        QVERIFY2(figure->figure().title().contains("run 2"), qPrintable(figure->figure().title()));
        // The compared k2 is run 2's row, not the shown search's k2.
        selectRow(table->model()->rowOfComparedKey("run 2", "k2"));
        QCOMPARE(doc->selectedRun(), qint64(2));
        QCOMPARE(pareto->comparedMark(), std::optional<QPointF>(QPointF(210, 4.7)));
        QCOMPARE(pareto->selectedKey(), QString());
        // A row of the shown search: its selection, and the ring goes.
        selectRow(table->model()->rowOfKey("k5"));
        QCOMPARE(doc->selectedKey(), QString("k5"));
        QCOMPARE(doc->selectedRun(), qint64(0));
        QCOMPARE(pareto->selectedKey(), QString("k5"));
        QVERIFY(!pareto->comparedMark());
        QCOMPARE(figure->architecture(), arch(4, 3));

        // Pareto -> table and figure: a click on the overlay's front point c1 selects it, its row and
        // draws it.
        for (QWidget* w = pareto; w; w = w->parentWidget())
            if (auto* dock = qobject_cast<QDockWidget*>(w)) {
                dock->show();
                dock->raise();
                break;
            }
        QTRY_VERIFY(pareto->isVisible() && pareto->plot()->width() > 200 && pareto->plot()->height() > 150);
        pareto->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QTest::mouseClick(pareto->plot(), Qt::LeftButton, Qt::NoModifier,
                          pareto->pixelFor(120, 4.1).toPoint());
        const int current = table->proxy()->mapToSource(table->table()->currentIndex()).row();
        QCOMPARE(table->model()->runAt(current), qint64(2));
        QCOMPARE(table->model()->keyAt(current), QString("c1"));
        QCOMPARE(pareto->comparedMark(), std::optional<QPointF>(QPointF(120, 4.1)));
        QCOMPARE(doc->selectedKey(), QString("c1"));
        QCOMPARE(doc->selectedRun(), qint64(2));
        QCOMPARE(figure->architecture(), arch(1, 1));
        // A live batch of the shown search does not take the compared row's selection away.
        show(*doc, {candidate("k7", arch(0, 2), 4.0, 500, 3)});
        QCOMPARE(table->model()->keyAt(table->proxy()->mapToSource(table->table()->currentIndex()).row()),
                 QString("c1"));
        QCOMPARE(doc->selectedKey(), QString("c1"));
        QCOMPARE(figure->architecture(), arch(1, 1));
        // A compared candidate the table's filter hides is still selected and drawn from the Pareto view.
        QVERIFY(table->setFilterText("run=1"));
        pareto->plot()->replot(QCustomPlot::rpImmediateRefresh);
        QTest::mouseClick(pareto->plot(), Qt::LeftButton, Qt::NoModifier,
                          pareto->pixelFor(90, 4.5).toPoint());
        QCOMPARE(doc->selectedKey(), QString("c3"));
        QCOMPARE(doc->selectedRun(), qint64(2));
        QCOMPARE(figure->architecture(), arch(3, 1));
        QCOMPARE(pareto->comparedMark(), std::optional<QPointF>(QPointF(90, 4.5)));
        // Comparisons cleared: a compared selection goes with its search.
        doc->removeComparedSearch(2);
        QCOMPARE(doc->selectedKey(), QString());
        QCOMPARE(doc->selectedRun(), qint64(0));
    }

    // B of the architecture diff is drawn over the lines at its own values; its end redraws no line.
    void parallelCoordinatesMarkTheDiffsB() {
        RunDocument doc;
        doc.reset(QString(), 1);
        CandidateTableView table;
        table.setDocument(&doc);
        ParallelCoordinatesView parallel;
        parallel.resize(900, 500);
        parallel.setTable(&table);
        show(doc, shownRows());
        QCoreApplication::processEvents(); // the queued redraw
        QVERIFY(parallel.diffLine().empty());
        doc.select("k1");
        QVERIFY(doc.diffWithSelected("k5"));
        const std::vector<QPointF> line = parallel.diffLine();
        const auto& axes = parallel.axisColumns();
        QCOMPARE(line.size(), axes.size()); // every axis has a value
        auto axisOf = [&](int column) {
            return int(std::find(axes.begin(), axes.end(), column) - axes.begin());
        };
        // k5: the lowest fitness (4.2 of 4.2..5.0) and the highest FLOPs (400 of 100..400), 3 of 1..3
        // decoder layers, encoder width 512 + 256 of 512..832.
        QCOMPARE(line[std::size_t(axisOf(CandidateTableModel::FitnessColumn))],
                 QPointF(axisOf(CandidateTableModel::FitnessColumn), 0.0));
        QCOMPARE(line[std::size_t(axisOf(CandidateTableModel::FlopsColumn))],
                 QPointF(axisOf(CandidateTableModel::FlopsColumn), 1.0));
        QCOMPARE(line[std::size_t(axisOf(table.model()->columnOf("dec_layers")))].y(), 1.0);
        QCOMPARE(line[std::size_t(axisOf(table.model()->columnOf("enc_embed")))].y(), 256.0 / 320.0);
        // The Pareto view rings the same candidate, the table tints it.
        QCOMPARE(table.model()->diffKey(), QString("k5"));
        // Ended by another selection: no line.
        doc.select("k2");
        QVERIFY(parallel.diffLine().empty());
        // A diff set before the view is built is drawn too; it survives a redraw of every line.
        doc.select("k6");
        QVERIFY(doc.diffWithSelected("k3"));
        ParallelCoordinatesView later;
        later.resize(900, 500);
        later.setTable(&table);
        QCOMPARE(later.diffLine().size(), axes.size());
        QCOMPARE(later.diffLine()[std::size_t(axisOf(CandidateTableModel::FlopsColumn))].y(), 200.0 / 300.0);
        show(doc, {candidate("k7", arch(0, 2), 4.0, 1000, 3)}); // a wider FLOPs range: every line redrawn
        QCoreApplication::processEvents();
        QCOMPARE(later.diffLine()[std::size_t(axisOf(CandidateTableModel::FlopsColumn))].y(), 200.0 / 900.0);
    }
};

AUTOMOE_TEST_MAIN(TestComparedSearches)
#include "tst_compared_searches.moc"
