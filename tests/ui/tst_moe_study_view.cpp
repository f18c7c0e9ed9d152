// Pins the MoE-vs-dense study in the workbench: MoeStudyModel over hand-written events (rows in arrival
// order, a row emitted again replacing the earlier one, the stored result, unreadable payloads listed with
// the field named, stage states from the events and the study's status, a resumed study), the table's cells
// and sort, Ctrl+C as TSV, the plot (one point per row at its FLOPs and metric, budget lines at the budgets'
// FLOPs; exported from File > Export…), a row selected showing its architecture in the main window and a
// stage double-clicked opening its run, the Run dock's MoE vs dense tab (arguments, errors naming the field,
// remembered settings), and a real study's stored events (tests/data/moe_study, from `automoe study
// moe-vs-dense` on the bundled sample) replayed through RunPlayer showing the table the study stored.
#include "MainWindowRig.h"
#include "TestMain.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/MoeStudyModel.h"
#include "ui/plots/MoeStudyStageModel.h"
#include "ui/plots/MoeStudyTableModel.h"
#include "ui/plots/MoeStudyView.h"
#include "ui/run/MoeStudyOptionsForm.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"
#include "ui/widgets/TableCopy.h"
#include "util/Format.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>
#include <qcustomplot.h>

using namespace automoe;
using namespace automoe::ui;

namespace {

constexpr double kBaselineFlops = 300e6;

const QStringList kStages = {"baseline",        "dense_supernet",     "moe_supernet",    "dense_search@0.5",
                             "moe_search@0.5",  "dense_retrain@0.5",  "moe_retrain@0.5", "dense_search@0.75",
                             "moe_search@0.75", "dense_retrain@0.75", "moe_retrain@0.75"};

nlohmann::json setupPayload() {
    nlohmann::json stages = nlohmann::json::array();
    for (const QString& s : kStages)
        stages.push_back(s.toStdString());
    return {{"baseline", nlohmann::json::object()},
            {"baseline_key", "q192|base"},
            {"baseline_flops", kBaselineFlops},
            {"budgets",
             {{{"fraction", 0.5}, {"flops", 0.5 * kBaselineFlops}},
              {{"fraction", 0.75}, {"flops", 0.75 * kBaselineFlops}}}},
            {"stages", stages},
            {"minutes", 0.0},
            {"updates", 6},
            {"space", "tiny"},
            {"corpus", "sample"}};
}

// A row as the core writes it. Runs: baseline 2, dense 7 / 11, moe 8 / 12.
MoeDenseStudyRow row(const std::string& method, std::optional<double> budget, std::int64_t run, double flops,
                     double bleu, double chrf, double nll) {
    MoeDenseStudyRow r;
    r.method = method;
    r.budget = budget;
    r.run = run;
    r.searchRun = method == "baseline" ? 0 : run - 2;
    r.supernetRun = method == "baseline" ? 0 : method == "dense" ? 3 : 4;
    r.archKey = method + "-key";
    r.arch = nlohmann::json::object();
    r.experts = method == "moe" ? 18 : 6;
    r.searchFitness = method == "baseline" ? 0 : nll + 0.1;
    r.flops = flops;
    r.paramsActive = std::int64_t(flops / 70);
    r.paramsTotal = method == "moe" ? 2 * r.paramsActive : r.paramsActive;
    r.latencyMs = flops / 2e6;
    r.encoderMs = r.latencyMs * 0.25;
    r.decoderMs = r.latencyMs * 0.75;
    r.updates = 6;
    r.validNll = nll;
    r.bleu = bleu;
    r.chrf = chrf;
    r.testSentences = 10;
    return r;
}

// The five rows of the table, in the order the study emits them.
std::vector<MoeDenseStudyRow> tableRows() {
    return {row("baseline", std::nullopt, 2, 300e6, 4.5, 20.25, 5.5),
            row("dense", 0.5, 7, 140e6, 3.25, 18.5, 5.75), row("moe", 0.5, 8, 148e6, 4.75, 21.0, 5.4),
            row("dense", 0.75, 11, 210e6, 4.0, 19.5, 5.6), row("moe", 0.75, 12, 222e6, 5.5, 22.75, 5.3)};
}

struct Log {
    std::vector<Event> events;
    void push(const std::string& type, nlohmann::json payload) {
        Event e = Event::make(1, type, std::move(payload));
        e.seq = std::int64_t(events.size()) + 1;
        e.timeMs = 1700000000000 + 100 * e.seq;
        events.push_back(std::move(e));
    }
    void stage(const QString& name, std::int64_t run, const char* state) {
        push("moe_study_stage", {{"stage", name.toStdString()}, {"run", run}, {"state", state}});
    }
};

// The whole study as MoeDenseStudy::run() writes it: setup, the three training stages, the baseline's row,
// per budget the searches, each retrain followed by its row, the result, the end.
std::vector<Event> studyEvents(bool withResult = true) {
    Log log;
    const auto rows = tableRows();
    log.push("run_status", {{"status", "running"}});
    log.push("moe_study_setup", setupPayload());
    log.push("stage", {{"stage", "moe_study"}, {"state", "started"}, {"stages", 11}});
    const std::int64_t runs[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    for (int i = 0; i < 3; ++i) {
        log.stage(kStages[i], runs[i], "started");
        log.stage(kStages[i], runs[i], "finished");
    }
    log.push("moe_study_row", rows[0].toJson());
    for (int b = 0; b < 2; ++b)
        for (int k = 0; k < 4; ++k) {
            const int i = 3 + 4 * b + k;
            log.stage(kStages[i], runs[i], "started");
            log.stage(kStages[i], runs[i], "finished");
            if (k >= 2) log.push("moe_study_row", rows[std::size_t(1 + 2 * b + (k - 2))].toJson());
        }
    if (withResult) {
        nlohmann::json all = nlohmann::json::array();
        for (const MoeDenseStudyRow& r : rows)
            all.push_back(r.toJson());
        log.push("moe_study_result", {{"rows", all}, {"retrain_updates", 6}, {"seconds", 116.5}});
        log.push("stage", {{"stage", "moe_study"}, {"state", "finished"}});
        log.push("run_status", {{"status", "finished"}});
    }
    return log.events;
}

FeedBatch batchOf(std::vector<Event> events) {
    FeedBatch b;
    if (!events.empty()) {
        b.firstSeq = events.front().seq;
        b.lastSeq = events.back().seq;
    }
    b.events = std::move(events);
    return b;
}

void feed(RunDocument& doc, const std::vector<Event>& events, std::size_t from, std::size_t to) {
    doc.apply(batchOf(
        std::vector<Event>(events.begin() + std::ptrdiff_t(from), events.begin() + std::ptrdiff_t(to))));
}

void feedAll(RunDocument& doc, const std::vector<Event>& events) {
    feed(doc, events, 0, events.size());
}

// Index just after the `n`-th event of `type`.
std::size_t after(const std::vector<Event>& events, const std::string& type, int n) {
    int seen = 0;
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].type == type && ++seen == n) return i + 1;
    return events.size();
}

