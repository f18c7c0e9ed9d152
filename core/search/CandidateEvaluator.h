// What the search asks of the outside world: the costs of an architecture (to check the budget and draw
// the Pareto front) and its fitness (lower is better: validation loss with inherited supernet weights).
// The LibTorch side implements this; the search itself stays free of LibTorch and Qt.
#pragma once

#include "cost/CostModel.h"
#include "search/Constraint.h"
#include "space/Architecture.h"

#include <functional>
#include <vector>

namespace automoe {

class CandidateEvaluator {
public:
    virtual ~CandidateEvaluator() = default;

    // Called once per distinct architecture the search draws (feasible or not), before its fitness.
    virtual CandidateCosts costs(const Architecture& arch) = 0;
    // Fitness of a batch of distinct, feasible architectures, in order; lower is better. Batched so that
    // the caller can share work (one validation pass over several subnets). Must return arch.size() values.
    virtual std::vector<double> fitness(const std::vector<Architecture>& archs) = 0;
};

// The analytic costs of DESIGN §4: flops = flopsHat at the options' lengths, paramsActive.
CandidateCosts costModelCosts(const Architecture& arch, const CostOptions& options = {});

// An evaluator built from the cost model and callbacks: fitness from a function, latency (measured and/or
// predicted) from optional functions. Subclasses may override costs() and call this one for the analytic
// part.
class CostModelEvaluator : public CandidateEvaluator {
public:
    using FitnessFunction = std::function<std::vector<double>(const std::vector<Architecture>&)>;
    using LatencyFunction = std::function<double(const Architecture&)>; // milliseconds

    explicit CostModelEvaluator(FitnessFunction fitness, CostOptions options = {});

    void setMeasuredLatency(LatencyFunction f) { measured_ = std::move(f); }
    void setPredictedLatency(LatencyFunction f) { predicted_ = std::move(f); }
    const CostOptions& options() const { return options_; }

    CandidateCosts costs(const Architecture& arch) override;
    std::vector<double> fitness(const std::vector<Architecture>& archs) override;

private:
    FitnessFunction fitness_;
    CostOptions options_;
    LatencyFunction measured_;
    LatencyFunction predicted_;
};

} // namespace automoe
