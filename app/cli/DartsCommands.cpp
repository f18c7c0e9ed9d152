#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/RunDriver.h"
#include "nn/TorchRuntime.h"
#include "run/DartsRun.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace automoe::cli {
namespace {

struct DartsArgs {
    std::string corpus = "ding";
    std::string space = "darts";
    std::string db;
    std::string name;
    int64_t hidden = 256;
    int64_t heads = 4;
    int64_t splits = 2;
    int64_t layers = 3;
    int64_t encoderLayers = 0, decoderLayers = 0; // 0 = --layers
    bool ordinary = false;
    int64_t updates = 0;
    double minutes = 0;
    int64_t maxTokens = 4096;
    double lr = 5e-4;
    int64_t warmup = 400;
    double alphaLr = 3e-4;
    double alphaDecay = 1e-3;
    int64_t alphaWarmup = 0;
    int vocabSize = 8000;
    uint64_t seed = 1;
    int64_t validateEvery = 100;
    int64_t checkpointEvery = 100;
    bool reverse = false;
    int64_t resume = 0;
    int threads = 0;
    bool controlStdin = false;
};

struct DeriveArgs {
    int64_t run = 0;
    std::string db;
    std::string out;
};

class DartsPrinter : public RunObserver {
public:
    void onEvent(const Event& e) override {
        const auto& p = e.payload;
        if (e.type == "darts_derived") { // the setup and every other line come from the progress printer
            derived_ = p.value("key", std::string());
            params_ = p.value("params", int64_t(0));
        }
    }
    std::string derived_;
    int64_t params_ = 0;
};

void runDarts(const DartsArgs& a, bool updatesGiven, bool minutesGiven) {
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db));
    std::unique_ptr<DartsRun> run;
    if (a.resume > 0) {
        run = DartsRun::resume(store, a.resume, updatesGiven ? a.updates : -1, minutesGiven ? a.minutes : -1);
    } else {
        DartsRunConfig c;
        c.name = a.name;
        c.spaceSource = a.space;
        c.space = loadDartsSpaceByNameOrPath(a.space);
        c.corpus = a.corpus;
        c.reverse = a.reverse;
        c.vocabulary.size = a.vocabSize;
        c.split.seed = a.seed;
        c.seed = a.seed;
        c.hidden = a.hidden;
        c.heads = a.heads;
        c.splits = a.splits;
        c.encoderLayers = a.encoderLayers > 0 ? a.encoderLayers : a.layers;
        c.decoderLayers = a.decoderLayers > 0 ? a.decoderLayers : a.layers;
        c.reversible = !a.ordinary;
        c.maxTokens = a.maxTokens;
        c.lr.peak = a.lr;
        c.lr.warmupUpdates = a.warmup;
        c.alphaLr = a.alphaLr;
        c.alphaWeightDecay = a.alphaDecay;
        c.alphaWarmup = a.alphaWarmup;
        c.validateEvery = a.validateEvery;
        c.checkpointEvery = a.checkpointEvery;
        c.maxUpdates = a.updates;
        c.maxMinutes = a.minutes;
        if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
        try {
            run = std::make_unique<DartsRun>(store, std::move(c));
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    DartsPrinter printer;
    run->addObserver(&printer);
    driveUpdatesRun(store, *run, run->config().kind, run->config().toJson(),
                    a.controlStdin); // prints the status
    if (run->config().kind == "darts" && !printer.derived_.empty())
        std::printf("derived: %s (%.2f M parameters as an ordinary Transformer)\n"
                    "export it with `automoe darts derive --run %lld -o arch.json`, retrain it with "
                    "`automoe train --darts-arch arch.json`\n",
                    printer.derived_.c_str(), double(printer.params_) / 1e6, (long long)run->id());
}

void runDerive(const DeriveArgs& a) {
    RunReader store(databasePath(a.db));
    const DartsArchitecture arch = derivedArchitecture(store, a.run);
    if (a.out.empty()) {
        std::cout << dartsArchitectureToJson(arch).dump(2) << "\n";
        return;
    }
    saveDartsArchitecture(arch, a.out);
    std::fprintf(stderr, "wrote %s: %s\n", a.out.c_str(), arch.key().c_str());
}

} // namespace

