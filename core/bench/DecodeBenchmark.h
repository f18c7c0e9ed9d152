// `automoe bench decode`: what incremental decoding (cached keys and values, LatencyMeter version 2) buys
// over re-running the decoder on the whole prefix at every step (version 1), measured in one run on the
// largest and the smallest architecture of a space at several target lengths. Both ways run the same
// LatencyMeter translation (batch 1, a random source, T forced decoder steps), alternating run by run so that
// load on a shared machine hits them alike. Figures, never pass/fail.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace automoe {

struct DecodeBenchmarkOptions {
    std::string space = "tiny"; // bundled name or JSON file
    // Architecture files (yml / JSON) to measure instead of the space's largest and smallest (the space then
    // only gives their default qkv width).
    std::vector<std::string> archFiles;
    std::vector<int> targetLengths{10, 30, 60};
    int srcLen = 30;
    int beam = 1;
    int warmup = 2;
    int repeats = 7;
    int threads = 1; // as the latency meter
    int64_t vocabSize = 8000;
    uint64_t seed = 1; // weights and source
};

// One architecture at one target length; times are medians over the repeats, in milliseconds.
struct DecodeMeasurement {
    std::string arch; // "largest" / "smallest", or the architecture file
    std::string key;  // Architecture::key()
    int decoderLayers = 0;
    int tgtLen = 0;
    double encoderMs = 0; // the same encoder for both (median over both ways' runs)
    double fullDecoderMs = 0, incrementalDecoderMs = 0;
    double fullPerTokenMs = 0, incrementalPerTokenMs = 0;           // decoder ms / T
    double fullSentencesPerSec = 0, incrementalSentencesPerSec = 0; // 1000 / (encoder + decoder)
    double decoderSpeedup = 0;                                      // full / incremental decoder time
    double sentenceSpeedup = 0;                                     // incremental / full sentences/s
};

struct DecodeBenchmarkResult {
    std::string space;
    int threads = 0, beam = 1, srcLen = 0, repeats = 0;
    int64_t vocabSize = 0;
    std::vector<DecodeMeasurement> rows;
    // Per architecture: incremental per-token time at the longest T / at the shortest (1 = flat in T) and the
    // same for full-prefix decoding (grows with T).
    std::vector<std::pair<std::string, double>> incrementalGrowth, fullGrowth;
    long peakRssKb = 0;
};

DecodeBenchmarkResult runDecodeBenchmark(const DecodeBenchmarkOptions& options,
                                         const std::function<void(const std::string&)>& progress = {});
std::string formatDecodeBenchmark(const DecodeBenchmarkResult& result);
nlohmann::json decodeBenchmarkJson(const DecodeBenchmarkResult& result);

} // namespace automoe
