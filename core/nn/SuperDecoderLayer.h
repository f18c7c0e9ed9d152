// SuperDecoderLayer is one post-norm decoder layer of the supernet (HAT): causal self-attention, attention
// over the (concatenated) encoder outputs, then the MoE FFN, each as x = LN(x + sublayer(x)).
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

class SuperDecoderLayerImpl : public torch::nn::Module {
public:
    SuperDecoderLayerImpl(const SupernetDims& dims, double attentionDropout);

    void setSample(const LayerGene& gene, int embedDim, int encoderEmbedDim, int qkvDim, double dropout,
                   double capacityFactor, bool dropTokens);

    // x [B, T, e]; selfMask additive [B or 1, 1, T, T] (causal + padding); memory [B, m*S, e_enc] with
    // memoryMask additive [B, 1, 1, m*S] or undefined.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& selfMask, const torch::Tensor& memory,
                          const torch::Tensor& memoryMask, const TokenRows& rows,
                          std::vector<torch::Tensor>& balanceLosses, MoERouting* routing = nullptr);

    int64_t sampledParameterCount() const;

    bool skipPadding = true; // see SwitchMoE::forwardSequence

    SuperAttention selfAttn{nullptr};
    SuperLayerNorm selfAttnNorm{nullptr};
    SuperAttention endeAttn{nullptr};
    SuperLayerNorm endeAttnNorm{nullptr};
    SwitchMoE ffn{nullptr};
    SuperLayerNorm finalNorm{nullptr};

private:
    double dropout_ = 0;
};
TORCH_MODULE(SuperDecoderLayer);

} // namespace automoe
