#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/LocalRanks.h"
#include "cli/RunDriver.h"
#include "dist/DistributedTraining.h"
#include "eval/Translation.h"
#include "nn/TorchRuntime.h"
#include "run/DartsRun.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Format.h"
#include "util/Resources.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

namespace automoe::cli {
namespace {

struct TrainArgs {
    std::string space = "tiny";
    std::string corpus = "ding";
    std::string db;
    std::string name;
    int64_t updates = 0;
    double minutes = 0;
    int64_t maxTokens = TrainerOptions{}.maxTokens;
    int threads = 0;
    uint64_t seed = 1;
    int64_t resume = 0;
    // The defaults are the core's (TrainerOptions, VocabularyOptions, TrainingRunConfig), which the study
    // and the desktop app's runs use as well.
    double lr = TrainerOptions{}.lr.peak;
    int64_t warmup = TrainerOptions{}.lr.warmupUpdates;
    std::string schedule = toString(TrainerOptions{}.lr.kind);
    std::string sampling = "random";
    int sandwichRandom = 1;
    std::string supernet = "shared";
    int mosExperts = 2;
    bool mosAttention = false;
    int vocabSize = VocabularyOptions{}.size;
    int64_t validateEvery = 200;
    int64_t checkpointEvery = 200;
    int64_t routingEvery = TrainingRunConfig{}.routingEvery;
    int64_t testSentences = TrainingRunConfig{}.testSentences;
    double dropout = TrainingRunConfig{}.dropout;
    double balanceWeight = TrainerOptions{}.balanceLossWeight;
    double labelSmoothing = TrainerOptions{}.labelSmoothing;
    double capacityFactor = TrainingRunConfig{}.capacityFactor;
    bool reverse = false;
    bool controlStdin = false;
    std::string arch;
    int64_t fromRun = 0;
    bool inherit = false;
    std::string dartsArch;
    DistributedArgs launch; // multi-process training (README "Multi-process training")
};

// `train --darts-arch`: a DARTS architecture retrained as an ordinary Transformer (run kind darts_retrain),
// on the data of the search it came from (--from-run, else its search_run when that run is in the database),
// or on --corpus.
int runDartsRetrain(const TrainArgs& a, bool updatesGiven, bool minutesGiven) {
    RunStore store(databasePath(a.db));
    const DartsArchitecture arch = loadDartsArchitecture(a.dartsArch);
    if (a.inherit) throw UsageError("--inherit: a DARTS architecture is retrained from scratch");
    int64_t from = a.fromRun;
    if (from <= 0 && arch.searchRun > 0) {
        const auto run = store.getRun(arch.searchRun);
        if (run && run->spec.kind == "darts") from = arch.searchRun;
    }
    DartsRunConfig c;
    if (from > 0) {
        c = dartsRetrainConfig(store, from, arch);
    } else {
        c.kind = "darts_retrain";
        c.architecture = arch;
        c.corpus = a.corpus;
        c.reverse = a.reverse;
        c.vocabulary.size = a.vocabSize;
        c.split.seed = a.seed;
    }
    c.name = a.name;
    c.seed = a.seed;
    c.maxTokens = a.maxTokens;
    c.lr.peak = a.lr;
    c.lr.warmupUpdates = a.warmup;
    c.lr.kind = lrScheduleKind(a.schedule);
    c.dropout = a.dropout;
    c.validateEvery = a.validateEvery;
    c.checkpointEvery = a.checkpointEvery;
    c.maxUpdates = a.updates;
    c.maxMinutes = a.minutes;
    if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
    DartsRun run(store, std::move(c));
    driveUpdatesRun(store, run, run.config().kind, run.config().toJson(), a.controlStdin);
    return 0;
}

// A new supernet run's configuration from the command line.
TrainingRunConfig supernetConfig(const TrainArgs& a, bool updatesGiven, bool minutesGiven) {
    TrainingRunConfig c;
    c.name = a.name;
    c.spaceSource = a.space;
    c.space = loadSpaceByNameOrPath(a.space);
    c.corpus = a.corpus;
    c.reverse = a.reverse;
    c.vocabulary.size = a.vocabSize;
    c.trainer.maxTokens = a.maxTokens;
    c.trainer.seed = a.seed;
    c.split.seed = a.seed;
    c.trainer.lr.peak = a.lr;
    c.trainer.lr.warmupUpdates = a.warmup;
    c.trainer.lr.kind = lrScheduleKind(a.schedule);
    c.trainer.sampling = subnetSampling(a.sampling);
    if (c.trainer.sampling == SubnetSampling::Fixed)
        throw UsageError("--sampling fixed needs an architecture; use random or sandwich");
    c.trainer.sandwichRandom = a.sandwichRandom;
    try {
        c.supernet.kind = supernetKind(a.supernet);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--supernet: ") + e.what());
    }
    c.supernet.sets = a.mosExperts;
    c.supernet.attention = a.mosAttention;
    c.dropout = a.dropout;
    c.attentionDropout = a.dropout;
    c.trainer.balanceLossWeight = a.balanceWeight;
    c.trainer.labelSmoothing = a.labelSmoothing;
    c.capacityFactor = a.capacityFactor;
    c.validateEvery = a.validateEvery;
    c.checkpointEvery = a.checkpointEvery;
    c.routingEvery = a.routingEvery;
    c.testSentences = a.testSentences;
    c.maxUpdates = a.updates;
    c.maxMinutes = a.minutes;
    if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
    return c;
}

// One rank of a data-parallel supernet run (core/dist/DistributedTraining.h): rank 0 executes and stores
// the run, the others follow it.
// Resuming run --resume on several ranks: rank 0 resumes it from the store and hands its configuration to the
// others; every rank loads the checkpoint rank 0 resumed from (any world size wrote it).
int runDistributedResume(const TrainArgs& a, const LaunchEnv& env, bool updatesGiven, bool minutesGiven) {
    const std::string db = databasePath(a.db);
    const int64_t maxUpdates = updatesGiven ? a.updates : -1;
    const double maxMinutes = minutesGiven ? a.minutes : -1;
    const nlohmann::json check = {{"resume", a.resume},
                                  {"max_updates", maxUpdates},
                                  {"max_minutes", maxMinutes},
                                  {"world_size", env.worldSize}};
    const auto timeout = a.launch.timeout();
    auto collective = ProcessGroupCollective::join(env, check, timeout, a.launch.peerTimeout());
    auto dataParallel = std::make_shared<DataParallel>(collective);
    if (env.rank != 0) {
        std::signal(SIGINT, SIG_IGN); // as in runDistributedTraining
        const nlohmann::json config = nlohmann::json::parse(collective->awaitValue("config", timeout));
        if (config.contains("error"))
            throw std::runtime_error("rank 0 could not resume run " + std::to_string(a.resume) + ": " +
                                     config["error"].get<std::string>());
        TrainingRunConfig c = TrainingRunConfig::fromJson(config);
        c.trainer.dataParallel = dataParallel;
        const FollowerResult r = followTraining(c, *collective, runFilesDir(db) + "/vocab", true);
        std::fprintf(stderr, "rank %d: stopped with rank 0 at update %lld\n", env.rank, (long long)r.updates);
        return 0;
    }
    RunStore store(db);
    std::unique_ptr<TrainingRun> run;
    try {
        run = TrainingRun::resume(store, a.resume, maxUpdates, maxMinutes, dataParallel);
    } catch (const std::exception& e) {
        collective->publish("config", nlohmann::json{{"error", e.what()}}.dump());
        throw;
    }
    collective->publish("config", run->config().toJson().dump());
    DataParallelLeader leader(collective, dataParallel);
    run->addObserver(&leader);
    std::fprintf(stderr, "rank 0 of %d: resuming run %lld (data-parallel, master %s:%d)\n", env.worldSize,
                 (long long)run->id(), env.masterAddr.c_str(), env.masterPort);
    driveTrainingRun(store, *run, a.controlStdin);
    return 0;
}

int runDistributedTraining(const TrainArgs& a, const LaunchEnv& env, bool updatesGiven, bool minutesGiven) {
    if (!a.arch.empty() || !a.dartsArch.empty())
        throw UsageError(
            "multi-process training trains a supernet: --arch and --darts-arch run in one process "
            "for now");
    if (a.resume > 0) return runDistributedResume(a, env, updatesGiven, minutesGiven);
    TrainingRunConfig c = supernetConfig(a, updatesGiven, minutesGiven);
    const std::string db = databasePath(a.db);
    // Every rank must train what rank 0 trains: all of the configuration but its name.
    nlohmann::json check = c.toJson();
    check.erase("name");
    check["world_size"] = env.worldSize;
    const auto timeout = a.launch.timeout();
    auto collective = ProcessGroupCollective::join(env, check, timeout, a.launch.peerTimeout());
    auto dataParallel = std::make_shared<DataParallel>(collective);
    c.trainer.dataParallel = dataParallel;
    if (env.rank != 0) {
        // Ctrl+C reaches every rank of a terminal's launch: rank 0 cancels the run at its next update and
        // then stops this rank, which must keep stepping until then. SIGTERM still ends it.
        std::signal(SIGINT, SIG_IGN);
        const FollowerResult r = followTraining(c, *collective, runFilesDir(db) + "/vocab");
        std::fprintf(stderr, "rank %d: stopped with rank 0 after %lld updates\n", env.rank,
                     (long long)r.updates);
        return 0;
    }
    RunStore store(db);
    TrainingRun run(store, std::move(c));
    DataParallelLeader leader(collective, dataParallel);
    run.addObserver(&leader);
    std::fprintf(stderr, "rank 0 of %d: run %lld (data-parallel, master %s:%d)\n", env.worldSize,
                 (long long)run.id(), env.masterAddr.c_str(), env.masterPort);
    driveTrainingRun(store, run, a.controlStdin);
    return 0;
}

int runTraining(const TrainArgs& a, bool updatesGiven, bool minutesGiven) {
    const LaunchEnv env = a.launch.env();
    // Local ranks share the cores unless --threads says otherwise (as torchrun sets OMP_NUM_THREADS).
    configureTorchThreads(a.threads == 0 && env.worldSize > 1 ? env.defaultThreads() : a.threads);
    if (env.worldSize > 1) return runDistributedTraining(a, env, updatesGiven, minutesGiven);
    if (!a.dartsArch.empty()) {
        if (!a.arch.empty()) throw UsageError("--darts-arch and --arch: give one architecture");
        return runDartsRetrain(a, updatesGiven, minutesGiven);
    }
    RunStore store(databasePath(a.db));
    std::unique_ptr<TrainingRun> run;
    if (a.resume > 0 && store.requireRun(a.resume).spec.kind == "darts_retrain") {
        auto darts =
            DartsRun::resume(store, a.resume, updatesGiven ? a.updates : -1, minutesGiven ? a.minutes : -1);
        driveUpdatesRun(store, *darts, darts->config().kind, darts->config().toJson(), a.controlStdin);
        return 0;
    }
    if (a.resume > 0) {
        run = TrainingRun::resume(store, a.resume, updatesGiven ? a.updates : -1,
                                  minutesGiven ? a.minutes : -1);
    } else if (!a.arch.empty()) {
        // AutoMoE stages 6-7: one architecture on a supernet run's data, from scratch or inherited weights.
        if (a.fromRun <= 0)
            throw UsageError(
                "--arch needs --from-run ID (the supernet run whose data and vocabulary to use)");
        const SearchSpace space = TrainingRunConfig::ofRun(store, a.fromRun).space;
        const Architecture arch = loadArchitecture(a.arch, space.qkvDim);
        std::string why;
        if (!space.contains(arch, &why))
            throw std::runtime_error(a.arch + ": not in run " + std::to_string(a.fromRun) +
                                     "'s space: " + why);
        TrainingRunConfig c = retrainConfig(store, a.fromRun, arch, a.inherit);
        if (!a.name.empty()) c.name = a.name;
        c.trainer.maxTokens = a.maxTokens;
        c.trainer.seed = a.seed;
        c.trainer.lr.peak = a.lr;
        c.trainer.lr.warmupUpdates = a.warmup;
        c.trainer.lr.kind = lrScheduleKind(a.schedule);
        c.validateEvery = a.validateEvery;
        c.checkpointEvery = a.checkpointEvery;
        c.routingEvery = a.routingEvery;
        c.testSentences = a.testSentences;
        c.maxUpdates = a.updates;
        c.maxMinutes = a.minutes;
        if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
        run = std::make_unique<TrainingRun>(store, std::move(c));
    } else {
        TrainingRunConfig c = supernetConfig(a, updatesGiven, minutesGiven);
        // A corpus file is read once before the run is created: a missing or unreadable one is refused
        // naming the file and line, and the database is left as it was.
        if (c.corpus != "ding" && c.corpus != "sample") loadRunCorpus(c.corpus, c.reverse);
        run = std::make_unique<TrainingRun>(store, std::move(c));
    }
    driveTrainingRun(store, *run, a.controlStdin);
    return 0;
}

struct EvalArgs {
    int64_t run = 0;
    std::string db;
    std::string arch = "largest";
    std::string split = "test";
    int beam = 1;
    double lengthPenalty = 1.0;
    int64_t limit = 0;
    int threads = 0;
    std::string hypOut;
    bool fullPrefix = false;
    bool json = false;
};

void evalRun(const EvalArgs& a) {
    configureTorchThreads(a.threads);
    RunStore store(databasePath(a.db)); // writes an "evaluation" event to the run
    const TrainingRunConfig config = TrainingRunConfig::ofRun(store, a.run);
    const auto checkpoint = store.lastCheckpoint(a.run);
    if (!checkpoint) throw std::runtime_error("run " + std::to_string(a.run) + " has no checkpoint yet");
    const nlohmann::json split = storedSplit(store, a.run);
    if (split.is_null())
        throw std::runtime_error("run " + std::to_string(a.run) + " has no stored data split");
    if (a.split != "test" && a.split != "valid")
        throw UsageError("--split: expected test or valid, got " + a.split);

    Architecture arch;
    if (a.arch == "largest")
        arch = config.space.largest();
    else if (a.arch == "smallest")
        arch = config.space.smallest();
    else
        arch = loadArchitecture(a.arch, config.space.qkvDim);

    Corpus corpus = loadRunCorpus(config.corpus, config.reverse);
    const CorpusSplit corpusSplit = CorpusSplit::fromJson(split, corpus);
    const Vocabulary vocab =
        Vocabulary::trainOrLoad(corpus, corpusSplit, config.vocabulary, runFilesDir(store) + "/vocab");
    SuperTransformer model(TrainingRun::modelConfig(config, vocab.size()));
    Trainer::loadWeights(checkpoint->path, model);
    model->setArchitecture(arch); // throws naming the gene that does not fit the supernet

    auto pairs = CorpusSplit::select(corpus, a.split == "test" ? corpusSplit.test() : corpusSplit.valid());
    if (a.limit > 0 && pairs.size() > size_t(a.limit)) pairs.resize(size_t(a.limit));
    TranslateOptions options;
    options.decode.beamSize = a.beam;
    options.decode.lengthPenalty = a.lengthPenalty;
    options.decode.incremental = !a.fullPrefix;
    options.maxSourceTokens = config.tokenize.maxSourceTokens;
    const EvaluationResult r = evaluate(*model, vocab, pairs, options);
    if (!a.hypOut.empty()) {
        std::string text;
        for (const auto& h : r.hypotheses)
            text += h + "\n";
        writeTextFileAtomic(a.hypOut, text);
    }
    nlohmann::json result = {
        {"run", a.run},         {"update", checkpoint->update},
        {"subnet", a.arch},     {"arch_key", arch.key()},
        {"split", a.split},     {"sentences", r.sentences},
        {"beam", a.beam},       {"decoding", a.fullPrefix ? "full-prefix" : "incremental"},
        {"bleu", r.bleu.score}, {"bleu_text", r.bleu.format()},
        {"chrf", r.chrf.score}, {"chrf_text", r.chrf.format()},
        {"seconds", r.seconds}, {"sentences_per_second", r.sentencesPerSecond}};
    store.append(Event::make(a.run, "evaluation", result));
    store.flush();
    if (a.json) {
        std::cout << result.dump(2) << "\n";
        return;
    }
    std::printf("run %lld, update %lld, %s subnet, %s split (%zu sentences), %s\n", (long long)a.run,
                (long long)checkpoint->update, a.arch.c_str(), a.split.c_str(), r.sentences,
                a.beam > 1 ? ("beam " + std::to_string(a.beam)).c_str() : "greedy");
    std::printf("%s\n%s\n", r.bleu.format().c_str(), r.chrf.format().c_str());
    std::printf("%.1f sentences/s (%s decoding, %.1f s)\n", r.sentencesPerSecond,
                a.fullPrefix ? "full-prefix" : "incremental", r.seconds);
}

} // namespace

void addTrainCommands(CLI::App& root) {
    auto e = std::make_shared<EvalArgs>();
    CLI::App* eval =
        root.add_subcommand("eval", "BLEU and chrF of a trained run's subnet on its test (or valid) split");
    eval->add_option("--run", e->run, "Run id")->required();
    eval->add_option("--db", e->db, "Run database");
    eval->add_option("--arch", e->arch, "largest, smallest, or an architecture file (.yml / .json)")
        ->capture_default_str();
    eval->add_option("--split", e->split, "test or valid")->capture_default_str();
    eval->add_option("--beam", e->beam, "Beam size (1 = greedy)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    eval->add_option("--lenpen", e->lengthPenalty, "Length penalty")->capture_default_str();
    eval->add_option("--limit", e->limit, "Evaluate the first N sentences only");
    eval->add_option("--threads", e->threads, "Intra-op threads (0 = one per core)");
    eval->add_option("--hyp-out", e->hypOut, "Write the detokenised translations to FILE");
    eval->add_flag("--full-prefix", e->fullPrefix,
                   "Re-run the decoder over the whole prefix at every step (no key/value cache): the same "
                   "translations, slower; for comparing decoding speed");
    eval->add_flag("--json", e->json, "Print the result as JSON");
    eval->callback([e] { evalRun(*e); });

    auto a = std::make_shared<TrainArgs>();
    CLI::App* train = root.add_subcommand(
        "train", "Train a weight-sharing supernet (AutoMoE stage 1); every run is stored");
    train
        ->add_option("--space", a->space,
                     "Search space: a bundled name (tiny, automoe-ref-small, automoe-wmt) or a JSON file")
        ->capture_default_str();
    train
        ->add_option(
            "--corpus", a->corpus,
            "ding (Debian's trans-de-en, else the bundled sample), sample, a .tsv file, or a prefix P "
            "with P.de and P.en")
        ->capture_default_str();
    train->add_option("--db", a->db, "Run database (default: ~/.local/share/automoe-studio/runs.sqlite)");
    train->add_option("--name", a->name, "Run name");
    auto* updates = train->add_option("--updates", a->updates, "Stop after this many updates")
                        ->check(CLI::NonNegativeNumber);
    auto* minutes = train
                        ->add_option("--minutes", a->minutes,
                                     "Stop after this many minutes (default 20 when "
                                     "neither --updates nor --minutes is given)")
                        ->check(CLI::NonNegativeNumber);
    train->add_option("--max-tokens", a->maxTokens, "Tokens per batch, padding counted")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    train->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--seed", a->seed, "Seed of the split, initialisation, batches and subnet sampling")
        ->capture_default_str();
    train->add_option("--resume", a->resume, "Continue run ID from its last checkpoint");
    train->add_option("--lr", a->lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
    train->add_option("--warmup", a->warmup, "Warm-up updates")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--schedule", a->schedule, "inverse_sqrt, cosine or constant")->capture_default_str();
    train->add_option("--sampling", a->sampling, "random (AutoMoE) or sandwich (largest + smallest + random)")
        ->capture_default_str();
    train
        ->add_option("--sandwich-random", a->sandwichRandom,
                     "With --sampling sandwich: random subnets per update besides largest and smallest")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train
        ->add_option("--supernet", a->supernet,
                     "shared (weight sharing), mos-layer or mos-neuron (Mixture-of-Supernets: "
                     "architecture-routed mixtures of weight sets)")
        ->capture_default_str()
        ->check(CLI::IsMember({"shared", "mos-layer", "mos-neuron"}));
    train->add_option("--mos-experts", a->mosExperts, "Weight sets per layer of a MoS supernet (m)")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    train->add_flag("--mos-attention", a->mosAttention,
                    "A MoS supernet also mixes the attention projections (default: FFN / experts only)");
    train->add_option("--vocab-size", a->vocabSize, "SentencePiece vocabulary size")
        ->capture_default_str()
        ->check(CLI::Range(8, 1 << 20));
    train
        ->add_option("--validate-every", a->validateEvery,
                     "Validate largest and smallest subnet every N updates")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--checkpoint-every", a->checkpointEvery, "Write a checkpoint every N updates")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--test-sentences", a->testSentences, "Test pairs of the final greedy BLEU (0 = skip)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train
        ->add_option("--routing-every", a->routingEvery,
                     "At validations of updates divisible by N (1: every validation), record the expert "
                     "load and routing health (entropy, busiest expert) of every MoE layer of the largest "
                     "(or the fixed) subnet; 0 = off (a run stopping between validations still records "
                     "them once at its end)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--dropout", a->dropout, "Dropout at the supernet's width (scaled down with width)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.99));
    train
        ->add_option("--balance-weight", a->balanceWeight,
                     "Weight of the MoE load-balancing loss (Switch Transformer's alpha)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train
        ->add_option("--capacity-factor", a->capacityFactor,
                     "MoE expert capacity in training: an expert takes at most factor x tokens x k / n of a "
                     "batch, the rest pass by on the residual (0 = no limit)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    train->add_option("--label-smoothing", a->labelSmoothing, "Label smoothing of the training loss")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.99));
    train->add_flag("--reverse", a->reverse, "Train English -> German");
    train->add_option("--arch", a->arch,
                      "Train this one architecture (.yml / .json) instead of a supernet (stages 6-7)");
    train->add_option("--from-run", a->fromRun,
                      "With --arch: the supernet run whose split, vocabulary and space to use");
    train->add_option(
        "--darts-arch", a->dartsArch,
        "Retrain a DARTS architecture (`automoe darts derive -o FILE`) as an ordinary Transformer, on "
        "the data of the search it came from (or --from-run, or --corpus)");
    train->add_flag("--inherit", a->inherit,
                    "With --arch: start from the supernet run's last checkpoint weights");
    addDistributedOptions(train, a->launch, "a multi-process run");
    train->add_flag("--control-stdin", a->controlStdin,
                    "Read pause / resume / cancel commands, one per line, from stdin");
    train->callback([a, updates, minutes] { runTraining(*a, updates->count() > 0, minutes->count() > 0); });
}

} // namespace automoe::cli
