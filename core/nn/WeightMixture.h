// Mixture-of-Supernets (Jawahar et al., arXiv 2306.04845): instead of one shared weight that every
// architecture slices, a covered super linear layer keeps m full-size weight sets E1..Em and a small router
// (MLP on the architecture encoding, hidden 128, ReLU) that mixes them for the architecture at hand:
//   layer-wise  (mos-layer):  alpha = softmax over m;                 W = sum_k alpha_k E_k
//   neuron-wise (mos-neuron): alpha_i = softmax over m for output row i; W[i] = sum_k alpha_{k,i} E_k[i]
// and the mixed weight is then sliced to the architecture as plain weight sharing slices its one weight.
// Biases mix with the same coefficients. E1 is the layer's own `weight` / `bias` (so m = 1 is plain weight
// sharing bit for bit: the softmax over one set is exactly 1); E2..Em are this module's `weight` / `bias`.
//
// The mixture is computed once per architecture and forward pass (not per token), only over the sampled
// block, so the gradient reaches only the used slices of every set. Once the architecture is fixed the
// mixture is a plain dense weight: the standalone copy, export, latency measurement and translation use
// that collapsed weight and no router.
#pragma once

#include "nn/LayerWeights.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>

namespace automoe {

enum class SupernetKind { Shared, MoSLayer, MoSNeuron };
// "shared", "mos-layer", "mos-neuron"; throws std::invalid_argument listing the kinds.
SupernetKind supernetKind(const std::string& name);
const char* toString(SupernetKind kind);

struct MixtureOptions {
    SupernetKind kind = SupernetKind::Shared;
    int sets = 2;           // m, with a MoS kind
    bool attention = false; // also mix the attention projections (by default: FFN / expert matrices only)
    int routerHidden = 128;

    bool enabled() const { return kind != SupernetKind::Shared; }
    // {"kind": "mos-neuron", "sets": 2, "attention": false}; fromJson keeps defaults for missing keys and
    // throws std::invalid_argument naming the field.
    nlohmann::json toJson() const;
    static MixtureOptions fromJson(const nlohmann::json& j);
    // "shared", or e.g. "mos-neuron x2" / "mos-layer x4 +attn" (the runs browser's text).
    std::string label() const;
};

class WeightMixtureImpl : public torch::nn::Module {
public:
    // For a super linear layer [superOut, superIn] (with bias when `bias`), routed on an encoding of
    // `encodingSize` entries.
    WeightMixtureImpl(const MixtureOptions& options, int64_t superOut, int64_t superIn, bool bias,
                      int64_t encodingSize);

    // Mixing coefficients for `encoding` [encodingSize]: [m] (layer-wise) or [m, superOut] (neuron-wise).
    torch::Tensor coefficients(const torch::Tensor& encoding);

    // The mixture's leading [out, in] block (and bias[:out]); first = E1 (the layer's own weight / bias).
    LinearWeights mix(const torch::Tensor& firstWeight, const torch::Tensor& firstBias, int64_t out,
                      int64_t in, const torch::Tensor& encoding);

    // Sum of the parameters' version counters: changes whenever an optimizer step or a load writes them.
    int64_t version() const;

    int sets() const { return options_.sets; }

    torch::Tensor weight; // [m - 1, superOut, superIn]: E2..Em
    torch::Tensor bias;   // [m - 1, superOut] or undefined
    torch::nn::Linear routerHidden{nullptr}, routerOut{nullptr};

private:
    MixtureOptions options_;
    int64_t superOut_;
};
TORCH_MODULE(WeightMixture);

} // namespace automoe
