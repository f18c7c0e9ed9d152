// Rank agreement of two series, free of LibTorch: used by the latency predictor's report and by the check
// that the supernet ranks architectures as short fine-tuning does (RankRun).
#pragma once

#include <vector>

namespace automoe {

// Kendall's tau-b of two equally long series, ties handled: (concordant - discordant) /
// sqrt((n0 - ties_x) (n0 - ties_y)) with n0 = n(n-1)/2 and ties_* the pairs tied in that series. NaN when
// a series is constant or shorter than two. Throws std::invalid_argument for different lengths.
double kendallTauB(const std::vector<double>& x, const std::vector<double>& y);

} // namespace automoe
