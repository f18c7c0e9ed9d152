// Pins the gap study view (StudyView over RunDocument::study()): one scatter point per (architecture,
// supernet run) in each run's graph, the per-run table's cells filled live and marked partial, Kendall tau-b
// with ties against values computed by hand, the stored study_result replacing the live figures (and
// agreeing with them), the fine-tune curves of the selected architecture, the empty state, a reset when
// another run is opened, and a stored run replayed through RunPlayer showing what the events fed live show.
#include "MainWindowRig.h"
#include "TestMain.h"
#include "space/ArchitectureIO.h"
#include "store/RunStore.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/StudyModel.h"
#include "ui/plots/StudyTableModel.h"
#include "ui/plots/StudyView.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include <QDockWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace automoe;
using namespace automoe::ui;

namespace {

// Runs 1 (shared) and 2 (mos-layer x2); four architectures; run 1's supernet trained 30 updates at 0.25 s.
nlohmann::json setupPayload(int archs = 4) {
    nlohmann::json a = nlohmann::json::array();
    for (int i = 0; i < archs; ++i)
        a.push_back({{"index", i},
                     {"arch_key", "k" + std::to_string(i)},
                     {"arch", nlohmann::json::object()},
                     {"encoding", nlohmann::json::array()}});
    return {{"runs",
             {{{"run", 1},
               {"name", "A"},
               {"kind", "shared"},
               {"sampling", "sandwich"},
               {"updates", 30},
               {"seconds_per_update", 0.25}},
              {{"run", 2},
               {"name", "B"},
               {"kind", "mos-layer x2"},
               {"sampling", "sandwich"},
               {"updates", 40},
               {"seconds_per_update", 0.5}}}},
            {"archs", a},
            {"standalone_updates", 20},
            {"finetune_updates", 10},
            {"finetune_every", 5},
            {"sentences", 50}};
}

nlohmann::json standalonePayload(int index, double nll) {
    return {{"index", index},        {"count", 4},    {"arch_key", "k" + std::to_string(index)},
            {"standalone_nll", nll}, {"updates", 20}, {"seconds", 1.0}};
}

// `reach`: the fine-tune updates to the standalone NLL (5 or 10), or kNotReached. The curve (updates 0, 5,
// 10) reaches the standalone NLL exactly there, as the core's updatesToReach reads it: 0.05 below it at 5
// and 0.1 below at 10 when reached at 5; 0.05 above at 5 and 0.1 below at 10 when reached at 10; 0.3 and
// 0.2 above when never. (Every inherited NLL here is above its standalone one, so none is reached at 0.)
constexpr std::int64_t kNotReached = -1;
nlohmann::json inheritedPayload(int index, std::int64_t run, const char* kind, double standalone,
                                double inherited, std::int64_t reach) {
    const double at5 = reach == 5 ? standalone - 0.05 : reach == 10 ? standalone + 0.05 : standalone + 0.3;
    const double last = reach == kNotReached ? standalone + 0.2 : standalone - 0.1;
    return {{"index", index},
            {"run", run},
            {"kind", kind},
            {"arch_key", "k" + std::to_string(index)},
            {"inherited_nll", inherited},
            {"standalone_nll", standalone},
            {"finetune", {{0, inherited}, {5, at5}, {10, last}}},
            {"updates_to_standalone", reach != kNotReached ? nlohmann::json(reach) : nlohmann::json()},
            {"seconds", 0.5}};
}

// Standalone NLL x and inherited NLLs y1 (run 1), y2 (run 2) of architectures 0..3.
//
// Run 1, Kendall tau-b by hand: x = 1, 2, 3, 4; y1 = 2.5, 2.5, 4.5, 4.3. The six pairs:
//   (0,1) dx = -1, dy = 0    tied in y
//   (0,2) dx = -2, dy = -2   concordant
//   (0,3) dx = -3, dy = -1.8 concordant
//   (1,2) dx = -1, dy = -2   concordant
//   (1,3) dx = -2, dy = -1.8 concordant
//   (2,3) dx = -1, dy = +0.2 discordant
// C = 4, D = 1, n0 = 6, ties_x = 0, ties_y = 1: tau-b = (4 - 1) / sqrt((6 - 0)(6 - 1)) = 3 / sqrt(30)
// = 0.5477 (tau-a, which ignores ties, would say 3 / 6 = 0.5). Gaps y1 - x: 1.5, 0.5, 1.5, 0.3: mean gap
// and mean |gap| 3.8 / 4 = 0.95. Fine-tunes of architectures 0 and 2 reach the standalone NLL after 5 and
// 10 updates: 2 / 4 reached, mean 7.5 updates; after fine-tuning |gap| 0.1, 0.2, 0.1, 0.2: mean 0.15.
//
// Run 2: y2 = 8, 7, 6, 5, the reverse order of x: all six pairs discordant, tau-b = -1; gaps 7, 5, 3, 1:
// mean gap and mean |gap| 4; none reached (after fine-tuning 0.2 above).
const double kX[4] = {1, 2, 3, 4};
const double kY1[4] = {2.5, 2.5, 4.5, 4.3};
const double kY2[4] = {8, 7, 6, 5};
const double kTau1 = 3.0 / std::sqrt(30.0);

// The study's events in log order, as GapStudyRun writes them: setup, stage, per architecture its standalone
// then one inherited per run, the stage's end and the result.
std::vector<Event> studyEvents(bool withResult = true, double storedTau2 = -1.0) {
    std::vector<Event> out;
    auto push = [&](const std::string& type, nlohmann::json payload) {
        Event e = Event::make(7, type, std::move(payload));
        e.seq = std::int64_t(out.size()) + 1;
        e.timeMs = 1700000000000 + 100 * e.seq;
        out.push_back(std::move(e));
    };
    push("study_setup", setupPayload());
    push("stage", {{"stage", "study"}, {"state", "started"}, {"archs", 4}});
    for (int i = 0; i < 4; ++i) {
        push("study_standalone", standalonePayload(i, kX[i]));
        const std::int64_t reach = i == 0 ? 5 : i == 2 ? 10 : kNotReached;
        push("study_inherited", inheritedPayload(i, 1, "shared", kX[i], kY1[i], reach));
        push("study_inherited", inheritedPayload(i, 2, "mos-layer x2", kX[i], kY2[i], kNotReached));
    }
    push("stage", {{"stage", "study"}, {"state", "finished"}, {"studied", 4}});
    if (withResult)
        push("study_result", {{"runs",
                               {{{"run", 1},
                                 {"kind", "shared"},
                                 {"kendall_tau", kTau1},
                                 {"mean_abs_gap", 0.95},
                                 {"mean_gap", 0.95},
                                 {"reached", 2},
                                 {"mean_updates_to_reach", 7.5},
                                 {"seconds_per_update", 0.25},
                                 {"updates", 30},
                                 {"finetuned_mean_abs_gap", 0.15}},
                                {{"run", 2},
                                 {"kind", "mos-layer x2"},
                                 {"kendall_tau", storedTau2},
                                 {"mean_abs_gap", 4.0},
                                 {"mean_gap", 4.0},
                                 {"reached", 0},
                                 {"mean_updates_to_reach", nullptr},
                                 {"seconds_per_update", 0.5},
                                 {"updates", 40},
                                 {"finetuned_mean_abs_gap", 0.2}}}},
                              {"standalone_nll", {1, 2, 3, 4}},
                              {"archs", 4}});
    return out;
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

// events[from, to) as one batch.
void feed(RunDocument& doc, const std::vector<Event>& events, std::size_t from, std::size_t to) {
    doc.apply(batchOf(
        std::vector<Event>(events.begin() + std::ptrdiff_t(from), events.begin() + std::ptrdiff_t(to))));
}

QString cell(const StudyView& view, int row, int column) {
    return view.tableModel()->index(row, column).data().toString();
}

// Every cell of the table, row by row.
QStringList cells(const StudyView& view) {
    QStringList out;
    for (int r = 0; r < view.tableModel()->rowCount(); ++r)
        for (int c = 0; c < StudyTableModel::ColumnCount; ++c)
            out << cell(view, r, c);
    return out;
}

StudyModel::Point point(int index, double x, double y) {
    StudyModel::Point p;
    p.index = index;
    p.standaloneNll = x;
    p.inheritedNll = y;
    return p;
}

// Index of the first event after which the study holds `inherited` study_inherited events.
std::size_t afterInherited(const std::vector<Event>& events, int inherited) {
    int seen = 0;
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].type == "study_inherited" && ++seen == inherited) return i + 1;
    return events.size();
}

} // namespace

