#include "nn/EncoderDecoder.h"

#include "nn/Dropout.h"
#include "nn/MultiHeadAttention.h"
#include "nn/ProfileScope.h"
#include "nn/RoutingTrace.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>

namespace automoe {

namespace {

// Large enough to zero a softmax weight, finite so that a fully masked row yields no NaN (as
// additivePaddingMask's).
constexpr double kBlocked = -1e9;

torch::Tensor embedStack(const StackWeights& w, const torch::Tensor& tokens, bool training) {
    ProfileScope scope("automoe::embedding");
    auto x = w.embedding.embed(tokens, w.embedDim).add_(w.positions->forward(tokens, w.embedDim));
    if (w.dropout > 0 && training) x = applyDropout(x, w.dropout, true);
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
                               std::vector<torch::Tensor>& balanceLosses, MoERouting* routing,
                               DecoderLayerCache* cache) {
    const bool drop = w.dropout > 0 && training;
    auto addNorm = [&](const torch::Tensor& residual, torch::Tensor h, const NormWeights& norm) {
        ProfileScope scope("automoe::residual, dropout, norm");
        if (drop) h = applyDropout(h, w.dropout, true);
        return norm.apply(residual + h);
    };
    auto attended = cache ? selfAttentionStep(w.selfAttn, x, cache->selfKeys, cache->selfValues, training)
                          : selfAttention(w.selfAttn, x, selfMask, training);
    auto y = addNorm(x, attended, w.selfAttnNorm);
    if (w.hasEncoderAttention()) {
        attended = cache ? attendHeads(w.endeAttn, w.endeAttn.qProj.apply(y), cache->memoryKeys,
                                       cache->memoryValues, cache->memoryMask, training)
                         : encoderDecoderAttention(w.endeAttn, y, memory, memoryMask, training);
        y = addNorm(y, attended, w.endeAttnNorm);
    }
    MoEOutput m = switchFeedForwardSequence(w.ffn, y, rows, routing, /*step=*/cache != nullptr);
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
    if (out.hasPadding) mask = additivePaddingMask(out.padMask, x.options());
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

// The memory a decoder layer attends to: the last m encoder outputs concatenated along the sequence (last
// first, as HAT) and its additive padding mask, built once per distinct m.
class DecoderMemory {
public:
    DecoderMemory(const EncoderOutput& enc, const torch::TensorOptions& options)
        : enc_(enc)
        , depth_(static_cast<int>(enc.layers.size()))
        , memory_(size_t(depth_) + 1)
        , mask_(size_t(depth_) + 1) {
        if (enc.hasPadding) baseMask_ = additivePaddingMask(enc.padMask, options);
    }

    // {memory [B, m*S, e_enc], mask or undefined} of a layer attending to `attended` encoder layers.
    std::pair<torch::Tensor, torch::Tensor> of(int attended) {
        const size_t m = size_t(std::clamp(attended, 1, depth_));
        if (!memory_[m].defined()) {
            if (m == 1) {
                memory_[1] = enc_.layers.back();
            } else {
                std::vector<torch::Tensor> parts;
                for (size_t j = 1; j <= m; ++j)
                    parts.push_back(enc_.layers[size_t(depth_) - j]);
                memory_[m] = torch::cat(parts, 1);
            }
            if (baseMask_.defined()) mask_[m] = m == 1 ? baseMask_ : baseMask_.repeat({1, 1, 1, int64_t(m)});
        }
        return {memory_[m], mask_[m]};
    }

private:
    const EncoderOutput& enc_;
    int depth_;
    std::vector<torch::Tensor> memory_, mask_;
    torch::Tensor baseMask_;
};

DecoderOutput runDecoder(const StackWeights& w, const torch::Tensor& tgtIn, const EncoderOutput& enc,
                         bool training, RoutingTrace* trace) {
    DecoderOutput out;
    const int64_t T = tgtIn.size(1);
    auto x = embedStack(w, tgtIn, training);
    const TokenRows rows = TokenRows::of(tgtIn, w.embedding.padIndex);
    auto selfMask = torch::full({T, T}, kBlocked, x.options()).triu_(1).view({1, 1, T, T});
    if (!rows.full) selfMask = selfMask + additivePaddingMask(tgtIn.eq(w.embedding.padIndex), x.options());

    DecoderMemory memory(enc, x.options());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        const auto [mem, memMask] = memory.of(w.layers[i].attendedEncoderLayers);
        MoERouting routing;
        x = transformerLayer(w.layers[i], x, selfMask, mem, memMask, rows, training, out.balanceLosses,
                             trace ? &routing : nullptr);
        if (trace) record(*trace, w, i, rows, routing);
    }
    out.hidden = x;
    return out;
}

DecoderState startDecoder(const StackWeights& w, const EncoderOutput& enc) {
    DecoderState state;
    if (enc.layers.empty()) throw std::invalid_argument("startDecoder: the encoder output has no layers");
    DecoderMemory memory(enc, enc.layers.back().options());
    state.sourcePadMask = enc.padMask;
    state.layers.resize(w.layers.size());
    for (size_t i = 0; i < w.layers.size(); ++i) {
        if (!w.layers[i].hasEncoderAttention()) continue;
        const auto [mem, memMask] = memory.of(w.layers[i].attendedEncoderLayers);
        DecoderLayerCache& c = state.layers[i];
        std::tie(c.memoryKeys, c.memoryValues) = memoryKeysValues(w.layers[i].endeAttn, mem);
        c.memoryMask = memMask;
    }
    return state;
}

torch::Tensor decodeStep(const StackWeights& w, const torch::Tensor& tokens, DecoderState& state,
                         bool training) {
    if (tokens.dim() != 1) throw std::invalid_argument("decodeStep: tokens must be int64 [rows]");
    if (state.layers.size() != w.layers.size())
        throw std::invalid_argument("decodeStep: the state has " + std::to_string(state.layers.size()) +
                                    " layers, the decoder " + std::to_string(w.layers.size()));
    const int64_t R = tokens.size(0);
    const auto tokenColumn = tokens.view({R, 1});
    auto x = w.embedding.embed(tokenColumn, w.embedDim).add_(w.positions->at(state.steps, R, w.embedDim));
    if (w.dropout > 0 && training) x = applyDropout(x, w.dropout, true);
    TokenRows rows;
    rows.batch = R;
    rows.seqLen = 1;
    rows.index = torch::arange(R, torch::kLong);
    rows.full = true;
    std::vector<torch::Tensor> balanceLosses; // not a training signal here
    for (size_t i = 0; i < w.layers.size(); ++i)
        x = transformerLayer(w.layers[i], x, {}, {}, {}, rows, training, balanceLosses, nullptr,
                             &state.layers[i]);
    ++state.steps;
    return w.embedding.project(x.select(1, 0));
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
                                    const DecoderOutput& dec, bool logits) {
    TransformerOutput out;
    out.hidden = dec.hidden;
    if (logits) {
        ProfileScope scope("automoe::output projection");
        out.logits = embedding.project(dec.hidden);
    }
    ProfileScope scope("automoe::MoE routing");
    out.loadBalancingLoss = meanBalanceLoss(enc, dec);
    return out;
}

} // namespace automoe
