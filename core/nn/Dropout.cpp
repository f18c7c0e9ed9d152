#include "nn/Dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace automoe {

namespace {

inline uint64_t splitMix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t drawKey() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get<at::CPUGeneratorImpl>()->random64();
}

constexpr int64_t kGrain = 1 << 14;

// out = in * scale where kept, else 0. Branch-free over non-aliasing arrays, so that the compiler
// vectorises it.
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic"))) void
scaleKept(const float* __restrict in, float* __restrict out, const uint8_t* __restrict keep, int64_t n,
          float scale) {
    for (int64_t i = 0; i < n; ++i)
        out[i] = in[i] * (scale * float(keep[i]));
}

// out[i] = keep[i] ? in[i] * scale : 0, with keep[i] from the hash when `draw`, else read from keep.
void applyMask(const float* in, float* out, uint8_t* keep, int64_t n, uint64_t key, uint32_t threshold,
               float scale, bool draw) {
    at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
        int64_t i = begin;
        if (draw) {
            // Two 32-bit draws per hash: elements 2j and 2j + 1 share hash j.
            for (; i < end; ++i) {
                const uint64_t h = splitMix64(key + uint64_t(i >> 1) * 0x9e3779b97f4a7c15ULL);
                const uint32_t r = (i & 1) ? uint32_t(h >> 32) : uint32_t(h);
                keep[i] = r >= threshold;
            }
        }
        scaleKept(in + begin, out + begin, keep + begin, end - begin, scale);
    });
}

// {x with dropout applied, the keep mask}.
std::pair<torch::Tensor, torch::Tensor> drop(const torch::Tensor& xIn, double p) {
    const auto x = xIn.contiguous();
    auto out = torch::empty_like(x);
    auto keep = torch::empty(x.sizes(), x.options().dtype(torch::kUInt8));
    const auto threshold = uint32_t(std::min(4294967295.0, std::ldexp(p, 32)));
    applyMask(x.data_ptr<float>(), out.data_ptr<float>(), keep.data_ptr<uint8_t>(), x.numel(), drawKey(),
              threshold, float(1.0 / (1.0 - p)), true);
    return {out, keep};
}

class DropoutFunction : public torch::autograd::Function<DropoutFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
        auto [out, keep] = drop(x, p);
        ctx->save_for_backward({keep});
        ctx->saved_data["scale"] = 1.0 / (1.0 - p);
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        auto keep = ctx->get_saved_variables()[0];
        const auto g = grads[0].contiguous();
        auto out = torch::empty_like(g);
        applyMask(g.data_ptr<float>(), out.data_ptr<float>(), keep.data_ptr<uint8_t>(), g.numel(), 0, 0,
                  float(ctx->saved_data["scale"].toDouble()), false);
        return {out, torch::Tensor()};
    }
};

} // namespace

torch::Tensor applyDropout(const torch::Tensor& x, double p, bool training) {
    if (!training || p <= 0) return x;
    if (p >= 1) return torch::zeros_like(x);
    if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, true);
    if (!torch::GradMode::is_enabled() || !x.requires_grad()) return drop(x, p).first;
    return DropoutFunction::apply(x, p);
}

} // namespace automoe
