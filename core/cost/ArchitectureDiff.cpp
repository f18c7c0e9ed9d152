#include "cost/ArchitectureDiff.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace automoe {

namespace {

struct FieldName {
    LayerField bit;
    const char* name;
};
constexpr FieldName kLayerFieldNames[] = {
    {kLayerPresent, "present"},      {kLayerSelfHeads, "self_heads"},
    {kLayerEndeHeads, "ende_heads"}, {kLayerEndeLayers, "ende_layers"},
    {kLayerExperts, "experts"},      {kLayerWidths, "expert_widths"},
    {kLayerTopK, "top_k"},
};

std::vector<int> one(int v) {
    return {v};
}

// Adds the differences of layer `i` of a stack (either side may lack it).
void diffLayer(Stack stack, int i, const StackGene& a, const StackGene& b, ArchitectureDiff& out) {
    const bool inA = i < a.depth(), inB = i < b.depth();
    LayerDiff ld;
    ld.stack = stack;
    ld.layer = i;
    auto add = [&](LayerField bit, std::vector<int> va, std::vector<int> vb) {
        ld.fields |= bit;
        const auto name = std::find_if(std::begin(kLayerFieldNames), std::end(kLayerFieldNames),
                                       [bit](const FieldName& f) { return f.bit == bit; });
        out.differences.push_back({stack, i, name->name, std::move(va), std::move(vb)});
    };
    if (inA != inB) {
        const LayerGene& l = inA ? a.layers[std::size_t(i)] : b.layers[std::size_t(i)];
        add(kLayerPresent, one(inA ? 1 : 0), one(inB ? 1 : 0));
        for (int s = 0; s < l.experts(); ++s)
            ld.expertSlots.push_back(s);
        out.layers.push_back(std::move(ld));
        return;
    }
    const LayerGene& la = a.layers[std::size_t(i)];
    const LayerGene& lb = b.layers[std::size_t(i)];
    if (la.selfHeads != lb.selfHeads) add(kLayerSelfHeads, one(la.selfHeads), one(lb.selfHeads));
    if (stack == Stack::Decoder) {
        if (la.endeHeads != lb.endeHeads) add(kLayerEndeHeads, one(la.endeHeads), one(lb.endeHeads));
        // Canonical forms: the gene already says how many encoder layers are attended on that side.
        const int attendedA = attendedLayersForGene(la.arbitraryEnde);
        const int attendedB = attendedLayersForGene(lb.arbitraryEnde);
        if (attendedA != attendedB) add(kLayerEndeLayers, one(attendedA), one(attendedB));
    }
    if (la.experts() != lb.experts()) add(kLayerExperts, one(la.experts()), one(lb.experts()));
    bool widthDiffers = false;
    for (int s = 0; s < std::max(la.experts(), lb.experts()); ++s) {
        const bool sa = s < la.experts(), sb = s < lb.experts();
        if (sa && sb && la.expertWidths[std::size_t(s)] == lb.expertWidths[std::size_t(s)]) continue;
        ld.expertSlots.push_back(s);
        widthDiffers = widthDiffers || (sa && sb);
    }
    if (widthDiffers) add(kLayerWidths, la.expertWidths, lb.expertWidths);
    if (la.topK != lb.topK) add(kLayerTopK, one(la.topK), one(lb.topK));
    if (ld.fields) out.layers.push_back(std::move(ld));
}

bool hasStackField(const ArchitectureDiff& d, Stack stack, const char* field) {
    return std::any_of(d.differences.begin(), d.differences.end(), [&](const FieldDifference& f) {
        return f.stack == stack && f.layer < 0 && f.field == field;
    });
}

} // namespace

std::string FieldDifference::place() const {
    if (!stack) return "architecture";
    std::string s = stackName(*stack);
    if (layer >= 0) s += " layer " + std::to_string(layer + 1);
    return s;
}

std::optional<double> CostComparison::relative() const {
    if (a == 0) return std::nullopt;
    return 100.0 * delta() / a;
}

const LayerDiff* ArchitectureDiff::layer(Stack stack, int index) const {
    for (const LayerDiff& l : layers)
        if (l.stack == stack && l.layer == index) return &l;
    return nullptr;
}

bool ArchitectureDiff::qkvDimDiffers() const {
    return std::any_of(differences.begin(), differences.end(),
                       [](const FieldDifference& f) { return !f.stack && f.field == "qkv_dim"; });
}

