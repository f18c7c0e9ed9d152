#include "nn/StandaloneLayers.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

// fairseq/HAT initialisation, as the supernet's SuperLinear: Xavier-uniform per logical projection (a fused
// weight is initialised block by block, each block with its own fan) and zero bias.
void initLinear(torch::nn::Linear& l, int64_t blocks = 1) {
    torch::NoGradGuard guard;
    const int64_t rows = l->weight.size(0) / blocks;
    for (int64_t b = 0; b < blocks; ++b) {
        auto w = l->weight.narrow(0, b * rows, rows);
        torch::nn::init::xavier_uniform_(w);
    }
    if (l->bias.defined()) l->bias.zero_();
}

torch::nn::Linear linear(int64_t in, int64_t out, int64_t blocks = 1) {
    torch::nn::Linear l(torch::nn::LinearOptions(in, out).bias(true));
    initLinear(l, blocks);
    return l;
}

torch::nn::LayerNorm layerNorm(int64_t dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5));
}

LinearWeights weightsOf(const torch::nn::Linear& l) {
    return {l->weight, l->bias};
}

NormWeights weightsOf(const torch::nn::LayerNorm& n) {
    return {n->weight, n->bias, n->options.eps()};
}

} // namespace

StandaloneAttentionImpl::StandaloneAttentionImpl(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads,
                                                 double attentionDropout)
    : heads_(heads)
    , attentionDropout_(attentionDropout) {
    if (qIn <= 0 || kvIn < 0 || qkvDim <= 0 || heads <= 0 || qkvDim % heads != 0)
        throw std::invalid_argument("StandaloneAttention: " + std::to_string(heads) +
                                    " heads do not divide qkv width " + std::to_string(qkvDim));
    if (kvIn == 0) {
        inProj = register_module("in_proj", linear(qIn, 3 * qkvDim, 3));
    } else {
        qProj = register_module("q_proj", linear(qIn, qkvDim));
        kvProj = register_module("kv_proj", linear(kvIn, 2 * qkvDim, 2));
    }
    outProj = register_module("out_proj", linear(qkvDim, qIn));
}

AttentionWeights StandaloneAttentionImpl::weights() const {
    AttentionWeights w;
    if (isSelfAttention()) {
        w.inProj = weightsOf(inProj);
    } else {
        w.qProj = weightsOf(qProj);
        w.kvProj = weightsOf(kvProj);
    }
    w.outProj = weightsOf(outProj);
    w.heads = heads_;
    w.dropout = attentionDropout_;
    return w;
}

StandaloneExpertImpl::StandaloneExpertImpl(int64_t embedDim, int64_t width) {
    fc1 = register_module("fc1", linear(embedDim, width));
    fc2 = register_module("fc2", linear(width, embedDim));
}

ExpertWeights StandaloneExpertImpl::weights() const {
    return {weightsOf(fc1), weightsOf(fc2)};
}

StandaloneMoEImpl::StandaloneMoEImpl(int64_t embedDim, const std::vector<int>& widths, int topK,
                                     double capacityFactor, bool dropTokens)
    : topK_(topK)
    , capacityFactor_(capacityFactor)
    , dropTokens_(dropTokens) {
    const int64_t n = static_cast<int64_t>(widths.size());
    if (n < 1) throw std::invalid_argument("StandaloneMoE: at least one expert is needed");
    if (topK < 1 || topK > n)
        throw std::invalid_argument("StandaloneMoE: top-k " + std::to_string(topK) + " outside 1.." +
                                    std::to_string(n));
    if (n > 1) router = register_module("router", linear(embedDim, n));
    auto list = register_module("experts", torch::nn::ModuleList());
    for (int w : widths) {
        if (w <= 0)
            throw std::invalid_argument("StandaloneMoE: expert width " + std::to_string(w) +
                                        " is not positive");
        experts.push_back(StandaloneExpert(embedDim, w));
        list->push_back(experts.back());
    }
}

MoEWeights StandaloneMoEImpl::weights() const {
    MoEWeights w;
    if (router) w.router = weightsOf(router);
    w.experts.reserve(experts.size());
    for (const auto& e : experts)
        w.experts.push_back(e->weights());
    w.topK = topK_;
    w.capacityFactor = capacityFactor_;
    w.dropTokens = dropTokens_;
    return w;
}

StandaloneTransformerLayerImpl::StandaloneTransformerLayerImpl(const LayerGene& gene, int embedDim,
                                                               int encoderEmbedDim, int qkvDim,
                                                               double dropout, double attentionDropout,
                                                               double capacityFactor, bool dropTokens)
    : dropout_(dropout) {
    // Names and registration order are those of the exported model files.
    selfAttn = register_module("self_attn",
                               StandaloneAttention(embedDim, 0, qkvDim, gene.selfHeads, attentionDropout));
    selfAttnNorm = register_module("self_attn_layer_norm", layerNorm(embedDim));
    if (encoderEmbedDim > 0) {
        endeAttn = register_module("encoder_attn", StandaloneAttention(embedDim, encoderEmbedDim, qkvDim,
                                                                       gene.endeHeads, attentionDropout));
        endeAttnNorm = register_module("encoder_attn_layer_norm", layerNorm(embedDim));
    }
    ffn =
        register_module("moe", StandaloneMoE(embedDim, gene.expertWidths, std::min(gene.topK, gene.experts()),
                                             capacityFactor, dropTokens));
    finalNorm = register_module("final_layer_norm", layerNorm(embedDim));
}

TransformerLayerWeights StandaloneTransformerLayerImpl::weights() const {
    TransformerLayerWeights w;
    w.selfAttn = selfAttn->weights();
    w.selfAttnNorm = weightsOf(selfAttnNorm);
    if (endeAttn) {
        w.endeAttn = endeAttn->weights();
        w.endeAttnNorm = weightsOf(endeAttnNorm);
    }
    w.ffn = ffn->weights();
    w.finalNorm = weightsOf(finalNorm);
    w.dropout = dropout_;
    return w;
}

} // namespace automoe
