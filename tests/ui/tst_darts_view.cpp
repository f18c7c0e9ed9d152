// Pins the GUI half of DARTS (issue 13): RunDocument's DARTS model (setup, the architecture weights per
// update with re-emitted updates kept once, the derived architecture; unreadable events listed), the alpha
// view's heat map (every cell the event's weight at the update shown, blank where a stack lacks a candidate,
// the derived operation of each edge marked with zero excluded), its timeline (scrub, Follow), the same view
// for one batch, many batches and a replay from the store, the DARTS architecture in the central figure,
// its export as JSON that round-trips, and the Run dock's DARTS tab (the `automoe darts` command it starts,
// pause / resume / cancel sent to the child as for every run).
#include "MainWindowRig.h"
#include "TestMain.h"
#include "space/DartsArchitecture.h"
#include "space/DartsSpace.h"
#include "store/RunStore.h"
#include "ui/darts/AlphaView.h"
#include "ui/darts/DartsModel.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/DartsOptionsForm.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunPlayer.h"
#include "ui/shell/ExportDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include <QDockWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest/QtTest>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <qcustomplot.h>

using namespace automoe;
using namespace automoe::ui;

namespace {

const std::vector<std::string> kEncoder = {"conv3", "self_attention", "ffn", "zero", "identity"};
const std::vector<std::string> kDecoder = {"conv3", "self_attention", "ende_attention",
                                           "ffn",   "zero",           "identity"};
constexpr int kLayers = 2, kSplits = 2;

// The weights of edge (layer, edge) of a stack after `update`: positive, summing to one, different for every
// update, edge and candidate; `shift` makes a resumed run's re-emitted rows differ from the first ones. On
// encoder edge (0, 0) zero has the largest weight at every update (DARTS' derivation must skip it).
std::vector<double> edgeWeights(std::int64_t update, bool decoder, int layer, int edge, int shift = 0) {
    const std::size_t n = decoder ? kDecoder.size() : kEncoder.size();
    std::vector<double> w(n);
    double sum = 0;
    for (std::size_t c = 0; c < n; ++c) {
        w[c] =
            1.0 + double((update * 3 + layer * 5 + edge * 7 + int(c) * 11 + shift + (decoder ? 2 : 0)) % 13);
        sum += w[c];
    }
    if (!decoder && layer == 0 && edge == 0) {
        w[3] = sum; // zero: half of the total after normalising
        sum *= 2;
    }
    for (double& v : w)
        v /= sum;
    return w;
}

nlohmann::json stackJson(std::int64_t update, bool decoder, int shift) {
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < kLayers; ++l) {
        nlohmann::json edges = nlohmann::json::array();
        for (int e = 0; e < kSplits; ++e)
            edges.push_back(edgeWeights(update, decoder, l, e, shift));
        layers.push_back(edges);
    }
    return layers;
}

// The candidate of largest weight other than zero, by hand.
int argmaxWithoutZero(const std::vector<double>& w, const std::vector<std::string>& names) {
    int best = -1;
    for (std::size_t c = 0; c < w.size(); ++c)
        if (names[c] != "zero" && (best < 0 || w[c] > w[std::size_t(best)])) best = int(c);
    return best;
}

nlohmann::json derivedArchJson() {
    // Explicit arrays: a braced list of two-string lists would read as an object.
    using nlohmann::json;
    auto layer = [](const char* a, const char* b) { return json::array({a, b}); };
    return {{"format", "automoe-darts-arch"},
            {"version", 1},
            {"hidden", 64},
            {"heads", 4},
            {"splits", 2},
            {"encoder", json::array({layer("self_attention", "ffn"), layer("conv3", "ffn")})},
            {"decoder", json::array({layer("self_attention", "ffn"), layer("conv3", "identity")})},
            {"search_run", 1},
            {"search_step", 6}};
}

