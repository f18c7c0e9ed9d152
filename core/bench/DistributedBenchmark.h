// `automoe bench distributed`: supernet training throughput of one process with two intra-op threads (and,
// for reference, one) against two data-parallel ranks with one thread each (train/DataParallel.h, over c10d
// Gloo on this machine), on the same batches and subnets, and the share of the ranks' step time spent in the
// all-reduce (which includes waiting for the slower rank); then an evolutionary search's candidates/s on one
// rank and on two (run/SearchRun's distributed search), one thread each. The CLI starts the ranks as
// processes (`automoe bench distributed --rank-out ...`); this file holds what each measurement runs.
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
    // The search measurement: an evolution of `population` candidates (a quarter of them parents, the
    // rest of each generation half mutations, half crossovers) for `iterations` generations, fitness on the
    // first `fitnessSentences` validation pairs, on a supernet trained for `supernetUpdates` updates.
    int population = 20;
    int iterations = 3;
    int64_t fitnessSentences = 200;
    int64_t supernetUpdates = 3;
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

struct SearchThroughput {
    int ranks = 1, threads = 1;
    int64_t candidates = 0; // evaluated (new architectures)
    double seconds = 0;     // the search stage, from the first generation to the last front
    double candidatesPerSec = 0;
    int64_t searchRun = 0;
};

// Trains the search measurement's supernet (options.supernetUpdates updates, one checkpoint) into the run
// database `db` (its vocabulary cached beside it) and returns its run id.
int64_t trainBenchSupernet(const DistributedBenchmarkOptions& options, const std::string& db, int threads);
// The search on supernet run `supernetRun` of `db` in this process, one intra-op thread.
SearchThroughput measureSearchOneProcess(const DistributedBenchmarkOptions& options, const std::string& db,
                                         int64_t supernetRun);
// The same search as one rank of the launch convention's group (the environment), one intra-op thread:
// rank 0 stores the run and returns its figures, the others follow it (their figures: candidates only).
SearchThroughput measureSearchRank(const DistributedBenchmarkOptions& options, const std::string& db,
                                   int64_t supernetRun);

nlohmann::json toJson(const SearchThroughput& t);
SearchThroughput searchThroughputFromJson(const nlohmann::json& j);

} // namespace automoe
