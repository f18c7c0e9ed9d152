// `automoe bench distributed`: 1 process x 2 threads against 2 data-parallel processes x 1 thread on the same
// batches, then a search's candidates/s on 1 rank and on 2 (core/bench/DistributedBenchmark.h), in one run.
// The ranks are this program again, started with the hidden --rank-out option (and --search-db for the
// search).
#include "bench/DistributedBenchmark.h"
#include "cli/CliSupport.h"
#include "cli/LocalRanks.h"
#include "dist/ProcessGroupCollective.h"
#include "store/RunFiles.h"
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
    std::string rankOut;  // set: this process is a rank; rank 0 writes its figures here
    std::string searchDb; // with rankOut: a rank of the search measurement on this database's supernet run
    int64_t searchRun = 0;
    bool json = false;
};

// The options every rank process gets, as the command line gave them.
std::vector<std::string> rankArgs(const DistributedBenchmarkOptions& o, const std::string& out) {
    return {"bench",
            "distributed",
            "--space",
            o.space,
            "--corpus",
            o.corpus,
            "--updates",
            std::to_string(o.updates),
            "--warmup",
            std::to_string(o.warmup),
            "--max-tokens",
            std::to_string(o.maxTokens),
            "--vocab-size",
            std::to_string(o.vocabSize),
            "--seed",
            std::to_string(o.seed),
            "--population",
            std::to_string(o.population),
            "--iterations",
            std::to_string(o.iterations),
            "--fitness-sentences",
            std::to_string(o.fitnessSentences),
            "--cache",
            o.cacheDir,
            "--rank-out",
            out};
}

void runBench(const DistributedBenchArgs& a) {
    DistributedBenchmarkOptions o = a.options;
    if (!a.rankOut.empty()) {
        const bool rank0 = LaunchEnv::fromEnvironment().rank == 0;
        if (!a.searchDb.empty()) {
            const SearchThroughput t = measureSearchRank(o, a.searchDb, a.searchRun);
            if (rank0) std::ofstream(a.rankOut) << toJson(t).dump() << "\n";
            return;
        }
        const TrainingThroughput t = measureRank(o);
        if (rank0) std::ofstream(a.rankOut) << toJson(t).dump() << "\n";
        return;
    }
    namespace fs = std::filesystem;
    const fs::path tmp =
        fs::temp_directory_path() / ("automoe-bench-distributed-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    const std::string db = (tmp / "runs.sqlite").string();
    o.cacheDir = runFilesDir(db) + "/vocab"; // the search's supernet run reuses the vocabulary
    std::fprintf(stderr, "... 1 process x 2 threads, %lld updates\n", (long long)o.updates);
    const TrainingThroughput one = measureOneProcess(o, 2);
    std::fprintf(stderr, "... 1 process x 1 thread, %lld updates\n", (long long)o.updates);
    const TrainingThroughput single = measureOneProcess(o, 1);
    std::fprintf(stderr, "... 2 processes x 1 thread, %lld updates\n", (long long)o.updates);
    const std::string out = (tmp / "rank0.json").string();
    int code = runLocalRanks(2, "127.0.0.1", 0, rankArgs(o, out));
    if (code != 0) throw std::runtime_error("the 2 ranks failed (exit status " + std::to_string(code) + ")");
    const TrainingThroughput two = throughputFromJson(nlohmann::json::parse(std::ifstream(out)));

    const int64_t candidates = int64_t(o.population) * o.iterations;
    std::fprintf(stderr, "... search: a %lld-update supernet, then %lld candidates on 1 rank x 1 thread\n",
                 (long long)o.supernetUpdates, (long long)candidates);
    const int64_t supernet = trainBenchSupernet(o, db, 2);
    const SearchThroughput searchOne = measureSearchOneProcess(o, db, supernet);
    std::fprintf(stderr, "... search: the same on 2 ranks x 1 thread\n");
    std::vector<std::string> args = rankArgs(o, out);
    for (const std::string& extra :
         {std::string("--search-db"), db, std::string("--search-run"), std::to_string(supernet)})
        args.push_back(extra);
    code = runLocalRanks(2, "127.0.0.1", 0, args);
    if (code != 0)
        throw std::runtime_error("the 2 search ranks failed (exit status " + std::to_string(code) + ")");
    const SearchThroughput searchTwo = searchThroughputFromJson(nlohmann::json::parse(std::ifstream(out)));
    std::error_code ec;
    fs::remove_all(tmp, ec);
    const double ratio = two.tokensPerSec / one.tokensPerSec;
    const double searchRatio = searchTwo.candidatesPerSec / searchOne.candidatesPerSec;
    if (a.json) {
        std::cout << nlohmann::json{{"space", o.space},
                                    {"corpus", o.corpus},
                                    {"one_process", toJson(one)},
                                    {"one_process_one_thread", toJson(single)},
                                    {"two_processes", toJson(two)},
                                    {"ratio", ratio},
                                    {"search_one_rank", toJson(searchOne)},
                                    {"search_two_ranks", toJson(searchTwo)},
                                    {"search_ratio", searchRatio}}
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
    std::printf("search, %d generations of %d on a %lld-update supernet, fitness on %lld validation pairs\n",
                o.iterations, o.population, (long long)o.supernetUpdates, (long long)o.fitnessSentences);
    std::printf("  1 rank  x 1 thread: %6.2f candidates/s  (%lld in %.1f s)\n", searchOne.candidatesPerSec,
                (long long)searchOne.candidates, searchOne.seconds);
    std::printf("  2 ranks x 1 thread: %6.2f candidates/s  (%lld in %.1f s)  %.2fx\n",
                searchTwo.candidatesPerSec, (long long)searchTwo.candidates, searchTwo.seconds, searchRatio);
}

} // namespace

void addDistributedBench(CLI::App* bench) {
    auto a = std::make_shared<DistributedBenchArgs>();
    auto* d = bench->add_subcommand(
        "distributed",
        "Training tokens/s: 1 process x 2 threads vs 2 data-parallel processes x 1 thread, and "
        "the all-reduce's share of the step; search candidates/s on 1 and 2 ranks");
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
    d->add_option("--population", a->options.population, "Search: candidates per generation")
        ->capture_default_str()
        ->check(CLI::Range(4, 10000));
    d->add_option("--iterations", a->options.iterations, "Search: generations")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    d->add_option("--fitness-sentences", a->options.fitnessSentences,
                  "Search: validation pairs of the fitness")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    d->add_option("--supernet-updates", a->options.supernetUpdates,
                  "Search: updates of the supernet searched")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    d->add_flag("--json", a->json, "Print the figures as JSON");
    d->add_option("--cache", a->options.cacheDir)->group("");
    d->add_option("--rank-out", a->rankOut)->group("");
    d->add_option("--search-db", a->searchDb)->group("");
    d->add_option("--search-run", a->searchRun)->group("");
    d->callback([a] { runBench(*a); });
}

} // namespace automoe::cli
