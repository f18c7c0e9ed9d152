#include "run/GapSummary.h"

#include "util/RankCorrelation.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace automoe {

namespace {

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

} // namespace

nlohmann::json GapStudyRunResult::toJson() const {
    return {{"run", run},
            {"kind", kind},
            {"kendall_tau", number(kendallTau)},
            {"mean_abs_gap", number(meanAbsGap)},
            {"mean_gap", number(meanGap)},
            {"reached", reached},
            {"mean_updates_to_reach", number(meanUpdatesToReach)},
            {"seconds_per_update", number(secondsPerUpdate)},
            {"updates", updates},
            {"finetuned_mean_abs_gap", number(finetunedMeanAbsGap)}};
}

std::optional<int64_t> updatesToReach(const std::vector<std::pair<int64_t, double>>& curve, double target) {
    for (const auto& [updates, nll] : curve)
        if (nll <= target) return updates;
    return std::nullopt;
}

GapStudyRunResult summarizeGap(const std::vector<double>& inherited, const std::vector<double>& standalone,
                               const std::vector<std::vector<std::pair<int64_t, double>>>& curves) {
    if (inherited.size() != standalone.size() || curves.size() != standalone.size())
        throw std::invalid_argument("summarizeGap: one value per architecture is needed in each series");
    GapStudyRunResult r;
    const double n = double(std::max<size_t>(1, inherited.size()));
    double reachSum = 0;
    for (size_t i = 0; i < inherited.size(); ++i) {
        r.meanAbsGap += std::abs(inherited[i] - standalone[i]) / n;
        r.meanGap += (inherited[i] - standalone[i]) / n;
        if (!curves[i].empty())
            r.finetunedMeanAbsGap += std::abs(curves[i].back().second - standalone[i]) / n;
        if (const auto u = updatesToReach(curves[i], standalone[i])) {
            ++r.reached;
            reachSum += double(*u);
        }
    }
    r.meanUpdatesToReach = r.reached > 0 ? reachSum / r.reached : std::numeric_limits<double>::quiet_NaN();
    if (inherited.empty()) // no figure, not a zero gap
        r.meanAbsGap = r.meanGap = r.finetunedMeanAbsGap = std::numeric_limits<double>::quiet_NaN();
    r.kendallTau =
        inherited.size() >= 2 ? kendallTauB(inherited, standalone) : std::numeric_limits<double>::quiet_NaN();
    return r;
}

} // namespace automoe
