// CostMetric is the cost a Pareto plot puts on its horizontal axis: FLOPs, latency (measured, else
// predicted) or active parameters, with the axis label and the human-readable form of a value of each.
#pragma once

#include "store/RunRecords.h"

#include <QString>
#include <optional>

namespace automoe::ui {

enum class CostMetric { Flops, Latency, ActiveParams };

// The candidate's cost in `metric`; latency is the measured one, else the predicted one, else none.
std::optional<double> costOf(const CandidateRow& row, CostMetric metric);
// "FLOPs", "Latency (ms)", "Active parameters".
QString costAxisLabel(CostMetric metric);
// "1.6 GFLOPs", "42.5 ms", "25.2 M params".
QString formatCost(double cost, CostMetric metric);

} // namespace automoe::ui
