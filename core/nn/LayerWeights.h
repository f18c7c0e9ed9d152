// The weights a Transformer layer runs with, as plain tensors: the supernet hands over views of the leading
// rows/columns of its shared weights (the sampled sub-layer), a StandaloneTransformer its own exactly-sized
// parameters. What is computed on them (MultiHeadAttention, SwitchFeedForward, EncoderDecoder) is written
// once for both, so that a standalone copy computes exactly what the supernet computes.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <vector>

namespace automoe {

// x [..., in] times weight^T [in, out] plus bias. A single row (incremental decoding at batch 1) goes through
// GEMV: BLAS's GEMM packs the whole weight matrix on every call, which for one row costs several times the
// product itself (`automoe bench decode` measures it).
inline torch::Tensor linearRows(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias) {
    const int64_t in = x.size(-1);
    if (x.numel() != in || x.numel() == 0) return torch::nn::functional::linear(x, weight, bias);
    auto sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    const auto row = x.reshape({in});
    return (bias.defined() ? torch::addmv(bias, weight, row) : torch::mv(weight, row)).view(sizes);
}

struct LinearWeights {
    torch::Tensor weight; // [out, in]
    torch::Tensor bias;   // [out], or undefined

    bool defined() const { return weight.defined(); }
    torch::Tensor apply(const torch::Tensor& x) const { return linearRows(x, weight, bias); }
};

struct NormWeights {
    torch::Tensor weight; // gain [dim]
    torch::Tensor bias;   // [dim]
    double eps = 1e-5;

    torch::Tensor apply(const torch::Tensor& x) const {
        return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
    }
};

// The token table shared by the encoder input, the decoder input and the output projection (tied weights,
// as in HAT/AutoMoE); a stack of width e uses its first e columns.
struct EmbeddingWeights {
    torch::Tensor table; // [vocab, >= e]
    int64_t padIndex = 1;

    torch::Tensor columns(int64_t dim) const {
        return dim == table.size(1) ? table : table.narrow(1, 0, dim);
    }
    // table[tokens, :dim] * sqrt(dim) (fairseq's scaling). tokens int64 [B, T] -> [B, T, dim].
    torch::Tensor embed(const torch::Tensor& tokens, int64_t dim) const {
        return torch::embedding(columns(dim), tokens, padIndex).mul_(std::sqrt(double(dim)));
    }
    // Tied output layer: hidden [..., dim] -> logits [..., vocab].
    torch::Tensor project(const torch::Tensor& hidden) const {
        return linearRows(hidden, columns(hidden.size(-1)), {});
    }
};

// Multi-head attention in the HAT convention: Q/K/V project to a fixed qkv width that the heads split.
// Projections that read the same input are fused into one weight, so that they run as one GEMM.
struct AttentionWeights {
    LinearWeights inProj;  // self-attention: [q; k; v], [3 qkv, e]
    LinearWeights qProj;   // encoder-decoder attention: q, [qkv, e]
    LinearWeights kvProj;  // encoder-decoder attention: [k; v], [2 qkv, e_kv]
    LinearWeights outProj; // [e, qkv]
    int64_t heads = 1;
    double dropout = 0; // on the attention probabilities, in training only

    int64_t qkvDim() const { return outProj.weight.size(1); }
};

// One expert, or the dense FFN: fc2(relu(fc1(x))) at the expert's width.
struct ExpertWeights {
    LinearWeights fc1; // [width, e]
    LinearWeights fc2; // [e, width]

    int64_t width() const { return fc1.weight.size(0); }
};

// The FFN of a layer: one expert (dense, no router) or a Switch-style MoE over experts of their own widths.
struct MoEWeights {
    LinearWeights router; // [n, e] with bias; undefined for a dense layer
    std::vector<ExpertWeights> experts;
    int topK = 1;
    double capacityFactor = 0; // 0 = unlimited
    bool dropTokens = false;   // drop assignments beyond capacity (the residual carries the token)
    bool skipPadding = true;   // a dense layer runs on the real tokens only (an MoE layer always does)

    bool routed() const { return experts.size() > 1; }
};

// One post-norm layer: self-attention, encoder-decoder attention (decoder layers only), FFN/MoE.
struct TransformerLayerWeights {
    AttentionWeights selfAttn;
    NormWeights selfAttnNorm;
    AttentionWeights endeAttn; // undefined weights in an encoder layer
    NormWeights endeAttnNorm;
    MoEWeights ffn;
    NormWeights finalNorm;
    double dropout = 0;            // on each sublayer's output, in training only
    int attendedEncoderLayers = 1; // decoder: endeAttn reads the last m encoder outputs, concatenated

    bool hasEncoderAttention() const { return endeAttn.outProj.defined(); }
};

} // namespace automoe
