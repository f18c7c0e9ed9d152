// The version of the way LatencyMeter times a translation. Latency datasets and predictors record it, and a
// predictor fitted to another version's measurements is refused for new searches (its milliseconds mean
// something else).
//   1  every decoder step re-ran the decoder on the whole prefix (O(T^2) decoder work)
//   2  HAT's way: the encoder once, then T incremental decoder steps on cached keys and values
#pragma once

namespace automoe {

inline constexpr int kLatencyMeterVersion = 2;

} // namespace automoe
