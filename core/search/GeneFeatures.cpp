#include "search/GeneFeatures.h"

#include "space/ArchitectureIO.h"

#include <algorithm>

namespace automoe {

namespace {

// Means over the active layers of one stack.
struct StackMeans {
    double ffn = 0;     // mean expert width over every expert of every layer
    double heads = 0;   // self-attention heads
    double experts = 0; // experts per layer
    double spread = 0;  // widest minus narrowest expert of a layer (fractional experts)
    double endeHeads = 0;
    double attended = 0; // encoder layers a decoder layer attends to
};

StackMeans means(const Architecture& arch, const StackGene& stack) {
    StackMeans m;
    if (stack.layers.empty()) return m;
    double widthSum = 0;
    int widthCount = 0;
    for (const LayerGene& l : stack.layers) {
        for (int w : l.expertWidths)
            widthSum += w;
        widthCount += l.experts();
        m.heads += l.selfHeads;
        m.experts += l.experts();
        if (!l.expertWidths.empty()) {
            const auto [lo, hi] = std::minmax_element(l.expertWidths.begin(), l.expertWidths.end());
            m.spread += *hi - *lo;
        }
        m.endeHeads += l.endeHeads;
        m.attended += arch.attendedEncoderLayers(l);
    }
    const double n = double(stack.layers.size());
    m.ffn = widthCount > 0 ? widthSum / widthCount : 0;
    m.heads /= n;
    m.experts /= n;
    m.spread /= n;
    m.endeHeads /= n;
    m.attended /= n;
    return m;
}

} // namespace

const std::vector<GeneFeature>& geneFeatures() {
    static const std::vector<GeneFeature> all = {
        {"enc_embed", "Encoder embedding width"},
        {"dec_embed", "Decoder embedding width"},
        {"enc_layers", "Encoder layers"},
        {"dec_layers", "Decoder layers"},
        {"enc_ffn", "Encoder mean FFN width"},
        {"dec_ffn", "Decoder mean FFN width"},
        {"enc_heads", "Encoder mean heads"},
        {"dec_heads", "Decoder mean heads"},
        {"enc_experts", "Encoder experts per layer"},
        {"dec_experts", "Decoder experts per layer"},
        {"enc_expert_spread", "Encoder expert width spread"},
        {"dec_expert_spread", "Decoder expert width spread"},
        {"ende_heads", "Encoder-decoder heads"},
        {"ende_layers", "Encoder layers attended"},
    };
    return all;
}

std::vector<double> geneFeatureValues(const Architecture& arch) {
    const StackMeans e = means(arch, arch.encoder);
    const StackMeans d = means(arch, arch.decoder);
    return {double(arch.encoder.embedDim),
            double(arch.decoder.embedDim),
            double(arch.encoder.depth()),
            double(arch.decoder.depth()),
            e.ffn,
            d.ffn,
            e.heads,
            d.heads,
            e.experts,
            d.experts,
            e.spread,
            d.spread,
            d.endeHeads,
            d.attended};
}

std::vector<double> geneFeatureValues(const nlohmann::json& archJson) {
    return geneFeatureValues(architectureFromJson(archJson));
}

} // namespace automoe
