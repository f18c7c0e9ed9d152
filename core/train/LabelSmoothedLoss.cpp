#include "train/LabelSmoothedLoss.h"

namespace automoe {

SmoothedLoss labelSmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       double epsilon, int64_t padIndex) {
    const int64_t V = logits.size(-1);
    auto flatTarget = target.reshape({-1});
    auto keep = flatTarget.ne(padIndex).nonzero().squeeze(1);
    auto rows = logits.reshape({-1, V}).index_select(0, keep);
    auto tgt = flatTarget.index_select(0, keep);
    auto lprobs = torch::log_softmax(rows, -1);
    auto nll = -lprobs.gather(1, tgt.unsqueeze(1)).squeeze(1);
    auto smooth = -lprobs.sum(-1);
    const double epsI = V > 1 ? epsilon / double(V - 1) : 0.0;
    SmoothedLoss out;
    out.loss = ((1.0 - epsilon - epsI) * nll + epsI * smooth).sum();
    out.nll = nll.sum().detach();
    out.tokens = keep.size(0);
    return out;
}

} // namespace automoe
