// Label-smoothed cross-entropy as fairseq computes it (label_smoothed_nll_loss): with eps spread over the
// vocabulary, loss = (1 - eps - eps/(V-1)) * nll + eps/(V-1) * sum_v(-log p_v); padding rows ignored.
//
// One autograd node computes it (forward: log-softmax, the target's and the summed log-probabilities;
// backward: the closed-form gradient p * (c + eps' V) - c [v = target] - eps', written over the saved
// log-probabilities in place), in blocks of rows that stay in cache. The composite of torch ops it replaces
// kept five full [tokens, vocab] buffers alive and made about fifteen passes over them.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace automoe {

struct SmoothedLoss {
    torch::Tensor loss; // sum over non-pad targets (differentiable)
    torch::Tensor nll;  // sum of -log p(target) over non-pad targets (detached)
    int64_t tokens = 0; // non-pad targets
};

// logits [N, V] or [B, T, V]; target the matching int64 shape.
SmoothedLoss labelSmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       double epsilon, int64_t padIndex);

// The same loss from decoder states hidden [B, T, e] (or [N, e]): only the rows of non-pad targets go through
// `project` (hidden rows [n, e] -> logits [n, V], the output layer), so padding costs no output GEMM.
SmoothedLoss
labelSmoothedCrossEntropyOfHidden(const torch::Tensor& hidden,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& project,
                                  const torch::Tensor& target, double epsilon, int64_t padIndex);

} // namespace automoe
