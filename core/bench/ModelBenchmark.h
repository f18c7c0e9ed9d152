// ModelBenchmark measures training throughput (forward + backward) of the supernet on several
// architectures against a dense torch::nn::Transformer peer and the machine's GEMM speed, all in one run,
// and reports figures (it never passes or fails).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace automoe {

struct ModelBenchmarkOptions {
    std::string spacePath;      // search space JSON
    int64_t batchTokens = 4096; // padded tokens per side (source and target) of the batch
    double seconds = 3.0;       // measuring time per model (after warm-up)
    int threads = 0;            // 0 = one per core
    uint64_t seed = 1;
    int64_t vocabSize = 8000;
    bool includePeer = true;
    // Mixture-of-Supernets beside the shared supernet: "shared" (none), "mos-layer" or "mos-neuron", with
    // `mosSets` weight sets per covered layer (and the attention projections when `mosAttention`).
    std::string supernet = "shared";
    int mosSets = 2;
    bool mosAttention = false;
};

// What a Mixture-of-Supernets supernet costs beside the shared one of the same space, measured in the same
// run (ModelBenchmarkOptions::supernet).
struct MixtureBenchmark {
    std::string label;              // "mos-neuron x2"
    int64_t supernetParams = 0;     // every parameter of the shared supernet (embeddings included)
    int64_t coveredParams = 0;      // parameters of the super linears the mixture covers (one set)
    int64_t extraSetParams = 0;     // the further m - 1 sets of them
    int64_t routerParams = 0;       // the routers' MLPs
    double trainingExtraMb = 0;     // (extra sets + routers) x 4 bytes x (weight, gradient, 2 Adam moments)
    std::vector<std::string> rows;  // names of the shared rows compared
    std::vector<double> stepRatios; // MoS step time / shared step time, per row
    double maxStepRatio = 0;        // the worst of them (target <= 1.25)
};

struct GemmMeasurement {
    std::string label;
    int64_t m = 0, k = 0, n = 0;
    double gflops = 0; // median
};

struct ModelMeasurement {
    std::string name;
    std::string arch; // Architecture::key(), or a description for the peer
    int repeats = 0;
    double stepMs = 0;         // median forward + backward time
    double tokensPerSec = 0;   // real (non-pad) source + target tokens per second
    double flopsPerStep = 0;   // 3 x forward FLOPs, see ModelBenchmarkResult::flopsNote
    double gflops = 0;         // flopsPerStep / step time
    double fractionOfPeak = 0; // gflops / GEMM peak
    int64_t params = 0;        // non-embedding parameters of the (sub)network
};

struct ModelBenchmarkResult {
    std::string space;
    int threads = 0;
    int64_t sentences = 0;
    int64_t srcTokens = 0, tgtTokens = 0; // real tokens
    int64_t srcPadded = 0, tgtPadded = 0; // B x max length
    int64_t vocabSize = 0;
    std::vector<GemmMeasurement> gemm;
    double gemmPeak = 0;
    std::vector<ModelMeasurement> models;
    double denseRatio = 0, moeRatio = 0;         // supernet / peer tokens/s
    double denseFlopRatio = 0, moeFlopRatio = 0; // supernet / peer GFLOP/s
    int moeExperts = 0;
    long peakRssKb = 0;
    std::string flopsNote;
    std::vector<std::string> notes;
    bool hasMixture = false;
    MixtureBenchmark mixture;
};

// progress: called with a short line before each phase (may be empty).
ModelBenchmarkResult runModelBenchmark(const ModelBenchmarkOptions& options,
                                       const std::function<void(const std::string&)>& progress = {});

std::string formatModelBenchmark(const ModelBenchmarkResult& result);
nlohmann::json modelBenchmarkJson(const ModelBenchmarkResult& result);

// Peak resident set size of this process (VmHWM), in kB; 0 when unavailable.
long peakResidentKb();

// The median GFLOP/s of an m x k by k x n matrix product (B stored transposed, as a linear layer's weight,
// when `transposedB`), timed for at least `seconds` after warm-up.
GemmMeasurement measureGemm(const std::string& label, int64_t m, int64_t k, int64_t n, bool transposedB,
                            double seconds);

} // namespace automoe
