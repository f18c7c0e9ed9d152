#include "nn/DartsTransformer.h"

#include "nn/Dropout.h"
#include "nn/MultiHeadAttention.h"

#include <cmath>
#include <stdexcept>

namespace automoe {

DartsTransformerImpl::DartsTransformerImpl(DartsModelConfig config)
    : config_(std::move(config)) {
    const DartsArchitecture& a = config_.arch;
    if (config_.vocabSize <= 0)
        throw std::invalid_argument("DartsTransformer: vocabulary size must be positive");
    if (a.hidden % a.heads != 0)
        throw std::invalid_argument("DartsTransformer: " + std::to_string(a.heads) +
                                    " heads do not divide hidden " + std::to_string(a.hidden));
    embed_ = register_parameter("embed", torch::randn({config_.vocabSize, a.hidden}) *
                                             std::pow(double(a.hidden), -0.5));
    {
        torch::NoGradGuard noGrad;
        if (config_.padIndex >= 0 && config_.padIndex < config_.vocabSize) embed_[config_.padIndex].zero_();
    }
    positions_ = register_module("positions", SinusoidalPositions(config_.padIndex));
    auto build = [&](const std::vector<std::vector<DartsOpSpec>>& layers, bool decoder) {
        std::vector<std::vector<DartsOp>> out;
        for (size_t l = 0; l < layers.size(); ++l) {
            std::vector<DartsOp> subs;
            const std::string prefix =
                std::string(decoder ? "decoder_" : "encoder_") + std::to_string(l) + "_";
            for (size_t k = 0; k < layers[l].size(); ++k) {
                const DartsOpSpec& op = layers[l][k];
                if (op.kind == DartsOpKind::Identity) continue;
                if (op.kind == DartsOpKind::Zero)
                    throw std::invalid_argument("DartsTransformer: zero cannot be a sub-layer");
                subs.push_back(register_module(
                    prefix + std::to_string(k) + "_" + op.name(),
                    DartsOp(op, a.hidden, decoder, a.heads, decoder ? a.hidden : 0, config_.dropout)));
            }
            if (decoder)
                subs.push_back(
                    register_module(prefix + "cross", DartsOp(DartsOpSpec::parse("ende_attention"), a.hidden,
                                                              true, a.heads, a.hidden, config_.dropout)));
            out.push_back(std::move(subs));
        }
        return out;
    };
    encoder_ = build(a.encoder, false);
    decoder_ = build(a.decoder, true);
}

torch::Tensor DartsTransformerImpl::embed(const torch::Tensor& tokens) {
    const int64_t d = config_.arch.hidden;
    auto x = torch::embedding(embed_, tokens, config_.padIndex) * std::sqrt(double(d)) +
             positions_->forward(tokens, d);
    return applyDropout(x, config_.dropout, is_training());
}

EncoderOutput DartsTransformerImpl::encodeSource(const torch::Tensor& src) {
    EncoderOutput out;
    out.padMask = src.eq(config_.padIndex);
    out.hasPadding = out.padMask.any().item<bool>();
    DartsContext context;
    if (out.hasPadding) {
        context.selfMask = additivePaddingMask(out.padMask, embed_.options());
        context.keep = out.padMask.logical_not().to(embed_.scalar_type()).unsqueeze(-1);
    }
    auto x = embed(src);
    for (auto& layer : encoder_)
        for (auto& sub : layer)
            x = sub->forward(x, context);
    out.layers = {x};
    return out;
}

torch::Tensor DartsTransformerImpl::decode(const torch::Tensor& tgtIn, const torch::Tensor& memory,
                                           const torch::Tensor& padMask) {
    DartsContext context(memory);
    if (padMask.defined() && padMask.any().item<bool>())
        context.memoryMask = additivePaddingMask(padMask, embed_.options());
    auto y = embed(tgtIn);
    for (auto& layer : decoder_)
        for (auto& sub : layer)
            y = sub->forward(y, context);
    return y;
}

torch::Tensor DartsTransformerImpl::forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    const EncoderOutput enc = encodeSource(src);
    return decode(tgtIn, enc.layers.back(), enc.padMask);
}

torch::Tensor DartsTransformerImpl::nextTokenLogits(const torch::Tensor& tgtIn,
                                                    const EncoderOutput& encoded) {
    const auto hidden = decode(tgtIn, encoded.layers.back(), encoded.padMask);
    return outputLogits(hidden.select(1, hidden.size(1) - 1));
}

DecoderState DartsTransformerImpl::startDecoding(const EncoderOutput& encoded) {
    DecoderState state;
    state.memory = encoded.layers.back();
    state.sourcePadMask = encoded.padMask.defined()
                              ? encoded.padMask
                              : torch::zeros({state.memory.size(0), state.memory.size(1)}, torch::kBool);
    return state;
}

torch::Tensor DartsTransformerImpl::stepLogits(const torch::Tensor& tokens, DecoderState& state) {
    const auto column = tokens.view({-1, 1});
    state.prefix = state.prefix.defined() ? torch::cat({state.prefix, column}, 1) : column;
    ++state.steps;
    const auto hidden = decode(state.prefix, state.memory, state.sourcePadMask);
    return outputLogits(hidden.select(1, hidden.size(1) - 1));
}

int64_t DartsTransformerImpl::parameterCount() {
    int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n - embed_.numel();
}

} // namespace automoe
