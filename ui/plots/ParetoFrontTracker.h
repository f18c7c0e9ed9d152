// ParetoFrontTracker keeps the non-dominated subset of a growing point set, minimising both coordinates
// (cost, validation loss), so the Pareto view updates its front in O(log n) per arriving candidate instead
// of recomputing it. A point equal to one already kept is dominated (the first one stays).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace automoe::ui {

class ParetoFrontTracker {
public:
    struct Point {
        double x = 0;
        double y = 0;
        std::size_t index = 0; // the caller's handle for the point
    };

    // Returns true when the point joined the front (possibly evicting points it dominates). Points with a
    // non-finite coordinate are ignored.
    bool add(double x, double y, std::size_t index);
    void clear();

    // Sorted by x ascending; y is then strictly descending.
    std::vector<Point> front() const;
    std::size_t size() const { return front_.size(); }
    bool empty() const { return front_.empty(); }
    // Increases whenever the front changes.
    std::uint64_t revision() const { return revision_; }

private:
    struct Entry {
        double y;
        std::size_t index;
    };
    std::map<double, Entry> front_; // by x
    std::uint64_t revision_ = 0;
};

} // namespace automoe::ui
