// The candidate operations of DARTSformer's mixed edges (issue 13): the search space of a G_k in a
// multi-split reversible layer (nn/Reversible), and the sub-layers of a derived model (nn/DartsTransformer).
// Names as in a DARTS space file:
// - conv3, conv5, conv7, conv11: standard 1-D convolution over time, width in = width out;
// - lightconv3 ... lightconv15: lightweight convolution (Wu et al. 2019), Linear -> GLU -> depthwise
//   convolution whose softmax-normalised kernel is shared by the channels of a head -> Linear;
// - dynconv3 ... dynconv15: dynamic convolution, as lightconv with the kernel predicted from each position;
// - self_attention: multi-head self-attention (causal in a decoder);
// - ende_attention: encoder-decoder attention over the encoder output (decoder only);
// - glu: Linear(w, 2w) -> GLU; ffn: Linear(w, 4w) -> ReLU -> Linear(4w, w);
// - zero, identity: no connection (0) and x itself, unwrapped.
// Every other candidate is wrapped as LayerNorm(x + op(x)). In a decoder (causal) every convolution pads on
// the left only and attention masks the future, so position t never sees positions after t. With a
// DartsContext, padding is zeroed before the convolutions and masked in attention.
#pragma once

#include "space/DartsSpace.h"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace automoe {

// What a candidate reads besides its input: the encoder output for ende_attention, and the padding of a
// batch of sentences of different lengths (every field may be undefined: no padding).
struct DartsContext {
    DartsContext(torch::Tensor memory_ = {}) // NOLINT: a bare memory tensor is the common case
        : memory(std::move(memory_)) {}
    torch::Tensor memory;     // [B, S, memoryWidth]: ende_attention's keys and values
    torch::Tensor memoryMask; // additive [B, 1, 1, S], blocking the encoder's padding
    torch::Tensor selfMask;   // additive [B, 1, 1, T], blocking the input's own padding (encoder attention)
    torch::Tensor keep;       // float [B, T, 1], 0 at padding: convolutions read zeros there
};

class DartsOpImpl : public torch::nn::Module {
public:
    // width: the part's width (heads must divide it); causal: a decoder candidate; memoryWidth: the encoder
    // output's width (ende_attention only); dropout: on op(x) before the residual, in training only (the
    // reversible search uses 0: its recomputation must repeat the forward exactly).
    DartsOpImpl(DartsOpSpec spec, int64_t width, bool causal, int64_t heads = 4, int64_t memoryWidth = 0,
                double dropout = 0);

    // x [B, T, width] -> [B, T, width].
    torch::Tensor forward(const torch::Tensor& x, const DartsContext& context = {});

    const DartsOpSpec& spec() const { return spec_; }

private:
    torch::Tensor op(const torch::Tensor& x, const DartsContext& context);

    DartsOpSpec spec_;
    int64_t width_, heads_;
    bool causal_;
    double dropout_;
    torch::nn::Conv1d conv_{nullptr};
    torch::nn::Linear in_{nullptr}, out_{nullptr}, kernelProj_{nullptr};
    torch::Tensor lightKernel_; // [heads, kernel]
    torch::Tensor qkv_, qkvBias_, attnOut_, attnOutBias_, q_, qBias_, kv_, kvBias_;
    torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(DartsOp);

// A mixed edge: sum_i w_i op_i(x) over a stack's candidates, with w = softmax(alpha) passed in, because alpha
// are architecture parameters kept apart from the operations' weights (the bi-level optimisation updates
// them on different data). A zero candidate contributes nothing and is not computed.
class MixedOpImpl : public torch::nn::Module {
public:
    MixedOpImpl(const std::vector<DartsOpSpec>& candidates, int64_t width, bool causal, int64_t heads = 4,
                int64_t memoryWidth = 0);

    // weights [candidates].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& weights,
                          const DartsContext& context = {});

    size_t size() const { return ops_.size(); }
    DartsOp op(size_t i) const { return ops_[i]; } // a module holder: shares the module

private:
    std::vector<DartsOp> ops_;
};
TORCH_MODULE(MixedOp);

} // namespace automoe
