#include "search/Evolution.h"

#include "search/SearchError.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceError.h"
#include "util/Format.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

using nlohmann::json;

namespace automoe {
namespace {

json costsToJson(const CandidateCosts& c) {
    json j = {{"flops", c.flops}, {"params_active", c.paramsActive}};
    if (c.latencyMs) j["latency_ms"] = *c.latencyMs;
    if (c.predictedLatencyMs) j["predicted_latency_ms"] = *c.predictedLatencyMs;
    return j;
}

CandidateCosts costsFromJson(const json& j) {
    CandidateCosts c;
    c.flops = j.at("flops").get<double>();
    c.paramsActive = j.at("params_active").get<std::int64_t>();
    if (j.contains("latency_ms")) c.latencyMs = j.at("latency_ms").get<double>();
    if (j.contains("predicted_latency_ms")) c.predictedLatencyMs = j.at("predicted_latency_ms").get<double>();
    return c;
}

json summaryToJson(const GenerationSummary& g) {
    return {{"generation", g.generation},
            {"population", g.population},
            {"front", g.front},
            {"hypervolume", g.hypervolume},
            {"best", g.best},
            {"best_fitness", g.bestFitness},
            {"evaluated", g.evaluatedCount},
            {"rejected_budget", g.rejectedBudget},
            {"rejected_known", g.rejectedKnown},
            {"skipped", g.skipped}};
}

GenerationSummary summaryFromJson(const json& j) {
    GenerationSummary g;
    g.generation = j.at("generation").get<int>();
    g.population = j.at("population").get<std::vector<std::size_t>>();
    g.front = j.at("front").get<std::vector<std::size_t>>();
    g.hypervolume = j.at("hypervolume").get<double>();
    g.best = j.at("best").get<std::size_t>();
    g.bestFitness = j.at("best_fitness").get<double>();
    g.evaluatedCount = j.at("evaluated").get<int>();
    g.rejectedBudget = j.at("rejected_budget").get<int>();
    g.rejectedKnown = j.at("rejected_known").get<int>();
    g.skipped = j.at("skipped").get<int>();
    return g;
}

std::string rngToString(const std::mt19937_64& rng) {
    std::ostringstream os;
    os << rng;
    return os.str();
}

std::size_t pickIndex(std::size_t n, std::mt19937_64& rng) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

constexpr const char* kStateFormat = "automoe-evolution-state";
constexpr int kStateVersion = 1;

} // namespace

// ---- config ----------------------------------------------------------------------------------------

void EvolutionConfig::validate() const {
    auto check = [](bool ok, const char* field, const std::string& what) {
        if (!ok) throw SearchError(std::string("evolution config: ") + field + ": " + what);
    };
    check(population >= 1, "population", "must be at least 1, got " + std::to_string(population));
    check(parents >= 1, "parents", "must be at least 1, got " + std::to_string(parents));
    check(mutations >= 0, "mutations", "must not be negative, got " + std::to_string(mutations));
    check(crossovers >= 0, "crossovers", "must not be negative, got " + std::to_string(crossovers));
    check(mutationProb >= 0 && mutationProb <= 1, "mutationProb",
          "must lie in [0, 1], got " + formatFixed(mutationProb, 3));
    check(iterations >= 1, "iterations", "must be at least 1, got " + std::to_string(iterations));
    check(maxAttempts >= 1, "maxAttempts", "must be at least 1, got " + std::to_string(maxAttempts));
    check(batchSize >= 0, "batchSize",
          "must not be negative (0 = a whole generation), got " + std::to_string(batchSize));
    if (reference)
        check(std::isfinite(reference->cost) && std::isfinite(reference->fitness), "reference",
              "must be finite");
}

json EvolutionConfig::toJson() const {
    json costs = json::array();
    for (CostMetric m : selectionCosts)
        costs.push_back(automoe::toString(m));
    json ref = nullptr;
    if (reference) ref = {{"cost", reference->cost}, {"fitness", reference->fitness}};
    return {{"population", population},
            {"parents", parents},
            {"mutations", mutations},
            {"mutation_prob", mutationProb},
            {"crossovers", crossovers},
            {"iterations", iterations},
            {"seed", seed},
            {"nsga2", nsga2},
            {"max_attempts", maxAttempts},
            {"batch_size", batchSize},
            {"front_cost", automoe::toString(frontCost)},
            {"selection_costs", costs},
            {"reference", ref}};
}

EvolutionConfig EvolutionConfig::fromJson(const json& j) {
    EvolutionConfig c;
    try {
        c.population = j.value("population", c.population);
        c.parents = j.value("parents", c.parents);
        c.mutations = j.value("mutations", c.mutations);
        c.mutationProb = j.value("mutation_prob", c.mutationProb);
        c.crossovers = j.value("crossovers", c.crossovers);
        c.iterations = j.value("iterations", c.iterations);
        c.seed = j.value("seed", c.seed);
        c.nsga2 = j.value("nsga2", c.nsga2);
        c.maxAttempts = j.value("max_attempts", c.maxAttempts);
        c.batchSize = j.value("batch_size", c.batchSize);
        if (j.contains("front_cost"))
            c.frontCost = costMetricFromString(j.at("front_cost").get<std::string>());
        if (j.contains("selection_costs"))
            for (const json& m : j.at("selection_costs"))
                c.selectionCosts.push_back(costMetricFromString(m.get<std::string>()));
        if (j.contains("reference") && !j.at("reference").is_null())
            c.reference = ParetoPoint{j.at("reference").at("cost").get<double>(),
                                      j.at("reference").at("fitness").get<double>()};
    } catch (const json::exception& e) {
        throw SearchError(std::string("evolution config: ") + e.what());
    }
    c.validate();
    return c;
}

// ---- engine ----------------------------------------------------------------------------------------

Evolution::Evolution(SearchSpace space, CandidateEvaluator& evaluator, std::vector<Constraint> constraints,
                     EvolutionConfig config)
    : space_(std::move(space))
    , evaluator_(evaluator)
    , constraints_(std::move(constraints))
    , config_(std::move(config)) {
    config_.validate();
    space_.validate();
    rng_.seed(config_.seed);
    rngAtGenerationStart_ = rng_;
}

const EvaluatedCandidate* Evolution::find(const std::string& key) const {
    const auto it = byKey_.find(key);
    return it == byKey_.end() ? nullptr : &evaluated_[it->second];
}

ParetoPoint Evolution::paretoPoint(const EvaluatedCandidate& c) const {
    return {requireCostValue(c.costs, config_.frontCost, "the Pareto front"), c.fitness};
}

std::vector<double> Evolution::objectives(const EvaluatedCandidate& c) const {
    std::vector<double> o{c.fitness};
    if (config_.selectionCosts.empty()) {
        o.push_back(requireCostValue(c.costs, config_.frontCost, "NSGA-II selection"));
    } else {
        for (CostMetric m : config_.selectionCosts)
            o.push_back(requireCostValue(c.costs, m, "NSGA-II selection"));
    }
    return o;
}

const CandidateCosts& Evolution::costsOf(const Architecture& arch, const std::string& key) {
    auto it = costCache_.find(key);
    if (it != costCache_.end()) return it->second;
    const CandidateCosts c = evaluator_.costs(arch);
    // Fail at the first candidate, not after a generation of work, when a needed latency is missing.
    requireCostValue(c, config_.frontCost,
                     std::string("the Pareto front (cost ") + toString(config_.frontCost) + ")");
    if (config_.nsga2)
        for (CostMetric m : config_.selectionCosts)
            requireCostValue(c, m, "NSGA-II selection");
    return costCache_.emplace(key, c).first->second;
}

void Evolution::checkBudgetReachable() {
    // Costs grow with every gene, so the smallest architecture is the cheapest: if it breaks a budget,
    // no architecture meets it and drawing would only burn attempts.
    const Architecture smallest = space_.smallest().canonical();
    const CandidateCosts& c = costsOf(smallest, smallest.key());
    for (const Constraint& k : constraints_) {
        if (k.satisfiedBy(c)) continue;
        const double v = *costValue(c, k.metric);
        const bool latency =
            k.metric == CostMetric::LatencyMeasured || k.metric == CostMetric::LatencyPredicted;
        throw SearchError("no architecture of space \"" + space_.name + "\" satisfies the budget \"" +
                          k.text + "\" (" + k.describe() + "): even the smallest architecture costs " +
                          (latency ? formatFixed(v, 2) + " ms" : formatSI(v) + " " + unitOf(k.metric)));
    }
}

void Evolution::drawOne(const std::function<Architecture()>& make, Draw& draw, GenerationSummary& summary) {
    std::vector<int> rejections(constraints_.size(), 0);
    int known = 0;
    for (int attempt = 0; attempt < config_.maxAttempts; ++attempt) {
        Architecture a = make().canonical();
        std::string key = a.key();
        if (byKey_.count(key) || draw.keySet.count(key)) {
            ++known;
            ++summary.rejectedKnown;
            continue;
        }
        const CandidateCosts& c = costsOf(a, key);
        if (const Constraint* v = firstViolated(constraints_, c)) {
            ++rejections[static_cast<std::size_t>(v - constraints_.data())];
            ++summary.rejectedBudget;
            continue;
        }
        draw.keySet.insert(key);
        draw.costs.push_back(c);
        draw.keys.push_back(std::move(key));
        draw.archs.push_back(std::move(a));
        return;
    }
    const auto worst = std::max_element(rejections.begin(), rejections.end());
    if (worst == rejections.end() || *worst == 0) {
        // Every draw was an architecture we know: the neighbourhood is exhausted, not the budget.
        ++summary.skipped;
        return;
    }
    const Constraint& k = constraints_[static_cast<std::size_t>(worst - rejections.begin())];
    std::string msg = "gave up after " + std::to_string(config_.maxAttempts) +
                      " draws for a candidate of generation " + std::to_string(summary.generation) +
                      ": no draw satisfied the budget \"" + k.text + "\" (" + k.describe() +
                      "), which rejected " + std::to_string(*worst) + " of them";
    for (std::size_t i = 0; i < constraints_.size(); ++i)
        if (&constraints_[i] != &k && rejections[i] > 0)
            msg += "; \"" + constraints_[i].text + "\" rejected " + std::to_string(rejections[i]);
    if (known > 0) msg += "; " + std::to_string(known) + " were already evaluated";
    throw SearchError(msg + ". Loosen the budget or raise maxAttempts.");
}

std::vector<std::size_t> Evolution::selectParents(const std::vector<std::size_t>& population) const {
    std::vector<std::size_t> sorted = population;
    std::sort(sorted.begin(), sorted.end(), [this](std::size_t a, std::size_t b) {
        if (evaluated_[a].fitness != evaluated_[b].fitness)
            return evaluated_[a].fitness < evaluated_[b].fitness;
        return a < b;
    });
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(config_.parents), sorted.size());
    if (!config_.nsga2) {
        sorted.resize(k);
        return sorted;
    }
    // Sorted by fitness first, so that NSGA-II's index tie-break keeps the fittest: the best-fitness
    // candidate is an end of the first front (infinite crowding) and always survives.
    std::vector<std::vector<double>> points;
    for (std::size_t i : sorted)
        points.push_back(objectives(evaluated_[i]));
    std::vector<std::size_t> chosen;
    for (std::size_t i : selectNsga2(points, k))
        chosen.push_back(sorted[i]);
    std::sort(chosen.begin(), chosen.end(), [this](std::size_t a, std::size_t b) {
        if (evaluated_[a].fitness != evaluated_[b].fitness)
            return evaluated_[a].fitness < evaluated_[b].fitness;
        return a < b;
    });
    return chosen;
}

