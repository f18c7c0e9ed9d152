// ArchitectureDiff says what differs between two architectures A and B (issue 17): the architecture-wide
// and stack-wide genes (qkv_dim, embedding widths, depths), and layer by layer the attention heads, the
// encoder layers a decoder layer attends to, the expert count, the expert widths slot by slot and top-k; and
// what each costs (CostModel, B - A). The CLI's `automoe arch diff` prints it and the architecture figure
// draws it (two figures side by side, what differs highlighted). Both compare the canonical forms, so two
// architectures that build the same network (Architecture::operator==) have no differences.
//
// Definitions: layers are compared by index (layer i of A with layer i of B); a layer beyond one side's
// depth exists on the other side only ("present"). Expert slot s of a layer differs when its width differs
// or only one side has it. The encoder-decoder attention of a decoder layer is the number of (last) encoder
// layers it attends to, clamped to that side's encoder depth. Texts and JSON number layers from 1, as the
// figure does; LayerDiff::layer is 0-based.
#pragma once

#include "cost/CostModel.h"
#include "space/Architecture.h"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

// The fields of one layer that can differ (the bits of LayerDiff::fields).
enum LayerField : unsigned {
    kLayerPresent = 1u << 0,    // the layer exists on one side only
    kLayerSelfHeads = 1u << 1,  // self-attention heads
    kLayerEndeHeads = 1u << 2,  // decoder: encoder-decoder attention heads
    kLayerEndeLayers = 1u << 3, // decoder: how many encoder layers it attends to (the cross links)
    kLayerExperts = 1u << 4,    // number of experts
    kLayerWidths = 1u << 5,     // the width of an expert both sides have (a dense FFN's width)
    kLayerTopK = 1u << 6,       // experts routed per token
};

struct LayerDiff {
    Stack stack = Stack::Encoder;
    int layer = 0;                // 0-based
    unsigned fields = 0;          // LayerField bits, never 0 in ArchitectureDiff::layers
    std::vector<int> expertSlots; // expert slots (0-based) whose width differs or that one side has only

    bool has(LayerField f) const { return (fields & f) != 0; }
};

// One difference, as printed: its place, its field and each side's value (empty: absent on that side).
struct FieldDifference {
    std::optional<Stack> stack; // none: the architecture (qkv_dim)
    int layer = -1;             // 0-based; -1: the stack (embed_dim, layers)
    std::string field;          // qkv_dim embed_dim layers present self_heads ende_heads ende_layers
                                // experts expert_widths top_k
    std::vector<int> a, b;      // one value, the widths of every expert (expert_widths), or none (absent)

    // "decoder layer 2", "encoder", "architecture".
    std::string place() const;
};

// A cost of both sides: parameters, active parameters, FLOPs, latency.
struct CostComparison {
    std::string name;  // "params_hat", "params_active", "flops_hat", "latency_ms"
    std::string label; // "Params (HAT)", ...
    double a = 0, b = 0;
    double delta() const { return b - a; }
    // delta / a in percent; nullopt when a is 0.
    std::optional<double> relative() const;
};

struct ArchitectureDiff {
    Architecture a, b; // the canonical forms compared
    ArchitectureCost costA, costB;
    std::optional<double> latencyA, latencyB; // milliseconds, where known
    std::vector<FieldDifference> differences; // architecture, then encoder, then decoder; layers by index
    std::vector<LayerDiff> layers;            // the layers with a difference, in the same order

    bool identical() const { return differences.empty(); }
    // The difference of a layer (0-based); nullptr when that layer does not differ.
    const LayerDiff* layer(Stack stack, int index) const;
    bool qkvDimDiffers() const;
    bool embedDimDiffers(Stack stack) const;
    bool depthDiffers(Stack stack) const;
    // Params (HAT), active params, FLOPs (HAT) and, when both sides have one, latency: B - A.
    std::vector<CostComparison> costs() const;
};

// `options` sets the lengths and vocabulary the costs are counted for (CostModel::evaluate).
ArchitectureDiff diffArchitectures(const Architecture& a, const Architecture& b,
                                   const CostOptions& options = {},
                                   std::optional<double> latencyA = std::nullopt,
                                   std::optional<double> latencyB = std::nullopt);

// "3072,2048" ("-" when absent): a side's value of a difference as text.
std::string differenceValueText(const std::vector<int>& value, const std::string& field);
// "decoder layer 2 experts: 4 -> 1".
std::string differenceText(const FieldDifference& d);

// {"identical": bool, "differences": [{"stack", "layer", "field", "a", "b"}], "layers": [{"stack", "layer",
// "fields": [...], "slots": [...]}], "costs": [{"name", "a", "b", "delta", "relative"}]}: layers and slots
// numbered from 1; a value absent on a side is null, expert_widths are arrays, other values numbers.
nlohmann::json diffToJson(const ArchitectureDiff& diff);

} // namespace automoe
