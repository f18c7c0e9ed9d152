#include "ui/space/SpaceSummary.h"

namespace automoe::ui {

SpaceSummary SpaceSummary::of(const SearchSpace& space) {
    SpaceSummary s;
    s.log10Size = space.log10Size();
    s.cheapest = space.smallest();
    s.mostExpensive = space.largest();
    s.cheapestCost = CostModel::evaluate(s.cheapest);
    s.mostExpensiveCost = CostModel::evaluate(s.mostExpensive);
    s.supernet = space.supernet();
    return s;
}

} // namespace automoe::ui