bool Evolution::evaluate(const Draw& draw, int generation, std::vector<std::size_t>& added) {
    const std::size_t n = draw.archs.size();
    const std::size_t batch =
        config_.batchSize > 0 ? static_cast<std::size_t>(config_.batchSize) : std::max<std::size_t>(n, 1);
    for (std::size_t start = 0; start < n; start += batch) {
        if (callbacks_.cancelled && callbacks_.cancelled()) {
            cancelled_ = true;
            return false;
        }
        const std::size_t end = std::min(n, start + batch);
        std::vector<Architecture> todo;
        for (std::size_t i = start; i < end; ++i)
            if (!pendingFitness_.count(draw.keys[i])) todo.push_back(draw.archs[i]);
        std::vector<double> values;
        if (!todo.empty()) {
            values = evaluator_.fitness(todo);
            if (values.size() != todo.size())
                throw SearchError("the evaluator returned " + std::to_string(values.size()) +
                                  " fitness values for " + std::to_string(todo.size()) + " architectures");
        }
        std::size_t next = 0;
        for (std::size_t i = start; i < end; ++i) {
            EvaluatedCandidate c;
            const auto pending = pendingFitness_.find(draw.keys[i]);
            const bool reported = pending != pendingFitness_.end();
            if (reported) {
                c.fitness = pending->second;
                pendingFitness_.erase(pending);
            } else {
                c.fitness = values[next++];
            }
            if (std::isnan(c.fitness))
                throw SearchError("the evaluator returned NaN fitness for architecture " + draw.keys[i]);
            c.arch = draw.archs[i];
            c.key = draw.keys[i];
            c.generation = generation;
            c.index = evaluated_.size();
            c.costs = draw.costs[i];
            byKey_.emplace(c.key, c.index);
            added.push_back(c.index);
            evaluated_.push_back(std::move(c));
            if (callbacks_.candidateEvaluated && !reported) callbacks_.candidateEvaluated(evaluated_.back());
        }
    }
    return true;
}

