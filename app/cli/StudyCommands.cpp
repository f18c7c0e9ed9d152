#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/RunDriver.h"
#include "cli/StudyTable.h"
#include "nn/TorchRuntime.h"
#include "run/GapStudyRun.h"
#include "run/MoeDenseStudy.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
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
        std::printf("study run %lld %s\n", (long long)run.id(), runStatusName(status));
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

struct MoeDenseArgs {
    std::string space = "tiny";
    std::string corpus = "ding";
    std::string db;
    std::string name;
    double minutes = 0;
    int64_t updates = 0;
    std::string budgets = "0.5,0.75";
    std::string baseline;
    int population = 20, parents = 5, mutations = 10, crossovers = 10, iterations = 6;
    int64_t fitnessSentences = 200;
    int latencyRepeats = 10;
    int64_t testSentences = 500;
    uint64_t seed = 1;
    int threads = 0;
    int64_t resume = 0;
    bool json = false;
    bool controlStdin = false;
};

std::vector<double> parseBudgets(const std::string& text) {
    std::vector<double> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            size_t used = 0;
            const double f = std::stod(item, &used);
            if (used != item.size()) throw std::invalid_argument(item);
            out.push_back(f);
        } catch (const std::exception&) {
            throw UsageError(
                "--budgets: '" + item +
                "' is not a fraction of the baseline's FLOPs (expected e.g. --budgets 0.5,0.75)");
        }
    }
    if (out.empty()) throw UsageError("--budgets: no budget given");
    return out;
}

// The study's own events, and a line per stage run's milestones (validation, generation, test BLEU).
class MoeDensePrinter : public RunObserver {
public:
    void onEvent(const Event& e) override {
        const nlohmann::json p = e.storedPayload(); // typed rows (validation, generation) carry no payload
        if (e.type == "moe_study_setup") {
            std::fprintf(stderr, "MoE vs dense: baseline %s (%s FLOPs); budgets",
                         p.value("baseline_key", "").c_str(),
                         formatSI(p.value("baseline_flops", 0.0)).c_str());
            for (const auto& b : p["budgets"])
                std::fprintf(stderr, " %g x = %s", b.value("fraction", 0.0),
                             formatSI(b.value("flops", 0.0)).c_str());
            std::fprintf(stderr, "; %zu stages\n", p["stages"].size());
        } else if (e.type == "moe_study_stage") {
            std::fprintf(stderr, "stage %s: run %lld %s\n", p.value("stage", "").c_str(),
                         (long long)p.value("run", 0LL), p.value("state", "").c_str());
        } else if (e.type == "moe_study_row") {
            std::fprintf(stderr, "row %s%s: BLEU %.2f chrF %.2f valid NLL %.3f, %s FLOPs\n",
                         p.value("method", "").c_str(),
                         p["budget"].is_null() ? ""
                                               : (" @" + formatFixed(p["budget"].get<double>(), 2)).c_str(),
                         p.value("bleu", 0.0), p.value("chrf", 0.0), p.value("valid_nll", 0.0),
                         formatSI(p.value("flops", 0.0)).c_str());
        } else if (e.type == "validation") {
            std::fprintf(stderr, "  run %lld update %lld: valid NLL %s %.3f\n", (long long)e.runId,
                         (long long)p.value("update", 0LL), p.value("subnet", "").c_str(),
                         p.value("loss", 0.0));
        } else if (e.type == "generation") {
            std::fprintf(stderr, "  run %lld generation %lld: hypervolume %.4g\n", (long long)e.runId,
                         (long long)p.value("generation", 0LL), p.value("hypervolume", 0.0));
        } else if (e.type == "test_bleu") {
            std::fprintf(stderr, "  run %lld test %s: %s\n", (long long)e.runId,
                         p.value("subnet", "").c_str(), p.value("bleu_text", "").c_str());
        } else if (e.type == "error") {
            std::fprintf(stderr, "error: %s\n", p.value("message", std::string()).c_str());
        }
    }
};

