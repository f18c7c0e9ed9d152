#include "run/RankRun.h"

#include "run/RunStages.h"
#include "run/SearchExport.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "space/ArchitectureIO.h"
#include "train/Trainer.h"
#include "util/RankCorrelation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>
#include <spdlog/spdlog.h>

namespace automoe {

namespace {

// k of the m items of `list`, evenly spaced (first and last included), in list order.
std::vector<size_t> evenlySpaced(const std::vector<size_t>& list, size_t k) {
    if (k >= list.size()) return list;
    if (k == 0) return {};
    if (k == 1) return {list.front()};
    std::vector<size_t> out;
    for (size_t i = 0; i < k; ++i)
        out.push_back(list[size_t(std::lround(double(i) * double(list.size() - 1) / double(k - 1)))]);
    return out;
}

nlohmann::json jsonNumber(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

} // namespace

nlohmann::json RankRunConfig::toJson() const {
    return {{"name", name},   {"kind", "rank"},   {"search_run", searchRun},
            {"archs", archs}, {"select", select}, {"finetune_updates", finetuneUpdates},
            {"lr", lr},       {"seed", seed},     {"max_tokens", maxTokens}};
}

std::vector<size_t> selectRankCandidates(const std::vector<double>& fitness,
                                         const std::vector<size_t>& frontOrder, int count, bool useFront) {
    const size_t want = std::min(size_t(std::max(count, 0)), fitness.size());
    std::vector<size_t> chosen;
    std::set<size_t> taken;
    if (useFront) {
        std::vector<size_t> front;
        for (size_t i : frontOrder)
            if (i < fitness.size() && taken.insert(i).second) front.push_back(i);
        chosen = evenlySpaced(front, want);
        taken = std::set<size_t>(chosen.begin(), chosen.end());
    }
    std::vector<size_t> rest;
    for (size_t i = 0; i < fitness.size(); ++i)
        if (!taken.count(i)) rest.push_back(i);
    std::stable_sort(rest.begin(), rest.end(), [&](size_t a, size_t b) { return fitness[a] < fitness[b]; });
    for (size_t i : evenlySpaced(rest, want - chosen.size()))
        chosen.push_back(i);
    return chosen;
}

RankRun::RankRun(RunStore& store, RankRunConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    if (config_.archs < 2)
        throw std::invalid_argument("archs: need at least 2 architectures to rank, got " +
                                    std::to_string(config_.archs));
    if (config_.finetuneUpdates < 1)
        throw std::invalid_argument("finetune_updates: must be positive, got " +
                                    std::to_string(config_.finetuneUpdates));
    if (!(config_.lr > 0))
        throw std::invalid_argument("lr: must be positive, got " + std::to_string(config_.lr));
    if (config_.maxTokens < 0)
        throw std::invalid_argument("max_tokens: must be >= 0, got " + std::to_string(config_.maxTokens));
    if (config_.select != "front" && config_.select != "spread")
        throw std::invalid_argument("select: expected front or spread, got '" + config_.select + "'");
    const RunInfo search = store_.requireRun(config_.searchRun, "search");
    const std::string name = "run " + std::to_string(config_.searchRun);
    searchConfig_ = search.spec.config;
    if (!searchConfig_.contains("supernet_run"))
        throw std::runtime_error(name + " has no supernet_run in its configuration");
    if (store_.candidates(config_.searchRun).size() < 2)
        throw std::runtime_error(name + " has fewer than 2 evaluated candidates to rank");
    if (config_.name.empty())
        config_.name = "rank search run " + std::to_string(config_.searchRun) + " x" +
                       std::to_string(config_.archs) + ", " + std::to_string(config_.finetuneUpdates) +
                       " updates";
    create({config_.name, "rank", config_.toJson(), {}, {}, config_.seed}, &search);
}

RankRun::~RankRun() {
    stopWorker();
}

void RankRun::run() {
    using Clock = std::chrono::steady_clock;
    const int64_t supernetRun = searchConfig_.value("supernet_run", int64_t(0));
    const std::string checkpoint = searchConfig_.value("checkpoint", std::string());
    SupernetSource source = loadSupernet(store_, supernetRun, checkpoint);

    // The candidates, and the front of the search's last finished generation.
    const std::vector<CandidateRow> candidates = store_.candidates(config_.searchRun);
    std::vector<double> fitness;
    for (const CandidateRow& c : candidates)
        fitness.push_back(c.fitness);
    std::vector<size_t> frontOrder;
    if (config_.select == "front" && !store_.generations(config_.searchRun).empty())
        for (const auto& p : searchFront(store_, config_.searchRun))
            for (size_t i = 0; i < candidates.size(); ++i)
                if (!p["arch_id"].is_null() && candidates[i].architecture.id == p["arch_id"].get<int64_t>())
                    frontOrder.push_back(i);
    const std::vector<size_t> chosen =
        selectRankCandidates(fitness, frontOrder, config_.archs, config_.select == "front");

    // The search's own fitness subset and batches.
    const int64_t sentences = searchConfig_.value("fitness_sentences", int64_t(200));
    const int64_t searchMaxTokens = searchConfig_.value("max_tokens", int64_t(0));
    const int64_t fitnessMaxTokens = searchMaxTokens > 0 ? searchMaxTokens : source.config.trainer.maxTokens;
    SubnetFitness inherited(source.model, source.valid, sentences, fitnessMaxTokens);
    const TokenizedSet train = tokenize(
        source.vocabulary, CorpusSplit::select(source.corpus, source.split.train()), source.config.tokenize);
    if (train.size() == 0)
        throw std::runtime_error("supernet run " + std::to_string(supernetRun) + " has no training pairs");

    TrainerOptions options = source.config.trainer;
    options.sampling = SubnetSampling::Fixed;
    options.seed = config_.seed;
    options.maxTokens = config_.maxTokens > 0 ? config_.maxTokens : source.config.trainer.maxTokens;
    options.lr.kind = LrScheduleOptions::Kind::Cosine;
    options.lr.peak = config_.lr;
    options.lr.warmupUpdates = std::max<int64_t>(1, config_.finetuneUpdates / 10);
    options.lr.totalUpdates = config_.finetuneUpdates;
    options.lr.minLr = 1e-6;
    options.validationSentences = sentences;

    nlohmann::json picked = nlohmann::json::array();
    for (size_t i : chosen)
        picked.push_back(
            {{"arch_id", candidates[i].architecture.id}, {"arch_key", candidates[i].architecture.key}});
    publish(Event::make(runId_, "rank_setup",
                        {{"search_run", config_.searchRun},
                         {"supernet", source.provenance()},
                         {"select", config_.select},
                         {"front_size", frontOrder.size()},
                         {"candidates", candidates.size()},
                         {"archs", picked},
                         {"fitness_sentences", inherited.sentences()},
                         {"fitness_target_tokens", inherited.targetTokens()},
                         {"train_pairs", train.size()},
                         {"finetune", options.toJson()}}));

    stage(stage::kRank, stage::kStarted, {{stage::kArchs, chosen.size()}});
    std::vector<double> inheritedNll, finetunedNll;
    for (size_t n = 0; n < chosen.size(); ++n) {
        const CandidateRow& c = candidates[chosen[n]];
        const Architecture arch = architectureFromJson(c.architecture.json);
        RankedArchitecture r;
        r.archId = c.architecture.id;
        r.key = c.architecture.key;
        r.flops = c.flops;
        r.searchFitness = c.fitness;
        r.inherited = inherited(arch);

        const auto t0 = Clock::now();
        SuperTransformer model(TrainingRun::modelConfig(source.config, source.vocabulary.size()));
        Trainer::loadWeights(source.checkpoint.path, model);
        options.fixedArchitecture = arch;
        torch::manual_seed(config_.seed); // dropout: the same stream for every architecture
        Trainer trainer(model, source.config.space, train, source.valid, options);
        double lastLoss = 0;
        for (int64_t u = 0; u < config_.finetuneUpdates; ++u) {
            if (!proceed()) {
                stage(stage::kRank, stage::kFinished, {{"cancelled", true}, {"ranked", ranked_.size()}});
                setStatus(RunStatus::Cancelled);
                return;
            }
            lastLoss = trainer.step().loss;
        }
        SubnetFitness finetuned(model, source.valid, sentences, fitnessMaxTokens);
        r.finetuned = finetuned(arch);
        r.finetuneSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
        ranked_.push_back(r);
        inheritedNll.push_back(r.inherited);
        finetunedNll.push_back(r.finetuned);
        publish(Event::make(runId_, "rank_arch",
                            {{"index", n},
                             {"count", chosen.size()},
                             {"arch_id", r.archId},
                             {"arch_key", r.key},
                             {"flops", r.flops},
                             {"search_fitness", r.searchFitness},
                             {"inherited_nll", r.inherited},
                             {"finetuned_nll", r.finetuned},
                             {"last_train_loss", lastLoss},
                             {"finetune_updates", config_.finetuneUpdates},
                             {"finetune_seconds", r.finetuneSeconds}}));
        spdlog::info("run {}: {}/{} arch {}: inherited {:.4f}, fine-tuned {:.4f} ({:.0f} s)", runId_, n + 1,
                     chosen.size(), r.archId, r.inherited, r.finetuned, r.finetuneSeconds);
    }
    stage(stage::kRank, stage::kFinished, {{"ranked", ranked_.size()}});
    tau_ = kendallTauB(inheritedNll, finetunedNll);
    publish(Event::make(runId_, "rank_result",
                        {{"kendall_tau", jsonNumber(tau_)},
                         {"count", ranked_.size()},
                         {"finetune_updates", config_.finetuneUpdates},
                         {"inherited_nll", inheritedNll},
                         {"finetuned_nll", finetunedNll}}));
    setStatus(RunStatus::Finished);
}

} // namespace automoe
