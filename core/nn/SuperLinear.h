// SuperLinear is a linear layer of the supernet whose sampled sub-layer uses the leading rows and columns
// of one shared weight (HAT weight sharing by slicing) or, with a Mixture-of-Supernets kind, of the mixture
// of its weight sets for the current architecture (WeightMixture).
#pragma once

#include "nn/LayerWeights.h"
#include "nn/WeightMixture.h"

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
    // the sample is the whole layer. With a mixture: the mixed block for the current encoding (computed
    // once per call with gradients, and cached without them until the sample, the encoding or a parameter
    // changes, so that decoding step by step does not re-mix).
    LinearWeights sampled() const;
    torch::Tensor sampledWeight() const { return sampled().weight; }
    torch::Tensor sampledBias() const { return sampled().bias; }

    // Mixture-of-Supernets: registers the further weight sets and the router as submodule "mos" (after
    // the layer's own parameters, so their initialisation is unchanged).
    void enableMixture(const MixtureOptions& options, int64_t encodingSize);
    // The current architecture's encoding [encodingSize] (see ArchitectureEncoding), read by the router.
    void setEncoding(const torch::Tensor& encoding);
    const torch::Tensor& encoding() const { return encoding_; }
    bool mixed() const { return !mixture.is_empty(); }
    int64_t sampledParameterCount() const;

    int64_t superIn() const { return superIn_; }
    int64_t superOut() const { return superOut_; }
    int64_t sampleIn() const { return in_; }
    int64_t sampleOut() const { return out_; }

    void reset_parameters();

    torch::Tensor weight; // [superOut, superIn]
    torch::Tensor bias;   // [superOut] or undefined
    WeightMixture mixture{nullptr};

private:
    // The leading block of the layer's own weight (E1 of a mixture).
    LinearWeights ownBlock() const;

    int64_t superIn_;
    int64_t superOut_;
    int64_t in_;
    int64_t out_;
    torch::Tensor encoding_;
    int64_t encodingSerial_ = 0;
    mutable LinearWeights cached_; // the mixture without gradients, for cacheKey_
    mutable std::vector<int64_t> cacheKey_;
};
TORCH_MODULE(SuperLinear);

} // namespace automoe
