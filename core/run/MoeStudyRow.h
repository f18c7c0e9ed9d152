// A row of the MoE-vs-dense study's table (run/MoeDenseStudy.h), as its "moe_study_row" events store it:
// torch-free, so that the CLI's run listing and the workbench read it without the engine.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace automoe {

// One line of the study's table.
struct MoeDenseStudyRow {
    std::string method;           // "baseline", "dense" or "moe"
    std::optional<double> budget; // fraction of the baseline's FLOPs (unset for the baseline)
    int64_t run = 0;              // the training run of the row's architecture
    int64_t searchRun = 0;        // 0 for the baseline
    int64_t supernetRun = 0;      // 0 for the baseline
    std::string archKey;
    nlohmann::json arch;
    int experts = 0;          // experts over all layers (layers for a dense model)
    double searchFitness = 0; // its supernet validation NLL in the search (0 for the baseline)
    double flops = 0;         // HAT convention, 30 / 30 tokens
    int64_t paramsActive = 0; // non-embedding, used by one token
    int64_t paramsTotal = 0;  // non-embedding, all experts
    double latencyMs = 0;     // measured, median
    double encoderMs = 0, decoderMs = 0;
    int64_t updates = 0;
    double validNll = 0;       // per target token, at the end of training
    double bleu = 0, chrf = 0; // test, greedy
    int64_t testSentences = 0;

    nlohmann::json toJson() const;
    static MoeDenseStudyRow
    fromJson(const nlohmann::json& j); // throws std::invalid_argument naming the field
};

} // namespace automoe
