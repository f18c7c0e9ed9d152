#include "nn/SuperLayerNorm.h"

#include <stdexcept>
#include <string>

namespace automoe {

SuperLayerNormImpl::SuperLayerNormImpl(int64_t superDim, double eps)
    : superDim_(superDim)
    , dim_(superDim)
    , eps_(eps) {
    weight = register_parameter("weight", torch::ones({superDim}));
    bias = register_parameter("bias", torch::zeros({superDim}));
}

void SuperLayerNormImpl::setSample(int64_t dim) {
    if (dim <= 0 || dim > superDim_)
        throw std::invalid_argument("SuperLayerNorm: sample width " + std::to_string(dim) + " outside 1.." +
                                    std::to_string(superDim_));
    dim_ = dim;
}

NormWeights SuperLayerNormImpl::sampled() const {
    if (dim_ == superDim_) return {weight, bias, eps_};
    return {weight.narrow(0, 0, dim_), bias.narrow(0, 0, dim_), eps_};
}

} // namespace automoe
