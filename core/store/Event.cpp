#include "store/Event.h"

#include <utility>

namespace automoe {

namespace {
template <typename Row> Event typed(std::int64_t runId, const char* type, Row row) {
    Event e;
    e.runId = runId;
    e.type = type;
    e.row = std::move(row);
    return e;
}
} // namespace

Event Event::make(std::int64_t runId, std::string type, nlohmann::json payload) {
    Event e;
    e.runId = runId;
    e.type = std::move(type);
    e.payload = std::move(payload);
    return e;
}

Event Event::trainingStep(std::int64_t runId, TrainingStepRow row) {
    return typed(runId, "training_step", std::move(row));
}
Event Event::validation(std::int64_t runId, ValidationRow row) {
    return typed(runId, "validation", std::move(row));
}
Event Event::checkpoint(std::int64_t runId, CheckpointRow row) {
    return typed(runId, "checkpoint", std::move(row));
}
Event Event::architecture(std::int64_t runId, ArchitectureRow row) {
    return typed(runId, "architecture", std::move(row));
}
Event Event::candidate(std::int64_t runId, CandidateRow row) {
    return typed(runId, "candidate", std::move(row));
}
Event Event::generation(std::int64_t runId, GenerationRow row) {
    return typed(runId, "generation", std::move(row));
}
Event Event::routing(std::int64_t runId, RoutingSnapshot row) {
    return typed(runId, "routing", std::move(row));
}

nlohmann::json Event::storedPayload() const {
    if (!payload.is_null()) return payload;
    return std::visit(
        [](const auto& r) -> nlohmann::json {
            if constexpr (std::is_same_v<std::decay_t<decltype(r)>, std::monostate>)
                return nlohmann::json::object();
            else
                return toJson(r);
        },
        row);
}

} // namespace automoe
