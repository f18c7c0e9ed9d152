#include "nn/SwitchFeedForward.h"

#include "nn/ProfileScope.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace automoe {

namespace {

// The router's choice for tokens x [N, embed]: probabilities [N, n], and the top-k gates and experts [N, k],
// best first.
struct RouterChoice {
    torch::Tensor probs, gate, expert;
};

RouterChoice route(const MoEWeights& w, const torch::Tensor& x) {
    ProfileScope scope("automoe::MoE routing");
    RouterChoice c;
    c.probs = torch::softmax(w.router.apply(x), -1);
    if (w.topK == 1)
        std::tie(c.gate, c.expert) = c.probs.max(-1, /*keepdim=*/true);
    else
        std::tie(c.gate, c.expert) = c.probs.topk(w.topK, -1);
    return c;
}

// Tokens of a decoding step up to which the per-token path runs.
constexpr int64_t kPerTokenRows = 4;

// An incremental decoding step's few tokens, each through its k experts (no balance loss, no capacity).
MoEOutput routedPerToken(const MoEWeights& w, const torch::Tensor& x) {
    const int64_t N = x.size(0);
    const int64_t k = w.topK;
    const RouterChoice choice = route(w, x);
    const torch::Tensor& gate = choice.gate;
    const torch::Tensor idx = choice.expert.contiguous();
    const int64_t* chosen = idx.data_ptr<int64_t>();
    std::vector<torch::Tensor> rows;
    rows.reserve(size_t(N));
    for (int64_t r = 0; r < N; ++r) {
        const auto row = N == 1 ? x : x.narrow(0, r, 1);
        torch::Tensor y;
        for (int64_t j = 0; j < k; ++j) {
            auto e = expertForward(w.experts[size_t(chosen[r * k + j])], row)
                         .mul_(gate.narrow(0, r, 1).narrow(1, j, 1));
            y = y.defined() ? y.add_(e) : e;
        }
        rows.push_back(y);
    }
    MoEOutput out;
    out.output = N == 1 ? rows[0] : torch::cat(rows, 0);
    return out;
}

MoEOutput routed(const MoEWeights& w, const torch::Tensor& x, MoERouting* routing, bool step) {
    const int64_t N = x.size(0);
    const int64_t n = static_cast<int64_t>(w.experts.size());
    const int64_t k = w.topK;
    if (step && !routing && N > 0 && N <= kPerTokenRows) return routedPerToken(w, x);
    MoEOutput out;
    if (N == 0) {
        out.output = torch::zeros({0, x.size(1)}, x.options());
        out.balanceLoss = torch::zeros({}, x.options());
        if (routing) {
            routing->expert = torch::zeros({0, k}, torch::kLong);
            routing->gate = torch::zeros({0, k});
            routing->kept = torch::zeros({0, k}, torch::kBool);
            routing->counts = torch::zeros({n}, torch::kLong);
        }
        return out;
    }

    auto [probs, gate, idx] = route(w, x); // [N, n], [N, k], [N, k]
    std::optional<ProfileScope> dispatch(std::in_place, "automoe::MoE dispatch");

    // Assignments in choice-major order (a = choice * N + token): every token's first choice claims
    // expert capacity before any second choice, as in GShard/Switch.
    auto idxFlat = k == 1 ? idx.view({N}) : idx.t().reshape({N * k});
    auto gateFlat = k == 1 ? gate.view({N}) : gate.t().reshape({N * k});
    auto counts = torch::bincount(idxFlat, {}, n);
    // One stable sort groups the assignments by expert and keeps token order inside a group, so capacity
    // goes first-come-first-served and each expert sees one contiguous block of rows.
    auto order = std::get<1>(idxFlat.sort(/*stable=*/true, 0, /*descending=*/false));
    auto tokenSorted = k == 1 ? order : order.remainder(N);
    auto gateSorted = gateFlat.index_select(0, order);
    auto xs = x.index_select(0, tokenSorted);

    const int64_t cap = expertCapacity(N, n, w.topK, w.capacityFactor, w.dropTokens && !step);
    const int64_t* c = counts.data_ptr<int64_t>();
    bool dropped = false;
    for (int64_t i = 0; i < n; ++i)
        dropped = dropped || c[i] > cap;

    // Each expert runs on its contiguous block of gathered rows and adds its gated output straight into
    // the result (no concatenation of the expert outputs). Gate probabilities are not renormalised over the
    // k choices (Switch / AutoMoE).
    // split (not narrow) so that the backward pass assembles the input gradient with one concatenation
    // instead of one zero-filled full-size buffer per expert.
    std::vector<int64_t> sizes(c, c + n);
    const auto xParts = xs.split_with_sizes(sizes);
    const auto gateParts = gateSorted.split_with_sizes(sizes);
    const auto tokenParts = tokenSorted.split_with_sizes(sizes);
    out.output = torch::zeros({N, x.size(1)}, x.options());
    for (int64_t i = 0; i < n; ++i) {
        const int64_t keep = std::min(c[i], cap);
        if (keep == 0) continue;
        const bool cut = keep < c[i];
        auto y = expertForward(w.experts[size_t(i)], cut ? xParts[i].narrow(0, 0, keep) : xParts[i]);
        auto g = cut ? gateParts[i].narrow(0, 0, keep) : gateParts[i];
        out.output.index_add_(0, cut ? tokenParts[i].narrow(0, 0, keep) : tokenParts[i],
                              y.mul(g.unsqueeze(1)));
    }
    dispatch.reset();

    // Load balancing: f_i = share of assignments sent to expert i before dropping, P_i = mean router
    // probability of expert i; n * sum f_i P_i is 1 at perfect balance whatever n is, so layers with
    // different expert counts average meaningfully.
    if (!step) {
        ProfileScope scope("automoe::MoE routing");
        auto f = counts.to(x.scalar_type()).div_(double(N * k));
        out.balanceLoss = (f * probs.mean(0)).sum().mul_(double(n));
    }

    if (routing) {
        routing->expert = idx.detach();
        routing->gate = gate.detach();
        routing->counts = counts;
        if (!dropped) {
            routing->kept = torch::ones({N, k}, torch::kBool);
        } else {
            auto keptSorted = torch::zeros({N * k}, torch::kBool);
            int64_t s = 0;
            for (int64_t i = 0; i < n; ++i) {
                keptSorted.narrow(0, s, std::min(c[i], cap)).fill_(true);
                s += c[i];
            }
            auto keptFlat = torch::empty_like(keptSorted).index_copy_(0, order, keptSorted);
            routing->kept = keptFlat.view({k, N}).t().contiguous();
        }
    }
    return out;
}

} // namespace

