#include "bench/SearchBenchmark.h"

#include "bench/ModelBenchmark.h"
#include "nn/TorchRuntime.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"
#include "search/CandidateEvaluator.h"
#include "search/Evolution.h"
#include "space/SpaceIO.h"
#include "store/RunStore.h"
#include "train/LabelSmoothedLoss.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <unistd.h>

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One training forward pass of `arch` over the batches, as Trainer::forwardBackward computes it up to the
// loss: train mode (dropout), autograd recording, label smoothing 0.1 + 0.01 x load balancing; no backward.
void trainForward(SuperTransformer& model, const Architecture& arch, const std::vector<Batch>& batches) {
    model->train();
    model->setArchitecture(arch);
    for (const Batch& b : batches) {
        auto out = model->forward(b.src, b.tgtIn);
        auto ls = labelSmoothedCrossEntropy(out.logits, b.tgtOut, 0.1, model->config().padIndex);
        auto loss = ls.loss / double(std::max<int64_t>(ls.tokens, 1)) + 0.01 * out.loadBalancingLoss;
        (void)loss.item<double>();
    }
    model->eval();
}

// The fitness as SearchRun computed it before SubnetFitness: the full forward (output projection of every
// position, padding included) and the loss function, in eval mode without autograd.
void plainEvalForward(SuperTransformer& model, const Architecture& arch, const std::vector<Batch>& batches) {
    torch::NoGradGuard noGrad;
    model->eval();
    model->setArchitecture(arch);
    for (const Batch& b : batches) {
        auto out = model->forward(b.src, b.tgtIn);
        auto ls = labelSmoothedCrossEntropy(out.logits, b.tgtOut, 0.0, model->config().padIndex);
        (void)ls.nll.item<double>();
    }
}

} // namespace

