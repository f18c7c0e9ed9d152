#include "cost/CostModel.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace automoe {
namespace {

// Expected token-assignments per token to each expert of a layer (sums to top-k).
std::vector<double> routingOf(const LayerGene& l, const std::vector<std::vector<double>>* measured,
                              int layer) {
    if (measured && layer < static_cast<int>(measured->size()) &&
        static_cast<int>((*measured)[layer].size()) == l.experts())
        return (*measured)[layer];
    return std::vector<double>(l.experts(), static_cast<double>(l.topK) / l.experts());
}

// Attention parameters: Q from `qIn`, K/V from `kvIn`, all mapping to qkv; output qkv -> qIn.
std::int64_t attentionParams(std::int64_t qIn, std::int64_t kvIn, std::int64_t qkv) {
    return (qIn * qkv + qkv) + 2 * (kvIn * qkv + qkv) + (qkv * qIn + qIn);
}

} // namespace

std::int64_t CostModel::ffnParams(int embedDim, int width) {
    const std::int64_t e = embedDim, f = width;
    return (e * f + f) + (f * e + e);
}

std::int64_t CostModel::routerParams(int embedDim, int experts) {
    return experts > 1 ? static_cast<std::int64_t>(embedDim) * experts + experts : 0;
}

namespace {
// Parameters of a layer other than its experts: attention blocks, LayerNorms and the router.
std::int64_t layerBaseParams(const Architecture& arch, Stack stack, const LayerGene& l) {
    const std::int64_t q = arch.qkvDim;
    if (stack == Stack::Encoder) {
        const std::int64_t e = arch.encoder.embedDim;
        return attentionParams(e, e, q) + 2 * (2 * e) +
               CostModel::routerParams(static_cast<int>(e), l.experts());
    }
    const std::int64_t d = arch.decoder.embedDim, enc = arch.encoder.embedDim;
    return attentionParams(d, d, q) + attentionParams(d, enc, q) + 3 * (2 * d) +
           CostModel::routerParams(static_cast<int>(d), l.experts());
}
} // namespace

std::int64_t CostModel::layerParams(const Architecture& arch, Stack stack, int layer) {
    const LayerGene& l = arch.stack(stack).layers.at(layer);
    std::int64_t p = layerBaseParams(arch, stack, l);
    for (int w : l.expertWidths)
        p += ffnParams(arch.stack(stack).embedDim, w);
    return p;
}

ArchitectureCost CostModel::evaluate(const Architecture& archIn, const CostOptions& o) {
    const Architecture arch = archIn.canonical();
    ArchitectureCost c;
    const double q = arch.qkvDim, S = o.srcLen, T = o.tgtLen;
    const bool measured = o.routing && !o.routing->empty();

    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackGene& g = arch.stack(st);
        const double e = g.embedDim;
        const double tokens = st == Stack::Encoder ? S : T;
        const auto* profile =
            measured ? (st == Stack::Encoder ? &o.routing->encoder : &o.routing->decoder) : nullptr;
        double stackMacs = 0;
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[i];
            const std::int64_t base = layerBaseParams(arch, st, l);
            std::vector<std::int64_t> experts;
            for (int w : l.expertWidths)
                experts.push_back(ffnParams(g.embedDim, w));
            c.paramsHat += base + std::accumulate(experts.begin(), experts.end(), std::int64_t{0});

            std::vector<std::int64_t> widest = experts;
            std::sort(widest.rbegin(), widest.rend());
            c.paramsActive +=
                base + std::accumulate(widest.begin(), widest.begin() + l.topK, std::int64_t{0});
            const auto r = routingOf(l, profile, i);
            double expected = base;
            for (int x = 0; x < l.experts(); ++x)
                expected += r[x] * static_cast<double>(experts[x]);
            c.paramsActiveExpected += expected;

            // Attention: projections and the score / value products.
            double macs = 0;
            if (st == Stack::Encoder) {
                macs += 4 * S * e * q + 2 * S * S * q;
            } else {
                const double kv = arch.attendedEncoderLayers(l) * S;
                macs += 4 * T * e * q + 2 * T * T * q; // self-attention
                macs +=
                    2 * T * e * q + 2 * kv * arch.encoder.embedDim * q + 2 * T * kv * q; // encoder-decoder
            }
            // FFN: a dense layer runs its one expert; an MoE layer its router and the routed experts.
            double ffnMacs = 0;
            for (int x = 0; x < l.experts(); ++x)
                ffnMacs += r[x] * 2 * e * l.expertWidths[x];
            if (l.experts() > 1) {
                ffnMacs += e * l.experts();
                c.flopsMoE += 2 * tokens * ffnMacs;
            }
            macs += tokens * ffnMacs;
            stackMacs += macs;
        }
        (st == Stack::Encoder ? c.flopsEncoder : c.flopsDecoder) = 2 * stackMacs;
    }
    c.paramsEmbedding =
        static_cast<std::int64_t>(o.vocabSize) * std::max(arch.encoder.embedDim, arch.decoder.embedDim);
    c.paramsTotal = c.paramsHat + c.paramsEmbedding;
    c.flopsHat = c.flopsEncoder + c.flopsDecoder;
    c.flopsOutput = 2.0 * T * arch.decoder.embedDim * o.vocabSize;
    c.flops = c.flopsHat + c.flopsOutput;
    c.flopsPerToken = (S + T) > 0 ? c.flopsHat / (S + T) : 0;
    return c;
}

} // namespace automoe
