// SwitchMoE is the heterogeneous Switch-style FFN of one supernet layer: a router over the active experts
// sends each token to its top-k experts, each expert a slot with its own sampled width (fractional experts).
// With one expert it is a plain dense FFN (slot 0, no router).
#pragma once

#include "nn/ExpertFFN.h"
#include "nn/SuperLinear.h"
#include "nn/TokenRows.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

// Routing decisions of one forward, filled only when the caller asks for them (tracing).
struct MoERouting {
    torch::Tensor expert; // int64 [N, k], the chosen experts per token (best first)
    torch::Tensor gate;   // float [N, k], their router probabilities (1 for a dense layer)
    torch::Tensor kept;   // bool [N, k], false where the capacity limit dropped the assignment
    torch::Tensor counts; // int64 [n], assignments per expert before dropping
};

struct MoEOutput {
    torch::Tensor output;      // [N, embed]
    torch::Tensor balanceLoss; // scalar n * sum_i f_i P_i; undefined for a dense layer
};

class SwitchMoEImpl : public torch::nn::Module {
public:
    SwitchMoEImpl(int64_t superEmbed, int64_t superFfn, int64_t maxExperts);

    // expertWidths.size() experts (slot i has width expertWidths[i]), each token routed to topK of them.
    // capacityFactor 0 = unlimited; tokens over capacity are dropped only with dropTokens.
    void setSample(int64_t embedDim, const std::vector<int>& expertWidths, int topK, double capacityFactor,
                   bool dropTokens);

    // x: [N, embed] rows that are all real tokens (callers strip padding, which keeps pads out of the
    // routing statistics). routing: filled when non-null; nothing extra is computed when null.
    MoEOutput forward(const torch::Tensor& x, MoERouting* routing = nullptr);

    // The layer applied to a padded sequence batch x [B, T, embed]: only the real tokens (rows) go through
    // the experts (pad rows come back as zeros; the residual carries them). With skipPadding false a dense
    // layer runs on every row instead (an MoE layer always routes only real tokens).
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
    MoEOutput routed(const torch::Tensor& x, MoERouting* routing);

    int64_t maxExperts_;
    int64_t embed_;
    std::vector<int> widths_;
    int topK_ = 1;
    double capacityFactor_ = 0;
    bool dropTokens_ = false;
};
TORCH_MODULE(SwitchMoE);

} // namespace automoe
