#include "train/LrSchedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace automoe {

LrScheduleOptions::Kind lrScheduleKind(const std::string& name) {
    if (name == "inverse_sqrt" || name == "inverse-sqrt") return LrScheduleOptions::Kind::InverseSqrt;
    if (name == "cosine") return LrScheduleOptions::Kind::Cosine;
    if (name == "constant") return LrScheduleOptions::Kind::Constant;
    throw std::invalid_argument("unknown learning-rate schedule '" + name +
                                "' (expected inverse_sqrt, cosine or constant)");
}

const char* toString(LrScheduleOptions::Kind kind) {
    switch (kind) {
    case LrScheduleOptions::Kind::InverseSqrt:
        return "inverse_sqrt";
    case LrScheduleOptions::Kind::Cosine:
        return "cosine";
    case LrScheduleOptions::Kind::Constant:
        return "constant";
    }
    return "?";
}

double lrAt(const LrScheduleOptions& o, int64_t update) {
    update = std::max<int64_t>(update, 1);
    if (o.kind == LrScheduleOptions::Kind::Constant) return o.peak;
    if (o.warmupUpdates > 0 && update <= o.warmupUpdates)
        return o.warmupInitLr + (o.peak - o.warmupInitLr) * double(update) / double(o.warmupUpdates);
    if (o.kind == LrScheduleOptions::Kind::InverseSqrt)
        return o.peak * std::sqrt(double(std::max<int64_t>(o.warmupUpdates, 1)) / double(update));
    // Cosine from the end of warm-up to totalUpdates.
    const double span = double(std::max<int64_t>(o.totalUpdates - o.warmupUpdates, 1));
    const double t = std::min(1.0, double(update - o.warmupUpdates) / span);
    return o.minLr + 0.5 * (o.peak - o.minLr) * (1.0 + std::cos(M_PI * t));
}

} // namespace automoe
