// Human-readable numbers for the CLI and the UI: "25.22 M", "1.53 G".
#pragma once

#include <string>

namespace automoe {

std::string formatSI(double value, int decimals = 2); // 25217536 -> "25.22 M"
std::string formatFixed(double value, int decimals);  // 1.527 -> "1.53"

} // namespace automoe
