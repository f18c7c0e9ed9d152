// SuperLayerNorm is the supernet's LayerNorm: a sub-width normalises over its own features and uses the
// leading entries of the shared gain and bias.
#pragma once

#include "nn/LayerWeights.h"

#include <torch/torch.h>

namespace automoe {

class SuperLayerNormImpl : public torch::nn::Module {
public:
    explicit SuperLayerNormImpl(int64_t superDim, double eps = 1e-5);

    void setSample(int64_t dim);
    torch::Tensor forward(const torch::Tensor& x) { return sampled().apply(x); }
    // The leading dim entries of gain and bias (the parameters themselves at the super width: a view's
    // backward would zero-fill a full-size buffer for nothing).
    NormWeights sampled() const;
    int64_t sampledParameterCount() const { return 2 * dim_; }
    int64_t sampleDim() const { return dim_; }

    torch::Tensor weight; // [superDim]
    torch::Tensor bias;   // [superDim]

private:
    int64_t superDim_;
    int64_t dim_;
    double eps_;
};
TORCH_MODULE(SuperLayerNorm);

} // namespace automoe