class EventLog {
public:
    void push(const std::string& type, nlohmann::json payload) {
        Event e = Event::make(1, type, std::move(payload));
        add(std::move(e));
    }
    void step(std::int64_t update) {
        TrainingStepRow row;
        row.update = update;
        row.loss = 9.0 - 0.1 * double(update);
        row.nll = row.loss;
        row.lr = 1e-4;
        row.tokens = 1000;
        row.wallMs = 50;
        add(Event::trainingStep(1, row));
    }
    void alpha(std::int64_t update, int shift = 0) {
        step(update);
        push("darts_alpha", {{"update", update},
                             {"alpha_loss", 5.0 - 0.01 * double(update) + 0.001 * shift},
                             {"encoder", stackJson(update, false, shift)},
                             {"decoder", stackJson(update, true, shift)},
                             {"derived", "enc[...] dec[...]"}});
    }
    std::vector<Event> events;

private:
    void add(Event e) {
        e.seq = std::int64_t(events.size()) + 1;
        e.timeMs = 1700000000000 + 100 * e.seq;
        events.push_back(std::move(e));
    }
};

nlohmann::json setupPayload() {
    return {{"encoder_candidates", kEncoder},
            {"decoder_candidates", kDecoder},
            {"hidden", 64},
            {"heads", 4},
            {"splits", kSplits},
            {"encoder_layers", kLayers},
            {"decoder_layers", kLayers},
            {"reversible", true},
            {"weight_params", 123456},
            {"alpha_params", 44}};
}

