// Pins the evolutionary search on the bundled `tiny` space with a synthetic evaluator: the budget holds
// for every candidate, no architecture is evaluated twice, the best fitness never worsens, fronts are
// non-dominated, seeds reproduce, cancellation is prompt, resuming is exact, and impossible budgets fail
// with a message naming the constraint. Also prints the engine's own throughput.
#include "search/CandidateEvaluator.h"
#include "search/Evolution.h"
#include "search/SearchError.h"
#include "space/SpaceIO.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

using namespace automoe;

namespace {

// Prefers wide, deep, many-expert architectures: fitness falls smoothly with every gene, so that the
// budget, not the fitness, decides where the search ends up.
double syntheticLoss(const Architecture& a) {
    double capacity = 0;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackGene& g = a.stack(st);
        capacity += 0.4 * g.embedDim / 256.0;
        for (const LayerGene& l : g.layers) {
            double widths = 0;
            for (int w : l.expertWidths)
                widths += w / 768.0;
            capacity += 0.3 + 0.2 * widths / l.experts() + 0.05 * l.experts() + 0.02 * l.selfHeads;
        }
    }
    return 6.0 * std::exp(-0.25 * capacity);
}

// Counts every call per architecture key; optionally hooks into each fitness value.
class CountingEvaluator : public CandidateEvaluator {
public:
    std::map<std::string, int> costCalls;
    std::map<std::string, int> fitnessCalls;
    int batches = 0;
    bool trivial = false; // fitness from the key's hash: no arithmetic on genes
    int failAtBatch = -1; // this fitness() call throws, as a crashed validation would

    CandidateCosts costs(const Architecture& arch) override {
        if (!trivial) ++costCalls[arch.key()];
        return costModelCosts(arch);
    }
    std::vector<double> fitness(const std::vector<Architecture>& archs) override {
        if (++batches == failAtBatch) throw std::runtime_error("validation crashed");
        std::vector<double> out;
        for (const Architecture& a : archs) {
            if (trivial) {
                out.push_back(static_cast<double>(a.hash() % 1000) / 1000.0);
                continue;
            }
            ++fitnessCalls[a.key()];
            out.push_back(syntheticLoss(a));
        }
        return out;
    }
};

const SearchSpace& tiny() {
    static const SearchSpace space = loadSpaceByNameOrPath("tiny");
    return space;
}

// A FLOPs budget 30 % of the way from the cheapest to the dearest architecture.
double budgetFlops() {
    const double lo = costModelCosts(tiny().smallest()).flops;
    const double hi = costModelCosts(tiny().largest()).flops;
    return std::floor(lo + 0.3 * (hi - lo));
}

std::vector<Constraint> budget() {
    return {parseConstraint("flops<=" + std::to_string(static_cast<long long>(budgetFlops())))};
}

EvolutionConfig smallConfig(std::uint64_t seed = 7, bool nsga2 = false) {
    EvolutionConfig c;
    c.population = 20;
    c.parents = 5;
    c.mutations = 10;
    c.crossovers = 10;
    c.mutationProb = 0.3;
    c.iterations = 8;
    c.seed = seed;
    c.nsga2 = nsga2;
    return c;
}

struct Trace {
    std::vector<std::string> keys;
    std::vector<double> fitness;
    std::vector<int> generation;
    bool operator==(const Trace& o) const {
        return keys == o.keys && fitness == o.fitness && generation == o.generation;
    }
};

Trace traceOf(const Evolution& e) {
    Trace t;
    for (const EvaluatedCandidate& c : e.evaluated()) {
        t.keys.push_back(c.key);
        t.fitness.push_back(c.fitness);
        t.generation.push_back(c.generation);
    }
    return t;
}

} // namespace

class TestEvolution : public QObject {
    Q_OBJECT

private slots:
    void everyCandidateMeetsTheBudgetAndIsEvaluatedOnce_data() {
        QTest::addColumn<bool>("nsga2");
        QTest::newRow("elitism") << false;
        QTest::newRow("nsga2") << true;
    }