void addDartsCommands(CLI::App& root) {
    auto a = std::make_shared<DartsArgs>();
    CLI::App* darts = root.add_subcommand(
        "darts",
        "Differentiable architecture search with reversible networks (DARTSformer); every run is stored");
    darts->require_subcommand(0, 1);
    darts
        ->add_option(
            "--corpus", a->corpus,
            "ding (Debian's trans-de-en, else the bundled sample), sample, a .tsv file, or a prefix P "
            "with P.de and P.en")
        ->capture_default_str();
    darts->add_option("--space", a->space, "DARTS space: the bundled name darts, or a JSON file")
        ->capture_default_str();
    darts->add_option("--hidden", a->hidden, "Encoder width (split into --splits parts)")
        ->capture_default_str();
    darts->add_option("--heads", a->heads, "Attention heads of a part")->capture_default_str();
    darts->add_option("--splits", a->splits, "Parts of an encoder layer (a decoder layer has one more)")
        ->capture_default_str();
    darts->add_option("--layers", a->layers, "Encoder and decoder layers")->capture_default_str();
    darts->add_option("--encoder-layers", a->encoderLayers, "Encoder layers (default --layers)");
    darts->add_option("--decoder-layers", a->decoderLayers, "Decoder layers (default --layers)");
    darts->add_flag("--ordinary", a->ordinary,
                    "Back-propagate through every layer's stored activations instead of reconstructing them "
                    "(the memory-hungry baseline)");
    auto* updates = darts->add_option("--updates", a->updates, "Stop after this many updates");
    auto* minutes = darts->add_option("--minutes", a->minutes,
                                      "Stop after this many minutes (default 20 when neither --updates nor "
                                      "--minutes is given)");
    darts->add_option("--max-tokens", a->maxTokens, "Tokens per batch, padding counted")
        ->capture_default_str();
    darts->add_option("--lr", a->lr, "Peak learning rate of the weights")->capture_default_str();
    darts->add_option("--warmup", a->warmup, "Warm-up updates of the weights")->capture_default_str();
    darts->add_option("--alpha-lr", a->alphaLr, "Learning rate of the architecture weights")
        ->capture_default_str();
    darts->add_option("--alpha-decay", a->alphaDecay, "Weight decay of the architecture weights")
        ->capture_default_str();
    darts
        ->add_option("--alpha-warmup", a->alphaWarmup,
                     "Updates that train the weights only before the architecture weights start moving")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    darts->add_option("--vocab-size", a->vocabSize, "SentencePiece vocabulary size")->capture_default_str();
    darts->add_option("--seed", a->seed, "Seed of the split, initialisation and batches")
        ->capture_default_str();
    darts->add_option("--validate-every", a->validateEvery, "Validate every N updates")
        ->capture_default_str();
    darts->add_option("--checkpoint-every", a->checkpointEvery, "Write a checkpoint every N updates")
        ->capture_default_str();
    darts->add_flag("--reverse", a->reverse, "Search English -> German");
    darts->add_option("--db", a->db, "Run database (default: ~/.local/share/automoe-studio/runs.sqlite)");
    darts->add_option("--name", a->name, "Run name");
    darts->add_option("--resume", a->resume,
                      "Continue DARTS run ID (a search or a retrain) from its last checkpoint");
    darts->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    darts->add_flag("--control-stdin", a->controlStdin,
                    "Read pause / resume / cancel commands, one per line, from stdin");

    auto d = std::make_shared<DeriveArgs>();
    CLI::App* derive = darts->add_subcommand(
        "derive", "The architecture a DARTS search derived (argmax per edge, zero excluded), as JSON");
    derive->add_option("--run", d->run, "The DARTS search run id")->required();
    derive->add_option("--db", d->db, "Run database");
    derive->add_option("-o,--out", d->out, "Write the architecture to FILE (default: stdout)");
    derive->callback([d] { runDerive(*d); });

    darts->callback([a, darts, derive, updates, minutes] {
        if (derive->parsed()) return;
        (void)darts;
        runDarts(*a, updates->count() > 0, minutes->count() > 0);
    });
}

} // namespace automoe::cli
