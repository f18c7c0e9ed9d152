// SuperEncoderLayer is one post-norm encoder layer of the supernet (HAT): x = LN(x + SelfAttn(x)), then
// x = LN(x + MoE-FFN(x)), at the sampled embedding width, head count and expert widths.
#pragma once

#include "nn/SuperAttention.h"
#include "nn/SuperLayerNorm.h"
#include "nn/SwitchMoE.h"
#include "nn/TokenRows.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

class SuperEncoderLayerImpl : public torch::nn::Module {
public:
    SuperEncoderLayerImpl(const SupernetDims& dims, double attentionDropout);

    // dropout: already scaled to the sampled width by the caller.
    void setSample(const LayerGene& gene, int embedDim, int qkvDim, double dropout, double capacityFactor,
                   bool dropTokens);

    // x [B, S, e]; selfMask additive [B, 1, 1, S] or undefined (no padding). The MoE balance loss, when the
    // layer has several experts, is appended to balanceLosses.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& selfMask, const TokenRows& rows,
                          std::vector<torch::Tensor>& balanceLosses, MoERouting* routing = nullptr);

    int64_t sampledParameterCount() const;

    bool skipPadding = true; // see SwitchMoE::forwardSequence

    SuperAttention selfAttn{nullptr};
    SuperLayerNorm selfAttnNorm{nullptr};
    SwitchMoE ffn{nullptr};
    SuperLayerNorm finalNorm{nullptr};

private:
    double dropout_ = 0;
};
TORCH_MODULE(SuperEncoderLayer);

} // namespace automoe