    void everyCandidateMeetsTheBudgetAndIsEvaluatedOnce() {
        QFETCH(bool, nsga2);
        CountingEvaluator ev;
        EvolutionConfig config = smallConfig(7, nsga2);
        config.batchSize = 0;
        Evolution evo(tiny(), ev, budget(), config);
        int seen = 0, generationsSeen = 0;
        evo.setCallbacks({[&](const EvaluatedCandidate& c) { QCOMPARE(c.index, std::size_t(seen++)); },
                          [&](const GenerationSummary& g) { QCOMPARE(g.generation, generationsSeen++); },
                          {}});
        QVERIFY(evo.run());
        QVERIFY(evo.finished());
        QCOMPARE(generationsSeen, 8);
        QCOMPARE(std::size_t(seen), evo.evaluated().size());
        QCOMPARE(evo.evaluated().size(), std::size_t(20 + 7 * 20));

        const double limit = budgetFlops();
        std::set<std::string> keys;
        for (const EvaluatedCandidate& c : evo.evaluated()) {
            QVERIFY2(c.costs.flops <= limit, c.key.c_str());
            QCOMPARE(c.costs, costModelCosts(c.arch));
            QVERIFY(tiny().contains(c.arch));
            QCOMPARE(c.key, c.arch.key());
            QVERIFY2(keys.insert(c.key).second, c.key.c_str());
            QCOMPARE(ev.fitnessCalls.at(c.key), 1);
            QCOMPARE(c.fitness, syntheticLoss(c.arch));
        }
        QCOMPARE(ev.fitnessCalls.size(), evo.evaluated().size());
        for (const auto& [key, n] : ev.costCalls)
            QVERIFY2(n == 1, key.c_str());
        QVERIFY(ev.costCalls.size() > evo.evaluated().size()); // some draws broke the budget
        // One fitness batch per generation by default.
        QCOMPARE(ev.batches, 8);
        int rejected = 0;
        for (const GenerationSummary& g : evo.generations()) {
            QCOMPARE(g.evaluatedCount, 20);
            QCOMPARE(g.population.size(), std::size_t(g.generation == 0 ? 20 : 25));
            rejected += g.rejectedBudget;
        }
        QVERIFY(rejected > 0);
    }

    void bestFitnessNeverWorsensAndFrontsAreNonDominated_data() {
        everyCandidateMeetsTheBudgetAndIsEvaluatedOnce_data();
    }

