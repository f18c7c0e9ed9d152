// Routing health: how evenly each MoE layer of a subnet spreads its tokens over its experts, reduced from a
// routing snapshot (the expert load the validation measured) to two numbers per layer that show collapse at
// a glance: the entropy of the expert load and the share of the busiest expert. A training run logs them as
// a "routing_health" event with every routing snapshot; the CLI prints them and the Training view plots them
// against the update (issue 14: a decoder layer sending 99 % of its tokens to one expert is easy to miss in a
// single snapshot's bars).
//
// Definitions, per MoE layer with n experts (n = the highest expert slot in the snapshot + 1, so a slot that
// received nothing still counts) and loads f_0 .. f_(n-1) from the snapshot (RoutingStatRow::tokensFraction):
//   p_i                = f_i / sum_j f_j   (renormalised: a layer's fractions sum to 1 whatever the snapshot
//                                           says, so rounding or top-k bookkeeping cannot bias the numbers)
//   entropy            = -sum over p_i > 0 of p_i ln p_i, in nats; 0 when one expert takes every token,
//                        ln n when all n take the same share
//   normalized entropy = entropy / ln n, in [0, 1]; 1 = perfectly balanced. Layers with different expert
//                        counts compare on this scale
//   busiest expert     = argmax_i p_i (the lowest slot on a tie), busiest share = its p_i, in [1/n, 1]
// A layer is "collapsed" when its busiest share exceeds kCollapsedShare (0.6): with 2 experts that is a 60/40
// split, with 4 experts more than twice the uniform share.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

// The busiest share above which a layer counts as collapsed (EventText marks it, the Training view draws it).
inline constexpr double kCollapsedShare = 0.6;

struct LayerRoutingHealth {
    std::string stack;            // "encoder" or "decoder"
    int layer = 0;                // 0-based, as in the snapshot
    int experts = 0;              // n >= 2
    double entropy = 0;           // nats
    double normalizedEntropy = 0; // entropy / ln(n)
    int busiestExpert = 0;        // 0-based slot
    double busiestShare = 0;

    bool collapsed() const { return busiestShare > kCollapsedShare; }
};

struct RoutingHealth {
    std::int64_t update = 0;
    std::string subnet = "largest"; // the subnet validated: "largest" (supernet runs) or "fixed" (retrain)
    std::vector<LayerRoutingHealth> layers; // encoder layers, then decoder layers, each by layer index
};

// The health of every MoE layer of `snapshot`, labelled with `subnet`. Layers with fewer than two experts
// have nothing to balance and are left out (the trainer leaves dense layers out of its snapshots already).
// Throws std::invalid_argument naming the update, stack and layer for a stack other than encoder / decoder,
// a negative or non-finite fraction, or a layer whose fractions sum to zero.
RoutingHealth routingHealth(const RoutingSnapshot& snapshot, const std::string& subnet = "largest");

// The "routing_health" event's payload: {update, subnet, layers: [{stack, layer, experts, entropy,
// normalized_entropy, busiest_expert, busiest_share}, ...]}.
nlohmann::json toJson(const RoutingHealth& health);
// Throws std::invalid_argument naming the field ("routing_health event: missing field "busiest_share"").
RoutingHealth routingHealthFromJson(const nlohmann::json& j);

} // namespace automoe
