// Pins the event payload converters (store/EventRows.h): every typed row survives toJson() -> fromJson()
// unchanged, also through the store's event log, and a malformed payload is refused with the event type and
// field named.
#include "store/EventRows.h"
#include "store/RunStore.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;

namespace {

TrainingStepRow step(std::int64_t update) {
    TrainingStepRow r;
    r.update = update;
    r.loss = 7.5 - 0.01 * double(update);
    r.nll = r.loss - 0.1;
    r.lbLoss = 0.03125;
    r.lr = 1.5e-4 * double(update);
    r.tokens = 1000 + update;
    r.archKey = "k" + std::to_string(update);
    r.wallMs = 123.25;
    return r;
}

CandidateRow candidate(std::int64_t generation, int i) {
    CandidateRow c;
    c.generation = generation;
    c.architecture.key = "g" + std::to_string(generation) + "c" + std::to_string(i);
    c.architecture.json = {{"encoder", {{"embed_dim", 256 + i}}}};
    c.fitness = 4.0 + 0.1 * i;
    c.flops = 1e8 * (1 + i);
    c.paramsActive = 1000000 + i;
    if (i % 2) c.latencyMs = 12.5 + i;
    if (i % 3) c.predictedLatencyMs = 11.0 + i;
    c.feasible = i % 4 != 0;
    return c;
}

bool same(const TrainingStepRow& a, const TrainingStepRow& b) {
    return a.update == b.update && a.loss == b.loss && a.nll == b.nll && a.lbLoss == b.lbLoss &&
           a.lr == b.lr && a.tokens == b.tokens && a.archKey == b.archKey && a.wallMs == b.wallMs &&
           a.arch == b.arch;
}

bool same(const CandidateRow& a, const CandidateRow& b) {
    return a.generation == b.generation && a.architecture.key == b.architecture.key &&
           a.architecture.json == b.architecture.json && a.fitness == b.fitness && a.flops == b.flops &&
           a.paramsActive == b.paramsActive && a.latencyMs == b.latencyMs &&
           a.predictedLatencyMs == b.predictedLatencyMs && a.feasible == b.feasible;
}

} // namespace