void Evolution::finishGeneration(GenerationSummary& summary) {
    if (!reference_) {
        if (config_.reference) {
            reference_ = config_.reference;
        } else {
            double worst = -std::numeric_limits<double>::infinity();
            double maxCost = 0;
            for (std::size_t i : summary.population) {
                worst = std::max(worst, evaluated_[i].fitness);
                maxCost = std::max(maxCost, paretoPoint(evaluated_[i]).cost);
            }
            std::optional<double> budget;
            for (const Constraint& k : constraints_)
                if (k.metric == config_.frontCost) budget = budget ? std::min(*budget, k.limit) : k.limit;
            reference_ = ParetoPoint{budget ? *budget : maxCost * 1.1,
                                     worst + std::max(0.1 * std::fabs(worst), 1e-12)};
        }
    }
    summary.best = summary.population.front();
    for (std::size_t i : summary.population)
        if (evaluated_[i].fitness < evaluated_[summary.best].fitness ||
            (evaluated_[i].fitness == evaluated_[summary.best].fitness && i < summary.best))
            summary.best = i;
    summary.bestFitness = evaluated_[summary.best].fitness;
    std::vector<ParetoPoint> points;
    points.reserve(evaluated_.size());
    for (const EvaluatedCandidate& c : evaluated_)
        points.push_back(paretoPoint(c));
    summary.front = paretoFront(points);
    summary.hypervolume = hypervolume2D(points, *reference_);
}