    void bestFitnessNeverWorsensAndFrontsAreNonDominated() {
        QFETCH(bool, nsga2);
        CountingEvaluator ev;
        Evolution evo(tiny(), ev, budget(), smallConfig(11, nsga2));
        QVERIFY(evo.run());
        const auto& all = evo.evaluated();
        QVERIFY(evo.reference().has_value());
        QCOMPARE(evo.reference()->cost, budgetFlops()); // the budget bounds the front
        double previousBest = HUGE_VAL, previousVolume = 0;
        // Recomputed from the candidates alone, generation by generation, it is what the evolution stored.
        std::vector<ParetoPoint> cloud;
        std::vector<long long> cloudGenerations;
        for (const EvaluatedCandidate& c : all) {
            cloud.push_back(evo.paretoPoint(c));
            cloudGenerations.push_back(c.generation);
        }
        const std::vector<double> recomputed =
            hypervolumeByGeneration(cloud, cloudGenerations, *evo.reference());
        QCOMPARE(recomputed.size(), evo.generations().size());
        for (const GenerationSummary& g : evo.generations())
            QCOMPARE(recomputed[std::size_t(g.generation)], g.hypervolume);
        for (const GenerationSummary& g : evo.generations()) {
            QVERIFY2(g.bestFitness <= previousBest, qPrintable(QString::number(g.generation)));
            previousBest = g.bestFitness;
            QVERIFY(g.hypervolume >= previousVolume);
            previousVolume = g.hypervolume;

            std::vector<ParetoPoint> points;
            for (const EvaluatedCandidate& c : all)
                if (c.generation <= g.generation) points.push_back(evo.paretoPoint(c));
            QVERIFY(!g.front.empty());
            QCOMPARE(g.hypervolume, hypervolume2D(points, *evo.reference()));
            // The stored row carries the hypervolume with its reference point.
            const GenerationRow row = toGenerationRow(g, evo);
            QCOMPARE(row.hypervolume, g.hypervolume);
            QCOMPARE(row.referenceCost, std::optional<double>(evo.reference()->cost));
            QCOMPARE(row.referenceFitness, std::optional<double>(evo.reference()->fitness));
            for (std::size_t k = 0; k < g.front.size(); ++k) {
                const ParetoPoint f = evo.paretoPoint(all[g.front[k]]);
                QVERIFY(all[g.front[k]].generation <= g.generation);
                if (k > 0) QVERIFY(evo.paretoPoint(all[g.front[k - 1]]).cost <= f.cost);
                for (const ParetoPoint& p : points)
                    QVERIFY(!dominates(p, f));
            }
            // Everything off the front is dominated by (or equal to) a front member.
            const std::set<std::size_t> onFront(g.front.begin(), g.front.end());
            for (std::size_t i = 0; i < points.size(); ++i) {
                if (onFront.count(i)) continue;
                bool covered = false;
                for (std::size_t f : g.front) {
                    const ParetoPoint q = evo.paretoPoint(all[f]);
                    covered |= dominates(q, points[i]) ||
                               (q.cost == points[i].cost && q.fitness == points[i].fitness);
                }
                QVERIFY(covered);
            }
        }
        // The search improves on its random start.
        QVERIFY(evo.generations().back().bestFitness < evo.generations().front().bestFitness);
        QVERIFY(evo.generations().back().hypervolume > evo.generations().front().hypervolume);
    }

    void sameSeedReproducesDifferentSeedDoesNot() {
        CountingEvaluator a, b, c;
        Evolution ea(tiny(), a, budget(), smallConfig(7));
        Evolution eb(tiny(), b, budget(), smallConfig(7));
        Evolution ec(tiny(), c, budget(), smallConfig(8));
        QVERIFY(ea.run() && eb.run() && ec.run());
        QVERIFY(traceOf(ea) == traceOf(eb));
        QCOMPARE(ea.saveState(), eb.saveState());
        QVERIFY(traceOf(ea).keys != traceOf(ec).keys);
    }

    void cancellationStopsWithinOneEvaluation() {
        CountingEvaluator ev;
        Evolution evo(tiny(), ev, budget(), smallConfig()); // default batches of one
        bool stop = false;
        evo.setCallbacks({[&](const EvaluatedCandidate&) { stop = evo.evaluated().size() >= 27; },
                          {},
                          [&] { return stop; }});
        QVERIFY(!evo.run());
        QVERIFY(evo.cancelled());
        QCOMPARE(evo.evaluated().size(), std::size_t(27));
        QCOMPARE(ev.fitnessCalls.size(), std::size_t(27));
        QCOMPARE(ev.batches, 27);
        QCOMPARE(evo.generations().size(), std::size_t(1)); // generation 1 was interrupted
        QVERIFY(!evo.step());
    }

