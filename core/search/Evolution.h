// The evolutionary search of AutoMoE / HAT under a budget: a random feasible population, then per
// generation the K best parents survive and M mutated and C crossed children join them. Improves on the
// reference: no architecture is ever evaluated twice (cache by canonical key), the whole evaluated set is
// kept, and the Pareto front (fitness vs a cost) and its hypervolume are tracked per generation. Optional
// NSGA-II survivor selection. Deterministic for a seed and an evaluator; resumable from JSON.
#pragma once

#include "search/CandidateEvaluator.h"
#include "search/Constraint.h"
#include "search/Pareto.h"
#include "space/SearchSpace.h"
#include "store/RunRecords.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace automoe {

struct EvolutionConfig {
    int population = 125;      // P: random architectures of generation 0
    int parents = 25;          // K: survivors of each generation (elitism)
    int mutations = 50;        // M: children by mutation per generation
    double mutationProb = 0.3; // p: probability that a gene is resampled
    int crossovers = 50;       // C: children by crossover per generation
    int iterations = 30;       // I: generations, generation 0 included (HAT's evo-iter)
    std::uint64_t seed = 1;
    bool nsga2 = false; // NSGA-II survivors (rank, crowding over fitness and the costs) instead of fitness
    int maxAttempts = 1000; // draws per child before the search gives up on a budget
    // Architectures per fitness() call; 0 = all new ones of a generation. Cancellation is polled before
    // each call, so 1 (the default) stops within one evaluation; larger batches trade that for throughput.
    int batchSize = 1;
    CostMetric frontCost = CostMetric::Flops; // the cost axis of the Pareto front and the hypervolume
    // NSGA-II objectives besides fitness; empty = frontCost only.
    std::vector<CostMetric> selectionCosts;
    // Hypervolume reference point; unset = chosen after generation 0 (see Evolution::reference()).
    std::optional<ParetoPoint> reference;

    // Throws SearchError naming the field ("parents", "mutationProb", ...) of the first bad value.
    void validate() const;
    nlohmann::json toJson() const;
    static EvolutionConfig fromJson(const nlohmann::json& j);
};

// One evaluated architecture. Only feasible architectures are evaluated.
struct EvaluatedCandidate {
    Architecture arch; // canonical
    std::string key;   // arch.key()
    int generation = 0;
    std::size_t index = 0; // position in evaluation order (Evolution::evaluated())
    double fitness = 0;    // lower is better
    CandidateCosts costs;
};

struct GenerationSummary {
    int generation = 0;
    // Indices into Evolution::evaluated(): the surviving parents, then this generation's new candidates.
    std::vector<std::size_t> population;
    // Pareto front of everything evaluated up to this generation (fitness vs frontCost), sorted by cost.
    std::vector<std::size_t> front;
    double hypervolume = 0;
    std::size_t best = 0; // index of the population's lowest fitness (earliest on ties)
    double bestFitness = 0;
    int evaluatedCount = 0; // new candidates evaluated in this generation
    int rejectedBudget = 0; // draws redrawn because they broke a constraint
    int rejectedKnown = 0;  // draws redrawn because they were evaluated already or drawn twice
    int skipped = 0;        // children given up because every draw was already known
};

struct EvolutionCallbacks {
    std::function<void(const EvaluatedCandidate&)> candidateEvaluated;
    std::function<void(const GenerationSummary&)> generationFinished;
    // Polled before every fitness batch; true stops the search (see Evolution::run()).
    std::function<bool()> cancelled;
};

class Evolution {
public:
    // Throws SearchError for an invalid config, or when the constraints name a latency the front needs
    // but the evaluator does not supply (detected at the first candidate).
    Evolution(SearchSpace space, CandidateEvaluator& evaluator, std::vector<Constraint> constraints,
              EvolutionConfig config);

    void setCallbacks(EvolutionCallbacks callbacks) { callbacks_ = std::move(callbacks); }

