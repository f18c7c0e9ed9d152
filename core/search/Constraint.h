// Budgets of a search ("flops<=1.2G", "latency<=40ms", "params<10M"): what a candidate may cost to be
// feasible. Several constraints combine by conjunction; every value is in a base unit (FLOPs, parameters,
// milliseconds) so that a constraint compares directly with CandidateCosts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

enum class CostMetric { Flops, ParamsActive, LatencyMeasured, LatencyPredicted };

// "flops", "params", "latency", "predicted_latency": the names used in budget strings and JSON.
const char* toString(CostMetric metric);
// Inverse of toString; "latency" gives LatencyPredicted when `latencyPredicted` (the CLI's --predicted).
// Throws SearchError naming the text for an unknown metric.
CostMetric costMetricFromString(const std::string& text, bool latencyPredicted = false);
// Unit of a metric's values: "FLOPs", "params", "ms".
const char* unitOf(CostMetric metric);

// What a candidate costs. Latencies are optional: they exist only when the caller measures or predicts them.
struct CandidateCosts {
    double flops = 0;              // flopsHat at the evaluator's source / target lengths
    std::int64_t paramsActive = 0; // non-embedding parameters used by one token
    std::optional<double> latencyMs;
    std::optional<double> predictedLatencyMs;

    bool operator==(const CandidateCosts& o) const;
};

// The value of `metric`, or nullopt for a latency the evaluator did not supply.
std::optional<double> costValue(const CandidateCosts& costs, CostMetric metric);
// The same, throwing SearchError ("... needs measured latency but the evaluator supplies none") if absent.
double requireCostValue(const CandidateCosts& costs, CostMetric metric, const std::string& purpose);

struct Constraint {
    CostMetric metric = CostMetric::Flops;
    double limit = 0;    // in the metric's base unit
    bool strict = false; // "<" rather than "<="
    std::string text;    // as given, for messages

    // Throws SearchError when the metric is a latency the costs lack.
    bool satisfiedBy(const CandidateCosts& costs) const;
    // Canonical text, e.g. "flops<=1.2e+09", parsed back to an equal constraint.
    std::string toString() const;
    // For people: "flops <= 1.20 G", "latency <= 40.00 ms".
    std::string describe() const;

    bool operator==(const Constraint& o) const {
        return metric == o.metric && limit == o.limit && strict == o.strict;
    }
};

// One budget: METRIC OP NUMBER[UNIT] with METRIC in flops | params | latency | predicted_latency |
// measured_latency, OP in <= | <, UNIT for flops and params in K M G T (and B = G for params), for latency
// in us | ms | s (required). Spaces are allowed anywhere. Throws SearchError naming the text.
Constraint parseConstraint(const std::string& text, bool latencyPredicted = false);
// Several budgets separated by ',' or ';' (all must hold). An empty text gives no constraint.
std::vector<Constraint> parseConstraints(const std::string& text, bool latencyPredicted = false);

// True when every constraint holds.
bool satisfiesAll(const std::vector<Constraint>& constraints, const CandidateCosts& costs);
// The first constraint that does not hold, or nullptr.
const Constraint* firstViolated(const std::vector<Constraint>& constraints, const CandidateCosts& costs);

} // namespace automoe