    void resumingAnInterruptedSearchIsExact() {
        CountingEvaluator whole;
        Evolution reference(tiny(), whole, budget(), smallConfig());
        QVERIFY(reference.run());

        CountingEvaluator first;
        EvolutionConfig config = smallConfig();
        config.batchSize = 0;
        Evolution interrupted(tiny(), first, budget(), config);
        int evaluations = 0;
        interrupted.setCallbacks(
            {[&](const EvaluatedCandidate&) { ++evaluations; }, {}, [&] { return evaluations >= 50; }});
        // Whole generations are one batch: the cancel is seen before generation 3 (after 60 evaluations).
        QVERIFY(!interrupted.run());
        QCOMPARE(interrupted.generations().size(), std::size_t(3));
        QCOMPARE(interrupted.evaluated().size(), std::size_t(60));

        config.batchSize = 3;
        CountingEvaluator second;
        Evolution midGeneration(tiny(), second, budget(), config);
        evaluations = 0;
        midGeneration.setCallbacks(
            {[&](const EvaluatedCandidate&) { ++evaluations; }, {}, [&] { return evaluations >= 50; }});
        QVERIFY(!midGeneration.run());
        // Batches of 3 within generation 2: stopped after 52 evaluations, generation 2 unfinished.
        QCOMPARE(midGeneration.evaluated().size(), std::size_t(52));
        QCOMPARE(midGeneration.generations().size(), std::size_t(2));

        for (Evolution* stopped : {&interrupted, &midGeneration}) {
            const nlohmann::json state = nlohmann::json::parse(stopped->saveState().dump());
            CountingEvaluator rest;
            Evolution resumed(tiny(), rest, budget(), stopped->config());
            resumed.restoreState(state);
            QVERIFY(resumed.run());
            QVERIFY(traceOf(resumed) == traceOf(reference));
            QCOMPARE(resumed.generations().size(), reference.generations().size());
            for (std::size_t g = 0; g < reference.generations().size(); ++g) {
                QCOMPARE(resumed.generations()[g].population, reference.generations()[g].population);
                QCOMPARE(resumed.generations()[g].front, reference.generations()[g].front);
                QCOMPARE(resumed.generations()[g].hypervolume, reference.generations()[g].hypervolume);
            }
            // Nothing evaluated before the interruption is evaluated again.
            for (const EvaluatedCandidate& c : stopped->evaluated())
                QVERIFY2(!rest.fitnessCalls.count(c.key), c.key.c_str());
        }
    }

