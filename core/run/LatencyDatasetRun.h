// A latency dataset run (AutoMoE stages 2-3) for a trained supernet run: the smallest, the largest and then
// distinct random architectures of its space, each copied out of the supernet as a StandaloneTransformer
// and timed with LatencyMeter on this machine; every measurement is a "latency_sample" event. A
// LatencyPredictor is then fitted with a seeded held-out split, its train / held-out RMSE, MAPE and
// Kendall tau reported, and saved as run-<id>/latency-predictor.pt beside the run store, its path recorded
// in a "latency_predictor" event (where `automoe search --predicted` finds it).
#pragma once

#include "cost/LatencyMeter.h"
#include "cost/LatencyPredictor.h"
#include "run/RunBase.h"
#include "store/RunStore.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct LatencyDatasetConfig {
    std::string name;
    int64_t supernetRun = 0;
    std::string checkpoint; // fixed when the run is created; empty = the last one
    int samples = 30;       // architectures measured (fewer only if the space is that small)
    uint64_t seed = 1;      // which architectures, and the predictor's initialisation and split
    LatencyOptions latency;
    LatencyPredictorOptions predictor;
    int hidden = 400;
    // Robustness on a shared machine. Architectures are timed `interleave` at a time in rounds (each round
    // times every one of them once, starting at a rotating position), so slow drifts of the machine's load
    // hit them alike; <= 1 = one architecture after the other (latency.repeats runs each). With
    // `normalize`, every round also times a reference architecture (the space's smallest) right before,
    // and the predictor learns median over rounds of (time / reference time of the same round) x the
    // reference's median over the whole dataset: a load that slows both alike cancels out.
    int interleave = 8;
    bool normalize = true;

    nlohmann::json toJson() const;
};

// The architectures a dataset of `count` measures: smallest, largest, then distinct random draws.
std::vector<Architecture> latencyDatasetArchitectures(const SearchSpace& space, int count, uint64_t seed);

class LatencyDatasetRun : public RunBase {
public:
    // Checks the supernet run and its checkpoint, then creates the run (kind "latency"). Throws naming
    // the run, the file or the field.
    LatencyDatasetRun(RunStore& store, LatencyDatasetConfig config);

    ~LatencyDatasetRun() override; // cancels and joins a started thread

    const LatencyDatasetConfig& config() const { return config_; }
    // Valid after a finished execute().
    const LatencyTrainingReport& report() const { return report_; }
    // The same predictor fitted on the raw medians (no reference normalisation), for comparison; equal to
    // report() when normalize is off.
    const LatencyTrainingReport& rawReport() const { return rawReport_; }
    const std::string& predictorPath() const { return predictorPath_; }

private:
    void run() override;

    LatencyDatasetConfig config_;
    LatencyTrainingReport report_;
    LatencyTrainingReport rawReport_;
    std::string predictorPath_;
};

} // namespace automoe
