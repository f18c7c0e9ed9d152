#include "nn/SwitchMoE.h"

#include <stdexcept>
#include <string>

namespace automoe {

SwitchMoEImpl::SwitchMoEImpl(int64_t superEmbed, int64_t superFfn, int64_t maxExperts)
    : maxExperts_(maxExperts)
    , widths_{static_cast<int>(superFfn)} {
    if (maxExperts <= 0) throw std::invalid_argument("SwitchMoE: at least one expert slot is needed");
    router = register_module("router", SuperLinear(superEmbed, maxExperts, /*bias=*/true));
    auto list = register_module("experts", torch::nn::ModuleList());
    for (int64_t i = 0; i < maxExperts; ++i) {
        expertSlots.push_back(ExpertFFN(superEmbed, superFfn));
        list->push_back(expertSlots.back());
    }
}

void SwitchMoEImpl::setSample(int64_t embedDim, const std::vector<int>& expertWidths, int topK,
                              double capacityFactor, bool dropTokens) {
    const int64_t n = static_cast<int64_t>(expertWidths.size());
    if (n < 1 || n > maxExperts_)
        throw std::invalid_argument("SwitchMoE: " + std::to_string(n) + " experts outside 1.." +
                                    std::to_string(maxExperts_));
    if (topK < 1 || topK > n)
        throw std::invalid_argument("SwitchMoE: top-k " + std::to_string(topK) + " outside 1.." +
                                    std::to_string(n));
    if (capacityFactor < 0) throw std::invalid_argument("SwitchMoE: negative capacity factor");
    for (int64_t i = 0; i < n; ++i)
        expertSlots[size_t(i)]->setSample(embedDim, expertWidths[size_t(i)]);
    if (n > 1) router->setSample(embedDim, n);
    widths_ = expertWidths;
    topK_ = topK;
    capacityFactor_ = capacityFactor;
    dropTokens_ = dropTokens;
}

MoEWeights SwitchMoEImpl::sampled(bool skipPadding) const {
    MoEWeights w;
    if (widths_.size() > 1) w.router = router->sampled();
    w.experts.reserve(widths_.size());
    for (size_t i = 0; i < widths_.size(); ++i)
        w.experts.push_back(expertSlots[i]->sampled());
    w.topK = topK_;
    w.capacityFactor = capacityFactor_;
    w.dropTokens = dropTokens_;
    w.skipPadding = skipPadding;
    return w;
}

int64_t SwitchMoEImpl::capacity(int64_t tokens) const {
    return expertCapacity(tokens, int64_t(widths_.size()), topK_, capacityFactor_, dropTokens_);
}

int64_t SwitchMoEImpl::sampledParameterCount() const {
    int64_t total = widths_.size() > 1 ? router->sampledParameterCount() : 0;
    for (size_t i = 0; i < widths_.size(); ++i)
        total += expertSlots[i]->sampledParameterCount();
    return total;
}

MoEOutput SwitchMoEImpl::forward(const torch::Tensor& x, MoERouting* routing) {
    return switchFeedForward(sampled(), x, routing);
}

MoEOutput SwitchMoEImpl::forwardSequence(const torch::Tensor& x, const TokenRows& rows, bool skipPadding,
                                         MoERouting* routing) {
    return switchFeedForwardSequence(sampled(skipPadding), x, rows, routing);
}

} // namespace automoe
