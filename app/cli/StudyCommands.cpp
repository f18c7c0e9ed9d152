#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/RunDriver.h"
#include "nn/TorchRuntime.h"
#include "run/GapStudyRun.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

namespace automoe::cli {
namespace {

struct GapArgs {
    std::string runs;
    std::string db;
    int archs = 12;
    int64_t standaloneUpdates = 300;
    int64_t finetuneUpdates = 50;
    int64_t finetuneEvery = 0;
    double lr = 5e-4;
    int64_t sentences = 300;
    int64_t maxTokens = 0;
    uint64_t seed = 1;
    int threads = 0;
    std::string name;
    bool json = false;
    bool controlStdin = false;
};

std::vector<int64_t> parseRuns(const std::string& text) {
    std::vector<int64_t> ids;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            size_t used = 0;
            const long long id = std::stoll(item, &used);
            if (used != item.size() || id <= 0) throw std::invalid_argument(item);
            ids.push_back(id);
        } catch (const std::exception&) {
            throw UsageError("--runs: '" + item + "' is not a run id (expected e.g. --runs 1,2,3)");
        }
    }
    if (ids.empty()) throw UsageError("--runs: no run id given");
    return ids;
}

std::string fixedOrNa(double v, int digits) {
    return std::isfinite(v) ? formatFixed(v, digits) : "n/a";
}

class GapPrinter : public RunObserver {
public:
    void onEvent(const Event& e) override {
        const auto& p = e.payload;
        if (e.type == "study_setup") {
            std::fprintf(
                stderr,
                "gap study: %zu architectures x %zu supernet runs; standalone %lld updates, fine-tune "
                "%lld; NLL on %lld validation pairs\n",
                p["archs"].size(), p["runs"].size(), (long long)p.value("standalone_updates", 0LL),
                (long long)p.value("finetune_updates", 0LL), (long long)p.value("sentences", 0LL));
        } else if (e.type == "study_standalone") {
            std::fprintf(stderr, "%2zu/%zu  standalone %.4f  (%.0f s)  %s\n", p.value("index", size_t(0)) + 1,
                         p.value("count", size_t(0)), p.value("standalone_nll", 0.0), p.value("seconds", 0.0),
                         p.value("arch_key", std::string()).c_str());
        } else if (e.type == "study_inherited") {
            const auto& ft = p["finetune"];
            std::fprintf(stderr, "       run %lld %-16s inherited %.4f  fine-tuned %.4f  (%.0f s)\n",
                         (long long)p.value("run", 0LL), p.value("kind", std::string()).c_str(),
                         p.value("inherited_nll", 0.0), ft.empty() ? 0.0 : ft.back()[1].get<double>(),
                         p.value("seconds", 0.0));
        } else if (e.type == "error") {
            std::fprintf(stderr, "error: %s\n", p.value("message", std::string()).c_str());
        }
    }
};

void runGap(const GapArgs& a) {
    GapStudyConfig c;
    c.runs = parseRuns(a.runs);
    c.name = a.name;
    c.archs = a.archs;
    c.standaloneUpdates = a.standaloneUpdates;
    c.finetuneUpdates = a.finetuneUpdates;
    c.finetuneEvery = a.finetuneEvery;
    c.finetuneLr = a.lr;
    c.sentences = a.sentences;
    c.maxTokens = a.maxTokens;
    c.seed = a.seed;
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    GapStudyRun run(store, c);
    std::fprintf(stderr, "study run %lld in %s (%d threads)\n", (long long)run.id(), store.path().c_str(),
                 torchThreads());
    GapPrinter printer;
    run.addObserver(&printer);
    const auto t0 = std::chrono::steady_clock::now();
    const RunStatus status = driveRun(store, run, a.controlStdin);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (status != RunStatus::Finished) {
        std::printf("study run %lld %s\n", (long long)run.id(), toString(status));
        return;
    }
    if (a.json) {
        nlohmann::json out = {{"run_id", run.id()}, {"seconds", seconds}, {"runs", nlohmann::json::array()}};
        for (const GapStudyRunResult& r : run.results())
            out["runs"].push_back(r.toJson());
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    std::printf("%5s  %-18s  %7s  %8s  %8s  %9s  %11s  %8s  %7s\n", "RUN", "SUPERNET", "TAU", "|GAP|", "GAP",
                "FT |GAP|", "FT TO REACH", "S/UPDATE", "UPDATES");
    for (const GapStudyRunResult& r : run.results()) {
        const std::string reach = r.reached > 0
                                      ? formatFixed(r.meanUpdatesToReach, 1) + " (" +
                                            std::to_string(r.reached) + "/" + std::to_string(c.archs) + ")"
                                      : "none/" + std::to_string(c.archs);
        std::printf("%5lld  %-18s  %7s  %8.4f  %8.4f  %9.4f  %11s  %8.3f  %7lld\n", (long long)r.run,
                    r.kind.c_str(), fixedOrNa(r.kendallTau, 3).c_str(), r.meanAbsGap, r.meanGap,
                    r.finetunedMeanAbsGap, reach.c_str(), r.secondsPerUpdate, (long long)r.updates);
    }
    std::printf("study run %lld: %d architectures, standalone %lld updates, fine-tune %lld updates (%.0f s); "
                "NLL in nats per target token, GAP = inherited - standalone\n",
                (long long)run.id(), c.archs, (long long)c.standaloneUpdates, (long long)c.finetuneUpdates,
                seconds);
}

} // namespace

void addStudyCommands(CLI::App& root) {
    CLI::App* study = root.add_subcommand("study", "Studies across runs");
    study->require_subcommand(1);
    auto a = std::make_shared<GapArgs>();
    CLI::App* gap = study->add_subcommand(
        "gap",
        "The supernet-standalone gap (Mixture-of-Supernets): for architectures spread across the space, "
        "validation NLL with inherited weights of each supernet run vs the same architecture trained alone; "
        "Kendall tau, mean gap, and the fine-tune updates that close it");
    gap->add_option("--runs", a->runs, "Supernet runs of one space and corpus, e.g. 1,2,3")->required();
    gap->add_option("--db", a->db, "Run database");
    gap->add_option("--archs", a->archs, "Architectures, spread across the space (the same for every run)")
        ->capture_default_str()
        ->check(CLI::Range(2, 200));
    gap->add_option("--standalone-updates", a->standaloneUpdates,
                    "Updates of each architecture trained from scratch (once, shared by all runs)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    gap->add_option("--finetune-updates", a->finetuneUpdates,
                    "Fine-tune updates from each run's inherited weights (0 = none)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    gap->add_option("--finetune-every", a->finetuneEvery,
                    "Validate every N fine-tune updates (0 = a fifth of --finetune-updates)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    gap->add_option("--lr", a->lr, "Fine-tune peak learning rate (warm-up, then cosine)")
        ->capture_default_str();
    gap->add_option("--sentences", a->sentences, "Validation pairs of every NLL (0 = all)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    gap->add_option("--max-tokens", a->maxTokens, "Tokens per batch (0 = the first run's)");
    gap->add_option("--seed", a->seed, "Seed of the architectures, batches and dropout")
        ->capture_default_str();
    gap->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    gap->add_option("--name", a->name, "Run name");
    gap->add_flag("--json", a->json, "Print the result as JSON");
    gap->add_flag("--control-stdin", a->controlStdin,
                  "Read pause / resume / cancel commands, one per line, from stdin");
    gap->callback([a] { runGap(*a); });
}

} // namespace automoe::cli
