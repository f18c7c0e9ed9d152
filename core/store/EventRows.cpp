#include "store/EventRows.h"

#include <stdexcept>

namespace automoe {

namespace {

// One field of a payload, with an error that names the row kind and the field.
template <typename T> T field(const nlohmann::json& j, const char* kind, const char* name) {
    if (!j.is_object())
        throw std::invalid_argument(std::string(kind) + " event: the payload is not an object");
    const auto it = j.find(name);
    if (it == j.end() || it->is_null())
        throw std::invalid_argument(std::string(kind) + " event: missing field \"" + name + "\"");
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument(std::string(kind) + " event: field \"" + name +
                                    "\" has the wrong type (" + it->dump() + ")");
    }
}

template <typename T> T fieldOr(const nlohmann::json& j, const char* kind, const char* name, T fallback) {
    if (!j.is_object() || !j.contains(name) || j.at(name).is_null()) return fallback;
    return field<T>(j, kind, name);
}

template <typename T>
std::optional<T> optionalField(const nlohmann::json& j, const char* kind, const char* name) {
    if (!j.is_object() || !j.contains(name) || j.at(name).is_null()) return std::nullopt;
    return field<T>(j, kind, name);
}

} // namespace

TrainingStepRow trainingStepFromJson(const nlohmann::json& j) {
    const char* k = "training_step";
    TrainingStepRow r;
    r.update = field<std::int64_t>(j, k, "update");
    r.loss = field<double>(j, k, "loss");
    r.nll = fieldOr<double>(j, k, "nll", 0);
    r.lbLoss = fieldOr<double>(j, k, "lb_loss", 0);
    r.lr = fieldOr<double>(j, k, "lr", 0);
    r.tokens = fieldOr<std::int64_t>(j, k, "tokens", 0);
    r.archKey = fieldOr<std::string>(j, k, "arch_key", "");
    r.wallMs = fieldOr<double>(j, k, "wall_ms", 0);
    if (j.contains("arch") && !j.at("arch").is_null()) r.arch = j.at("arch");
    return r;
}

ValidationRow validationFromJson(const nlohmann::json& j) {
    const char* k = "validation";
    return {field<std::int64_t>(j, k, "update"), field<std::string>(j, k, "subnet"),
            field<double>(j, k, "loss"), optionalField<double>(j, k, "bleu")};
}

CheckpointRow checkpointFromJson(const nlohmann::json& j) {
    const char* k = "checkpoint";
    return {field<std::int64_t>(j, k, "update"), field<std::string>(j, k, "path"),
            fieldOr<std::int64_t>(j, k, "bytes", 0), fieldOr<std::int64_t>(j, k, "created", 0)};
}

ArchitectureRow architectureRowFromJson(const nlohmann::json& j) {
    const char* k = "architecture";
    ArchitectureRow r;
    r.key = field<std::string>(j, k, "key");
    r.json = j.contains("arch") ? j.at("arch") : nlohmann::json();
    return r;
}

CandidateRow candidateFromJson(const nlohmann::json& j) {
    const char* k = "candidate";
    CandidateRow c;
    c.generation = field<std::int64_t>(j, k, "generation");
    c.architecture.key = field<std::string>(j, k, "arch_key");
    c.architecture.json = j.contains("arch") ? j.at("arch") : nlohmann::json();
    c.fitness = field<double>(j, k, "fitness");
    c.flops = fieldOr<double>(j, k, "flops", 0);
    c.paramsActive = fieldOr<std::int64_t>(j, k, "params_active", 0);
    c.latencyMs = optionalField<double>(j, k, "latency_ms");
    c.predictedLatencyMs = optionalField<double>(j, k, "predicted_latency_ms");
    c.feasible = fieldOr<bool>(j, k, "feasible", true);
    return c;
}

GenerationRow generationFromJson(const nlohmann::json& j) {
    const char* k = "generation";
    GenerationRow g;
    g.generation = field<std::int64_t>(j, k, "generation");
    g.hypervolume = fieldOr<double>(j, k, "hypervolume", 0);
    g.front = j.contains("front") && j.at("front").is_array() ? j.at("front") : nlohmann::json::array();
    return g;
}

RoutingSnapshot routingFromJson(const nlohmann::json& j) {
    const char* k = "routing";
    RoutingSnapshot s;
    s.update = field<std::int64_t>(j, k, "update");
    const nlohmann::json rows = fieldOr<nlohmann::json>(j, k, "rows", nlohmann::json::array());
    if (!rows.is_array()) throw std::invalid_argument("routing event: field \"rows\" is not an array");
    for (const nlohmann::json& r : rows)
        s.rows.push_back({field<std::string>(r, k, "stack"), field<int>(r, k, "layer"),
                          field<int>(r, k, "expert"), field<double>(r, k, "tokens")});
    return s;
}

EventRow rowFromEvent(const std::string& type, const nlohmann::json& payload) {
    if (type == "training_step") return trainingStepFromJson(payload);
    if (type == "validation") return validationFromJson(payload);
    if (type == "checkpoint") return checkpointFromJson(payload);
    if (type == "architecture") return architectureRowFromJson(payload);
    if (type == "candidate") return candidateFromJson(payload);
    if (type == "generation") return generationFromJson(payload);
    if (type == "routing") return routingFromJson(payload);
    return std::monostate{};
}

} // namespace automoe
