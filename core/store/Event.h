// One entry of a run's time-ordered event log: what the core emits, what observers receive live and what
// replay reads back. An event may carry a typed row, which the store also writes to its typed table.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace automoe {

using EventRow = std::variant<std::monostate, TrainingStepRow, ValidationRow, CheckpointRow, ArchitectureRow,
                              CandidateRow, GenerationRow, RoutingSnapshot>;

struct Event {
    std::int64_t runId = 0;
    std::int64_t seq = 0;    // assigned by the store, 1, 2, ... per run
    std::int64_t timeMs = 0; // 0: stamped by EventWriter::append()
    std::string type;        // "training_step", "validation", ..., or any free-form type
    nlohmann::json payload;  // null: the typed row's JSON is stored
    EventRow row;            // empty for events read back from the store

    static Event make(std::int64_t runId, std::string type,
                      nlohmann::json payload = nlohmann::json::object());
    static Event trainingStep(std::int64_t runId, TrainingStepRow row);
    static Event validation(std::int64_t runId, ValidationRow row);
    static Event checkpoint(std::int64_t runId, CheckpointRow row);
    static Event architecture(std::int64_t runId, ArchitectureRow row);
    static Event candidate(std::int64_t runId, CandidateRow row);
    static Event generation(std::int64_t runId, GenerationRow row);
    static Event routing(std::int64_t runId, RoutingSnapshot row);

    // The payload to store: `payload` when set, else the typed row's JSON.
    nlohmann::json storedPayload() const;
};

} // namespace automoe
