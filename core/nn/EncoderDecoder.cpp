#include "nn/EncoderDecoder.h"

#include "nn/MultiHeadAttention.h"
#include "nn/RoutingTrace.h"

#include <algorithm>

namespace automoe {

namespace {

// Large enough to zero a softmax weight, finite so that a fully masked row yields no NaN.
constexpr double kBlocked = -1e9;

// Additive key mask [B, 1, 1, S] from a bool padding mask [B, S].
torch::Tensor paddingMask(const torch::Tensor& padMask, const torch::TensorOptions& options) {
    return torch::zeros(padMask.sizes(), options)
        .masked_fill_(padMask, kBlocked)
        .view({padMask.size(0), 1, 1, padMask.size(1)});
}

torch::Tensor embedStack(const StackWeights& w, const torch::Tensor& tokens, bool training) {
    auto x = w.embedding.embed(tokens, w.embedDim).add_(w.positions->forward(tokens, w.embedDim));
    if (w.dropout > 0 && training) x = torch::dropout(x, w.dropout, true);
    return x;
}

void record(RoutingTrace& trace, const StackWeights& w, size_t layer, const TokenRows& rows,
            const MoERouting& routing) {
    std::vector<int> widths;
    for (const ExpertWeights& e : w.layers[layer].ffn.experts)
        widths.push_back(static_cast<int>(e.width()));
    trace.add({w.stack, static_cast<int>(layer), std::move(widths), rows.seqLen, trace.batchOffset(),
               rows.index, routing.expert, routing.gate, routing.kept, routing.counts});
}

} // namespace

torch::Tensor transformerLayer(const TransformerLayerWeights& w, const torch::Tensor& x,
                               const torch::Tensor& selfMask, const torch::Tensor& memory,
                               const torch::Tensor& memoryMask, const TokenRows& rows, bool training,
                               std::vector<torch::Tensor>& balanceLosses, MoERouting* routing) {
    const bool drop = w.dropout > 0 && training;
    auto addNorm = [&](const torch::Tensor& residual, torch::Tensor h, const NormWeights& norm) {
        if (drop) h = torch::dropout(h, w.dropout, true);
        return norm.apply(residual + h);
    };
    auto y = addNorm(x, selfAttention(w.selfAttn, x, selfMask, training), w.selfAttnNorm);
    if (w.hasEncoderAttention())
        y = addNorm(y, encoderDecoderAttention(w.endeAttn, y, memory, memoryMask, training), w.endeAttnNorm);
    MoEOutput m = switchFeedForwardSequence(w.ffn, y, rows, routing);
    if (m.balanceLoss.defined()) balanceLosses.push_back(m.balanceLoss);
    return addNorm(y, m.output, w.finalNorm);
}

EncoderOutput runEncoder(const StackWeights& w, const torch::Tensor& src, bool training,
                         RoutingTrace* trace) {
    EncoderOutput out;
    auto x = embedStack(w, src, training);
    const TokenRows rows = TokenRows::of(src, w.embedding.padIndex);
    out.padMask = src.eq(w.embedding.padIndex);
    out.hasPadding = !rows.full;
    torch::Tensor mask;
    if (out.hasPadding) mask = paddingMask(out.padMask, x.options());
    out.layers.reserve(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        MoERouting routing;
        x = transformerLayer(w.layers[i], x, mask, {}, {}, rows, training, out.balanceLosses,
                             trace ? &routing : nullptr);
        out.layers.push_back(x);
        if (trace) record(*trace, w, i, rows, routing);
    }
    return out;
}

DecoderOutput runDecoder(const StackWeights& w, const torch::Tensor& tgtIn, const EncoderOutput& enc,
                         bool training, RoutingTrace* trace) {
    DecoderOutput out;
    const int64_t T = tgtIn.size(1);
    auto x = embedStack(w, tgtIn, training);
    const TokenRows rows = TokenRows::of(tgtIn, w.embedding.padIndex);
    auto selfMask = torch::full({T, T}, kBlocked, x.options()).triu_(1).view({1, 1, T, T});
    if (!rows.full) selfMask = selfMask + paddingMask(tgtIn.eq(w.embedding.padIndex), x.options());

    // The memory a layer attends to: the last m encoder outputs concatenated along the sequence (last
    // first, as HAT), built once per distinct m.
    const int encDepth = static_cast<int>(enc.layers.size());
    std::vector<torch::Tensor> memory(size_t(encDepth) + 1), memoryMask(size_t(encDepth) + 1);
    torch::Tensor baseMask;
    if (enc.hasPadding) baseMask = paddingMask(enc.padMask, x.options());

    for (size_t i = 0; i < w.layers.size(); ++i) {
        const int m = std::clamp(w.layers[i].attendedEncoderLayers, 1, encDepth);
        if (!memory[size_t(m)].defined()) {
            if (m == 1) {
                memory[1] = enc.layers.back();
            } else {
                std::vector<torch::Tensor> parts;
                for (int j = 1; j <= m; ++j)
                    parts.push_back(enc.layers[size_t(encDepth - j)]);
                memory[size_t(m)] = torch::cat(parts, 1);
            }
            if (baseMask.defined()) memoryMask[size_t(m)] = m == 1 ? baseMask : baseMask.repeat({1, 1, 1, m});
        }
        MoERouting routing;
        x = transformerLayer(w.layers[i], x, selfMask, memory[size_t(m)], memoryMask[size_t(m)], rows,
                             training, out.balanceLosses, trace ? &routing : nullptr);
        if (trace) record(*trace, w, i, rows, routing);
    }
    out.hidden = x;
    return out;
}

torch::Tensor decodeNextToken(const StackWeights& w, const torch::Tensor& tgtIn, const EncoderOutput& encoded,
                              bool training, RoutingTrace* trace) {
    DecoderOutput dec = runDecoder(w, tgtIn, encoded, training, trace);
    return w.embedding.project(dec.hidden.select(1, dec.hidden.size(1) - 1));
}

torch::Tensor meanBalanceLoss(const EncoderOutput& enc, const DecoderOutput& dec) {
    std::vector<torch::Tensor> all(enc.balanceLosses);
    all.insert(all.end(), dec.balanceLosses.begin(), dec.balanceLosses.end());
    if (all.empty()) return torch::zeros({});
    return torch::stack(all).mean();
}

TransformerOutput transformerOutput(const EmbeddingWeights& embedding, const EncoderOutput& enc,
                                    const DecoderOutput& dec) {
    TransformerOutput out;
    out.logits = embedding.project(dec.hidden);
    out.loadBalancingLoss = meanBalanceLoss(enc, dec);
    return out;
}

} // namespace automoe
