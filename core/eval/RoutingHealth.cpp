#include "eval/RoutingHealth.h"

#include "util/JsonField.h"

#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace automoe {

namespace {

int stackOrder(const std::string& stack) {
    if (stack == "encoder") return 0;
    if (stack == "decoder") return 1;
    return -1;
}

std::string where(const RoutingSnapshot& s, const std::string& stack, int layer) {
    return "routing snapshot of update " + std::to_string(s.update) + ", " + stack + " layer " +
           std::to_string(layer);
}

std::string number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

// Throws naming the field when `value` is not a finite number in [lo, hi] (with rounding slack).
void requireInRange(double value, double lo, double hi, const char* field) {
    constexpr double slack = 1e-9;
    if (!std::isfinite(value) || value < lo - slack || value > hi + slack)
        throw std::invalid_argument(std::string("routing_health event: field \"") + field + "\" is " +
                                    number(value) + ", outside [" + number(lo) + ", " + number(hi) + "]");
}

} // namespace

RoutingHealth routingHealth(const RoutingSnapshot& snapshot, const std::string& subnet) {
    // (stack order, layer) -> load per expert slot; the map orders encoder before decoder, then by layer.
    std::map<std::pair<int, int>, std::vector<double>> loads;
    std::map<std::pair<int, int>, std::string> stacks;
    for (const RoutingStatRow& r : snapshot.rows) {
        const int order = stackOrder(r.stack);
        if (order < 0)
            throw std::invalid_argument("routing snapshot of update " + std::to_string(snapshot.update) +
                                        ": unknown stack \"" + r.stack + "\" (expected encoder or decoder)");
        if (r.layer < 0 || r.expert < 0)
            throw std::invalid_argument(where(snapshot, r.stack, r.layer) + ": negative layer or expert " +
                                        std::to_string(r.expert));
        if (!std::isfinite(r.tokensFraction) || r.tokensFraction < 0)
            throw std::invalid_argument(where(snapshot, r.stack, r.layer) + ", expert " +
                                        std::to_string(r.expert) + ": tokens fraction " +
                                        number(r.tokensFraction) + " is not a share");
        std::vector<double>& load = loads[{order, r.layer}];
        if (load.size() <= std::size_t(r.expert)) load.resize(std::size_t(r.expert) + 1, 0.0);
        load[std::size_t(r.expert)] += r.tokensFraction;
        stacks[{order, r.layer}] = r.stack;
    }

    RoutingHealth health;
    health.update = snapshot.update;
    health.subnet = subnet;
    for (const auto& [key, load] : loads) {
        if (load.size() < 2) continue; // one expert: nothing to balance
        double total = 0;
        for (double f : load)
            total += f;
        if (!(total > 0))
            throw std::invalid_argument(where(snapshot, stacks[key], key.second) +
                                        ": no tokens (fractions sum to 0)");
        LayerRoutingHealth h;
        h.stack = stacks[key];
        h.layer = key.second;
        h.experts = int(load.size());
        for (std::size_t e = 0; e < load.size(); ++e) {
            const double p = load[e] / total;
            if (p > 0) h.entropy -= p * std::log(p);
            if (p > h.busiestShare) {
                h.busiestShare = p;
                h.busiestExpert = int(e);
            }
        }
        h.normalizedEntropy = h.entropy / std::log(double(h.experts));
        health.layers.push_back(std::move(h));
    }
    return health;
}

nlohmann::json toJson(const RoutingHealth& health) {
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerRoutingHealth& l : health.layers)
        layers.push_back({{"stack", l.stack},
                          {"layer", l.layer},
                          {"experts", l.experts},
                          {"entropy", l.entropy},
                          {"normalized_entropy", l.normalizedEntropy},
                          {"busiest_expert", l.busiestExpert},
                          {"busiest_share", l.busiestShare}});
    return {{"update", health.update}, {"subnet", health.subnet}, {"layers", layers}};
}

RoutingHealth routingHealthFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("routing_health");
    RoutingHealth health;
    health.update = f.required<std::int64_t>(j, "update");
    health.subnet = f.required<std::string>(j, "subnet");
    const nlohmann::json layers = f.required<nlohmann::json>(j, "layers");
    if (!layers.is_array())
        throw std::invalid_argument("routing_health event: field \"layers\" is not a list");
    for (const nlohmann::json& item : layers) {
        LayerRoutingHealth l;
        l.stack = f.required<std::string>(item, "stack");
        if (stackOrder(l.stack) < 0)
            throw std::invalid_argument("routing_health event: field \"stack\" is \"" + l.stack +
                                        "\" (expected encoder or decoder)");
        l.layer = f.required<int>(item, "layer");
        if (l.layer < 0) throw std::invalid_argument("routing_health event: field \"layer\" is negative");
        l.experts = f.required<int>(item, "experts");
        if (l.experts < 2)
            throw std::invalid_argument("routing_health event: field \"experts\" is " +
                                        std::to_string(l.experts) + " (an MoE layer has at least 2)");
        l.entropy = f.required<double>(item, "entropy");
        requireInRange(l.entropy, 0, std::log(double(l.experts)), "entropy");
        l.normalizedEntropy = f.required<double>(item, "normalized_entropy");
        requireInRange(l.normalizedEntropy, 0, 1, "normalized_entropy");
        l.busiestExpert = f.required<int>(item, "busiest_expert");
        if (l.busiestExpert < 0 || l.busiestExpert >= l.experts)
            throw std::invalid_argument("routing_health event: field \"busiest_expert\" is " +
                                        std::to_string(l.busiestExpert) + ", not one of " +
                                        std::to_string(l.experts) + " experts");
        l.busiestShare = f.required<double>(item, "busiest_share");
        requireInRange(l.busiestShare, 0, 1, "busiest_share");
        health.layers.push_back(std::move(l));
    }
    return health;
}

} // namespace automoe
