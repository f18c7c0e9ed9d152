#include "run/SearchRun.h"

#include "cost/LatencyMeterVersion.h"
#include "cost/LatencyPredictor.h"
#include "run/RunStages.h"
#include "run/SubnetFitness.h"
#include "run/SupernetSource.h"
#include "search/SearchError.h"
#include "space/SpaceIO.h"
#include "util/JsonField.h"

#include <chrono>
#include <filesystem>
#include <set>
#include <spdlog/spdlog.h>

namespace automoe {

namespace {

nlohmann::json latencyOptionsToJson(const LatencyOptions& o) {
    return {{"src_len", o.srcLen},  {"tgt_len", o.tgtLen},  {"beam", o.beam}, {"warmup", o.warmup},
            {"repeats", o.repeats}, {"threads", o.threads}, {"seed", o.seed}};
}

LatencyOptions latencyOptionsFromJson(const nlohmann::json& j) {
    LatencyOptions o;
    const JsonFields f = JsonFields::at("config.latency");
    o.srcLen = f.get(j, "src_len", o.srcLen);
    o.tgtLen = f.get(j, "tgt_len", o.tgtLen);
    o.beam = f.get(j, "beam", o.beam);
    o.warmup = f.get(j, "warmup", o.warmup);
    o.repeats = f.get(j, "repeats", o.repeats);
    o.threads = f.get(j, "threads", o.threads);
    o.seed = f.get(j, "seed", o.seed);
    return o;
}

bool needs(const std::vector<Constraint>& constraints, CostMetric metric, CostMetric front) {
    if (front == metric) return true;
    for (const Constraint& c : constraints)
        if (c.metric == metric) return true;
    return false;
}

double msSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

bool distributed(const Collective* group) {
    return group != nullptr && group->worldSize() > 1;
}

// The engine's settings: on several ranks a whole generation's new candidates are one fitness batch, so
// that they can be shared out (the batch size only sets how often cancellation is polled, not the result).
EvolutionConfig engineConfig(const SearchRunConfig& c, const Collective* group) {
    EvolutionConfig e = c.evolution;
    if (distributed(group)) e.batchSize = 0;
    return e;
}

// Candidate i of `archs` is evaluated by rank i mod W; the values (zeros for the others' candidates) are
// summed over the ranks, exactly, so every rank returns all of them. `own` counts this rank's candidates.
// `generation` is the one being evaluated, published so that a rank that stops responding is named with it.
std::vector<double> fitnessOnRanks(const std::vector<Architecture>& archs, Collective& group,
                                   SubnetFitness& fitness, int64_t& own, int generation) {
    group.setProgress("generation " + std::to_string(generation));
    const size_t n = archs.size();
    torch::Tensor values = torch::zeros({int64_t(n)}, torch::kFloat64);
    double* v = values.data_ptr<double>();
    for (size_t i = size_t(group.rank()); i < n; i += size_t(group.worldSize())) {
        v[i] = fitness(archs[i]);
        ++own;
    }
    std::vector<torch::Tensor> tensors{values};
    group.allreduceSum(tensors);
    const double* sum = tensors[0].data_ptr<double>();
    return std::vector<double>(sum, sum + n);
}

// Rank 0's pause / cancel decision, the same on every rank (polled at the same points of the evolution).
bool cancelOnRanks(Collective& group, bool rank0Cancels) {
    std::vector<torch::Tensor> flag{torch::full({1}, rank0Cancels ? 1.0 : 0.0, torch::kFloat64)};
    group.broadcast(flag, 0);
    return flag[0].item<double>() != 0;
}

void refuseMeasuredLatency(const SearchRunConfig& c) {
    if (needs(c.parsedConstraints(), CostMetric::LatencyMeasured, c.evolution.frontCost))
        throw std::invalid_argument(
            "a search with a measured-latency budget runs in one process (each rank would time the "
            "candidates differently); use a predicted latency (--predicted) on several ranks");
}

} // namespace

std::vector<Constraint> SearchRunConfig::parsedConstraints() const {
    std::vector<Constraint> out;
    for (const std::string& text : constraints)
        for (Constraint& c : parseConstraints(text, predicted))
            out.push_back(std::move(c));
    return out;
}

nlohmann::json SearchRunConfig::toJson() const {
    nlohmann::json j = {{"name", name},
                        {"kind", "search"},
                        {"supernet_run", supernetRun},
                        {"checkpoint", checkpoint},
                        {"checkpoint_update", checkpointUpdate},
                        {"constraints", constraints},
                        {"predicted", predicted},
                        {"predictor", predictor},
                        {"evolution", evolution.toJson()},
                        {"fitness_sentences", fitnessSentences},
                        {"max_tokens", maxTokens},
                        {"cost", {{"src_len", costSrcLen}, {"tgt_len", costTgtLen}}},
                        {"latency", latencyOptionsToJson(latency)}};
    if (space) j["space"] = spaceToJson(*space);
    return j;
}

SearchRunConfig SearchRunConfig::fromJson(const nlohmann::json& j) {
    SearchRunConfig c;
    const JsonFields f = JsonFields::at("config");
    c.name = f.get(j, "name", c.name);
    if (!j.contains("supernet_run")) throw std::invalid_argument("config.supernet_run: missing");
    c.supernetRun = f.get(j, "supernet_run", c.supernetRun);
    c.checkpoint = f.get(j, "checkpoint", c.checkpoint);
    c.checkpointUpdate = f.get(j, "checkpoint_update", c.checkpointUpdate);
    c.constraints = f.get(j, "constraints", c.constraints);
    c.predicted = f.get(j, "predicted", c.predicted);
    c.predictor = f.get(j, "predictor", c.predictor);
    if (j.contains("evolution")) {
        try {
            c.evolution = EvolutionConfig::fromJson(j.at("evolution"));
        } catch (const std::exception& e) {
            throw std::invalid_argument(std::string("config.evolution: ") + e.what());
        }
    }
    c.fitnessSentences = f.get(j, "fitness_sentences", c.fitnessSentences);
    c.maxTokens = f.get(j, "max_tokens", c.maxTokens);
    if (j.contains("cost")) {
        c.costSrcLen = JsonFields::at("config.cost").get(j["cost"], "src_len", c.costSrcLen);
        c.costTgtLen = JsonFields::at("config.cost").get(j["cost"], "tgt_len", c.costTgtLen);
    }
    if (j.contains("latency")) c.latency = latencyOptionsFromJson(j["latency"]);
    if (j.contains("space") && !j.at("space").is_null()) {
        try {
            c.space = spaceFromJson(j.at("space"));
        } catch (const std::exception& e) {
            throw std::invalid_argument(std::string("config.space: ") + e.what());
        }
    }
    return c;
}

CostMetric defaultFrontCost(const std::vector<Constraint>& constraints) {
    for (const Constraint& c : constraints)
        if (c.metric == CostMetric::LatencyMeasured || c.metric == CostMetric::LatencyPredicted)
            return c.metric;
    for (CostMetric m : {CostMetric::Flops, CostMetric::ParamsActive})
        for (const Constraint& c : constraints)
            if (c.metric == m) return m;
    return CostMetric::Flops;
}

std::string findLatencyPredictor(RunReader& store, int64_t supernetRun) {
    const auto runs = store.listRuns();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        if (it->kind != "latency") continue;
        const auto info = store.getRun(it->id);
        if (!info || info->spec.config.value("supernet_run", int64_t(0)) != supernetRun) continue;
        std::string path;
        for (const Event& e : store.events(it->id))
            if (e.type == "latency_predictor") path = e.payload.value("path", std::string());
        std::error_code ec;
        if (!path.empty() && std::filesystem::is_regular_file(path, ec)) return path;
    }
    return {};
}

