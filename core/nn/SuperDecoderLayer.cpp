#include "nn/SuperDecoderLayer.h"

#include <algorithm>

namespace automoe {

SuperDecoderLayerImpl::SuperDecoderLayerImpl(const SupernetDims& d, double attentionDropout) {
    selfAttn = register_module(
        "self_attn", SuperAttention(d.decoderEmbedDim, d.decoderEmbedDim, d.qkvDim, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", SuperLayerNorm(d.decoderEmbedDim));
    endeAttn = register_module(
        "encoder_attn", SuperAttention(d.decoderEmbedDim, d.encoderEmbedDim, d.qkvDim, attentionDropout));
    endeAttnNorm = register_module("encoder_attn_layer_norm", SuperLayerNorm(d.decoderEmbedDim));
    ffn = register_module("moe", SwitchMoE(d.decoderEmbedDim, d.decoderFfnDim, d.decoderExperts));
    finalNorm = register_module("final_layer_norm", SuperLayerNorm(d.decoderEmbedDim));
}

void SuperDecoderLayerImpl::setSample(const LayerGene& gene, int embedDim, int encoderEmbedDim, int qkvDim,
                                      double dropout, double capacityFactor, bool dropTokens) {
    selfAttn->setSample(embedDim, embedDim, qkvDim, gene.selfHeads);
    selfAttnNorm->setSample(embedDim);
    endeAttn->setSample(embedDim, encoderEmbedDim, qkvDim, gene.endeHeads);
    endeAttnNorm->setSample(embedDim);
    ffn->setSample(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()), capacityFactor,
                   dropTokens);
    finalNorm->setSample(embedDim);
    dropout_ = dropout;
}

int64_t SuperDecoderLayerImpl::sampledParameterCount() const {
    return selfAttn->sampledParameterCount() + selfAttnNorm->sampledParameterCount() +
           endeAttn->sampledParameterCount() + endeAttnNorm->sampledParameterCount() +
           ffn->sampledParameterCount() + finalNorm->sampledParameterCount();
}

torch::Tensor SuperDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& selfMask,
                                             const torch::Tensor& memory, const torch::Tensor& memoryMask,
                                             const TokenRows& rows, std::vector<torch::Tensor>& balanceLosses,
                                             MoERouting* routing) {
    const bool drop = dropout_ > 0 && is_training();
    auto h = selfAttn->forward(x, x, selfMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    auto y = selfAttnNorm->forward(x + h);

    h = endeAttn->forward(y, memory, memoryMask);
    if (drop) h = torch::dropout(h, dropout_, true);
    y = endeAttnNorm->forward(y + h);

    MoEOutput m = ffn->forwardSequence(y, rows, skipPadding, routing);
    if (m.balanceLoss.defined()) balanceLosses.push_back(m.balanceLoss);
    h = m.output;
    if (drop) h = torch::dropout(h, dropout_, true);
    return finalNorm->forward(y + h);
}

} // namespace automoe