void Evolution::rewindInterruptedGeneration() {
    while (!evaluated_.empty() && evaluated_.back().generation >= nextGeneration_) {
        pendingFitness_[evaluated_.back().key] = evaluated_.back().fitness;
        byKey_.erase(evaluated_.back().key);
        evaluated_.pop_back();
    }
    rng_ = rngAtGenerationStart_;
}

bool Evolution::step() {
    if (cancelled_ || finished()) return false;
    rewindInterruptedGeneration();
    if (callbacks_.cancelled && callbacks_.cancelled()) {
        cancelled_ = true;
        return false;
    }
    GenerationSummary summary;
    summary.generation = nextGeneration_;
    Draw draw;
    std::vector<std::size_t> parents;
    if (nextGeneration_ == 0) {
        checkBudgetReachable();
        for (int i = 0; i < config_.population; ++i)
            drawOne([this] { return space_.sample(rng_); }, draw, summary);
    } else {
        parents = selectParents(generations_.back().population);
        auto parent = [&]() -> const Architecture& {
            return evaluated_[parents[pickIndex(parents.size(), rng_)]].arch;
        };
        for (int i = 0; i < config_.mutations; ++i)
            drawOne([&] { return space_.mutate(parent(), config_.mutationProb, rng_); }, draw, summary);
        for (int i = 0; i < config_.crossovers; ++i) {
            drawOne(
                [&] {
                    const std::size_t a = pickIndex(parents.size(), rng_);
                    std::size_t b = a;
                    if (parents.size() > 1) {
                        b = pickIndex(parents.size() - 1, rng_);
                        if (b >= a) ++b;
                    }
                    return space_.crossover(evaluated_[parents[a]].arch, evaluated_[parents[b]].arch, rng_);
                },
                draw, summary);
        }
    }
    std::vector<std::size_t> added;
    if (!evaluate(draw, nextGeneration_, added)) return false;
    summary.population = parents;
    summary.population.insert(summary.population.end(), added.begin(), added.end());
    summary.evaluatedCount = static_cast<int>(added.size());
    if (summary.population.empty())
        throw SearchError("generation " + std::to_string(nextGeneration_) + " has no candidates");
    finishGeneration(summary);
    generations_.push_back(summary);
    ++nextGeneration_;
    rngAtGenerationStart_ = rng_;
    if (callbacks_.generationFinished) callbacks_.generationFinished(generations_.back());
    return true;
}

