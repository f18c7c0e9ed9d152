#include "nn/SuperAttention.h"

#include "nn/MultiHeadAttention.h"

#include <stdexcept>
#include <string>

namespace automoe {

namespace {

LinearWeights fused(std::initializer_list<const SuperLinear*> parts) {
    std::vector<torch::Tensor> w, b;
    for (const SuperLinear* p : parts) {
        const LinearWeights part = (*p)->sampled();
        w.push_back(part.weight);
        b.push_back(part.bias);
    }
    return {torch::cat(w), torch::cat(b)};
}

} // namespace

SuperAttentionImpl::SuperAttentionImpl(int64_t qSuperIn, int64_t kvSuperIn, int64_t superQkv,
                                       double attentionDropout)
    : attentionDropout_(attentionDropout) {
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
    heads_ = heads;
}

int64_t SuperAttentionImpl::sampledParameterCount() const {
    return qProj->sampledParameterCount() + kProj->sampledParameterCount() + vProj->sampledParameterCount() +
           outProj->sampledParameterCount();
}

AttentionWeights SuperAttentionImpl::sampledSelfAttention() const {
    AttentionWeights w;
    w.inProj = fused({&qProj, &kProj, &vProj});
    w.outProj = outProj->sampled();
    w.heads = heads_;
    w.dropout = attentionDropout_;
    return w;
}

AttentionWeights SuperAttentionImpl::sampledEncoderDecoderAttention() const {
    AttentionWeights w;
    w.qProj = qProj->sampled();
    w.kvProj = fused({&kProj, &vProj});
    w.outProj = outProj->sampled();
    w.heads = heads_;
    w.dropout = attentionDropout_;
    return w;
}

torch::Tensor SuperAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& keyValue,
                                          const torch::Tensor& mask) {
    if (query.is_same(keyValue)) return selfAttention(sampledSelfAttention(), query, mask, is_training());
    return encoderDecoderAttention(sampledEncoderDecoderAttention(), query, keyValue, mask, is_training());
}

} // namespace automoe
