// GeneFeatures turns an architecture into the numbers the analysis views compare candidates by: one value per
// gene group of the AutoMoE space (embedding widths, depths, mean FFN width, heads, experts per layer, expert
// width spread, encoder-decoder attention), per stack. Layer-wise genes are averaged over the active layers,
// so architectures of different depths share one column each. Used by gene importance, the candidate table,
// its CSV and `automoe front --all --csv`.
#pragma once

#include "space/Architecture.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct GeneFeature {
    const char* name;  // a column / JSON name, e.g. "enc_embed"
    const char* label; // what a person reads, e.g. "Encoder embedding width"
};

// The features, in column order (the same for every architecture).
const std::vector<GeneFeature>& geneFeatures();

// The value of every feature of `arch`, in geneFeatures() order. A stack without layers gives 0 for its
// layer-wise means.
std::vector<double> geneFeatureValues(const Architecture& arch);
// The same from an architecture's JSON (ArchitectureIO); throws naming the field for malformed JSON.
std::vector<double> geneFeatureValues(const nlohmann::json& archJson);

} // namespace automoe
