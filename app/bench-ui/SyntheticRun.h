// SyntheticRun makes plausible rows of a search and of a supernet training run, for the UI benchmark and
// the screenshots: costs spread like HAT/AutoMoE subnets, losses that approach a power-law front as the
// generations advance, a warm-up + inverse-square-root learning rate, and uneven expert loads.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>
#include <vector>

namespace automoe::bench {

// `perGeneration` candidates for each of `generations` generations; architecture ids start at `firstId`.
std::vector<CandidateRow> syntheticCandidates(int generations, int perGeneration, std::uint64_t seed,
                                              std::int64_t firstId = 1, double quality = 1.0);

std::vector<TrainingStepRow> syntheticTrainingSteps(int updates, std::uint64_t seed);
std::vector<ValidationRow> syntheticValidations(int updates, int every, std::uint64_t seed);
RoutingSnapshot syntheticRouting(std::int64_t update, std::uint64_t seed);

} // namespace automoe::bench
