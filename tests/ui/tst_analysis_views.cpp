// Pins the search analysis docks on a hand-built search of six candidates over three generations: the
// hypervolume view shows the hypervolume stored per generation (hand-computed) with its reference point, the
// same followed live through a RunPlayer and replayed from the store, and overlays a compared search
// recomputed in core; the user's zoom survives new generations. The candidate table sorts and filters right,
// copies and exports CSV that reads back, and its selection is the Pareto view's and the document's both
// ways. Gene importance ranks first the gene the fitness follows. Every new plot exports PNG, SVG and PDF.
#include "search/CandidateCsv.h"
#include "space/ArchitectureIO.h"
#include "store/RunStore.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/CandidateFilterModel.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/plots/CandidateTableView.h"
#include "ui/plots/GeneImportanceView.h"
#include "ui/plots/HypervolumeView.h"
#include "ui/plots/ParallelCoordinatesView.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/PolylineCloud.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"
#include "ui/widgets/TableCopy.h"

#include "MainWindowRig.h"
#include "TestMain.h"
#include <QtTest/QtTest>
#include <fstream>
#include <qcustomplot.h>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {

struct Fixture {
    const char* name;
    int generation;
    double fitness;
    double flops;
    int decoderLayers;
    std::optional<double> latency;
};

// (flops, fitness): the front is k1, k6, k2, k3, k5; k4 (250, 4.8) is dominated by k2 (200, 4.6).
const Fixture kFixture[] = {
    {"k1", 0, 5.0, 100, 1, {}}, {"k2", 0, 4.6, 200, 2, {}}, {"k3", 1, 4.4, 300, 3, 12.5},
    {"k4", 1, 4.8, 250, 2, {}}, {"k5", 2, 4.2, 400, 3, {}}, {"k6", 2, 4.9, 150, 1, {}},
};
// Hypervolume against (500 FLOPs, loss 5.5), by hand:
//   0: k1, k2             (200-100)(0.5) + (500-200)(0.9)                                   = 320
//   1: + k3, k4 (k4 off)  (200-100)(0.5) + (300-200)(0.9) + (500-300)(1.1)                  = 360
//   2: + k5, k6           (150-100)(0.5) + (200-150)(0.6) + (300-200)(0.9) + (400-300)(1.1)
//                         + (500-400)(1.3)                                                  = 385
const double kVolumes[] = {320, 360, 385};

Architecture fixtureArch(int i, int decoderLayers) {
    Architecture a;
    a.encoder.embedDim = 512 + 64 * i; // every fixture architecture differs
    a.decoder.embedDim = 512;
    LayerGene l;
    l.expertWidths = {1024};
    a.encoder.layers = {l};
    for (int k = 0; k < decoderLayers; ++k)
        a.decoder.layers.push_back(l);
    return a;
}

std::vector<CandidateRow> fixtureCandidates() {
    std::vector<CandidateRow> rows;
    int i = 0;
    for (const Fixture& f : kFixture) {
        const Architecture a = fixtureArch(i++, f.decoderLayers);
        CandidateRow c;
        c.generation = f.generation;
        c.architecture.id = i;
        c.architecture.key = f.name; // short keys the assertions can name
        c.architecture.json = architectureToJson(a);
        c.fitness = f.fitness;
        c.flops = f.flops;
        c.paramsActive = 1000 * i;
        c.latencyMs = f.latency;
        rows.push_back(c);
    }
    return rows;
}

GenerationRow fixtureGeneration(int g) {
    GenerationRow r;
    r.generation = g;
    r.hypervolume = kVolumes[g];
    r.referenceCost = 500;
    r.referenceFitness = 5.5;
    r.costMetric = "flops";
    return r;
}

// The fixture's events in log order: each generation's candidates, then its row.
std::vector<Event> fixtureEvents(std::int64_t runId) {
    std::vector<Event> events;
    const auto rows = fixtureCandidates();
    for (int g = 0; g < 3; ++g) {
        for (const CandidateRow& c : rows)
            if (c.generation == g) events.push_back(Event::candidate(runId, c));
        events.push_back(Event::generation(runId, fixtureGeneration(g)));
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].seq = std::int64_t(i + 1);
        events[i].timeMs = 1700000000000 + 40 * std::int64_t(i);
    }
    return events;
}