SearchBenchmarkResult runSearchBenchmark(const SearchBenchmarkOptions& opt,
                                         const std::function<void(const std::string&)>& progress) {
    configureTorchThreads(opt.threads);
    SearchBenchmarkResult r;
    r.threads = torchThreads();
    r.budgets = opt.budgets;
    r.population = opt.population;
    r.parents = opt.parents;
    r.mutations = opt.mutations;
    r.crossovers = opt.crossovers;
    r.iterations = opt.iterations;

    // The supernet and its validation pairs.
    SearchSpace space;
    SuperTransformer model{nullptr};
    TokenizedSet valid;
    int64_t maxTokens = opt.maxTokens;
    const std::filesystem::path tmp =
        std::filesystem::temp_directory_path() / ("automoe-bench-search-" + std::to_string(::getpid()));
    if (opt.run > 0) {
        if (opt.db.empty()) throw std::invalid_argument("bench search: --run needs --db");
        progress("loading supernet run " + std::to_string(opt.run));
        RunStore store(opt.db);
        SupernetSource s = loadSupernet(store, opt.run);
        space = s.config.space;
        model = s.model;
        valid = std::move(s.valid);
        if (maxTokens <= 0) maxTokens = s.config.trainer.maxTokens;
        r.source = "supernet run " + std::to_string(opt.run) + " (update " +
                   std::to_string(s.checkpoint.update) + ") in " + opt.db;
    } else {
        TrainingRunConfig config;
        config.space = loadSpaceByNameOrPath(opt.space);
        config.corpus = opt.corpus;
        config.vocabulary.size = opt.vocabSize;
        progress("loading corpus and vocabulary");
        std::filesystem::create_directories(tmp);
        auto data = TrainingRun::loadData(config, (tmp / "vocab").string());
        space = config.space;
        torch::manual_seed(opt.seed);
        model = SuperTransformer(TrainingRun::modelConfig(config, data->vocabulary.size()));
        valid = std::move(data->valid);
        if (maxTokens <= 0) maxTokens = config.trainer.maxTokens;
        r.source = "fresh supernet (space " + space.name + ", corpus " + opt.corpus + ", vocabulary " +
                   std::to_string(data->vocabulary.size()) + ")";
    }
    model->eval();
    SubnetFitness fitness(model, valid, opt.fitnessSentences, maxTokens);
    r.sentences = fitness.sentences();
    r.batches = int64_t(fitness.batches().size());
    r.targetTokens = fitness.targetTokens();
    r.sourceTokens = fitness.sourceTokens();
    r.maxTokens = maxTokens;

    // The search, with SearchRun's fitness path.
    double fitnessSeconds = 0;
    CostModelEvaluator evaluator([&](const std::vector<Architecture>& archs) {
        const auto t0 = Clock::now();
        auto out = fitness.evaluate(archs);
        fitnessSeconds += secondsSince(t0);
        return out;
    });
    std::vector<Constraint> constraints;
    for (const std::string& b : opt.budgets)
        for (Constraint& c : parseConstraints(b, false))
            constraints.push_back(std::move(c));
    EvolutionConfig ec;
    ec.population = opt.population;
    ec.parents = opt.parents;
    ec.mutations = opt.mutations;
    ec.crossovers = opt.crossovers;
    ec.iterations = opt.iterations;
    ec.seed = opt.seed;
    Evolution evolution(space, evaluator, constraints, ec);
    auto generationStart = Clock::now();
    EvolutionCallbacks callbacks;
    callbacks.generationFinished = [&](const GenerationSummary& g) {
        r.generationMs.push_back(1000.0 * secondsSince(generationStart));
        generationStart = Clock::now();
        progress("generation " + std::to_string(g.generation) + ": " + std::to_string(g.evaluatedCount) +
                 " candidates, best " + std::to_string(g.bestFitness));
    };
    evolution.setCallbacks(callbacks);
    progress("search");
    const auto searchStart = Clock::now();
    generationStart = searchStart;
    evolution.run();
    r.searchSeconds = secondsSince(searchStart);
    r.candidates = int64_t(evolution.evaluated().size());
    r.candidatesPerSec = r.searchSeconds > 0 ? double(r.candidates) / r.searchSeconds : 0;
    r.fitnessSeconds = fitnessSeconds;
    r.evalTokensPerSec = fitnessSeconds > 0 ? double(r.candidates * r.targetTokens) / fitnessSeconds : 0;
    r.searchOverhead = r.searchSeconds > 0 ? 1.0 - fitnessSeconds / r.searchSeconds : 0;

    // Evaluation vs training forward over the same candidates and batches, alternating which goes first.
    progress("evaluation vs training forward on the same " + std::to_string(r.candidates) + " candidates");
    double evalSeconds = 0, plainSeconds = 0, trainSeconds = 0;
    for (size_t i = 0; i < evolution.evaluated().size(); ++i) {
        const EvaluatedCandidate& c = evolution.evaluated()[i];
        for (int pass = 0; pass < 3; ++pass) {
            const int which = (pass + int(i)) % 3; // rotate the order of the three passes
            const auto t0 = Clock::now();
            if (which == 0) {
                const double f = fitness(c.arch);
                evalSeconds += secondsSince(t0);
                r.maxFitnessDiff = std::max(r.maxFitnessDiff, std::abs(f - c.fitness));
            } else if (which == 1) {
                plainEvalForward(model, c.arch, fitness.batches());
                plainSeconds += secondsSince(t0);
            } else {
                trainForward(model, c.arch, fitness.batches());
                trainSeconds += secondsSince(t0);
            }
        }
    }
    r.compared = r.candidates;
    const double tokens = double(r.compared * r.targetTokens);
    r.evalPassTokensPerSec = evalSeconds > 0 ? tokens / evalSeconds : 0;
    r.plainEvalTokensPerSec = plainSeconds > 0 ? tokens / plainSeconds : 0;
    r.trainForwardTokensPerSec = trainSeconds > 0 ? tokens / trainSeconds : 0;
    r.ratio = r.trainForwardTokensPerSec > 0 ? r.evalPassTokensPerSec / r.trainForwardTokensPerSec : 0;
    r.searchRatio = r.trainForwardTokensPerSec > 0 ? r.evalTokensPerSec / r.trainForwardTokensPerSec : 0;
    r.peakRssKb = peakResidentKb();
    std::error_code ec2;
    std::filesystem::remove_all(tmp, ec2);
    return r;
}

