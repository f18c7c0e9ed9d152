// What a finished (or stopped) search run hands on: its Pareto front as rows people and scripts read, and
// a chosen architecture exported as a HAT/AutoMoE yml, as JSON, or as a self-contained standalone model
// (weights copied out of the supernet checkpoint the search used, plus the SentencePiece model and where
// it all came from) that `automoe translate --model` runs.
#pragma once

#include "space/Architecture.h"
#include "store/RunStore.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace automoe {

// The front of the search's last finished generation, by cost: a list of {arch_id, arch_key, fitness,
// flops, params_active, latency_ms (measured, else predicted, else null), latency_kind, predicted_latency_ms,
// generation, cost, cost_metric}. Throws std::runtime_error for an unknown run, a run that is not a
// search, or a search without a finished generation.
nlohmann::json searchFront(RunReader& store, int64_t searchRun);

// An evaluated architecture of the search by its id (as `front` prints) or its key. Throws naming the
// run and the id or key when there is none.
ArchitectureRow searchArchitecture(RunReader& store, int64_t searchRun, const std::string& idOrKey);

// Writes `arch` to `path`: format "yml" (toHatYaml) or "json" (architectureToJson). Throws naming the
// format or the file.
void writeArchitecture(const Architecture& arch, const std::string& format, const std::string& path);

// The standalone model of architecture `idOrKey` of the search, copied from the search's supernet
// checkpoint (the supernet's last one, with a warning, when that file is gone), saved to `path` with the
// vocabulary and meta {search_run, arch_id, arch_key, supernet_run, checkpoint, corpus, direction, ...}.
// Returns the meta.
nlohmann::json exportStandaloneModel(RunReader& store, int64_t searchRun, const std::string& idOrKey,
                                     const std::string& path);

} // namespace automoe
