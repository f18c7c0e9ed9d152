// Pins core/run's one definition of stages and progress (RunStages, RunProgress), on hand-made event
// sequences with hand-computed numbers: which pipeline stage each stage event lights, the budget each stage
// owns and which stages keep the budget before them, fraction and ETA with paused time left out, a resumed
// run's rate from its own updates, cancelled and failed stages that never show as done, and events read
// back from the store (payload only) counting like live ones.
#include "run/RunProgress.h"
#include "run/RunStages.h"
#include "store/RunRecords.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;
using P = PipelineStage;

namespace {

Event ev(std::int64_t timeMs, const std::string& type, nlohmann::json payload = nlohmann::json::object()) {
    Event e = Event::make(1, type, std::move(payload));
    e.timeMs = timeMs;
    return e;
}

Event stageEvent(std::int64_t timeMs, const char* name, const char* state,
                 nlohmann::json payload = nlohmann::json::object()) {
    payload["stage"] = name;
    payload["state"] = state;
    return ev(timeMs, stage::kEventType, std::move(payload));
}

Event status(std::int64_t timeMs, RunStatus s) {
    return ev(timeMs, "run_status", {{"status", runStatusName(s)}});
}

// A live training step (typed row set), as observers get it.
Event step(std::int64_t timeMs, std::int64_t update) {
    TrainingStepRow r;
    r.update = update;
    r.loss = 5.0;
    Event e = Event::trainingStep(1, r);
    e.timeMs = timeMs;
    return e;
}

} // namespace

