#include "nn/ExpertFFN.h"

#include "nn/SwitchFeedForward.h"

namespace automoe {

ExpertFFNImpl::ExpertFFNImpl(int64_t superEmbed, int64_t superFfn) {
    fc1 = register_module("fc1", SuperLinear(superEmbed, superFfn));
    fc2 = register_module("fc2", SuperLinear(superFfn, superEmbed));
}

void ExpertFFNImpl::setSample(int64_t embedDim, int64_t width) {
    fc1->setSample(embedDim, width);
    fc2->setSample(width, embedDim);
}

torch::Tensor ExpertFFNImpl::forward(const torch::Tensor& x) {
    return expertForward(sampled(), x);
}

} // namespace automoe
