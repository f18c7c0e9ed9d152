// `automoe bench train`: supernet training throughput on a real corpus (tokens/s, GFLOP/s and the share
// of a GEMM peak measured in the same run), the cost of logging every update to the run store (the same
// trainer with the store on and off, in alternating blocks, plus the time spent inside append()), and the
// peak memory of a default training run.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct TrainBenchmarkOptions {
    std::string space = "tiny";
    std::string corpus = "sample"; // as TrainingRunConfig::corpus
    int64_t updates = 40;          // measured updates (half with the store on), after warm-up
    int64_t warmup = 3;
    int64_t block = 4; // updates per alternating store-on / store-off block
    // The best GEMM shape of the start is timed again every peakEvery updates (not counted as training
    // time): the share of the peak is taken against the median of all those samples, so that a slow or fast
    // spell of a shared machine moves the peak and the training alike. 0 = only at the start.
    int64_t peakEvery = 10;
    int64_t maxTokens = 4096;
    int vocabSize = 8000;
    int threads = 0;
    uint64_t seed = 1;
    // --profile: instead of the random-subnet run and the logging cost, where an update's time goes for the
    // largest, the smallest and one random architecture (profileUpdates profiled updates each, alternating
    // with as many unprofiled ones that give the step time without the profiler's overhead).
    bool profile = false;
    int64_t profileUpdates = 6;
};

// One architecture's profile: milliseconds per update by region (forward and backward), measured with the
// profiler attached, and the step time and throughput of the unprofiled updates.
struct ArchitectureProfile {
    std::string label; // largest, smallest, random
    std::string archKey;
    int64_t updates = 0;    // profiled updates (as many unprofiled ones ran in between)
    double msPerUpdate = 0; // unprofiled
    double profiledMsPerUpdate = 0;
    double targetTokensPerSec = 0; // unprofiled
    double tokensPerSec = 0;       // source + target, unprofiled
    double gflops = 0;             // unprofiled
    double fractionOfPeak = 0;
    struct Region {
        double forwardMs = 0, backwardMs = 0; // per profiled update
    };
    std::map<std::string, Region> regions;
    struct Op {
        std::string name;
        double ms = 0, calls = 0; // per profiled update
    };
    std::vector<Op> topOps; // the heaviest ops and autograd nodes by exclusive time, heaviest first
};

struct TrainBenchmarkResult {
    std::string space, corpus;
    int threads = 0;
    int vocabSize = 0;
    int64_t trainPairs = 0;
    double gemmPeak = 0;                              // share-of-peak reference: median of peakSamples
    double gemmPeakAtStart = 0;                       // the best shape at the start
    std::vector<double> peakSamples;                  // the best shape, at the start and through the run
    std::vector<std::pair<std::string, double>> gemm; // label, GFLOP/s (at the start)
    int64_t updates = 0;
    double msPerUpdate = 0;  // mean over all measured updates
    double tokensPerSec = 0; // real source + target tokens
    double targetTokensPerSec = 0;
    double gflops = 0;                // 3 x forward FLOPs of each update's subnet at its batch's lengths
    double fractionOfPeak = 0;        // against gemmPeak
    double fractionOfPeakAtStart = 0; // against gemmPeakAtStart
    double storeOffMsPerToken = 0, storeOnMsPerToken = 0; // step time per 1000 tokens, by block kind
    double storeOverhead = 0;                             // on / off - 1 (noisy: different subnets per block)
    double appendUsPerUpdate = 0;                         // time inside RunStore::append per logged update
    double appendOverhead = 0;                            // appendUs / step time
    uint64_t eventsCommitted = 0;
    long peakRssKb = 0;
    std::vector<ArchitectureProfile> profiles; // --profile only
};

TrainBenchmarkResult runTrainBenchmark(const TrainBenchmarkOptions& options,
                                       const std::function<void(const std::string&)>& progress);
std::string formatTrainBenchmark(const TrainBenchmarkResult& result);
nlohmann::json trainBenchmarkJson(const TrainBenchmarkResult& result);

} // namespace automoe
