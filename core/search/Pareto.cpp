#include "search/Pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace automoe {

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
    bool better = false;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i] > b[i]) return false;
        if (a[i] < b[i]) better = true;
    }
    return better;
}

bool dominates(const ParetoPoint& a, const ParetoPoint& b) {
    return a.cost <= b.cost && a.fitness <= b.fitness && (a.cost < b.cost || a.fitness < b.fitness);
}

std::vector<std::size_t> paretoFront(const std::vector<ParetoPoint>& points) {
    std::vector<std::size_t> order(points.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const ParetoPoint& p = points[a];
        const ParetoPoint& q = points[b];
        if (p.cost != q.cost) return p.cost < q.cost;
        if (p.fitness != q.fitness) return p.fitness < q.fitness;
        return a < b;
    });
    // Sweep by cost: a point is on the front when it beats every cheaper point's fitness, or exactly
    // repeats the front point that set the current best.
    std::vector<std::size_t> front;
    for (std::size_t i : order) {
        const ParetoPoint& p = points[i];
        if (front.empty()) {
            front.push_back(i);
            continue;
        }
        const ParetoPoint& best = points[front.back()];
        if (p.fitness < best.fitness || (p.fitness == best.fitness && p.cost == best.cost))
            front.push_back(i);
    }
    return front;
}

std::vector<std::size_t> nonDominated(const std::vector<std::vector<double>>& points) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < points.size(); ++i) {
        bool dominated = false;
        for (std::size_t j = 0; j < points.size() && !dominated; ++j)
            dominated = j != i && dominates(points[j], points[i]);
        if (!dominated) out.push_back(i);
    }
    return out;
}

double hypervolume2D(const std::vector<ParetoPoint>& points, const ParetoPoint& reference) {
    std::vector<ParetoPoint> inside;
    for (const ParetoPoint& p : points)
        if (p.cost < reference.cost && p.fitness < reference.fitness) inside.push_back(p);
    const std::vector<std::size_t> front = paretoFront(inside);
    // The front, sorted by cost, has strictly falling fitness (up to duplicates, which add zero width):
    // each point owns the slab from its cost to the next point's cost, down from the reference fitness.
    double volume = 0;
    for (std::size_t i = 0; i < front.size(); ++i) {
        const ParetoPoint& p = inside[front[i]];
        const double nextCost = i + 1 < front.size() ? inside[front[i + 1]].cost : reference.cost;
        volume += (nextCost - p.cost) * (reference.fitness - p.fitness);
    }
    return volume;
}

std::vector<double> hypervolumeByGeneration(const std::vector<ParetoPoint>& points,
                                            const std::vector<long long>& generations,
                                            const ParetoPoint& reference) {
    if (points.size() != generations.size())
        throw std::invalid_argument("hypervolumeByGeneration: one generation per point is needed");
    long long last = -1;
    for (long long g : generations) {
        if (g < 0)
            throw std::invalid_argument("hypervolumeByGeneration: negative generation " + std::to_string(g));
        last = std::max(last, g);
    }
    std::vector<std::vector<std::size_t>> byGeneration(std::size_t(last + 1));
    for (std::size_t i = 0; i < points.size(); ++i)
        byGeneration[std::size_t(generations[i])].push_back(i);
    // The front so far plus a generation's points have the same hypervolume as every point so far.
    std::vector<ParetoPoint> front;
    std::vector<double> volumes;
    volumes.reserve(byGeneration.size());
    for (const std::vector<std::size_t>& members : byGeneration) {
        for (std::size_t i : members)
            front.push_back(points[i]);
        std::vector<ParetoPoint> kept;
        for (std::size_t i : paretoFront(front))
            kept.push_back(front[i]);
        front = std::move(kept);
        volumes.push_back(hypervolume2D(front, reference));
    }
    return volumes;
}

std::vector<std::vector<std::size_t>> nonDominatedSort(const std::vector<std::vector<double>>& points) {
    const std::size_t n = points.size();
    std::vector<std::vector<std::size_t>> dominatedBy(n); // points that i dominates
    std::vector<std::size_t> dominationCount(n, 0);       // points that dominate i
    std::vector<std::vector<std::size_t>> fronts(1);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            if (dominates(points[i], points[j])) {
                dominatedBy[i].push_back(j);
                ++dominationCount[j];
            } else if (dominates(points[j], points[i])) {
                dominatedBy[j].push_back(i);
                ++dominationCount[i];
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        if (dominationCount[i] == 0) fronts[0].push_back(i);
    while (!fronts.back().empty()) {
        std::vector<std::size_t> next;
        for (std::size_t i : fronts.back())
            for (std::size_t j : dominatedBy[i])
                if (--dominationCount[j] == 0) next.push_back(j);
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(next));
    }
    fronts.pop_back();
    return fronts;
}

std::vector<int> paretoRanks(const std::vector<std::vector<double>>& points) {
    std::vector<int> ranks(points.size(), 0);
    const auto fronts = nonDominatedSort(points);
    for (std::size_t r = 0; r < fronts.size(); ++r)
        for (std::size_t i : fronts[r])
            ranks[i] = static_cast<int>(r);
    return ranks;
}

std::vector<double> crowdingDistance(const std::vector<std::vector<double>>& points,
                                     const std::vector<std::size_t>& front) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::size_t n = front.size();
    std::vector<double> distance(n, 0.0);
    if (n <= 2) return std::vector<double>(n, inf);
    const std::size_t objectives = points[front[0]].size();
    std::vector<std::size_t> order(n);
    for (std::size_t m = 0; m < objectives; ++m) {
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return points[front[a]][m] < points[front[b]][m];
        });
        const double lo = points[front[order.front()]][m];
        const double hi = points[front[order.back()]][m];
        distance[order.front()] = inf;
        distance[order.back()] = inf;
        if (!(hi > lo)) continue;
        for (std::size_t k = 1; k + 1 < n; ++k)
            distance[order[k]] +=
                (points[front[order[k + 1]]][m] - points[front[order[k - 1]]][m]) / (hi - lo);
    }
    return distance;
}

std::vector<std::size_t> selectNsga2(const std::vector<std::vector<double>>& points, std::size_t count) {
    std::vector<std::size_t> chosen;
    for (const std::vector<std::size_t>& front : nonDominatedSort(points)) {
        if (chosen.size() >= count) break;
        if (chosen.size() + front.size() <= count) {
            chosen.insert(chosen.end(), front.begin(), front.end());
            continue;
        }
        const std::vector<double> d = crowdingDistance(points, front);
        std::vector<std::size_t> order(front.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (d[a] != d[b]) return d[a] > d[b];
            return front[a] < front[b];
        });
        for (std::size_t k = 0; chosen.size() < count; ++k)
            chosen.push_back(front[order[k]]);
    }
    return chosen;
}

} // namespace automoe