class TestRunProgress : public QObject {
    Q_OBJECT
private slots:
    void stagesAreDefinedOnce() {
        QCOMPARE(stageEvents().size(), std::size_t(12));
        // The MoE study's own stage owns no budget: its stages are runs with their own progress.
        const StageEventInfo* moeStudy = stageEventInfo(stage::kMoeStudy);
        QVERIFY(moeStudy && !moeStudy->pipeline && moeStudy->unit == ProgressUnit::None);
        const StageEventInfo* darts = stageEventInfo(stage::kDarts);
        QVERIFY(darts && !darts->pipeline && darts->unit == ProgressUnit::Update && darts->minutes);
        const StageEventInfo* study = stageEventInfo(stage::kStudy);
        QVERIFY(study && !study->pipeline && study->unit == ProgressUnit::Architecture);
        QCOMPARE(std::string(pipelineStageTitle(P::Supernet)), std::string("Supernet training"));
        QCOMPARE(std::string(pipelineStageTitle(P::Measure)), std::string("Measure latency, FLOPs, params"));
        QCOMPARE(std::string(pipelineStageTitle(P::Test)), std::string("Test BLEU"));
        QCOMPARE(pipelineStageNumber(P::Measure), 5);
        // Stage 5 is the "costs" event, which owns no budget; the training stages own updates and minutes.
        const StageEventInfo* costs = stageEventInfo("costs");
        QVERIFY(costs && costs->pipeline == P::Measure && costs->unit == ProgressUnit::None);
        const StageEventInfo* retrain = stageEventInfo(stage::kRetrain);
        QVERIFY(retrain && retrain->unit == ProgressUnit::Update && retrain->minutes);
        QCOMPARE(std::string(retrain->totalKey), std::string("max_updates"));
        QCOMPARE(std::string(stageEventInfo("search")->totalKey), std::string("iterations"));
        QCOMPARE(stageEventInfo("latency_dataset")->unit, ProgressUnit::Sample);
        QVERIFY(!stageEventInfo("data")->pipeline && !stageEventInfo("rank")->pipeline);
        QVERIFY(!stageEventInfo("measure"));

        using V = std::vector<std::string>;
        QCOMPARE(runKindStages("supernet").events, (V{"data", "supernet", "test"}));
        QCOMPARE(runKindStages("supernet", {{"test_sentences", 0}}).events, (V{"data", "supernet"}));
        QCOMPARE(runKindStages("retrain").events, (V{"data", "retrain", "test"}));
        const RunKindStages close = runKindStages("retrain", {{"cost_repeats", 10}, {"search_run", 3}});
        QCOMPARE(close.events, (V{"data", "costs", "retrain", "test"}));
        QCOMPARE(close.pipeline(), (std::vector<P>{P::Measure, P::Retrain, P::Test}));
        QCOMPARE(close.resumeCommand(12), std::string("automoe train --resume 12"));
        QCOMPARE(runKindStages("search").resumeCommand(4), std::string("automoe search --resume 4"));
        QCOMPARE(runKindStages("latency").events, (V{"latency_dataset", "latency_predictor"}));
        QCOMPARE(runKindStages("latency").resumeCommand(4), std::string());
        QCOMPARE(runKindStages("rank").pipeline().size(), std::size_t(0));
        QCOMPARE(runKindStages("study").events, (V{"study"}));
        QCOMPARE(runKindStages("study").resumeCommand(3), std::string());
        QCOMPARE(runKindStages("darts").events, (V{"data", "darts"}));
        QCOMPARE(runKindStages("darts").resumeCommand(5), std::string("automoe darts --resume 5"));
        QCOMPARE(runKindStages("darts_retrain").events, (V{"data", "retrain", "test"}));
        QCOMPARE(runKindStages("darts_retrain", {{"test_sentences", 0}}).events, (V{"data", "retrain"}));
        QCOMPARE(runKindStages("moe_study").events, (V{"moe_study"}));
        QCOMPARE(runKindStages("moe_study").resumeCommand(9),
                 std::string("automoe study moe-vs-dense --resume 9"));
        QCOMPARE(runKinds().size(), std::size_t(9));
        for (const std::string& kind : runKinds())
            QVERIFY(!runKindStages(kind).events.empty());
        try {
            runKindStages("bogus");
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()), QString("unknown run kind \"bogus\" (expected supernet, retrain, "
                                                "search, latency, rank, study, darts, darts_retrain or "
                                                "moe_study)"));
        }
    }

    // A DARTS search counts its updates against its max_updates like a training run.
    void dartsSearchCountsUpdates() {
        RunProgress p;
        p.setRun("darts", {{"max_updates", 40}});
        p.apply(status(1000, RunStatus::Running));
        p.apply(stageEvent(1000, "data", "started"));
        p.apply(stageEvent(2000, "data", "finished"));
        p.apply(stageEvent(2000, "darts", "started", {{"max_updates", 40}, {"max_minutes", 0}}));
        for (int u = 1; u <= 10; ++u)
            p.apply(step(2000 + 1000 * u, u));
        QCOMPARE(p.activeStageEvent(), std::string("darts"));
        QCOMPARE(p.fraction(12000), 0.25);
        QVERIFY(p.etaSeconds(12000).has_value());
        QCOMPARE(*p.etaSeconds(12000), 30.0); // 30 updates left at 1 s each
    }

    // 1 update a second; a 10 s pause after update 10; update 11 one second after resuming.
    void trainingFractionAndEtaLeavePausedTimeOut() {
        RunProgress p;
        p.setRun("supernet", {{"max_updates", 100}});
        QVERIFY(p.inRun(P::Supernet) && p.inRun(P::Test) && !p.inRun(P::Search));
        p.apply(status(1000, RunStatus::Running));
        p.apply(stageEvent(1000, "data", "started"));
        QCOMPARE(p.state(P::Supernet), StageState::Active); // data prepares supernet training
        QCOMPARE(p.activeStageEvent(), std::string("data"));
        p.apply(stageEvent(2000, "data", "finished"));
        QCOMPARE(p.state(P::Supernet), StageState::Active);
        QCOMPARE(p.fraction(2000), -1.0); // no budget yet
        QVERIFY(!p.etaSeconds(2000));
        p.apply(stageEvent(2000, "supernet", "started", {{"max_updates", 100}, {"max_minutes", 0}}));
        QVERIFY(!p.etaSeconds(2500)); // no update yet
        for (int k = 1; k <= 10; ++k)
            p.apply(step(2000 + 1000 * k, k));
        QCOMPARE(p.unit(), ProgressUnit::Update);
        QCOMPARE(p.done(), std::int64_t(10));
        QCOMPARE(p.total(), std::int64_t(100));
        QCOMPARE(p.fraction(12000), 0.1);
        QCOMPARE(p.elapsedSeconds(12000), 10.0);
        QCOMPARE(*p.etaSeconds(12000), 90.0);

        p.apply(status(12500, RunStatus::Paused));
        QCOMPARE(p.status(), RunStatus::Paused);
        // Paused: the clock stops at 10.5 s and the ETA holds (90 updates at 1 s, 0.5 s since update 10).
        QCOMPARE(p.elapsedSeconds(20000), 10.5);
        QCOMPARE(*p.etaSeconds(20000), 89.5);
        p.apply(status(22500, RunStatus::Running));
        p.apply(step(23000, 11));
        // At 24 s: 22 s since the stage started, 10 of them paused.
        QCOMPARE(p.elapsedSeconds(24000), 12.0);
        QCOMPARE(p.fraction(24000), 0.11);
        // 11 updates in 11 active seconds; 89 left, 1 s of them spent since update 11.
        QCOMPARE(*p.etaSeconds(24000), 88.0);

        p.apply(stageEvent(30000, "supernet", "finished", {{"update", 11}, {"cancelled", false}}));
        QCOMPARE(p.state(P::Supernet), StageState::Done);
        QCOMPARE(p.fraction(30000), 1.0);
        QVERIFY(!p.etaSeconds(30000));
        QCOMPARE(p.elapsedSeconds(99000), 18.0); // frozen at the stage's end

        p.apply(stageEvent(31000, "test", "started", {{"sentences", 5}}));
        QCOMPARE(p.state(P::Test), StageState::Active);
        QCOMPARE(p.activeStage().value_or(P::Supernet), P::Test);
        QCOMPARE(p.total(), std::int64_t(100)); // test owns no budget: it keeps training's
        QCOMPARE(p.done(), std::int64_t(11));
        p.apply(stageEvent(32000, "test", "finished"));
        p.apply(status(32000, RunStatus::Finished));
        QCOMPARE(p.status(), RunStatus::Finished);
        QCOMPARE(p.state(P::Test), StageState::Done);
        QVERIFY(!p.activeStage());
        QCOMPARE(p.lastEventMs(), std::int64_t(32000));
    }

    // `automoe close`: stage 5 (costs) before stage 6 (retrain), then the test; "/3" stays through the test.
    void closeRunLightsStagesFiveToSevenAndKeepsItsBudget() {
        RunProgress p;
        p.setRun("retrain", {{"cost_repeats", 2}, {"max_updates", 3}, {"search_run", 2}});
        QVERIFY(!p.inRun(P::Supernet) && p.inRun(P::Measure) && p.inRun(P::Retrain) && p.inRun(P::Test));
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "data", "started"));
        QCOMPARE(p.state(P::Measure), StageState::Active);
        p.apply(stageEvent(1000, "data", "finished"));
        p.apply(stageEvent(1000, "costs", "started", {{"repeats", 2}}));
        QCOMPARE(p.activeStage().value_or(P::Supernet), P::Measure);
        p.apply(stageEvent(3000, "costs", "finished"));
        QCOMPARE(p.state(P::Measure), StageState::Done);
        p.apply(stageEvent(3000, "retrain", "started", {{"max_updates", 3}, {"max_minutes", 0}}));
        QCOMPARE(p.state(P::Retrain), StageState::Active);
        p.apply(step(5000, 1));
        p.apply(step(7000, 2));
        QCOMPARE(*p.etaSeconds(7000), 2.0); // 2 s an update, 1 update left
        QCOMPARE(p.fraction(7000), 2.0 / 3.0);
        p.apply(step(9000, 3));
        p.apply(stageEvent(9000, "retrain", "finished", {{"update", 3}, {"cancelled", false}}));
        p.apply(stageEvent(9000, "test", "started", {{"sentences", 5}}));
        QCOMPARE(p.state(P::Retrain), StageState::Done);
        QCOMPARE(p.state(P::Test), StageState::Active);
        QCOMPARE(p.done(), std::int64_t(3));
        QCOMPARE(p.total(), std::int64_t(3));
        QCOMPARE(p.fraction(9500), 1.0);
        p.apply(stageEvent(9900, "test", "finished"));
        p.apply(status(10000, RunStatus::Finished));
        for (P s : {P::Measure, P::Retrain, P::Test})
            QCOMPARE(p.state(s), StageState::Done);
        for (P s : {P::Supernet, P::LatencyDataset, P::LatencyPredictor, P::Search})
            QCOMPARE(p.state(s), StageState::Pending);
    }

    // A stage without a budget that starts while a budgeted stage runs (costs inside retrain, as the core
    // emitted it before stage 5 moved first) does not reset the budget or the ETA.
    void aStageWithoutBudgetKeepsTheBudgetBeforeIt() {
        RunProgress p;
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "retrain", "started", {{"max_updates", 10}, {"max_minutes", 0}}));
        p.apply(step(1000, 1));
        p.apply(stageEvent(1000, "costs", "started"));
        p.apply(stageEvent(2000, "costs", "finished"));
        QCOMPARE(p.total(), std::int64_t(10));
        QCOMPARE(p.unit(), ProgressUnit::Update);
        p.apply(step(3000, 2));
        QCOMPARE(p.done(), std::int64_t(2));
        QCOMPARE(p.fraction(3000), 0.2);
        QCOMPARE(*p.etaSeconds(3000), 12.0); // 1.5 s an update, 8 left
        QCOMPARE(p.state(P::Measure), StageState::Done);
        QCOMPARE(p.state(P::Retrain), StageState::Active); // a stage before it does not end it
        QCOMPARE(p.activeStage().value_or(P::Supernet), P::Retrain);
    }

    // Killed at update 20 (checkpoint 16), resumed: the new session redoes 17.. at 2 s an update, and its
    // ETA uses that rate, not 20 updates over the session's 8 s.
    void aResumedRunCountsItsOwnUpdates() {
        RunProgress p;
        p.setRun("supernet");
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "supernet", "started", {{"max_updates", 100}, {"max_minutes", 0}}));
        for (int k = 1; k <= 20; ++k)
            p.apply(step(1000 * k, k));
        // (killed; a reader reports the run interrupted; then `train --resume`)
        p.apply(status(100000, RunStatus::Running));
        p.apply(stageEvent(100000, "data", "started"));
        p.apply(stageEvent(101000, "data", "finished"));
        p.apply(stageEvent(101000, "supernet", "started", {{"max_updates", 100}, {"max_minutes", 0}}));
        p.apply(ev(101000, "resumed", {{"from_update", 16}, {"checkpoint", "c16.pt"}}));
        QCOMPARE(p.done(), std::int64_t(16));
        QVERIFY(!p.etaSeconds(101000));
        for (int k = 17; k <= 20; ++k)
            p.apply(step(101000 + 2000 * (k - 16), k));
        QCOMPARE(p.elapsedSeconds(109000), 8.0);
        QCOMPARE(p.fraction(109000), 0.2);
        QCOMPARE(*p.etaSeconds(109000), 160.0); // 80 updates at 2 s
    }

    // A search resumes before its stage starts: "resumed" {from_generation} comes first.
    void aResumedSearchCountsItsOwnGenerations() {
        RunProgress p;
        p.setRun("search");
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "data", "started"));
        QCOMPARE(p.state(P::Search), StageState::Active);
        p.apply(stageEvent(1000, "data", "finished"));
        p.apply(ev(1000, "resumed", {{"from_generation", 2}, {"candidates", 12}}));
        p.apply(stageEvent(1000, "search", "started", {{"iterations", 6}}));
        QCOMPARE(p.unit(), ProgressUnit::Generation);
        QCOMPARE(p.done(), std::int64_t(2));
        GenerationRow g;
        g.generation = 2;
        Event e = Event::generation(1, g);
        e.timeMs = 4000;
        p.apply(e);
        QCOMPARE(p.done(), std::int64_t(3));
        QCOMPARE(p.fraction(4000), 0.5);
        QCOMPARE(*p.etaSeconds(4000), 9.0); // 3 s a generation, 3 left
    }

    void aMinutesBudgetCountsActiveTimeOnly() {
        RunProgress p;
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "supernet", "started", {{"max_updates", 0}, {"max_minutes", 2}}));
        p.apply(step(30000, 1));
        p.apply(status(60000, RunStatus::Paused));
        p.apply(status(90000, RunStatus::Running));
        QCOMPARE(p.total(), std::int64_t(0));
        QCOMPARE(p.maxMinutes(), 2.0);
        QCOMPARE(p.elapsedSeconds(120000), 90.0);
        QCOMPARE(p.fraction(120000), 0.75);
        QCOMPARE(*p.etaSeconds(120000), 30.0);
        // Both budgets: whichever ends first.
        RunProgress q;
        q.apply(status(0, RunStatus::Running));
        q.apply(stageEvent(0, "supernet", "started", {{"max_updates", 1000}, {"max_minutes", 1}}));
        q.apply(step(10000, 10));
        QCOMPARE(q.fraction(10000), 10.0 / 60.0); // 10 s of 60 beats 10 updates of 1000
        QCOMPARE(*q.etaSeconds(10000), 50.0);     // 50 s left beats 990 updates at 1 s
    }

    void cancelledAndFailedStagesAreNotDone() {
        RunProgress p;
        p.setRun("search");
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "data", "started"));
        p.apply(stageEvent(0, "data", "finished"));
        p.apply(stageEvent(0, "search", "started", {{"iterations", 6}}));
        for (int g = 0; g < 2; ++g) {
            GenerationRow row;
            row.generation = g;
            Event e = Event::generation(1, row);
            e.timeMs = 1000 * (g + 1);
            p.apply(e);
        }
        p.apply(stageEvent(2500, "search", "finished", {{"cancelled", true}, {"generations", 2}}));
        p.apply(status(2500, RunStatus::Cancelled));
        QCOMPARE(p.state(P::Search), StageState::Cancelled);
        QCOMPARE(p.status(), RunStatus::Cancelled);
        QCOMPARE(p.fraction(9000), 2.0 / 6.0);
        QVERIFY(!p.etaSeconds(9000));

        // Cancelled without a "finished" stage event (a latency dataset cancelled between rounds says it,
        // a rank check too; a training cancelled in its test stage does not).
        RunProgress q;
        q.setRun("supernet");
        q.apply(stageEvent(0, "supernet", "started", {{"max_updates", 4}}));
        q.apply(stageEvent(5, "supernet", "finished", {{"update", 4}, {"cancelled", false}}));
        q.apply(stageEvent(5, "test", "started"));
        q.apply(status(6, RunStatus::Cancelled));
        QCOMPARE(q.state(P::Supernet), StageState::Done);
        QCOMPARE(q.state(P::Test), StageState::Cancelled);

        // A stored "cancelled" of another type (a damaged or hand-edited store) is not a cancel; it threw
        // json's type_error 302 out of apply() before.
        RunProgress m;
        m.setRun("supernet");
        m.apply(stageEvent(0, "supernet", "started", {{"max_updates", 4}}));
        m.apply(stageEvent(5, "supernet", "finished", {{"update", 4}, {"cancelled", 1}}));
        QCOMPARE(m.state(P::Supernet), StageState::Done);

        RunProgress f;
        f.apply(status(0, RunStatus::Running));
        f.apply(stageEvent(0, "data", "started"));
        f.apply(stageEvent(0, "data", "finished"));
        f.apply(stageEvent(0, "supernet", "started", {{"max_updates", 4}}));
        f.apply(ev(10, "error", {{"message", "disk full"}}));
        f.apply(status(10, RunStatus::Failed));
        QCOMPARE(f.state(P::Supernet), StageState::Failed);
        QCOMPARE(f.error(), std::string("disk full"));
        QCOMPARE(f.status(), RunStatus::Failed);
        QVERIFY(f.fraction(10) < 1.0);
    }

    // What replay reads back: no typed row, only the payload; no time on a live event the core did not
    // stamp: the time of the event before.
    void storedEventsCountLikeLiveOnes() {
        RunProgress p;
        p.apply(stageEvent(1000, "supernet", "started", {{"max_updates", 8}}));
        TrainingStepRow r;
        r.update = 2;
        r.loss = 4.5;
        p.apply(ev(3000, "training_step", toJson(r))); // row empty, as RunReader::events() gives it
        QCOMPARE(p.done(), std::int64_t(2));
        p.apply(ev(3000, "training_step", {{"update", "bad"}})); // a malformed payload is skipped
        QCOMPARE(p.done(), std::int64_t(2));
        p.apply(ev(0, "run_status", {{"status", "paused"}}));
        QCOMPARE(p.lastEventMs(), std::int64_t(3000));
        QCOMPARE(p.elapsedSeconds(9000), 2.0); // paused since 3000
    }

    // Without setRun(), "data" lights nothing until the stage event after it says what it prepared.
    void dataWaitsForItsStageWhenTheKindIsUnknown() {
        RunProgress p;
        p.apply(stageEvent(0, "data", "started"));
        QVERIFY(!p.activeStage());
        QCOMPARE(p.activeStageEvent(), std::string("data"));
        p.apply(stageEvent(1, "data", "finished"));
        p.apply(stageEvent(1, "search", "started", {{"iterations", 3}}));
        QCOMPARE(p.state(P::Search), StageState::Active);
        QCOMPARE(p.state(P::Supernet), StageState::Pending); // a search trains no supernet

        RunProgress late;
        late.apply(stageEvent(0, "data", "started"));
        late.setRun("retrain", {{"cost_repeats", 1}});
        QCOMPARE(late.state(P::Measure), StageState::Active);
    }

    void latencyAndRankCountSamplesAndArchitectures() {
        RunProgress p;
        p.setRun("latency");
        p.apply(status(0, RunStatus::Running));
        p.apply(stageEvent(0, "latency_dataset", "started", {{"samples", 5}}));
        QCOMPARE(p.state(P::LatencyDataset), StageState::Active);
        for (int i = 0; i < 4; ++i)
            p.apply(ev(1000 * (i + 1), "latency_sample", {{"index", i}, {"count", 5}}));
        QCOMPARE(p.unit(), ProgressUnit::Sample);
        QCOMPARE(p.fraction(4000), 0.8);
        QCOMPARE(*p.etaSeconds(4000), 1.0);
        p.apply(ev(5000, "latency_sample", {{"index", 4}, {"count", 5}}));
        p.apply(stageEvent(5000, "latency_dataset", "finished", {{"samples", 5}}));
        p.apply(stageEvent(5000, "latency_predictor", "started"));
        QCOMPARE(p.state(P::LatencyDataset), StageState::Done);
        QCOMPARE(p.state(P::LatencyPredictor), StageState::Active);
        QCOMPARE(p.done(), std::int64_t(5));

        RunProgress r;
        r.setRun("rank");
        r.apply(status(0, RunStatus::Running));
        r.apply(stageEvent(0, "rank", "started", {{"archs", 4}}));
        r.apply(ev(3000, "rank_arch", {{"index", 0}, {"count", 4}}));
        r.apply(ev(6000, "rank_arch", {{"index", 1}, {"count", 4}}));
        QCOMPARE(r.unit(), ProgressUnit::Architecture);
        QCOMPARE(std::string(progressUnitName(r.unit())), std::string("architecture"));
        QCOMPARE(r.fraction(6000), 0.5);
        QCOMPARE(*r.etaSeconds(6000), 6.0);
        QVERIFY(!r.activeStage()); // the rank check is not a pipeline stage
        QCOMPARE(r.activeStageEvent(), std::string("rank"));
    }
};

AUTOMOE_TEST_MAIN(TestRunProgress)
#include "tst_runprogress.moc"
