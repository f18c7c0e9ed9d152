// The inverse of toJson() in RunRecords.h: turns the payload JSON of a stored event back into its typed
// row, so that replay (and a UI that follows another process's run through the store) sees the same rows
// that were logged live. Throws std::invalid_argument naming the event type and field on a malformed
// payload.
#pragma once

#include "store/Event.h"
#include "store/RunRecords.h"

#include <nlohmann/json.hpp>
#include <string>

namespace automoe {

TrainingStepRow trainingStepFromJson(const nlohmann::json& j);
ValidationRow validationFromJson(const nlohmann::json& j);
CheckpointRow checkpointFromJson(const nlohmann::json& j);
ArchitectureRow architectureRowFromJson(const nlohmann::json& j);
CandidateRow candidateFromJson(const nlohmann::json& j);
GenerationRow generationFromJson(const nlohmann::json& j);
RoutingSnapshot routingFromJson(const nlohmann::json& j);

// The typed row of an event read back from the store, from its type ("training_step", "validation",
// "checkpoint", "architecture", "candidate", "generation", "routing") and payload; std::monostate for any
// other type.
EventRow rowFromEvent(const std::string& type, const nlohmann::json& payload);

} // namespace automoe