Event studyEvent(std::int64_t seq, const std::string& type, nlohmann::json payload) {
    Event e = Event::make(1, type, std::move(payload));
    e.seq = seq;
    return e;
}

// Cells of the table as shown (sorted), row by row, one column.
QStringList column(const MoeStudyView& view, int c) {
    QStringList out;
    const QAbstractItemModel* m = view.table()->model();
    for (int r = 0; r < m->rowCount(); ++r)
        out << m->index(r, c).data().toString();
    return out;
}

QString stageCell(const MoeStudyView& view, int row, int c) {
    return view.stageModel()->index(row, c).data().toString();
}

QVector<QPointF> pointsOf(const std::vector<MoeDenseStudyRow>& rows, const std::string& method,
                          double MoeDenseStudyRow::*metric) {
    QVector<QPointF> out;
    for (const MoeDenseStudyRow& r : rows)
        if (r.method == method) out.append(QPointF(r.flops, r.*metric));
    std::sort(out.begin(), out.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    return out;
}

// The events of a real study run, one JSON object per line ({seq, type, payload}).
std::vector<Event> realStudyEvents() {
    std::vector<Event> out;
    std::ifstream in(AUTOMOE_TEST_DATA "/moe_study/sample-study-events.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const nlohmann::json j = nlohmann::json::parse(line);
        Event e = Event::make(1, j.at("type").get<std::string>(), j.at("payload"));
        e.seq = j.at("seq").get<std::int64_t>();
        e.timeMs = j.at("time_ms").get<std::int64_t>();
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace

class TestMoeStudyView : public QObject {
    Q_OBJECT

private slots:
    void keepsRowsInArrivalOrderAndAReEmittedRowReplacesTheEarlierOne() {
        MoeStudyModel m;
        const auto events = studyEvents(false);
        for (const Event& e : events)
            m.apply(e);
        QVERIFY(m.hasSetup());
        QCOMPARE(m.setup()->baselineFlops, kBaselineFlops);
        QCOMPARE(m.setup()->budgets.size(), std::size_t(2));
        QCOMPARE(m.setup()->budgets[1].flops, 0.75 * kBaselineFlops);
        QCOMPARE(m.setup()->stages, kStages);
        QCOMPARE(m.rows().size(), std::size_t(5));
        const char* methods[] = {"baseline", "dense", "moe", "dense", "moe"};
        const std::int64_t runs[] = {2, 7, 8, 11, 12};
        for (std::size_t i = 0; i < 5; ++i) {
            QCOMPARE(m.rows()[i].method, std::string(methods[i]));
            QCOMPARE(m.rows()[i].run, runs[i]);
        }
        QVERIFY(!m.rows()[0].budget);
        QCOMPARE(*m.rows()[3].budget, 0.75);
        QVERIFY(!m.hasResult());
        QCOMPARE(m.errors().size(), 0);

        // The dense row at 0.5 again (a resumed study that retrained it): replaced in place.
        MoeDenseStudyRow again = tableRows()[1];
        again.bleu = 9.5;
        again.run = 21;
        QVERIFY(m.apply(studyEvent(90, "moe_study_row", again.toJson())));
        QCOMPARE(m.rows().size(), std::size_t(5));
        QCOMPARE(m.rows()[1].bleu, 9.5);
        QCOMPARE(m.rows()[1].run, std::int64_t(21));
        QCOMPARE(m.row("dense", 0.5)->run, std::int64_t(21));
        QCOMPARE(m.row("baseline", std::nullopt)->run, std::int64_t(2));
        QVERIFY(!m.row("dense", 0.25));

        // The stored result is the table: its rows replace the streamed ones, the order stays.
        const auto full = studyEvents(true);
        QVERIFY(m.apply(full[after(full, "moe_study_result", 1) - 1]));
        QVERIFY(m.hasResult());
        QCOMPARE(m.retrainUpdates(), std::int64_t(6));
        QCOMPARE(m.rows().size(), std::size_t(5));
        QCOMPARE(m.rows()[1].bleu, 3.25);
        QCOMPARE(m.rows()[1].run, std::int64_t(7));
        QCOMPARE(m.rows()[4].method, std::string("moe"));
    }

    void anUnreadablePayloadChangesNothingAndIsListedWithTheFieldNamed() {
        RunDocument doc;
        doc.reset("db", 1);
        const auto events = studyEvents(false);
        feed(doc, events, 0, after(events, "moe_study_row", 1));
        QCOMPARE(doc.moeStudy().rows().size(), std::size_t(1));
        QSignalSpy changed(&doc, &RunDocument::moeStudyChanged);

        nlohmann::json badBleu = tableRows()[1].toJson();
        badBleu["bleu"] = "high";
        nlohmann::json badMethod = tableRows()[1].toJson();
        badMethod["method"] = "sparse";
        nlohmann::json noFlops = setupPayload();
        noFlops.erase("baseline_flops");
        nlohmann::json badBudget = setupPayload();
        badBudget["budgets"][1].erase("flops");
        doc.apply(batchOf(
            {studyEvent(50, "moe_study_row", badBleu), studyEvent(51, "moe_study_row", badMethod),
             studyEvent(52, "moe_study_setup", noFlops), studyEvent(53, "moe_study_setup", badBudget),
             studyEvent(54, "moe_study_stage", {{"stage", "baseline"}, {"run", 2}, {"state", "done"}}),
             studyEvent(55, "moe_study_stage", {{"stage", "baseline"}, {"state", "started"}}),
             studyEvent(56, "moe_study_result", {{"rows", {badBleu}}}),
             studyEvent(57, "moe_study_row", nlohmann::json::array())}));
        QCOMPARE(changed.count(), 1); // the errors are news: the view says so
        const MoeStudyModel& m = doc.moeStudy();
        QCOMPARE(m.rows().size(), std::size_t(1));
        QCOMPARE(m.setup()->baselineFlops, kBaselineFlops);
        QVERIFY(m.stage("baseline")->finished);
        QCOMPARE(m.stage("baseline")->run, std::int64_t(2));
        QVERIFY(!m.hasResult());
        const QStringList& errors = m.errors();
        QCOMPARE(errors.size(), 8);
        auto expect = [&](int i, const char* a, const char* b) {
            QVERIFY2(errors[i].contains(a) && errors[i].contains(b), qPrintable(errors[i]));
        };
        expect(0, "event 50 (moe_study_row)", "moe_study_row.bleu");
        expect(1, "event 51", "sparse");
        expect(2, "event 52 (moe_study_setup)", "moe_study_setup.baseline_flops: missing");
        expect(3, "event 53", "moe_study_setup.budgets[1].flops: missing");
        expect(4, "event 54", "moe_study_stage.state");
        expect(5, "event 55", "moe_study_stage.run: missing");
        expect(6, "event 56", "moe_study_result.rows[0]: moe_study_row.bleu");
        expect(7, "event 57", "not an object");

        MoeStudyView view;
        view.setDocument(&doc);
        QVERIFY2(view.statusLabel()->text().contains("8 event(s) not read"),
                 qPrintable(view.statusLabel()->text()));
        QVERIFY(view.statusLabel()->toolTip().contains("moe_study_row.bleu"));
    }

    void stagesFollowTheirEventsAndTheStudysStatus() {
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        Log log;
        log.push("run_status", {{"status", "running"}});
        log.push("moe_study_setup", setupPayload());
        log.stage("baseline", 2, "started");
        feedAll(doc, log.events);
        QCOMPARE(view.stageModel()->rowCount(), 11); // every stage of the setup, in its order
        QCOMPARE(stageCell(view, 0, MoeStudyStageModel::StageColumn), QString("(a) baseline"));
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::StageColumn), QString("(b) dense supernet"));
        QCOMPARE(stageCell(view, 2, MoeStudyStageModel::StageColumn), QString("(c) MoE supernet"));
        QCOMPARE(stageCell(view, 3, MoeStudyStageModel::StageColumn), QString("(b) dense search 0.5x"));
        QCOMPARE(stageCell(view, 10, MoeStudyStageModel::StageColumn), QString("(c) MoE retrain 0.75x"));
        QCOMPARE(stageCell(view, 0, MoeStudyStageModel::RunColumn), QString("2"));
        QCOMPARE(stageCell(view, 0, MoeStudyStageModel::StateColumn), QString("running"));
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::RunColumn), QString("—"));
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::StateColumn), QString("not begun"));
        QCOMPARE(view.stageModel()->index(0, 0).data(MoeStudyStageModel::RunIdRole).toLongLong(), 2);

        // Cancelled in its dense supernet: that stage says so, the finished one stays finished.
        Log more;
        more.events = log.events;
        more.stage("baseline", 2, "finished");
        more.stage("dense_supernet", 3, "started");
        more.push("stage", {{"stage", "moe_study"}, {"state", "finished"}, {"cancelled", true}});
        more.push("run_status", {{"status", "cancelled"}});
        feed(doc, more.events, log.events.size(), more.events.size());
        QCOMPARE(doc.status(), RunStatus::Cancelled);
        QCOMPARE(stageCell(view, 0, MoeStudyStageModel::StateColumn), QString("finished"));
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::StateColumn), QString("cancelled"));
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::RunColumn), QString("3"));
        QCOMPARE(stageCell(view, 2, MoeStudyStageModel::StateColumn), QString("not begun"));

        // Resumed: the study says so, begins the dense supernet again (the same run) and goes on.
        const std::size_t resumedAt = more.events.size();
        more.push("run_status", {{"status", "running"}});
        more.push("resumed", {{"stages_begun", 2}});
        more.push("stage", {{"stage", "moe_study"}, {"state", "started"}, {"stages", 11}});
        more.stage("dense_supernet", 3, "started");
        feed(doc, more.events, resumedAt, more.events.size());
        QCOMPARE(doc.moeStudy().resumes(), 1);
        QCOMPARE(doc.moeStudy().stage("dense_supernet")->starts, 2);
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::StateColumn), QString("running"));
        QVERIFY(view.stageModel()->index(1, 0).data(Qt::ToolTipRole).toString().contains("resumed"));
        QVERIFY2(view.statusLabel()->text().contains("resumed 1 time"),
                 qPrintable(view.statusLabel()->text()));
        QVERIFY(view.statusLabel()->text().contains("1/11 stages"));
        const std::size_t on = more.events.size();
        more.stage("dense_supernet", 3, "finished");
        more.stage("moe_supernet", 4, "started");
        more.push("run_status", {{"status", "failed"}});
        feed(doc, more.events, on, more.events.size());
        QCOMPARE(stageCell(view, 1, MoeStudyStageModel::StateColumn), QString("finished"));
        QCOMPARE(stageCell(view, 2, MoeStudyStageModel::StateColumn), QString("failed"));
        // An interrupted study (its process gone: the record says so, no event does).
        FeedBatch record;
        RunInfo info;
        info.id = 1;
        info.spec.kind = "moe_study";
        info.status = RunStatus::Interrupted;
        record.info = info;
        doc.apply(record);
        QCOMPARE(stageCell(view, 2, MoeStudyStageModel::StateColumn), QString("interrupted"));
    }

    void aResumedEventOfAnotherKindOfRunIsNotTheStudys() {
        RunDocument doc;
        doc.reset("db", 5);
        QSignalSpy changed(&doc, &RunDocument::moeStudyChanged);
        doc.apply(batchOf({studyEvent(1, "resumed", {{"update", 40}})}));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(doc.moeStudy().resumes(), 0);
        QCOMPARE(doc.moeStudy().eventCount(), 0);
    }

    void fillsTheTableAsTheCliPrintsIt() {
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        feedAll(doc, studyEvents());
        const QAbstractItemModel* m = view.table()->model();
        QCOMPARE(m->rowCount(), 5);
        QCOMPARE(m->columnCount(), int(MoeStudyTableModel::ColumnCount));
        QStringList baseline;
        for (int c = 0; c < m->columnCount(); ++c)
            baseline << m->index(0, c).data().toString();
        QCOMPARE(baseline, (QStringList{"(a) baseline", "—", "300.00 M", "4.29 M", "4.29 M", "6", "150.00",
                                        "5.500", "4.50", "20.25", "2"}));
        QStringList moe;
        for (int c = 0; c < m->columnCount(); ++c)
            moe << m->index(4, c).data().toString();
        // 222e6 / 70 = 3171428 active, twice that total; latency 222e6 / 2e6 = 111 ms.
        QCOMPARE(moe, (QStringList{"(c) MoE", "0.75x", "222.00 M", "3.17 M", "6.34 M", "18", "111.00",
                                   "5.300", "5.50", "22.75", "12"}));
        // The table's order: method, then budget.
        QCOMPARE(column(view, MoeStudyTableModel::RunColumn), (QStringList{"2", "7", "11", "8", "12"}));
        QCOMPARE(column(view, MoeStudyTableModel::MethodColumn),
                 (QStringList{"(a) baseline", "(b) dense", "(b) dense", "(c) MoE", "(c) MoE"}));
        // Tooltips: the latency's split, the budget's FLOPs, the row's runs.
        const QModelIndex latency = m->index(4, MoeStudyTableModel::LatencyColumn);
        QVERIFY2(latency.data(Qt::ToolTipRole).toString().contains("encoder 27.75 ms, decoder 83.25 ms"),
                 qPrintable(latency.data(Qt::ToolTipRole).toString()));
        QVERIFY2(m->index(4, MoeStudyTableModel::BudgetColumn)
                     .data(Qt::ToolTipRole)
                     .toString()
                     .contains("225.00 M"),
                 qPrintable(m->index(4, MoeStudyTableModel::BudgetColumn).data(Qt::ToolTipRole).toString()));
        const QString tip = m->index(4, MoeStudyTableModel::RunColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains("search run 10 on supernet run 4") && tip.contains("moe-key"), qPrintable(tip));
        QCOMPARE(m->index(0, 0).data(Qt::DecorationRole).value<QColor>(),
                 MoeStudyTableModel::methodColour("baseline"));
        QVERIFY(MoeStudyTableModel::methodColour("dense") != MoeStudyTableModel::methodColour("moe"));
    }

    void sortsByTheNumbersNotTheirText() {
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        feedAll(doc, studyEvents());
        view.table()->sortByColumn(MoeStudyTableModel::BleuColumn, Qt::DescendingOrder);
        QCOMPARE(column(view, MoeStudyTableModel::BleuColumn),
                 (QStringList{"5.50", "4.75", "4.50", "4.00", "3.25"}));
        view.table()->sortByColumn(MoeStudyTableModel::FlopsColumn, Qt::AscendingOrder);
        QCOMPARE(column(view, MoeStudyTableModel::RunColumn), (QStringList{"7", "8", "11", "12", "2"}));
        // "300.00 M" after "222.00 M", and the baseline (1x) after the 0.75x rows.
        view.table()->sortByColumn(MoeStudyTableModel::BudgetColumn, Qt::AscendingOrder);
        QCOMPARE(column(view, MoeStudyTableModel::RunColumn), (QStringList{"7", "8", "11", "12", "2"}));
        view.table()->sortByColumn(MoeStudyTableModel::ValidNllColumn, Qt::AscendingOrder);
        QCOMPARE(column(view, MoeStudyTableModel::ValidNllColumn),
                 (QStringList{"5.300", "5.400", "5.500", "5.600", "5.750"}));
        // A row arriving later (live) takes its place in the sort.
        RunDocument live;
        MoeStudyView liveView;
        liveView.setDocument(&live);
        live.reset("db", 1);
        const auto events = studyEvents(false);
        feed(live, events, 0, after(events, "moe_study_row", 2));
        liveView.table()->sortByColumn(MoeStudyTableModel::FlopsColumn, Qt::AscendingOrder);
        QCOMPARE(column(liveView, MoeStudyTableModel::RunColumn), (QStringList{"7", "2"}));
        feed(live, events, after(events, "moe_study_row", 2), events.size());
        QCOMPARE(column(liveView, MoeStudyTableModel::RunColumn), (QStringList{"7", "8", "11", "12", "2"}));
    }

    void ctrlCCopiesTheSelectedRowsAsTsv() {
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        feedAll(doc, studyEvents());
        view.resize(1200, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.table()->selectRow(3); // (c) MoE 0.5x
        view.table()->setFocus();
        QApplication::clipboard()->clear();
        QTest::keySequence(view.table(), QKeySequence::Copy);
        const QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(
            lines[0],
            QString("Method\tBudget\tFLOPs\tActive\tTotal\tExperts\tLatency ms\tValid NLL\tBLEU\tchrF\tRun"));
        QCOMPARE(lines[1],
                 QString("(c) MoE\t0.50x\t148.00 M\t2.11 M\t4.23 M\t18\t74.00\t5.400\t4.75\t21.00\t8"));
        // Nothing selected: every row.
        view.table()->clearSelection();
        QCOMPARE(TableCopy::selectedRowsAsTsv(*view.table()).split('\n', Qt::SkipEmptyParts).size(), 6);
    }

    void plotsEveryRowAtItsFlopsAndTheBudgetsAsLines() {
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        const auto events = studyEvents();
        feed(doc, events, 0, after(events, "moe_study_setup", 1));
        // The budget lines come with the setup, at the budgets' FLOPs; no point yet.
        QCOMPARE(view.budgetLines(), (QVector<double>{150e6, 225e6}));
        QCOMPARE(view.budgetLabels(), (QStringList{"0.5x", "0.75x"}));
        QVERIFY(view.points("baseline").isEmpty());
        QVERIFY2(view.emptyText().contains("No row yet"), qPrintable(view.emptyText()));

        feed(doc, events, after(events, "moe_study_setup", 1), after(events, "moe_study_row", 3));
        QVERIFY(view.emptyText().isEmpty());
        QCOMPARE(view.points("baseline"), (QVector<QPointF>{{300e6, 4.5}}));
        QCOMPARE(view.points("dense"), (QVector<QPointF>{{140e6, 3.25}}));
        QCOMPARE(view.points("moe"), (QVector<QPointF>{{148e6, 4.75}}));
        QCOMPARE(view.legendText("dense"), QString("(b) dense search (1 of 2 budgets)"));

        feed(doc, events, after(events, "moe_study_row", 3), events.size());
        const auto rows = tableRows();
        for (const char* method : {"baseline", "dense", "moe"}) {
            QCOMPARE(view.points(method), pointsOf(rows, method, &MoeDenseStudyRow::bleu));
        }
        QCOMPARE(view.pointLabels(), (QStringList{"0.5x", "0.5x", "0.75x", "0.75x"}));
        QCOMPARE(view.legendText("baseline"), QString("(a) dense baseline"));
        QCOMPARE(view.legendText("dense"), QString("(b) dense search"));
        QCOMPARE(view.legendText("moe"), QString("(c) MoE search"));
        // Every point and budget line is inside the axes.
        const QCPRange x = view.plot()->xAxis->range(), y = view.plot()->yAxis->range();
        for (const MoeDenseStudyRow& r : rows)
            QVERIFY(x.contains(r.flops) && y.contains(r.bleu));
        QVERIFY(x.contains(150e6) && x.contains(225e6));
        QCOMPARE(view.plot()->yAxis->label(), QString("test BLEU"));

        // The y metric: chrF, valid NLL.
        view.setMetric(MoeStudyView::Metric::Chrf);
        QCOMPARE(view.points("moe"), pointsOf(rows, "moe", &MoeDenseStudyRow::chrf));
        QCOMPARE(view.plot()->yAxis->label(), QString("test chrF"));
        view.metricBox()->setCurrentIndex(2);
        emit view.metricBox()->activated(2);
        QCOMPARE(view.metric(), MoeStudyView::Metric::ValidNll);
        QCOMPARE(view.points("dense"), pointsOf(rows, "dense", &MoeDenseStudyRow::validNll));
        QVERIFY(view.plot()->yAxis->range().contains(5.3) && view.plot()->yAxis->range().contains(5.75));
        // The tooltip gives the row's numbers.
        const QString tip = view.pointToolTip(2);
        QVERIFY2(tip.contains("(c) MoE search at 0.50x") && tip.contains("run 8") &&
                     tip.contains("148.00 M") && tip.contains("BLEU 4.75") && tip.contains("chrF 21.00") &&
                     tip.contains("valid NLL 5.400") && tip.contains("encoder 18.50"),
                 qPrintable(tip));

        // Another run opened: nothing of this study stays.
        doc.reset("db", 2);
        QVERIFY(view.points("dense").isEmpty());
        QVERIFY(view.budgetLines().isEmpty());
        QCOMPARE(view.tableModel()->rowCount(), 0);
        QCOMPARE(view.stageModel()->rowCount(), 0);
    }

    void aBleuOfZeroStillGetsAnAxis() {
        // Barely trained models (a few updates) score BLEU 0 everywhere: the axis starts (just below) 0, so
        // that the markers show whole, and has room.
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        auto events = studyEvents();
        for (Event& e : events) {
            if (e.type == "moe_study_row") e.payload["bleu"] = 0.0;
            if (e.type == "moe_study_result")
                for (auto& r : e.payload["rows"])
                    r["bleu"] = 0.0;
        }
        feedAll(doc, events);
        const QCPRange y = view.plot()->yAxis->range();
        QVERIFY(y.upper >= 0.5);
        QVERIFY2(y.lower < 0 && y.lower >= -0.05 * y.upper, qPrintable(QString::number(y.lower)));
        QCOMPARE(view.points("moe").size(), 2);
    }

    void selectingARowOrAPointShowsItsArchitecture() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        auto* view = window.findChild<MoeStudyView*>("moeStudyView");
        QVERIFY(view);
        QCOMPARE(view->document(), window.runDocument());
        auto* dock = window.findChild<QDockWidget*>("moeStudyDock");
        QVERIFY(dock);
        QCOMPARE(dock->widget(), view);
        window.resize(1400, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(view->visibleRegion().isEmpty()); // behind the Training tab until a study arrives

        auto events = studyEvents();
        const Architecture smallest = rig.space.space().smallest();
        const Architecture largest = rig.space.space().largest();
        for (Event& e : events)
            if (e.type == "moe_study_row" && e.payload["run"] == 8)
                e.payload["arch"] = architectureToJson(smallest);
            else if (e.type == "moe_study_row" && e.payload["run"] == 11)
                e.payload["arch"] = architectureToJson(largest);
        events.pop_back(); // no stored result: the streamed rows' architectures
        events.pop_back();
        events.pop_back();
        window.runDocument()->reset("db", 1);
        feedAll(*window.runDocument(), events);
        QTRY_VERIFY(!view->visibleRegion().isEmpty()); // brought forward
        QVERIFY(window.architectureView()->architecture().key() != smallest.key());

        // A table row (the table sorts (c) MoE 0.5x fourth).
        QSignalSpy selected(view, &MoeStudyView::architectureSelected);
        view->table()->selectRow(3);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().first().toInt(), 2); // rows()[2], run 8
        QCOMPARE(view->selectedRow(), 2);
        QCOMPARE(window.architectureView()->architecture().key(), smallest.key());
        QVERIFY2(window.architectureView()->figure().title().contains("(c) MoE search at 0.50x"),
                 qPrintable(window.architectureView()->figure().title()));
        QVERIFY(window.architectureView()->figure().subtitle().contains("run 8"));
        QCOMPARE(view->points("moe").size(), 2);

        // A point: (b) dense 0.75x, run 11.
        view->plot()->replot();
        const QPointF at = view->pointPosition(3);
        QTest::mouseClick(view->plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(view->selectedRow(), 3);
        QCOMPARE(window.architectureView()->architecture().key(), largest.key());
        const QModelIndex current = view->table()->currentIndex();
        QCOMPARE(current.siblingAtColumn(MoeStudyTableModel::RunColumn).data().toString(), QString("11"));
    }

    // File > Export… lists the dock's plot and writes it through PlotExporter (PNG, SVG, PDF by extension).
    void thePlotIsExportedLikeTheOthers() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.show());
        MainWindow& window = *rig.window;
        window.runDocument()->reset("db", 1);
        feedAll(*window.runDocument(), studyEvents());
        ExportDialog* dialog = window.openExportDialog();
        QVERIFY2(dialog->plotNames().contains("MoE vs dense"), qPrintable(dialog->plotNames().join(", ")));
        for (const char* name : {"study.png", "study.svg", "study.pdf"}) {
            QString error;
            QVERIFY2(dialog->exportPlot("MoE vs dense", rig.dir.filePath(name), &error), qPrintable(error));
            QVERIFY(QFileInfo(rig.dir.filePath(name)).size() > 1000);
        }
        dialog->close();
        auto* view = window.findChild<MoeStudyView*>("moeStudyView");
        QString error;
        QVERIFY(!view->exportPlot(rig.dir.filePath("study.txt"), &error));
        QVERIFY2(error.contains("study.txt"), qPrintable(error));
    }

    void doubleClickingAStageOrARowOpensItsRun() {
        testsupport::MainWindowRig rig;
        const QString db = rig.dir.filePath("runs.sqlite");
        {
            RunStore store(db.toStdString());
            for (int i = 1; i <= 12; ++i) {
                RunSpec spec;
                spec.name = "run " + std::to_string(i);
                spec.kind = i == 1 ? "moe_study" : "retrain";
                store.createRun(spec);
            }
            for (Event e : studyEvents()) {
                e.seq = 0;
                store.append(e);
            }
            store.flush();
        }
        QVERIFY(rig.show("tiny", db));
        MainWindow& window = *rig.window;
        auto* view = window.findChild<MoeStudyView*>("moeStudyView");
        window.replayRun(1);
        QTRY_COMPARE_WITH_TIMEOUT(view->tableModel()->rowCount(), 5, 10000);
        QTRY_VERIFY(!view->visibleRegion().isEmpty());
        QSignalSpy opened(view, &MoeStudyView::runActivated);
        // Stage 4, (b) dense search 0.5x: run 5.
        QTableView* stages = view->stageView();
        stages->scrollTo(stages->model()->index(3, 0));
        const QRect cellRect = stages->visualRect(stages->model()->index(3, 0));
        // A view takes a double click on the item its press went to: press, release, double click.
        QTest::mouseClick(stages->viewport(), Qt::LeftButton, {}, cellRect.center());
        QTest::mouseDClick(stages->viewport(), Qt::LeftButton, {}, cellRect.center());
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.first().first().toLongLong(), 5);
        QTRY_COMPARE(window.runDocument()->runId(), qint64(5));
        // Back to the study; a row: the baseline's run 2.
        window.replayRun(1);
        QTRY_COMPARE_WITH_TIMEOUT(view->tableModel()->rowCount(), 5, 10000);
        const QRect rowRect = view->table()->visualRect(view->table()->model()->index(0, 0));
        QTest::mouseClick(view->table()->viewport(), Qt::LeftButton, {}, rowRect.center());
        QTest::mouseDClick(view->table()->viewport(), Qt::LeftButton, {}, rowRect.center());
        QCOMPARE(opened.count(), 2);
        QCOMPARE(opened.last().first().toLongLong(), 2);
        QTRY_COMPARE(window.runDocument()->runId(), qint64(2));
        // The runs browser's label of the kind.
        QCOMPARE(RunListModel::kindLabel("moe_study"), QString("MoE vs dense"));
        QCOMPARE(RunListModel::kindLabel("search"), QString("search"));
    }

    void theRunDocksTabBuildsTheStudysArguments() {
        MoeStudyOptionsForm::Options o;
        QString error;
        QCOMPARE(MoeStudyOptionsForm::arguments(o, &error),
                 (QStringList{"--corpus", "ding", "--space", "tiny", "--minutes", "15", "--budgets",
                              "0.5,0.75", "--seed", "1"}));
        QVERIFY(error.isEmpty());
        o.corpus = "sample";
        o.space = "/data/space.json";
        o.minutes = 0;
        o.updates = 6;
        o.budgets = " 0.5 , 0.75,0.25 ";
        o.seed = 7;
        QCOMPARE(MoeStudyOptionsForm::arguments(o, &error),
                 (QStringList{"--corpus", "sample", "--space", "/data/space.json", "--updates", "6",
                              "--budgets", "0.5,0.75,0.25", "--seed", "7"}));
        // Errors name the field.
        o.budgets = "0.5,1.5";
        QVERIFY(MoeStudyOptionsForm::arguments(o, &error).isEmpty());
        QVERIFY2(error.contains("FLOPs budgets") && error.contains("1.5"), qPrintable(error));
        o.budgets = "0.5,0.5";
        QVERIFY(MoeStudyOptionsForm::arguments(o, &error).isEmpty());
        QVERIFY2(error.contains("given twice"), qPrintable(error));
        o.budgets = "half";
        QVERIFY(MoeStudyOptionsForm::arguments(o, &error).isEmpty());
        QVERIFY2(error.contains("“half”"), qPrintable(error));
        o.budgets = "0.5";
        o.corpus.clear();
        QVERIFY(MoeStudyOptionsForm::arguments(o, &error).isEmpty());
        QVERIFY2(error.contains("Corpus"), qPrintable(error));

        // The study's options belong to `study moe-vs-dense`, not to `study`.
        QCOMPARE(
            RunControlPanel::childArguments({"study", "moe-vs-dense", "--corpus", "sample"}, "/r.db"),
            (QStringList{"study", "moe-vs-dense", "--control-stdin", "--db", "/r.db", "--corpus", "sample"}));
        QCOMPARE(RunControlPanel::childArguments({"study", "moe-vs-dense", "--resume", "4"}, "/r.db"),
                 (QStringList{"study", "moe-vs-dense", "--control-stdin", "--db", "/r.db", "--resume", "4"}));
        QCOMPARE(RunControlPanel::childArguments({"train", "--corpus", "sample"}, "/r.db"),
                 (QStringList{"train", "--control-stdin", "--db", "/r.db", "--corpus", "sample"}));
    }

    void theRunDocksTabIsRememberedAndUsesTheEditorsSpace() {
        QTemporaryDir dir;
        Settings settings(dir.filePath("settings.ini"));
        SpaceDocument space;
        QVERIFY(space.open("tiny"));
        {
            RunControlPanel panel(&space);
            panel.setSettings(&settings);
            panel.setMode(RunControlPanel::Mode::MoeStudy);
            QCOMPARE(panel.mode(), RunControlPanel::Mode::MoeStudy);
            MoeStudyOptionsForm* form = panel.moeStudyForm();
            auto* corpus = form->findChild<QComboBox*>("moeStudyCorpus");
            auto* spaceBox = form->findChild<QComboBox*>("moeStudySpace");
            auto* unit = form->findChild<QComboBox*>("moeStudyStageUnit");
            auto* value = form->findChild<QSpinBox*>("moeStudyStageValue");
            auto* budgets = form->findChild<QLineEdit*>("moeStudyBudgets");
            auto* seed = form->findChild<QSpinBox*>("moeStudySeed");
            QVERIFY(corpus && spaceBox && unit && value && budgets && seed);
            corpus->setCurrentIndex(corpus->findData("sample"));
            spaceBox->setCurrentIndex(spaceBox->findText("Space in the editor"));
            unit->setCurrentIndex(1);
            value->setValue(6);
            budgets->setText("0.5,0.75");
            seed->setValue(3);
            panel.setExtraMoeStudyArguments({"--threads", "1"});
            QString error;
            const QStringList args = panel.moeStudyArguments(&error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(args.size(), 12);
            QCOMPARE(args[0], QString("--corpus"));
            QCOMPARE(args[1], QString("sample"));
            QCOMPARE(args[2], QString("--space"));
            // The editor's space, written to a file the CLI reads.
            QCOMPARE(QString::fromStdString(loadSpace(args[3].toStdString()).name), QString("tiny"));
            QCOMPARE(args.mid(4), (QStringList{"--updates", "6", "--budgets", "0.5,0.75", "--seed", "3",
                                               "--threads", "1"}));
        } // the panel saves its settings when it goes
        RunControlPanel again(&space);
        again.setSettings(&settings);
        const MoeStudyOptionsForm::Options o = again.moeStudyForm()->options();
        QCOMPARE(o.corpus, QString("sample"));
        QVERIFY(o.editorSpace);
        QCOMPARE(o.updates, 6);
        QCOMPARE(o.minutes, 0);
        QCOMPARE(o.budgets, QString("0.5,0.75"));
        QCOMPARE(o.seed, 3);
        // A bundled space by name.
        MoeStudyOptionsForm::Options named = o;
        named.editorSpace = false;
        named.space = "automoe-ref-small";
        again.moeStudyForm()->setOptions(named);
        QString error;
        QCOMPARE(again.moeStudyArguments(&error).mid(2, 2), (QStringList{"--space", "automoe-ref-small"}));
    }

    // The events of a real study (the bundled sample, `automoe study moe-vs-dense`), stored and replayed:
    // the table is the study's stored result, the plot its rows, every stage finished with its run.
    void aRealStudyReplayedShowsItsStoredTable() {
        const std::vector<Event> events = realStudyEvents();
        QVERIFY2(events.size() > 20, "tests/data/moe_study/sample-study-events.jsonl");
        std::vector<MoeDenseStudyRow> stored;
        nlohmann::json setup;
        for (const Event& e : events) {
            if (e.type == "moe_study_result")
                for (const auto& r : e.payload.at("rows"))
                    stored.push_back(MoeDenseStudyRow::fromJson(r));
            if (e.type == "moe_study_setup") setup = e.payload;
        }
        QCOMPARE(stored.size(), std::size_t(5));

        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        {
            RunStore store(db.toStdString());
            RunSpec spec;
            spec.name = "MoE vs dense tiny sample";
            spec.kind = "moe_study";
            const std::int64_t id = store.createRun(spec);
            for (Event e : events) {
                e.runId = id;
                e.seq = 0;
                store.append(e);
            }
            store.flush();
        }
        RunDocument doc;
        MoeStudyView view;
        view.setDocument(&doc);
        RunPlayer player(&doc);
        player.openReplay(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(player.lastSeq(), qint64(events.size()), 10000);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events.size()), 10000);
        QCOMPARE(doc.moeStudy().errors(), QStringList());
        QVERIFY(doc.moeStudy().hasResult());

        // Each row as the CLI's table prints it (app/cli/StudyTable.cpp).
        const MoeStudyTableModel* t = view.tableModel();
        QCOMPARE(t->rowCount(), 5);
        for (int i = 0; i < 5; ++i) {
            const MoeDenseStudyRow& r = stored[std::size_t(i)];
            auto cell = [&](int c) { return t->index(i, c).data().toString(); };
            QCOMPARE(cell(MoeStudyTableModel::BudgetColumn),
                     r.budget ? QString::fromStdString(formatFixed(*r.budget, 2)) + "x" : QString("—"));
            QCOMPARE(cell(MoeStudyTableModel::FlopsColumn), QString::fromStdString(formatSI(r.flops)));
            QCOMPARE(cell(MoeStudyTableModel::ActiveParamsColumn),
                     QString::fromStdString(formatSI(double(r.paramsActive))));
            QCOMPARE(cell(MoeStudyTableModel::TotalParamsColumn),
                     QString::fromStdString(formatSI(double(r.paramsTotal))));
            QCOMPARE(cell(MoeStudyTableModel::ExpertsColumn), QString::number(r.experts));
            QCOMPARE(cell(MoeStudyTableModel::LatencyColumn),
                     QString::fromStdString(formatFixed(r.latencyMs, 2)));
            QCOMPARE(cell(MoeStudyTableModel::ValidNllColumn),
                     QString::fromStdString(formatFixed(r.validNll, 3)));
            QCOMPARE(cell(MoeStudyTableModel::BleuColumn), QString::fromStdString(formatFixed(r.bleu, 2)));
            QCOMPARE(cell(MoeStudyTableModel::ChrfColumn), QString::fromStdString(formatFixed(r.chrf, 2)));
            QCOMPARE(cell(MoeStudyTableModel::RunColumn), QString::number(r.run));
        }
        for (const char* method : {"baseline", "dense", "moe"})
            QCOMPARE(view.points(method), pointsOf(stored, method, &MoeDenseStudyRow::bleu));
        QCOMPARE(view.points("dense").size(), 2);
        QCOMPARE(view.points("moe").size(), 2);
        QVector<double> budgetFlops;
        for (const auto& b : setup.at("budgets"))
            budgetFlops.append(b.at("flops").get<double>());
        QCOMPARE(view.budgetLines(), budgetFlops);
        QCOMPARE(view.budgetLabels(), (QStringList{"0.5x", "0.75x"}));
        // Every stage finished, linked to a run of its own.
        QCOMPARE(view.stageModel()->rowCount(), 11);
        QSet<QString> runs;
        for (int i = 0; i < 11; ++i) {
            QCOMPARE(stageCell(view, i, MoeStudyStageModel::StateColumn), QString("finished"));
            runs.insert(stageCell(view, i, MoeStudyStageModel::RunColumn));
        }
        QCOMPARE(runs.size(), 11);
        // The retrain of each row is its stage's run.
        QCOMPARE(doc.moeStudy().stage("moe_retrain@0.75")->run, stored[4].run);
        QCOMPARE(doc.moeStudy().stage("baseline")->run, stored[0].run);

        // Live, one event at a time, shows the same.
        RunDocument live;
        MoeStudyView liveView;
        liveView.setDocument(&live);
        live.reset("db", 1);
        for (std::size_t i = 0; i < events.size(); ++i)
            feed(live, events, i, i + 1);
        for (int c = 0; c < MoeStudyTableModel::ColumnCount; ++c)
            QCOMPARE(column(liveView, c), column(view, c));
        for (const char* method : {"baseline", "dense", "moe"})
            QCOMPARE(liveView.points(method), view.points(method));
    }
};

AUTOMOE_TEST_MAIN(TestMoeStudyView)
#include "tst_moe_study_view.moc"