    // Runs the remaining generations. Returns false when cancelled: the candidates evaluated so far stay
    // in evaluated(), generations() holds only the finished generations, and the search stays stopped
    // until resume(). Throws SearchError when a budget cannot be met (naming the constraint) or the
    // evaluator misbehaves; exceptions from the evaluator propagate. After a cancellation or an exception
    // the interrupted generation restarts from its first draw (same random state, so the same candidates
    // in the same order), reusing the fitness values it already has: nothing is evaluated twice, results
    // equal an uninterrupted run, and candidates already reported are not reported again.
    bool run();
    // Runs one generation; false when cancelled or when all generations are done.
    bool step();
    // Lets run() / step() continue after a cancellation.
    void resume() { cancelled_ = false; }

    bool finished() const { return nextGeneration_ >= config_.iterations; }
    bool cancelled() const { return cancelled_; }
    int nextGeneration() const { return nextGeneration_; }

    const SearchSpace& space() const { return space_; }
    const EvolutionConfig& config() const { return config_; }
    const std::vector<Constraint>& constraints() const { return constraints_; }
    const std::vector<EvaluatedCandidate>& evaluated() const { return evaluated_; }
    const std::vector<GenerationSummary>& generations() const { return generations_; }
    // The candidate with this canonical key, or nullptr when it was never evaluated.
    const EvaluatedCandidate* find(const std::string& key) const;
    // The (cost, fitness) of a candidate on the front's axes.
    ParetoPoint paretoPoint(const EvaluatedCandidate& c) const;

    // The hypervolume reference, fixed once generation 0 is evaluated: config.reference when set, else
    //   fitness = worst fitness of generation 0 + 10 % of its magnitude,
    //   cost    = the tightest budget on frontCost when there is one (every feasible point is within it),
    //             else the highest cost of generation 0 x 1.1.
    // Points on or beyond the reference add nothing. Fixing it at the start keeps hypervolumes of later
    // generations comparable, so the curve only rises.
    std::optional<ParetoPoint> reference() const { return reference_; }

    // The state after the last finished generation (plus the fitness of candidates of an interrupted one):
    // evaluated candidates, generations, reference and the random generator. Restoring it into an
    // Evolution built with the same space, constraints and config continues exactly as if never stopped.
    nlohmann::json saveState() const;
    // Throws SearchError when the state is malformed or was saved with another config or constraints.
    void restoreState(const nlohmann::json& state);

private:
    struct Draw {
        std::vector<Architecture> archs;
        std::vector<std::string> keys;
        std::vector<CandidateCosts> costs;
        std::unordered_set<std::string> keySet;
    };

    const CandidateCosts& costsOf(const Architecture& arch, const std::string& key);
    void checkBudgetReachable();
    // Adds one new feasible architecture made by `make` to `draw`, redrawing up to maxAttempts times.
    void drawOne(const std::function<Architecture()>& make, Draw& draw, GenerationSummary& summary);
    std::vector<std::size_t> selectParents(const std::vector<std::size_t>& population) const;
    std::vector<double> objectives(const EvaluatedCandidate& c) const;
    // Evaluates `draw` in batches; false when cancelled first.
    bool evaluate(const Draw& draw, int generation, std::vector<std::size_t>& added);
    void finishGeneration(GenerationSummary& summary);
    void rewindInterruptedGeneration();

    SearchSpace space_;
    CandidateEvaluator& evaluator_;
    std::vector<Constraint> constraints_;
    EvolutionConfig config_;
    EvolutionCallbacks callbacks_;

    std::mt19937_64 rng_;
    std::mt19937_64 rngAtGenerationStart_; // the random state that starts generation nextGeneration_
    int nextGeneration_ = 0;
    bool cancelled_ = false;
    std::optional<ParetoPoint> reference_;
    std::vector<EvaluatedCandidate> evaluated_;
    std::vector<GenerationSummary> generations_;
    std::unordered_map<std::string, std::size_t> byKey_;        // evaluated_ by key
    std::unordered_map<std::string, CandidateCosts> costCache_; // every architecture ever costed
    std::unordered_map<std::string, double> pendingFitness_;    // of an interrupted generation, by key
};

// Rows for the run store (DESIGN §2): every evaluated candidate, and a generation with its front.
CandidateRow toCandidateRow(const EvaluatedCandidate& c);
GenerationRow toGenerationRow(const GenerationSummary& g, const Evolution& evolution);

} // namespace automoe