class TestStudyView : public QObject {
    Q_OBJECT

private slots:
    void kendallTauBHandlesTies_data() {
        QTest::addColumn<QVector<double>>("x");
        QTest::addColumn<QVector<double>>("y");
        QTest::addColumn<double>("tau");
        // See kTau1 above: one tie in y.
        QTest::newRow("one tie in y")
            << QVector<double>{1, 2, 3, 4} << QVector<double>{1.5, 1.5, 3.5, 3.0} << 3.0 / std::sqrt(30.0);
        // x = 1, 1, 2, 3; y = 1, 2, 2, 3: (0,1) tied in x, (1,2) tied in y, the other four concordant:
        // (4 - 0) / sqrt((6 - 1)(6 - 1)) = 0.8.
        QTest::newRow("a tie in each") << QVector<double>{1, 1, 2, 3} << QVector<double>{1, 2, 2, 3} << 0.8;
        QTest::newRow("same order") << QVector<double>{1, 2, 3} << QVector<double>{4, 5, 6} << 1.0;
        QTest::newRow("reverse order") << QVector<double>{1, 2, 3, 4} << QVector<double>{5, 4, 3, 2} << -1.0;
        // x = 1, 2, 3; y = 1, 3, 2: C = 2, D = 1, no ties: 1 / 3.
        QTest::newRow("one swap") << QVector<double>{1, 2, 3} << QVector<double>{1, 3, 2} << 1.0 / 3.0;
        // Undefined: one point, or a constant series.
        QTest::newRow("one point") << QVector<double>{1} << QVector<double>{2} << qQNaN();
        QTest::newRow("constant y") << QVector<double>{1, 2, 3} << QVector<double>{2, 2, 2} << qQNaN();
    }

