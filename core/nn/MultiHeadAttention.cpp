#include "nn/MultiHeadAttention.h"

#include "nn/BatchedMatmul.h"
#include "nn/Dropout.h"
#include "nn/ProfileScope.h"

#include <cmath>

namespace automoe {

torch::Tensor additivePaddingMask(const torch::Tensor& padMask, const torch::TensorOptions& options) {
    return torch::zeros(padMask.sizes(), options)
        .masked_fill_(padMask, -1e9)
        .view({padMask.size(0), 1, 1, padMask.size(1)});
}

torch::Tensor selfAttention(const AttentionWeights& w, const torch::Tensor& x, const torch::Tensor& mask,
                            bool training) {
    // One GEMM for q, k and v: a qkv-wide GEMM alone runs at half the speed of a 3*qkv-wide one here.
    std::vector<torch::Tensor> parts;
    {
        ProfileScope scope("automoe::attention projections");
        parts = w.inProj.apply(x).split(w.qkvDim(), -1);
    }
    return attendHeads(w, parts[0], parts[1], parts[2], mask, training);
}

torch::Tensor encoderDecoderAttention(const AttentionWeights& w, const torch::Tensor& query,
                                      const torch::Tensor& memory, const torch::Tensor& mask, bool training) {
    ProfileScope scope("automoe::attention projections");
    auto [k, v] = memoryKeysValues(w, memory);
    auto q = w.qProj.apply(query);
    return attendHeads(w, q, k, v, mask, training);
}

std::pair<torch::Tensor, torch::Tensor> memoryKeysValues(const AttentionWeights& w,
                                                         const torch::Tensor& memory) {
    auto kv = w.kvProj.apply(memory).split(w.qkvDim(), -1);
    return {kv[0], kv[1]};
}

torch::Tensor selfAttentionStep(const AttentionWeights& w, const torch::Tensor& x, torch::Tensor& keys,
                                torch::Tensor& values, bool training) {
    auto parts = w.inProj.apply(x).split(w.qkvDim(), -1);
    keys = keys.defined() ? torch::cat({keys, parts[1]}, 1) : parts[1].contiguous();
    values = values.defined() ? torch::cat({values, parts[2]}, 1) : parts[2].contiguous();
    return attendHeads(w, parts[0], keys, values, {}, training);
}

torch::Tensor attendHeads(const AttentionWeights& w, const torch::Tensor& q, const torch::Tensor& k,
                          const torch::Tensor& v, const torch::Tensor& mask, bool training) {
    const int64_t B = q.size(0), T = q.size(1), S = k.size(1);
    const int64_t H = w.heads, qkv = q.size(2), D = qkv / H;
    // Heads are strided views of the projections (no copies); fairseq's scaling of q after its projection
    // (bias included) is folded into the score product.
    auto qh = q.view({B, T, H, D}).permute({0, 2, 1, 3}); // [B, H, T, D]
    auto kh = k.view({B, S, H, D}).permute({0, 2, 3, 1}); // [B, H, D, S]
    auto vh = v.view({B, S, H, D}).permute({0, 2, 1, 3}); // [B, H, S, D]
    torch::Tensor scores, probs, ctx;
    {
        ProfileScope scope("automoe::attention scores");
        scores = batchedMatmul(qh, kh, 1.0 / std::sqrt(double(D))); // [B, H, T, S]
        if (mask.defined()) scores.add_(mask);
    }
    {
        ProfileScope scope("automoe::attention softmax");
        probs = torch::softmax(scores, -1);
        if (w.dropout > 0 && training) probs = applyDropout(probs, w.dropout, true);
    }
    {
        ProfileScope scope("automoe::attention values");
        // Written head-interleaved, i.e. already [B, T, H, D] in memory: out_proj reads it without a
        // transpose.
        ctx = batchedMatmul(probs, vh, 1.0, /*interleaveHeads=*/true);
    }
    ProfileScope scope("automoe::attention projections");
    return w.outProj.apply(ctx.permute({0, 2, 1, 3}).reshape({B, T, qkv}));
}

} // namespace automoe
