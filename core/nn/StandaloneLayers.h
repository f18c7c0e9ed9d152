// The layers of a StandaloneTransformer: dense, exactly-sized counterparts of the supernet's layers (no
// slicing, no unused slots). They hold parameters only: what is computed on them is EncoderDecoder's, the
// code the supernet runs on its slices, so that a standalone copy reproduces the supernet's outputs. Kept
// in one file because they only exist as parts of StandaloneTransformer.
#pragma once

#include "nn/LayerWeights.h"
#include "space/Architecture.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

// Multi-head attention at fixed widths (HAT convention: Q/K/V project to qkv, heads split it). Self-attention
// keeps Q, K and V as one fused projection [3 qkv, e] (one GEMM, as the supernet runs it); encoder-decoder
// attention keeps Q [qkv, e] and the fused K/V [2 qkv, e_kv].
class StandaloneAttentionImpl : public torch::nn::Module {
public:
    // kvIn == 0: self-attention over the query's own width.
    StandaloneAttentionImpl(int64_t qIn, int64_t kvIn, int64_t qkvDim, int64_t heads,
                            double attentionDropout);

    AttentionWeights weights() const;
    bool isSelfAttention() const { return !qProj; }
    int64_t heads() const { return heads_; }

    torch::nn::Linear inProj{nullptr}; // self-attention: [q; k; v]
    torch::nn::Linear qProj{nullptr};  // encoder-decoder attention: q
    torch::nn::Linear kvProj{nullptr}; // encoder-decoder attention: [k; v]
    torch::nn::Linear outProj{nullptr};

private:
    int64_t heads_;
    double attentionDropout_;
};
TORCH_MODULE(StandaloneAttention);

// One expert (or the dense FFN): fc2(relu(fc1(x))) at its own width.
class StandaloneExpertImpl : public torch::nn::Module {
public:
    StandaloneExpertImpl(int64_t embedDim, int64_t width);
    ExpertWeights weights() const;

    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(StandaloneExpert);

// The FFN of a layer: one expert (dense, no router) or a Switch-style MoE over experts of their own widths,
// routed top-k with gate-scaled outputs (not renormalised), optional capacity limit (as SwitchMoE).
class StandaloneMoEImpl : public torch::nn::Module {
public:
    StandaloneMoEImpl(int64_t embedDim, const std::vector<int>& widths, int topK, double capacityFactor,
                      bool dropTokens);

    MoEWeights weights() const;
    int expertCount() const { return static_cast<int>(experts.size()); }

    torch::nn::Linear router{nullptr};     // [n, e] with bias; null for a dense layer
    std::vector<StandaloneExpert> experts; // registered as experts.<i>

private:
    int topK_;
    double capacityFactor_;
    bool dropTokens_;
};
TORCH_MODULE(StandaloneMoE);

// Post-norm layer: self-attention, attention over the (concatenated) encoder outputs in a decoder layer,
// then the FFN, each as x = LN(x + sublayer(x)).
class StandaloneTransformerLayerImpl : public torch::nn::Module {
public:
    // encoderEmbedDim 0: an encoder layer (no encoder-decoder attention).
    StandaloneTransformerLayerImpl(const LayerGene& gene, int embedDim, int encoderEmbedDim, int qkvDim,
                                   double dropout, double attentionDropout, double capacityFactor,
                                   bool dropTokens);

    TransformerLayerWeights weights() const;

    StandaloneAttention selfAttn{nullptr};
    torch::nn::LayerNorm selfAttnNorm{nullptr};
    StandaloneAttention endeAttn{nullptr}; // decoder layers only
    torch::nn::LayerNorm endeAttnNorm{nullptr};
    StandaloneMoE ffn{nullptr};
    torch::nn::LayerNorm finalNorm{nullptr};

private:
    double dropout_;
};
TORCH_MODULE(StandaloneTransformerLayer);

} // namespace automoe
