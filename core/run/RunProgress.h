// Where a run stands, from its events alone: each pipeline stage's state, the stage under way, the progress
// of the stage that owns the current budget (units done of total, fraction), the time it has been active
// (paused time excluded), the ETA, and the run's last status. Fed the events of one run in order, either
// the live events observers receive or events read back from the store (their typed rows are decoded from
// the payload): the CLI's progress bar and the workbench's Run dock show the same numbers. Stage names,
// budgets and kinds come from RunStages.h. Times are the events' own (ms since the epoch); a caller asks
// with `nowMs` = the wall clock for a live run, lastEventMs() for a replay.
#pragma once

#include "run/RunStages.h"
#include "store/Event.h"
#include "store/RunRecords.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace automoe {

enum class StageState {
    Pending,   // not reached (or not part of this run)
    Active,    // under way
    Done,      // finished
    Cancelled, // stopped early: its stage event finished with "cancelled", or the run was cancelled in it
    Failed,    // the run failed in it
};
const char* stageStateName(StageState state);

class RunProgress {
public:
    // The run's kind and stored configuration, when known (its RunInfo): they say which pipeline stages the
    // run has (inRun) and which one its "data" stage lights. Without them, "data" lights the pipeline stage
    // of the stage event that follows it.
    void setRun(const std::string& kind, const nlohmann::json& config = nlohmann::json::object());
    // One event of the run, in order.
    void apply(const Event& event);

    StageState state(PipelineStage stage) const { return states_[size_t(stage)]; }
    // Whether the run's kind has the stage (false for all until setRun() or the first stage event).
    bool inRun(PipelineStage stage) const { return inRun_[size_t(stage)]; }
    // The pipeline stage under way, if any.
    std::optional<PipelineStage> activeStage() const;
    // The stage event under way ("data", "costs", "rank", ...), "" between stages.
    const std::string& activeStageEvent() const { return activeEvent_; }

    // The budget of the latest stage that owns one (a stage without a budget keeps the one before it).
    ProgressUnit unit() const { return unit_; }
    std::int64_t done() const { return done_; }       // units done; absolute (a resumed run at update 37: 37)
    std::int64_t total() const { return total_; }     // the unit budget; 0 = none
    double maxMinutes() const { return maxMinutes_; } // the time budget; 0 = none
    // Seconds the budgeted stage has been active in this session (since its last "started": a resumed run
    // starts again), paused time excluded; 0 before it started.
    double elapsedSeconds(std::int64_t nowMs) const;
    // Done / total or elapsed / minutes, whichever is further (the run stops at the first limit); 1 once the
    // budgeted stage finished or the run did; -1 when there is no budget to measure against.
    double fraction(std::int64_t nowMs) const;
    // Seconds left: the units left at the rate of this session's own units (a resumed run's rate counts
    // only the updates it did itself), less the active time since the last unit; or the minutes left,
    // whichever is sooner. None without a budget, before the first unit of a unit budget, while the run
    // is not running and after the budgeted stage ended.
    std::optional<double> etaSeconds(std::int64_t nowMs) const;

    RunStatus status() const { return status_; } // the last run_status; Created before any
    const std::string& error() const { return error_; }
    std::int64_t lastEventMs() const { return lastEventMs_; }

private:
    void stageStarted(const std::string& name, const nlohmann::json& payload, std::int64_t t);
    void stageFinished(const std::string& name, const nlohmann::json& payload, std::int64_t t);
    void light(PipelineStage stage);
    void endBudget(std::int64_t t, bool completed);
    void statusChanged(RunStatus status, std::int64_t t);
    void unitDone(ProgressUnit unit, std::int64_t done, std::int64_t t);
    double activeSecondsAt(std::int64_t t) const;

    std::array<StageState, kPipelineStageCount> states_{};
    std::array<bool, kPipelineStageCount> inRun_{};
    std::optional<PipelineStage> firstStage_; // what "data" lights, when the kind is known
    bool dataPending_ = false;                // "data" started before its stage was known
    std::string activeEvent_;

    ProgressUnit unit_ = ProgressUnit::None;
    std::string budgetEvent_; // the stage event that owns the budget
    std::int64_t total_ = 0, done_ = 0, baseline_ = 0;
    double maxMinutes_ = 0;
    bool budgetEnded_ = false, budgetCompleted_ = false;
    bool sessionStarted_ = false, unitSeen_ = false;
    std::int64_t sessionStartMs_ = 0, sessionEndMs_ = 0, lastUnitMs_ = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> pauses_; // in the session: [from, to), to 0 = open
    ProgressUnit resumedUnit_ = ProgressUnit::None;             // a "resumed" event not applied yet
    std::int64_t resumedFrom_ = 0;

    RunStatus status_ = RunStatus::Created;
    std::string error_;
    std::int64_t lastEventMs_ = 0;
};

} // namespace automoe