namespace {

// A predictor fitted to another latency meter's measurements predicts another quantity.
void requireCurrentMeter(const LatencyPredictor& predictor, const std::string& path, int64_t supernetRun) {
    if (predictor.meterVersion() == kLatencyMeterVersion) return;
    throw std::runtime_error("latency predictor " + path + " was fitted to latency meter version " +
                             std::to_string(predictor.meterVersion()) +
                             (predictor.meterVersion() == 1 ? " (full-prefix decoding)" : "") +
                             "; this build measures with version " + std::to_string(kLatencyMeterVersion) +
                             " (incremental decoding): rebuild it with `automoe latency build --run " +
                             std::to_string(supernetRun) + "`");
}

} // namespace

SearchRun::SearchRun(RunStore& store, SearchRunConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    const CheckpointRow checkpoint = supernetCheckpoint(store_, config_.supernetRun, config_.checkpoint);
    config_.checkpoint = checkpoint.path;
    config_.checkpointUpdate = checkpoint.update;
    const std::vector<Constraint> constraints = config_.parsedConstraints();
    config_.constraints.clear();
    for (const Constraint& c : constraints) // canonical, and unambiguous whatever `predicted` says
        config_.constraints.push_back((c.metric == CostMetric::LatencyMeasured ? "measured_" : "") +
                                      c.toString());
    config_.evolution.validate();
    if (config_.fitnessSentences < 0)
        throw std::invalid_argument("fitness_sentences: must be >= 0, got " +
                                    std::to_string(config_.fitnessSentences));
    if (config_.maxTokens < 0)
        throw std::invalid_argument("max_tokens: must be >= 0, got " + std::to_string(config_.maxTokens));
    LatencyMeter checkLatency(config_.latency); // throws for bad latency settings
    if (needs(constraints, CostMetric::LatencyPredicted, config_.evolution.frontCost)) {
        if (config_.predictor.empty()) config_.predictor = findLatencyPredictor(store_, config_.supernetRun);
        if (config_.predictor.empty())
            throw std::runtime_error(
                "no latency predictor for supernet run " + std::to_string(config_.supernetRun) +
                ": run `automoe latency build --run " + std::to_string(config_.supernetRun) + "` first");
        requireCurrentMeter(LatencyPredictor::load(config_.predictor), config_.predictor,
                            config_.supernetRun); // load throws naming the file
    }
    if (config_.name.empty()) {
        config_.name = "search run " + std::to_string(config_.supernetRun);
        for (const Constraint& c : constraints)
            config_.name += " " + c.describe();
    }
    const RunInfo supernet = store_.requireRun(config_.supernetRun, "supernet");
    if (config_.space) {
        config_.space->validate(); // throws naming the field
        const SearchSpace trained = spaceFromJson(supernet.spec.space);
        std::string why;
        if (!trained.containsSpace(*config_.space, &why))
            throw std::invalid_argument(
                "space \"" + config_.space->name + "\" is not inside the space of supernet run " +
                std::to_string(config_.supernetRun) + " (\"" + trained.name + "\"): " + why);
    }
    create({config_.name,
            "search",
            config_.toJson(),
            config_.space ? spaceToJson(*config_.space) : nlohmann::json(),
            {},
            config_.evolution.seed},
           &supernet);
}

