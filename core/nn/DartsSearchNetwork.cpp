#include "nn/DartsSearchNetwork.h"

#include "nn/MultiHeadAttention.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace automoe {

namespace {

torch::Tensor embeddingTable(int64_t vocab, int64_t width, int64_t pad) {
    auto t = torch::randn({vocab, width}) * std::pow(double(width), -0.5);
    if (pad >= 0 && pad < vocab) t[pad].zero_();
    return t;
}

EdgeWeights weightsOf(const torch::Tensor& alpha) {
    torch::NoGradGuard noGrad;
    const auto w = torch::softmax(alpha.detach(), -1).contiguous();
    EdgeWeights out(size_t(w.size(0)), std::vector<std::vector<double>>(size_t(w.size(1))));
    const auto a = w.accessor<float, 3>();
    for (int64_t l = 0; l < w.size(0); ++l)
        for (int64_t k = 0; k < w.size(1); ++k)
            for (int64_t c = 0; c < w.size(2); ++c)
                out[size_t(l)][size_t(k)].push_back(a[l][k][c]);
    return out;
}

} // namespace

void DartsSearchConfig::validate() const {
    auto positive = [](int64_t v, const char* field) {
        if (v <= 0)
            throw std::invalid_argument(std::string(field) + ": must be positive, got " + std::to_string(v));
    };
    positive(vocabSize, "vocab_size");
    positive(hidden, "hidden");
    positive(heads, "heads");
    positive(encoderLayers, "encoder_layers");
    positive(decoderLayers, "decoder_layers");
    if (splits < 2)
        throw std::invalid_argument("splits: a reversible layer needs at least 2, got " +
                                    std::to_string(splits));
    if (hidden % splits != 0)
        throw std::invalid_argument("splits: " + std::to_string(splits) + " splits do not divide hidden " +
                                    std::to_string(hidden));
    if (partWidth() % heads != 0)
        throw std::invalid_argument("heads: " + std::to_string(heads) +
                                    " heads do not divide a split's width " + std::to_string(partWidth()) +
                                    " (hidden / splits)");
    if (space.encoder.empty() || space.decoder.empty()) throw std::invalid_argument("space: no candidates");
}

