#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/LocalRanks.h"
#include "cli/RunDriver.h"
#include "dist/ProcessGroupCollective.h"
#include "eval/Translation.h"
#include "nn/StandaloneTransformer.h"
#include "nn/TorchRuntime.h"
#include "run/LatencyDatasetRun.h"
#include "run/RunProgress.h"
#include "run/SearchExport.h"
#include "run/SearchRun.h"
#include "search/CandidateCsv.h"
#include "search/GeneFeatures.h"
#include "search/GeneImportance.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Clock.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

namespace automoe::cli {
namespace {

std::string latencyText(const nlohmann::json& v) {
    return v.is_number() ? formatFixed(v.get<double>(), 2) : "-";
}

void printFront(const nlohmann::json& front) {
    std::printf("%6s  %8s  %9s  %9s  %10s  %4s  %s\n", "ARCH", "FITNESS", "FLOPS", "PARAMS", "LATENCY_MS",
                "GEN", "KEY");
    for (const auto& p : front)
        std::printf("%6s  %8.4f  %9s  %9s  %10s  %4d  %s\n",
                    p["arch_id"].is_null() ? "-" : std::to_string(p["arch_id"].get<int64_t>()).c_str(),
                    p["fitness"].get<double>(), formatSI(p["flops"].get<double>()).c_str(),
                    formatSI(double(p["params_active"].get<int64_t>())).c_str(),
                    latencyText(p["latency_ms"]).c_str(), p["generation"].get<int>(),
                    p["arch_key"].get<std::string>().c_str());
}

// Prints a search's (or a latency dataset's) progress: one line per generation with RunProgress's ETA,
// one per timed architecture, stage changes and errors.
class SearchPrinter : public RunObserver {
public:
    explicit SearchPrinter(const RunInfo& run) { progress_.setRun(run.spec.kind, run.spec.config); }

