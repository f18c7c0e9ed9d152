// The FFN/MoE computation of a layer on given weights (LayerWeights.h), the one implementation behind the
// supernet's SwitchMoE (sliced expert slots) and a StandaloneTransformer's MoE (exact experts): a dense
// FFN, or Switch-style routing (router logits, softmax, top-k, outputs scaled by the gate probability, not
// renormalised; optional capacity limit with token dropping) and the load-balancing loss.
#pragma once

#include "nn/LayerWeights.h"
#include "nn/TokenRows.h"

#include <torch/torch.h>

namespace automoe {

// Routing decisions of one forward, filled only when the caller asks for them (tracing).
struct MoERouting {
    torch::Tensor expert; // int64 [N, k], the chosen experts per token (best first)
    torch::Tensor gate;   // float [N, k], their router probabilities (1 for a dense layer)
    torch::Tensor kept;   // bool [N, k], false where the capacity limit dropped the assignment
    torch::Tensor counts; // int64 [n], assignments per expert before dropping
};

struct MoEOutput {
    torch::Tensor output;      // [N, embed]
    torch::Tensor balanceLoss; // scalar n * sum_i f_i P_i; undefined for a dense layer
};

// fc2(relu(fc1(x))).
torch::Tensor expertForward(const ExpertWeights& w, const torch::Tensor& x);

// Per-expert capacity for `tokens` tokens routed top-k over n experts: floor(cf * tokens * k / n), or
// INT64_MAX when nothing is dropped (no dropping, factor 0, or a dense layer).
int64_t expertCapacity(int64_t tokens, int64_t experts, int topK, double capacityFactor, bool dropTokens);

// x: [N, embed] rows that are all real tokens (callers strip padding, which keeps pads out of the routing
// statistics). routing: filled when non-null; nothing extra is computed when null.
// step: x holds the tokens of one incremental decoding step (inference): no balance loss is computed, no
// capacity limit applies (counted over one step's few tokens it would drop almost every assignment; a
// capacity limit is a training device), and a handful of tokens go to their experts one by one instead of
// through the sort-and-split dispatch, whose fixed cost dominates there.
MoEOutput switchFeedForward(const MoEWeights& w, const torch::Tensor& x, MoERouting* routing = nullptr,
                            bool step = false);

// The layer applied to a padded sequence batch x [B, T, embed]: only the real tokens (rows) go through the
// experts (pad rows come back as zeros; the residual carries them). With w.skipPadding false a dense layer
// runs on every row instead (an MoE layer always routes only real tokens).
MoEOutput switchFeedForwardSequence(const MoEWeights& w, const torch::Tensor& x, const TokenRows& rows,
                                    MoERouting* routing = nullptr, bool step = false);

} // namespace automoe
