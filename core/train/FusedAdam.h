// One Adam update of every parameter that has a gradient, each in a single parallel pass over its parameter,
// gradient and two moment buffers (torch::optim::Adam::step makes about ten passes and allocates two
// temporaries per tensor). The optimizer object keeps the state (per-parameter step, exp_avg, exp_avg_sq,
// created as Adam creates them), so checkpoints and torch::optim::Adam::step stay interchangeable.
//
// The arithmetic is Adam's, in the same order and in float: m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g;
// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps), with g = grad * gradScale (+ weight_decay * p). It can
// differ from torch's kernels in the last bit (they fuse multiply-adds; the division by sqrt(1-b2^t) is a
// multiplication by its inverse here). Four lanes at a
// time (SSE): `automoe bench train --profile` showed the compiler's scalar loop no faster than torch's ten
// passes; with SSE it is 4-5x faster (15.7 M parameters: 12.6 vs 52-66 ms).
#pragma once

#include <torch/torch.h>

namespace automoe {

// gradScale multiplies every gradient as it is read (gradient clipping's coefficient, without rewriting the
// gradients). amsgrad, sparse, non-float or non-contiguous tensors fall back to torch's arithmetic.
void fusedAdamStep(torch::optim::Adam& adam, double gradScale = 1.0);

// The global L2 norm of the gradients of `params` (as torch::nn::utils::clip_grad_norm_ computes it), and the
// clipping coefficient min(1, maxNorm / (norm + 1e-6)) that clip_grad_norm_ would multiply them by.
std::pair<double, double> gradientNormAndClip(const std::vector<torch::Tensor>& params, double maxNorm);

// An update at learning rate `lr` (set on every parameter group) with the gradients of `params` clipped to a
// global norm of clipNorm (0: not clipped): gradientNormAndClip, then fusedAdamStep with its coefficient.
// Returns the gradient norm before clipping.
double clippedAdamStep(torch::optim::Adam& adam, const std::vector<torch::Tensor>& params, double lr,
                       double clipNorm);

} // namespace automoe
