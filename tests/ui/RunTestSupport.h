// Synthetic runs for the run-feed, replay and runs-browser tests: a time-ordered event log (stages, training
// steps, validations, routing snapshots, search candidates, status) written to a real RunStore, and the
// helpers that feed the same rows straight into the views and compare what they plot.
#pragma once

#include "store/RunStore.h"
#include "ui/plots/ParetoView.h"
#include "ui/plots/TrainingView.h"

#include <QtTest/QtTest>
#include <cmath>
#include <random>
#include <vector>

namespace runtest {

using namespace automoe;

// Events of one run in log order, typed rows set; times 40 ms apart from `startMs`.
inline std::vector<Event> syntheticRun(std::int64_t runId, int updates, int generations, std::uint64_t seed,
                                       std::int64_t startMs = 1700000000000) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Event> out;
    auto push = [&](Event e) {
        e.runId = runId;
        e.timeMs = startMs + 40 * std::int64_t(out.size());
        out.push_back(std::move(e));
    };
    push(Event::make(runId, "stage", {{"stage", "data"}, {"state", "started"}}));
    push(Event::make(runId, "stage", {{"stage", "data"}, {"state", "finished"}}));
    push(Event::make(
        runId, "stage",
        {{"stage", "supernet"}, {"state", "started"}, {"max_updates", updates}, {"max_minutes", 0}}));
    for (int i = 1; i <= updates; ++i) {
        TrainingStepRow r;
        r.update = i;
        r.loss = 4 + 6 * std::exp(-i / 40.0) + 0.3 * u(rng);
        r.nll = r.loss - 0.05;
        r.lr = 5e-4 * std::min(1.0, i / 25.0);
        r.tokens = 900 + std::int64_t(200 * u(rng));
        r.wallMs = 150 + 100 * u(rng);
        r.archKey = "a" + std::to_string(i % 7);
        push(Event::trainingStep(runId, r));
        if (i % 20 == 0) {
            push(Event::validation(runId, ValidationRow{i, "largest", 5 + 3 * std::exp(-i / 50.0), {}}));
            push(Event::validation(runId, ValidationRow{i, "smallest", 5.5 + 3 * std::exp(-i / 60.0), {}}));
            push(Event::validation(runId, ValidationRow{i, "a" + std::to_string(i % 3), 5.2 + u(rng), {}}));
        }
        if (i % 40 == 0) {
            RoutingSnapshot s{i, {}};
            for (int layer = 0; layer < 2; ++layer) {
                const double f = 0.2 + 0.6 * u(rng);
                s.rows.push_back({"encoder", layer, 0, f});
                s.rows.push_back({"encoder", layer, 1, 1 - f});
            }
            push(Event::routing(runId, s));
        }
    }
    push(Event::make(runId, "stage", {{"stage", "supernet"}, {"state", "finished"}}));
    for (int g = 0; g < generations; ++g) {
        for (int c = 0; c < 12; ++c) {
            CandidateRow row;
            row.generation = g;
            row.architecture.key = "g" + std::to_string(g) + "c" + std::to_string(c);
            row.architecture.json = nlohmann::json::object();
            row.flops = 5e7 + 4e8 * u(rng);
            row.fitness = 4 + 2e8 / row.flops * 0.2 + 0.5 * u(rng) - 0.05 * g;
            row.paramsActive = std::int64_t(row.flops / 40);
            row.latencyMs = row.flops / 1e7;
            push(Event::candidate(runId, row));
        }
        push(Event::generation(runId, GenerationRow{g, 0.1 * g, nlohmann::json::array()}));
    }
    push(Event::make(runId, "run_status", {{"status", "finished"}}));
    return out;
}

inline std::int64_t createRun(RunStore& store, const std::string& name, const std::string& kind = "search") {
    RunSpec spec;
    spec.name = name;
    spec.kind = kind;
    return store.createRun(spec);
}

// Feeds the rows of events[0, count) straight into the views, as one batch per `chunk` events.
inline void feedDirect(const std::vector<Event>& events, std::size_t count, ui::TrainingView& training,
                       ui::ParetoView& pareto) {
    std::vector<TrainingStepRow> steps;
    std::vector<ValidationRow> validations;
    std::vector<CandidateRow> candidates;
    const RoutingSnapshot* routing = nullptr;
    for (std::size_t i = 0; i < count && i < events.size(); ++i) {
        const EventRow& row = events[i].row;
        if (auto* s = std::get_if<TrainingStepRow>(&row)) steps.push_back(*s);
        if (auto* v = std::get_if<ValidationRow>(&row)) validations.push_back(*v);
        if (auto* c = std::get_if<CandidateRow>(&row)) candidates.push_back(*c);
        if (auto* r = std::get_if<RoutingSnapshot>(&row)) routing = r;
    }
    training.addTrainingSteps(steps);
    training.addValidations(validations);
    if (routing) training.setRouting(*routing);
    pareto.addCandidates(candidates);
}

inline bool samePoints(const QVector<QPointF>& a, const QVector<QPointF>& b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); ++i)
        if (a[i].x() != b[i].x() || std::abs(a[i].y() - b[i].y()) > 1e-9 * std::max(1.0, std::abs(b[i].y())))
            return false;
    return true;
}

// QVERIFY-style comparison of everything the two pairs of views plot.
inline void compareViews(const ui::TrainingView& t1, const ui::ParetoView& p1, const ui::TrainingView& t2,
                         const ui::ParetoView& p2) {
    QCOMPARE(t1.trainLoss().size(), t2.trainLoss().size());
    QVERIFY(samePoints(t1.trainLoss(), t2.trainLoss()));
    QVERIFY(samePoints(t1.smoothedTrainLoss(), t2.smoothedTrainLoss()));
    QVERIFY(samePoints(t1.learningRate(), t2.learningRate()));
    QVERIFY(samePoints(t1.tokensPerSecond(), t2.tokensPerSecond()));
    for (const char* subnet : {"largest", "smallest", "other"}) {
        QCOMPARE(t1.validationLoss(subnet).size(), t2.validationLoss(subnet).size());
        QVERIFY2(samePoints(t1.validationLoss(subnet), t2.validationLoss(subnet)), subnet);
    }
    QCOMPARE(t1.routingUpdate(), t2.routingUpdate());
    const auto l1 = t1.expertLoad(), l2 = t2.expertLoad();
    QCOMPARE(l1.size(), l2.size());
    for (std::size_t i = 0; i < l1.size(); ++i)
        QVERIFY(l1[i].fractions == l2[i].fractions);

    QCOMPARE(p1.pointCount(), p2.pointCount());
    const auto a = p1.points(), b = p2.points();
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].key, b[i].key);
        QCOMPARE(a[i].generation, b[i].generation);
        QCOMPARE(a[i].cost, b[i].cost);
        QCOMPARE(a[i].fitness, b[i].fitness);
        QCOMPARE(a[i].onFront, b[i].onFront);
    }
    QCOMPARE(p1.plottedData(), p2.plottedData());
}

} // namespace runtest
