#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/RunDriver.h"
#include "nn/TorchRuntime.h"
#include "run/SearchExport.h"
#include "run/SearchRun.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureIO.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

namespace automoe::cli {
namespace {

struct CloseArgs {
    int64_t run = 0;
    std::string arch;
    std::string db;
    std::string name;
    bool inherit = false;
    int64_t updates = 0;
    double minutes = 0;
    int latencyRepeats = 10;
    int64_t validateEvery = 200;
    int64_t checkpointEvery = 200;
    int64_t testSentences = 500;
    int threads = 0;
    bool controlStdin = false;
};

void runClose(const CloseArgs& a, bool updatesGiven, bool minutesGiven) {
    if (a.latencyRepeats < 1)
        throw UsageError("--latency-repeats: must be at least 1, got " + std::to_string(a.latencyRepeats));
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    const ArchitectureRow row = searchArchitecture(store, a.run, a.arch); // throws for a non-search run
    const SearchRunConfig search = SearchRunConfig::fromJson(store.requireRun(a.run).spec.config);
    const Architecture arch = architectureFromJson(row.json);

    // The retrain run of `train --arch --from-run`, on the search's supernet and (inherited) its checkpoint.
    TrainingRunConfig c = retrainConfig(store, search.supernetRun, arch, a.inherit);
    if (a.inherit) c.inheritCheckpoint = search.checkpoint;
    c.name = a.name.empty() ? "close search " + std::to_string(a.run) + " arch " + std::to_string(row.id) +
                                  (a.inherit ? " (inherited)" : " (scratch)")
                            : a.name;
    c.searchRun = a.run;
    c.searchArchId = row.id;
    c.costRepeats = a.latencyRepeats;
    c.validateEvery = a.validateEvery;
    c.checkpointEvery = a.checkpointEvery;
    c.testSentences = a.testSentences;
    c.maxUpdates = a.updates;
    c.maxMinutes = a.minutes;
    if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
    TrainingRun run(store, std::move(c));
    std::fprintf(stderr, "closing search run %lld, architecture %lld (%s)\n", (long long)a.run,
                 (long long)row.id, row.key.c_str());
    driveTrainingRun(store, run, a.controlStdin);

    store.flush();
    for (const Event& e : store.events(run.id())) {
        const auto& p = e.payload;
        if (e.type == "arch_costs")
            std::printf("latency %.2f ms (encoder %.2f ms, decoder %.2f ms, %d repeats)  FLOPs %s  active "
                        "params %s\n",
                        p.value("latency_ms", 0.0), p.value("encoder_ms", 0.0), p.value("decoder_ms", 0.0),
                        p.value("repeats", 0), formatSI(p.value("flops", 0.0)).c_str(),
                        formatSI(double(p.value("params_active", int64_t(0)))).c_str());
        else if (e.type == "test_bleu")
            std::printf("test BLEU after %lld updates (%lld sentences, greedy): %s\n",
                        (long long)p.value("update", 0LL), (long long)p.value("sentences", 0LL),
                        p.value("bleu_text", std::string()).c_str());
    }
}

} // namespace

void addCloseCommands(CLI::App& root) {
    auto a = std::make_shared<CloseArgs>();
    CLI::App* close = root.add_subcommand(
        "close",
        "AutoMoE stages 5-7 for a front architecture of a search: measure its latency, FLOPs and active "
        "params, train it (from scratch or --inherit), test BLEU; one retrain run linked to the search");
    close->add_option("--run", a->run, "The search run id")->required();
    close->add_option("--arch", a->arch, "Architecture id (see `front`) or key")->required();
    close->add_option("--db", a->db, "Run database");
    close->add_option("--name", a->name, "Run name");
    close->add_flag("--inherit", a->inherit,
                    "Start from the supernet checkpoint the search used (else from scratch)");
    auto* updates = close->add_option("--updates", a->updates, "Stop training after this many updates");
    auto* minutes = close->add_option(
        "--minutes", a->minutes, "Stop training after this many minutes (default 20 when neither is given)");
    close
        ->add_option("--latency-repeats", a->latencyRepeats, "Timed runs of the latency measurement (median)")
        ->capture_default_str();
    close->add_option("--validate-every", a->validateEvery, "Validate every N updates")
        ->capture_default_str();
    close->add_option("--checkpoint-every", a->checkpointEvery, "Write a checkpoint every N updates")
        ->capture_default_str();
    close->add_option("--test-sentences", a->testSentences, "Test pairs of the final greedy BLEU (0 = skip)")
        ->capture_default_str();
    close->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    close->add_flag("--control-stdin", a->controlStdin,
                    "Read pause / resume / cancel commands, one per line, from stdin");
    close->callback([a, updates, minutes] { runClose(*a, updates->count() > 0, minutes->count() > 0); });
}

} // namespace automoe::cli