bool Evolution::run() {
    while (step()) {
    }
    return !cancelled_;
}

// ---- state -----------------------------------------------------------------------------------------

json Evolution::saveState() const {
    json candidates = json::array();
    json pending = json::array();
    for (const EvaluatedCandidate& c : evaluated_) {
        if (c.generation < nextGeneration_) {
            candidates.push_back({{"arch", architectureToJson(c.arch)},
                                  {"generation", c.generation},
                                  {"fitness", c.fitness},
                                  {"costs", costsToJson(c.costs)}});
        } else {
            pending.push_back({{"key", c.key}, {"fitness", c.fitness}});
        }
    }
    for (const auto& [key, fitness] : pendingFitness_)
        pending.push_back({{"key", key}, {"fitness", fitness}});
    std::sort(pending.begin(), pending.end(), [](const json& a, const json& b) {
        return a.at("key").get<std::string>() < b.at("key").get<std::string>();
    });
    json generations = json::array();
    for (const GenerationSummary& g : generations_)
        generations.push_back(summaryToJson(g));
    json constraints = json::array();
    for (const Constraint& k : constraints_)
        constraints.push_back(k.toString());
    json ref = nullptr;
    if (reference_) ref = {{"cost", reference_->cost}, {"fitness", reference_->fitness}};
    // An interrupted generation restarts from its first draw.
    const std::mt19937_64& rng = rngAtGenerationStart_;
    return {{"format", kStateFormat},     {"version", kStateVersion},   {"space", space_.name},
            {"config", config_.toJson()}, {"constraints", constraints}, {"next_generation", nextGeneration_},
            {"rng", rngToString(rng)},    {"reference", ref},           {"candidates", candidates},
            {"generations", generations}, {"pending", pending}};
}

