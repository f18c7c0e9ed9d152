#include "ui/plots/ParetoFrontTracker.h"

#include <cmath>
#include <iterator>

namespace automoe::ui {

bool ParetoFrontTracker::add(double x, double y, std::size_t index) {
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    // The kept point with the largest x' <= x has the smallest y among those; it dominates (x, y) when
    // its y' <= y.
    auto after = front_.upper_bound(x);
    if (after != front_.begin() && std::prev(after)->second.y <= y) return false;
    // Points with x' >= x and y' >= y are dominated by the newcomer; on the front they are contiguous.
    auto it = front_.lower_bound(x);
    while (it != front_.end() && it->second.y >= y)
        it = front_.erase(it);
    front_.emplace_hint(it, x, Entry{y, index});
    ++revision_;
    return true;
}

void ParetoFrontTracker::clear() {
    front_.clear();
    ++revision_;
}

std::vector<ParetoFrontTracker::Point> ParetoFrontTracker::front() const {
    std::vector<Point> out;
    out.reserve(front_.size());
    for (const auto& [x, e] : front_)
        out.push_back({x, e.y, e.index});
    return out;
}

} // namespace automoe::ui
