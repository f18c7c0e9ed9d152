#include "nn/SuperAttention.h"

#include "nn/BatchedMatmul.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace automoe {

SuperAttentionImpl::SuperAttentionImpl(int64_t qSuperIn, int64_t kvSuperIn, int64_t superQkv,
                                       double attentionDropout)
    : qkv_(superQkv)
    , attentionDropout_(attentionDropout) {
    qProj = register_module("q_proj", SuperLinear(qSuperIn, superQkv));
    kProj = register_module("k_proj", SuperLinear(kvSuperIn, superQkv));
    vProj = register_module("v_proj", SuperLinear(kvSuperIn, superQkv));
    outProj = register_module("out_proj", SuperLinear(superQkv, qSuperIn));
}

void SuperAttentionImpl::setSample(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads) {
    if (heads <= 0 || qkvDim % heads != 0)
        throw std::invalid_argument("SuperAttention: " + std::to_string(heads) +
                                    " heads do not divide qkv width " + std::to_string(qkvDim));
    qProj->setSample(qIn, qkvDim);
    kProj->setSample(kvIn, qkvDim);
    vProj->setSample(kvIn, qkvDim);
    outProj->setSample(qkvDim, qIn);
    qkv_ = qkvDim;
    heads_ = heads;
}

int64_t SuperAttentionImpl::sampledParameterCount() const {
    return qProj->sampledParameterCount() + kProj->sampledParameterCount() + vProj->sampledParameterCount() +
           outProj->sampledParameterCount();
}

torch::Tensor SuperAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& keyValue,
                                          const torch::Tensor& mask) {
    namespace F = torch::nn::functional;
    const int64_t B = query.size(0), T = query.size(1), S = keyValue.size(1);
    const int64_t D = qkv_ / heads_;
    // Projections that read the same input run as one GEMM on the concatenated weight slices (a small
    // copy of the weights): a qkv-wide GEMM alone runs at half the speed of a 3*qkv-wide one here.
    torch::Tensor q, k, v;
    if (query.is_same(keyValue)) {
        auto w = torch::cat({qProj->sampledWeight(), kProj->sampledWeight(), vProj->sampledWeight()});
        auto b = torch::cat({qProj->sampledBias(), kProj->sampledBias(), vProj->sampledBias()});
        auto parts = F::linear(query, w, b).split(qkv_, -1);
        q = parts[0], k = parts[1], v = parts[2];
    } else {
        q = qProj->forward(query);
        auto w = torch::cat({kProj->sampledWeight(), vProj->sampledWeight()});
        auto b = torch::cat({kProj->sampledBias(), vProj->sampledBias()});
        auto parts = F::linear(keyValue, w, b).split(qkv_, -1);
        k = parts[0], v = parts[1];
    }
    // Heads are strided views of the projections (no copies); fairseq's scaling of q after its projection
    // (bias included) is folded into the score product.
    q = q.view({B, T, heads_, D}).permute({0, 2, 1, 3});           // [B, H, T, D]
    k = k.view({B, S, heads_, D}).permute({0, 2, 3, 1});           // [B, H, D, S]
    v = v.view({B, S, heads_, D}).permute({0, 2, 1, 3});           // [B, H, S, D]
    auto scores = batchedMatmul(q, k, 1.0 / std::sqrt(double(D))); // [B, H, T, S]
    if (mask.defined()) scores.add_(mask);
    auto probs = torch::softmax(scores, -1);
    if (attentionDropout_ > 0 && is_training()) probs = torch::dropout(probs, attentionDropout_, true);
    // Written head-interleaved, i.e. already [B, T, H, D] in memory: out_proj reads it without a transpose.
    auto ctx = batchedMatmul(probs, v, 1.0, /*interleaveHeads=*/true);
    return outProj->forward(ctx.permute({0, 2, 1, 3}).reshape({B, T, qkv_}));
}

} // namespace automoe
