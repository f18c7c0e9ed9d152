#include "space/ArchitectureEncoding.h"

#include <algorithm>

namespace automoe {

namespace {

bool moeSupernet(const SupernetDims& d) {
    return d.encoderExperts > 1 || d.decoderExperts > 1;
}

float ratio(double value, double max) {
    return max > 0 ? float(value / max) : 0.0f;
}

struct StackMeans {
    double ffn = 0; // mean expert width
    double selfHeads = 0;
    double endeHeads = 0;
    double attended = 0;
    double experts = 0;
    double totalFfn = 0;
};

StackMeans means(const Architecture& a, Stack s) {
    StackMeans m;
    const StackGene& g = a.stack(s);
    if (g.layers.empty()) return m;
    for (const LayerGene& l : g.layers) {
        double sum = 0;
        for (int w : l.expertWidths)
            sum += w;
        const double n = std::max(1, l.experts());
        m.ffn += sum / n;
        m.totalFfn += sum;
        m.experts += l.experts();
        m.selfHeads += l.selfHeads;
        m.endeHeads += l.endeHeads;
        m.attended += a.attendedEncoderLayers(l);
    }
    const double n = double(g.layers.size());
    m.ffn /= n;
    m.totalFfn /= n;
    m.experts /= n;
    m.selfHeads /= n;
    m.endeHeads /= n;
    m.attended /= n;
    return m;
}

} // namespace

int architectureEncodingSize(const SupernetDims& dims) {
    return moeSupernet(dims) ? 15 : 11;
}

std::vector<float> architectureEncoding(const Architecture& a, const SupernetDims& d) {
    const StackMeans enc = means(a, Stack::Encoder);
    const StackMeans dec = means(a, Stack::Decoder);
    std::vector<float> v{
        ratio(a.encoder.embedDim, d.encoderEmbedDim),
        ratio(a.decoder.embedDim, d.decoderEmbedDim),
        ratio(a.encoder.depth(), d.encoderLayers),
        ratio(a.decoder.depth(), d.decoderLayers),
        ratio(enc.ffn, d.encoderFfnDim),
        ratio(dec.ffn, d.decoderFfnDim),
        ratio(enc.selfHeads, d.maxHeads),
        ratio(dec.selfHeads, d.maxHeads),
        ratio(dec.endeHeads, d.maxHeads),
        ratio(dec.attended, d.encoderLayers),
        ratio(a.qkvDim, d.qkvDim),
    };
    if (moeSupernet(d)) {
        v.push_back(ratio(enc.experts, d.encoderExperts));
        v.push_back(ratio(dec.experts, d.decoderExperts));
        v.push_back(ratio(enc.totalFfn, double(d.encoderExperts) * d.encoderFfnDim));
        v.push_back(ratio(dec.totalFfn, double(d.decoderExperts) * d.decoderFfnDim));
    }
    return v;
}

std::vector<std::string> architectureEncodingNames(const SupernetDims& dims) {
    std::vector<std::string> names{"encoder embed",
                                   "decoder embed",
                                   "encoder depth",
                                   "decoder depth",
                                   "encoder FFN",
                                   "decoder FFN",
                                   "encoder heads",
                                   "decoder heads",
                                   "enc-dec heads",
                                   "attended encoder layers",
                                   "qkv"};
    if (moeSupernet(dims))
        for (const char* n : {"encoder experts", "decoder experts", "encoder total FFN", "decoder total FFN"})
            names.push_back(n);
    return names;
}

} // namespace automoe
