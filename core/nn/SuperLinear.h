// SuperLinear is a linear layer of the supernet whose sampled sub-layer uses the leading rows and columns
// of one shared weight (HAT weight sharing by slicing).
#pragma once

#include "nn/LayerWeights.h"

#include <torch/torch.h>

namespace automoe {

class SuperLinearImpl : public torch::nn::Module {
public:
    SuperLinearImpl(int64_t superIn, int64_t superOut, bool bias = true);

    // Selects the sub-layer in x out. Cheap: no tensor is touched until forward.
    void setSample(int64_t in, int64_t out);

    // y = x W[:out, :in]^T + b[:out]. The slices are views (narrow), so the backward pass writes gradients
    // only into the used block of the super weight and nothing is copied.
    torch::Tensor forward(const torch::Tensor& x);

    // Views of the sampled weight / bias (bias undefined when the layer has none); the parameter itself when
    // the sample is the whole layer.
    torch::Tensor sampledWeight() const;
    torch::Tensor sampledBias() const;
    LinearWeights sampled() const { return {sampledWeight(), sampledBias()}; }
    int64_t sampledParameterCount() const;

    int64_t superIn() const { return superIn_; }
    int64_t superOut() const { return superOut_; }
    int64_t sampleIn() const { return in_; }
    int64_t sampleOut() const { return out_; }

    void reset_parameters();

    torch::Tensor weight; // [superOut, superIn]
    torch::Tensor bias;   // [superOut] or undefined

private:
    int64_t superIn_;
    int64_t superOut_;
    int64_t in_;
    int64_t out_;
};
TORCH_MODULE(SuperLinear);

} // namespace automoe
