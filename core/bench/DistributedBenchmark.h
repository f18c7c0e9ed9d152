// `automoe bench distributed`: supernet training throughput of one process with two intra-op threads (and,
// for reference, one) against two data-parallel ranks with one thread each (train/DataParallel.h, over c10d
// Gloo on this machine), on the same batches and subnets, and the share of the ranks' step time spent in the
// all-reduce (which includes waiting for the slower rank). The CLI starts the ranks as processes (`automoe
// bench distributed --rank-of
// ...`); this file holds what each measurement runs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace automoe {

struct DistributedBenchmarkOptions {
    std::string space = "tiny";
    std::string corpus = "sample";
    int64_t updates = 30; // measured, after warm-up
    int64_t warmup = 3;
    int64_t maxTokens = 4096;
    int vocabSize = 8000;
    uint64_t seed = 1;
    std::string cacheDir; // the vocabulary cache (trained by the one-process measurement, read by the ranks)
};

struct TrainingThroughput {
    int processes = 1, threads = 1;
    int64_t updates = 0;
    double seconds = 0;
    double tokensPerSec = 0; // real source + target tokens of the updates' (whole) batches
    double msPerUpdate = 0;
    double allreduceMs = 0;    // per update, on rank 0 (0 for one process)
    double allreduceShare = 0; // of the update time
};

// One process, `threads` intra-op threads (trains and caches the vocabulary in options.cacheDir).
TrainingThroughput measureOneProcess(const DistributedBenchmarkOptions& options, int threads);
// This process as one rank of the launch convention's group (the environment), one intra-op thread.
TrainingThroughput measureRank(const DistributedBenchmarkOptions& options);

nlohmann::json toJson(const TrainingThroughput& t);
TrainingThroughput throughputFromJson(const nlohmann::json& j);

} // namespace automoe