    void kendallTauBHandlesTies() {
        QFETCH(QVector<double>, x);
        QFETCH(QVector<double>, y);
        QFETCH(double, tau);
        std::vector<StudyModel::Point> points;
        for (int i = 0; i < x.size(); ++i)
            points.push_back(point(i, x[i], y[i]));
        const double got = StudyModel::summarize(points).kendallTau;
        if (std::isnan(tau))
            QVERIFY2(std::isnan(got), qPrintable(QString::number(got)));
        else
            QVERIFY2(std::abs(got - tau) < 1e-12, qPrintable(QString("%1 != %2").arg(got).arg(tau)));
    }

    void showsTheEmptyStateUntilTheFirstPoint() {
        RunDocument doc;
        StudyView view;
        QVERIFY(!view.emptyText().isEmpty()); // no document
        view.setDocument(&doc);
        QVERIFY(view.emptyText().contains("No run shown"));
        doc.reset("db", 7);
        const auto events = studyEvents();
        feed(doc, events, 0, 3); // setup, stage, the first standalone
        QVERIFY2(view.emptyText().contains("No architecture studied yet"), qPrintable(view.emptyText()));
        QCOMPARE(view.scatterPoints(1).size(), 0);
        QCOMPARE(view.tableModel()->rowCount(), 2); // the runs are known from the setup
        QCOMPARE(cell(view, 0, StudyTableModel::TauColumn), QString("—"));
        QCOMPARE(cell(view, 0, StudyTableModel::MeanAbsGapColumn), QString("—")); // no gap of no point
        QCOMPARE(cell(view, 0, StudyTableModel::ReachedColumn), QString("0 / 0"));
        feed(doc, events, 3, 4); // run 1's first point
        QVERIFY(view.emptyText().isEmpty());
        QCOMPARE(view.scatterPoints(1).size(), 1);
    }

