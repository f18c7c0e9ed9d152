// `automoe bench search`: how fast the evolutionary search evaluates candidates, against the supernet's
// training forward pass measured in the same run. A short search (the real Evolution, the real fitness path
// of SearchRun: SubnetFitness) runs on a trained supernet run, or on a freshly initialised supernet of the
// bundled tiny space over the bundled corpus sample when no run is given (so it works from a fresh clone).
// Printed: candidates evaluated per second, wall time per generation, fitness-evaluation throughput in
// target tokens/s, and, over the same candidates and batches, the training forward pass (train mode,
// autograd on, label-smoothed loss, no backward) with the ratio evaluation / training forward, and the
// plain eval-mode forward the fitness used before SubnetFitness. The passes alternate candidate by
// candidate (rotating their order), so load on a shared machine hits them alike. Figures, never pass/fail.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct SearchBenchmarkOptions {
    int64_t run = 0;            // a supernet run in `db`; 0 = a fresh supernet of `space` on `corpus`
    std::string db;             // run database (with `run`)
    std::string space = "tiny"; // without `run`
    std::string corpus = "sample";
    int vocabSize = 8000;
    std::vector<std::string> budgets; // e.g. "flops<=150M"; none = unconstrained
    int population = 12, parents = 4, mutations = 6, crossovers = 6, iterations = 3;
    int64_t fitnessSentences = 200;
    int64_t maxTokens = 0; // 0 = the supernet's training max_tokens (4096 for a fresh one)
    int threads = 0;
    uint64_t seed = 1;
};

struct SearchBenchmarkResult {
    std::string source; // "supernet run N (update U) in DB" or "fresh supernet (space, corpus)"
    int threads = 0;
    int64_t sentences = 0, batches = 0, targetTokens = 0, sourceTokens = 0, maxTokens = 0;
    std::vector<std::string> budgets;
    int population = 0, parents = 0, mutations = 0, crossovers = 0, iterations = 0;

    // The search.
    int64_t candidates = 0;
    std::vector<double> generationMs; // wall time of each generation (fitness, costs, bookkeeping)
    double searchSeconds = 0;
    double candidatesPerSec = 0;
    double fitnessSeconds = 0;   // inside the fitness function
    double evalTokensPerSec = 0; // target tokens / fitnessSeconds
    double searchOverhead = 0;   // 1 - fitnessSeconds / searchSeconds

    // Same run, same candidates and batches, alternating: evaluation vs training forward.
    int64_t compared = 0;
    double evalPassTokensPerSec = 0;
    double plainEvalTokensPerSec = 0; // model->forward over all positions + the loss, eval, no grad
    double trainForwardTokensPerSec = 0;
    double ratio = 0;          // evalPassTokensPerSec / trainForwardTokensPerSec
    double searchRatio = 0;    // evalTokensPerSec (inside the search) / trainForwardTokensPerSec
    double maxFitnessDiff = 0; // |search fitness - re-evaluated fitness|, max over candidates (should be 0)
    long peakRssKb = 0;
};

SearchBenchmarkResult runSearchBenchmark(const SearchBenchmarkOptions& options,
                                         const std::function<void(const std::string&)>& progress);
std::string formatSearchBenchmark(const SearchBenchmarkResult& result);
nlohmann::json searchBenchmarkJson(const SearchBenchmarkResult& result);

} // namespace automoe
