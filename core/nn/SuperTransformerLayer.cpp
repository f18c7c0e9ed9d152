#include "nn/SuperTransformerLayer.h"

#include <algorithm>

namespace automoe {

SuperTransformerLayerImpl::SuperTransformerLayerImpl(const SupernetDims& d, Stack stack,
                                                     double attentionDropout) {
    const bool decoder = stack == Stack::Decoder;
    const int64_t e = decoder ? d.decoderEmbedDim : d.encoderEmbedDim;
    // Names (fairseq's) and registration order are the checkpoints': the optimizer state follows the
    // parameter order, and the initialisation draws in this order.
    selfAttn = register_module("self_attn", SuperAttention(e, e, d.qkvDim, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", SuperLayerNorm(e));
    if (decoder) {
        endeAttn =
            register_module("encoder_attn", SuperAttention(e, d.encoderEmbedDim, d.qkvDim, attentionDropout));
        endeAttnNorm = register_module("encoder_attn_layer_norm", SuperLayerNorm(e));
    }
    ffn = register_module("moe", decoder ? SwitchMoE(e, d.decoderFfnDim, d.decoderExperts)
                                         : SwitchMoE(e, d.encoderFfnDim, d.encoderExperts));
    finalNorm = register_module("final_layer_norm", SuperLayerNorm(e));
}

void SuperTransformerLayerImpl::setSample(const LayerGene& gene, int embedDim, int encoderEmbedDim,
                                          int qkvDim, double dropout, double capacityFactor,
                                          bool dropTokens) {
    selfAttn->setSample(embedDim, embedDim, qkvDim, gene.selfHeads);
    selfAttnNorm->setSample(embedDim);
    if (endeAttn) {
        endeAttn->setSample(embedDim, encoderEmbedDim, qkvDim, gene.endeHeads);
        endeAttnNorm->setSample(embedDim);
    }
    ffn->setSample(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()), capacityFactor,
                   dropTokens);
    finalNorm->setSample(embedDim);
    dropout_ = dropout;
}

TransformerLayerWeights SuperTransformerLayerImpl::sampled() const {
    TransformerLayerWeights w;
    w.selfAttn = selfAttn->sampledSelfAttention();
    w.selfAttnNorm = selfAttnNorm->sampled();
    if (endeAttn) {
        w.endeAttn = endeAttn->sampledEncoderDecoderAttention();
        w.endeAttnNorm = endeAttnNorm->sampled();
    }
    w.ffn = ffn->sampled(skipPadding);
    w.finalNorm = finalNorm->sampled();
    w.dropout = dropout_;
    return w;
}

int64_t SuperTransformerLayerImpl::sampledParameterCount() const {
    int64_t n = selfAttn->sampledParameterCount() + selfAttnNorm->sampledParameterCount() +
                ffn->sampledParameterCount() + finalNorm->sampledParameterCount();
    if (endeAttn) n += endeAttn->sampledParameterCount() + endeAttnNorm->sampledParameterCount();
    return n;
}

} // namespace automoe
