// Label-smoothed cross-entropy as fairseq computes it (label_smoothed_nll_loss): with eps spread over the
// vocabulary, loss = (1 - eps - eps/(V-1)) * nll + eps/(V-1) * sum_v(-log p_v); padding rows ignored.
#pragma once
#include <torch/torch.h>

namespace automoe {

struct SmoothedLoss {
    torch::Tensor loss; // sum over non-pad targets (differentiable)
    torch::Tensor nll;  // sum of -log p(target) over non-pad targets (detached)
    int64_t tokens = 0; // non-pad targets
};

// logits [N, V] or [B, T, V]; target the matching int64 shape.
SmoothedLoss labelSmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       double epsilon, int64_t padIndex);

} // namespace automoe
