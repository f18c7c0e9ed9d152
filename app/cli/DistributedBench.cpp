// `automoe bench distributed`: 1 process x 2 threads against 2 data-parallel processes x 1 thread on the same
// batches (core/bench/DistributedBenchmark.h), in one run. The ranks are this program again, started with
// the hidden --rank-out option.
#include "bench/DistributedBenchmark.h"
#include "cli/CliSupport.h"
#include "cli/LocalRanks.h"
#include "dist/ProcessGroupCollective.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace automoe::cli {

namespace {

struct DistributedBenchArgs {
    DistributedBenchmarkOptions options;
    std::string rankOut; // set: this process is a rank; rank 0 writes its figures here
    bool json = false;
};

void runBench(const DistributedBenchArgs& a) {
    DistributedBenchmarkOptions o = a.options;
    if (!a.rankOut.empty()) {
        const TrainingThroughput t = measureRank(o);
        if (LaunchEnv::fromEnvironment().rank == 0) std::ofstream(a.rankOut) << toJson(t).dump() << "\n";
        return;
    }
    namespace fs = std::filesystem;
    const fs::path tmp =
        fs::temp_directory_path() / ("automoe-bench-distributed-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    o.cacheDir = (tmp / "vocab").string();
    std::fprintf(stderr, "... 1 process x 2 threads, %lld updates\n", (long long)o.updates);
    const TrainingThroughput one = measureOneProcess(o, 2);
    std::fprintf(stderr, "... 1 process x 1 thread, %lld updates\n", (long long)o.updates);
    const TrainingThroughput single = measureOneProcess(o, 1);
    std::fprintf(stderr, "... 2 processes x 1 thread, %lld updates\n", (long long)o.updates);
    const std::string out = (tmp / "rank0.json").string();
    const std::vector<std::string> args = {"bench",        "distributed",
                                           "--space",      o.space,
                                           "--corpus",     o.corpus,
                                           "--updates",    std::to_string(o.updates),
                                           "--warmup",     std::to_string(o.warmup),
                                           "--max-tokens", std::to_string(o.maxTokens),
                                           "--vocab-size", std::to_string(o.vocabSize),
                                           "--seed",       std::to_string(o.seed),
                                           "--cache",      o.cacheDir,
                                           "--rank-out",   out};
    const int code = runLocalRanks(2, "127.0.0.1", 0, args);
    if (code != 0) throw std::runtime_error("the 2 ranks failed (exit status " + std::to_string(code) + ")");
    std::ifstream in(out);
    const TrainingThroughput two = throughputFromJson(nlohmann::json::parse(in));
    std::error_code ec;
    fs::remove_all(tmp, ec);
    const double ratio = two.tokensPerSec / one.tokensPerSec;
    if (a.json) {
        std::cout << nlohmann::json{{"space", o.space},
                                    {"corpus", o.corpus},
                                    {"one_process", toJson(one)},
                                    {"one_process_one_thread", toJson(single)},
                                    {"two_processes", toJson(two)},
                                    {"ratio", ratio}}
                         .dump(2)
                  << "\n";
        return;
    }
    std::printf("supernet training, space %s, corpus %s, %lld updates of %lld tokens (after %lld warm-up)\n",
                o.space.c_str(), o.corpus.c_str(), (long long)o.updates, (long long)o.maxTokens,
                (long long)o.warmup);
    std::printf("  1 process  x 2 threads: %8.0f tokens/s  %7.1f ms/update\n", one.tokensPerSec,
                one.msPerUpdate);
    std::printf("  1 process  x 1 thread:  %8.0f tokens/s  %7.1f ms/update\n", single.tokensPerSec,
                single.msPerUpdate);
    std::printf("  2 processes x 1 thread: %8.0f tokens/s  %7.1f ms/update  (%.0f %% of 1 x 2)\n",
                two.tokensPerSec, two.msPerUpdate, 100.0 * ratio);
    std::printf("  all-reduce (rank 0, incl. waiting for rank 1): %.1f ms/update, %.1f %% of the step\n",
                two.allreduceMs, 100.0 * two.allreduceShare);
}

} // namespace

void addDistributedBench(CLI::App* bench) {
    auto a = std::make_shared<DistributedBenchArgs>();
    auto* d = bench->add_subcommand(
        "distributed",
        "Training tokens/s: 1 process x 2 threads vs 2 data-parallel processes x 1 thread, and "
        "the all-reduce's share of the step");
    d->add_option("--space", a->options.space, "Search space: bundled name or JSON file")
        ->capture_default_str();
    d->add_option("--corpus", a->options.corpus, "Corpus (ding, sample, a .tsv, a prefix)")
        ->capture_default_str();
    d->add_option("--updates", a->options.updates, "Measured updates")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    d->add_option("--warmup", a->options.warmup, "Warm-up updates")->capture_default_str();
    d->add_option("--max-tokens", a->options.maxTokens, "Tokens per batch")->capture_default_str();
    d->add_option("--vocab-size", a->options.vocabSize, "SentencePiece vocabulary size")
        ->capture_default_str();
    d->add_option("--seed", a->options.seed, "Seed")->capture_default_str();
    d->add_flag("--json", a->json, "Print the figures as JSON");
    d->add_option("--cache", a->options.cacheDir)->group("");
    d->add_option("--rank-out", a->rankOut)->group("");
    d->callback([a] { runBench(*a); });
}

} // namespace automoe::cli