std::string formatSearchBenchmark(const SearchBenchmarkResult& r) {
    std::string out;
    char line[512];
    auto add = [&](const char* fmt, auto... args) {
        std::snprintf(line, sizeof line, fmt, args...);
        out += line;
    };
    add("automoe bench search: %s, %d threads\n", r.source.c_str(), r.threads);
    add("fitness set: %lld validation pairs, %lld target / %lld source tokens, %lld batches (max_tokens "
        "%lld)\n",
        (long long)r.sentences, (long long)r.targetTokens, (long long)r.sourceTokens, (long long)r.batches,
        (long long)r.maxTokens);
    std::string budgets;
    for (const auto& b : r.budgets)
        budgets += (budgets.empty() ? "" : ", ") + b;
    add("search: P %d, K %d, M %d, C %d, I %d, budgets: %s\n\n", r.population, r.parents, r.mutations,
        r.crossovers, r.iterations, budgets.empty() ? "none" : budgets.c_str());
    add("search (%lld candidates in %.1f s)\n", (long long)r.candidates, r.searchSeconds);
    add("  candidates evaluated per second   %10.2f\n", r.candidatesPerSec);
    const double meanGen = r.generationMs.empty()
                               ? 0
                               : std::accumulate(r.generationMs.begin(), r.generationMs.end(), 0.0) /
                                     double(r.generationMs.size());
    add("  wall time per generation          %10.0f ms (mean of %zu:", meanGen, r.generationMs.size());
    for (double ms : r.generationMs)
        add(" %.0f", ms);
    add("%s", ")\n");
    add("  fitness evaluation                %10.0f target tokens/s (%.1f s inside fitness, search overhead "
        "%.1f%%)\n\n",
        r.evalTokensPerSec, r.fitnessSeconds, 100 * r.searchOverhead);
    add("same candidates and batches, passes alternating (%lld candidates)\n", (long long)r.compared);
    add("  fitness evaluation (eval, no grad) %9.0f target tokens/s\n", r.evalPassTokensPerSec);
    add("  plain eval forward (all positions) %9.0f target tokens/s  (the fitness path before; fitness / "
        "plain %.2f)\n",
        r.plainEvalTokensPerSec,
        r.plainEvalTokensPerSec > 0 ? r.evalPassTokensPerSec / r.plainEvalTokensPerSec : 0.0);
    add("  training forward (train, autograd) %9.0f target tokens/s\n", r.trainForwardTokensPerSec);
    add("  evaluation / training forward     %10.2f  (inside the search: %.2f; target >= 0.50)\n", r.ratio,
        r.searchRatio);
    add("  fitness re-evaluated: max |difference| %.2g\n", r.maxFitnessDiff);
    add("peak memory (VmHWM): %.2f GB\n", double(r.peakRssKb) / 1048576.0);
    return out;
}

nlohmann::json searchBenchmarkJson(const SearchBenchmarkResult& r) {
    return {{"source", r.source},
            {"threads", r.threads},
            {"sentences", r.sentences},
            {"batches", r.batches},
            {"target_tokens", r.targetTokens},
            {"source_tokens", r.sourceTokens},
            {"max_tokens", r.maxTokens},
            {"budgets", r.budgets},
            {"evolution",
             {{"population", r.population},
              {"parents", r.parents},
              {"mutations", r.mutations},
              {"crossovers", r.crossovers},
              {"iterations", r.iterations}}},
            {"candidates", r.candidates},
            {"generation_ms", r.generationMs},
            {"search_seconds", r.searchSeconds},
            {"candidates_per_second", r.candidatesPerSec},
            {"fitness_seconds", r.fitnessSeconds},
            {"eval_target_tokens_per_second", r.evalTokensPerSec},
            {"search_overhead", r.searchOverhead},
            {"compared", r.compared},
            {"eval_pass_target_tokens_per_second", r.evalPassTokensPerSec},
            {"plain_eval_target_tokens_per_second", r.plainEvalTokensPerSec},
            {"train_forward_target_tokens_per_second", r.trainForwardTokensPerSec},
            {"eval_over_train_forward", r.ratio},
            {"search_eval_over_train_forward", r.searchRatio},
            {"max_fitness_difference", r.maxFitnessDiff},
            {"peak_rss_kb", r.peakRssKb}};
}

} // namespace automoe
