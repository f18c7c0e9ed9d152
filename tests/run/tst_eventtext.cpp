// Pins core/run/EventText, the one line a run event gets in the CLI's output and the Run dock's log, on
// events as the store gives them back (payload only, no typed row): the text of each listed event type
// against hand-written expectations, and no line for events that are drawn rather than listed.
#include "run/EventText.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

using namespace automoe;

Q_DECLARE_METATYPE(std::string)

class TestEventText : public QObject {
    Q_OBJECT

private slots:
    void linesOfStoredEvents_data() {
        QTest::addColumn<std::string>("type");
        QTest::addColumn<std::string>("payload");
        QTest::addColumn<std::string>("expected");
        auto row = [](const char* name, const char* type, const char* payload, const char* expected) {
            QTest::newRow(name) << std::string(type) << std::string(payload) << std::string(expected);
        };
        // The data event stores CorpusInfo::toJson(): languages, no direction (the CLI printed "corpus :").
        row("data from the store", "data",
            R"({"corpus": {"format": "tsv", "sourceLanguage": "de", "targetLanguage": "en"},
                "split": {"counts": {"train": 2700, "valid": 150, "test": 150}},
                "vocabulary": {"size": 2000, "from_cache": false}})",
            "corpus de\u2192en: 2700 train / 150 valid / 150 test pairs; vocabulary 2000 (trained)");
        row("data, reversed", "data",
            R"({"corpus": {"sourceLanguage": "en", "targetLanguage": "de", "reversed": true},
                "split": {"counts": {"train": 5, "valid": 1, "test": 1}},
                "vocabulary": {"size": 60, "from_cache": true}})",
            "corpus en\u2192de: 5 train / 1 valid / 1 test pairs; vocabulary 60 (cached)");
        row("data without languages", "data", R"({"corpus": {}, "split": {"counts": {"train": 3}}})",
            "corpus source\u2192target: 3 train / 0 valid / 0 test pairs");
        row("stage with a budget", "stage", R"({"stage": "supernet", "state": "started", "max_updates": 6})",
            "stage supernet started, 6 updates");
        row("cancelled stage", "stage", R"({"stage": "supernet", "state": "finished", "cancelled": true})",
            "stage supernet finished (cancelled)");
        row("search stage", "stage", R"({"stage": "search", "state": "started", "iterations": 4})",
            "stage search started, 4 generations");
        row("validation", "validation", R"({"update": 6, "subnet": "largest", "loss": 8.17649})",
            "update 6: valid nll largest 8.176");
        row("checkpoint", "checkpoint", R"({"update": 6, "path": "c.pt", "bytes": 116330000})",
            "checkpoint at update 6 (116.33 MB)");
        row("resumed", "resumed", R"({"from_update": 25, "checkpoint": "c.pt"})", "resumed at update 25");
        row("error", "error", R"({"message": "corpus.tsv line 3: no tab"})",
            "error: corpus.tsv line 3: no tab");
        row("status", "run_status", R"({"status": "interrupted"})", "run 1: interrupted");
        row("rank", "rank_result", R"({"kendall_tau": 0.4667, "count": 6})",
            "rank: Kendall tau 0.467 over 6 architectures");
        row("latency predictor", "latency_predictor",
            R"({"meter": 2, "samples": 150, "validation": {"mape": 0.0533, "kendall_tau": 0.789}})",
            "latency predictor (meter 2): 150 samples, held-out MAPE 5.3 %, tau 0.79");
        // Stored before the meter was versioned: the full-prefix meter.
        row("old latency predictor", "latency_predictor",
            R"({"samples": 60, "validation": {"mape": 0.159, "kendall_tau": 0.7}})",
            "latency predictor (meter 1, full-prefix): 60 samples, held-out MAPE 15.9 %, tau 0.70");
        row("latency predictor, undefined tau", "latency_predictor",
            R"({"meter": 2, "samples": 2, "validation": {"mape": 0.1, "kendall_tau": null}})",
            "latency predictor (meter 2): 2 samples, held-out MAPE 10.0 %");
        row("test BLEU and chrF", "test_bleu",
            R"({"subnet": "derived", "sentences": 500, "bleu_text": "BLEU = 1.20 20.0/2.0/0.5/0.1", "chrf": 17.456})",
            "test derived (500 sentences): BLEU = 1.20 20.0/2.0/0.5/0.1, chrF 17.46");
        row("DARTS setup", "darts_setup",
            R"({"encoder_layers": 3, "decoder_layers": 2, "hidden": 128, "splits": 2, "reversible": true,
                "encoder_candidates": ["ffn", "zero"], "decoder_candidates": ["ffn", "zero", "ende_attention"],
                "weight_params": 7350000, "alpha_params": 210})",
            "DARTS search: 3 + 2 layers, hidden 128, 2 splits, reversible; 2 encoder and 3 decoder "
            "candidates; "
            "7.35 M weights, 210 architecture weights");
        row("DARTS derived", "darts_derived",
            R"({"update": 400, "key": "enc[ffn,conv3] dec[glu,ffn]", "params": 1390000})",
            "derived at update 400: enc[ffn,conv3] dec[glu,ffn] (1.39 M params as an ordinary Transformer)");
        // Routing health: per layer (1-based) the normalized entropy and the busiest share; over 60 % is
        // marked collapsed.
        row("routing health", "routing_health",
            R"({"update": 400, "subnet": "largest", "layers": [
                {"stack": "encoder", "layer": 0, "experts": 4, "entropy": 1.2892, "normalized_entropy": 0.93,
                 "busiest_expert": 2, "busiest_share": 0.41},
                {"stack": "decoder", "layer": 2, "experts": 2, "entropy": 0.0560, "normalized_entropy": 0.0808,
                 "busiest_expert": 0, "busiest_share": 0.99}]})",
            "routing health at update 400 (largest): enc 1 H 0.93 busiest 41% \u00b7 dec 3 H 0.08 busiest "
            "99% "
            "(collapsed)");
        row("routing health of a fixed subnet", "routing_health",
            R"({"update": 20, "subnet": "fixed", "layers": [
                {"stack": "decoder", "layer": 0, "experts": 2, "entropy": 0.6730, "normalized_entropy": 0.971,
                 "busiest_expert": 1, "busiest_share": 0.6}]})",
            "routing health at update 20 (fixed): dec 1 H 0.97 busiest 60%");
        row("routing health, dense subnet", "routing_health",
            R"({"update": 5, "subnet": "largest", "layers": []})",
            "routing health at update 5 (largest): no MoE layer");
        row("routing health, unreadable", "routing_health", R"({"update": 5, "subnet": "largest"})",
            "routing health: unreadable (routing_health event: missing field \"layers\")");
        // The MoE-vs-dense study's events.
        row("study resumed", "resumed", R"({"stages_begun": 3})",
            "resumed the study (3 stages begun before)");
        row("study setup", "moe_study_setup",
            R"({"baseline_key": "q192|E256:4/768", "baseline_flops": 293480000,
                "budgets": [{"fraction": 0.5, "flops": 146740000}, {"fraction": 0.75, "flops": 220110000}],
                "stages": ["baseline", "dense_supernet", "moe_supernet"]})",
            "MoE vs dense: baseline q192|E256:4/768 (293.48 M FLOPs); budgets 0.50x = 146.74 M, 0.75x = "
            "220.11 M; 3 stages");
        row("study stage", "moe_study_stage", R"({"stage": "moe_search@0.5", "run": 6, "state": "finished"})",
            "stage moe_search@0.5: run 6 finished");
        row("study row", "moe_study_row",
            R"({"method": "moe", "budget": 0.5, "flops": 143840000, "valid_nll": 4.1234, "bleu": 3.217,
                "chrf": 20.1, "run": 8})",
            "row moe at 0.50x: 143.84 M FLOPs, valid nll 4.123, BLEU 3.22, chrF 20.10 (run 8)");
        row("study baseline row", "moe_study_row",
            R"({"method": "baseline", "budget": null, "flops": 293480000, "valid_nll": 4.0, "bleu": 4.5,
                "chrf": 21.0, "run": 2})",
            "row baseline: 293.48 M FLOPs, valid nll 4.000, BLEU 4.50, chrF 21.00 (run 2)");
        row("study result", "moe_study_result", R"({"rows": [{}, {}, {}], "retrain_updates": 1200})",
            "study table: 3 rows, retrains of 1200 updates");
        // Drawn, not listed.
        row("training step", "training_step", R"({"update": 1, "loss": 8.3})", "");
        row("unknown", "something_new", R"({"a": 1})", "");
    }

    void linesOfStoredEvents() {
        QFETCH(std::string, type);
        QFETCH(std::string, payload);
        QFETCH(std::string, expected);
        Event e = Event::make(1, type, nlohmann::json::parse(payload));
        QCOMPARE(QString::fromStdString(eventText(e)), QString::fromStdString(expected));
    }
};

AUTOMOE_TEST_MAIN(TestEventText)
#include "tst_eventtext.moc"