SearchRun::SearchRun(RunStore& store, int64_t runId, SearchRunConfig config)
    : RunBase(store)
    , config_(std::move(config))
    , resuming_(true) {
    claim(runId);
}

std::unique_ptr<SearchRun> SearchRun::resume(RunStore& store, int64_t runId) {
    const RunInfo info = store.requireRun(runId, "search");
    if (info.status == RunStatus::Finished)
        throw std::runtime_error("search run " + std::to_string(runId) + " has finished: nothing to resume");
    SearchRunConfig config;
    try {
        config = SearchRunConfig::fromJson(info.spec.config);
    } catch (const std::exception& e) {
        throw std::runtime_error("run " + std::to_string(runId) +
                                 " has no usable search configuration: " + e.what());
    }
    return std::unique_ptr<SearchRun>(new SearchRun(store, runId, std::move(config)));
}

nlohmann::json storedEvolutionState(RunStore& store, int64_t runId, const nlohmann::json& initial) {
    store.flush();
    nlohmann::json state = initial;
    std::vector<nlohmann::json> candidates;
    for (const Event& e : store.events(runId)) {
        if (e.type == "search_state")
            state = e.payload;
        else if (e.type == "candidate")
            candidates.push_back(e.payload);
    }
    const int next = state.at("next_generation").get<int>();
    const size_t expected = state.value("candidate_count", size_t(0));
    nlohmann::json done = nlohmann::json::array();
    nlohmann::json pending = state.value("pending", nlohmann::json::array());
    for (const nlohmann::json& c : candidates) {
        if (c.at("generation").get<int>() < next) {
            nlohmann::json costs = {{"flops", c.at("flops")}, {"params_active", c.at("params_active")}};
            if (c.at("latency_ms").is_number()) costs["latency_ms"] = c["latency_ms"];
            if (c.at("predicted_latency_ms").is_number())
                costs["predicted_latency_ms"] = c["predicted_latency_ms"];
            done.push_back({{"arch", c.at("arch")},
                            {"generation", c.at("generation")},
                            {"fitness", c.at("fitness")},
                            {"costs", costs}});
        } else {
            pending.push_back({{"key", c.at("arch_key")}, {"fitness", c.at("fitness")}});
        }
    }
    if (done.size() != expected)
        throw std::runtime_error("search run " + std::to_string(runId) + ": its state after generation " +
                                 std::to_string(next - 1) + " counts " + std::to_string(expected) +
                                 " candidates but the store holds " + std::to_string(done.size()));
    state.erase("candidate_count");
    state["candidates"] = std::move(done);
    state["pending"] = std::move(pending);
    return state;
}

SearchRun::~SearchRun() {
    stopWorker();
}

