#include "train/FusedAdam.h"

#include <ATen/Parallel.h>

#include <c10/util/string_utils.h>

#include <cmath>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace automoe {

namespace {

struct AdamScalars {
    float b1, oneMinusB1, b2, oneMinusB2, invSqrtBc2, eps, negStepSize, weightDecay, gradScale;
};

// One element-wise pass. Four lanes at a time with SSE (every x86-64 CPU has it; the compiler does not
// vectorise the loop by itself because sqrt may set errno), the same arithmetic in the scalar tail.
void adamPass(float* __restrict p, const float* __restrict grad, float* __restrict m, float* __restrict v,
              int64_t n, const AdamScalars s) {
    int64_t i = 0;
#if defined(__SSE2__)
    const __m128 gs = _mm_set1_ps(s.gradScale), wd = _mm_set1_ps(s.weightDecay), b1 = _mm_set1_ps(s.b1),
                 omb1 = _mm_set1_ps(s.oneMinusB1), b2 = _mm_set1_ps(s.b2), omb2 = _mm_set1_ps(s.oneMinusB2),
                 ibc2 = _mm_set1_ps(s.invSqrtBc2), eps = _mm_set1_ps(s.eps), nss = _mm_set1_ps(s.negStepSize);
    for (; i + 4 <= n; i += 4) {
        const __m128 pv = _mm_loadu_ps(p + i);
        __m128 g = _mm_mul_ps(_mm_loadu_ps(grad + i), gs);
        g = _mm_add_ps(g, _mm_mul_ps(wd, pv));
        const __m128 mi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(m + i), b1), _mm_mul_ps(omb1, g));
        const __m128 vi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(v + i), b2), _mm_mul_ps(_mm_mul_ps(omb2, g), g));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        const __m128 denom = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), ibc2), eps);
        _mm_storeu_ps(p + i, _mm_add_ps(pv, _mm_mul_ps(nss, _mm_div_ps(mi, denom))));
    }
#endif
    for (; i < n; ++i) {
        float g = grad[i] * s.gradScale;
        g = g + s.weightDecay * p[i];
        const float mi = m[i] * s.b1 + s.oneMinusB1 * g;
        const float vi = v[i] * s.b2 + s.oneMinusB2 * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] + s.negStepSize * (mi / (std::sqrt(vi) * s.invSqrtBc2 + s.eps));
    }
}

bool fusable(const torch::Tensor& t) {
    return t.defined() && t.is_contiguous() && t.scalar_type() == torch::kFloat && !t.is_sparse() &&
           t.device().is_cpu();
}

} // namespace

void fusedAdamStep(torch::optim::Adam& adam, double gradScale) {
    torch::NoGradGuard noGrad;
    for (auto& group : adam.param_groups()) {
        auto& options = static_cast<torch::optim::AdamOptions&>(group.options());
        if (options.amsgrad()) {
            // Not fused: scale the gradients and let torch do it.
            if (gradScale != 1.0)
                for (auto& p : group.params())
                    if (p.grad().defined()) p.grad().mul_(gradScale);
            adam.step();
            return;
        }
        const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto& states = adam.state();
            if (states.find(key) == states.end()) {
                auto state = std::make_unique<torch::optim::AdamParamState>();
                state->step(0);
                state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                states[key] = std::move(state);
            }
            auto& state = static_cast<torch::optim::AdamParamState&>(*states[key]);
            state.step(state.step() + 1);
            const double bc1 = 1 - std::pow(beta1, double(state.step()));
            const double bc2 = 1 - std::pow(beta2, double(state.step()));
            const double stepSize = options.lr() / bc1;
            torch::Tensor grad = p.grad();
            auto& m = state.exp_avg();
            auto& v = state.exp_avg_sq();
            if (fusable(p) && fusable(grad) && fusable(m) && fusable(v) && grad.numel() == p.numel()) {
                const AdamScalars s{float(beta1),
                                    float(1 - beta1),
                                    float(beta2),
                                    float(1 - beta2),
                                    float(1 / std::sqrt(bc2)),
                                    float(options.eps()),
                                    float(-stepSize),
                                    float(options.weight_decay()),
                                    float(gradScale)};
                float* pp = p.data_ptr<float>();
                const float* pg = grad.data_ptr<float>();
                float* pm = m.data_ptr<float>();
                float* pv = v.data_ptr<float>();
                at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
                    adamPass(pp + begin, pg + begin, pm + begin, pv + begin, end - begin, s);
                });
                continue;
            }
            if (gradScale != 1.0) grad = grad.mul(gradScale);
            if (options.weight_decay() != 0) grad = grad.add(p, options.weight_decay());
            m.mul_(beta1).add_(grad, 1 - beta1);
            v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
            auto denom = (v.sqrt() / std::sqrt(bc2)).add_(options.eps());
            p.addcdiv_(m, denom, -stepSize);
        }
    }
}

std::pair<double, double> gradientNormAndClip(const std::vector<torch::Tensor>& params, double maxNorm) {
    // As clip_grad_norm_ computes them, in float tensors, so that the coefficient is the same float.
    std::vector<torch::Tensor> norms;
    for (const auto& p : params)
        if (p.grad().defined()) norms.push_back(p.grad().norm(2));
    if (norms.empty()) return {0.0, 1.0};
    const torch::Tensor total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);
    if (maxNorm <= 0) return {total.item<double>(), 1.0};
    const torch::Tensor coef = torch::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
    return {total.item<double>(), double(coef.item<float>())};
}

double clippedAdamStep(torch::optim::Adam& adam, const std::vector<torch::Tensor>& params, double lr,
                       double clipNorm) {
    for (auto& group : adam.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    const auto [norm, coef] = gradientNormAndClip(params, clipNorm);
    fusedAdamStep(adam, coef);
    return norm;
}

} // namespace automoe
