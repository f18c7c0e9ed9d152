#include "nn/ExpertFFN.h"

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
    // relu_ in place: fc1's output is not needed by its own backward, and relu's backward reads its result.
    auto h = fc1->forward(x);
    return fc2->forward(torch::relu_(h));
}

} // namespace automoe