void SearchRun::setCollective(std::shared_ptr<Collective> collective) {
    if (distributed(collective.get())) {
        if (resuming_)
            throw std::invalid_argument("a search resumes in one process: run `automoe search --resume " +
                                        std::to_string(runId_) + "` without launch");
        refuseMeasuredLatency(config_);
    }
    collective_ = std::move(collective);
}

void SearchRun::run() {
    stage(stage::kData, stage::kStarted,
          {{"supernet_run", config_.supernetRun}, {"checkpoint", config_.checkpoint}});
    SupernetSource source = loadSupernet(store_, config_.supernetRun, config_.checkpoint);
    const std::vector<Constraint> constraints = config_.parsedConstraints();

    // The fixed validation subset, batched once: every candidate sees the same batches.
    const int64_t maxTokens = config_.maxTokens > 0 ? config_.maxTokens : source.config.trainer.maxTokens;
    if (source.valid.size() == 0)
        throw std::runtime_error("supernet run " + std::to_string(config_.supernetRun) +
                                 " has no validation sentences to compute fitness on");
    SubnetFitness subnetFitness(source.model, source.valid, config_.fitnessSentences, maxTokens);
    if (!resuming_)
        publish(Event::make(runId_, "search_setup",
                            {{"supernet", source.provenance()},
                             {"fitness_sentences", subnetFitness.sentences()},
                             {"fitness_target_tokens", subnetFitness.targetTokens()},
                             {"fitness_batches", subnetFitness.batches().size()},
                             {"max_tokens", maxTokens},
                             {"constraints", config_.constraints},
                             {"front_cost", toString(config_.evolution.frontCost)},
                             {"predictor", config_.predictor}}));
    stage(stage::kData, stage::kFinished);

    SuperTransformer model = source.model;
    model->eval();
    double fitnessMs = 0;
    int64_t fitnessEvaluated = 0;
    int generationNow = 0; // the generation being evaluated (set when one finishes and on resume)
    auto fitness = [&](const std::vector<Architecture>& archs) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<double> out;
        if (distributed(collective_.get())) {
            out = fitnessOnRanks(archs, *collective_, subnetFitness, fitnessEvaluated, generationNow);
        } else {
            out = subnetFitness.evaluate(archs);
            fitnessEvaluated += int64_t(archs.size());
        }
        fitnessMs += msSince(t0);
        return out;
    };
    CostOptions costOptions;
    costOptions.srcLen = config_.costSrcLen;
    costOptions.tgtLen = config_.costTgtLen;
    CostModelEvaluator evaluator(fitness, costOptions);
    const LatencyMeter meter(config_.latency);
    if (needs(constraints, CostMetric::LatencyMeasured, config_.evolution.frontCost))
        evaluator.setMeasuredLatency(
            [&](const Architecture& arch) { return meter.measure(*model, arch).total.median; });
    std::unique_ptr<LatencyPredictor> predictor;
    if (needs(constraints, CostMetric::LatencyPredicted, config_.evolution.frontCost)) {
        predictor = std::make_unique<LatencyPredictor>(LatencyPredictor::load(config_.predictor));
        requireCurrentMeter(*predictor, config_.predictor, config_.supernetRun);
        if (!(predictor->features().dims() == model->config().dims))
            throw std::runtime_error("latency predictor " + config_.predictor +
                                     " was trained for another supernet shape");
        evaluator.setPredictedLatency([&](const Architecture& arch) { return predictor->predict(arch); });
    }

    Evolution evolution(config_.space ? *config_.space : source.config.space, evaluator, constraints,
                        engineConfig(config_, collective_.get()));
    auto generationStart = std::chrono::steady_clock::now();
    const auto searchStart = generationStart;
    EvolutionCallbacks callbacks;
    callbacks.candidateEvaluated = [&](const EvaluatedCandidate& c) {
        publish(Event::candidate(runId_, toCandidateRow(c)));
    };
    callbacks.generationFinished = [&](const GenerationSummary& g) {
        generationNow = g.generation + 1;
        // The snapshot first: on resume, a generation row it covers but the store lost is written again.
        nlohmann::json state = evolution.saveState();
        state["candidate_count"] = state["candidates"].size();
        state.erase("candidates");
        publish(Event::make(runId_, "search_state", std::move(state)));
        publish(Event::generation(runId_, toGenerationRow(g, evolution)));
        const double ms = msSince(generationStart);
        generationStart = std::chrono::steady_clock::now();
        publish(Event::make(runId_, "generation_summary",
                            {{"generation", g.generation},
                             {"best_fitness", g.bestFitness},
                             {"best_arch_key", evolution.evaluated().at(g.best).key},
                             {"front_size", g.front.size()},
                             {"hypervolume", g.hypervolume},
                             {"evaluated", g.evaluatedCount},
                             {"evaluated_total", evolution.evaluated().size()},
                             {"rejected_budget", g.rejectedBudget},
                             {"rejected_known", g.rejectedKnown},
                             {"skipped", g.skipped},
                             {"wall_ms", ms},
                             {"candidates_per_second", ms > 0 ? g.evaluatedCount * 1000.0 / ms : 0.0}}));
        spdlog::info("run {} generation {}: best {:.4f}, front {}, hypervolume {:.4g}", runId_, g.generation,
                     g.bestFitness, g.front.size(), g.hypervolume);
        store_.flush(); // a killed search resumes from here
    };
    callbacks.cancelled = [&] {
        const bool cancel = !proceed();
        return distributed(collective_.get()) ? cancelOnRanks(*collective_, cancel) : cancel;
    };
    evolution.setCallbacks(callbacks);
    if (resuming_) {
        evolution.restoreState(storedEvolutionState(store_, runId_, evolution.saveState()));
        generationNow = evolution.nextGeneration();
        std::set<int64_t> stored;
        for (const GenerationRow& r : store_.generations(runId_))
            stored.insert(r.generation);
        for (const GenerationSummary& g : evolution.generations())
            if (!stored.count(g.generation))
                publish(Event::generation(runId_, toGenerationRow(g, evolution)));
        publish(Event::make(
            runId_, "resumed",
            {{"from_generation", evolution.nextGeneration()}, {"candidates", evolution.evaluated().size()}}));
        spdlog::info("run {}: resumed at generation {} with {} candidates", runId_,
                     evolution.nextGeneration(), evolution.evaluated().size());
    }

    stage(stage::kSearch, stage::kStarted,
          {{stage::kIterations, config_.evolution.iterations},
           {"world_size", collective_ ? collective_->worldSize() : 1}});
    const bool completed = evolution.run();
    const double seconds = msSince(searchStart) / 1000.0;
    stage(stage::kSearch, stage::kFinished,
          {{"cancelled", !completed},
           {"evaluated", evolution.evaluated().size()},
           {"world_size", collective_ ? collective_->worldSize() : 1},
           {"evaluated_by_rank_0", fitnessEvaluated},
           {"generations", evolution.generations().size()},
           {"seconds", seconds},
           {"fitness_seconds", fitnessMs / 1000.0},
           {"fitness_target_tokens_per_second",
            fitnessMs > 0 ? double(fitnessEvaluated * subnetFitness.targetTokens()) / (fitnessMs / 1000.0)
                          : 0.0}});
    setStatus(completed ? RunStatus::Finished : RunStatus::Cancelled);
}

