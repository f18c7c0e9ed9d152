#include "search/CandidateEvaluator.h"

#include "search/SearchError.h"

namespace automoe {

CandidateCosts costModelCosts(const Architecture& arch, const CostOptions& options) {
    const ArchitectureCost c = CostModel::evaluate(arch, options);
    CandidateCosts out;
    out.flops = c.flopsHat;
    out.paramsActive = c.paramsActive;
    return out;
}

CostModelEvaluator::CostModelEvaluator(FitnessFunction fitness, CostOptions options)
    : fitness_(std::move(fitness))
    , options_(options) {
    if (!fitness_) throw SearchError("CostModelEvaluator needs a fitness function");
}

CandidateCosts CostModelEvaluator::costs(const Architecture& arch) {
    CandidateCosts c = costModelCosts(arch, options_);
    if (measured_) c.latencyMs = measured_(arch);
    if (predicted_) c.predictedLatencyMs = predicted_(arch);
    return c;
}

std::vector<double> CostModelEvaluator::fitness(const std::vector<Architecture>& archs) {
    return fitness_(archs);
}

} // namespace automoe
