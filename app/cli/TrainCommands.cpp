#include "cli/TrainCommands.h"

#include "cli/CliSupport.h"
#include "eval/Translation.h"
#include "nn/TorchRuntime.h"
#include "run/TrainingRun.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/Format.h"
#include "util/Resources.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

namespace automoe::cli {
namespace {

std::atomic<int> gInterrupts{0};
extern "C" void onInterrupt(int) {
    gInterrupts.fetch_add(1);
}

std::string isoTime(int64_t ms) {
    const std::time_t t = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string clock(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7) return "--:--";
    const long s = long(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

// Prints training progress: a redrawn bar on a terminal, a plain line every 10 s otherwise.
class ProgressPrinter : public RunObserver {
public:
    ProgressPrinter(int64_t maxUpdates, double maxMinutes)
        : maxUpdates_(maxUpdates)
        , maxMinutes_(maxMinutes)
        , tty_(::isatty(STDERR_FILENO) == 1)
        , start_(std::chrono::steady_clock::now()) {}

    void onEvent(const Event& e) override {
        if (e.type == "training_step") {
            const auto& r = std::get<TrainingStepRow>(e.row);
            if (firstUpdate_ < 0) firstUpdate_ = r.update - 1;
            const double tps = r.wallMs > 0 ? double(r.tokens) * 1000.0 / r.wallMs : 0;
            tokensPerSec_ = tokensPerSec_ == 0 ? tps : 0.9 * tokensPerSec_ + 0.1 * tps;
            loss_ = loss_ == 0 ? r.loss : 0.95 * loss_ + 0.05 * r.loss;
            print(r.update, r.lr, false);
        } else if (e.type == "validation") {
            const auto& v = std::get<ValidationRow>(e.row);
            line("update " + std::to_string(v.update) + ": valid nll " + v.subnet + " " +
                 formatFixed(v.loss, 3));
        } else if (e.type == "data") {
            const auto& p = e.payload;
            line("corpus " + p["corpus"].value("direction", std::string()) + ": " +
                 std::to_string(p["split"]["counts"].value("train", 0)) + " train / " +
                 std::to_string(p["split"]["counts"].value("valid", 0)) + " valid / " +
                 std::to_string(p["split"]["counts"].value("test", 0)) + " test pairs; vocabulary " +
                 std::to_string(p["vocabulary"].value("size", 0)) +
                 (p["vocabulary"].value("from_cache", false) ? " (cached)" : " (trained)"));
        } else if (e.type == "resumed") {
            line("resumed at update " + std::to_string(e.payload.value("from_update", 0)));
        } else if (e.type == "checkpoint") {
            const auto& c = std::get<CheckpointRow>(e.row);
            line("checkpoint at update " + std::to_string(c.update) + " (" + formatSI(double(c.bytes)) +
                 "B)");
        } else if (e.type == "stage") {
            line("stage " + e.payload.value("stage", std::string()) + " " +
                 e.payload.value("state", std::string()));
        } else if (e.type == "run_status") {
            line("run " + std::to_string(e.runId) + ": " + e.payload.value("status", std::string()));
        }
    }

private:
    void print(int64_t update, double lr, bool force) {
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const int64_t done = update - firstUpdate_;
        double eta = -1, fraction = -1;
        if (maxUpdates_ > 0 && done > 0) {
            eta = elapsed / double(done) * double(maxUpdates_ - update);
            fraction = double(update) / double(maxUpdates_);
        }
        if (maxMinutes_ > 0) {
            const double left = maxMinutes_ * 60 - elapsed;
            eta = eta < 0 ? left : std::min(eta, left);
            fraction = std::max(fraction, elapsed / (maxMinutes_ * 60));
        }
        char stats[160];
        std::snprintf(stats, sizeof stats, "loss %.3f  lr %.2e  %s tok/s  ETA %s", loss_, lr,
                      formatSI(tokensPerSec_, 1).c_str(), clock(eta).c_str());
        const std::string total = maxUpdates_ > 0 ? "/" + std::to_string(maxUpdates_) : "";
        if (tty_) {
            std::string bar;
            if (fraction >= 0) {
                const int width = 24, filled = int(std::min(1.0, fraction) * width);
                bar =
                    "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "] ";
            }
            std::fprintf(stderr, "\r\033[Kupdate %lld%s %s%s", (long long)update, total.c_str(), bar.c_str(),
                         stats);
            std::fflush(stderr);
            barShown_ = true;
        } else if (force || elapsed - lastPrint_ >= 10.0) {
            std::fprintf(stderr, "update %lld%s  %s\n", (long long)update, total.c_str(), stats);
            lastPrint_ = elapsed;
        }
    }
    void line(const std::string& text) {
        if (barShown_) std::fprintf(stderr, "\r\033[K");
        std::fprintf(stderr, "%s\n", text.c_str());
        barShown_ = false;
    }

    int64_t maxUpdates_;
    double maxMinutes_;
    bool tty_;
    std::chrono::steady_clock::time_point start_;
    int64_t firstUpdate_ = -1;
    double tokensPerSec_ = 0, loss_ = 0, lastPrint_ = -1e9;
    bool barShown_ = false;
};

struct TrainArgs {
    std::string space = "tiny";
    std::string corpus = "ding";
    std::string db;
    std::string name;
    int64_t updates = 0;
    double minutes = 0;
    int64_t maxTokens = 4096;
    int threads = 0;
    uint64_t seed = 1;
    int64_t resume = 0;
    double lr = 1e-3;
    int64_t warmup = 400;
    std::string schedule = "inverse_sqrt";
    std::string sampling = "random";
    int vocabSize = 8000;
    int64_t validateEvery = 200;
    int64_t checkpointEvery = 200;
    double dropout = 0.1;
    bool reverse = false;
    bool controlStdin = false;
    std::string arch;
    int64_t fromRun = 0;
    bool inherit = false;
};

int runTraining(const TrainArgs& a, bool updatesGiven, bool minutesGiven) {
    configureTorchThreads(a.threads);
    RunStore store(a.db.empty() ? RunStore::defaultPath() : a.db);
    std::unique_ptr<TrainingRun> run;
    if (a.resume > 0) {
        run = TrainingRun::resume(store, a.resume, updatesGiven ? a.updates : -1,
                                  minutesGiven ? a.minutes : -1);
    } else if (!a.arch.empty()) {
        // AutoMoE stages 6-7: one architecture on a supernet run's data, from scratch or inherited weights.
        if (a.fromRun <= 0)
            throw UsageError(
                "--arch needs --from-run ID (the supernet run whose data and vocabulary to use)");
        const auto parent = store.getRun(a.fromRun);
        if (!parent) throw std::runtime_error("no run " + std::to_string(a.fromRun) + " in " + store.path());
        const SearchSpace space = TrainingRunConfig::fromJson(parent->spec.config).space;
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
        c.maxUpdates = a.updates;
        c.maxMinutes = a.minutes;
        if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
        run = std::make_unique<TrainingRun>(store, std::move(c));
    } else {
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
        c.dropout = a.dropout;
        c.attentionDropout = a.dropout;
        c.validateEvery = a.validateEvery;
        c.checkpointEvery = a.checkpointEvery;
        c.maxUpdates = a.updates;
        c.maxMinutes = a.minutes;
        if (!updatesGiven && !minutesGiven) c.maxMinutes = 20;
        run = std::make_unique<TrainingRun>(store, std::move(c));
    }
    driveTrainingRun(store, *run, a.controlStdin);
    return 0;
}

std::string dbPath(const std::string& db) {
    return db.empty() ? RunStore::defaultPath() : db;
}

void listRuns(const std::string& db, bool json) {
    RunStore store(dbPath(db));
    const auto runs = store.listRuns();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : runs)
            out.push_back(
                {{"id", r.id},
                 {"name", r.name},
                 {"kind", r.kind},
                 {"status", toString(r.status)},
                 {"created", isoTime(r.createdMs)},
                 {"created_ms", r.createdMs},
                 {"latest_update", r.latestUpdate ? nlohmann::json(*r.latestUpdate) : nlohmann::json()}});
        std::cout << out.dump(2) << "\n";
        return;
    }
    if (runs.empty()) {
        std::cout << "no runs in " << store.path() << "\n";
        return;
    }
    std::printf("%5s  %-10s  %-9s  %-20s  %8s  %s\n", "ID", "KIND", "STATUS", "CREATED (UTC)", "UPDATE",
                "NAME");
    for (const auto& r : runs)
        std::printf("%5lld  %-10s  %-9s  %-20s  %8s  %s\n", (long long)r.id, r.kind.c_str(),
                    toString(r.status), isoTime(r.createdMs).c_str(),
                    r.latestUpdate ? std::to_string(*r.latestUpdate).c_str() : "-", r.name.c_str());
}

void showRun(const std::string& db, int64_t id, bool json) {
    RunStore store(dbPath(db));
    const auto info = store.getRun(id);
    if (!info) throw std::runtime_error("no run " + std::to_string(id) + " in " + store.path());
    const auto steps = store.trainingSteps(id);
    const auto validations = store.validations(id);
    const auto checkpoints = store.checkpoints(id);
    if (json) {
        nlohmann::json s = nlohmann::json::array(), v = nlohmann::json::array(), c = nlohmann::json::array();
        for (const auto& r : steps)
            s.push_back(toJson(r));
        for (const auto& r : validations)
            v.push_back(toJson(r));
        for (const auto& r : checkpoints)
            c.push_back(toJson(r));
        nlohmann::json evaluations = nlohmann::json::array(), costs = nlohmann::json::array();
        for (const Event& e : store.events(id)) {
            if (e.type == "test_bleu" || e.type == "evaluation") {
                nlohmann::json p = e.payload;
                p["type"] = e.type;
                evaluations.push_back(p);
            } else if (e.type == "arch_costs") {
                costs.push_back(e.payload);
            }
        }
        nlohmann::json out = {{"id", info->id},
                              {"name", info->spec.name},
                              {"kind", info->spec.kind},
                              {"status", toString(info->status)},
                              {"created", isoTime(info->createdMs)},
                              {"updated", isoTime(info->updatedMs)},
                              {"seed", info->spec.seed},
                              {"config", info->spec.config},
                              {"space", info->spec.space},
                              {"corpus", info->spec.corpus},
                              {"training_steps", s},
                              {"validations", v},
                              {"checkpoints", c},
                              {"evaluations", evaluations},
                              {"costs", costs}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::printf("run %lld: %s\n", (long long)info->id, info->spec.name.c_str());
    std::printf("  kind       %s\n  status     %s\n  created    %s\n  updated    %s\n  seed       %llu\n",
                info->spec.kind.c_str(), toString(info->status), isoTime(info->createdMs).c_str(),
                isoTime(info->updatedMs).c_str(), (unsigned long long)info->spec.seed);
    std::printf("  space      %s\n  corpus     %s\n",
                info->spec.space.value("name", std::string("?")).c_str(), info->spec.corpus.dump().c_str());
    const nlohmann::json& config = info->spec.config;
    if (config.value("parent_run", int64_t(0)) > 0)
        std::printf("  parent     supernet run %lld%s\n", (long long)config.value("parent_run", int64_t(0)),
                    config.value("inherit_checkpoint", std::string()).empty() ? " (from scratch)"
                                                                              : " (inherited weights)");
    if (config.value("search_run", int64_t(0)) > 0)
        std::printf("  search     run %lld, architecture %lld\n",
                    (long long)config.value("search_run", int64_t(0)),
                    (long long)config.value("search_arch_id", int64_t(0)));
    for (const Event& e : store.events(id))
        if (e.type == "arch_costs")
            std::printf(
                "  costs      latency %.2f ms (encoder %.2f, decoder %.2f; %d repeats), FLOPs %s, active "
                "params %s\n",
                e.payload.value("latency_ms", 0.0), e.payload.value("encoder_ms", 0.0),
                e.payload.value("decoder_ms", 0.0), e.payload.value("repeats", 0),
                formatSI(e.payload.value("flops", 0.0)).c_str(),
                formatSI(double(e.payload.value("params_active", int64_t(0)))).c_str());
    if (!steps.empty()) {
        double wall = 0;
        for (const auto& r : steps)
            wall += r.wallMs;
        std::printf("  updates    %lld (%.1f min of training), last loss %.3f, lr %.2e\n",
                    (long long)steps.back().update, wall / 60000.0, steps.back().loss, steps.back().lr);
    }
    for (const auto& r : validations)
        if (&r == &validations.back() ||
            (validations.size() > 1 && &r == &validations[validations.size() - 2]))
            std::printf("  valid      update %lld %s nll %.3f%s\n", (long long)r.update, r.subnet.c_str(),
                        r.loss, r.bleu ? (" BLEU " + formatFixed(*r.bleu, 2)).c_str() : "");
    if (!checkpoints.empty())
        std::printf("  checkpoint update %lld: %s\n", (long long)checkpoints.back().update,
                    checkpoints.back().path.c_str());
    for (const Event& e : store.events(id))
        if (e.type == "test_bleu" || e.type == "evaluation")
            std::printf("  %-10s update %lld %s %s (%lld sentences, beam %d): %s\n",
                        e.type == "test_bleu" ? "test" : "eval", (long long)e.payload.value("update", 0LL),
                        e.payload.value("subnet", std::string()).c_str(),
                        e.payload.value("split", std::string()).c_str(),
                        (long long)e.payload.value("sentences", 0LL), e.payload.value("beam", 1),
                        e.payload.value("bleu_text", std::string()).c_str());
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
    bool json = false;
};

void evalRun(const EvalArgs& a) {
    configureTorchThreads(a.threads);
    RunStore store(dbPath(a.db));
    const auto info = store.getRun(a.run);
    if (!info) throw std::runtime_error("no run " + std::to_string(a.run) + " in " + store.path());
    const TrainingRunConfig config = TrainingRunConfig::fromJson(info->spec.config);
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
    options.maxSourceTokens = config.tokenize.maxSourceTokens;
    const EvaluationResult r = evaluate(*model, vocab, pairs, options);
    if (!a.hypOut.empty()) {
        std::string text;
        for (const auto& h : r.hypotheses)
            text += h + "\n";
        writeTextFileAtomic(a.hypOut, text);
    }
    nlohmann::json result = {{"run", a.run},
                             {"update", checkpoint->update},
                             {"subnet", a.arch},
                             {"arch_key", arch.key()},
                             {"split", a.split},
                             {"sentences", r.sentences},
                             {"beam", a.beam},
                             {"bleu", r.bleu.score},
                             {"bleu_text", r.bleu.format()},
                             {"chrf", r.chrf.score},
                             {"chrf_text", r.chrf.format()},
                             {"seconds", r.seconds},
                             {"sentences_per_second", r.sentencesPerSecond}};
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
    std::printf("%.1f sentences/s\n", r.sentencesPerSecond);
}

} // namespace

void driveTrainingRun(RunStore& store, TrainingRun& run, bool controlStdin) {
    std::fprintf(stderr, "run %lld in %s (%d threads)\n", (long long)run.id(), store.path().c_str(),
                 torchThreads());
    ProgressPrinter progress(run.config().maxUpdates, run.config().maxMinutes);
    run.addObserver(&progress);

    gInterrupts = 0;
    auto previous = std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    run.start();
    if (controlStdin) {
        // One command per line: pause, resume, cancel (the desktop app drives a run this way).
        RunControl* control = &run.control();
        std::thread([control] {
            std::string line;
            while (std::getline(std::cin, line)) {
                if (line == "pause")
                    control->pause();
                else if (line == "resume")
                    control->resume();
                else if (line == "cancel")
                    control->cancel();
            }
        }).detach();
    }
    bool cancelled = false;
    while (run.status() == RunStatus::Created || run.status() == RunStatus::Running ||
           run.status() == RunStatus::Paused) {
        if (gInterrupts > 0 && !cancelled) {
            std::fprintf(stderr,
                         "\ninterrupted: stopping after this update and writing a checkpoint "
                         "(resume with --resume %lld)\n",
                         (long long)run.id());
            run.control().cancel();
            cancelled = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    run.wait();
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, SIG_DFL);
    if (run.status() == RunStatus::Failed)
        throw std::runtime_error("run " + std::to_string(run.id()) + " failed: " + run.error());
    std::printf("run %lld %s\n", (long long)run.id(), toString(run.status()));
}

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
    eval->add_flag("--json", e->json, "Print the result as JSON");
    eval->callback([e] { evalRun(*e); });

    auto a = std::make_shared<TrainArgs>();
    CLI::App* train = root.add_subcommand(
        "train", "Train a weight-sharing supernet (AutoMoE stage 1); every run is stored");
    train->add_option("--space", a->space, "Search space: a bundled name (tiny, automoe-wmt) or a JSON file")
        ->capture_default_str();
    train
        ->add_option(
            "--corpus", a->corpus,
            "ding (Debian's trans-de-en, else the bundled sample), sample, a .tsv file, or a prefix P "
            "with P.de and P.en")
        ->capture_default_str();
    train->add_option("--db", a->db, "Run database (default: ~/.local/share/automoe-studio/runs.sqlite)");
    train->add_option("--name", a->name, "Run name");
    auto* updates = train->add_option("--updates", a->updates, "Stop after this many updates");
    auto* minutes = train->add_option("--minutes", a->minutes,
                                      "Stop after this many minutes (default 20 when "
                                      "neither --updates nor --minutes is given)");
    train->add_option("--max-tokens", a->maxTokens, "Tokens per batch, padding counted")
        ->capture_default_str();
    train->add_option("--threads", a->threads, "Intra-op threads (0 = one per core)")->capture_default_str();
    train->add_option("--seed", a->seed, "Seed of the split, initialisation, batches and subnet sampling")
        ->capture_default_str();
    train->add_option("--resume", a->resume, "Continue run ID from its last checkpoint");
    train->add_option("--lr", a->lr, "Peak learning rate")->capture_default_str();
    train->add_option("--warmup", a->warmup, "Warm-up updates")->capture_default_str();
    train->add_option("--schedule", a->schedule, "inverse_sqrt, cosine or constant")->capture_default_str();
    train->add_option("--sampling", a->sampling, "random (AutoMoE) or sandwich (largest + smallest + random)")
        ->capture_default_str();
    train->add_option("--vocab-size", a->vocabSize, "SentencePiece vocabulary size")->capture_default_str();
    train
        ->add_option("--validate-every", a->validateEvery,
                     "Validate largest and smallest subnet every N updates")
        ->capture_default_str();
    train->add_option("--checkpoint-every", a->checkpointEvery, "Write a checkpoint every N updates")
        ->capture_default_str();
    train->add_option("--dropout", a->dropout, "Dropout at the supernet's width (scaled down with width)")
        ->capture_default_str();
    train->add_flag("--reverse", a->reverse, "Train English -> German");
    train->add_option("--arch", a->arch,
                      "Train this one architecture (.yml / .json) instead of a supernet (stages 6-7)");
    train->add_option("--from-run", a->fromRun,
                      "With --arch: the supernet run whose split, vocabulary and space to use");
    train->add_flag("--inherit", a->inherit,
                    "With --arch: start from the supernet run's last checkpoint weights");
    train->add_flag("--control-stdin", a->controlStdin,
                    "Read pause / resume / cancel commands, one per line, from stdin");
    train->callback([a, updates, minutes] { runTraining(*a, updates->count() > 0, minutes->count() > 0); });
}

void addRunsCommands(CLI::App& root) {
    CLI::App* runs = root.add_subcommand("runs", "List and inspect stored runs");
    runs->require_subcommand(1);
    struct Args {
        std::string db;
        bool json = false;
        int64_t id = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* list = runs->add_subcommand("list", "Every run in the database");
    list->add_option("--db", a->db, "Run database");
    list->add_flag("--json", a->json, "JSON: a list of {id, name, kind, status, created, latest_update}");
    list->callback([a] { listRuns(a->db, a->json); });
    CLI::App* show = runs->add_subcommand("show", "One run: configuration, space, training steps");
    show->add_option("id", a->id, "Run id")->required();
    show->add_option("--db", a->db, "Run database");
    show->add_flag("--json", a->json, "JSON with config, space, training_steps, validations, checkpoints");
    show->callback([a] { showRun(a->db, a->id, a->json); });
}

} // namespace automoe::cli
