#include "search/Constraint.h"

#include "search/SearchError.h"
#include "util/Format.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace automoe {
namespace {

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string withoutSpaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

[[noreturn]] void fail(const std::string& text, const std::string& what) {
    throw SearchError("constraint \"" + text + "\": " + what +
                      " (expected METRIC<=VALUE, e.g. \"flops<=1.2G\", \"params<=10M\", \"latency<=40ms\")");
}

// Multiplier of a unit suffix for `metric`, or nullopt when the suffix is not one of its units.
std::optional<double> unitScale(CostMetric metric, const std::string& unit) {
    if (metric == CostMetric::LatencyMeasured || metric == CostMetric::LatencyPredicted) {
        const std::string u = lower(unit);
        if (u == "ms") return 1.0;
        if (u == "s") return 1000.0;
        if (u == "us" || u == "\xC2\xB5s") return 0.001;
        return std::nullopt;
    }
    if (unit.empty()) return 1.0;
    if (unit == "K" || unit == "k") return 1e3;
    if (unit == "M") return 1e6;
    if (unit == "G") return 1e9;
    if (unit == "T") return 1e12;
    if (unit == "B" && metric == CostMetric::ParamsActive) return 1e9;
    return std::nullopt;
}

const char* unitsExpected(CostMetric metric) {
    if (metric == CostMetric::LatencyMeasured || metric == CostMetric::LatencyPredicted)
        return "a time unit: us, ms or s";
    if (metric == CostMetric::ParamsActive) return "no unit or one of K, M, G (B), T";
    return "no unit or one of K, M, G, T";
}

} // namespace

const char* toString(CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return "flops";
    case CostMetric::ParamsActive:
        return "params";
    case CostMetric::LatencyMeasured:
        return "latency";
    case CostMetric::LatencyPredicted:
        return "predicted_latency";
    }
    return "?";
}

CostMetric costMetricFromString(const std::string& text, bool latencyPredicted) {
    const std::string t = lower(text);
    if (t == "flops") return CostMetric::Flops;
    if (t == "params" || t == "params_active" || t == "active_params") return CostMetric::ParamsActive;
    if (t == "latency") return latencyPredicted ? CostMetric::LatencyPredicted : CostMetric::LatencyMeasured;
    if (t == "measured_latency" || t == "latency_measured") return CostMetric::LatencyMeasured;
    if (t == "predicted_latency" || t == "latency_predicted") return CostMetric::LatencyPredicted;
    throw SearchError("unknown cost metric \"" + text +
                      "\" (expected flops, params, latency or predicted_latency)");
}

const char* unitOf(CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return "FLOPs";
    case CostMetric::ParamsActive:
        return "params";
    case CostMetric::LatencyMeasured:
    case CostMetric::LatencyPredicted:
        return "ms";
    }
    return "";
}

bool CandidateCosts::operator==(const CandidateCosts& o) const {
    return flops == o.flops && paramsActive == o.paramsActive && latencyMs == o.latencyMs &&
           predictedLatencyMs == o.predictedLatencyMs;
}

std::optional<double> costValue(const CandidateCosts& costs, CostMetric metric) {
    switch (metric) {
    case CostMetric::Flops:
        return costs.flops;
    case CostMetric::ParamsActive:
        return static_cast<double>(costs.paramsActive);
    case CostMetric::LatencyMeasured:
        return costs.latencyMs;
    case CostMetric::LatencyPredicted:
        return costs.predictedLatencyMs;
    }
    return std::nullopt;
}

double requireCostValue(const CandidateCosts& costs, CostMetric metric, const std::string& purpose) {
    const std::optional<double> v = costValue(costs, metric);
    if (!v)
        throw SearchError(purpose + " needs " +
                          (metric == CostMetric::LatencyMeasured ? "measured" : "predicted") +
                          " latency but the evaluator supplies none");
    return *v;
}

bool Constraint::satisfiedBy(const CandidateCosts& costs) const {
    const double v = requireCostValue(costs, metric, "constraint \"" + text + "\"");
    return strict ? v < limit : v <= limit;
}

std::string Constraint::toString() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", limit);
    std::string out = std::string(automoe::toString(metric)) + (strict ? "<" : "<=") + buf;
    if (metric == CostMetric::LatencyMeasured || metric == CostMetric::LatencyPredicted) out += "ms";
    return out;
}

std::string Constraint::describe() const {
    const bool latency = metric == CostMetric::LatencyMeasured || metric == CostMetric::LatencyPredicted;
    return std::string(automoe::toString(metric)) + (strict ? " < " : " <= ") +
           (latency ? formatFixed(limit, 2) + " ms" : formatSI(limit));
}

Constraint parseConstraint(const std::string& text, bool latencyPredicted) {
    const std::string s = withoutSpaces(text);
    if (s.empty()) fail(text, "is empty");
    const std::size_t op = s.find('<');
    if (op == std::string::npos) {
        if (s.find('>') != std::string::npos || s.find('=') != std::string::npos)
            fail(text, "only upper bounds are supported, with \"<=\" or \"<\"");
        fail(text, "has no comparison \"<=\" or \"<\"");
    }
    const std::string name = s.substr(0, op);
    if (name.empty()) fail(text, "names no metric before the comparison");
    Constraint c;
    c.text = text;
    try {
        c.metric = costMetricFromString(name, latencyPredicted);
    } catch (const SearchError&) {
        fail(text, "unknown metric \"" + name + "\" (metrics: flops, params, latency, predicted_latency)");
    }
    std::size_t pos = op + 1;
    c.strict = true;
    if (pos < s.size() && s[pos] == '=') {
        c.strict = false;
        ++pos;
    }
    const std::string rest = s.substr(pos);
    if (rest.empty()) fail(text, "has no value after the comparison");
    double value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || end == rest.data())
        fail(text, "\"" + rest + "\" is not a number followed by a unit");
    const std::string unit(end, rest.data() + rest.size());
    const std::optional<double> scale = unitScale(c.metric, unit);
    if (!scale) {
        fail(text, (unit.empty() ? std::string("the value has no unit") : "unknown unit \"" + unit + "\"") +
                       ", expected " + unitsExpected(c.metric) + " after " + toString(c.metric));
    }
    c.limit = value * *scale;
    if (!std::isfinite(c.limit) || c.limit <= 0) fail(text, "the limit must be a positive finite number");
    return c;
}

std::vector<Constraint> parseConstraints(const std::string& text, bool latencyPredicted) {
    std::vector<Constraint> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(",;", start);
        if (end == std::string::npos) end = text.size();
        const std::string part = text.substr(start, end - start);
        if (!withoutSpaces(part).empty()) {
            out.push_back(parseConstraint(part, latencyPredicted));
        } else if (end < text.size()) {
            throw SearchError("constraints \"" + text + "\": an empty budget between separators");
        }
        start = end + 1;
    }
    return out;
}

bool satisfiesAll(const std::vector<Constraint>& constraints, const CandidateCosts& costs) {
    return firstViolated(constraints, costs) == nullptr;
}

const Constraint* firstViolated(const std::vector<Constraint>& constraints, const CandidateCosts& costs) {
    for (const Constraint& c : constraints)
        if (!c.satisfiedBy(costs)) return &c;
    return nullptr;
}

} // namespace automoe
