// RoutingTrace keeps what the routers of a SuperTransformer decided (which expert, which width, which
// gate probability, for each token of each FFN/MoE layer), as tensors while recording and as plain records
// or a cost-model RoutingProfile on demand.
#pragma once

#include "cost/CostModel.h"
#include "space/Architecture.h"

#include <torch/torch.h>

#include <vector>

namespace automoe {

// One token-to-expert assignment (a token routed top-k gives k records, best first).
struct RoutingRecord {
    Stack stack = Stack::Encoder;
    int layer = 0;        // 0-based layer of the stack
    int batch = 0;        // sentence index, counted across all forwards since the trace was cleared
    int position = 0;     // token position in its sentence (0-based, padding excluded by construction)
    int expert = 0;       // expert slot
    int expertWidth = 0;  // FFN width of that expert in the current architecture
    float gate = 1.0f;    // router probability (1 for a dense layer)
    bool dropped = false; // true when the capacity limit dropped this assignment
};

class RoutingTrace {
public:
    // One FFN/MoE layer in one forward: rows are the flat indices (b * seqLen + t) of the real tokens.
    struct LayerEntry {
        Stack stack = Stack::Encoder;
        int layer = 0;
        std::vector<int> widths; // expert widths of the layer
        int64_t seqLen = 0;
        int64_t batchOffset = 0;
        torch::Tensor rows;   // int64 [N]
        torch::Tensor expert; // int64 [N, k]
        torch::Tensor gate;   // float [N, k]
        torch::Tensor kept;   // bool [N, k]
        torch::Tensor counts; // int64 [n] assignments per expert
    };

    void clear();
    bool empty() const { return entries_.empty(); }
    void add(LayerEntry entry) { entries_.push_back(std::move(entry)); }
    // Called once per traced forward, after its layers: later forwards number their sentences after these.
    void finishBatch(int64_t batchSize) { batchOffset_ += batchSize; }
    int64_t batchOffset() const { return batchOffset_; }

    const std::vector<LayerEntry>& entries() const { return entries_; }
    std::vector<RoutingRecord> records() const;

    // Per stack and layer: assignments per expert divided by tokens, summed over the recorded forwards
    // (sums to top-k). Layers that were not recorded get empty vectors. Sized by `arch`'s depths.
    RoutingProfile profile(const Architecture& arch) const;

private:
    std::vector<LayerEntry> entries_;
    int64_t batchOffset_ = 0;
};

} // namespace automoe
