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

LinearWeights SuperLinearImpl::ownBlock() const {
    LinearWeights w;
    // The whole weight is used as is: a narrow view would cost a full-size zero-filled gradient buffer in
    // its backward (SliceBackward) for nothing.
    // narrow(1, ...) keeps the row stride of the super weight; BLAS takes it as the leading dimension, so
    // the GEMM reads the slice in place.
    w.weight = in_ == superIn_ && out_ == superOut_ ? weight : weight.narrow(0, 0, out_).narrow(1, 0, in_);
    if (bias.defined()) w.bias = out_ == superOut_ ? bias : bias.narrow(0, 0, out_);
    return w;
}

LinearWeights SuperLinearImpl::sampled() const {
    if (!mixed()) return ownBlock();
    if (!encoding_.defined())
        throw std::logic_error("SuperLinear: a mixture layer needs an architecture encoding (setEncoding)");
    auto& mix = const_cast<WeightMixtureImpl&>(*mixture);
    if (torch::GradMode::is_enabled())
        return mix.mix(ownBlock().weight, ownBlock().bias, out_, in_, encoding_);
    std::vector<int64_t> key{
        encodingSerial_, in_, out_, int64_t(weight._version()), bias.defined() ? int64_t(bias._version()) : 0,
        mix.version()};
    if (key != cacheKey_ || !cached_.defined()) {
        const LinearWeights own = ownBlock();
        cached_ = mix.mix(own.weight, own.bias, out_, in_, encoding_);
        cacheKey_ = std::move(key);
    }
    return cached_;
}

void SuperLinearImpl::enableMixture(const MixtureOptions& options, int64_t encodingSize) {
    if (mixed()) throw std::logic_error("SuperLinear: the mixture is already enabled");
    mixture =
        register_module("mos", WeightMixture(options, superOut_, superIn_, bias.defined(), encodingSize));
    cacheKey_.clear();
}

void SuperLinearImpl::setEncoding(const torch::Tensor& encoding) {
    encoding_ = encoding;
    ++encodingSerial_;
}

int64_t SuperLinearImpl::sampledParameterCount() const {
    return in_ * out_ + (bias.defined() ? out_ : 0);
}

torch::Tensor SuperLinearImpl::forward(const torch::Tensor& x) {
    return sampled().apply(x);
}

} // namespace automoe
