#include "run/SearchExport.h"

#include "nn/StandaloneTransformer.h"
#include "run/SearchRun.h"
#include "run/SupernetSource.h"
#include "space/ArchitectureIO.h"
#include "util/Resources.h"

#include <filesystem>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace automoe {

namespace {

nlohmann::json optionalNumber(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key] : nlohmann::json();
}

} // namespace

nlohmann::json searchFront(RunReader& store, int64_t searchRun) {
    store.requireRun(searchRun, "search");
    const auto generations = store.generations(searchRun);
    if (generations.empty())
        throw std::runtime_error("search run " + std::to_string(searchRun) +
                                 " has no finished generation yet");
    std::unordered_map<std::string, int64_t> ids;
    for (const ArchitectureRow& a : store.architectures(searchRun))
        ids[a.key] = a.id;
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& p : generations.back().front) {
        const std::string key = p.value("arch_key", std::string());
        const auto id = ids.find(key);
        nlohmann::json measured = optionalNumber(p, "latency_ms"),
                       predicted = optionalNumber(p, "predicted_latency_ms");
        out.push_back({{"arch_id", id == ids.end() ? nlohmann::json() : nlohmann::json(id->second)},
                       {"arch_key", key},
                       {"fitness", p.value("fitness", 0.0)},
                       {"flops", p.value("flops", 0.0)},
                       {"params_active", p.value("params_active", int64_t(0))},
                       {"latency_ms", !measured.is_null() ? measured : predicted},
                       {"latency_kind", !measured.is_null()    ? nlohmann::json("measured")
                                        : !predicted.is_null() ? nlohmann::json("predicted")
                                                               : nlohmann::json()},
                       {"predicted_latency_ms", predicted},
                       {"generation", p.value("generation", 0)},
                       {"cost", p.value("cost", 0.0)},
                       {"cost_metric", p.value("cost_metric", std::string())}});
    }
    return out;
}

ArchitectureRow searchArchitecture(RunReader& store, int64_t searchRun, const std::string& idOrKey) {
    store.requireRun(searchRun, "search");
    const bool numeric = !idOrKey.empty() && idOrKey.find_first_not_of("0123456789") == std::string::npos;
    for (const ArchitectureRow& a : store.architectures(searchRun))
        if (a.key == idOrKey || (numeric && std::to_string(a.id) == idOrKey)) return a;
    throw std::runtime_error("search run " + std::to_string(searchRun) + " has no architecture " +
                             (numeric ? "with id " : "with key ") + idOrKey + " (see `automoe front --run " +
                             std::to_string(searchRun) + "`)");
}

void writeArchitecture(const Architecture& arch, const std::string& format, const std::string& path) {
    if (format == "yml" || format == "yaml")
        writeTextFileAtomic(path, toHatYaml(arch));
    else if (format == "json")
        writeTextFileAtomic(path, architectureToJson(arch).dump(2) + "\n");
    else
        throw std::invalid_argument("--format: expected yml or json, got " + format);
}

nlohmann::json exportStandaloneModel(RunReader& store, int64_t searchRun, const std::string& idOrKey,
                                     const std::string& path) {
    const RunInfo info = store.requireRun(searchRun, "search");
    const ArchitectureRow row = searchArchitecture(store, searchRun, idOrKey);
    const SearchRunConfig config = SearchRunConfig::fromJson(info.spec.config);
    std::string checkpoint = config.checkpoint;
    std::error_code ec;
    if (!checkpoint.empty() && !std::filesystem::is_regular_file(checkpoint, ec)) {
        spdlog::warn("checkpoint {} the search used is gone; exporting from the supernet's last checkpoint",
                     checkpoint);
        checkpoint.clear();
    }
    SupernetSource source = loadSupernet(store, config.supernetRun, checkpoint);
    const Architecture arch = architectureFromJson(row.json);
    StandaloneTransformer model = StandaloneTransformer::fromSupernet(*source.model, arch);
    nlohmann::json meta = source.provenance();
    meta["search_run"] = searchRun;
    meta["arch_id"] = row.id;
    meta["arch_key"] = row.key;
    model->save(path, meta, source.vocabulary.serializedModel());
    return meta;
}

} // namespace automoe
