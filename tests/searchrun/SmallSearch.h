// The small evolutionary search the searchrun suites run over the SmallRun supernet: population 8, 3
// parents, 4 mutations and 4 crossovers a generation, fitness on 12 validation sentences.
#pragma once

#include "run/SearchRun.h"

#include <cstdint>
#include <string>
#include <vector>

namespace automoe::testsupport {

inline SearchRunConfig smallSearchConfig(std::int64_t supernetRun, int iterations = 3, std::uint64_t seed = 7,
                                         std::vector<std::string> constraints = {}) {
    SearchRunConfig c;
    c.supernetRun = supernetRun;
    c.constraints = std::move(constraints);
    c.evolution.population = 8;
    c.evolution.parents = 3;
    c.evolution.mutations = 4;
    c.evolution.crossovers = 4;
    c.evolution.iterations = iterations;
    c.evolution.seed = seed;
    c.fitnessSentences = 12;
    return c;
}

// "flops<=B", the budget text the suites constrain their searches with.
inline std::string flopsBudget(double flops) {
    return "flops<=" + std::to_string(flops);
}

} // namespace automoe::testsupport