    void onEvent(const Event& e) override {
        progress_.apply(e);
        if (e.type == "generation_summary") {
            const auto& p = e.payload;
            const auto eta = progress_.etaSeconds(wallClockMs());
            std::fprintf(
                stderr,
                "generation %d: best %.4f  front %zu  hypervolume %.4g  evaluated %d (%zu total)  "
                "%.2f candidates/s%s\n",
                p.value("generation", 0), p.value("best_fitness", 0.0), p.value("front_size", size_t(0)),
                p.value("hypervolume", 0.0), p.value("evaluated", 0), p.value("evaluated_total", size_t(0)),
                p.value("candidates_per_second", 0.0), eta ? ("  ETA " + formatClock(*eta)).c_str() : "");
        } else if (e.type == "search_setup") {
            const auto& s = e.payload["supernet"];
            std::fprintf(
                stderr,
                "supernet run %lld, checkpoint at update %lld; fitness on %zu validation pairs (%lld "
                "target tokens, %zu batches); front cost %s\n",
                (long long)s.value("supernet_run", 0LL), (long long)s.value("checkpoint_update", 0LL),
                e.payload.value("fitness_sentences", size_t(0)),
                (long long)e.payload.value("fitness_target_tokens", 0LL),
                e.payload.value("fitness_batches", size_t(0)),
                e.payload.value("front_cost", std::string()).c_str());
        } else if (e.type == "latency_sample") {
            const auto& p = e.payload;
            std::printf("%3zu/%zu  encoder %8.2f ms  decoder %8.2f ms  total %8.2f ms  %s\n",
                        p.value("index", size_t(0)) + 1, p.value("count", size_t(0)),
                        p.value("encoder_ms", 0.0), p.value("decoder_ms", 0.0), p.value("total_ms", 0.0),
                        p.value("arch_key", std::string()).c_str());
            std::fflush(stdout);
        } else if (e.type == "stage") {
            std::fprintf(stderr, "stage %s %s\n", e.payload.value("stage", std::string()).c_str(),
                         e.payload.value("state", std::string()).c_str());
        } else if (e.type == "error") {
            std::fprintf(stderr, "error: %s\n", e.payload.value("message", std::string()).c_str());
        }
    }

private:
    RunProgress progress_;
};

struct SearchArgs {
    int64_t run = 0;
    std::string db;
    std::vector<std::string> budgets;
    bool predicted = false;
    std::string predictor;
    int population = 20, parents = 5, mutations = 10, crossovers = 10, iterations = 6;
    double mutationProb = 0.3;
    uint64_t seed = 1;
    bool nsga2 = false;
    int64_t fitnessSentences = 200;
    int64_t maxTokens = 0;
    int threads = 0;
    int latencyRepeats = 5;
    std::string name;
    std::string space;         // a narrowed space inside the supernet's (empty = the supernet's)
    bool controlStdin = false; // pause / resume / cancel commands on stdin (the desktop app)
    int64_t resume = 0;
    DistributedArgs launch; // a distributed search (README "Multi-process training")
};

// `search --resume ID`: continues a cancelled or killed search from its stored state.
void resumeSearch(const SearchArgs& a) {
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    auto run = SearchRun::resume(store, a.resume);
    std::fprintf(stderr, "resuming search run %lld in %s (%d threads)\n", (long long)run->id(),
                 store.path().c_str(), torchThreads());
    SearchPrinter printer(store.requireRun(run->id()));
    run->addObserver(&printer);
    const RunStatus status = driveRun(store, *run, a.controlStdin);
    std::printf("search run %lld %s: %zu candidates\n", (long long)run->id(), runStatusName(status),
                store.candidates(run->id()).size());
    if (!store.generations(run->id()).empty()) printFront(searchFront(store, run->id()));
}

void runSearch(const SearchArgs& a) {
    const LaunchEnv env = a.launch.env();
    if (a.resume > 0) {
        if (env.worldSize > 1)
            throw UsageError("search --resume runs in one process: start it without launch / --world-size");
        return resumeSearch(a);
    }
    if (a.run <= 0)
        throw UsageError("search: --run ID (the supernet run) is required unless --resume ID is given");
    // Local ranks share the cores unless --threads says otherwise (as in train).
    configureTorchThreads(a.threads == 0 && env.worldSize > 1 ? env.defaultThreads() : a.threads);
    std::unique_ptr<RunStore> writer; // rank 0 alone writes the store
    if (env.rank == 0) writer = std::make_unique<RunStore>(databasePath(a.db));
    SearchRunConfig c;
    c.name = a.name;
    c.supernetRun = a.run;
    c.constraints = a.budgets;
    c.predicted = a.predicted;
    c.predictor = a.predictor;
    c.evolution.population = a.population;
    c.evolution.parents = a.parents;
    c.evolution.mutations = a.mutations;
    c.evolution.mutationProb = a.mutationProb;
    c.evolution.crossovers = a.crossovers;
    c.evolution.iterations = a.iterations;
    c.evolution.seed = a.seed;
    c.evolution.nsga2 = a.nsga2;
    c.evolution.frontCost = defaultFrontCost(c.parsedConstraints());
    c.fitnessSentences = a.fitnessSentences;
    c.maxTokens = a.maxTokens;
    c.latency.repeats = a.latencyRepeats;
    c.latency.warmup = 1;
    if (!a.space.empty()) {
        try {
            c.space = loadSpaceByNameOrPath(a.space);
        } catch (const std::exception& e) {
            throw UsageError(std::string("--space: ") + e.what());
        }
    }
    std::shared_ptr<ProcessGroupCollective> collective;
    if (env.worldSize > 1) {
        for (const Constraint& k : c.parsedConstraints())
            if (k.metric == CostMetric::LatencyMeasured)
                throw UsageError("--budget \"" + k.text +
                                 "\": a measured-latency budget searches in one process (each rank would "
                                 "time the candidates differently); add --predicted on several ranks");
        // Every rank must search what rank 0 searches: all of the configuration but its name.
        nlohmann::json check = c.toJson();
        check.erase("name");
        check["world_size"] = env.worldSize;
        const auto timeout = a.launch.timeout();
        collective = ProcessGroupCollective::join(env, check, timeout, a.launch.peerTimeout());
        if (env.rank != 0) {
            std::signal(SIGINT, SIG_IGN); // rank 0 cancels the search and this rank stops with it
            const nlohmann::json config = nlohmann::json::parse(collective->awaitValue("search", timeout));
            if (config.contains("error"))
                throw std::runtime_error("rank 0 could not start the search: " +
                                         config["error"].get<std::string>());
            RunReader reader(databasePath(a.db));
            const int64_t own = followSearch(reader, SearchRunConfig::fromJson(config), *collective);
            std::fprintf(stderr, "rank %d: evaluated %lld candidates of search run %lld\n", env.rank,
                         (long long)own, (long long)config.value("run_id", int64_t(0)));
            return;
        }
    }
    RunStore& store = *writer;
    std::unique_ptr<SearchRun> created;
    try {
        created = std::make_unique<SearchRun>(store, c);
        if (collective) created->setCollective(collective);
    } catch (const std::exception& e) {
        if (collective) collective->publish("search", nlohmann::json{{"error", e.what()}}.dump());
        throw;
    }
    SearchRun& run = *created;
    if (collective) {
        nlohmann::json resolved = run.config().toJson();
        resolved["run_id"] = run.id();
        collective->publish("search", resolved.dump());
    }
    std::fprintf(stderr, "search run %lld in %s (%d threads%s)\n", (long long)run.id(), store.path().c_str(),
                 torchThreads(),
                 env.worldSize > 1 ? (", rank 0 of " + std::to_string(env.worldSize)).c_str() : "");
    SearchPrinter printer(store.requireRun(run.id()));
    run.addObserver(&printer);
    const auto t0 = std::chrono::steady_clock::now();
    const RunStatus status = driveRun(store, run, a.controlStdin);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const size_t evaluated = store.candidates(run.id()).size();
    std::printf("search run %lld %s: %zu candidates in %.1f s (%.2f candidates/s)\n", (long long)run.id(),
                runStatusName(status), evaluated, seconds, seconds > 0 ? double(evaluated) / seconds : 0.0);
    if (!store.generations(run.id()).empty()) printFront(searchFront(store, run.id()));
}

struct LatencyArgs {
    int64_t run = 0;
    std::string db;
    int samples = 30;
    int threads = 1;
    uint64_t seed = 1;
    int repeats = 10;
    int epochs = 300;
    int interleave = 8;
    bool noNormalize = false;
    bool controlStdin = false;
};

void runLatencyBuild(const LatencyArgs& a) {
    RunStore store(databasePath(a.db));
    LatencyDatasetConfig c;
    c.supernetRun = a.run;
    c.samples = a.samples;
    c.seed = a.seed;
    c.latency.threads = a.threads;
    c.latency.repeats = a.repeats;
    c.predictor.epochs = a.epochs;
    c.interleave = a.interleave;
    c.normalize = !a.noNormalize;
    LatencyDatasetRun run(store, c);
    std::fprintf(stderr, "latency run %lld in %s: %d samples, %d thread(s)\n", (long long)run.id(),
                 store.path().c_str(), a.samples, a.threads);
    SearchPrinter printer(store.requireRun(run.id()));
    run.addObserver(&printer);
    const RunStatus status = driveRun(store, run, a.controlStdin);
    if (status != RunStatus::Finished) {
        std::printf("latency run %lld %s\n", (long long)run.id(), runStatusName(status));
        return;
    }
    auto line = [](const char* what, const LatencyMetrics& m) {
        std::printf("%-9s %3d samples  RMSE %.3f ms  MAPE %.2f %%  Kendall tau %s\n", what, m.count, m.rmse,
                    100.0 * m.mape,
                    std::isfinite(m.kendallTau) ? formatFixed(m.kendallTau, 3).c_str() : "n/a");
    };
    line("train", run.report().train);
    line("held-out", run.report().validation);
    if (c.normalize) {
        std::printf(
            "(targets: latency relative to the reference architecture timed in the same round; fitted on "
            "the raw medians instead:)\n");
        line("raw train", run.rawReport().train);
        line("raw held", run.rawReport().validation);
    }
    std::printf("predictor: %s\n", run.predictorPath().c_str());
}

nlohmann::json recordToJson(const CandidateRecord& r) {
    auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    nlohmann::json j = {{"run", r.run},
                        {"arch_id", r.archId},
                        {"arch_key", r.key},
                        {"generation", r.generation},
                        {"fitness", r.fitness},
                        {"flops", r.flops},
                        {"params_active", r.paramsActive},
                        {"latency_ms", optional(r.latencyMs)},
                        {"predicted_latency_ms", optional(r.predictedLatencyMs)},
                        {"on_front", r.onFront}};
    nlohmann::json genes = nlohmann::json::object();
    for (std::size_t i = 0; i < r.genes.size() && i < geneFeatures().size(); ++i)
        genes[geneFeatures()[i].name] = r.genes[i];
    j["genes"] = genes;
    return j;
}

struct FrontArgs {
    std::vector<int64_t> runs;
    std::string db;
    bool json = false;
    bool all = false;
    bool csv = false;
};

// The front (or with --all every candidate, the front's marked) as a table, JSON or CSV (CandidateCsv).
// With several --run (--all or --csv only) the searches' candidates one after another, each marked on or
// off its own front, as the desktop app exports compared searches.
void showFront(const FrontArgs& a) {
    RunReader store(databasePath(a.db));
    if (a.runs.size() > 1 && !a.all && !a.csv)
        throw UsageError("front: several --run need --all or --csv (one front is printed at a time)");
    std::vector<CandidateRecord> records;
    for (const int64_t run : a.runs) {
        const nlohmann::json front = searchFront(store, run);
        if (!a.all && !a.csv) {
            if (a.json)
                std::cout << front.dump(2) << "\n";
            else
                printFront(front);
            return;
        }
        std::set<std::string> onFront;
        for (const auto& p : front)
            onFront.insert(p.at("arch_key").get<std::string>());
        std::set<std::string> seen;
        for (const CandidateRow& c : store.candidates(run)) {
            const bool member = onFront.count(c.architecture.key) > 0;
            if ((!a.all && !member) || !seen.insert(c.architecture.key).second) continue;
            records.push_back(candidateRecord(c, member, run));
        }
    }
    if (a.csv) {
        writeCandidatesCsv(std::cout, records);
    } else if (a.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const CandidateRecord& r : records)
            list.push_back(recordToJson(r));
        std::cout << list.dump(2) << "\n";
    } else {
        const bool runs = a.runs.size() > 1;
        if (runs) std::printf("%4s  ", "RUN");
        std::printf("%6s  %8s  %9s  %9s  %10s  %4s  %5s  %s\n", "ARCH", "FITNESS", "FLOPS", "PARAMS",
                    "LATENCY_MS", "GEN", "FRONT", "KEY");
        for (const CandidateRecord& r : records) {
            const std::optional<double> latency = r.latencyMs ? r.latencyMs : r.predictedLatencyMs;
            if (runs) std::printf("%4lld  ", (long long)r.run);
            std::printf("%6lld  %8.4f  %9s  %9s  %10s  %4lld  %5s  %s\n", (long long)r.archId, r.fitness,
                        formatSI(r.flops).c_str(), formatSI(double(r.paramsActive)).c_str(),
                        latency ? formatFixed(*latency, 2).c_str() : "-", (long long)r.generation,
                        r.onFront ? "yes" : "", r.key.c_str());
        }
    }
}

struct ImportanceArgs {
    std::vector<int64_t> runs;
    std::string db;
    bool json = false;
    int levels = 10;
};

nlohmann::json importanceJson(int64_t run, const GeneImportanceReport& report, int levels) {
    nlohmann::json genes = nlohmann::json::array();
    for (const GeneImportance& g : report.genes)
        genes.push_back({{"gene", g.gene},
                         {"label", g.label},
                         {"importance", g.importance},
                         {"eta_squared", g.etaSquared},
                         {"levels", g.levels}});
    return {{"run", run},
            {"candidates", report.candidates},
            {"fitness_variance", report.fitnessVariance},
            {"method", "first-order variance decomposition, bias-adjusted (epsilon^2)"},
            {"max_levels", levels},
            {"genes", genes}};
}

// `automoe search importance`: GeneImportance over the search's evaluated candidates; with several --run,
// the searches side by side in one gene order (compareGeneImportance).
void showImportance(const ImportanceArgs& a) {
    RunReader store(databasePath(a.db));
    std::vector<GeneImportanceReport> reports;
    for (const int64_t run : a.runs) {
        store.requireRun(run, "search");
        reports.push_back(geneImportance(store.candidates(run), a.levels));
    }
    if (reports.size() == 1) {
        const GeneImportanceReport& report = reports.front();
        if (a.json) {
            std::cout << importanceJson(a.runs.front(), report, a.levels).dump(2) << "\n";
            return;
        }
        std::printf("search run %lld: %d candidates, fitness variance %.4g\n", (long long)a.runs.front(),
                    report.candidates, report.fitnessVariance);
        std::printf("share of the fitness variance each gene explains alone (bias-adjusted, eta^2 raw)\n");
        std::printf("%-18s  %10s  %6s  %6s  %s\n", "GENE", "IMPORTANCE", "ETA2", "LEVELS", "");
        for (const GeneImportance& g : report.genes)
            std::printf("%-18s  %10.3f  %6.3f  %6d  %s\n", g.gene.c_str(), g.importance, g.etaSquared,
                        g.levels, std::string(std::size_t(std::lround(g.importance * 40)), '#').c_str());
        return;
    }
    const GeneImportanceComparison c = compareGeneImportance(reports);
    if (a.json) {
        nlohmann::json genes = nlohmann::json::array();
        for (std::size_t k = 0; k < c.genes.size(); ++k) {
            nlohmann::json values = nlohmann::json::array();
            for (const auto& search : c.importance)
                values.push_back(search[k]);
            genes.push_back({{"gene", c.genes[k]}, {"label", c.labels[k]}, {"importance", values}});
        }
        nlohmann::json searches = nlohmann::json::array();
        for (std::size_t s = 0; s < reports.size(); ++s)
            searches.push_back(importanceJson(a.runs[s], reports[s], a.levels));
        std::cout << nlohmann::json{{"runs", a.runs},
                                    {"order", "mean importance over the searches, descending"},
                                    {"genes", genes},
                                    {"searches", searches}}
                         .dump(2)
                  << "\n";
        return;
    }
    std::printf(
        "share of the fitness variance each gene explains alone (bias-adjusted), %zu searches side by "
        "side, by the mean over them\n",
        reports.size());
    std::printf("%-18s", "GENE");
    for (std::size_t s = 0; s < reports.size(); ++s)
        std::printf("  %10s", ("run " + std::to_string(a.runs[s])).c_str());
    std::printf("\n%-18s", "candidates");
    for (const int n : c.candidates)
        std::printf("  %10d", n);
    std::printf("\n");
    for (std::size_t k = 0; k < c.genes.size(); ++k) {
        std::printf("%-18s", c.genes[k].c_str());
        for (const auto& search : c.importance)
            std::printf("  %10.3f", search[k]);
        std::printf("\n");
    }
}

struct ExportArgs {
    int64_t run = 0;
    std::string db;
    std::string arch;
    std::string format = "yml";
    std::string weights;
    std::string out;
    int threads = 1;
};

void runExport(const ExportArgs& a) {
    if (a.format != "yml" && a.format != "yaml" && a.format != "json")
        throw UsageError("--format: expected yml or json, got " + a.format);
    RunReader store(databasePath(a.db));
    const ArchitectureRow row = searchArchitecture(store, a.run, a.arch);
    writeArchitecture(architectureFromJson(row.json), a.format, a.out);
    std::printf("architecture %lld (%s) written to %s\n", (long long)row.id, row.key.c_str(), a.out.c_str());
    if (!a.weights.empty()) {
        configureTorchThreads(a.threads);
        const nlohmann::json meta = exportStandaloneModel(store, a.run, a.arch, a.weights);
        std::printf("standalone model (supernet run %lld, update %lld, %s) written to %s\n",
                    (long long)meta.value("supernet_run", 0LL),
                    (long long)meta.value("checkpoint_update", 0LL),
                    meta.value("direction", std::string()).c_str(), a.weights.c_str());
    }
}

struct TranslateArgs {
    std::string model;
    int beam = 1;
    int threads = 0;
    int64_t maxTokens = 4000;
};

void runTranslate(const TranslateArgs& a) {
    configureTorchThreads(a.threads);
    StandaloneModelFile file = StandaloneTransformer::load(a.model);
    if (file.vocabularyModel.empty())
        throw std::runtime_error(a.model +
                                 ": the model file holds no vocabulary (export it with `automoe export "
                                 "--weights`)");
    const Vocabulary vocab = Vocabulary::fromSerialized(file.vocabularyModel, a.model);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    TranslateOptions options;
    options.decode.beamSize = a.beam;
    options.maxTokens = a.maxTokens;
    const auto out = translate(*file.model, vocab, lines, options);
    for (const auto& t : out)
        std::cout << t << "\n";
}

} // namespace

