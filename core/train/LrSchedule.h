// Learning-rate schedules of the supernet trainer: linear warm-up from warmupInitLr to the peak, then
// inverse square root (fairseq's inverse_sqrt: peak * sqrt(warmup / update)) or a cosine decay to minLr
// at totalUpdates (constant at minLr afterwards), or constant.
#pragma once
#include <cstdint>
#include <string>

namespace automoe {

struct LrScheduleOptions {
    enum class Kind { InverseSqrt, Cosine, Constant };
    Kind kind = Kind::InverseSqrt;
    double peak = 5e-4;
    double warmupInitLr = 1e-7;
    int64_t warmupUpdates = 1000;
    double minLr = 1e-6;          // cosine floor
    int64_t totalUpdates = 10000; // cosine period end
};

// Throws std::invalid_argument naming the text for an unknown kind ("inverse_sqrt", "cosine", "constant").
LrScheduleOptions::Kind lrScheduleKind(const std::string& name);
const char* toString(LrScheduleOptions::Kind kind);

// The rate for update `update` (1-based: the first update uses lrAt(1)).
double lrAt(const LrScheduleOptions& options, int64_t update);

} // namespace automoe
