#include "run/EventText.h"

#include "data/Corpus.h"
#include "eval/RoutingHealth.h"
#include "store/EventRows.h"
#include "util/Format.h"

#include <cmath>
#include <cstdint>
#include <variant>

namespace automoe {

namespace {

template <class T> const T* typedRow(const Event& e, T& storage) {
    if (const T* row = std::get_if<T>(&e.row)) return row;
    try {
        EventRow decoded = rowFromEvent(e.type, e.payload);
        if (T* row = std::get_if<T>(&decoded)) {
            storage = std::move(*row);
            return &storage;
        }
    } catch (const std::exception&) {
    }
    return nullptr;
}

std::string str(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t integer(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return 0;
    if (it->is_number_float()) {
        // get<std::int64_t>() of a double beyond int64 (a stored 2e47) is undefined behaviour: such a
        // count reads as 0, as a missing one does (found by tests/fuzz/fuzz_event_payload).
        const double d = it->get<double>();
        return std::isfinite(d) && std::fabs(d) < 9.2e18 ? static_cast<std::int64_t>(d) : 0;
    }
    return it->get<std::int64_t>();
}

double number(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// A stored flag; anything but a boolean reads as the fallback. json::value(key, bool) throws type_error 302
// for a number stored there (found by tests/fuzz/fuzz_event_payload: darts_setup with "reversible": 1e25).
bool flag(const nlohmann::json& j, const char* key, bool fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// The member KEY of J when it is an object, else an empty object (json::value() of a non-object throws).
nlohmann::json object(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : nlohmann::json::object();
}

std::string stageText(const nlohmann::json& p) {
    std::string text = "stage " + str(p, "stage") + " " + str(p, "state");
    if (flag(p, "cancelled", false)) text += " (cancelled)";
    if (integer(p, "max_updates") > 0) text += ", " + std::to_string(integer(p, "max_updates")) + " updates";
    if (number(p, "max_minutes") > 0) text += ", " + formatFixed(number(p, "max_minutes"), 1) + " minutes";
    if (integer(p, "iterations") > 0)
        text += ", " + std::to_string(integer(p, "iterations")) + " generations";
    return text;
}

// "de→en" of the stored corpus description (CorpusInfo::toJson(): the languages, no direction).
std::string corpusDirection(const nlohmann::json& corpus) {
    CorpusInfo info;
    info.sourceLanguage = str(corpus, "sourceLanguage");
    info.targetLanguage = str(corpus, "targetLanguage");
    return info.direction();
}

std::string dataText(const nlohmann::json& p) {
    if (!p.contains("split")) return "data loaded";
    const nlohmann::json counts = object(object(p, "split"), "counts");
    const nlohmann::json vocabulary = object(p, "vocabulary");
    std::string text = "corpus " + corpusDirection(object(p, "corpus")) + ": " +
                       std::to_string(integer(counts, "train")) + " train / " +
                       std::to_string(integer(counts, "valid")) + " valid / " +
                       std::to_string(integer(counts, "test")) + " test pairs";
    if (vocabulary.contains("size"))
        text += "; vocabulary " + std::to_string(integer(vocabulary, "size")) +
                (flag(vocabulary, "from_cache", false) ? " (cached)" : " (trained)");
    return text;
}

// "routing health at update 400 (largest): enc 1 H 0.93 busiest 41% · dec 3 H 0.05 busiest 99% (collapsed)":
// per MoE layer (1-based, as the Training view labels them) the normalized entropy and the busiest share.
std::string routingHealthText(const nlohmann::json& p) {
    RoutingHealth h;
    try {
        h = routingHealthFromJson(p);
    } catch (const std::invalid_argument& e) {
        return std::string("routing health: unreadable (") + e.what() + ")";
    }
    std::string text = "routing health at update " + std::to_string(h.update) + " (" + h.subnet + "):";
    if (h.layers.empty()) return text + " no MoE layer";
    const char* separator = " ";
    for (const LayerRoutingHealth& l : h.layers) {
        text += separator;
        text += (l.stack == "decoder" ? "dec " : "enc ") + std::to_string(l.layer + 1) + " H " +
                formatFixed(l.normalizedEntropy, 2) + " busiest " + formatFixed(100.0 * l.busiestShare, 0) +
                "%";
        if (l.collapsed()) text += " (collapsed)";
        separator = " \u00b7 ";
    }
    return text;
}

} // namespace

std::string eventText(const Event& e) {
    const nlohmann::json& p = e.payload.is_object() ? e.payload : nlohmann::json::object();
    if (e.type == "stage") return stageText(p);
    if (e.type == "run_status") return "run " + std::to_string(e.runId) + ": " + str(p, "status");
    if (e.type == "error") return "error: " + str(p, "message");
    if (e.type == "data") return dataText(p);
    if (e.type == "resumed")
        return p.contains("stages_begun")
                   ? "resumed the study (" + std::to_string(integer(p, "stages_begun")) +
                         " stages begun before)"
                   : "resumed at update " + std::to_string(integer(p, "from_update"));
    if (e.type == "moe_study_setup") {
        std::string budgets;
        for (const auto& b : p.value("budgets", nlohmann::json::array()))
            if (b.is_object())
                budgets += (budgets.empty() ? "" : ", ") + formatFixed(number(b, "fraction"), 2) +
                           "x = " + formatSI(number(b, "flops"));
        return "MoE vs dense: baseline " + str(p, "baseline_key") + " (" +
               formatSI(number(p, "baseline_flops")) + " FLOPs); budgets " + budgets + "; " +
               std::to_string(p.value("stages", nlohmann::json::array()).size()) + " stages";
    }
    if (e.type == "moe_study_stage")
        return "stage " + str(p, "stage") + ": run " + std::to_string(integer(p, "run")) + " " +
               str(p, "state");
    if (e.type == "moe_study_row") {
        const bool hasBudget = p.contains("budget") && p["budget"].is_number();
        return "row " + str(p, "method") +
               (hasBudget ? " at " + formatFixed(number(p, "budget"), 2) + "x" : "") + ": " +
               formatSI(number(p, "flops")) + " FLOPs, valid nll " + formatFixed(number(p, "valid_nll"), 3) +
               ", BLEU " + formatFixed(number(p, "bleu"), 2) + ", chrF " + formatFixed(number(p, "chrf"), 2) +
               " (run " + std::to_string(integer(p, "run")) + ")";
    }
    if (e.type == "moe_study_result")
        return "study table: " + std::to_string(p.value("rows", nlohmann::json::array()).size()) +
               " rows, retrains of " + std::to_string(integer(p, "retrain_updates")) + " updates";
    if (e.type == "inherited")
        return "inherited the weights of run " + std::to_string(integer(p, "parent_run")) + " (" +
               str(p, "checkpoint") + ")";
    if (e.type == "routing_health") return routingHealthText(p);
    if (e.type == "checkpoint") {
        CheckpointRow storage;
        if (const CheckpointRow* c = typedRow(e, storage))
            return "checkpoint at update " + std::to_string(c->update) + " (" + formatSI(double(c->bytes)) +
                   "B)";
        return {};
    }
    if (e.type == "validation") {
        ValidationRow storage;
        if (const ValidationRow* v = typedRow(e, storage))
            return "update " + std::to_string(v->update) + ": valid nll " + v->subnet + " " +
                   formatFixed(v->loss, 3);
        return {};
    }
    if (e.type == "arch_costs")
        return "costs: latency " + formatFixed(number(p, "latency_ms"), 2) + " ms (encoder " +
               formatFixed(number(p, "encoder_ms"), 2) + ", decoder " +
               formatFixed(number(p, "decoder_ms"), 2) + "), " + formatSI(number(p, "flops")) + " FLOPs, " +
               formatSI(double(integer(p, "params_active"))) + " active params";
    if (e.type == "test_bleu" || e.type == "evaluation")
        return (e.type == "test_bleu" ? "test " : "eval ") + str(p, "subnet") + " (" +
               std::to_string(integer(p, "sentences")) + " sentences): " + str(p, "bleu_text") +
               (p.contains("chrf") && p["chrf"].is_number() ? ", chrF " + formatFixed(number(p, "chrf"), 2)
                                                            : std::string());
    if (e.type == "darts_setup")
        return "DARTS search: " + std::to_string(integer(p, "encoder_layers")) + " + " +
               std::to_string(integer(p, "decoder_layers")) + " layers, hidden " +
               std::to_string(integer(p, "hidden")) + ", " + std::to_string(integer(p, "splits")) +
               " splits, " + (flag(p, "reversible", true) ? "reversible" : "ordinary backprop") + "; " +
               std::to_string(p.value("encoder_candidates", nlohmann::json::array()).size()) +
               " encoder and " +
               std::to_string(p.value("decoder_candidates", nlohmann::json::array()).size()) +
               " decoder candidates; " + formatSI(double(integer(p, "weight_params"))) + " weights, " +
               std::to_string(integer(p, "alpha_params")) + " architecture weights";
    if (e.type == "darts_derived")
        return "derived at update " + std::to_string(integer(p, "update")) + ": " + str(p, "key") + " (" +
               formatSI(double(integer(p, "params"))) + " params as an ordinary Transformer)";
    if (e.type == "darts_model")
        return "model " + str(p, "key") + ": " + formatSI(double(integer(p, "params"))) + " params";
    if (e.type == "generation_summary")
        return "generation " + std::to_string(integer(p, "generation")) + ": best fitness " +
               formatFixed(number(p, "best_fitness"), 4) + ", front " +
               std::to_string(integer(p, "front_size")) + ", hypervolume " +
               formatFixed(number(p, "hypervolume"), 4) + ", " +
               std::to_string(integer(p, "evaluated_total")) + " evaluated";
    if (e.type == "latency_predictor") {
        const nlohmann::json v = object(p, "validation");
        // Events written before the meter was versioned come from the full-prefix meter (version 1).
        const std::int64_t meter = p.contains("meter") ? integer(p, "meter") : 1;
        return "latency predictor (meter " + std::to_string(meter) + (meter == 1 ? ", full-prefix" : "") +
               "): " + std::to_string(integer(p, "samples")) + " samples, held-out MAPE " +
               formatFixed(100.0 * number(v, "mape"), 1) + " %" +
               (v.contains("kendall_tau") && v["kendall_tau"].is_number()
                    ? ", tau " + formatFixed(number(v, "kendall_tau"), 2)
                    : std::string()); // undefined tau is stored as null
    }
    if (e.type == "rank_result")
        return "rank: Kendall tau " + formatFixed(number(p, "kendall_tau"), 3) + " over " +
               std::to_string(integer(p, "count")) + " architectures";
    return {};
}

} // namespace automoe