class TestEventRows : public QObject {
    Q_OBJECT

private slots:
    void everyRowRoundTrips() {
        TrainingStepRow s = step(7);
        QVERIFY(same(trainingStepFromJson(toJson(s)), s));
        s.arch = nlohmann::json{{"decoder", {{"layers", 2}}}};
        QVERIFY(same(trainingStepFromJson(toJson(s)), s));

        for (const ValidationRow& v :
             {ValidationRow{20, "largest", 6.25, std::nullopt}, ValidationRow{40, "smallest", 7.0, 12.5}}) {
            const ValidationRow back = validationFromJson(toJson(v));
            QCOMPARE(back.update, v.update);
            QCOMPARE(back.subnet, v.subnet);
            QCOMPARE(back.loss, v.loss);
            QCOMPARE(back.bleu, v.bleu);
        }

        const CheckpointRow c{200, "/tmp/x/checkpoint-200.pt", 123456789, 1700000000000};
        const CheckpointRow cb = checkpointFromJson(toJson(c));
        QCOMPARE(cb.update, c.update);
        QCOMPARE(cb.path, c.path);
        QCOMPARE(cb.bytes, c.bytes);
        QCOMPARE(cb.createdMs, c.createdMs);

        const ArchitectureRow a{0, "abc", {{"qkv_dim", 192}}};
        const ArchitectureRow ab = architectureRowFromJson(toJson(a));
        QCOMPARE(ab.key, a.key);
        QVERIFY(ab.json == a.json);

        for (int i = 0; i < 6; ++i) {
            const CandidateRow row = candidate(3, i);
            QVERIFY2(same(candidateFromJson(toJson(row)), row), row.architecture.key.c_str());
        }

        GenerationRow g{5, 0.75, nlohmann::json::array({{{"key", "a"}, {"fitness", 4.2}}})};
        const GenerationRow gb = generationFromJson(toJson(g));
        QCOMPARE(gb.generation, g.generation);
        QCOMPARE(gb.hypervolume, g.hypervolume);
        QVERIFY(gb.front == g.front);
        QVERIFY(!gb.referenceCost && !gb.referenceFitness);
        // The hypervolume's reference point and cost axis travel with the row.
        g.referenceCost = 1.5e8;
        g.referenceFitness = 6.25;
        g.costMetric = "flops";
        const GenerationRow gr = generationFromJson(toJson(g));
        QCOMPARE(gr.referenceCost, g.referenceCost);
        QCOMPARE(gr.referenceFitness, g.referenceFitness);
        QCOMPARE(gr.costMetric, g.costMetric);

        RoutingSnapshot r{60, {{"encoder", 0, 0, 0.25}, {"encoder", 0, 1, 0.75}, {"decoder", 1, 2, 1.0}}};
        const RoutingSnapshot rb = routingFromJson(toJson(r));
        QCOMPARE(rb.update, r.update);
        QCOMPARE(rb.rows.size(), r.rows.size());
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
            QCOMPARE(rb.rows[i].stack, r.rows[i].stack);
            QCOMPARE(rb.rows[i].layer, r.rows[i].layer);
            QCOMPARE(rb.rows[i].expert, r.rows[i].expert);
            QCOMPARE(rb.rows[i].tokensFraction, r.rows[i].tokensFraction);
        }
    }

    void rowFromEventPicksTheRowByType() {
        QVERIFY(std::holds_alternative<TrainingStepRow>(rowFromEvent("training_step", toJson(step(1)))));
        QVERIFY(std::holds_alternative<CandidateRow>(rowFromEvent("candidate", toJson(candidate(0, 1)))));
        QVERIFY(std::holds_alternative<RoutingSnapshot>(rowFromEvent("routing", toJson(RoutingSnapshot{}))));
        QVERIFY(std::holds_alternative<std::monostate>(rowFromEvent("stage", {{"stage", "data"}})));
    }

    void malformedPayloadNamesTypeAndField() {
        nlohmann::json j = toJson(step(3));
        j.erase("loss");
        try {
            trainingStepFromJson(j);
            QFAIL("a payload without loss was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("training_step") && QString(e.what()).contains("\"loss\""),
                     e.what());
        }
        nlohmann::json c = toJson(candidate(1, 1));
        c["fitness"] = "high";
        try {
            candidateFromJson(c);
            QFAIL("a string fitness was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("\"fitness\"") && QString(e.what()).contains("wrong type"),
                     e.what());
        }
    }

    // What the store's event log gives back decodes into exactly the rows of its typed tables.
    void storedEventsDecodeToTheTypedTables() {
        QTemporaryDir dir;
        RunStore store(dir.filePath("runs.sqlite").toStdString());
        RunSpec spec;
        spec.name = "rows";
        spec.kind = "search";
        const std::int64_t run = store.createRun(spec);
        for (int u = 1; u <= 30; ++u) {
            store.append(Event::trainingStep(run, step(u)));
            if (u % 10 == 0)
                store.append(Event::validation(run, ValidationRow{u, "largest", 6.0 - u * 0.01, {}}));
        }
        for (int i = 0; i < 8; ++i)
            store.append(Event::candidate(run, candidate(i / 4, i)));
        store.flush();

        std::vector<TrainingStepRow> steps;
        std::vector<CandidateRow> candidates;
        std::vector<ValidationRow> validations;
        for (const Event& e : store.events(run)) {
            EventRow row = rowFromEvent(e.type, e.payload);
            if (auto* s = std::get_if<TrainingStepRow>(&row)) steps.push_back(*s);
            if (auto* c = std::get_if<CandidateRow>(&row)) candidates.push_back(*c);
            if (auto* v = std::get_if<ValidationRow>(&row)) validations.push_back(*v);
        }
        const auto storedSteps = store.trainingSteps(run);
        QCOMPARE(steps.size(), storedSteps.size());
        for (std::size_t i = 0; i < steps.size(); ++i)
            QVERIFY(same(steps[i], storedSteps[i]));
        QCOMPARE(validations.size(), store.validations(run).size());
        const auto storedCandidates = store.candidates(run);
        QCOMPARE(candidates.size(), storedCandidates.size());
        for (const CandidateRow& c : candidates) {
            const auto it =
                std::find_if(storedCandidates.begin(), storedCandidates.end(),
                             [&](const CandidateRow& s) { return s.architecture.key == c.architecture.key; });
            QVERIFY(it != storedCandidates.end());
            CandidateRow withoutId = *it;
            withoutId.architecture.id = 0;
            QVERIFY2(same(c, withoutId), c.architecture.key.c_str());
        }
    }
};

AUTOMOE_TEST_MAIN(TestEventRows)
#include "tst_eventrows.moc"
