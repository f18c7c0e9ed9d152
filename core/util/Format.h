// Human-readable numbers for the CLI and the UI: "25.22 M", "1.53 G", "4:05", "2024-05-01T12:00:00Z".
#pragma once

#include <cstdint>
#include <string>

namespace automoe {

std::string formatSI(double value, int decimals = 2); // 25217536 -> "25.22 M"
std::string formatFixed(double value, int decimals);  // 1.527 -> "1.53"
std::string formatClock(double seconds);              // 245 -> "4:05", 3725 -> "1:02:05", -1 -> "--:--"
std::string formatIsoTime(std::int64_t msSinceEpoch); // UTC, "2024-05-01T12:00:00Z"

} // namespace automoe
