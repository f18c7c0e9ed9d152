#include "cost/LatencyFeatures.h"

#include "cost/CostModel.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace automoe {

namespace {

constexpr const char* kSlotFeatures[] = {"present",   "experts", "width_mean",
                                         "width_max", "topk",    "self_heads"};

// The costliest top-1 architecture of the supernet: every layer slot, every expert slot at the full FFN
// width, every width at its maximum, decoder layers attending to as many encoder layers as allowed.
Architecture fullReference(const SupernetDims& d) {
    Architecture a;
    a.qkvDim = d.qkvDim;
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        StackGene& g = a.stack(s);
        g.embedDim = enc ? d.encoderEmbedDim : d.decoderEmbedDim;
        LayerGene l;
        l.selfHeads = 1;
        l.endeHeads = 1;
        l.arbitraryEnde = geneForAttendedLayers(std::min(3, d.encoderLayers));
        l.expertWidths.assign(size_t(enc ? d.encoderExperts : d.decoderExperts),
                              enc ? d.encoderFfnDim : d.decoderFfnDim);
        l.topK = 1;
        g.layers.assign(size_t(enc ? d.encoderLayers : d.decoderLayers), l);
    }
    return a;
}

} // namespace

LatencyFeatures::LatencyFeatures(const SupernetDims& dims)
    : dims_(dims) {
    const SupernetDims& d = dims_;
    if (d.encoderEmbedDim <= 0 || d.decoderEmbedDim <= 0 || d.encoderLayers <= 0 || d.decoderLayers <= 0 ||
        d.encoderFfnDim <= 0 || d.decoderFfnDim <= 0 || d.encoderExperts <= 0 || d.decoderExperts <= 0 ||
        d.maxHeads <= 0 || d.qkvDim <= 0)
        throw std::invalid_argument("LatencyFeatures: every supernet dimension must be positive");
    names_ = {"enc.embed", "enc.depth", "dec.embed", "dec.depth", "qkv"};
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const std::string prefix = enc ? "enc." : "dec.";
        for (int i = 0; i < (enc ? d.encoderLayers : d.decoderLayers); ++i) {
            for (const char* f : kSlotFeatures)
                names_.push_back(prefix + std::to_string(i) + "." + f);
            if (!enc) {
                names_.push_back(prefix + std::to_string(i) + ".ende_heads");
                names_.push_back(prefix + std::to_string(i) + ".ende_layers");
            }
        }
    }
    names_.insert(names_.end(), {"flops.encoder", "flops.decoder", "flops.total"});
    const ArchitectureCost ref = CostModel::evaluate(fullReference(d));
    referenceFlops_[0] = std::max(ref.flopsEncoder, 1.0);
    referenceFlops_[1] = std::max(ref.flopsDecoder, 1.0);
    referenceFlops_[2] = std::max(ref.flopsHat, 1.0);
}

std::vector<float> LatencyFeatures::of(const Architecture& archIn) const {
    const SupernetDims& d = dims_;
    const Architecture arch = archIn.canonical();
    if (arch.encoder.depth() > d.encoderLayers || arch.decoder.depth() > d.decoderLayers)
        throw std::invalid_argument(
            "LatencyFeatures: architecture has " + std::to_string(arch.encoder.depth()) + " encoder / " +
            std::to_string(arch.decoder.depth()) + " decoder layers, the supernet " +
            std::to_string(d.encoderLayers) + " / " + std::to_string(d.decoderLayers));
    std::vector<float> f;
    f.reserve(names_.size());
    f.push_back(float(double(arch.encoder.embedDim) / d.encoderEmbedDim));
    f.push_back(float(double(arch.encoder.depth()) / d.encoderLayers));
    f.push_back(float(double(arch.decoder.embedDim) / d.decoderEmbedDim));
    f.push_back(float(double(arch.decoder.depth()) / d.decoderLayers));
    f.push_back(float(double(arch.qkvDim) / d.qkvDim));
    const double endeScale = std::min(3, d.encoderLayers);
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const StackGene& g = arch.stack(s);
        const double experts = enc ? d.encoderExperts : d.decoderExperts;
        const double ffn = enc ? d.encoderFfnDim : d.decoderFfnDim;
        for (int i = 0; i < (enc ? d.encoderLayers : d.decoderLayers); ++i) {
            if (i >= g.depth()) {
                f.insert(f.end(), enc ? 6 : 8, 0.0f);
                continue;
            }
            const LayerGene& l = g.layers[size_t(i)];
            const double sum = std::accumulate(l.expertWidths.begin(), l.expertWidths.end(), 0.0);
            f.push_back(1.0f);
            f.push_back(float(l.experts() / experts));
            f.push_back(float(l.experts() > 0 ? sum / l.experts() / ffn : 0.0));
            f.push_back(float(l.maxWidth() / ffn));
            f.push_back(float(l.topK / experts));
            f.push_back(float(double(l.selfHeads) / d.maxHeads));
            if (!enc) {
                f.push_back(float(double(l.endeHeads) / d.maxHeads));
                f.push_back(float(arch.attendedEncoderLayers(l) / endeScale));
            }
        }
    }
    const ArchitectureCost cost = CostModel::evaluate(arch);
    f.push_back(float(cost.flopsEncoder / referenceFlops_[0]));
    f.push_back(float(cost.flopsDecoder / referenceFlops_[1]));
    f.push_back(float(cost.flopsHat / referenceFlops_[2]));
    return f;
}

} // namespace automoe
