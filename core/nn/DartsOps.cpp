#include "nn/DartsOps.h"

#include "nn/Dropout.h"
#include "nn/MultiHeadAttention.h"

#include <cmath>
#include <stdexcept>

namespace automoe {

namespace {

// x [B, T, C] padded along T for a kernel of width k: on the left only (causal) or evenly.
torch::Tensor padTime(const torch::Tensor& x, int k, bool causal) {
    const int64_t left = causal ? k - 1 : (k - 1) / 2;
    const int64_t right = causal ? 0 : (k - 1) / 2;
    return torch::constant_pad_nd(x, {0, 0, left, right});
}

} // namespace

DartsOpImpl::DartsOpImpl(DartsOpSpec spec, int64_t width, bool causal, int64_t heads, int64_t memoryWidth,
                         double dropout)
    : spec_(spec)
    , width_(width)
    , heads_(heads)
    , causal_(causal)
    , dropout_(dropout) {
    if (width <= 0)
        throw std::invalid_argument("DARTS operation " + spec.name() + ": width must be positive");
    const bool headed = spec.kind == DartsOpKind::LightConv || spec.kind == DartsOpKind::DynamicConv ||
                        spec.kind == DartsOpKind::SelfAttention || spec.kind == DartsOpKind::EncoderAttention;
    if (headed && (heads <= 0 || width % heads != 0))
        throw std::invalid_argument("DARTS operation " + spec.name() + ": " + std::to_string(heads) +
                                    " heads do not divide width " + std::to_string(width));
    if (spec.kind == DartsOpKind::EncoderAttention && causal == false)
        throw std::invalid_argument(
            "DARTS operation ende_attention: only a decoder part can attend the encoder");
    auto xavier = [](int64_t out, int64_t in) {
        auto w = torch::empty({out, in});
        torch::nn::init::xavier_uniform_(w);
        return w;
    };
    switch (spec.kind) {
    case DartsOpKind::Conv:
        conv_ =
            register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(width, width, spec.kernel)));
        break;
    case DartsOpKind::LightConv:
    case DartsOpKind::DynamicConv:
        in_ = register_module("proj_in", torch::nn::Linear(width, 2 * width));
        out_ = register_module("proj_out", torch::nn::Linear(width, width));
        if (spec.kind == DartsOpKind::LightConv)
            lightKernel_ = register_parameter("kernel", torch::randn({heads, spec.kernel}) * 0.1);
        else
            kernelProj_ = register_module("kernel_proj", torch::nn::Linear(width, heads * spec.kernel));
        break;
    case DartsOpKind::SelfAttention:
        qkv_ = register_parameter("in_proj_weight", xavier(3 * width, width));
        qkvBias_ = register_parameter("in_proj_bias", torch::zeros({3 * width}));
        attnOut_ = register_parameter("out_proj_weight", xavier(width, width));
        attnOutBias_ = register_parameter("out_proj_bias", torch::zeros({width}));
        break;
    case DartsOpKind::EncoderAttention:
        if (memoryWidth <= 0)
            throw std::invalid_argument("DARTS operation ende_attention: needs the encoder width");
        q_ = register_parameter("q_proj_weight", xavier(width, width));
        qBias_ = register_parameter("q_proj_bias", torch::zeros({width}));
        kv_ = register_parameter("kv_proj_weight", xavier(2 * width, memoryWidth));
        kvBias_ = register_parameter("kv_proj_bias", torch::zeros({2 * width}));
        attnOut_ = register_parameter("out_proj_weight", xavier(width, width));
        attnOutBias_ = register_parameter("out_proj_bias", torch::zeros({width}));
        break;
    case DartsOpKind::Glu:
        in_ = register_module("proj_in", torch::nn::Linear(width, 2 * width));
        break;
    case DartsOpKind::Ffn:
        in_ = register_module("proj_in", torch::nn::Linear(width, 4 * width));
        out_ = register_module("proj_out", torch::nn::Linear(4 * width, width));
        break;
    case DartsOpKind::Zero:
    case DartsOpKind::Identity:
        break;
    }
    if (spec.kind != DartsOpKind::Zero && spec.kind != DartsOpKind::Identity)
        norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
}