int64_t followSearch(RunReader& store, const SearchRunConfig& config, Collective& collective) {
    refuseMeasuredLatency(config);
    SupernetSource source = loadSupernet(store, config.supernetRun, config.checkpoint);
    const std::vector<Constraint> constraints = config.parsedConstraints();
    const int64_t maxTokens = config.maxTokens > 0 ? config.maxTokens : source.config.trainer.maxTokens;
    SubnetFitness subnetFitness(source.model, source.valid, config.fitnessSentences, maxTokens);
    SuperTransformer model = source.model;
    model->eval();
    int64_t own = 0;
    int generationNow = 0;
    CostOptions costOptions;
    costOptions.srcLen = config.costSrcLen;
    costOptions.tgtLen = config.costTgtLen;
    CostModelEvaluator evaluator(
        [&](const std::vector<Architecture>& archs) {
            return fitnessOnRanks(archs, collective, subnetFitness, own, generationNow);
        },
        costOptions);
    std::unique_ptr<LatencyPredictor> predictor;
    if (needs(constraints, CostMetric::LatencyPredicted, config.evolution.frontCost)) {
        predictor = std::make_unique<LatencyPredictor>(LatencyPredictor::load(config.predictor));
        evaluator.setPredictedLatency([&](const Architecture& arch) { return predictor->predict(arch); });
    }
    Evolution evolution(config.space ? *config.space : source.config.space, evaluator, constraints,
                        engineConfig(config, &collective));
    EvolutionCallbacks callbacks;
    callbacks.cancelled = [&] { return cancelOnRanks(collective, false); };
    callbacks.generationFinished = [&](const GenerationSummary& g) { generationNow = g.generation + 1; };
    evolution.setCallbacks(callbacks);
    evolution.run();
    return own;
}

} // namespace automoe
