// LatencyMeter times translation with a StandaloneTransformer on this machine as DESIGN §7 asks, the way
// HAT measures it: batch 1, a fixed-length random source through the encoder once, then a fixed number of
// incremental decoder steps on cached keys and values (greedy, or beam-sized rows reordered each step),
// warm-up runs then the median of repeated runs, at an explicit intra-op thread count, in eval mode without
// autograd. kLatencyMeterVersion (LatencyMeterVersion.h) names this way of measuring.
#pragma once

#include "cost/LatencyMeterVersion.h"
#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace automoe {

struct LatencyOptions {
    int srcLen = 30;  // source tokens: random ids that are not special (pad/unk/bos/eos)
    int tgtLen = 30;  // decoder steps; decoding never stops early (no eos check), so every run is alike
    int beam = 1;     // 1 = greedy; k > 1 = beam search cost: k rows per step plus the top-k over k x vocab
    int warmup = 2;   // untimed runs first (allocator, BLAS buffers, caches)
    int repeats = 10; // timed runs; the statistics are over these
    // Intra-op threads while measuring (the previous count is restored afterwards); <= 0 = one per core.
    // One thread by default: batch-1 decoding of small models hardly scales, and it gives the steadiest
    // figures on a shared machine.
    int threads = 1;
    uint64_t seed = 1; // the random source sentence
    // Cached keys and values (kLatencyMeterVersion 2). false = every step re-runs the decoder on the whole
    // prefix (version 1): only for comparing the two in `automoe bench decode`.
    bool incremental = true;
};

// Distribution of one timed quantity over the repeats, in milliseconds.
struct LatencyStats {
    double median = 0;
    double min = 0;
    double max = 0;
    double q1 = 0; // 25th percentile (linear interpolation)
    double q3 = 0; // 75th percentile
    double iqr() const { return q3 - q1; }

    // Throws std::invalid_argument for an empty list.
    static LatencyStats of(std::vector<double> ms);
};

struct LatencyMeasurement {
    LatencyStats encoder; // encodeSource
    LatencyStats decoder; // all tgtLen incremental steps, the encoder-decoder keys and values included
    LatencyStats total;   // encoder + decoder of the same run
    int srcLen = 0;
    int tgtLen = 0;
    int beam = 1;
    int repeats = 0;
    int threads = 0;
};

// One measured architecture of a latency dataset.
struct LatencyRecord {
    Architecture arch;
    LatencyMeasurement measurement;
};

// {"arch": <architecture JSON>, "key": ..., "encoder_ms"/"decoder_ms"/"total_ms": {"median", "min", "max",
// "q1", "q3"}, "src_len", "tgt_len", "beam", "repeats", "threads", "meter"}: one line of a latency dataset
// export.
nlohmann::json latencyRecordToJson(const LatencyRecord& record);

class LatencyMeter {
public:
    // Throws std::invalid_argument for non-positive lengths, beam or repeats, or negative warm-up.
    explicit LatencyMeter(const LatencyOptions& options = {});

    const LatencyOptions& options() const { return options_; }

    // The model is put in eval mode for the measurement and back in its previous mode afterwards.
    LatencyMeasurement measure(StandaloneTransformerImpl& model) const;
    // Builds the standalone copy of `arch` from the supernet first (its weights decide the routing).
    LatencyMeasurement measure(SuperTransformerImpl& supernet, const Architecture& arch) const;

    // ONE timed translation of `model` (what measure() repeats), {encoder ms, decoder ms}: for callers that
    // interleave the runs of several models themselves (LatencyDatasetRun). Puts the model in eval mode,
    // without autograd, at the options' thread count.
    std::pair<double, double> timeOnce(StandaloneTransformerImpl& model) const;

    // A latency dataset for `space` (what `automoe latency build` runs): the smallest and largest
    // architectures, then distinct random ones, `count` in all (fewer only if the space is that small).
    // Each is built as a StandaloneTransformer with fresh weights (seeded; the routing of random weights is
    // near uniform) over a vocabulary of `vocabSize`. progress(i, count, record) is called after each one.
    static std::vector<LatencyRecord>
    measureSpace(const SearchSpace& space, int count, int64_t vocabSize, const LatencyOptions& options,
                 uint64_t seed = 1, const std::function<void(int, int, const LatencyRecord&)>& progress = {});

private:
    LatencyOptions options_;
};

} // namespace automoe
