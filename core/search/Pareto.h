// Pareto utilities for the search, all objectives minimised: non-dominated filters (2 and N objectives),
// the 2-D hypervolume, and NSGA-II's fast non-dominated sort, crowding distance and survivor selection.
// Values must not be NaN. Results are indices into the input and are deterministic (ties by index).
#pragma once

#include <cstddef>
#include <vector>

namespace automoe {

// A point of the (cost, fitness) plane: FLOPs / latency / params against validation loss.
struct ParetoPoint {
    double cost = 0;
    double fitness = 0;
};

// a dominates b: no worse in every objective and better in at least one. Equal points do not dominate
// each other, so exact duplicates are both non-dominated.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);
bool dominates(const ParetoPoint& a, const ParetoPoint& b);

// The non-dominated points, sorted by cost ascending (then fitness, then index). O(n log n).
std::vector<std::size_t> paretoFront(const std::vector<ParetoPoint>& points);
// The non-dominated points of N objectives, by index ascending. O(n^2 m).
std::vector<std::size_t> nonDominated(const std::vector<std::vector<double>>& points);

// The area dominated by `points` and bounded by `reference` (the worst corner). Points not strictly
// better than the reference in both coordinates add nothing; duplicates count once.
double hypervolume2D(const std::vector<ParetoPoint>& points, const ParetoPoint& reference);

// The hypervolume after each generation: element g is hypervolume2D of every point whose generation is at
// most g, for g = 0 .. the highest generation in `generations` (one per point; negative generations are
// refused with std::invalid_argument). A generation without points repeats the one before. This is what
// the evolution stores per generation, recomputed from the candidates alone: the workbench draws compared
// searches against one reference with it.
std::vector<double> hypervolumeByGeneration(const std::vector<ParetoPoint>& points,
                                            const std::vector<long long>& generations,
                                            const ParetoPoint& reference);

// NSGA-II fast non-dominated sort: fronts[0] is the non-dominated set, fronts[1] is non-dominated once
// fronts[0] is removed, ... Each front lists indices ascending.
std::vector<std::vector<std::size_t>> nonDominatedSort(const std::vector<std::vector<double>>& points);
// Rank of every point (0 = first front).
std::vector<int> paretoRanks(const std::vector<std::vector<double>>& points);

// NSGA-II crowding distance of the members of one front, in the order of `front`: per objective, the
// members are sorted; the two ends get +infinity and each inner member adds (next - previous) / (max - min)
// (an objective with max == min adds 0). Fronts of one or two points are all infinite.
std::vector<double> crowdingDistance(const std::vector<std::vector<double>>& points,
                                     const std::vector<std::size_t>& front);

// NSGA-II survivor selection: the `count` best points by (rank ascending, crowding distance descending,
// index ascending). Put the preferred point first in `points` to win ties.
std::vector<std::size_t> selectNsga2(const std::vector<std::vector<double>>& points, std::size_t count);

} // namespace automoe
