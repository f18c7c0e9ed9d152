// The computation of the encoder-decoder Transformer on given weights, written once for the weight-sharing
// supernet (views of the sampled sub-network) and for a StandaloneTransformer (its own exact weights): one
// post-norm layer, the encoder stack, the decoder stack with arbitrary encoder-decoder attention, and the
// decode steps behind Seq2SeqModel: nextTokenLogits (the whole prefix again) and the incremental
// startDecoding / stepLogits (cached keys and values, DecoderState), next to the one decoder both models run.
#pragma once

#include "nn/LayerWeights.h"
#include "nn/Seq2SeqModel.h"
#include "nn/SinusoidalPositions.h"
#include "nn/SwitchFeedForward.h"
#include "nn/TokenRows.h"
#include "space/Architecture.h"

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace automoe {

class RoutingTrace;

struct DecoderOutput {
    torch::Tensor hidden; // [B, T, e_dec], before the output projection
    std::vector<torch::Tensor> balanceLosses;
};

struct TransformerOutput {
    torch::Tensor logits;            // [B, T, vocab]; undefined from SuperTransformer::forwardHidden
    torch::Tensor hidden;            // [B, T, e_dec], the decoder states the logits are projected from
    torch::Tensor loadBalancingLoss; // scalar: mean over this architecture's MoE layers (0 when none)
};

// One stack of a model at its current architecture: the embedding it reads and its layers.
struct StackWeights {
    Stack stack = Stack::Encoder;
    EmbeddingWeights embedding;
    SinusoidalPositionsImpl* positions = nullptr; // not owned; its tables grow on demand
    int64_t embedDim = 0;
    double dropout = 0; // on the embedded input, in training only (the layers carry their own rate)
    std::vector<TransformerLayerWeights> layers;
};

// The weights of `arch`'s stack s; layerWeights(i) gives layer i's (the decoder layers' attended encoder
// layers are set here, from the genes).
template <class LayerWeightsOf>
StackWeights stackWeights(const Architecture& arch, Stack s, EmbeddingWeights embedding,
                          SinusoidalPositionsImpl& positions, double dropout, LayerWeightsOf&& layerWeights) {
    const StackGene& g = arch.stack(s);
    StackWeights w;
    w.stack = s;
    w.embedding = std::move(embedding);
    w.positions = &positions;
    w.embedDim = g.embedDim;
    w.dropout = dropout;
    w.layers.reserve(g.layers.size());
    for (size_t i = 0; i < g.layers.size(); ++i) {
        w.layers.push_back(layerWeights(i));
        if (s == Stack::Decoder)
            w.layers.back().attendedEncoderLayers = arch.attendedEncoderLayers(g.layers[i]);
    }
    return w;
}

// One post-norm layer (HAT): x = LN(x + SelfAttn(x)); in a decoder layer then x = LN(x + Attn(x, memory));
// then x = LN(x + FFN(x)); dropout on each sublayer's output in training. x [B, T, e]; selfMask additive,
// broadcastable to [B, heads, T, T], or undefined; memory [B, m*S, e_enc] and memoryMask (decoder layers
// only). The MoE balance loss, when the layer has several experts, is appended to balanceLosses. With a
// cache (incremental decoding), x holds only the new positions: self-attention appends their keys and
// values to the cache and attends to all cached ones (selfMask unused), and encoder-decoder attention reads
// the cache's keys, values and mask (memory unused); the FFN routes only the new positions.
torch::Tensor transformerLayer(const TransformerLayerWeights& w, const torch::Tensor& x,
                               const torch::Tensor& selfMask, const torch::Tensor& memory,
                               const torch::Tensor& memoryMask, const TokenRows& rows, bool training,
                               std::vector<torch::Tensor>& balanceLosses, MoERouting* routing = nullptr,
                               DecoderLayerCache* cache = nullptr);

// src [B, S] int64, padded with the embedding's pad index. trace: when non-null, every layer's routing is
// recorded into it.
EncoderOutput runEncoder(const StackWeights& encoder, const torch::Tensor& src, bool training,
                         RoutingTrace* trace = nullptr);

// tgtIn [B, T] int64, padded; causal self-attention; each layer attends to the last m encoder outputs
// concatenated along the sequence (last first, as HAT).
DecoderOutput runDecoder(const StackWeights& decoder, const torch::Tensor& tgtIn,
                         const EncoderOutput& encoded, bool training, RoutingTrace* trace = nullptr);

// The decode step: logits [B, vocab] of the token after the last position of tgtIn (no padding inside).
torch::Tensor decodeNextToken(const StackWeights& decoder, const torch::Tensor& tgtIn,
                              const EncoderOutput& encoded, bool training, RoutingTrace* trace = nullptr);

// Incremental decoding (DecoderState): the encoder-decoder keys and values of every decoder layer, computed
// once from the encoder outputs it attends to, and empty self-attention caches.
DecoderState startDecoder(const StackWeights& decoder, const EncoderOutput& encoded);

// One incremental step: tokens int64 [R] at position state.steps (no padding) -> logits [R, vocab] of the
// next token; appends to the caches and advances state.steps. MoE layers route only the R new tokens, with
// no capacity limit and no balance loss (switchFeedForward's step mode). Not traced: the routing view
// traces a teacher-forced forward of the decoded sentence.
torch::Tensor decodeStep(const StackWeights& decoder, const torch::Tensor& tokens, DecoderState& state,
                         bool training);

// Mean of the collected per-layer balance losses, 0 when there are none.
torch::Tensor meanBalanceLoss(const EncoderOutput& enc, const DecoderOutput& dec);

// The decoder states, the logits of every position (tied output layer; left undefined without `logits`) and
// the mean balance loss.
TransformerOutput transformerOutput(const EmbeddingWeights& embedding, const EncoderOutput& enc,
                                    const DecoderOutput& dec, bool logits = true);

} // namespace automoe
