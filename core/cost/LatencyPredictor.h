// LatencyPredictor is AutoMoE's (and HAT's) latency model: a small MLP from LatencyFeatures to measured
// milliseconds, with input and target standardisation kept with its weights. It takes architectures, not
// feature vectors, so the features are computed the same way at training and at search time (DESIGN §7).
#pragma once

#include "cost/LatencyFeatures.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"
#include "util/RankCorrelation.h" // kendallTauB

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace automoe {

struct LatencySample {
    Architecture arch;
    double ms = 0; // measured latency (e.g. LatencyMeasurement::total.median)
};

struct LatencyPredictorOptions {
    int epochs = 300;
    double lr = 1e-3; // Adam
    int batchSize = 64;
    double validationFraction = 0.2; // held out (after a seeded shuffle) for the reported metrics
    uint64_t seed = 1;               // initial weights, split and batch order
    // Intra-op threads while training (restored afterwards): a 400-wide MLP on batches of 64 gains nothing
    // from more, pays for every parallel region on a busy machine, and a fixed count keeps it reproducible.
    int threads = 1;
};

// Agreement of predictions with measurements on a set of samples.
struct LatencyMetrics {
    int count = 0;
    double rmse = 0;       // ms
    double mape = 0;       // mean |pred - true| / true, as a fraction (0.05 = 5 %)
    double kendallTau = 0; // tau-b rank agreement; NaN when undefined (fewer than two distinct values)
};

struct LatencyTrainingReport {
    LatencyMetrics train;
    LatencyMetrics validation; // count 0 when no sample was held out
    double finalLoss = 0;      // mean squared error of the standardised targets in the last epoch
};

LatencyMetrics latencyMetrics(const std::vector<double>& predicted, const std::vector<double>& measured);

class LatencyPredictor {
public:
    // An untrained predictor for architectures of the supernet `dims`: features -> hidden -> hidden -> 1
    // with ReLU (HAT: 400 hidden units).
    explicit LatencyPredictor(const SupernetDims& dims, int hidden = 400);

    // Fits from scratch (weights re-initialised from options.seed); deterministic for a seed and thread
    // count. Throws std::invalid_argument for fewer than two samples or a non-positive latency.
    LatencyTrainingReport train(const std::vector<LatencySample>& samples,
                                const LatencyPredictorOptions& options = {});

    // Milliseconds, computed on one intra-op thread. Throws std::logic_error before train() or load().
    double predict(const Architecture& arch) const;
    std::vector<double> predictBatch(const std::vector<Architecture>& archs) const;
    LatencyMetrics evaluate(const std::vector<LatencySample>& samples) const;

    bool trained() const { return trained_; }
    // The LatencyMeter version of the measurements it was fitted to (LatencyMeterVersion.h): the current one
    // for a predictor trained by this build, as stored for a loaded one (1 when the file predates it).
    int meterVersion() const { return meterVersion_; }
    // For samples measured by another meter version (e.g. an imported dataset); stored by save().
    void setMeterVersion(int version) { meterVersion_ = version; }
    const LatencyFeatures& features() const { return features_; }
    int hidden() const { return hidden_; }

    // One LibTorch archive, written atomically; load() throws std::runtime_error naming the file when it
    // is missing, truncated or not a latency predictor.
    void save(const std::string& path) const;
    static LatencyPredictor load(const std::string& path);

private:
    torch::Tensor featureMatrix(const std::vector<Architecture>& archs) const; // standardised [N, F]
    torch::Tensor forward(const torch::Tensor& x) const;

    LatencyFeatures features_;
    int hidden_;
    mutable torch::nn::Sequential net_{nullptr};
    torch::Tensor inputMean_, inputStd_; // [F]
    double targetMean_ = 0, targetStd_ = 1;
    bool trained_ = false;
    int meterVersion_;
};

} // namespace automoe
