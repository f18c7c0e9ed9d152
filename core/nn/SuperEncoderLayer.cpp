#include "nn/SuperEncoderLayer.h"

#include <algorithm>

namespace automoe {

SuperEncoderLayerImpl::SuperEncoderLayerImpl(const SupernetDims& d, double attentionDropout) {
    selfAttn = register_module(
        "self_attn", SuperAttention(d.encoderEmbedDim, d.encoderEmbedDim, d.qkvDim, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", SuperLayerNorm(d.encoderEmbedDim));
    ffn = register_module("moe", SwitchMoE(d.encoderEmbedDim, d.encoderFfnDim, d.encoderExperts));
    finalNorm = register_module("final_layer_norm", SuperLayerNorm(d.encoderEmbedDim));
}

void SuperEncoderLayerImpl::setSample(const LayerGene& gene, int embedDim, int qkvDim, double dropout,
                                      double capacityFactor, bool dropTokens) {
    selfAttn->setSample(embedDim, embedDim, qkvDim, gene.selfHeads);
    selfAttnNorm->setSample(embedDim);
    ffn->setSample(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()), capacityFactor,
                   dropTokens);
    finalNorm->setSample(embedDim);
    dropout_ = dropout;
}

int64_t SuperEncoderLayerImpl::sampledParameterCount() const {
    return selfAttn->sampledParameterCount() + selfAttnNorm->sampledParameterCount() +
           ffn->sampledParameterCount() + finalNorm->sampledParameterCount();
}

torch::Tensor SuperEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& selfMask,
                                             const TokenRows& rows, std::vector<torch::Tensor>& balanceLosses,
                                             MoERouting* routing) {
    const bool drop = dropout_ > 0 && is_training();
    auto h = selfAttn->forward(x, x, selfMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    auto y = selfAttnNorm->forward(x + h);

    MoEOutput m = ffn->forwardSequence(y, rows, skipPadding, routing);
    if (m.balanceLoss.defined()) balanceLosses.push_back(m.balanceLoss);
    h = m.output;
    if (drop) h = torch::dropout(h, dropout_, true);
    return finalNorm->forward(y + h);
}

} // namespace automoe
