// Inverted dropout with a counter-based mask, for every dropout of the model (embeddings, residual
// branches, attention probabilities).
//
// torch::dropout on this CPU build draws each element's Bernoulli sample serially from the mt19937 default
// generator (no MKL), which `automoe bench train --profile` showed at 5-7 % of a training step while the
// second core waits, and keeps a float mask (4 bytes an element) for the backward pass. Here one 64-bit key
// is drawn from torch's default CPU generator per call, so runs stay reproducible under torch::manual_seed
// and across checkpoint and resume (the generator state is checkpointed); element i is kept when a SplitMix64
// hash of (key, i) is at least p * 2^32, computed in parallel; the mask is one byte an element. Masks
// therefore do not depend on the thread count. They differ from torch::dropout's for the same seed, so losses
// of a run with dropout follow another (equally distributed) random path than before this change.
#pragma once

#include <torch/torch.h>

namespace automoe {

// x scaled by 1 / (1 - p) where kept, 0 elsewhere; x itself when !training or p == 0. Differentiable in x.
torch::Tensor applyDropout(const torch::Tensor& x, double p, bool training);

} // namespace automoe
