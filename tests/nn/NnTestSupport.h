// Small fixtures shared by the core/nn suites: a tiny heterogeneous search space built in code, its
// supernet, random padded batches, and a hand-written heterogeneous MoE architecture.
#pragma once

#include "../support/SmallRun.h"
#include "nn/SuperTransformer.h"
#include "space/SearchSpace.h"

#include <torch/torch.h>

#include <random>
#include <string>
#include <vector>

namespace automoe::nntest {

constexpr int64_t kVocab = 23;
constexpr int64_t kPad = 1;

inline SearchSpace smallSpace() {
    return testsupport::smallSpace();
}

// Largest absolute difference of two tensors of one shape.
inline double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

inline SuperTransformerConfig smallConfig(double dropout = 0.1) {
    SuperTransformerConfig c;
    c.vocabSize = kVocab;
    c.padIndex = kPad;
    c.dims = smallSpace().supernet();
    c.dropout = dropout;
    c.attentionDropout = dropout;
    return c;
}

// A supernet of smallConfig() in eval mode whose LayerNorm gains / biases are not the identity, so that
// copying or caching them is checked too.
inline SuperTransformer perturbedSupernet() {
    SuperTransformer model(smallConfig());
    torch::NoGradGuard guard;
    for (auto& p : model->named_parameters())
        if (p.key().find("norm") != std::string::npos) p.value().add_(torch::randn(p.value().sizes()) * 0.2);
    model->eval();
    return model;
}

// Random tokens in [kPad + 1, kVocab) with sentence b of length lengths[b], right-padded with kPad.
inline torch::Tensor paddedBatch(const std::vector<int64_t>& lengths, int64_t width = 0) {
    int64_t T = width;
    for (int64_t l : lengths)
        T = std::max(T, l);
    auto t = torch::full({int64_t(lengths.size()), T}, kPad, torch::kLong);
    for (size_t b = 0; b < lengths.size(); ++b)
        t[int64_t(b)]
            .narrow(0, 0, lengths[b])
            .copy_(torch::randint(kPad + 1, kVocab, {lengths[b]}, torch::kLong));
    return t;
}

inline LayerGene layer(int heads, std::vector<int> widths, int topK = 1, int endeHeads = 0,
                       int arbitrary = 0) {
    LayerGene l;
    l.selfHeads = heads;
    l.endeHeads = endeHeads;
    l.arbitraryEnde = arbitrary;
    l.expertWidths = std::move(widths);
    l.topK = topK;
    return l;
}

// Encoder: 12 wide, a 2-expert layer {16, 8} then a dense layer; decoder: 16 wide, a 3-expert top-2 layer
// {24, 8, 16} attending to the last two encoder layers.
inline Architecture heterogeneousArch() {
    Architecture a;
    a.qkvDim = 16;
    a.encoder.embedDim = 12;
    a.encoder.layers = {layer(2, {16, 8}), layer(4, {24})};
    a.decoder.embedDim = 16;
    a.decoder.layers = {layer(4, {24, 8, 16}, 2, 2, 1)};
    return a;
}

// Dense; top-1 MoE attending to three encoder layers; the heterogeneous top-2 one; the corners; six random
// ones (seeded).
inline std::vector<Architecture> variedArchitectures() {
    std::vector<Architecture> archs;
    Architecture dense;
    dense.qkvDim = 16;
    dense.encoder.embedDim = 16;
    dense.encoder.layers = {layer(4, {24}), layer(2, {8})};
    dense.decoder.embedDim = 12;
    dense.decoder.layers = {layer(2, {16}, 1, 4, -1), layer(4, {24}, 1, 2, 1)};
    archs.push_back(dense);

    Architecture moe;
    moe.qkvDim = 16;
    moe.encoder.embedDim = 8;
    moe.encoder.layers = {layer(2, {8, 24, 16}), layer(4, {16}), layer(2, {24, 8})};
    moe.decoder.embedDim = 16;
    moe.decoder.layers = {layer(4, {16, 8}, 1, 4, 2), layer(2, {24, 24, 8}, 1, 2, -1)};
    archs.push_back(moe);

    archs.push_back(heterogeneousArch());
    const SearchSpace space = smallSpace();
    archs.push_back(space.smallest());
    archs.push_back(space.largest());
    std::mt19937_64 rng(7);
    for (int i = 0; i < 6; ++i)
        archs.push_back(space.sample(rng));
    return archs;
}

} // namespace automoe::nntest