void addSearchCommands(CLI::App& root) {
    auto s = std::make_shared<SearchArgs>();
    CLI::App* search =
        root.add_subcommand("search", "Evolutionary search on a trained supernet run under budgets "
                                      "(AutoMoE stage 4); creates a search run");
    search->add_option("--run", s->run, "The supernet run id (required for a new search)");
    search->add_option("--resume", s->resume,
                       "Continue search run ID (cancelled or killed) from its stored state; other search "
                       "options are ignored (--db, --threads apply)");
    search->add_option("--db", s->db, "Run database");
    search->add_option("--budget", s->budgets,
                       "Budget, e.g. \"flops<=150M\", \"latency<=40ms\", \"params<=5M\" (repeatable)");
    search->add_flag("--predicted", s->predicted,
                     "Latency budgets use the latency predictor of `latency build`");
    search->add_option("--predictor", s->predictor,
                       "Latency predictor file (default: the newest for the run)");
    search->add_option("--population", s->population, "P: random architectures of generation 0")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    search->add_option("--parents", s->parents, "K: survivors per generation")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    search->add_option("--mutation", s->mutations, "M: mutated children per generation")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    search->add_option("--mutation-prob", s->mutationProb, "Probability that a gene is resampled")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    search->add_option("--crossover", s->crossovers, "C: crossed children per generation")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    search->add_option("--iterations", s->iterations, "I: generations, generation 0 included")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    search->add_option("--seed", s->seed, "Seed of the search")->capture_default_str();
    search->add_flag("--nsga2", s->nsga2, "NSGA-II survivors instead of the K fittest");
    search
        ->add_option("--fitness-sentences", s->fitnessSentences,
                     "Validation pairs fitness is computed on (0 = all)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    search->add_option("--max-tokens", s->maxTokens, "Tokens per fitness batch (0 = the supernet's)");
    search->add_option("--threads", s->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    search->add_option("--latency-repeats", s->latencyRepeats, "Timed runs per measured latency")
        ->capture_default_str();
    search->add_option("--name", s->name, "Run name");
    search->add_option(
        "--space", s->space,
        "Search only this space (file or bundled name); it must lie inside the supernet's space");
    search->add_flag("--control-stdin", s->controlStdin,
                     "Read pause / resume / cancel commands, one per line, from stdin");
    addDistributedOptions(search, s->launch, "a distributed search");
    auto imp = std::make_shared<ImportanceArgs>();
    CLI::App* importance = search->add_subcommand(
        "importance", "How much of the fitness variance each gene group explains alone, over a search run's "
                      "evaluated candidates (first-order variance decomposition, bias-adjusted)");
    importance->add_option("--run", imp->runs, "The search run id; several --run: side by side")->required();
    importance->add_option("--db", imp->db, "Run database");
    importance->add_flag(
        "--json", imp->json,
        "JSON: {run, candidates, genes: [{gene, importance, ...}]}; several runs: {runs, genes: "
        "[{gene, importance: [per run]}], searches: [one run's object each]}");
    importance->add_option("--levels", imp->levels, "Bins of a gene with more distinct values")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    importance->callback([imp] { showImportance(*imp); });
    search->callback([s, importance] {
        if (importance->parsed()) return; // `search importance`: not a new search
        runSearch(*s);
    });

    CLI::App* latency = root.add_subcommand("latency", "Latency dataset and predictor (AutoMoE stages 2-3)");
    latency->require_subcommand(1);
    auto l = std::make_shared<LatencyArgs>();
    CLI::App* build =
        latency->add_subcommand("build", "Time sampled subnets of a supernet run, fit the predictor");
    build->add_option("--run", l->run, "The supernet run id")->required();
    build->add_option("--db", l->db, "Run database");
    build->add_option("--samples", l->samples, "Architectures to measure (at least 2, to fit the predictor)")
        ->capture_default_str()
        ->check(CLI::Range(2, 1 << 20));
    build->add_option("--threads", l->threads, "Intra-op threads while measuring")->capture_default_str();
    build->add_option("--seed", l->seed, "Seed of the sampled architectures and the predictor")
        ->capture_default_str();
    build->add_option("--repeats", l->repeats, "Timed runs per architecture (median)")->capture_default_str();
    build->add_option("--epochs", l->epochs, "Predictor training epochs")->capture_default_str();
    build
        ->add_option("--interleave", l->interleave,
                     "Architectures timed together, round by round (1 = one after the other)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    build->add_flag(
        "--no-normalize", l->noNormalize,
        "Fit raw medians instead of times relative to a reference architecture timed in each round");
    build->add_flag("--control-stdin", l->controlStdin,
                    "Read pause / resume / cancel commands, one per line, from stdin");
    build->callback([l] { runLatencyBuild(*l); });

    auto f = std::make_shared<FrontArgs>();
    CLI::App* front = root.add_subcommand("front", "The Pareto front of a search run");
    front
        ->add_option("--run", f->runs,
                     "The search run id; repeat it with --all or --csv to list several searches (as the "
                     "desktop app's Candidates CSV of compared searches)")
        ->required();
    front->add_option("--db", f->db, "Run database");
    front->add_flag(
        "--json", f->json,
        "JSON: a list of {arch_id, arch_key, fitness, flops, params_active, latency_ms, generation, ...} "
        "(with --all also run and on_front)");
    front->add_flag("--all", f->all,
                    "Every evaluated candidate, not only the front (on_front marks the front)");
    front->add_flag("--csv", f->csv,
                    "CSV: run, arch_id, arch_key, generation, fitness, flops, params_active, latency_ms, "
                    "predicted_latency_ms, on_front and one column per gene group");
    front->callback([f] { showFront(*f); });

    auto e = std::make_shared<ExportArgs>();
    CLI::App* exp = root.add_subcommand("export", "Write an architecture a search found (and its weights)");
    exp->add_option("--run", e->run, "The search run id")->required();
    exp->add_option("--db", e->db, "Run database");
    exp->add_option("--arch", e->arch, "Architecture id (see `front`) or key")->required();
    exp->add_option("--format", e->format, "yml (HAT/AutoMoE subtransformer) or json")->capture_default_str();
    exp->add_option("--weights", e->weights, "Also write a standalone model file (weights + vocabulary)");
    exp->add_option("-o,--output", e->out, "Architecture file to write")->required();
    exp->callback([e] { runExport(*e); });

    auto t = std::make_shared<TranslateArgs>();
    CLI::App* tr =
        root.add_subcommand("translate", "Translate stdin, one sentence per line, with a standalone model");
    tr->add_option("--model", t->model, "A file written by `export --weights`")->required();
    tr->add_option("--beam", t->beam, "Beam size (1 = greedy)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    tr->add_option("--threads", t->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    tr->add_option("--max-tokens", t->maxTokens, "Source tokens per batch, padding counted")
        ->capture_default_str();
    tr->callback([t] { runTranslate(*t); });
}

} // namespace automoe::cli
