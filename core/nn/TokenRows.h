// TokenRows lists the real (non-pad) tokens of a padded batch as flat row indices, computed once per
// stack and forward so that every FFN/MoE layer can skip padding and keep it out of the router statistics.
#pragma once

#include <torch/torch.h>

namespace automoe {

struct TokenRows {
    torch::Tensor index; // int64 [N], b * T + t of every real token, in batch order
    int64_t batch = 0;   // B
    int64_t seqLen = 0;  // T
    bool full = true;    // no padding at all: index covers every row

    static TokenRows of(const torch::Tensor& tokens, int64_t padIndex) {
        TokenRows r;
        r.batch = tokens.size(0);
        r.seqLen = tokens.size(1);
        r.index = tokens.reshape({-1}).ne(padIndex).nonzero().view({-1});
        r.full = r.index.size(0) == r.batch * r.seqLen;
        return r;
    }
    int64_t count() const { return index.size(0); }
};

} // namespace automoe
