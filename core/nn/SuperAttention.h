// SuperAttention is multi-head attention of the supernet in the HAT convention: Q/K/V project the input to
// a fixed qkv width and the sampled head count only changes the head size (qkv / heads). The computation is
// MultiHeadAttention's, on the sampled slices.
#pragma once

#include "nn/LayerWeights.h"
#include "nn/SuperLinear.h"

#include <torch/torch.h>

namespace automoe {

class SuperAttentionImpl : public torch::nn::Module {
public:
    // qSuperIn: width of the queries (and of the output); kvSuperIn: width of keys/values (the encoder's
    // for encoder-decoder attention, which may differ from the decoder's).
    SuperAttentionImpl(int64_t qSuperIn, int64_t kvSuperIn, int64_t superQkv, double attentionDropout);

    void setSample(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads);

    // query [B, T, qIn], keyValue [B, S, kvIn] (self-attention: pass the same tensor). mask: additive float
    // mask broadcastable to [B, heads, T, S] (0 = attend, a large negative number = blocked) or undefined.
    // Returns [B, T, qIn].
    torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& keyValue,
                          const torch::Tensor& mask);

    // The sampled weights as self-attention (q, k and v slices concatenated into one fused projection, a
    // small copy that lets them run as one GEMM) or as encoder-decoder attention (k and v fused).
    AttentionWeights sampledSelfAttention() const;
    AttentionWeights sampledEncoderDecoderAttention() const;

    int64_t sampledParameterCount() const;
    int64_t heads() const { return heads_; }

    SuperLinear qProj{nullptr}, kProj{nullptr}, vProj{nullptr}, outProj{nullptr};

private:
    int64_t heads_ = 1;
    double attentionDropout_;
};
TORCH_MODULE(SuperAttention);

} // namespace automoe