    void resumingInPlaceAfterCancelOrErrorIsExact() {
        CountingEvaluator whole;
        Evolution reference(tiny(), whole, budget(), smallConfig());
        QVERIFY(reference.run());

        // Cancelled twice inside generations, then resumed: same candidates, each reported once.
        CountingEvaluator ev;
        Evolution evo(tiny(), ev, budget(), smallConfig());
        std::vector<std::size_t> reported;
        std::size_t stopAt = 33;
        evo.setCallbacks({[&](const EvaluatedCandidate& c) { reported.push_back(c.index); },
                          {},
                          [&] {
                              if (evo.evaluated().size() != stopAt) return false;
                              stopAt = 0; // one shot: the rewound generation passes this size again
                              return true;
                          }});
        QVERIFY(!evo.run());
        QCOMPARE(evo.evaluated().size(), std::size_t(33));
        QVERIFY(!evo.run()); // stays stopped
        evo.resume();
        stopAt = 77;
        QVERIFY(!evo.run());
        evo.resume();
        QVERIFY(evo.run());
        QVERIFY(traceOf(evo) == traceOf(reference));
        std::vector<std::size_t> expected(reference.evaluated().size());
        std::iota(expected.begin(), expected.end(), std::size_t{0});
        QCOMPARE(reported, expected);
        for (const auto& [key, n] : ev.fitnessCalls)
            QVERIFY2(n == 1, key.c_str());

        // The evaluator fails once in the middle of generation 2; the caller retries.
        CountingEvaluator flaky;
        Evolution retried(tiny(), flaky, budget(), smallConfig());
        flaky.failAtBatch = 50;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, retried.run());
        QCOMPARE(retried.evaluated().size(), std::size_t(49));
        QCOMPARE(retried.generations().size(), std::size_t(2));
        QVERIFY(retried.run());
        QVERIFY(traceOf(retried) == traceOf(reference));
        for (const auto& [key, n] : flaky.fitnessCalls)
            QVERIFY2(n == 1, key.c_str());
    }

    void restoringIntoAnotherSearchIsRefused() {
        CountingEvaluator ev;
        Evolution evo(tiny(), ev, budget(), smallConfig());
        QVERIFY(evo.step());
        Evolution other(tiny(), ev, budget(), smallConfig(99));
        try {
            other.restoreState(evo.saveState());
            QFAIL("no error");
        } catch (const SearchError& e) {
            QVERIFY2(QString(e.what()).contains("saved with another config"), e.what());
        }
        Evolution looser(tiny(), ev, {parseConstraint("flops<=1T")}, smallConfig());
        QVERIFY_THROWS_EXCEPTION(SearchError, looser.restoreState(evo.saveState()));
        QVERIFY_THROWS_EXCEPTION(SearchError, looser.restoreState(nlohmann::json{{"format", "x"}}));
    }

    // A distributed search evaluates whole generations (batch size 0); one process resumes its state with
    // the default batch size 1 and ends as the uninterrupted search does.
    void aStateSavedWithAnotherBatchSizeContinues() {
        CountingEvaluator ev;
        Evolution reference(tiny(), ev, budget(), smallConfig());
        QVERIFY(reference.run());
        EvolutionConfig whole = smallConfig();
        whole.batchSize = 0;
        CountingEvaluator ev0;
        Evolution first(tiny(), ev0, budget(), whole);
        QVERIFY(first.step());
        QVERIFY(first.step());
        CountingEvaluator ev1;
        Evolution resumed(tiny(), ev1, budget(), smallConfig());
        resumed.restoreState(first.saveState());
        QVERIFY(resumed.run());
        QVERIFY(traceOf(resumed) == traceOf(reference));
        QCOMPARE(resumed.generations().size(), std::size_t(8));
    }

    void impossibleBudgetNamesTheConstraint() {
        CountingEvaluator ev;
        Evolution evo(tiny(), ev, {parseConstraint("params<=100M"), parseConstraint("flops <= 1K")},
                      smallConfig());
        try {
            evo.run();
            QFAIL("no error");
        } catch (const SearchError& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("no architecture of space \"tiny\" satisfies the budget \"flops <= 1K\""),
                     e.what());
            QVERIFY2(what.contains("even the smallest architecture costs"), e.what());
        }
        QVERIFY(ev.fitnessCalls.empty());
    }

    void tightBudgetGivesUpAfterMaxAttempts() {
        // Only the very cheapest architectures fit: random draws almost never find one.
        const double smallest = costModelCosts(tiny().smallest()).flops;
        CountingEvaluator ev;
        EvolutionConfig config = smallConfig();
        config.maxAttempts = 50;
        const std::string text = "flops<=" + std::to_string(static_cast<long long>(smallest));
        Evolution evo(tiny(), ev, {parseConstraint(text)}, config);
        try {
            evo.run();
            QFAIL("no error");
        } catch (const SearchError& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("gave up after 50 draws for a candidate of generation 0"), e.what());
            QVERIFY2(what.contains(QString::fromStdString("no draw satisfied the budget \"" + text + "\"")),
                     e.what());
            QVERIFY2(what.contains("raise maxAttempts"), e.what());
        }
    }

    void latencyComesFromTheEvaluator() {
        // Latency as a function of FLOPs; the front and the budget use it instead of FLOPs.
        CostModelEvaluator ev([](const std::vector<Architecture>& archs) {
            std::vector<double> out;
            for (const Architecture& a : archs)
                out.push_back(syntheticLoss(a));
            return out;
        });
        EvolutionConfig config = smallConfig();
        config.iterations = 3;
        config.frontCost = CostMetric::LatencyPredicted;
        const double limitMs = std::floor(budgetFlops() / 1e6);
        const std::vector<Constraint> budget =
            parseConstraints("latency<=" + std::to_string(static_cast<int>(limitMs)) + "ms", true);
        {
            Evolution missing(tiny(), ev, budget, config);
            try {
                missing.run();
                QFAIL("no error");
            } catch (const SearchError& e) {
                QVERIFY2(QString(e.what()).contains("needs predicted latency"), e.what());
            }
        }
        ev.setPredictedLatency([](const Architecture& a) { return costModelCosts(a).flops / 1e6; });
        Evolution evo(tiny(), ev, budget, config);
        QVERIFY(evo.run());
        for (const EvaluatedCandidate& c : evo.evaluated()) {
            QVERIFY(c.costs.predictedLatencyMs.has_value());
            QVERIFY(*c.costs.predictedLatencyMs <= limitMs);
            QVERIFY(!c.costs.latencyMs.has_value());
        }
        QCOMPARE(evo.reference()->cost, limitMs);
        const GenerationRow row = toGenerationRow(evo.generations().back(), evo);
        QCOMPARE(row.front.size(), evo.generations().back().front.size());
        QCOMPARE(row.front[0]["cost_metric"].get<std::string>(), std::string("predicted_latency"));
        const CandidateRow candidate = toCandidateRow(evo.evaluated().front());
        QCOMPARE(candidate.architecture.key, evo.evaluated().front().key);
        QCOMPARE(candidate.predictedLatencyMs, evo.evaluated().front().costs.predictedLatencyMs);
        QCOMPARE(candidate.generation, std::int64_t(0));
        QVERIFY(candidate.feasible);
    }

    void configErrorsNameTheField() {
        CountingEvaluator ev;
        EvolutionConfig config = smallConfig();
        config.parents = 0;
        try {
            Evolution evo(tiny(), ev, {}, config);
            QFAIL("no error");
        } catch (const SearchError& e) {
            QVERIFY2(QString(e.what()).contains("evolution config: parents: must be at least 1"), e.what());
        }
        config = smallConfig();
        config.mutationProb = 1.5;
        QVERIFY_THROWS_EXCEPTION(SearchError, Evolution(tiny(), ev, {}, config));
        config = smallConfig(3, true);
        config.selectionCosts = {CostMetric::Flops, CostMetric::ParamsActive};
        config.reference = ParetoPoint{1e9, 10};
        QCOMPARE(EvolutionConfig::fromJson(config.toJson()).toJson(), config.toJson());
    }

    void engineOverhead() {
        // Candidates per second of the engine alone: analytic costs, constraint check, cache, selection,
        // front and hypervolume per generation, with a fitness that costs nothing. A figure (median of
        // three runs), not a timed assertion.
        const std::vector<Constraint> constraints = budget();
        EvolutionConfig config;
        config.population = 50;
        config.parents = 10;
        config.mutations = 20;
        config.crossovers = 20;
        config.iterations = 20;
        for (bool nsga2 : {false, true}) {
            config.nsga2 = nsga2;
            std::vector<double> rates;
            std::size_t candidates = 0;
            for (std::uint64_t seed = 1; seed <= 3; ++seed) {
                config.seed = seed;
                CountingEvaluator ev;
                ev.trivial = true;
                Evolution evo(tiny(), ev, constraints, config);
                QElapsedTimer timer;
                timer.start();
                QVERIFY(evo.run());
                candidates = evo.evaluated().size();
                rates.push_back(candidates / (timer.nsecsElapsed() / 1e9));
            }
            std::sort(rates.begin(), rates.end());
            qInfo("engine overhead (%s): %zu candidates per run, median %.0f candidates/s (%.1f us each)",
                  nsga2 ? "nsga2" : "elitism", candidates, rates[1], 1e6 / rates[1]);
        }
    }
};

AUTOMOE_TEST_MAIN(TestEvolution)
#include "tst_evolution.moc"
