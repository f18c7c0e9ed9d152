#include "util/RankCorrelation.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace automoe {

double kendallTauB(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size())
        throw std::invalid_argument("kendallTauB: series of different lengths " + std::to_string(x.size()) +
                                    " and " + std::to_string(y.size()));
    const size_t n = x.size();
    // O(n^2) pair count: exact with ties, and the series are a few thousand points at most.
    double concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0) tiesX += 1;
            if (dy == 0) tiesY += 1;
            if (dx == 0 || dy == 0) continue;
            if ((dx > 0) == (dy > 0))
                concordant += 1;
            else
                discordant += 1;
        }
    const double n0 = double(n) * double(n > 0 ? n - 1 : 0) / 2.0;
    const double denom = std::sqrt((n0 - tiesX) * (n0 - tiesY));
    if (!(denom > 0)) return std::numeric_limits<double>::quiet_NaN();
    return (concordant - discordant) / denom;
}

} // namespace automoe
