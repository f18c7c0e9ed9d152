// The search fitness (AutoMoE stage 4, DESIGN §6): validation NLL per target token of a subnet with the
// supernet's inherited weights on a fixed validation subset. The subset is tokenized and cut into
// length-sorted batches under a token budget (padding counted) ONCE; every candidate then runs the same
// batches in eval mode without autograd and without the routing trace, and only the real (non-pad) target
// positions go through the output projection and the softmax over the vocabulary (about a third of the
// model's work at the tiny space's widths, and length-sorted batches still pad). Shared by SearchRun, the
// rank check (RankRun) and `automoe bench search`, so the benchmark times exactly the search's code path.
#pragma once

#include "data/Batches.h"
#include "nn/SuperTransformer.h"
#include "space/Architecture.h"

#include <cstdint>
#include <vector>

namespace automoe {

class SubnetFitness {
public:
    // The first `sentences` pairs of `valid` (0 = all) in batches of at most `maxTokens` padded tokens.
    // Throws std::invalid_argument when that leaves nothing to evaluate or maxTokens is not positive.
    SubnetFitness(SuperTransformer model, const TokenizedSet& valid, int64_t sentences, int64_t maxTokens);

    // NLL per target token of `arch` (restores the model's training mode and tracing afterwards).
    double operator()(const Architecture& arch);
    std::vector<double> evaluate(const std::vector<Architecture>& archs);

    const std::vector<Batch>& batches() const { return batches_; }
    int64_t sentences() const { return sentences_; }
    int64_t targetTokens() const { return targetTokens_; } // real target tokens of one pass (eos included)
    int64_t sourceTokens() const { return sourceTokens_; }
    SuperTransformer model() const { return model_; }

private:
    SuperTransformer model_;
    std::vector<Batch> batches_;
    std::vector<torch::Tensor> keep_;    // per batch: flat indices of the non-pad target positions
    std::vector<torch::Tensor> targets_; // per batch: the targets at those positions
    int64_t sentences_ = 0;
    int64_t targetTokens_ = 0;
    int64_t sourceTokens_ = 0;
};

} // namespace automoe
