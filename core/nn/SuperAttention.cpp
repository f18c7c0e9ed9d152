#include "nn/SuperAttention.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace automoe {

SuperAttentionImpl::SuperAttentionImpl(int64_t qSuperIn, int64_t kvSuperIn, int64_t superQkv,
                                       double attentionDropout)
    : qkv_(superQkv), attentionDropout_(attentionDropout) {
    qProj = register_module("q_proj", SuperLinear(qSuperIn, superQkv));
    kProj = register_module("k_proj", SuperLinear(kvSuperIn, superQkv));
    vProj = register_module("v_proj", SuperLinear(kvSuperIn, superQkv));
    outProj = register_module("out_proj", SuperLinear(superQkv, qSuperIn));
}

void SuperAttentionImpl::setSample(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads) {
    if (heads <= 0 || qkvDim % heads != 0)
        throw std::invalid_argument("SuperAttention: " + std::to_string(heads) + " heads do not divide qkv width " +
                                    std::to_string(qkvDim));
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
    // fairseq scales q after its projection (bias included).
    q = q.mul(1.0 / std::sqrt(double(D))).view({B, T, heads_, D}).transpose(1, 2); // [B, H, T, D]
    k = k.reshape({B, S, heads_, D}).permute({0, 2, 3, 1});                         // [B, H, D, S]
    v = v.reshape({B, S, heads_, D}).transpose(1, 2);                               // [B, H, S, D]
    auto scores = torch::matmul(q, k);                                              // [B, H, T, S]
    if (mask.defined())
        scores.add_(mask);
    auto probs = torch::softmax(scores, -1);
    if (attentionDropout_ > 0 && is_training())
        probs = torch::dropout(probs, attentionDropout_, true);
    auto ctx = torch::matmul(probs, v); // [B, H, T, D]
    return outProj->forward(ctx.transpose(1, 2).reshape({B, T, qkv_}));
}

} // namespace automoe
