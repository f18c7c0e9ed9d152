#include "run/RunProgress.h"

#include "store/EventRows.h"

#include <algorithm>
#include <stdexcept>

namespace automoe {

namespace {

template <typename Row> std::optional<Row> rowOf(const Event& e) {
    if (const Row* row = std::get_if<Row>(&e.row)) return *row;
    if (!std::holds_alternative<std::monostate>(e.row)) return std::nullopt;
    try { // an event read back from the store: decode its payload
        const EventRow decoded = rowFromEvent(e.type, e.payload);
        if (const Row* row = std::get_if<Row>(&decoded)) return *row;
    } catch (const std::invalid_argument&) {
    }
    return std::nullopt;
}

// payload[key] when it is there and of the type of `fallback`, else `fallback`.
template <typename T> T valueOr(const nlohmann::json& payload, const char* key, T fallback) {
    try {
        return payload.is_object() ? payload.value(key, fallback) : fallback;
    } catch (const nlohmann::json::exception&) {
        return fallback;
    }
}

} // namespace

const char* stageStateName(StageState state) {
    static const char* const names[] = {"pending", "active", "done", "cancelled", "failed"};
    return names[int(state)];
}

void RunProgress::setRun(const std::string& kind, const nlohmann::json& config) {
    RunKindStages stages;
    try {
        stages = runKindStages(kind, config);
    } catch (const std::invalid_argument&) {
        return; // a kind this program does not know: its stage events still light their stages
    }
    const std::vector<PipelineStage> pipeline = stages.pipeline();
    for (PipelineStage p : pipeline)
        inRun_[size_t(p)] = true;
    if (!pipeline.empty()) firstStage_ = pipeline.front();
    if (dataPending_ && firstStage_) {
        dataPending_ = false;
        light(*firstStage_);
    }
}

std::optional<PipelineStage> RunProgress::activeStage() const {
    for (int i = kPipelineStageCount - 1; i >= 0; --i)
        if (states_[size_t(i)] == StageState::Active) return PipelineStage(i);
    return std::nullopt;
}

void RunProgress::apply(const Event& e) {
    const std::int64_t t = e.timeMs > 0 ? e.timeMs : lastEventMs_; // 0: a live event not stamped
    lastEventMs_ = std::max(lastEventMs_, t);
    if (e.type == stage::kEventType) {
        const std::string name = valueOr<std::string>(e.payload, "stage", "");
        const std::string state = valueOr<std::string>(e.payload, "state", "");
        if (state == stage::kStarted)
            stageStarted(name, e.payload, t);
        else if (state == stage::kFinished)
            stageFinished(name, e.payload, t);
    } else if (e.type == "run_status") {
        try {
            statusChanged(runStatusFromString(valueOr<std::string>(e.payload, "status", "")), t);
        } catch (const std::invalid_argument&) {
        }
    } else if (e.type == "error") {
        error_ = valueOr<std::string>(e.payload, "message", "");
    } else if (e.type == "resumed") {
        // Training says it after its stage started, a search before: either way the session's own units
        // are counted from here.
        const bool updates = e.payload.contains("from_update");
        resumedUnit_ = updates ? ProgressUnit::Update : ProgressUnit::Generation;
        resumedFrom_ = valueOr<std::int64_t>(e.payload, updates ? "from_update" : "from_generation", 0);
        if (unit_ == resumedUnit_ && !budgetEnded_ && sessionStarted_) {
            baseline_ = done_ = resumedFrom_;
            resumedUnit_ = ProgressUnit::None;
        }
    } else if (e.type == "training_step") {
        if (const auto row = rowOf<TrainingStepRow>(e)) unitDone(ProgressUnit::Update, row->update, t);
    } else if (e.type == "generation") {
        if (const auto row = rowOf<GenerationRow>(e))
            unitDone(ProgressUnit::Generation, row->generation + 1, t);
    } else if (e.type == "latency_sample" || e.type == "rank_arch") {
        const ProgressUnit unit =
            e.type == "latency_sample" ? ProgressUnit::Sample : ProgressUnit::Architecture;
        if (unit == unit_ && total_ == 0) total_ = valueOr<std::int64_t>(e.payload, "count", 0);
        unitDone(unit, valueOr<std::int64_t>(e.payload, "index", 0) + 1, t);
    }
}

void RunProgress::light(PipelineStage stage) {
    // Reaching a stage means the stages of this run before it are done. (A later stage stays active: an
    // older `close` run measured its costs, stage 5, inside stage 6.)
    for (int i = 0; i < int(stage); ++i)
        if (states_[size_t(i)] == StageState::Active) states_[size_t(i)] = StageState::Done;
    states_[size_t(stage)] = StageState::Active;
    inRun_[size_t(stage)] = true;
}

void RunProgress::stageStarted(const std::string& name, const nlohmann::json& payload, std::int64_t t) {
    activeEvent_ = name;
    const StageEventInfo* info = stageEventInfo(name);
    if (!info) return;
    if (name == stage::kData) {
        if (firstStage_)
            light(*firstStage_);
        else
            dataPending_ = true;
    } else if (info->pipeline) {
        dataPending_ = false;
        light(*info->pipeline);
    }
    if (info->unit == ProgressUnit::None) return; // keeps the budget of the stage before
    unit_ = info->unit;
    budgetEvent_ = name;
    total_ = info->totalKey ? valueOr<std::int64_t>(payload, info->totalKey, 0) : 0;
    maxMinutes_ = info->minutes ? valueOr<double>(payload, stage::kMaxMinutes, 0.0) : 0.0;
    baseline_ = done_ = 0;
    if (resumedUnit_ == unit_) baseline_ = done_ = resumedFrom_;
    resumedUnit_ = ProgressUnit::None;
    budgetEnded_ = budgetCompleted_ = false;
    sessionStarted_ = true;
    sessionStartMs_ = t;
    sessionEndMs_ = lastUnitMs_ = 0;
    unitSeen_ = false;
    pauses_.clear();
    if (status_ == RunStatus::Paused) pauses_.push_back({t, 0});
}

void RunProgress::stageFinished(const std::string& name, const nlohmann::json& payload, std::int64_t t) {
    if (activeEvent_ == name) activeEvent_.clear();
    const StageEventInfo* info = stageEventInfo(name);
    if (!info || name == stage::kData) return; // data ending is not the end of the stage it prepares
    // valueOr: a stored "cancelled" of another type reads as false (json::value() threw type_error 302).
    const bool cancelled = valueOr(payload, "cancelled", false);
    if (info->pipeline)
        states_[size_t(*info->pipeline)] = cancelled ? StageState::Cancelled : StageState::Done;
    if (name == budgetEvent_ && !budgetEnded_) endBudget(t, !cancelled);
}

void RunProgress::endBudget(std::int64_t t, bool completed) {
    budgetEnded_ = true;
    budgetCompleted_ = completed;
    sessionEndMs_ = t;
    if (!pauses_.empty() && pauses_.back().second == 0) pauses_.back().second = t;
}

void RunProgress::statusChanged(RunStatus status, std::int64_t t) {
    status_ = status;
    const bool inSession = sessionStarted_ && !budgetEnded_;
    switch (status) {
    case RunStatus::Paused:
        if (inSession && (pauses_.empty() || pauses_.back().second != 0)) pauses_.push_back({t, 0});
        break;
    case RunStatus::Running:
        if (!pauses_.empty() && pauses_.back().second == 0) pauses_.back().second = t;
        break;
    case RunStatus::Cancelled:
    case RunStatus::Failed:
        for (StageState& s : states_)
            if (s == StageState::Active)
                s = status == RunStatus::Failed ? StageState::Failed : StageState::Cancelled;
        activeEvent_.clear();
        if (inSession) endBudget(t, false);
        break;
    case RunStatus::Finished:
        for (StageState& s : states_)
            if (s == StageState::Active) s = StageState::Done;
        activeEvent_.clear();
        if (inSession) endBudget(t, true);
        break;
    case RunStatus::Created:
    case RunStatus::Interrupted:
        break;
    }
}

void RunProgress::unitDone(ProgressUnit unit, std::int64_t done, std::int64_t t) {
    if (unit != unit_ || budgetEnded_) return;
    done_ = done;
    lastUnitMs_ = t;
    unitSeen_ = true;
}

double RunProgress::activeSecondsAt(std::int64_t t) const {
    if (!sessionStarted_) return 0;
    const std::int64_t end = budgetEnded_ ? std::min(t, sessionEndMs_) : t;
    std::int64_t paused = 0;
    for (const auto& [from, to] : pauses_) {
        const std::int64_t until = std::min(to == 0 ? end : to, end);
        if (until > from) paused += until - from;
    }
    return double(std::max<std::int64_t>(0, end - sessionStartMs_ - paused)) / 1000.0;
}

double RunProgress::elapsedSeconds(std::int64_t nowMs) const {
    return activeSecondsAt(nowMs);
}

double RunProgress::fraction(std::int64_t nowMs) const {
    if (status_ == RunStatus::Finished || budgetCompleted_) return 1.0;
    double f = -1;
    if (total_ > 0) f = double(done_) / double(total_);
    if (maxMinutes_ > 0 && sessionStarted_) f = std::max(f, elapsedSeconds(nowMs) / (maxMinutes_ * 60));
    return std::min(f, 1.0);
}

std::optional<double> RunProgress::etaSeconds(std::int64_t nowMs) const {
    if (budgetEnded_ || !sessionStarted_) return std::nullopt;
    if (status_ != RunStatus::Running && status_ != RunStatus::Paused) return std::nullopt;
    const double active = elapsedSeconds(nowMs);
    std::optional<double> eta;
    if (total_ > 0 && done_ > baseline_ && unitSeen_) {
        const double activeAtLast = activeSecondsAt(lastUnitMs_);
        if (activeAtLast > 0) {
            const double secondsPerUnit = activeAtLast / double(done_ - baseline_);
            eta = std::max(0.0, double(total_ - done_) * secondsPerUnit - (active - activeAtLast));
        }
    }
    if (maxMinutes_ > 0) {
        const double left = std::max(0.0, maxMinutes_ * 60 - active);
        eta = eta ? std::min(*eta, left) : left;
    }
    return eta;
}

} // namespace automoe