void runMoeDense(const MoeDenseArgs& a, bool minutesGiven, bool updatesGiven) {
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    std::unique_ptr<MoeDenseStudy> run;
    if (a.resume > 0) {
        run = MoeDenseStudy::resume(store, a.resume);
    } else {
        MoeDenseStudyConfig c;
        c.name = a.name;
        TrainingRunConfig& t = c.training;
        t.spaceSource = a.space;
        t.space = loadSpaceByNameOrPath(a.space);
        t.corpus = a.corpus;
        t.trainer.seed = a.seed;
        t.split.seed = a.seed;
        c.minutes = a.minutes;
        c.updates = a.updates;
        if (!minutesGiven && !updatesGiven) c.minutes = 15;
        if (minutesGiven && updatesGiven) throw UsageError("--minutes and --updates: give one of them");
        c.budgets = parseBudgets(a.budgets);
        if (!a.baseline.empty()) c.baseline = loadArchitecture(a.baseline, t.space.qkvDim);
        c.evolution.population = a.population;
        c.evolution.parents = a.parents;
        c.evolution.mutations = a.mutations;
        c.evolution.crossovers = a.crossovers;
        c.evolution.iterations = a.iterations;
        c.evolution.seed = a.seed;
        c.fitnessSentences = a.fitnessSentences;
        c.latencyRepeats = a.latencyRepeats;
        c.testSentences = a.testSentences;
        try {
            run = std::make_unique<MoeDenseStudy>(store, std::move(c));
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    std::fprintf(stderr, "study run %lld in %s (%d threads)\n", (long long)run->id(), store.path().c_str(),
                 torchThreads());
    MoeDensePrinter printer;
    run->addObserver(&printer);
    run->addStageObserver(&printer);
    const auto t0 = std::chrono::steady_clock::now();
    const RunStatus status = driveRun(store, *run, a.controlStdin);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (status != RunStatus::Finished) {
        std::printf("study run %lld %s (continue it with `automoe study moe-vs-dense --resume %lld`)\n",
                    (long long)run->id(), runStatusName(status), (long long)run->id());
        return;
    }
    if (a.json) {
        nlohmann::json out = {{"run_id", run->id()}, {"seconds", seconds}, {"rows", nlohmann::json::array()}};
        for (const MoeDenseStudyRow& r : run->rows())
            out["rows"].push_back(r.toJson());
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    printMoeDenseTable(run->rows());
    std::printf("study run %lld: %zu rows in %.0f s; FLOPs and params non-embedding (HAT convention, 30 / 30 "
                "tokens), test BLEU and chrF greedy\n",
                (long long)run->id(), run->rows().size(), seconds);
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

    auto m = std::make_shared<MoeDenseArgs>();
    CLI::App* moe = study->add_subcommand(
        "moe-vs-dense",
        "AutoMoE's claim on one corpus: (a) a hand-designed dense Transformer, (b) the best of a dense "
        "search "
        "(1 expert per layer, HAT's setting) and (c) the best of the heterogeneous MoE search at FLOPs "
        "budgets "
        "below the baseline's, each trained for the same updates; one table (FLOPs, params, latency, valid "
        "NLL, test BLEU, chrF), every stage a run of its own");
    moe->add_option("--space", m->space, "Search space: a bundled name or a JSON file")
        ->capture_default_str();
    moe->add_option("--corpus", m->corpus, "ding, sample, a .tsv file, or a prefix P with P.de and P.en")
        ->capture_default_str();
    moe->add_option("--db", m->db, "Run database");
    moe->add_option("--name", m->name, "Run name");
    auto* minutes = moe->add_option("--minutes", m->minutes,
                                    "Minutes per training stage: the baseline and each supernet (default 15)")
                        ->check(CLI::PositiveNumber);
    auto* updates = moe->add_option("--updates", m->updates, "Updates per training stage instead of minutes")
                        ->check(CLI::PositiveNumber);
    moe->add_option("--budgets", m->budgets, "FLOPs budgets as fractions of the baseline's, e.g. 0.5,0.75")
        ->capture_default_str();
    moe->add_option(
        "--baseline", m->baseline,
        "The hand-designed baseline (.yml / .json; default the space's largest dense architecture)");
    moe->add_option("--population", m->population, "P of each search")->capture_default_str();
    moe->add_option("--parents", m->parents, "K of each search")->capture_default_str();
    moe->add_option("--mutation", m->mutations, "M of each search")->capture_default_str();
    moe->add_option("--crossover", m->crossovers, "C of each search")->capture_default_str();
    moe->add_option("--iterations", m->iterations, "Generations of each search")->capture_default_str();
    moe->add_option("--fitness-sentences", m->fitnessSentences, "Validation pairs of a search's fitness")
        ->capture_default_str();
    moe->add_option("--latency-repeats", m->latencyRepeats, "Timed runs of each latency measurement")
        ->capture_default_str();
    moe->add_option("--test-sentences", m->testSentences, "Test pairs of each greedy BLEU")
        ->capture_default_str();
    moe->add_option("--seed", m->seed, "Seed of the split, training and searches")->capture_default_str();
    moe->add_option("--threads", m->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    moe->add_option("--resume", m->resume, "Continue study run ID where it stopped");
    moe->add_flag("--json", m->json, "Print the table as JSON");
    moe->add_flag("--control-stdin", m->controlStdin,
                  "Read pause / resume / cancel commands, one per line, from stdin");
    moe->callback([m, minutes, updates] { runMoeDense(*m, minutes->count() > 0, updates->count() > 0); });
}

} // namespace automoe::cli