void applyAll(RunDocument& doc, const std::vector<Event>& events) {
    FeedBatch batch;
    batch.events = events;
    doc.apply(batch);
}

QStringList shownKeys(const CandidateFilterModel& proxy) {
    QStringList keys;
    for (int r = 0; r < proxy.rowCount(); ++r)
        keys << proxy.index(r, 0).data(CandidateTableModel::KeyRole).toString();
    return keys;
}

} // namespace

class TestAnalysisViews : public QObject {
    Q_OBJECT

private slots:
    void hypervolumeViewShowsTheStoredHypervolumePerGeneration() {
        RunDocument doc;
        doc.reset(QString(), 1);
        HypervolumeView view;
        view.setDocument(&doc);
        const std::vector<Event> events = fixtureEvents(1);
        // Generation by generation, as a live search delivers them.
        std::size_t at = 0;
        for (int g = 0; g < 3; ++g) {
            std::vector<Event> batch;
            while (at < events.size()) {
                batch.push_back(events[at]);
                if (events[at++].type == "generation") break;
            }
            applyAll(doc, batch);
            QCOMPARE(view.curve().size(), g + 1);
            QCOMPARE(view.curve().back(), QPointF(g, kVolumes[g]));
        }
        QVERIFY(view.reference());
        QCOMPARE(*view.reference(), QPointF(500, 5.5));
        QVERIFY2(view.referenceText().contains(QLatin1String("validation loss 5.5000")),
                 qPrintable(view.referenceText()));
        QVERIFY2(view.referenceText().contains(QLatin1String("500")), qPrintable(view.referenceText()));
        // A compared search, recomputed in core against this reference: the same candidates give the same
        // curve.
        view.setOverlay("run 2", fixtureCandidates());
        const QVector<QPointF> overlay = view.overlayCurve("run 2");
        QCOMPARE(overlay.size(), 3);
        for (int g = 0; g < 3; ++g) {
            QCOMPARE(overlay[g].x(), double(g));
            QCOMPARE(overlay[g].y(), kVolumes[g]);
        }
        view.removeOverlay("run 2");
        QVERIFY(view.overlayNames().isEmpty());
        // A generation logged again (a resumed run) replaces its point.
        applyAll(doc, {Event::generation(1, fixtureGeneration(2))});
        QCOMPARE(view.curve().size(), 3);
        doc.reset();
        QVERIFY(view.curve().isEmpty());
        QVERIFY(!view.reference());
    }

    void userZoomSurvivesNewGenerations() {
        RunDocument doc;
        doc.reset(QString(), 1);
        HypervolumeView view;
        view.resize(600, 400);
        view.setDocument(&doc);
        const std::vector<Event> events = fixtureEvents(1);
        applyAll(doc, {events.begin(), events.begin() + 3}); // generation 0
        view.plot()->xAxis->setRange(-0.2, 0.2);             // the user zooms in
        view.plot()->yAxis->setRange(300, 330);
        QVERIFY(!view.follow());
        applyAll(doc, {events.begin() + 3, events.end()});
        QCOMPARE(view.curve().size(), 3);
        QCOMPARE(view.plot()->xAxis->range().lower, -0.2);
        QCOMPARE(view.plot()->yAxis->range().upper, 330.0);
        view.setFollow(true); // Follow shows everything again
        QVERIFY(view.plot()->xAxis->range().upper >= 2);
        QVERIFY(view.plot()->yAxis->range().contains(385));
    }