torch::Tensor expertForward(const ExpertWeights& w, const torch::Tensor& x) {
    // relu_ in place: fc1's output is not needed by its own backward, and relu's backward reads its result.
    ProfileScope scope("automoe::expert FFNs");
    auto h = w.fc1.apply(x);
    return w.fc2.apply(torch::relu_(h));
}

int64_t expertCapacity(int64_t tokens, int64_t experts, int topK, double capacityFactor, bool dropTokens) {
    if (!dropTokens || capacityFactor <= 0 || experts < 2) return std::numeric_limits<int64_t>::max();
    return static_cast<int64_t>(std::floor(capacityFactor * double(tokens) * topK / double(experts)));
}

MoEOutput switchFeedForward(const MoEWeights& w, const torch::Tensor& x, MoERouting* routing, bool step) {
    if (w.routed()) return routed(w, x, routing, step);
    MoEOutput out;
    out.output = expertForward(w.experts[0], x);
    if (routing) {
        const int64_t N = x.size(0);
        auto longOpts = torch::TensorOptions().dtype(torch::kLong);
        routing->expert = torch::zeros({N, 1}, longOpts);
        routing->gate = torch::ones({N, 1});
        routing->kept = torch::ones({N, 1}, torch::kBool);
        routing->counts = torch::full({1}, N, longOpts);
    }
    return out;
}

MoEOutput switchFeedForwardSequence(const MoEWeights& w, const torch::Tensor& x, const TokenRows& rows,
                                    MoERouting* routing, bool step) {
    const int64_t B = x.size(0), T = x.size(1), E = x.size(2);
    auto flat = x.reshape({B * T, E});
    const bool select = !rows.full && (w.skipPadding || w.routed());
    torch::Tensor in;
    {
        ProfileScope scope("automoe::MoE dispatch");
        in = select ? flat.index_select(0, rows.index) : flat;
    }
    MoEOutput out = switchFeedForward(w, in, routing, step);
    ProfileScope scope("automoe::MoE dispatch");
    if (select)
        out.output = torch::zeros_like(flat).index_copy_(0, rows.index, out.output);
    else if (routing && !rows.full) {
        // A dense layer ran on pad rows too: report only the real tokens.
        routing->expert = routing->expert.index_select(0, rows.index);
        routing->gate = routing->gate.index_select(0, rows.index);
        routing->kept = routing->kept.index_select(0, rows.index);
        routing->counts.fill_(rows.count());
    }
    out.output = out.output.view({B, T, E});
    return out;
}

} // namespace automoe
