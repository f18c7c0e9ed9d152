#include "train/LabelSmoothedLoss.h"

#include "nn/ProfileScope.h"

#include <algorithm>
#include <utility>

namespace automoe {

namespace {

// Rows per block: a block of log-probabilities (~8 MB) stays in the L3 cache across the ops run on it, and is
// large enough for each op to split over the threads.
int64_t blockRows(int64_t vocab) {
    return std::max<int64_t>(64, (int64_t(1) << 21) / std::max<int64_t>(vocab, 1));
}

double smoothingPerClass(double epsilon, int64_t vocab) {
    return vocab > 1 ? epsilon / double(vocab - 1) : 0.0;
}

class SmoothedCrossEntropy : public torch::autograd::Function<SmoothedCrossEntropy> {
public:
    // rows [N, V] logits, target [N] int64. Returns {loss sum, nll sum}; the nll sum is not differentiable.
    static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                  const torch::Tensor& rows, const torch::Tensor& target,
                                                  double epsilon) {
        const int64_t N = rows.size(0), V = rows.size(1);
        const double epsI = smoothingPerClass(epsilon, V);
        auto lprobs = torch::empty_like(rows);
        auto nll = torch::empty({N}, rows.options());
        auto smooth = torch::empty({N}, rows.options());
        const int64_t block = blockRows(V);
        for (int64_t r = 0; r < N; r += block) {
            const int64_t n = std::min(block, N - r);
            auto lp = lprobs.narrow(0, r, n);
            torch::_log_softmax_out(lp, rows.narrow(0, r, n), 1, false);
            auto smoothPart = smooth.narrow(0, r, n);
            auto nllPart = nll.narrow(0, r, n).unsqueeze(1);
            torch::sum_out(smoothPart, lp, {1});
            torch::gather_out(nllPart, lp, 1, target.narrow(0, r, n).unsqueeze(1));
        }
        nll.neg_();
        smooth.neg_();
        auto loss = ((1.0 - epsilon - epsI) * nll + epsI * smooth).sum();
        auto nllSum = nll.sum();
        ctx->save_for_backward({lprobs, target});
        ctx->saved_data["epsilon"] = epsilon;
        ctx->mark_non_differentiable({nllSum});
        return {loss, nllSum};
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        auto saved = ctx->get_saved_variables();
        torch::Tensor grad = saved[0]; // the log-probabilities, overwritten with the gradient
        const torch::Tensor& target = saved[1];
        const double epsilon = ctx->saved_data["epsilon"].toDouble();
        const int64_t N = grad.size(0), V = grad.size(1);
        const double epsI = smoothingPerClass(epsilon, V);
        const double c = 1.0 - epsilon - epsI;
        const double go = grads[0].defined() ? grads[0].item<double>() : 0.0;
        // d loss / d x_v = p_v (c + epsI V) - c [v = target] - epsI, times the incoming gradient.
        const double scale = go * (c + epsI * double(V)), shift = go * epsI;
        const int64_t block = blockRows(V);
        for (int64_t r = 0; r < N; r += block) {
            const int64_t n = std::min(block, N - r);
            auto g = grad.narrow(0, r, n);
            g.exp_().mul_(scale);
            if (shift != 0) g.sub_(shift);
        }
        grad.scatter_add_(1, target.unsqueeze(1), torch::full({N, 1}, -go * c, grad.options()));
        return {grad, torch::Tensor(), torch::Tensor()};
    }
};

SmoothedLoss smoothedLossOfRows(const torch::Tensor& rows, const torch::Tensor& target, double epsilon) {
    ProfileScope scope("automoe::loss");
    SmoothedLoss out;
    out.tokens = target.size(0);
    if (out.tokens == 0) {
        out.loss = rows.sum(); // zero, and still connected to the graph
        out.nll = torch::zeros({}, rows.options());
        return out;
    }
    auto parts = SmoothedCrossEntropy::apply(rows.contiguous(), target.contiguous(), epsilon);
    out.loss = parts[0];
    out.nll = parts[1].detach();
    return out;
}

// The rows of `rows` ([..., w], one per target position) and the targets at non-pad positions, as
// {rows [n, w], targets [n]}; no copy when there is no padding.
std::pair<torch::Tensor, torch::Tensor> nonPadRows(const torch::Tensor& rows, const torch::Tensor& target,
                                                   int64_t padIndex) {
    auto flatTarget = target.reshape({-1});
    auto flat = rows.reshape({-1, rows.size(-1)});
    auto keep = flatTarget.ne(padIndex).nonzero().squeeze(1);
    if (keep.size(0) == flatTarget.size(0)) return {flat, flatTarget};
    return {flat.index_select(0, keep), flatTarget.index_select(0, keep)};
}

} // namespace

SmoothedLoss labelSmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       double epsilon, int64_t padIndex) {
    const auto [rows, targets] = nonPadRows(logits, target, padIndex);
    return smoothedLossOfRows(rows, targets, epsilon);
}

SmoothedLoss
labelSmoothedCrossEntropyOfHidden(const torch::Tensor& hidden,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& project,
                                  const torch::Tensor& target, double epsilon, int64_t padIndex) {
    const auto [rows, targets] = nonPadRows(hidden, target, padIndex);
    torch::Tensor logits;
    {
        ProfileScope scope("automoe::output projection");
        logits = project(rows);
    }
    return smoothedLossOfRows(logits, targets, epsilon);
}

} // namespace automoe