    void liveAndReplayShowTheSameHypervolume() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        std::int64_t run = 0;
        {
            RunStore store(db.toStdString());
            RunSpec spec;
            spec.name = "hv";
            spec.kind = "search";
            run = store.createRun(spec);
        }
        // Followed while it is written...
        RunDocument live;
        HypervolumeView liveView;
        liveView.setDocument(&live);
        RunPlayer follower(&live);
        follower.follow(db, run);
        {
            RunStore store(db.toStdString());
            for (const Event& e : fixtureEvents(run))
                store.append(e);
            store.flush();
        }
        QTRY_COMPARE_WITH_TIMEOUT(liveView.curve().size(), 3, 20000);
        // ... and replayed from the store: the same path, the same curve and reference.
        RunDocument replay;
        HypervolumeView replayView;
        replayView.setDocument(&replay);
        RunPlayer player(&replay);
        player.openReplay(db, run);
        QTRY_VERIFY_WITH_TIMEOUT(player.lastSeq() > 0, 10000);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(replayView.curve().size(), 3, 10000);
        QCOMPARE(replayView.curve(), liveView.curve());
        for (int g = 0; g < 3; ++g)
            QCOMPARE(replayView.curve()[g].y(), kVolumes[g]);
        QCOMPARE(replayView.reference(), liveView.reference());
        QCOMPARE(replayView.referenceText(), liveView.referenceText());
    }

    void tableSortsByAnyColumn_data() {
        QTest::addColumn<QString>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QStringList>("keys");
        QTest::newRow("fitness ascending")
            << "fitness" << int(Qt::AscendingOrder) << QStringList{"k5", "k3", "k2", "k4", "k6", "k1"};
        QTest::newRow("flops descending")
            << "flops" << int(Qt::DescendingOrder) << QStringList{"k5", "k3", "k4", "k2", "k6", "k1"};
        // Ties keep the model's order; a missing latency sorts last.
        QTest::newRow("dec_layers ascending")
            << "dec_layers" << int(Qt::AscendingOrder) << QStringList{"k1", "k6", "k2", "k4", "k3", "k5"};
        QTest::newRow("latency ascending")
            << "latency" << int(Qt::AscendingOrder) << QStringList{"k3", "k1", "k2", "k4", "k5", "k6"};
        // Descending reverses the ties' order too.
        QTest::newRow("front descending")
            << "front" << int(Qt::DescendingOrder) << QStringList{"k6", "k5", "k3", "k2", "k1", "k4"};
        QTest::newRow("gen descending")
            << "gen" << int(Qt::DescendingOrder) << QStringList{"k6", "k5", "k4", "k3", "k2", "k1"};
        QTest::newRow("key descending")
            << "key" << int(Qt::DescendingOrder) << QStringList{"k6", "k5", "k4", "k3", "k2", "k1"};
    }

    void tableSortsByAnyColumn() {
        QFETCH(QString, column);
        QFETCH(int, order);
        QFETCH(QStringList, keys);
        RunDocument doc;
        doc.reset(QString(), 1);
        applyAll(doc, fixtureEvents(1));
        CandidateTableView view;
        view.setDocument(&doc);
        const int c = view.model()->columnOf(column);
        QVERIFY(c >= 0);
        view.table()->sortByColumn(c, Qt::SortOrder(order));
        QCOMPARE(shownKeys(*view.proxy()), keys);
    }

    void tableFiltersByAnyColumn_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("keys"); // sorted by fitness
        QTest::newRow("none") << "" << QStringList{"k5", "k3", "k2", "k4", "k6", "k1"};
        QTest::newRow("fitness") << "fitness<4.7" << QStringList{"k5", "k3", "k2"};
        QTest::newRow("range and generation") << "dec_layers=2..3 gen>=1" << QStringList{"k5", "k3", "k4"};
        QTest::newRow("off the front") << "front=no" << QStringList{"k4"};
        QTest::newRow("on the front, SI value") << "front=yes flops>=0.2k" << QStringList{"k5", "k3", "k2"};
        QTest::newRow("two bounds") << "flops<=200, fitness>4.8" << QStringList{"k6", "k1"};
        QTest::newRow("equality") << "gen=1" << QStringList{"k3", "k4"};
        QTest::newRow("latency known") << "latency<100" << QStringList{"k3"};
        QTest::newRow("key substring") << "key~k1" << QStringList{"k1"};
        QTest::newRow("bare word") << "K6" << QStringList{"k6"};
        QTest::newRow("not equal") << "enc_embed!=512" << QStringList{"k5", "k3", "k2", "k4", "k6"};
    }

    void tableFiltersByAnyColumn() {
        QFETCH(QString, filter);
        QFETCH(QStringList, keys);
        RunDocument doc;
        doc.reset(QString(), 1);
        applyAll(doc, fixtureEvents(1));
        CandidateTableView view;
        view.setDocument(&doc);
        view.table()->sortByColumn(CandidateTableModel::FitnessColumn, Qt::AscendingOrder);
        QString error;
        QVERIFY2(view.setFilterText(filter, &error), qPrintable(error));
        QCOMPARE(shownKeys(*view.proxy()), keys);
        // Rows that arrive later are filtered the same way.
        doc.reset(QString(), 1);
        const std::vector<Event> events = fixtureEvents(1);
        for (const Event& e : events)
            applyAll(doc, {e});
        QCOMPARE(shownKeys(*view.proxy()), keys);
    }

    void aBadFilterNamesTheTermAndKeepsTheLastOne() {
        RunDocument doc;
        doc.reset(QString(), 1);
        applyAll(doc, fixtureEvents(1));
        CandidateTableView view;
        view.setDocument(&doc);
        QVERIFY(view.setFilterText("gen=1"));
        QString error;
        QVERIFY(!view.setFilterText("gen=1 depth<3", &error));
        QVERIFY2(error.contains("depth"), qPrintable(error));
        QCOMPARE(view.filterError(), error);
        QCOMPARE(view.proxy()->rowCount(), 2);
        QVERIFY(!view.setFilterText("fitness<abc", &error));
        QVERIFY2(error.contains("abc"), qPrintable(error));
        QVERIFY(view.setFilterText(""));
        QVERIFY(view.filterError().isEmpty());
        QCOMPARE(view.proxy()->rowCount(), 6);
    }

    void frontFollowsTheParetoViewsCost() {
        RunDocument doc;
        doc.reset(QString(), 1);
        applyAll(doc, fixtureEvents(1));
        CandidateTableModel model;
        model.setDocument(&doc);
        auto onFront = [&] {
            QStringList keys;
            for (int r = 0; r < model.rowCount(); ++r)
                if (model.value(r, CandidateTableModel::FrontColumn) > 0) keys << model.keyAt(r);
            return keys;
        };
        QCOMPARE(onFront(), (QStringList{"k1", "k2", "k3", "k5", "k6"}));
        // On active parameters (1000 i): k1 (1000, 5.0), k2 (2000, 4.6), k3 (3000, 4.4), k5 (5000, 4.2).
        model.setCostMetric(CostMetric::ActiveParams);
        QCOMPARE(onFront(), (QStringList{"k1", "k2", "k3", "k5"}));
        // On latency only k3 has one.
        model.setCostMetric(CostMetric::Latency);
        QCOMPARE(onFront(), QStringList{"k3"});
    }

    void selectionLinksTheTableAndTheParetoViewBothWays() {
        RunDocument doc;
        doc.reset(QString(), 1);
        ParetoView pareto;
        pareto.setDocument(&doc);
        CandidateTableView table;
        table.setDocument(&doc);
        applyAll(doc, fixtureEvents(1));
        QSignalSpy selected(&doc, &RunDocument::selectionChanged);

        // Table -> document -> Pareto view.
        const int row = table.model()->rowOfKey("k3");
        const QModelIndex index = table.proxy()->mapFromSource(table.model()->index(row, 0));
        table.table()->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                    QItemSelectionModel::Rows);
        QCOMPARE(doc.selectedKey(), QString("k3"));
        QCOMPARE(pareto.selectedKey(), QString("k3"));
        QCOMPARE(selected.count(), 1);

        // A click on a point of the Pareto view -> document -> table.
        pareto.resize(900, 620);
        pareto.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pareto));
        pareto.plot()->replot(QCustomPlot::rpImmediateRefresh); // lays out the axis rect
        // (Not k5: the cheapest-to-grab budget handle sits on the plot's right edge, where the costliest
        // point is.)
        const QPoint at = pareto.pixelFor(200, 4.6).toPoint();
        QTest::mouseClick(pareto.plot(), Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(pareto.selectedKey(), QString("k2"));
        QCOMPARE(doc.selectedKey(), QString("k2"));
        QCOMPARE(table.selectedKey(), QString("k2"));
        QCOMPARE(table.table()->selectionModel()->selectedRows().size(), 1);

        // A selection the filter hides selects no row; the document keeps it.
        QVERIFY(table.setFilterText("gen=0"));
        doc.select("k6");
        QCOMPARE(table.selectedKey(), QString());
        doc.select("k1");
        QCOMPARE(table.selectedKey(), QString("k1"));
        QCOMPARE(pareto.selectedKey(), QString("k1"));
    }

    void copiesRowsAsTsvAndExportsCsvThatReadsBack() {
        RunDocument doc;
        doc.reset(QString(), 1);
        applyAll(doc, fixtureEvents(1));
        CandidateTableView view;
        view.setDocument(&doc);
        view.table()->sortByColumn(CandidateTableModel::FitnessColumn, Qt::AscendingOrder);
        QVERIFY(view.setFilterText("gen=1"));
        view.table()->selectAll();
        const QStringList lines = TableCopy::selectedRowsAsTsv(*view.table()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3); // the header and k3, k4
        QVERIFY(lines[0].startsWith("id\tgen\tfitness\t"));
        QVERIFY2(lines[1].startsWith("3\t1\t4.4000\t"), qPrintable(lines[1]));
        QVERIFY(lines[2].endsWith("\tk4"));

        QTemporaryDir dir;
        const QString all = dir.filePath("all.csv"), shown = dir.filePath("shown.csv");
        QVERIFY(view.exportCsv(all));
        QVERIFY(view.exportCsv(shown, true));
        std::ifstream inAll(all.toStdString()), inShown(shown.toStdString());
        const std::vector<CandidateRecord> readAll = readCandidatesCsv(inAll);
        const std::vector<CandidateRecord> readShown = readCandidatesCsv(inShown);
        QVERIFY(readAll == view.model()->records());
        QCOMPARE(readAll.size(), std::size_t(6));
        QCOMPARE(readShown.size(), std::size_t(2));
        QCOMPARE(readShown[0].key, std::string("k3")); // in the order shown
        QCOMPARE(readShown[0].latencyMs, std::optional<double>(12.5));
        QVERIFY(readShown[0].onFront);
        QVERIFY(!readShown[1].onFront);
        // Every row's genes are the architecture's.
        for (const CandidateRecord& r : readAll)
            QCOMPARE(r.genes[3], double(kFixture[r.archId - 1].decoderLayers)); // dec_layers
        QString error;
        QVERIFY(!view.exportCsv(dir.filePath("no/such/dir/x.csv"), false, &error));
        QVERIFY2(error.contains("x.csv"), qPrintable(error));
    }

    void aCandidateLoggedAgainReplacesItsRow() {
        RunDocument doc;
        doc.reset(QString(), 1);
        CandidateTableView view;
        view.setDocument(&doc);
        std::vector<CandidateRow> rows = fixtureCandidates();
        CandidateRow again = rows[3]; // k4, now on the front: fitness 4.5 at 250 FLOPs
        again.fitness = 4.5;
        FeedBatch batch;
        for (const CandidateRow& c : rows)
            batch.events.push_back(Event::candidate(1, c));
        batch.events.push_back(Event::candidate(1, again)); // twice in one batch
        doc.apply(batch);
        QCOMPARE(view.model()->rowCount(), 6);
        const int row = view.model()->rowOfKey("k4");
        QCOMPARE(view.model()->value(row, CandidateTableModel::FitnessColumn), 4.5);
        QCOMPARE(view.model()->value(row, CandidateTableModel::FrontColumn), 1.0);
        // And in a later batch: k3 (300, 4.4) worsened to 4.7 leaves the front (k4 dominates it).
        CandidateRow later = rows[2];
        later.fitness = 4.7;
        applyAll(doc, {Event::candidate(1, later)});
        QCOMPARE(view.model()->rowCount(), 6);
        QCOMPARE(view.model()->value(view.model()->rowOfKey("k3"), CandidateTableModel::FrontColumn), 0.0);
        // The rows are what the CLI writes (`automoe front --all --csv` builds them with candidateRecord).
        for (int r = 0; r < view.model()->rowCount(); ++r) {
            const CandidateRow* c = doc.candidate(view.model()->keyAt(r));
            QVERIFY(c);
            const bool front = view.model()->value(r, CandidateTableModel::FrontColumn) > 0;
            QVERIFY(view.model()->records()[std::size_t(r)] == candidateRecord(*c, front, 1));
        }
    }

    void importanceViewRanksTheGeneFitnessFollowsFirst() {
        RunDocument doc;
        doc.reset(QString(), 1);
        GeneImportanceView view;
        view.setDocument(&doc);
        QSignalSpy shown(&view, &GeneImportanceView::reportShown);
        // 120 candidates, fitness set by the decoder's depth alone.
        std::mt19937 rng(9);
        FeedBatch batch;
        for (int i = 0; i < 120; ++i) {
            const int layers = 1 + int(rng() % 3);
            Architecture a = fixtureArch(int(rng() % 6), layers);
            a.encoder.layers[0].selfHeads = (rng() % 2) ? 4 : 8;
            CandidateRow c;
            c.generation = i / 40;
            c.architecture.key = a.key() + "#" + std::to_string(i);
            c.architecture.json = architectureToJson(a);
            c.fitness = 7.0 - layers * 0.75;
            c.flops = 100 + i;
            batch.events.push_back(Event::candidate(1, c));
        }
        doc.apply(batch);
        QVERIFY(shown.wait(10000)); // computed on a worker thread
        QCOMPARE(view.report()->candidates, 120);
        QCOMPARE(view.bars().front().first, QString("dec_layers"));
        QCOMPARE(view.bars().front().second, 1.0);
        for (const auto& bar : view.bars())
            if (bar.first.startsWith("enc_")) QVERIFY2(bar.second < 0.1, qPrintable(bar.first));
        doc.reset();
        QVERIFY(!view.report());
    }

    // Brushing an axis range keeps exactly the candidates inside it, in the parallel coordinates, in the
    // table (the brushes are its filter) and so in what the table links to; a drag on an axis brushes, a
    // click on it clears the brush.
    void brushingSelectsExactlyTheCandidatesInTheRange() {
        RunDocument doc;
        doc.reset(QString(), 1);
        CandidateTableView table;
        table.setDocument(&doc);
        ParallelCoordinatesView parallel;
        parallel.resize(900, 500);
        parallel.setTable(&table);
        applyAll(doc, fixtureEvents(1));
        QCoreApplication::processEvents(); // the queued redraw
        const auto& axes = parallel.axisColumns();
        const int fitness =
            int(std::find(axes.begin(), axes.end(), int(CandidateTableModel::FitnessColumn)) - axes.begin());
        const int decLayers =
            int(std::find(axes.begin(), axes.end(), table.model()->columnOf("dec_layers")) - axes.begin());
        QVERIFY(fitness < int(axes.size()) && decLayers < int(axes.size()));
        auto keysOf = [&](const std::vector<int>& rows) {
            QStringList keys;
            for (int r : rows)
                keys << table.model()->keyAt(r);
            keys.sort();
            return keys;
        };
        auto tableKeys = [&] {
            QStringList keys = shownKeys(*table.proxy());
            keys.sort();
            return keys;
        };
        parallel.setBrush(fitness, QPair<double, double>(4.3, 4.7)); // k2 4.6, k3 4.4
        QCOMPARE(keysOf(parallel.brushedRows()), (QStringList{"k2", "k3"}));
        QCOMPARE(tableKeys(), (QStringList{"k2", "k3"}));
        parallel.setBrush(decLayers, QPair<double, double>(3, 3)); // and three decoder layers: k3
        QCOMPARE(keysOf(parallel.brushedRows()), QStringList{"k3"});
        QCOMPARE(tableKeys(), QStringList{"k3"});
        QCOMPARE(parallel.brushFilter(), QString("fitness=4.3..4.7 dec_layers=3..3"));
        int highlighted = 0;
        auto* lines = qobject_cast<PolylineCloud*>(parallel.plot()->plottable(0));
        QVERIFY(lines);
        for (const PolylineCloud::Line& line : lines->lines())
            highlighted += line.highlighted ? 1 : 0;
        QCOMPARE(highlighted, 1);
        parallel.clearBrushes();
        QCOMPARE(table.proxy()->rowCount(), 6);

        // With the mouse: a drag along the fitness axis from 4.25 to 4.65 brushes k2 and k3 (values read back
        // from pixels, so the ends are approximate); a click on the axis clears it.
        parallel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&parallel));
        parallel.plot()->replot(QCustomPlot::rpImmediateRefresh);
        const QPoint from = parallel.pixelFor(fitness, 4.65).toPoint(),
                     to = parallel.pixelFor(fitness, 4.25).toPoint();
        QTest::mousePress(parallel.plot(), Qt::LeftButton, Qt::NoModifier, from);
        QMouseEvent move(QEvent::MouseMove, QPointF(to), parallel.plot()->mapToGlobal(QPointF(to)),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(parallel.plot(), &move);
        QTest::mouseRelease(parallel.plot(), Qt::LeftButton, Qt::NoModifier, to);
        QCOMPARE(parallel.brushes().size(), 1);
        QCOMPARE(tableKeys(), (QStringList{"k2", "k3"}));
        QTest::mouseClick(parallel.plot(), Qt::LeftButton, Qt::NoModifier, from);
        QVERIFY(parallel.brushes().isEmpty());
        QCOMPARE(table.proxy()->rowCount(), 6);
    }

    // Over 1,000 lines the view rasterises them: the image shows them, coloured where brushed and grey
    // elsewhere, and SVG still gets real lines.
    void manyLinesAreRasterisedAndStillShown() {
        RunDocument doc;
        doc.reset(QString(), 1);
        CandidateTableView table;
        table.setDocument(&doc);
        ParallelCoordinatesView parallel;
        parallel.resize(900, 500);
        parallel.setTable(&table);
        std::mt19937 rng(4);
        FeedBatch batch;
        for (int i = 0; i < 1500; ++i) {
            CandidateRow c;
            c.architecture.key = "c" + std::to_string(i);
            c.architecture.json = architectureToJson(fixtureArch(int(rng() % 6), 1 + int(rng() % 3)));
            c.fitness = 4.0 + double(rng() % 1000) / 1000.0;
            c.flops = 1e8 + double(rng() % 1000) * 1e5;
            c.paramsActive = 1000 + std::int64_t(rng() % 1000);
            batch.events.push_back(Event::candidate(1, c));
        }
        doc.apply(batch);
        parallel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&parallel));
        QCoreApplication::processEvents();
        auto countColours = [&] {
            const QImage image = parallel.plot()->toPixmap().toImage();
            int blue = 0, grey = 0;
            for (int yy = 0; yy < image.height(); yy += 2)
                for (int xx = 0; xx < image.width(); xx += 2) {
                    const QColor c = image.pixelColor(xx, yy);
                    if (c.blue() > c.red() + 40)
                        ++blue;
                    else if (c != Qt::white && std::abs(c.red() - c.blue()) < 20 && c.red() > 150 &&
                             c.red() < 245)
                        ++grey;
                }
            return std::pair{blue, grey};
        };
        const auto [blueAll, greyAll] = countColours();
        QVERIFY2(blueAll > 2000, qPrintable(QString::number(blueAll)));
        parallel.setBrush(0, QPair<double, double>(4.0, 4.1)); // about a tenth
        QCOMPARE(table.proxy()->rowCount(), int(parallel.brushedRows().size()));
        const auto [blueBrushed, greyBrushed] = countColours();
        QVERIFY2(blueBrushed < blueAll, qPrintable(QString("%1 %2").arg(blueBrushed).arg(blueAll)));
        QVERIFY2(greyBrushed > greyAll, qPrintable(QString("%1 %2").arg(greyBrushed).arg(greyAll)));
        QTemporaryDir dir;
        QString error;
        QVERIFY2(parallel.exportPlot(dir.filePath("pc.svg"), &error), qPrintable(error));
        QFile svg(dir.filePath("pc.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY2(text.count("<polyline") >= 1500,
                 qPrintable(QString::number(text.count("<polyline")))); // real lines
        QCOMPARE(text.count("<image"), 0);
    }

    // In the main window: a table row selected draws its architecture in the central figure and rings it in
    // the Pareto view; File > Export… lists the new plots; File > Export Candidates CSV writes every row.
    void theMainWindowLinksExportsAndWritesCsv() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        window.runDocument()->reset("db", 1);
        applyAll(*window.runDocument(), fixtureEvents(1));

        CandidateTableView* table = window.candidateTable();
        const int row = table->model()->rowOfKey("k4");
        table->table()->selectionModel()->setCurrentIndex(
            table->proxy()->mapFromSource(table->model()->index(row, 0)),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(window.paretoView()->selectedKey(), QString("k4"));
        QCOMPARE(window.architectureView()->architecture(), fixtureArch(3, 2));

        ExportDialog* dialog = window.openExportDialog();
        for (const char* name : {"Hypervolume", "Gene importance"}) {
            QVERIFY2(dialog->plotNames().contains(name), qPrintable(dialog->plotNames().join(", ")));
            QString error;
            const QString path = rig.dir.filePath(QString(name) + ".svg");
            QVERIFY2(dialog->exportPlot(name, path, &error), qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        dialog->close();

        const QString csv = rig.dir.filePath("candidates.csv");
        QVERIFY(window.exportCandidatesCsv(csv));
        std::ifstream in(csv.toStdString());
        const std::vector<CandidateRecord> back = readCandidatesCsv(in);
        QCOMPARE(back.size(), std::size_t(6));
        QVERIFY(back == table->model()->records());
        window.runDocument()->reset();
        QVERIFY(!window.exportCandidatesCsv(rig.dir.filePath("none.csv"))); // nothing to export: refused
        QVERIFY(!QFileInfo::exists(rig.dir.filePath("none.csv")));
    }

    void newPlotsExportAsPngSvgAndPdf_data() {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("png") << "png";
        QTest::newRow("svg") << "svg";
        QTest::newRow("pdf") << "pdf";
    }

    void newPlotsExportAsPngSvgAndPdf() {
        QFETCH(QString, suffix);
        RunDocument doc;
        doc.reset(QString(), 1);
        HypervolumeView hypervolume;
        hypervolume.resize(600, 400);
        hypervolume.setDocument(&doc);
        GeneImportanceView importance;
        importance.resize(600, 400);
        importance.setDocument(&doc);
        applyAll(doc, fixtureEvents(1));
        GeneImportanceReport report;
        report.candidates = 6;
        report.genes = {{"dec_layers", "Decoder layers", 0.8, 0.9, 3}};
        importance.showReport(report);
        QTemporaryDir dir;
        for (auto [name, ok] : {std::pair{QString("hv"), false}, std::pair{QString("imp"), true}}) {
            const QString path = dir.filePath(name + "." + suffix);
            QString error;
            const bool written =
                ok ? importance.exportPlot(path, &error) : hypervolume.exportPlot(path, &error);
            QVERIFY2(written, qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 500);
        }
    }
};

AUTOMOE_TEST_MAIN(TestAnalysisViews)
#include "tst_analysis_views.moc"