bool ArchitectureDiff::embedDimDiffers(Stack stack) const {
    return hasStackField(*this, stack, "embed_dim");
}

bool ArchitectureDiff::depthDiffers(Stack stack) const {
    return hasStackField(*this, stack, "layers");
}

std::vector<CostComparison> ArchitectureDiff::costs() const {
    std::vector<CostComparison> out{
        {"params_hat", "Params (HAT)", double(costA.paramsHat), double(costB.paramsHat)},
        {"params_active", "Active params", double(costA.paramsActive), double(costB.paramsActive)},
        {"flops_hat", "FLOPs (HAT)", costA.flopsHat, costB.flopsHat},
    };
    if (latencyA && latencyB) out.push_back({"latency_ms", "Latency (ms)", *latencyA, *latencyB});
    return out;
}

ArchitectureDiff diffArchitectures(const Architecture& a, const Architecture& b, const CostOptions& options,
                                   std::optional<double> latencyA, std::optional<double> latencyB) {
    ArchitectureDiff d;
    d.a = a.canonical();
    d.b = b.canonical();
    d.costA = CostModel::evaluate(a, options);
    d.costB = CostModel::evaluate(b, options);
    d.latencyA = latencyA;
    d.latencyB = latencyB;
    if (d.a.qkvDim != d.b.qkvDim)
        d.differences.push_back({std::nullopt, -1, "qkv_dim", one(d.a.qkvDim), one(d.b.qkvDim)});
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const StackGene& sa = d.a.stack(s);
        const StackGene& sb = d.b.stack(s);
        if (sa.embedDim != sb.embedDim)
            d.differences.push_back({s, -1, "embed_dim", one(sa.embedDim), one(sb.embedDim)});
        if (sa.depth() != sb.depth())
            d.differences.push_back({s, -1, "layers", one(sa.depth()), one(sb.depth())});
        for (int i = 0; i < std::max(sa.depth(), sb.depth()); ++i)
            diffLayer(s, i, sa, sb, d);
    }
    return d;
}

std::string differenceValueText(const std::vector<int>& value, const std::string& field) {
    if (value.empty()) return "-";
    if (field == "present") return value.front() ? "yes" : "no";
    std::string s;
    for (std::size_t i = 0; i < value.size(); ++i)
        s += (i ? "," : "") + std::to_string(value[i]);
    return s;
}

std::string differenceText(const FieldDifference& d) {
    return d.place() + " " + d.field + ": " + differenceValueText(d.a, d.field) + " -> " +
           differenceValueText(d.b, d.field);
}

nlohmann::json diffToJson(const ArchitectureDiff& diff) {
    using nlohmann::json;
    auto value = [](const std::vector<int>& v, const std::string& field) -> json {
        if (v.empty()) return nullptr;
        if (field == "expert_widths") return v;
        if (field == "present") return v.front() != 0;
        return v.front();
    };
    json j;
    j["identical"] = diff.identical();
    j["differences"] = json::array();
    for (const FieldDifference& d : diff.differences) {
        json e;
        e["stack"] = d.stack ? json(stackName(*d.stack)) : json(nullptr);
        e["layer"] = d.layer >= 0 ? json(d.layer + 1) : json(nullptr);
        e["field"] = d.field;
        e["a"] = value(d.a, d.field);
        e["b"] = value(d.b, d.field);
        j["differences"].push_back(std::move(e));
    }
    j["layers"] = json::array();
    for (const LayerDiff& l : diff.layers) {
        json e;
        e["stack"] = stackName(l.stack);
        e["layer"] = l.layer + 1;
        e["fields"] = json::array();
        for (const FieldName& f : kLayerFieldNames)
            if (l.has(f.bit)) e["fields"].push_back(f.name);
        e["slots"] = json::array();
        for (int s : l.expertSlots)
            e["slots"].push_back(s + 1);
        j["layers"].push_back(std::move(e));
    }
    j["costs"] = json::array();
    for (const CostComparison& c : diff.costs()) {
        const std::optional<double> rel = c.relative();
        j["costs"].push_back({{"name", c.name},
                              {"a", c.a},
                              {"b", c.b},
                              {"delta", c.delta()},
                              {"relative", rel ? json(*rel) : json(nullptr)}});
    }
    return j;
}

} // namespace automoe
