// A DARTSformer architecture (issue 13): what a DARTS search derives and `automoe train --darts-arch`
// retrains as an ordinary (non-reversible) Transformer (nn/DartsTransformer). Torch-free, so that the app
// reads, shows and exports it without LibTorch.
//
//   {
//     "format": "automoe-darts-arch", "version": 1,
//     "hidden": 256, "heads": 4, "splits": 2,
//     "encoder": [["self_attention", "ffn"], ["conv7", "ffn"]],          one list per layer, one op per split
//     "decoder": [["self_attention", "glu"], ["dynconv7", "ffn"]],       (+ encoder-decoder attention)
//     "search_run": 12, "search_step": 400                               where it came from (optional)
//   }
//
// The searched reversible layer updates split k with the chosen op of edge k; the ordinary Transformer runs
// a layer's chosen ops one after another at the full width, each as the post-norm sub-layer
// LayerNorm(x + op(x)), and a decoder layer ends with encoder-decoder attention (the decoder's last split in
// the search). Identity is no sub-layer at all. So ["self_attention", "ffn"] per encoder layer and per
// decoder layer is exactly the standard post-norm Transformer. Zero is never chosen (DARTS excludes it).
#pragma once

#include "space/DartsSpace.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

struct DartsArchitecture {
    static constexpr int kFormatVersion = 1;
    int64_t hidden = 256;
    int64_t heads = 4;
    int64_t splits = 2;
    std::vector<std::vector<DartsOpSpec>> encoder, decoder; // [layer][split]
    int64_t searchRun = 0;                                  // 0: not from a stored search
    int64_t searchStep = 0;

    // "enc[self_attention,ffn|conv7,ffn] dec[...]": the ops, not where they came from.
    std::string key() const;
    bool operator==(const DartsArchitecture& o) const;

    // The standard post-norm Transformer in this form: self_attention and ffn in every layer.
    static DartsArchitecture standardTransformer(int64_t hidden, int64_t heads, int64_t encoderLayers,
                                                 int64_t decoderLayers);
};

nlohmann::json dartsArchitectureToJson(const DartsArchitecture& arch);
// Throws SpaceError naming `source` and the field, e.g. `arch.json: decoder[1][0]: unknown DARTS operation`.
DartsArchitecture dartsArchitectureFromJson(const nlohmann::json& j, const std::string& source);
DartsArchitecture parseDartsArchitecture(const std::string& text, const std::string& source);
DartsArchitecture loadDartsArchitecture(const std::string& path);
void saveDartsArchitecture(const DartsArchitecture& arch, const std::string& path);

// DARTS' derivation: for every edge, the candidate of largest weight other than zero.
// weights[layer][edge][candidate] (softmax weights or alpha: the order is the same).
std::vector<std::vector<DartsOpSpec>>
deriveEdges(const std::vector<DartsOpSpec>& candidates,
            const std::vector<std::vector<std::vector<double>>>& weights);

} // namespace automoe
