// Wall-clock time as the run store records it: milliseconds since the Unix epoch (UTC). Durations use
// std::chrono::steady_clock instead; this is for times that are stored, compared across processes or shown.
#pragma once

#include <chrono>
#include <cstdint>

namespace automoe {

inline std::int64_t wallClockMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace automoe
