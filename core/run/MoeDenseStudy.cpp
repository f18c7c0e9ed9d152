#include "run/MoeDenseStudy.h"

#include "cost/CostModel.h"
#include "run/RunObserver.h"
#include "run/RunStages.h"
#include "run/SearchRun.h"
#include "search/Constraint.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "util/JsonField.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>

namespace automoe {

namespace {

constexpr const char* kKind = "moe_study";
constexpr const char* kStageEvent = "moe_study_stage";

std::string budgetText(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", f);
    return buf;
}

bool finished(RunStatus s) {
    return s == RunStatus::Finished;
}

int expertCount(const Architecture& a) {
    int n = 0;
    for (const StackGene* s : {&a.encoder, &a.decoder})
        for (const LayerGene& l : s->layers)
            n += l.experts();
    return n;
}

bool isDense(const Architecture& a) {
    for (const StackGene* s : {&a.encoder, &a.decoder})
        for (const LayerGene& l : s->layers)
            if (l.experts() != 1) return false;
    return true;
}

} // namespace

SearchSpace denseSubspace(const SearchSpace& space) {
    SearchSpace d = space;
    d.name = space.name + " (dense)";
    d.pinnedSupernet.reset();
    for (StackSpace* s : {&d.encoder, &d.decoder}) {
        s->experts = Dimension::range(1, 1);
        s->topK = Dimension::of({1});
    }
    return d;
}

EvolutionConfig MoeDenseStudyConfig::studyEvolution() {
    EvolutionConfig e;
    e.population = 20;
    e.parents = 5;
    e.mutations = 10;
    e.crossovers = 10;
    e.iterations = 6;
    e.maxAttempts = 50000;
    return e;
}

void MoeDenseStudyConfig::validate() const {
    training.space.validate();
    if (minutes < 0) throw std::invalid_argument("minutes: " + std::to_string(minutes) + " is negative");
    if (updates < 0) throw std::invalid_argument("updates: " + std::to_string(updates) + " is negative");
    if (minutes == 0 && updates == 0)
        throw std::invalid_argument("minutes: a training budget is needed (minutes or updates per stage)");
    if (budgets.empty()) throw std::invalid_argument("budgets: at least one FLOPs budget is needed");
    for (size_t i = 0; i < budgets.size(); ++i) {
        if (!(budgets[i] > 0 && budgets[i] <= 1))
            throw std::invalid_argument("budgets[" + std::to_string(i) + "]: " + budgetText(budgets[i]) +
                                        " is not a fraction in (0, 1] of the baseline's FLOPs");
        for (size_t j = 0; j < i; ++j)
            if (budgets[j] == budgets[i])
                throw std::invalid_argument("budgets[" + std::to_string(i) + "]: " + budgetText(budgets[i]) +
                                            " is given twice");
    }
    if (baseline) {
        std::string why;
        if (!training.space.contains(*baseline, &why))
            throw std::invalid_argument("baseline: " + baseline->key() + " is not in space " +
                                        training.space.name + ": " + why);
    }
    evolution.validate();
    if (fitnessSentences < 0) throw std::invalid_argument("fitness_sentences: negative");
    if (latencyRepeats < 1)
        throw std::invalid_argument("latency_repeats: " + std::to_string(latencyRepeats) + " is < 1");
    if (testSentences < 0) throw std::invalid_argument("test_sentences: negative");
}

nlohmann::json MoeDenseStudyConfig::toJson() const {
    nlohmann::json j = {{"name", name},
                        {"training", training.toJson()},
                        {"minutes", minutes},
                        {"updates", updates},
                        {"budgets", budgets},
                        {"evolution", evolution.toJson()},
                        {"fitness_sentences", fitnessSentences},
                        {"latency_repeats", latencyRepeats},
                        {"test_sentences", testSentences}};
    if (baseline) j["baseline"] = architectureToJson(*baseline);
    return j;
}

MoeDenseStudyConfig MoeDenseStudyConfig::fromJson(const nlohmann::json& j) {
    MoeDenseStudyConfig c;
    const JsonFields f = JsonFields::at("config");
    c.name = f.get(j, "name", c.name);
    if (!j.contains("training")) throw std::invalid_argument("config.training: missing");
    c.training = TrainingRunConfig::fromJson(j["training"]);
    c.minutes = f.get(j, "minutes", c.minutes);
    c.updates = f.get(j, "updates", c.updates);
    c.budgets = f.get(j, "budgets", c.budgets);
    if (j.contains("evolution")) c.evolution = EvolutionConfig::fromJson(j["evolution"]);
    c.fitnessSentences = f.get(j, "fitness_sentences", c.fitnessSentences);
    c.latencyRepeats = f.get(j, "latency_repeats", c.latencyRepeats);
    c.testSentences = f.get(j, "test_sentences", c.testSentences);
    if (j.contains("baseline")) {
        try {
            c.baseline = architectureFromJson(j["baseline"]);
        } catch (const std::exception& e) {
            throw std::invalid_argument(std::string("config.baseline: ") + e.what());
        }
    }
    return c;
}

std::vector<std::string> MoeDenseStudy::stageNames(const std::vector<double>& budgets) {
    std::vector<std::string> names = {"baseline", "dense_supernet", "moe_supernet"};
    for (double f : budgets)
        for (const char* what : {"dense_search@", "moe_search@", "dense_retrain@", "moe_retrain@"})
            names.push_back(what + budgetText(f));
    return names;
}

MoeDenseStudy::MoeDenseStudy(RunStore& store, MoeDenseStudyConfig config)
    : RunBase(store)
    , config_(std::move(config)) {
    config_.validate();
    if (!config_.baseline) config_.baseline = denseSubspace(config_.training.space).largest();
    if (config_.name.empty())
        config_.name = "MoE vs dense " + config_.training.space.name + " " + config_.training.corpus +
                       (config_.minutes > 0 ? " " + budgetText(config_.minutes) + " min"
                                            : " " + std::to_string(config_.updates) + " updates");
    create({config_.name,
            kKind,
            config_.toJson(),
            spaceToJson(config_.training.space),
            {{"source", config_.training.corpus}, {"reverse", config_.training.reverse}},
            config_.training.trainer.seed});
}

MoeDenseStudy::MoeDenseStudy(RunStore& store, int64_t runId, MoeDenseStudyConfig config)
    : RunBase(store)
    , config_(std::move(config))
    , resuming_(true) {
    claim(runId);
}

std::unique_ptr<MoeDenseStudy> MoeDenseStudy::resume(RunStore& store, int64_t runId) {
    const RunInfo info = store.requireRun(runId);
    if (info.spec.kind != kKind)
        throw std::runtime_error(wrongKindToResume(runId, info.spec.kind, "MoE study"));
    if (info.status == RunStatus::Finished)
        throw std::runtime_error("study run " + std::to_string(runId) + " is finished: nothing to resume");
    MoeDenseStudyConfig config;
    try {
        config = MoeDenseStudyConfig::fromJson(info.spec.config);
    } catch (const std::exception& e) {
        throw std::runtime_error("run " + std::to_string(runId) +
                                 " has no usable study configuration: " + e.what());
    }
    return std::unique_ptr<MoeDenseStudy>(new MoeDenseStudy(store, runId, std::move(config)));
}

MoeDenseStudy::~MoeDenseStudy() {
    stopWorker();
}

RunStatus MoeDenseStudy::runStage(RunBase& child) {
    for (RunObserver* o : stageObservers_)
        child.addObserver(o);
    child.start();
    bool paused = false;
    using namespace std::chrono_literals;
    while (true) {
        const RunStatus s = child.status();
        if (s == RunStatus::Finished || s == RunStatus::Failed || s == RunStatus::Cancelled) break;
        if (control_.isCancelled()) {
            child.control().cancel();
        } else if (control_.isPaused() != paused) {
            paused = !paused;
            paused ? child.control().pause() : child.control().resume();
        }
        std::this_thread::sleep_for(50ms);
    }
    child.wait();
    return child.status();
}

int64_t MoeDenseStudy::trainingStage(const std::string& name, const TrainingRunConfig& c) {
    if (!proceed()) return 0; // cancelled while the stage before finished
    std::unique_ptr<TrainingRun> child;
    if (const auto it = stageRuns_.find(name); it != stageRuns_.end()) {
        const RunInfo info = store_.requireRun(it->second);
        if (finished(info.status)) return it->second;
        // A time budget is per stage, not per session: the resumed stage gets what it has not used.
        double minutes = -1;
        if (c.maxMinutes > 0) {
            double ms = 0;
            for (const TrainingStepRow& s : store_.trainingSteps(it->second))
                ms += s.wallMs;
            minutes = std::max(1e-3, c.maxMinutes - ms / 60000.0);
        }
        child = TrainingRun::resume(store_, it->second, -1, minutes);
        spdlog::info("study {}: stage {} resumes run {}", runId_, name, it->second);
    } else {
        child = std::make_unique<TrainingRun>(store_, c);
        stageRuns_[name] = child->id();
    }
    publish(Event::make(runId_, kStageEvent, {{"stage", name}, {"run", child->id()}, {"state", "started"}}));
    const RunStatus s = runStage(*child);
    if (s == RunStatus::Cancelled) return 0;
    if (s != RunStatus::Finished)
        throw std::runtime_error("stage " + name + ": run " + std::to_string(child->id()) + " " +
                                 runStatusName(s) + ": " + child->error());
    publish(Event::make(runId_, kStageEvent, {{"stage", name}, {"run", child->id()}, {"state", "finished"}}));
    return child->id();
}

int64_t MoeDenseStudy::searchStage(const std::string& name, int64_t supernetRun, double flopsLimit) {
    if (!proceed()) return 0;
    std::unique_ptr<SearchRun> child;
    if (const auto it = stageRuns_.find(name); it != stageRuns_.end()) {
        const RunInfo info = store_.requireRun(it->second);
        if (finished(info.status)) return it->second;
        child = SearchRun::resume(store_, it->second);
    } else {
        SearchRunConfig c;
        c.name = "study " + std::to_string(runId_) + (name.rfind("dense", 0) == 0 ? " (b) " : " (c) ") +
                 name.substr(0, name.find('_')) + " search" + name.substr(name.find('@'));
        c.supernetRun = supernetRun;
        Constraint budget;
        budget.metric = CostMetric::Flops;
        budget.limit = flopsLimit;
        c.constraints = {budget.toString()};
        c.evolution = config_.evolution;
        c.evolution.frontCost = CostMetric::Flops;
        c.fitnessSentences = config_.fitnessSentences;
        child = std::make_unique<SearchRun>(store_, std::move(c));
        stageRuns_[name] = child->id();
    }
    publish(Event::make(runId_, kStageEvent, {{"stage", name}, {"run", child->id()}, {"state", "started"}}));
    const RunStatus s = runStage(*child);
    if (s == RunStatus::Cancelled) return 0;
    if (s != RunStatus::Finished)
        throw std::runtime_error("stage " + name + ": search run " + std::to_string(child->id()) + " " +
                                 runStatusName(s) + ": " + child->error());
    publish(Event::make(runId_, kStageEvent, {{"stage", name}, {"run", child->id()}, {"state", "finished"}}));
    return child->id();
}

MoeDenseStudyRow MoeDenseStudy::rowOf(const std::string& method, std::optional<double> budget,
                                      int64_t trainRun, int64_t searchRun, int64_t supernetRun,
                                      double fitness) {
    store_.flush();
    const TrainingRunConfig c = TrainingRunConfig::ofRun(store_, trainRun);
    const Architecture arch = *c.trainer.fixedArchitecture;
    MoeDenseStudyRow r;
    r.method = method;
    r.budget = budget;
    r.run = trainRun;
    r.searchRun = searchRun;
    r.supernetRun = supernetRun;
    r.archKey = arch.key();
    r.arch = architectureToJson(arch);
    r.experts = expertCount(arch);
    r.searchFitness = fitness;
    const ArchitectureCost cost = CostModel::evaluate(arch);
    r.flops = cost.flopsHat;
    r.paramsActive = cost.paramsActive;
    r.paramsTotal = cost.paramsHat;
    bool costs = false, test = false;
    for (const Event& e : store_.events(trainRun)) {
        const auto& p = e.payload;
        if (e.type == "arch_costs") {
            r.latencyMs = p.value("latency_ms", 0.0);
            r.encoderMs = p.value("encoder_ms", 0.0);
            r.decoderMs = p.value("decoder_ms", 0.0);
            costs = true;
        } else if (e.type == "test_bleu") {
            r.bleu = p.value("bleu", 0.0);
            r.chrf = p.value("chrf", 0.0);
            r.testSentences = p.value("sentences", int64_t(0));
            test = true;
        }
    }
    for (const ValidationRow& v : store_.validations(trainRun))
        if (v.update >= r.updates) {
            r.updates = v.update;
            r.validNll = v.loss;
        }
    if (!costs) throw std::runtime_error("run " + std::to_string(trainRun) + " has no measured costs");
    if (!test && config_.testSentences > 0)
        throw std::runtime_error("run " + std::to_string(trainRun) + " has no test BLEU");
    return r;
}

void MoeDenseStudy::run() {
    const auto t0 = std::chrono::steady_clock::now();
    // A row's key: its method and budget ("baseline", "dense@0.5", ...).
    auto rowKey = [](const MoeDenseStudyRow& r) {
        return r.method + (r.budget ? "@" + budgetText(*r.budget) : std::string());
    };
    std::set<std::string> published;
    if (resuming_) {
        for (const Event& e : store_.events(runId_)) {
            if (e.type == kStageEvent)
                stageRuns_[e.payload.value("stage", std::string())] = e.payload.value("run", int64_t(0));
            else if (e.type == "moe_study_row")
                published.insert(rowKey(MoeDenseStudyRow::fromJson(e.payload)));
        }
        publish(Event::make(runId_, "resumed", {{"stages_begun", stageRuns_.size()}}));
    }
    auto addRow = [&](MoeDenseStudyRow row) {
        rows_.push_back(std::move(row));
        if (published.insert(rowKey(rows_.back())).second)
            publish(Event::make(runId_, "moe_study_row", rows_.back().toJson()));
    };
    const SearchSpace& full = config_.training.space;
    const SearchSpace dense = denseSubspace(full);
    const Architecture& baseline = *config_.baseline;
    const double baselineFlops = CostModel::evaluate(baseline).flopsHat;
    const std::vector<std::string> names = stageNames(config_.budgets);
    if (!resuming_) {
        nlohmann::json budgets = nlohmann::json::array();
        for (double f : config_.budgets)
            budgets.push_back({{"fraction", f}, {"flops", f * baselineFlops}});
        publish(Event::make(runId_, "moe_study_setup",
                            {{"baseline", architectureToJson(baseline)},
                             {"baseline_key", baseline.key()},
                             {"baseline_flops", baselineFlops},
                             {"budgets", budgets},
                             {"stages", names},
                             {"minutes", config_.minutes},
                             {"updates", config_.updates},
                             {"space", full.name},
                             {"corpus", config_.training.corpus}}));
    }
    stage(stage::kMoeStudy, stage::kStarted, {{"stages", names.size()}});
    auto cancelled = [&] {
        stage(stage::kMoeStudy, stage::kFinished, {{"cancelled", true}});
        setStatus(RunStatus::Cancelled);
    };
    const std::string prefix = "study " + std::to_string(runId_) + " ";

    // (a) The hand-designed dense baseline: the stage budget, its costs measured first, test BLEU last.
    TrainingRunConfig a = config_.training;
    a.kind = "retrain";
    a.name = prefix + "(a) baseline";
    if (isDense(baseline)) a.space = dense;
    a.trainer.sampling = SubnetSampling::Fixed;
    a.trainer.fixedArchitecture = baseline;
    a.supernet = MixtureOptions{};
    a.parentRun = 0;
    a.inheritCheckpoint.clear();
    a.costRepeats = config_.latencyRepeats;
    a.testSentences = config_.testSentences;
    a.maxMinutes = config_.minutes;
    a.maxUpdates = config_.minutes > 0 ? 0 : config_.updates;
    const int64_t baselineRun = trainingStage("baseline", a);
    if (!baselineRun) return cancelled();
    store_.flush();
    const auto baselineSteps = store_.trainingSteps(baselineRun);
    if (baselineSteps.empty())
        throw std::runtime_error("baseline run " + std::to_string(baselineRun) + " made no update");
    const int64_t retrainUpdates = baselineSteps.back().update;

    // (b), (c) The supernets of the dense sub-space and of the full space.
    auto supernet = [&](const std::string& name, const SearchSpace& space, const char* label) {
        TrainingRunConfig s = config_.training;
        s.kind = "supernet";
        s.name = prefix + label;
        s.space = space;
        s.maxMinutes = config_.minutes;
        s.maxUpdates = config_.minutes > 0 ? 0 : config_.updates;
        return trainingStage(name, s);
    };
    const int64_t denseSupernet = supernet("dense_supernet", dense, "(b) dense supernet");
    if (!denseSupernet) return cancelled();
    const int64_t moeSupernet = supernet("moe_supernet", full, "(c) MoE supernet");
    if (!moeSupernet) return cancelled();

    rows_.clear();
    addRow(rowOf("baseline", std::nullopt, baselineRun, 0, 0, 0));
    for (double f : config_.budgets) {
        const std::string at = "@" + budgetText(f);
        const int64_t denseSearch = searchStage("dense_search" + at, denseSupernet, f * baselineFlops);
        if (!denseSearch) return cancelled();
        const int64_t moeSearch = searchStage("moe_search" + at, moeSupernet, f * baselineFlops);
        if (!moeSearch) return cancelled();
        for (const auto& [method, search, parent] :
             {std::tuple{std::string("dense"), denseSearch, denseSupernet},
              std::tuple{std::string("moe"), moeSearch, moeSupernet}}) {
            // The best architecture of the search: every evaluated candidate met the budget.
            store_.flush();
            std::optional<CandidateRow> best;
            for (const CandidateRow& c : store_.candidates(search))
                if (c.feasible && (!best || c.fitness < best->fitness)) best = c;
            if (!best)
                throw std::runtime_error("search run " + std::to_string(search) +
                                         " found no architecture within the budget");
            const Architecture arch = architectureFromJson(best->architecture.json);
            TrainingRunConfig r = retrainConfig(store_, parent, arch, false);
            r.name = prefix + "(" + (method == "dense" ? "b" : "c") + ") " + method + " retrain" + at;
            r.searchRun = search;
            r.searchArchId = best->architecture.id;
            r.costRepeats = config_.latencyRepeats;
            r.testSentences = config_.testSentences;
            r.maxUpdates = retrainUpdates;
            r.maxMinutes = 0;
            const int64_t retrain = trainingStage(method + "_retrain" + at, r);
            if (!retrain) return cancelled();
            addRow(rowOf(method, f, retrain, search, parent, best->fitness));
        }
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const MoeDenseStudyRow& r : rows_)
        rows.push_back(r.toJson());
    publish(Event::make(
        runId_, "moe_study_result",
        {{"rows", rows},
         {"retrain_updates", retrainUpdates},
         {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}}));
    stage(stage::kMoeStudy, stage::kFinished);
    setStatus(RunStatus::Finished);
}

} // namespace automoe
