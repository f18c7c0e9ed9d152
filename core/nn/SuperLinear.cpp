#include "nn/SuperLinear.h"

#include <stdexcept>
#include <string>

namespace automoe {

SuperLinearImpl::SuperLinearImpl(int64_t superIn, int64_t superOut, bool withBias)
    : superIn_(superIn)
    , superOut_(superOut)
    , in_(superIn)
    , out_(superOut) {
    if (superIn <= 0 || superOut <= 0)
        throw std::invalid_argument("SuperLinear: dimensions must be positive");
    weight = register_parameter("weight", torch::empty({superOut, superIn}));
    if (withBias) bias = register_parameter("bias", torch::empty({superOut}));
    reset_parameters();
}

void SuperLinearImpl::reset_parameters() {
    // fairseq/HAT initialise Transformer projections with Xavier-uniform and zero bias.
    torch::NoGradGuard guard;
    torch::nn::init::xavier_uniform_(weight);
    if (bias.defined()) bias.zero_();
}

void SuperLinearImpl::setSample(int64_t in, int64_t out) {
    if (in <= 0 || in > superIn_ || out <= 0 || out > superOut_)
        throw std::invalid_argument("SuperLinear: sample " + std::to_string(in) + "x" + std::to_string(out) +
                                    " outside super layer " + std::to_string(superIn_) + "x" +
                                    std::to_string(superOut_));
    in_ = in;
    out_ = out;
}

torch::Tensor SuperLinearImpl::sampledWeight() const {
    // The whole weight is used as is: a narrow view would cost a full-size zero-filled gradient buffer in
    // its backward (SliceBackward) for nothing.
    if (in_ == superIn_ && out_ == superOut_) return weight;
    // narrow(1, ...) keeps the row stride of the super weight; BLAS takes it as the leading dimension, so
    // the GEMM reads the slice in place.
    return weight.narrow(0, 0, out_).narrow(1, 0, in_);
}

torch::Tensor SuperLinearImpl::sampledBias() const {
    if (!bias.defined()) return {};
    return out_ == superOut_ ? bias : bias.narrow(0, 0, out_);
}

int64_t SuperLinearImpl::sampledParameterCount() const {
    return in_ * out_ + (bias.defined() ? out_ : 0);
}

torch::Tensor SuperLinearImpl::forward(const torch::Tensor& x) {
    return sampled().apply(x);
}

} // namespace automoe