torch::Tensor DartsOpImpl::op(const torch::Tensor& x, const DartsContext& context) {
    const int64_t B = x.size(0), T = x.size(1);
    const torch::Tensor& memory = context.memory;
    auto masked = [&](const torch::Tensor& t) { return context.keep.defined() ? t * context.keep : t; };
    switch (spec_.kind) {
    case DartsOpKind::Conv:
        // conv1d works on [B, C, T].
        return conv_->forward(padTime(masked(x), spec_.kernel, causal_).transpose(1, 2)).transpose(1, 2);
    case DartsOpKind::LightConv:
    case DartsOpKind::DynamicConv: {
        const int64_t k = spec_.kernel, H = heads_, C = width_ / heads_;
        auto v = masked(torch::glu(in_->forward(x), -1));           // [B, T, w]
        auto windows = padTime(v, int(k), causal_).unfold(1, k, 1); // [B, T, w, k]
        windows = windows.reshape({B, T, H, C, k});
        torch::Tensor kernel;
        if (spec_.kind == DartsOpKind::LightConv)
            kernel = torch::softmax(lightKernel_, -1).view({1, 1, H, 1, k});
        else
            kernel = torch::softmax(kernelProj_->forward(x).view({B, T, H, k}), -1).view({B, T, H, 1, k});
        return out_->forward((windows * kernel).sum(-1).reshape({B, T, width_}));
    }
    case DartsOpKind::SelfAttention: {
        AttentionWeights w;
        w.inProj = {qkv_, qkvBias_};
        w.outProj = {attnOut_, attnOutBias_};
        w.heads = heads_;
        torch::Tensor mask = context.selfMask;
        if (causal_) {
            auto future = torch::full({T, T}, -1e9, x.options()).triu_(1).view({1, 1, T, T});
            mask = mask.defined() ? mask + future : future;
        }
        return selfAttention(w, x, mask, is_training());
    }
    case DartsOpKind::EncoderAttention: {
        if (!memory.defined())
            throw std::invalid_argument("DARTS operation ende_attention: no encoder output");
        AttentionWeights w;
        w.qProj = {q_, qBias_};
        w.kvProj = {kv_, kvBias_};
        w.outProj = {attnOut_, attnOutBias_};
        w.heads = heads_;
        return encoderDecoderAttention(w, x, memory, context.memoryMask, is_training());
    }
    case DartsOpKind::Glu:
        return torch::glu(in_->forward(x), -1);
    case DartsOpKind::Ffn:
        return out_->forward(torch::relu(in_->forward(x)));
    case DartsOpKind::Zero:
        return torch::zeros_like(x);
    case DartsOpKind::Identity:
        return x;
    }
    return x;
}

torch::Tensor DartsOpImpl::forward(const torch::Tensor& x, const DartsContext& context) {
    if (x.dim() != 3 || x.size(2) != width_)
        throw std::invalid_argument("DARTS operation " + spec_.name() + ": expected [B, T, " +
                                    std::to_string(width_) + "]");
    if (spec_.kind == DartsOpKind::Zero || spec_.kind == DartsOpKind::Identity) return op(x, context);
    return norm_->forward(x + applyDropout(op(x, context), dropout_, is_training()));
}

MixedOpImpl::MixedOpImpl(const std::vector<DartsOpSpec>& candidates, int64_t width, bool causal,
                         int64_t heads, int64_t memoryWidth) {
    if (candidates.empty()) throw std::invalid_argument("mixed operation: no candidates");
    for (size_t i = 0; i < candidates.size(); ++i)
        ops_.push_back(register_module("op" + std::to_string(i) + "_" + candidates[i].name(),
                                       DartsOp(candidates[i], width, causal, heads, memoryWidth)));
}

torch::Tensor MixedOpImpl::forward(const torch::Tensor& x, const torch::Tensor& weights,
                                   const DartsContext& context) {
    if (weights.dim() != 1 || weights.size(0) != int64_t(ops_.size()))
        throw std::invalid_argument("mixed operation: " + std::to_string(ops_.size()) +
                                    " candidates, weights of shape " + std::to_string(weights.numel()));
    torch::Tensor sum;
    for (size_t i = 0; i < ops_.size(); ++i) {
        if (ops_[i]->spec().kind == DartsOpKind::Zero) continue;
        auto term = weights[int64_t(i)] * ops_[i]->forward(x, context);
        sum = sum.defined() ? sum + term : term;
    }
    return sum.defined() ? sum : torch::zeros_like(x);
}

} // namespace automoe
