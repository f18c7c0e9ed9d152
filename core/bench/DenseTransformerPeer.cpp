#include "bench/DenseTransformerPeer.h"

#include "nn/SinusoidalPositions.h"

#include <cmath>

namespace automoe {

DenseTransformerPeerImpl::DenseTransformerPeerImpl(const DenseTransformerPeerConfig& c)
    : config_(c) {
    embedding = register_module(
        "embedding",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocabSize, c.dModel).padding_idx(c.padIndex)));
    {
        torch::NoGradGuard g;
        embedding->weight.normal_(0, std::pow(double(c.dModel), -0.5));
        embedding->weight[c.padIndex].zero_();
    }
    transformer =
        register_module("transformer", torch::nn::Transformer(torch::nn::TransformerOptions()
                                                                  .d_model(c.dModel)
                                                                  .nhead(c.heads)
                                                                  .num_encoder_layers(c.encoderLayers)
                                                                  .num_decoder_layers(c.decoderLayers)
                                                                  .dim_feedforward(c.ffnDim)
                                                                  .dropout(c.dropout)));
    positions_ = SinusoidalPositionsImpl::table(c.padIndex + 1025, c.dModel, c.padIndex);
}

torch::Tensor DenseTransformerPeerImpl::embed(const torch::Tensor& tokens) {
    auto mask = tokens.ne(config_.padIndex).to(torch::kLong);
    auto pos = torch::cumsum(mask, 1).mul_(mask).add_(config_.padIndex);
    auto x =
        embedding->forward(tokens).mul_(std::sqrt(double(config_.dModel))) +
        positions_.index_select(0, pos.reshape(-1)).view({tokens.size(0), tokens.size(1), config_.dModel});
    if (is_training() && config_.dropout > 0) x = torch::dropout(x, config_.dropout, true);
    return x.transpose(0, 1);
}

torch::Tensor DenseTransformerPeerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    auto srcPad = src.eq(config_.padIndex);
    auto tgtPad = tgtIn.eq(config_.padIndex);
    auto causal = torch::nn::TransformerImpl::generate_square_subsequent_mask(tgtIn.size(1));
    auto h = transformer->forward(embed(src), embed(tgtIn), /*src_mask=*/{}, causal, /*memory_mask=*/{},
                                  srcPad, tgtPad, srcPad); // [T, B, d]
    return torch::nn::functional::linear(h, embedding->weight);
}

} // namespace automoe
