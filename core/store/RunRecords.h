// The rows of the run store as plain values: a run, its training steps, validations, checkpoints,
// architectures, candidates, generations and routing statistics. Written through EventWriter, read back by
// RunReader; times are milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

// A run's status. The first six are stored (runs.status); Interrupted is derived and never stored: a run
// whose stored status is live (created, running, paused) but which no process executes any more (its run
// lock is free and its heartbeat is stale, see store/RunLiveness.h) was killed or crashed. RunReader reports
// it; resuming the run (`automoe train --resume`, `automoe search --resume`) makes it running again.
enum class RunStatus { Created, Running, Paused, Finished, Failed, Cancelled, Interrupted };

const char* runStatusName(RunStatus status);
// Throws std::invalid_argument naming the text for an unknown status.
RunStatus runStatusFromString(const std::string& text);
// Created, running or paused: a process is (or should be) executing the run.
bool isLive(RunStatus status);

// What a caller supplies to create a run.
struct RunSpec {
    std::string name;
    std::string kind; // e.g. "supernet", "search", "retrain"
    nlohmann::json config = nlohmann::json::object();
    nlohmann::json space = nlohmann::json::object();
    nlohmann::json corpus = nlohmann::json::object(); // a description of the corpus, not its text
    std::uint64_t seed = 0;
};

struct RunInfo {
    std::int64_t id = 0;
    RunSpec spec;
    RunStatus status = RunStatus::Created; // derived: may be Interrupted
    std::int64_t createdMs = 0;
    std::int64_t updatedMs = 0;
};

// One line of the run list.
struct RunSummary {
    std::int64_t id = 0;
    std::string name;
    std::string kind;
    RunStatus status = RunStatus::Created; // derived: may be Interrupted
    std::int64_t createdMs = 0;
    std::int64_t updatedMs = 0;               // the last write or heartbeat of the run
    std::optional<std::int64_t> latestUpdate; // the newest logged training update, if any
};

// One rank's share of a data-parallel update: the real tokens of its shard of the batch and its own time
// from the step's start to the gradient all-reduce (reading the batch, forward, backward; the wait for the
// other ranks left out), so tokens * 1000 / busyMs is that rank's throughput.
struct RankStepRow {
    std::int64_t tokens = 0;
    double busyMs = 0;
};

struct TrainingStepRow {
    std::int64_t update = 0;
    double loss = 0, nll = 0, lbLoss = 0, lr = 0;
    std::int64_t tokens = 0;
    std::string archKey;                // the sampled sub-network, "" when not sampled
    std::optional<nlohmann::json> arch; // its genes; when set, also stored in `architectures`
    double wallMs = 0;
    // Of a multi-process run, each rank's share, by rank (their tokens sum to `tokens`); empty for one
    // process. Kept in the event's payload ("ranks"), not in training_steps.
    std::vector<RankStepRow> ranks;
};

struct ValidationRow {
    std::int64_t update = 0;
    std::string subnet; // "largest", "smallest", or an architecture key
    double loss = 0;
    std::optional<double> bleu;
};

struct CheckpointRow {
    std::int64_t update = 0;
    std::string path;
    std::int64_t bytes = 0;
    std::int64_t createdMs = 0; // 0: stamped when written
};

struct ArchitectureRow {
    std::int64_t id = 0; // assigned by the store
    std::string key;     // unique within a run
    nlohmann::json json;
};

struct CandidateRow {
    std::int64_t generation = 0;
    ArchitectureRow architecture; // stored once per run in `architectures`, referenced by id
    double fitness = 0;
    double flops = 0;
    std::int64_t paramsActive = 0;
    std::optional<double> latencyMs;
    std::optional<double> predictedLatencyMs;
    bool feasible = true;
};

struct GenerationRow {
    std::int64_t generation = 0;
    double hypervolume = 0;
    nlohmann::json front = nlohmann::json::array();
    // The point the hypervolume is measured from (cost on costMetric, fitness) and the front's cost axis.
    // In the event log only (the generations table keeps hypervolume and front): runs logged before it was
    // added, and rows read from the table, have none.
    std::optional<double> referenceCost = std::nullopt;
    std::optional<double> referenceFitness = std::nullopt;
    std::string costMetric = {};
};

struct RoutingStatRow {
    std::string stack; // "encoder" or "decoder"
    int layer = 0;
    int expert = 0;
    double tokensFraction = 0;
};

// The routing of every MoE layer at one update.
struct RoutingSnapshot {
    std::int64_t update = 0;
    std::vector<RoutingStatRow> rows;
};

// The JSON payloads the event log stores for typed rows (and replay reads back).
nlohmann::json toJson(const TrainingStepRow& r);
nlohmann::json toJson(const ValidationRow& r);
nlohmann::json toJson(const CheckpointRow& r);
nlohmann::json toJson(const ArchitectureRow& r);
nlohmann::json toJson(const CandidateRow& r);
nlohmann::json toJson(const GenerationRow& r);
nlohmann::json toJson(const RoutingSnapshot& r);

} // namespace automoe
