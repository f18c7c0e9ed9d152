// SpaceSummary caches what the UI shows about a search space: its size and its cheapest and most
// expensive architectures with their costs, all computed by the core once per space.
#pragma once

#include "cost/CostModel.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"

namespace automoe::ui {

struct SpaceSummary {
    double log10Size = 0;
    Architecture cheapest;
    Architecture mostExpensive;
    ArchitectureCost cheapestCost;
    ArchitectureCost mostExpensiveCost;
    SupernetDims supernet;

    // Asks the core for every figure; `space` must be valid.
    static SpaceSummary of(const SearchSpace& space);
};

} // namespace automoe::ui