    void plotsOnePointPerArchitectureAndRun() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        const auto events = studyEvents(false);
        // Five inherited events: architectures 0 and 1 for both runs, architecture 2 for run 1.
        feed(doc, events, 0, afterInherited(events, 5));
        QCOMPARE(view.scatterPoints(1).size(), 3);
        QCOMPARE(view.scatterPoints(2).size(), 2);
        QCOMPARE(view.scatterPoints(3).size(), 0);
        QCOMPARE(doc.study().pointCount(), 5);
        // (standalone, inherited), sorted by standalone NLL.
        QCOMPARE(view.scatterPoints(1), (QVector<QPointF>{{1, 2.5}, {2, 2.5}, {3, 4.5}}));
        QCOMPARE(view.scatterPoints(2), (QVector<QPointF>{{1, 8}, {2, 7}}));
        feed(doc, events, afterInherited(events, 5), events.size());
        QCOMPARE(view.scatterPoints(1).size(), 4);
        QCOMPARE(view.scatterPoints(2).size(), 4);
    }

    void fillsTheTableLiveAndMarksPartialRows() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        const auto events = studyEvents(false);
        feed(doc, events, 0, afterInherited(events, 3)); // run 1: archs 0, 1; run 2: arch 0
        QCOMPARE(view.tableModel()->rowCount(), 2);
        // Run 1 over x = 1, 2 and y = 2.5, 2.5: y constant, tau-b undefined; gaps 1.5, 0.5.
        QCOMPARE(cell(view, 0, StudyTableModel::RunColumn), QString("1"));
        QCOMPARE(cell(view, 0, StudyTableModel::KindColumn), QString("shared"));
        QCOMPARE(cell(view, 0, StudyTableModel::TauColumn), QString("—"));
        QCOMPARE(cell(view, 0, StudyTableModel::MeanAbsGapColumn), QString("1.000"));
        QCOMPARE(cell(view, 0, StudyTableModel::MeanGapColumn), QString("+1.000"));
        QCOMPARE(cell(view, 0, StudyTableModel::ReachedColumn), QString("1 / 2"));
        QCOMPARE(cell(view, 0, StudyTableModel::UpdatesToReachColumn), QString("5.0"));
        QCOMPARE(cell(view, 0, StudyTableModel::SecondsPerUpdateColumn), QString("0.250"));
        QCOMPARE(cell(view, 0, StudyTableModel::UpdatesColumn), QString("30"));
        QCOMPARE(cell(view, 0, StudyTableModel::StatusColumn), QString("partial 2/4"));
        QVERIFY(view.tableModel()->index(0, 0).data(Qt::FontRole).value<QFont>().italic());
        QCOMPARE(cell(view, 1, StudyTableModel::KindColumn), QString("mos-layer x2"));
        QCOMPARE(cell(view, 1, StudyTableModel::ReachedColumn), QString("0 / 1"));
        QCOMPARE(cell(view, 1, StudyTableModel::UpdatesToReachColumn), QString("—"));
        QCOMPARE(cell(view, 1, StudyTableModel::StatusColumn), QString("partial 1/4"));

        feed(doc, events, afterInherited(events, 3), events.size()); // every point, no result yet
        QCOMPARE(cell(view, 0, StudyTableModel::TauColumn), QString("0.548"));
        QCOMPARE(cell(view, 0, StudyTableModel::MeanAbsGapColumn), QString("0.950"));
        QCOMPARE(cell(view, 0, StudyTableModel::MeanGapColumn), QString("+0.950"));
        QCOMPARE(cell(view, 0, StudyTableModel::ReachedColumn), QString("2 / 4"));
        QCOMPARE(cell(view, 0, StudyTableModel::UpdatesToReachColumn), QString("7.5"));
        QCOMPARE(cell(view, 0, StudyTableModel::StatusColumn), QString("partial 4/4"));
        QCOMPARE(cell(view, 1, StudyTableModel::TauColumn), QString("-1.000"));
        QCOMPARE(cell(view, 1, StudyTableModel::MeanAbsGapColumn), QString("4.000"));
        QCOMPARE(cell(view, 1, StudyTableModel::MeanGapColumn), QString("+4.000"));
        QCOMPARE(view.legendText(1), QString("run 1 shared · τ-b 0.548 · 4 of 4 archs"));
        QCOMPARE(view.legendText(2), QString("run 2 mos-layer x2 · τ-b -1.000 · 4 of 4 archs"));
        QVERIFY(std::abs(doc.study().run(1)->live.kendallTau - kTau1) < 1e-12);
    }

    void theStoredResultReplacesTheLiveFiguresAndAgreesWithThem() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        // Run 2's stored tau is made to differ from its points (-1) so that the replacement shows.
        const auto events = studyEvents(true, 0.25);
        feed(doc, events, 0, events.size() - 1);
        const double live1 = doc.study().run(1)->summary().kendallTau;
        QCOMPARE(cell(view, 1, StudyTableModel::TauColumn), QString("-1.000"));
        QVERIFY(!doc.study().run(1)->isFinal());
        QSignalSpy changed(&doc, &RunDocument::studyChanged);
        feed(doc, events, events.size() - 1, events.size()); // study_result
        QCOMPARE(changed.count(), 1);
        const StudyModel::Run& run1 = *doc.study().run(1);
        QVERIFY(run1.isFinal());
        // Run 1's live tau-b and the stored one (hand-computed 3 / sqrt(30)) agree.
        QVERIFY(std::abs(live1 - kTau1) < 1e-12);
        QVERIFY(std::abs(run1.summary().kendallTau - live1) < 1e-12);
        QVERIFY(std::abs(run1.summary().meanAbsGap - run1.live.meanAbsGap) < 1e-12);
        QVERIFY(std::abs(run1.summary().meanGap - run1.live.meanGap) < 1e-12);
        QCOMPARE(run1.summary().reached, run1.live.reached);
        QCOMPARE(run1.live.reached, 2);
        QVERIFY(std::abs(run1.live.meanUpdatesToReach - 7.5) < 1e-12);
        QVERIFY(std::abs(run1.live.finetunedMeanAbsGap - 0.15) < 1e-12);
        QVERIFY(std::abs(run1.summary().finetunedMeanAbsGap - run1.live.finetunedMeanAbsGap) < 1e-12);
        // Run 2 shows the stored value, and null (no fine-tune reached) as "—".
        QCOMPARE(cell(view, 1, StudyTableModel::TauColumn), QString("0.250"));
        QVERIFY(std::isnan(doc.study().run(2)->summary().meanUpdatesToReach));
        QCOMPARE(cell(view, 1, StudyTableModel::UpdatesToReachColumn), QString("—"));
        QCOMPARE(cell(view, 1, StudyTableModel::SecondsPerUpdateColumn), QString("0.500"));
        QCOMPARE(cell(view, 1, StudyTableModel::UpdatesColumn), QString("40"));
        QCOMPARE(cell(view, 0, StudyTableModel::StatusColumn), QString("final"));
        QCOMPARE(cell(view, 1, StudyTableModel::StatusColumn), QString("final"));
        QVERIFY(!view.tableModel()->index(0, 0).data(Qt::FontRole).isValid());
        QCOMPARE(view.legendText(1), QString("run 1 shared · τ-b 0.548"));
        QCOMPARE(view.legendText(2), QString("run 2 mos-layer x2 · τ-b 0.250"));
        QCOMPARE(view.scatterPoints(1).size(), 4); // the result adds no point
    }

    void showsTheFineTuneCurvesOfTheSelectedArchitecture() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        const auto events = studyEvents();
        feed(doc, events, 0, afterInherited(events, 4)); // archs 0 and 1, both runs
        QCOMPARE(view.selectedArch(), 1);                // follows the newest architecture
        QCOMPARE(view.finetuneCurve(2), (QVector<QPointF>{{0, 7}, {5, 2.3}, {10, 2.2}}));
        view.selectArch(0);
        QCOMPARE(view.finetuneCurve(1), (QVector<QPointF>{{0, 2.5}, {5, 0.95}, {10, 0.9}}));
        QCOMPARE(view.finetuneCurve(2).size(), 3);
        feed(doc, events, afterInherited(events, 4), events.size());
        QCOMPARE(view.selectedArch(), 0); // picked: new points leave it alone
        QCOMPARE(view.finetuneCurve(1).front(), QPointF(0, 2.5));
    }

    void resetsWhenAnotherRunIsOpened() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        const auto events = studyEvents();
        feed(doc, events, 0, events.size());
        QCOMPARE(view.scatterPoints(1).size(), 4);
        doc.reset("db", 8);
        QCOMPARE(doc.study().pointCount(), 0);
        QCOMPARE(view.scatterPoints(1).size(), 0);
        QCOMPARE(view.scatterPoints(2).size(), 0);
        QCOMPARE(view.legendText(1), QString());
        QCOMPARE(view.tableModel()->rowCount(), 0);
        QCOMPARE(view.selectedArch(), -1);
        QVERIFY(!view.emptyText().isEmpty());
        // A run of another kind says so.
        FeedBatch info;
        RunInfo record;
        record.id = 8;
        record.spec.kind = "supernet";
        info.info = record;
        doc.apply(info);
        QVERIFY2(view.emptyText().contains("supernet run"), qPrintable(view.emptyText()));
        // The study of the next run starts from nothing: its points only.
        feed(doc, events, 0, afterInherited(events, 1));
        QCOMPARE(view.scatterPoints(1).size(), 1);
        QCOMPARE(cell(view, 0, StudyTableModel::StatusColumn), QString("partial 1/4"));
    }

    void batchBoundariesDoNotChangeWhatIsShown() {
        // One batch per event (live) and one batch for the whole run (a finished run opened) agree.
        const auto events = studyEvents();
        RunDocument one, each;
        StudyView viewOne, viewEach;
        viewOne.setDocument(&one);
        viewEach.setDocument(&each);
        one.reset("db", 7);
        each.reset("db", 7);
        feed(one, events, 0, events.size());
        for (std::size_t i = 0; i < events.size(); ++i)
            feed(each, events, i, i + 1);
        QCOMPARE(cells(viewEach), cells(viewOne));
        QCOMPARE(viewEach.scatterPoints(1), viewOne.scatterPoints(1));
        QCOMPARE(viewEach.scatterPoints(2), viewOne.scatterPoints(2));
        QCOMPARE(viewEach.legendText(2), viewOne.legendText(2));
    }

    void aStudyEventItCannotReadChangesNothingAndIsListed() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        doc.reset("db", 7);
        auto events = studyEvents(false);
        feed(doc, events, 0, afterInherited(events, 1));
        Event bad = Event::make(7, "study_inherited", {{"index", 3}, {"standalone_nll", 1.0}}); // no run
        bad.seq = 99;
        doc.apply(batchOf({bad}));
        QCOMPARE(doc.study().pointCount(), 1);
        QCOMPARE(doc.study().errors().size(), 1);
        QVERIFY2(doc.study().errors().front().contains("event 99"), qPrintable(doc.study().errors().front()));
    }

    void aReplayedStudyShowsWhatItsEventsShowLive() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const auto events = studyEvents();
        {
            RunStore store(db.toStdString());
            RunSpec spec;
            spec.name = "study";
            spec.kind = "study";
            const std::int64_t id = store.createRun(spec);
            for (Event e : events) {
                e.runId = id;
                e.seq = 0;
                store.append(e);
            }
            store.flush();
        }
        RunDocument live;
        StudyView liveView;
        liveView.setDocument(&live);
        live.reset("db", 1);
        feed(live, events, 0, events.size());

        RunDocument replayed;
        StudyView view;
        view.setDocument(&replayed);
        RunPlayer player(&replayed);
        player.openReplay(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(player.lastSeq(), qint64(events.size()), 10000);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events.size()), 10000);
        QCOMPARE(cells(view), cells(liveView));
        QCOMPARE(view.scatterPoints(1), liveView.scatterPoints(1));
        QCOMPARE(view.scatterPoints(2), liveView.scatterPoints(2));
        QCOMPARE(view.legendText(1), liveView.legendText(1));

        // Seeking back shows the study as it was: three points, partial rows.
        const qint64 back = qint64(afterInherited(events, 3));
        player.seek(back);
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), back, 10000);
        QCOMPARE(view.scatterPoints(1).size(), 2);
        QCOMPARE(view.scatterPoints(2).size(), 1);
        QCOMPARE(cell(view, 0, StudyTableModel::StatusColumn), QString("partial 2/4"));
    }

    void theMainWindowShowsTheStudyOfTheRunItShows() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        auto* view = window.findChild<StudyView*>("studyView");
        QVERIFY(view);
        QCOMPARE(view->document(), window.runDocument());
        auto* dock = window.findChild<QDockWidget*>("studyDock");
        QVERIFY(dock);
        QCOMPARE(dock->widget(), view);
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(view->visibleRegion().isEmpty()); // behind the Training tab until a study arrives
        window.runDocument()->reset("db", 7);
        const auto events = studyEvents();
        feed(*window.runDocument(), events, 0, events.size());
        QCOMPARE(view->scatterPoints(1).size(), 4);
        QTRY_VERIFY(!view->visibleRegion().isEmpty()); // brought forward
    }

    // A wheel zoom stops following: new points leave the axes alone until Follow is pressed again, which
    // takes in the whole study; opening another run follows again.
    void zoomingStopsFollowingUntilFollowIsPressed() {
        RunDocument doc;
        StudyView view;
        view.setDocument(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        doc.reset("db", 7);
        const auto events = studyEvents(false);
        feed(doc, events, 0, afterInherited(events, 2)); // x = 1 (run 1: y 2.5, run 2: y 8)
        QVERIFY(view.follow());
        QCPAxis* x = view.plot()->axisRect(0)->axis(QCPAxis::atBottom);
        QVERIFY(x->range().contains(1.0) && x->range().contains(8.0)); // one range on both axes
        QSignalSpy followed(&view, &StudyView::followChanged);
        view.plot()->replot();
        const QPoint centre = view.plot()->axisRect(0)->rect().center();
        QWheelEvent wheel(centre, view.plot()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.plot(), &wheel);
        QVERIFY(!view.follow());
        QCOMPARE(followed.count(), 1);
        QVERIFY(!view.followButton()->isChecked());
        const QCPRange zoomed = x->range();
        feed(doc, events, afterInherited(events, 2), events.size()); // x up to 4, y up to 8
        QCOMPARE(x->range().lower, zoomed.lower);
        QCOMPARE(x->range().upper, zoomed.upper);
        view.followButton()->click();
        QVERIFY(view.follow());
        QVERIFY(x->range().contains(1.0) && x->range().contains(8.0));
        QVERIFY(x->range().size() > zoomed.size());
        view.setFollow(false);
        doc.reset("db", 8);
        QVERIFY(view.follow());
    }

    // Clicking a point shows its architecture in the central figure, with its losses.
    void clickingAPointShowsItsArchitecture() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        auto* view = window.findChild<StudyView*>("studyView");
        QVERIFY(view);
        window.resize(1400, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto events = studyEvents();
        const Architecture smallest = rig.space.space().smallest();
        events[0].payload["archs"][1]["arch"] = architectureToJson(smallest);
        window.runDocument()->reset("db", 7);
        feed(*window.runDocument(), events, 0, events.size());
        QTRY_VERIFY(!view->visibleRegion().isEmpty());
        QVERIFY(window.architectureView()->architecture().key() != smallest.key());
        QSignalSpy clicked(view, &StudyView::architectureClicked);
        view->plot()->replot();
        auto* rect = view->plot()->axisRect(0);
        // Run 1's point of architecture 1: (standalone 2, inherited 2.5).
        const QPoint at(int(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(kX[1]))),
                        int(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(kY1[1]))));
        QTest::mouseClick(view->plot(), Qt::LeftButton, {}, at);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().first().toInt(), 1);
        QCOMPARE(view->selectedArch(), 1);
        QCOMPARE(window.architectureView()->architecture().key(), smallest.key());
        // An architecture without a stored description (arch 0 here) leaves the figure as it is.
        const QPoint first(int(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(kX[0]))),
                           int(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(kY1[0]))));
        QTest::mouseClick(view->plot(), Qt::LeftButton, {}, first);
        QCOMPARE(clicked.count(), 2);
        QCOMPARE(view->selectedArch(), 0);
        QCOMPARE(window.architectureView()->architecture().key(), smallest.key());
        // Selecting from code (tests, the newest point) does not move the central figure.
        view->selectArch(2);
        QCOMPARE(clicked.count(), 2);
    }
};

AUTOMOE_TEST_MAIN(TestStudyView)
#include "tst_study_view.moc"