// A DARTS run as the core logs it: stage, setup, then a weight step and the weights after every update
// 1..`updates`, and (when `derived`) the end of the stage and the derived architecture.
std::vector<Event> dartsEvents(int updates = 6, bool derived = true) {
    EventLog log;
    log.push("stage",
             {{"stage", "darts"}, {"state", "started"}, {"max_updates", updates}, {"max_minutes", 0}});
    log.push("darts_setup", setupPayload());
    for (int u = 1; u <= updates; ++u)
        log.alpha(u);
    if (derived) {
        log.push("stage",
                 {{"stage", "darts"}, {"state", "finished"}, {"update", updates}, {"cancelled", false}});
        log.push("darts_derived",
                 {{"update", updates}, {"architecture", derivedArchJson()}, {"key", "k"}, {"params", 98765}});
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

// Every cell (NaN as a string, so that blank cells compare), the marks and the labels of the view.
QStringList snapshot(const AlphaView& view) {
    QStringList out = view.rowLabels() + view.columnLabels();
    for (int r = 0; r < view.rowLabels().size(); ++r) {
        for (int c = 0; c < view.columnLabels().size(); ++c)
            out << QString::number(view.cellValue(r, c), 'g', 17);
        out << QString::number(view.markedColumn(r));
    }
    out << QString::number(view.shownUpdate()) << view.statusText();
    return out;
}

// Writes the events of dartsEvents() as run 1 of a new store at `db`.
void writeStore(const QString& db, const std::vector<Event>& events) {
    RunStore store(db.toStdString());
    RunSpec spec;
    spec.name = "darts";
    spec.kind = "darts";
    const std::int64_t id = store.createRun(spec);
    for (Event e : events) {
        e.runId = id;
        e.seq = 0;
        store.append(e);
    }
    store.flush();
}

} // namespace

class TestDartsView : public QObject {
    Q_OBJECT

private slots:
    void theModelAppliesSetupWeightsAndTheDerivedArchitecture() {
        RunDocument doc;
        QSignalSpy changed(&doc, &RunDocument::dartsChanged);
        doc.reset("db", 1);
        const auto events = dartsEvents();
        feedAll(doc, events);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().first().toInt(), 0);
        const DartsModel& m = doc.darts();
        QVERIFY(m.setup());
        QCOMPARE(m.setup()->encoderCandidates.size(), 5);
        QCOMPARE(m.setup()->decoderCandidates.size(), 6);
        QCOMPARE(m.setup()->hidden, 64);
        QCOMPARE(m.setup()->splits, 2);
        QCOMPARE(m.setup()->weightParams, std::int64_t(123456));
        QCOMPARE(int(m.history().size()), 6);
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(m.history()[std::size_t(i)].update, std::int64_t(i + 1));
            QCOMPARE(m.history()[std::size_t(i)].decoder[1][0], edgeWeights(i + 1, true, 1, 0));
        }
        QVERIFY(m.derived());
        QCOMPARE(m.derived()->update, std::int64_t(6));
        QCOMPARE(m.derived()->params, std::int64_t(98765));
        QCOMPARE(m.derived()->architecture, dartsArchitectureFromJson(derivedArchJson(), "test"));
        QVERIFY(m.errors().isEmpty());
        // The weight steps still reach the training curves.
        QCOMPARE(int(doc.steps().size()), 6);
        // Rows: encoder then decoder edges; columns: the decoder's candidates.
        QCOMPARE(int(m.edges().size()), 2 * kLayers * kSplits);
        QCOMPARE(m.edges().front().label, QString("enc L1 e1"));
        QCOMPARE(m.edges().back().label, QString("dec L2 e2"));
        QCOMPARE(m.columns().size(), 6);
        QCOMPARE(m.columnOf(false, 2), 3); // encoder ffn: after the decoder's ende_attention
        doc.reset("db", 2);
        QVERIFY(doc.darts().isEmpty());
    }

    // A resumed run logs the updates after its checkpoint again: each update once, the later row wins.
    void reEmittedUpdatesAreKeptOnceAndTheLaterRowWins() {
        RunDocument doc;
        doc.reset("db", 1);
        EventLog log;
        log.push("darts_setup", setupPayload());
        for (int u = 1; u <= 5; ++u)
            log.alpha(u);
        log.push("resumed", {{"update", 3}});
        for (int u = 4; u <= 7; ++u)
            log.alpha(u, 1);
        feedAll(doc, log.events);
        const DartsModel& m = doc.darts();
        QCOMPARE(int(m.history().size()), 7);
        for (int i = 0; i < 7; ++i)
            QCOMPARE(m.history()[std::size_t(i)].update, std::int64_t(i + 1));
        QCOMPARE(m.history()[2].encoder[1][1], edgeWeights(3, false, 1, 1, 0));
        QCOMPARE(m.history()[3].encoder[1][1], edgeWeights(4, false, 1, 1, 1));
        QCOMPARE(m.history()[4].alphaLoss, 5.0 - 0.05 + 0.001);
        QCOMPARE(m.indexOfUpdate(5), 4);
        QCOMPARE(m.indexOfUpdate(8), -1);
    }

    void aDartsEventItCannotReadChangesNothingAndIsListed() {
        RunDocument doc;
        doc.reset("db", 1);
        EventLog log;
        log.push("darts_setup", setupPayload());
        log.alpha(1);
        nlohmann::json bad = {
            {"update", 2}, {"encoder", {{{0.5, 0.5}}}}, {"decoder", nlohmann::json::array()}};
        log.push("darts_alpha", bad); // two weights for five candidates
        log.push("darts_derived", {{"update", 2}, {"architecture", {{"encoder", 3}}}});
        feedAll(doc, log.events);
        QCOMPARE(int(doc.darts().history().size()), 1);
        QVERIFY(!doc.darts().derived());
        QCOMPARE(doc.darts().errors().size(), 2);
        QVERIFY(doc.darts().errors().at(0).contains("encoder[0][0]"));
    }

    // Every cell is the event's softmax weight at the update shown; an encoder row has no ende_attention.
    void heatMapCellsAreTheWeightsOfTheUpdateShown() {
        RunDocument doc;
        AlphaView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        feedAll(doc, dartsEvents());
        QCOMPARE(view.shownUpdate(), std::int64_t(6));
        QCOMPARE(view.rowLabels().size(), 8);
        QCOMPARE(view.columnLabels(),
                 (QStringList{"conv3", "self_attention", "ende_attention", "ffn", "zero", "identity"}));
        for (int index : {5, 2, 0}) {
            view.scrubTo(index);
            const std::int64_t update = index + 1;
            QCOMPARE(view.shownUpdate(), update);
            QCOMPARE(view.timeline()->value(), index);
            int row = 0;
            for (bool decoder : {false, true})
                for (int l = 0; l < kLayers; ++l)
                    for (int e = 0; e < kSplits; ++e, ++row) {
                        const std::vector<double> w = edgeWeights(update, decoder, l, e);
                        const auto& names = decoder ? kDecoder : kEncoder;
                        for (std::size_t c = 0; c < names.size(); ++c) {
                            const int column =
                                int(view.columnLabels().indexOf(QString::fromStdString(names[c])));
                            QCOMPARE(view.cellValue(row, column), w[c]);
                        }
                        if (!decoder) QVERIFY(std::isnan(view.cellValue(row, 2)));
                    }
        }
        // The colour scale spans every weight seen.
        auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->dataRange().lower, doc.darts().minWeight());
        QCOMPARE(map->dataRange().upper, doc.darts().maxWeight());
        QCOMPARE(view.colourValue(7, 3), view.cellValue(7, 3));
        // Relative to uniform: weight x the stack's candidates (5 in the encoder, 6 in the decoder).
        view.setColour(AlphaView::Colour::Relative);
        QCOMPARE(view.colourValue(1, 0), edgeWeights(1, false, 0, 1)[0] * 5);
        QCOMPARE(view.colourValue(7, 3), edgeWeights(1, true, 1, 1)[3] * 6);
        QCOMPARE(view.cellValue(7, 3), edgeWeights(1, true, 1, 1)[3]);
        QVERIFY(std::isnan(view.colourValue(1, 2)));
        QCOMPARE(map->dataRange().upper, doc.darts().maxRelative());
        QCOMPARE(doc.darts().maxRelative(), 2.5); // zero's half of encoder edge (0, 0), x 5
    }

    // The ring marks the operation DARTS derives: the largest weight other than zero.
    void marksTheDerivedOperationOfEveryEdge() {
        RunDocument doc;
        AlphaView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        feedAll(doc, dartsEvents());
        for (int index : {5, 1}) {
            view.scrubTo(index);
            int row = 0;
            for (bool decoder : {false, true})
                for (int l = 0; l < kLayers; ++l)
                    for (int e = 0; e < kSplits; ++e, ++row) {
                        const auto& names = decoder ? kDecoder : kEncoder;
                        const int best = argmaxWithoutZero(edgeWeights(index + 1, decoder, l, e), names);
                        QCOMPARE(view.columnLabels().at(view.markedColumn(row)),
                                 QString::fromStdString(names[std::size_t(best)]));
                    }
            // Encoder edge (0, 0): zero holds half the weight and is still not the mark.
            QCOMPARE(view.cellValue(0, int(view.columnLabels().indexOf("zero"))), 0.5);
            QVERIFY(view.columnLabels().at(view.markedColumn(0)) != QString("zero"));
        }
        // The tooltip names the cell and its value.
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        const QPointF at(view.plot()->xAxis->coordToPixel(4), view.plot()->yAxis->coordToPixel(0));
        const QString tip = view.toolTipAt(at);
        QVERIFY2(tip.contains("enc L1 e1 · zero") && tip.contains("0.5000"), qPrintable(tip));
    }

    // The timeline follows the newest update until the user scrubs back; Follow brings it to the newest.
    void scrubbingStopsFollowingUntilFollowIsPressed() {
        RunDocument doc;
        AlphaView view;
        view.setDocument(&doc);
        doc.reset("db", 1);
        const auto events = dartsEvents(10, false);
        const std::size_t half = 2 + 2 * 5; // stage, setup, updates 1..5
        feed(doc, events, 0, half);
        QVERIFY(view.follow());
        QCOMPARE(view.shownUpdate(), std::int64_t(5));
        QSignalSpy followed(&view, &AlphaView::followChanged);
        view.timeline()->setValue(1); // as a drag of the slider does
        QCOMPARE(view.shownUpdate(), std::int64_t(2));
        QVERIFY(!view.follow());
        QVERIFY(!view.followButton()->isChecked());
        QCOMPARE(followed.count(), 1);
        feed(doc, events, half, events.size());
        QCOMPARE(view.shownUpdate(), std::int64_t(2)); // stays where the user put it
        QCOMPARE(view.timeline()->maximum(), 9);
        view.followButton()->click();
        QVERIFY(view.follow());
        QCOMPARE(view.shownUpdate(), std::int64_t(10));
        // Scrubbing back to the newest update follows again.
        view.scrubTo(3);
        QVERIFY(!view.follow());
        view.scrubTo(9);
        QVERIFY(view.follow());
        // Another run follows from the start.
        view.scrubTo(0);
        doc.reset("db", 2);
        QVERIFY(view.follow());
        QCOMPARE(view.shownIndex(), -1);
    }

    // One batch or one batch per event: the same heat map at every update.
    void oneBatchOrManyShowTheSame() {
        const auto events = dartsEvents(8);
        RunDocument one, many;
        AlphaView oneView, manyView;
        oneView.setDocument(&one);
        manyView.setDocument(&many);
        one.reset("db", 1);
        many.reset("db", 1);
        feedAll(one, events);
        for (std::size_t i = 0; i < events.size(); ++i)
            feed(many, events, i, i + 1);
        for (int index = 0; index < 8; ++index) {
            oneView.scrubTo(index);
            manyView.scrubTo(index);
            QCOMPARE(snapshot(manyView), snapshot(oneView));
        }
    }

    // The replay of a stored run shows what its events fed live show, and seeking back shows the past.
    void aReplayedRunShowsWhatItsEventsShowLive() {
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        const auto events = dartsEvents(8);
        writeStore(db, events);
        RunDocument live;
        AlphaView liveView;
        liveView.setDocument(&live);
        live.reset("db", 1);
        feedAll(live, events);

        RunDocument replayed;
        AlphaView view;
        view.setDocument(&replayed);
        RunPlayer player(&replayed);
        player.openReplay(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(player.lastSeq(), qint64(events.size()), 10000);
        player.seek(player.lastSeq());
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), qint64(events.size()), 10000);
        for (int index : {7, 3, 0}) {
            view.scrubTo(index);
            liveView.scrubTo(index);
            QCOMPARE(snapshot(view).mid(0, snapshot(view).size() - 1),
                     snapshot(liveView).mid(0, snapshot(liveView).size() - 1));
        }
        QCOMPARE(replayed.darts().derived()->architecture, live.darts().derived()->architecture);

        // Seeking back to update 3: three steps, following the newest of them.
        const qint64 back = 2 + 2 * 3;
        player.seek(back);
        QTRY_COMPARE_WITH_TIMEOUT(player.position(), back, 10000);
        QCOMPARE(int(replayed.darts().history().size()), 3);
        QCOMPARE(view.shownUpdate(), std::int64_t(3));
        liveView.scrubTo(2);
        QCOMPARE(view.cellValue(5, 1), liveView.cellValue(5, 1));
    }

    // The central figure draws the argmax while the run goes and the derived architecture at its end.
    void theArchitectureViewDrawsTheDartsArchitecture() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        auto* alpha = window.findChild<AlphaView*>("alphaView");
        QVERIFY(alpha);
        QCOMPARE(alpha, window.alphaView());
        auto* dock = window.findChild<QDockWidget*>("alphaDock");
        QVERIFY(dock);
        window.resize(1400, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(alpha->visibleRegion().isEmpty()); // behind the Training tab until a DARTS run arrives
        window.runDocument()->reset("db", 1);
        const auto events = dartsEvents(6);
        const std::size_t beforeDerived = events.size() - 2;
        feed(*window.runDocument(), events, 0, beforeDerived);
        QTRY_VERIFY(!alpha->visibleRegion().isEmpty());
        ArchitectureView* view = window.architectureView();
        QVERIFY(view->isDarts());
        QVERIFY(view->figure().title().contains("at update 6"));
        // The argmax of update 6, identity dropped, in every layer.
        auto expectedOps = [](std::int64_t update, bool decoder, int layer) {
            QStringList ops;
            const auto& names = decoder ? kDecoder : kEncoder;
            for (int e = 0; e < kSplits; ++e) {
                const int best = argmaxWithoutZero(edgeWeights(update, decoder, layer, e), names);
                const DartsOpSpec op = DartsOpSpec::parse(names[std::size_t(best)]);
                if (op.kind != DartsOpKind::Identity) ops << DartsFigure::opTitle(op);
            }
            if (decoder) ops << DartsFigure::opTitle(DartsOpSpec::parse("ende_attention"));
            return ops;
        };
        for (bool decoder : {false, true})
            for (int l = 0; l < kLayers; ++l)
                QCOMPARE(view->figure().dartsFigure().layerOps(decoder, l), expectedOps(6, decoder, l));
        // Scrubbing shows the argmax of that update.
        alpha->scrubTo(1);
        QVERIFY(view->figure().title().contains("at update 2"));
        QCOMPARE(view->figure().dartsFigure().layerOps(true, 0), expectedOps(2, true, 0));
        // The derived architecture, once it came, at the newest update.
        feed(*window.runDocument(), events, beforeDerived, events.size());
        QVERIFY(view->figure().title().contains("at update 2")); // still scrubbed back
        alpha->followButton()->click();
        QVERIFY(view->figure().title().contains("derived by run 1"));
        QCOMPARE(view->dartsArchitecture(), dartsArchitectureFromJson(derivedArchJson(), "test"));
        QCOMPARE(view->figure().dartsFigure().layerOps(true, 1),
                 (QStringList{"Conv k=3", "Enc-dec attention"}));
        QCOMPARE(view->figure().dartsFigure().layerOps(false, 0), (QStringList{"Self-attention", "FFN"}));
        QVERIFY(view->figure().toolTipAt(QPointF(200, 200)).contains("Encoder layer 1"));
    }

    // File > Export Architecture and File > Export… write the DARTS architecture as JSON that reads back.
    void theExportWritesJsonThatRoundTrips() {
        testsupport::MainWindowRig rig;
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        QStringList& errors = rig.errors;
        window.runDocument()->reset("db", 1);
        feedAll(*window.runDocument(), dartsEvents(6));
        const DartsArchitecture derived = dartsArchitectureFromJson(derivedArchJson(), "test");
        const QString json = rig.dir.filePath("arch.json");
        QVERIFY(window.exportArchitecture(json));
        QCOMPARE(loadDartsArchitecture(json.toStdString()), derived);
        QVERIFY(!window.exportArchitecture(rig.dir.filePath("arch.yml")));
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().contains("JSON"));

        ExportDialog* dialog = window.openExportDialog();
        QVERIFY(dialog->dartsExportButton()->isEnabled());
        dialog->setOutputDirectory(rig.dir.path());
        QCOMPARE(dialog->dartsArchitectureFile(), rig.dir.filePath("run1-darts-arch.json"));
        dialog->dartsExportButton()->click();
        QCOMPARE(loadDartsArchitecture(rig.dir.filePath("run1-darts-arch.json").toStdString()), derived);
        dialog->close();

        // Before the run derived it: the argmax of the newest weights, marked as coming from this run.
        window.runDocument()->reset("db", 2);
        feedAll(*window.runDocument(), dartsEvents(4, false));
        ExportDialog* early = window.openExportDialog();
        early->setOutputDirectory(rig.dir.path());
        QString error;
        QVERIFY2(early->exportDartsArchitecture(&error), qPrintable(error));
        const DartsArchitecture written =
            loadDartsArchitecture(rig.dir.filePath("run2-darts-arch.json").toStdString());
        DartsArchitecture expected = *window.runDocument()->darts().architectureAt(3);
        expected.searchRun = 2;
        QCOMPARE(written, expected);
        QCOMPARE(written.searchStep, std::int64_t(4));
        early->close();
    }

    // The DARTS tab starts `automoe darts` with its settings; pause, resume and cancel reach the child.
    void theRunDockStartsAndControlsADartsSearch() {
        QTemporaryDir dir;
        SpaceDocument document;
        QVERIFY(document.open("tiny"));
        RunControlPanel panel(&document);
        const QString db = dir.filePath("runs.sqlite");
        panel.setDatabasePath(db);
        panel.setMode(RunControlPanel::Mode::Darts);
        QCOMPARE(panel.mode(), RunControlPanel::Mode::Darts);
        DartsOptionsForm::Options o;
        o.corpus = "sample";
        o.updates = 30;
        o.hidden = 64;
        o.layers = 2;
        o.splits = 3;
        panel.dartsForm()->setOptions(o);
        QString error;
        const QStringList expected{"--corpus", "sample",   "--updates", "30",       "--hidden",
                                   "64",       "--layers", "2",         "--splits", "3"};
        QCOMPARE(panel.dartsArguments(&error), expected);
        QVERIFY(error.isEmpty());
        // Minutes, a space file and a batch size.
        o.updates = 0;
        o.minutes = 5;
        o.space = "/tmp/my-darts.json";
        o.maxTokens = 2048;
        panel.dartsForm()->setOptions(o);
        QCOMPARE(panel.dartsArguments(&error),
                 (QStringList{"--corpus", "sample", "--space", "/tmp/my-darts.json", "--minutes", "5",
                              "--hidden", "64", "--layers", "2", "--splits", "3", "--max-tokens", "2048"}));
        QCOMPARE(DartsOptionsForm::fromMap(DartsOptionsForm::toMap(o)).space, o.space);
        panel.dartsForm()->setOptions(DartsOptionsForm::Options{"sample", "", 64, 2, 3, 30, 0, 0});

        // A stand-in `automoe` that writes its arguments, says its run, then logs every control line until
        // cancel.
        const QString cli = dir.filePath("automoe");
        QFile f(cli);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(
                    "#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1'\necho '{\"run_id\": 9, \"kind\": \"darts\"}'\n"
                    "while read line; do echo \"$line\" >> '%2'; [ \"$line\" = cancel ] && exit 0; done\n")
                    .arg(dir.filePath("args"), dir.filePath("control"))
                    .toUtf8());
        f.close();
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
        panel.process()->setCliPath(cli);
        QSignalSpy started(&panel, &RunControlPanel::runStarted);
        QSignalSpy ended(&panel, &RunControlPanel::runEnded);
        panel.startButton()->click();
        const QStringList launched = QStringList{"darts", "--control-stdin", "--db", db} + expected;
        QCOMPARE(panel.process()->arguments(), launched);
        QTRY_COMPARE(started.count(), 1);
        QCOMPARE(started.first().first().toLongLong(), qint64(9));
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY(!panel.dartsForm()->findChild<QSpinBox*>("dartsHidden")->isEnabled());
        panel.pauseButton()->click();
        QVERIFY(panel.resumeButton()->isEnabled());
        QVERIFY(!panel.pauseButton()->isEnabled());
        panel.resumeButton()->click();
        QVERIFY(panel.pauseButton()->isEnabled());
        panel.cancelButton()->click();
        QTRY_COMPARE(ended.count(), 1);
        QCOMPARE(ended.first().first().toInt(), 0);
        QFile args(dir.filePath("args"));
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(args.readAll()).split('\n', Qt::SkipEmptyParts), launched);
        QFile control(dir.filePath("control"));
        QVERIFY(control.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(control.readAll()).split('\n', Qt::SkipEmptyParts),
                 (QStringList{"pause", "resume", "cancel"}));
        QVERIFY(panel.dartsForm()->findChild<QSpinBox*>("dartsHidden")->isEnabled());

        // An incomplete setting is refused, naming the field.
        QSignalSpy failed(&panel, &RunControlPanel::failed);
        DartsOptionsForm::Options none = o;
        none.corpus.clear();
        QVERIFY(DartsOptionsForm::arguments(none, &error).isEmpty());
        QVERIFY(error.contains("Corpus"));
    }
};