void Evolution::restoreState(const json& state) {
    auto bad = [](const std::string& what) { throw SearchError("evolution state: " + what); };
    if (!state.is_object() || state.value("format", std::string()) != kStateFormat)
        bad(std::string("not an evolution state (expected \"format\": \"") + kStateFormat + "\")");
    if (state.value("version", 0) != kStateVersion)
        bad("unsupported version " + state.value("version", json()).dump() + " (expected " +
            std::to_string(kStateVersion) + ")");
    // The batch size sets only how often cancellation is polled (a distributed search evaluates whole
    // generations), so a state saved with another one continues this search all the same.
    json savedConfig = state.at("config"), ownConfig = config_.toJson();
    if (savedConfig.is_object()) savedConfig.erase("batch_size");
    ownConfig.erase("batch_size");
    if (savedConfig != ownConfig)
        bad("saved with another config: " + state.at("config").dump() + ", this search has " +
            config_.toJson().dump());
    json constraints = json::array();
    for (const Constraint& k : constraints_)
        constraints.push_back(k.toString());
    if (state.at("constraints") != constraints)
        bad("saved with other constraints: " + state.at("constraints").dump() + ", this search has " +
            constraints.dump());

    std::vector<EvaluatedCandidate> evaluated;
    std::unordered_map<std::string, std::size_t> byKey;
    std::unordered_map<std::string, CandidateCosts> costCache;
    std::unordered_map<std::string, double> pendingFitness;
    std::vector<GenerationSummary> generations;
    std::optional<ParetoPoint> reference;
    std::mt19937_64 rng;
    int nextGeneration = 0;
    try {
        nextGeneration = state.at("next_generation").get<int>();
        for (const json& j : state.at("candidates")) {
            EvaluatedCandidate c;
            c.arch = architectureFromJson(j.at("arch")).canonical();
            std::string why;
            if (!space_.contains(c.arch, &why))
                bad("candidate " + std::to_string(evaluated.size()) + " is not in space \"" + space_.name +
                    "\": " + why);
            c.key = c.arch.key();
            c.generation = j.at("generation").get<int>();
            c.index = evaluated.size();
            c.fitness = j.at("fitness").get<double>();
            c.costs = costsFromJson(j.at("costs"));
            if (!byKey.emplace(c.key, c.index).second) bad("candidate " + c.key + " appears twice");
            costCache.emplace(c.key, c.costs);
            evaluated.push_back(std::move(c));
        }
        for (const json& j : state.at("generations")) {
            GenerationSummary g = summaryFromJson(j);
            for (std::size_t i : g.population)
                if (i >= evaluated.size())
                    bad("generation " + std::to_string(g.generation) + " names a missing candidate");
            for (std::size_t i : g.front)
                if (i >= evaluated.size())
                    bad("generation " + std::to_string(g.generation) + " names a missing candidate");
            generations.push_back(std::move(g));
        }
        for (const json& j : state.at("pending"))
            pendingFitness[j.at("key").get<std::string>()] = j.at("fitness").get<double>();
        if (!state.at("reference").is_null())
            reference = ParetoPoint{state.at("reference").at("cost").get<double>(),
                                    state.at("reference").at("fitness").get<double>()};
        std::istringstream is(state.at("rng").get<std::string>());
        is >> rng;
        if (is.fail()) bad("\"rng\" is not a saved random generator state");
    } catch (const json::exception& e) {
        bad(e.what());
    } catch (const SpaceError& e) {
        bad(e.what());
    }
    if (static_cast<int>(generations.size()) != nextGeneration)
        bad("has " + std::to_string(generations.size()) + " generations but next_generation " +
            std::to_string(nextGeneration));

    evaluated_ = std::move(evaluated);
    byKey_ = std::move(byKey);
    costCache_ = std::move(costCache);
    pendingFitness_ = std::move(pendingFitness);
    generations_ = std::move(generations);
    reference_ = reference;
    rng_ = rng;
    rngAtGenerationStart_ = rng;
    nextGeneration_ = nextGeneration;
    cancelled_ = false;
}

// ---- run store rows --------------------------------------------------------------------------------

CandidateRow toCandidateRow(const EvaluatedCandidate& c) {
    CandidateRow r;
    r.generation = c.generation;
    r.architecture.key = c.key;
    r.architecture.json = architectureToJson(c.arch);
    r.fitness = c.fitness;
    r.flops = c.costs.flops;
    r.paramsActive = c.costs.paramsActive;
    r.latencyMs = c.costs.latencyMs;
    r.predictedLatencyMs = c.costs.predictedLatencyMs;
    r.feasible = true; // only feasible architectures are evaluated
    return r;
}

GenerationRow toGenerationRow(const GenerationSummary& g, const Evolution& evolution) {
    GenerationRow r;
    r.generation = g.generation;
    r.hypervolume = g.hypervolume;
    if (const std::optional<ParetoPoint> ref = evolution.reference()) {
        r.referenceCost = ref->cost;
        r.referenceFitness = ref->fitness;
    }
    r.costMetric = toString(evolution.config().frontCost);
    for (std::size_t i : g.front) {
        const EvaluatedCandidate& c = evolution.evaluated().at(i);
        json p = {{"arch_key", c.key},
                  {"generation", c.generation},
                  {"fitness", c.fitness},
                  {"cost", evolution.paretoPoint(c).cost},
                  {"cost_metric", toString(evolution.config().frontCost)}};
        p.update(costsToJson(c.costs));
        r.front.push_back(std::move(p));
    }
    return r;
}

} // namespace automoe
