#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/RunDriver.h"
#include "nn/TorchRuntime.h"
#include "run/RankRun.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

namespace automoe::cli {
namespace {

struct RankArgs {
    int64_t run = 0;
    std::string db;
    int archs = 10;
    std::string select = "front";
    int64_t updates = 100;
    double lr = 5e-4;
    uint64_t seed = 1;
    int64_t maxTokens = 0;
    int threads = 0;
    std::string name;
    bool controlStdin = false;
};

class RankPrinter : public RunObserver {
public:
    void onEvent(const Event& e) override {
        const auto& p = e.payload;
        if (e.type == "rank_setup") {
            std::fprintf(
                stderr,
                "ranking %zu of %zu candidates (front %zu) of search run %lld; fitness on %lld validation "
                "pairs; fine-tune on %zu training pairs\n",
                p["archs"].size(), p.value("candidates", size_t(0)), p.value("front_size", size_t(0)),
                (long long)p.value("search_run", 0LL), (long long)p.value("fitness_sentences", 0LL),
                p.value("train_pairs", size_t(0)));
        } else if (e.type == "rank_arch") {
            std::fprintf(stderr, "%2zu/%zu  arch %lld  inherited %.4f  fine-tuned %.4f  (%.0f s)\n",
                         p.value("index", size_t(0)) + 1, p.value("count", size_t(0)),
                         (long long)p.value("arch_id", 0LL), p.value("inherited_nll", 0.0),
                         p.value("finetuned_nll", 0.0), p.value("finetune_seconds", 0.0));
        } else if (e.type == "error") {
            std::fprintf(stderr, "error: %s\n", p.value("message", std::string()).c_str());
        }
    }
};

void runRank(const RankArgs& a) {
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    RankRunConfig c;
    c.name = a.name;
    c.searchRun = a.run;
    c.archs = a.archs;
    c.select = a.select;
    c.finetuneUpdates = a.updates;
    c.lr = a.lr;
    c.seed = a.seed;
    c.maxTokens = a.maxTokens;
    RankRun run(store, c);
    std::fprintf(stderr, "rank run %lld in %s (%d threads)\n", (long long)run.id(), store.path().c_str(),
                 torchThreads());
    RankPrinter printer;
    run.addObserver(&printer);
    const auto t0 = std::chrono::steady_clock::now();
    const RunStatus status = driveRun(store, run, a.controlStdin);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (status != RunStatus::Finished) {
        std::printf("rank run %lld %s\n", (long long)run.id(), runStatusName(status));
        return;
    }
    std::printf("%6s  %9s  %10s  %10s  %10s  %s\n", "ARCH", "FLOPS", "INHERITED", "FINE-TUNED", "SEARCH_FIT",
                "KEY");
    for (const RankedArchitecture& r : run.ranked())
        std::printf("%6lld  %9s  %10.4f  %10.4f  %10.4f  %s\n", (long long)r.archId,
                    formatSI(r.flops).c_str(), r.inherited, r.finetuned, r.searchFitness, r.key.c_str());
    std::printf(
        "rank run %lld: Kendall tau-b (inherited vs fine-tuned %lld updates, %zu architectures) = %s  "
        "(%.0f s)\n",
        (long long)run.id(), (long long)a.updates, run.ranked().size(),
        std::isfinite(run.kendallTau()) ? formatFixed(run.kendallTau(), 3).c_str() : "n/a", seconds);
}

} // namespace

void addRankCommands(CLI::App& root) {
    auto a = std::make_shared<RankArgs>();
    CLI::App* rank = root.add_subcommand(
        "rank",
        "Does the supernet rank architectures like training does? Kendall tau of search fitness (inherited "
        "weights) vs validation NLL after a short fine-tune, for architectures of a search run");
    rank->add_option("--run", a->run, "The search run id")->required();
    rank->add_option("--db", a->db, "Run database");
    rank->add_option("--archs", a->archs, "Architectures to rank")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    rank->add_option("--select", a->select,
                     "front (along the Pareto front, topped up) or spread (across all "
                     "candidates by fitness)")
        ->capture_default_str()
        ->check(CLI::IsMember({"front", "spread"}));
    rank->add_option("--finetune-updates", a->updates, "Fine-tune updates per architecture")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    rank->add_option("--lr", a->lr, "Fine-tune peak learning rate (warm-up, then cosine)")
        ->capture_default_str();
    rank->add_option("--seed", a->seed, "Seed of the fine-tune batches and dropout (the same for all)")
        ->capture_default_str();
    rank->add_option("--max-tokens", a->maxTokens, "Fine-tune tokens per batch (0 = the supernet's)");
    rank->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    rank->add_option("--name", a->name, "Run name");
    rank->add_flag("--control-stdin", a->controlStdin,
                   "Read pause / resume / cancel commands, one per line, from stdin");
    rank->callback([a] { runRank(*a); });
}

} // namespace automoe::cli