DartsSearchNetworkImpl::DartsSearchNetworkImpl(DartsSearchConfig config)
    : config_(std::move(config)) {
    config_.validate();
    const int64_t n = config_.splits, p = config_.partWidth(), H = config_.heads;
    srcEmbed_ =
        register_parameter("src_embed", embeddingTable(config_.vocabSize, config_.hidden, config_.padIndex));
    tgtEmbed_ = register_parameter(
        "tgt_embed", embeddingTable(config_.vocabSize, config_.decoderWidth(), config_.padIndex));
    positions_ = register_module("positions", SinusoidalPositions(config_.padIndex));
    encoderNorm_ =
        register_module("encoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config_.hidden})));
    decoderNorm_ = register_module(
        "decoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config_.decoderWidth()})));

    for (int64_t l = 0; l < config_.encoderLayers; ++l) {
        std::vector<MixedOp> edges;
        std::vector<ReversibleLayer::Branch> branches;
        for (int64_t k = 0; k < n; ++k) {
            edges.push_back(register_module("encoder_" + std::to_string(l) + "_" + std::to_string(k),
                                            MixedOp(config_.space.encoder, p, false, H)));
            MixedOpImpl* edge = edges.back().get();
            branches.push_back([this, edge, l, k](const std::vector<torch::Tensor>& others) {
                return edge->forward(fuseBySum(others), torch::softmax(alphaEncoder_[l][k], -1),
                                     encoderContext_);
            });
        }
        encoderEdges_.push_back(std::move(edges));
        encoderLayers_.push_back(
            std::make_unique<ReversibleLayer>(std::vector<int64_t>(size_t(n), p), std::move(branches)));
    }
    for (int64_t l = 0; l < config_.decoderLayers; ++l) {
        std::vector<MixedOp> edges;
        std::vector<ReversibleLayer::Branch> branches;
        for (int64_t k = 0; k < n; ++k) {
            edges.push_back(register_module("decoder_" + std::to_string(l) + "_" + std::to_string(k),
                                            MixedOp(config_.space.decoder, p, true, H, config_.hidden)));
            MixedOpImpl* edge = edges.back().get();
            branches.push_back([this, edge, l, k](const std::vector<torch::Tensor>& others) {
                return edge->forward(fuseBySum(others), torch::softmax(alphaDecoder_[l][k], -1),
                                     decoderContext_);
            });
        }
        crossAttention_.push_back(
            register_module("decoder_" + std::to_string(l) + "_cross",
                            DartsOp(DartsOpSpec::parse("ende_attention"), p, true, H, config_.hidden)));
        DartsOpImpl* cross = crossAttention_.back().get();
        branches.push_back([this, cross](const std::vector<torch::Tensor>& others) {
            return cross->forward(fuseBySum(others), decoderContext_);
        });
        decoderEdges_.push_back(std::move(edges));
        decoderLayers_.push_back(
            std::make_unique<ReversibleLayer>(std::vector<int64_t>(size_t(n + 1), p), std::move(branches)));
    }
    // DARTS initialises alpha near zero (uniform mixtures).
    alphaEncoder_ = (torch::randn({config_.encoderLayers, n, int64_t(config_.space.encoder.size())}) * 1e-3)
                        .requires_grad_(true);
    alphaDecoder_ = (torch::randn({config_.decoderLayers, n, int64_t(config_.space.decoder.size())}) * 1e-3)
                        .requires_grad_(true);
}

void DartsSearchNetworkImpl::setTrainable(bool weights, bool alpha) {
    for (auto& p : parameters())
        p.requires_grad_(weights);
    alphaEncoder_.requires_grad_(alpha);
    alphaDecoder_.requires_grad_(alpha);
}

torch::Tensor DartsSearchNetworkImpl::runStack(const std::vector<std::unique_ptr<ReversibleLayer>>& layers,
                                               const torch::Tensor& x, std::vector<torch::Tensor> captured) {
    if (config_.reversible) {
        std::vector<const ReversibleLayer*> list;
        for (const auto& l : layers)
            list.push_back(l.get());
        return reversibleSequence(list, x, captured, CapturedGradients::IntoLeafGrads);
    }
    torch::Tensor h = x;
    for (const auto& l : layers)
        h = l->forward(h);
    return h;
}

torch::Tensor DartsSearchNetworkImpl::encode(const torch::Tensor& src) {
    const auto pad = src.eq(config_.padIndex);
    const auto options = srcEmbed_.options();
    encoderContext_ = DartsContext{};
    if (pad.any().item<bool>()) {
        encoderContext_.selfMask = additivePaddingMask(pad, options);
        encoderContext_.keep = pad.logical_not().to(options.dtype()).unsqueeze(-1);
    }
    auto x = torch::embedding(srcEmbed_, src, config_.padIndex) * std::sqrt(double(config_.hidden)) +
             positions_->forward(src, config_.hidden);
    std::vector<torch::Tensor> captured;
    for (const auto& layer : encoderEdges_)
        for (const auto& edge : layer)
            for (auto& p : edge->parameters())
                captured.push_back(p);
    captured.push_back(alphaEncoder_);
    auto h = runStack(encoderLayers_, x, std::move(captured));
    decoderContext_ = DartsContext{};
    if (encoderContext_.selfMask.defined()) decoderContext_.memoryMask = encoderContext_.selfMask;
    return encoderNorm_->forward(h);
}

torch::Tensor DartsSearchNetworkImpl::forwardHidden(const torch::Tensor& src, const torch::Tensor& tgtIn) {
    const auto memory = encode(src);
    decoderContext_.memory = memory;
    auto y =
        torch::embedding(tgtEmbed_, tgtIn, config_.padIndex) * std::sqrt(double(config_.decoderWidth())) +
        positions_->forward(tgtIn, config_.decoderWidth());
    std::vector<torch::Tensor> captured;
    for (size_t l = 0; l < decoderEdges_.size(); ++l) {
        for (const auto& edge : decoderEdges_[l])
            for (auto& p : edge->parameters())
                captured.push_back(p);
        for (auto& p : crossAttention_[l]->parameters())
            captured.push_back(p);
    }
    captured.push_back(alphaDecoder_);
    captured.push_back(memory);
    return decoderNorm_->forward(runStack(decoderLayers_, y, std::move(captured)));
}

torch::Tensor DartsSearchNetworkImpl::outputLogits(const torch::Tensor& hidden) const {
    return torch::matmul(hidden, tgtEmbed_.t());
}

EdgeWeights DartsSearchNetworkImpl::encoderWeights() const {
    return weightsOf(alphaEncoder_);
}

EdgeWeights DartsSearchNetworkImpl::decoderWeights() const {
    return weightsOf(alphaDecoder_);
}

DartsArchitecture DartsSearchNetworkImpl::derive() const {
    DartsArchitecture a;
    a.hidden = config_.hidden;
    a.heads = config_.heads;
    a.splits = config_.splits;
    a.encoder = deriveEdges(config_.space.encoder, encoderWeights());
    a.decoder = deriveEdges(config_.space.decoder, decoderWeights());
    return a;
}

int64_t DartsSearchNetworkImpl::weightCount() {
    int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

nlohmann::json edgeWeightsToJson(const EdgeWeights& weights) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& layer : weights) {
        nlohmann::json edges = nlohmann::json::array();
        for (const auto& edge : layer) {
            nlohmann::json w = nlohmann::json::array();
            for (double v : edge)
                w.push_back(std::round(v * 1e6) / 1e6);
            edges.push_back(w);
        }
        out.push_back(edges);
    }
    return out;
}

} // namespace automoe
