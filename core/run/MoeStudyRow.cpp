#include "run/MoeStudyRow.h"

#include "util/JsonField.h"

#include <stdexcept>

namespace automoe {

nlohmann::json MoeDenseStudyRow::toJson() const {
    return {{"method", method},
            {"budget", budget ? nlohmann::json(*budget) : nlohmann::json()},
            {"run", run},
            {"search_run", searchRun},
            {"supernet_run", supernetRun},
            {"arch_key", archKey},
            {"arch", arch},
            {"experts", experts},
            {"search_fitness", searchFitness},
            {"flops", flops},
            {"params_active", paramsActive},
            {"params_total", paramsTotal},
            {"latency_ms", latencyMs},
            {"encoder_ms", encoderMs},
            {"decoder_ms", decoderMs},
            {"updates", updates},
            {"valid_nll", validNll},
            {"bleu", bleu},
            {"chrf", chrf},
            {"test_sentences", testSentences}};
}

MoeDenseStudyRow MoeDenseStudyRow::fromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::at("moe_study_row");
    MoeDenseStudyRow r;
    r.method = f.get(j, "method", r.method);
    if (r.method != "baseline" && r.method != "dense" && r.method != "moe")
        throw std::invalid_argument("moe_study_row.method: expected baseline, dense or moe, got '" +
                                    r.method + "'");
    if (j.contains("budget") && !j["budget"].is_null()) r.budget = f.get(j, "budget", 0.0);
    r.run = f.get(j, "run", r.run);
    r.searchRun = f.get(j, "search_run", r.searchRun);
    r.supernetRun = f.get(j, "supernet_run", r.supernetRun);
    r.archKey = f.get(j, "arch_key", r.archKey);
    if (j.contains("arch")) r.arch = j["arch"];
    r.experts = f.get(j, "experts", r.experts);
    r.searchFitness = f.get(j, "search_fitness", r.searchFitness);
    r.flops = f.get(j, "flops", r.flops);
    r.paramsActive = f.get(j, "params_active", r.paramsActive);
    r.paramsTotal = f.get(j, "params_total", r.paramsTotal);
    r.latencyMs = f.get(j, "latency_ms", r.latencyMs);
    r.encoderMs = f.get(j, "encoder_ms", r.encoderMs);
    r.decoderMs = f.get(j, "decoder_ms", r.decoderMs);
    r.updates = f.get(j, "updates", r.updates);
    r.validNll = f.get(j, "valid_nll", r.validNll);
    r.bleu = f.get(j, "bleu", r.bleu);
    r.chrf = f.get(j, "chrf", r.chrf);
    r.testSentences = f.get(j, "test_sentences", r.testSentences);
    return r;
}

} // namespace automoe
