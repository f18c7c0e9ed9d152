// ExpertFFN is one expert slot of a supernet FFN layer: fc2(relu(fc1(x))), whose sampled width selects the
// leading hidden units. A dense layer is an MoE layer with one expert, so this is also the dense FFN.
#pragma once

#include "nn/LayerWeights.h"
#include "nn/SuperLinear.h"

#include <torch/torch.h>

namespace automoe {

class ExpertFFNImpl : public torch::nn::Module {
public:
    ExpertFFNImpl(int64_t superEmbed, int64_t superFfn);

    void setSample(int64_t embedDim, int64_t width);
    torch::Tensor forward(const torch::Tensor& x); // expertForward on the sampled weights
    ExpertWeights sampled() const { return {fc1->sampled(), fc2->sampled()}; }
    int64_t sampledParameterCount() const {
        return fc1->sampledParameterCount() + fc2->sampledParameterCount();
    }
    int64_t width() const { return fc1->sampleOut(); }

    SuperLinear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(ExpertFFN);

} // namespace automoe