AUTOMOE_TEST_MAIN(TestDartsView)

// `automoe_tests_ui --darts-db DB [UPDATES]`: a synthetic DARTS run of the standard candidate lists (3 + 3
// layers, 2 splits), its weights drifting towards one operation per edge, for screenshots of a replay.
static const int dartsDbHelper = automoe::test::registerHelper("--darts-db", [](int argc, char** argv) {
    if (argc < 1) return 2;
    const int updates = argc >= 2 ? std::atoi(argv[1]) : 200;
    const DartsSpace space = DartsSpace::standard();
    std::vector<std::string> enc, dec;
    for (const DartsOpSpec& op : space.encoder)
        enc.push_back(op.name());
    for (const DartsOpSpec& op : space.decoder)
        dec.push_back(op.name());
    const int layers = 3, splits = 2;
    // Each edge drifts towards one candidate (a fixed pseudo-random pick) at its own pace.
    auto weights = [&](int u, bool decoder, int l, int e) {
        const auto& names = decoder ? dec : enc;
        const std::size_t n = names.size();
        const std::size_t target = std::size_t((l * 7 + e * 5 + (decoder ? 3 : 0)) * 13 + 1) % n;
        const std::size_t second = (target + 4) % n;
        std::vector<double> logits(n);
        double sum = 0;
        const double t = double(u) / updates;
        for (std::size_t c = 0; c < n; ++c) {
            logits[c] = 0.15 * std::sin(0.9 * double(c) + 0.4 * l + 0.7 * e) * (1 + t);
            if (c == target) logits[c] += 2.6 * t * (1 + 0.2 * e);
            if (c == second) logits[c] += 1.9 * t * (1 - 0.3 * l / layers);
            if (names[c] == "zero") logits[c] -= 0.8 * t;
            sum += std::exp(logits[c]);
        }
        std::vector<double> w(n);
        for (std::size_t c = 0; c < n; ++c)
            w[c] = std::exp(logits[c]) / sum;
        return w;
    };
    RunStore store(argv[0]);
    RunSpec spec;
    spec.name = "darts synthetic";
    spec.kind = "darts";
    const std::int64_t id = store.createRun(spec);
    auto append = [&](Event e) {
        e.runId = id;
        store.append(e);
    };
    append(Event::make(id, "stage", {{"stage", "darts"}, {"state", "started"}, {"max_updates", updates}}));
    nlohmann::json setup = {{"encoder_candidates", enc},
                            {"decoder_candidates", dec},
                            {"hidden", 256},
                            {"heads", 4},
                            {"splits", splits},
                            {"encoder_layers", layers},
                            {"decoder_layers", layers},
                            {"reversible", true},
                            {"weight_params", 9876543},
                            {"alpha_params", 2 * layers * splits * int(dec.size())}};
    append(Event::make(id, "darts_setup", setup));
    std::vector<std::vector<DartsOpSpec>> lastEnc, lastDec;
    for (int u = 1; u <= updates; ++u) {
        TrainingStepRow row;
        row.update = u;
        row.loss = 9.5 * std::exp(-double(u) / updates) + 2.5;
        row.nll = row.loss - 0.2;
        row.lr = 5e-4 * std::min(1.0, u / 20.0);
        row.tokens = 4000;
        row.wallMs = 420;
        append(Event::trainingStep(id, row));
        nlohmann::json e = nlohmann::json::array(), d = nlohmann::json::array();
        DartsModel::StackWeights ew, dw;
        for (int l = 0; l < layers; ++l) {
            nlohmann::json el = nlohmann::json::array(), dl = nlohmann::json::array();
            ew.emplace_back();
            dw.emplace_back();
            for (int s = 0; s < splits; ++s) {
                ew.back().push_back(weights(u, false, l, s));
                dw.back().push_back(weights(u, true, l, s));
                el.push_back(ew.back().back());
                dl.push_back(dw.back().back());
            }
            e.push_back(el);
            d.push_back(dl);
        }
        DartsArchitecture arch;
        arch.encoder = deriveEdges(space.encoder, ew);
        arch.decoder = deriveEdges(space.decoder, dw);
        append(Event::make(id, "darts_alpha",
                           {{"update", u},
                            {"alpha_loss", 6.0 * std::exp(-1.5 * double(u) / updates) + 2.0},
                            {"encoder", e},
                            {"decoder", d},
                            {"derived", arch.key()}}));
        lastEnc = arch.encoder;
        lastDec = arch.decoder;
    }
    append(Event::make(id, "stage", {{"stage", "darts"}, {"state", "finished"}, {"update", updates}}));
    DartsArchitecture derived;
    derived.hidden = 256;
    derived.heads = 4;
    derived.splits = splits;
    derived.encoder = lastEnc;
    derived.decoder = lastDec;
    derived.searchRun = id;
    derived.searchStep = updates;
    append(Event::make(id, "darts_derived",
                       {{"update", updates},
                        {"architecture", dartsArchitectureToJson(derived)},
                        {"key", derived.key()},
                        {"params", 7654321}}));
    append(Event::make(id, "run_status", {{"status", "finished"}}));
    store.flush();
    std::printf("run %lld\n", static_cast<long long>(id));
    return 0;
});

#include "tst_darts_view.moc"
