// SwitchMoE is the heterogeneous Switch-style FFN of one supernet layer: a router over the active experts
// sends each token to its top-k experts, each expert a slot with its own sampled width (fractional experts).
// With one expert it is a plain dense FFN (slot 0, no router). The computation is SwitchFeedForward's, on
// the sampled slices.
#pragma once

#include "nn/ExpertFFN.h"
#include "nn/SuperLinear.h"
#include "nn/SwitchFeedForward.h"
#include "nn/TokenRows.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

class SwitchMoEImpl : public torch::nn::Module {
public:
    SwitchMoEImpl(int64_t superEmbed, int64_t superFfn, int64_t maxExperts);

    // expertWidths.size() experts (slot i has width expertWidths[i]), each token routed to topK of them.
    // capacityFactor 0 = unlimited; tokens over capacity are dropped only with dropTokens.
    void setSample(int64_t embedDim, const std::vector<int>& expertWidths, int topK, double capacityFactor,
                   bool dropTokens);

    // The sampled router rows and expert slots (views of the super weights) with the routing settings.
    MoEWeights sampled(bool skipPadding = true) const;

    // switchFeedForward on the sampled weights: x [N, embed], all real tokens.
    MoEOutput forward(const torch::Tensor& x, MoERouting* routing = nullptr);

    // switchFeedForwardSequence on the sampled weights: x [B, T, embed], padded.
    MoEOutput forwardSequence(const torch::Tensor& x, const TokenRows& rows, bool skipPadding,
                              MoERouting* routing = nullptr);

    // Per-expert capacity for N tokens (SIZE_MAX-like when unlimited): floor(cf * N * k / n).
    int64_t capacity(int64_t tokens) const;

    int64_t sampledParameterCount() const;
    int experts() const { return static_cast<int>(widths_.size()); }
    int topK() const { return topK_; }
    const std::vector<int>& widths() const { return widths_; }

    SuperLinear router{nullptr};        // [maxExperts, superEmbed] with bias, sliced to the active experts
    std::vector<ExpertFFN> expertSlots; // registered as experts.<i>

private:
    int64_t maxExperts_;
    std::vector<int> widths_;
    int topK_ = 1;
    double capacityFactor_ = 0;
    bool dropTokens_ = false;
};
TORCH_MODULE(SwitchMoE);

} // namespace automoe
