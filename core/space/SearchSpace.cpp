#include "space/SearchSpace.h"

#include "space/SpaceError.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace automoe {

// ---------------------------------------------------------------------------------------------- Dimension

bool Dimension::contains(int v) const {
    return std::binary_search(choices.begin(), choices.end(), v);
}

Dimension Dimension::range(int lo, int hi) {
    Dimension d;
    for (int v = lo; v <= hi; ++v)
        d.choices.push_back(v);
    d.isRange = true;
    return d;
}

Dimension Dimension::of(std::vector<int> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    Dimension d;
    d.choices = std::move(values);
    return d;
}

bool StackSpace::operator==(const StackSpace& o) const {
    return embedDim == o.embedDim && layers == o.layers && ffnDim == o.ffnDim && selfHeads == o.selfHeads &&
           endeHeads == o.endeHeads && arbitraryEnde == o.arbitraryEnde && experts == o.experts &&
           topK == o.topK && fractionalExperts == o.fractionalExperts;
}

bool SearchSpace::operator==(const SearchSpace& o) const {
    return name == o.name && description == o.description && qkvDim == o.qkvDim && encoder == o.encoder &&
           decoder == o.decoder && pinnedSupernet == o.pinnedSupernet;
}

bool SupernetDims::operator==(const SupernetDims& o) const {
    return embedDim == o.embedDim && encoderEmbedDim == o.encoderEmbedDim &&
           decoderEmbedDim == o.decoderEmbedDim && encoderLayers == o.encoderLayers &&
           decoderLayers == o.decoderLayers && encoderFfnDim == o.encoderFfnDim &&
           decoderFfnDim == o.decoderFfnDim && encoderExperts == o.encoderExperts &&
           decoderExperts == o.decoderExperts && maxHeads == o.maxHeads && qkvDim == o.qkvDim;
}

// ---------------------------------------------------------------------------------------------- counting
namespace {

double log10Sum(double a, double b) { // log10(10^a + 10^b) without overflow
    if (a == -std::numeric_limits<double>::infinity()) return b;
    if (b == -std::numeric_limits<double>::infinity()) return a;
    const double hi = std::max(a, b), lo = std::min(a, b);
    return hi + std::log10(1.0 + std::pow(10.0, lo - hi));
}

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Distinct top-k values once clamped to the expert count.
std::vector<int> distinctTopK(const StackSpace& s, int experts) {
    std::set<int> ks;
    for (int k : s.topK.choices)
        ks.insert(std::max(1, std::min(k, experts)));
    return {ks.begin(), ks.end()};
}

// Distinct arbitrary-attention genes once clamped to the encoder depth.
std::vector<int> distinctArbitrary(const StackSpace& dec, int encoderDepth) {
    std::set<int> genes;
    for (int a : dec.arbitraryEnde.choices)
        genes.insert(geneForAttendedLayers(std::min(attendedLayersForGene(a), encoderDepth)));
    return {genes.begin(), genes.end()};
}

double log10WidthAssignments(const StackSpace& s, int experts) {
    return (s.fractionalExperts ? experts : 1) * std::log10(static_cast<double>(s.ffnDim.size()));
}

// log10 of the number of distinct FFN configurations of one layer with `experts` experts.
double log10Ffn(const StackSpace& s, int experts) {
    return log10WidthAssignments(s, experts) +
           std::log10(static_cast<double>(distinctTopK(s, experts).size()));
}

// log10 of the number of distinct configurations of one layer.
double log10Layer(const StackSpace& s, bool decoder, int encoderDepth) {
    double ffn = kNegInf;
    for (int n : s.experts.choices)
        ffn = log10Sum(ffn, log10Ffn(s, n));
    double v = std::log10(static_cast<double>(s.selfHeads.size())) + ffn;
    if (decoder)
        v += std::log10(static_cast<double>(s.endeHeads.size())) +
             std::log10(static_cast<double>(distinctArbitrary(s, encoderDepth).size()));
    return v;
}

template <class Weights> int pickLog10(const Weights& logWeights, std::mt19937_64& rng) {
    const double top = *std::max_element(logWeights.begin(), logWeights.end());
    std::vector<double> w;
    for (double lw : logWeights)
        w.push_back(std::pow(10.0, lw - top));
    std::discrete_distribution<int> dist(w.begin(), w.end());
    return dist(rng);
}

int pickUniform(const std::vector<int>& values, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::size_t> dist(0, values.size() - 1);
    return values[dist(rng)];
}

bool coin(double p, std::mt19937_64& rng) {
    return std::bernoulli_distribution(p)(rng);
}

// Samples the FFN genes (expert count, widths, top-k) of one layer, uniform over distinct configurations
// (perGene: the expert count uniform on its own, as HAT/AutoMoE's supernet training draws it).
void sampleFfn(const StackSpace& s, LayerGene& l, std::mt19937_64& rng, bool perGene = false) {
    int n = 0;
    if (perGene) {
        n = pickUniform(s.experts.choices, rng);
    } else {
        std::vector<double> logWeights;
        for (int e : s.experts.choices)
            logWeights.push_back(log10Ffn(s, e));
        n = s.experts.choices[pickLog10(logWeights, rng)];
    }
    l.expertWidths.assign(n, pickUniform(s.ffnDim.choices, rng));
    if (s.fractionalExperts)
        for (int& w : l.expertWidths)
            w = pickUniform(s.ffnDim.choices, rng);
    l.topK = pickUniform(distinctTopK(s, n), rng);
}

LayerGene sampleLayer(const StackSpace& s, bool decoder, int encoderDepth, std::mt19937_64& rng,
                      bool perGene = false) {
    LayerGene l;
    l.selfHeads = pickUniform(s.selfHeads.choices, rng);
    if (decoder) {
        l.endeHeads = pickUniform(s.endeHeads.choices, rng);
        l.arbitraryEnde = pickUniform(distinctArbitrary(s, encoderDepth), rng);
    } else {
        l.endeHeads = 0;
        l.arbitraryEnde = 0;
    }
    sampleFfn(s, l, rng, perGene);
    return l;
}

// Resizes a width list to `experts`, keeping the leading slots (expert i is slot i of the supernet).
void repairWidths(const StackSpace& s, LayerGene& l, int experts, std::mt19937_64& rng) {
    if (!s.fractionalExperts) {
        l.expertWidths.assign(experts, l.expertWidths.empty() ? pickUniform(s.ffnDim.choices, rng)
                                                              : l.expertWidths.front());
        return;
    }
    while (static_cast<int>(l.expertWidths.size()) < experts)
        l.expertWidths.push_back(pickUniform(s.ffnDim.choices, rng));
    l.expertWidths.resize(experts);
}

void checkDimension(const Dimension& d, const std::string& field, int minValue) {
    if (d.choices.empty()) throw SpaceError(field, "has no choices");
    if (!std::is_sorted(d.choices.begin(), d.choices.end()) ||
        std::adjacent_find(d.choices.begin(), d.choices.end()) != d.choices.end())
        throw SpaceError(field, "choices must be sorted and distinct");
    if (d.min() < minValue)
        throw SpaceError(field, "value " + std::to_string(d.min()) + " is below the minimum " +
                                    std::to_string(minValue));
}

} // namespace

// ---------------------------------------------------------------------------------------------- SearchSpace

void SearchSpace::validate() const {
    if (qkvDim <= 0) throw SpaceError("qkv_dim", "must be positive, got " + std::to_string(qkvDim));
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = stack(st);
        const std::string p = std::string(stackName(st)) + ".";
        checkDimension(s.embedDim, p + "embed_dim", 1);
        checkDimension(s.layers, p + "layers", 1);
        checkDimension(s.ffnDim, p + "ffn_dim", 1);
        checkDimension(s.selfHeads, p + "heads", 1);
        if (s.experts.choices.empty()) throw SpaceError(p + "experts", "has no choices");
        if (s.experts.min() < 1)
            throw SpaceError(p + "experts",
                             "a layer needs at least one expert, got " + std::to_string(s.experts.min()));
        checkDimension(s.experts, p + "experts", 1);
        checkDimension(s.topK, p + "top_k", 1);
        if (s.topK.min() > s.experts.max())
            throw SpaceError(p + "top_k", "routes " + std::to_string(s.topK.min()) +
                                              " experts per token but layers have at most " +
                                              std::to_string(s.experts.max()));
        auto checkHeads = [&](const Dimension& heads, const std::string& field) {
            for (int h : heads.choices)
                if (qkvDim % h != 0)
                    throw SpaceError(field, std::to_string(h) + " heads do not divide qkv_dim " +
                                                std::to_string(qkvDim));
        };
        checkHeads(s.selfHeads, p + "heads");
        if (st == Stack::Decoder) {
            checkDimension(s.endeHeads, p + "ende_heads", 1);
            checkHeads(s.endeHeads, p + "ende_heads");
            if (s.arbitraryEnde.choices.empty()) throw SpaceError(p + "arbitrary_ende", "has no choices");
            for (int a : s.arbitraryEnde.choices)
                if (a != -1 && a != 1 && a != 2)
                    throw SpaceError(
                        p + "arbitrary_ende",
                        "values are -1 (last encoder layer), 1 (last two) or 2 (last three); got " +
                            std::to_string(a));
        }
    }
    if (pinnedSupernet) {
        const SupernetDims& sn = *pinnedSupernet;
        auto within = [](int value, int limit, const std::string& field, const std::string& what) {
            if (value > limit)
                throw SpaceError(field, what + " " + std::to_string(value) + " exceeds the supernet's " +
                                            std::to_string(limit));
        };
        within(encoder.embedDim.max(), sn.encoderEmbedDim, "encoder.embed_dim", "embedding width");
        within(decoder.embedDim.max(), sn.decoderEmbedDim, "decoder.embed_dim", "embedding width");
        within(encoder.layers.max(), sn.encoderLayers, "encoder.layers", "depth");
        within(decoder.layers.max(), sn.decoderLayers, "decoder.layers", "depth");
        within(encoder.ffnDim.max(), sn.encoderFfnDim, "encoder.ffn_dim", "expert width");
        within(decoder.ffnDim.max(), sn.decoderFfnDim, "decoder.ffn_dim", "expert width");
        within(encoder.experts.max(), sn.encoderExperts, "encoder.experts", "expert count");
        within(decoder.experts.max(), sn.decoderExperts, "decoder.experts", "expert count");
        if (sn.qkvDim != qkvDim)
            throw SpaceError("qkv_dim", std::to_string(qkvDim) + " differs from the supernet's " +
                                            std::to_string(sn.qkvDim));
    }
}

SupernetDims SearchSpace::supernet() const {
    if (pinnedSupernet) return *pinnedSupernet;
    SupernetDims d;
    d.encoderEmbedDim = encoder.embedDim.max();
    d.decoderEmbedDim = decoder.embedDim.max();
    d.embedDim = std::max(d.encoderEmbedDim, d.decoderEmbedDim);
    d.encoderLayers = encoder.layers.max();
    d.decoderLayers = decoder.layers.max();
    d.encoderFfnDim = encoder.ffnDim.max();
    d.decoderFfnDim = decoder.ffnDim.max();
    d.encoderExperts = encoder.experts.max();
    d.decoderExperts = decoder.experts.max();
    d.maxHeads = std::max({encoder.selfHeads.max(), decoder.selfHeads.max(), decoder.endeHeads.max()});
    d.qkvDim = qkvDim;
    return d;
}

bool SearchSpace::contains(const Architecture& archIn, std::string* why) const {
    auto fail = [&](const std::string& msg) {
        if (why) *why = msg;
        return false;
    };
    const Architecture arch = archIn.canonical();
    if (arch.qkvDim != qkvDim)
        return fail("qkv_dim " + std::to_string(arch.qkvDim) + " is not the space's " +
                    std::to_string(qkvDim));
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = stack(st);
        const StackGene& g = arch.stack(st);
        const std::string p = stackName(st);
        if (!s.embedDim.contains(g.embedDim))
            return fail(p + ".embed_dim " + std::to_string(g.embedDim) + " is not a choice");
        if (!s.layers.contains(g.depth()))
            return fail(p + ".layers " + std::to_string(g.depth()) + " is not a choice");
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[i];
            const std::string lp = p + " layer " + std::to_string(i + 1) + ": ";
            if (!s.selfHeads.contains(l.selfHeads))
                return fail(lp + "heads " + std::to_string(l.selfHeads) + " is not a choice");
            if (!s.experts.contains(l.experts()))
                return fail(lp + std::to_string(l.experts()) + " experts is not a choice");
            for (int w : l.expertWidths)
                if (!s.ffnDim.contains(w))
                    return fail(lp + "expert width " + std::to_string(w) + " is not a choice");
            if (!s.fractionalExperts && std::adjacent_find(l.expertWidths.begin(), l.expertWidths.end(),
                                                           std::not_equal_to<>()) != l.expertWidths.end())
                return fail(lp + "experts of different widths in a space without fractional experts");
            const auto ks = distinctTopK(s, l.experts());
            if (!std::binary_search(ks.begin(), ks.end(), l.topK))
                return fail(lp + "top-k " + std::to_string(l.topK) + " is not a choice");
            if (st == Stack::Decoder) {
                if (!s.endeHeads.contains(l.endeHeads))
                    return fail(lp + "encoder-decoder heads " + std::to_string(l.endeHeads) +
                                " is not a choice");
                const auto as = distinctArbitrary(s, arch.encoder.depth());
                if (!std::binary_search(as.begin(), as.end(), l.arbitraryEnde))
                    return fail(lp + "arbitrary attention " + std::to_string(l.arbitraryEnde) +
                                " is not a choice");
            }
        }
    }
    return true;
}

bool SearchSpace::containsSpace(const SearchSpace& inner, std::string* why) const {
    auto fail = [&](const std::string& msg) {
        if (why) *why = msg;
        return false;
    };
    if (inner.qkvDim != qkvDim) return fail("qkv_dim differs");
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& o = stack(st);
        const StackSpace& i = inner.stack(st);
        const std::string p = std::string(stackName(st)) + ".";
        auto subset = [&](const Dimension& in, const Dimension& out, const char* field) {
            for (int v : in.choices)
                if (!out.contains(v)) {
                    if (why)
                        *why = p + field + ": " + std::to_string(v) + " lies outside the supernet's space";
                    return false;
                }
            return true;
        };
        if (!subset(i.embedDim, o.embedDim, "embed_dim") || !subset(i.layers, o.layers, "layers") ||
            !subset(i.ffnDim, o.ffnDim, "ffn_dim") || !subset(i.selfHeads, o.selfHeads, "heads") ||
            !subset(i.experts, o.experts, "experts") || !subset(i.topK, o.topK, "top_k"))
            return false;
        if (st == Stack::Decoder && (!subset(i.endeHeads, o.endeHeads, "ende_heads") ||
                                     !subset(i.arbitraryEnde, o.arbitraryEnde, "arbitrary_ende")))
            return false;
        if (i.fractionalExperts && !o.fractionalExperts)
            return fail(p + "fractional_experts not in the supernet");
    }
    return true;
}

double SearchSpace::log10Size() const {
    double total = kNegInf;
    for (int le : encoder.layers.choices) {
        const double enc =
            std::log10(static_cast<double>(encoder.embedDim.size())) + le * log10Layer(encoder, false, le);
        const double decLayer = log10Layer(decoder, true, le);
        double dec = kNegInf;
        for (int ld : decoder.layers.choices)
            dec = log10Sum(dec, ld * decLayer);
        dec += std::log10(static_cast<double>(decoder.embedDim.size()));
        total = log10Sum(total, enc + dec);
    }
    return total;
}

namespace {
Architecture corner(const SearchSpace& space, bool largest) {
    auto pick = [largest](const Dimension& d) { return largest ? d.max() : d.min(); };
    Architecture a;
    a.qkvDim = space.qkvDim;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = space.stack(st);
        StackGene& g = a.stack(st);
        g.embedDim = pick(s.embedDim);
        LayerGene l;
        l.selfHeads = pick(s.selfHeads);
        l.endeHeads = st == Stack::Decoder ? pick(s.endeHeads) : 0;
        l.arbitraryEnde = st == Stack::Decoder ? pick(s.arbitraryEnde) : 0;
        l.expertWidths.assign(pick(s.experts), pick(s.ffnDim));
        l.topK = pick(s.topK);
        g.layers.assign(pick(s.layers), l);
    }
    return a.canonical();
}
} // namespace

Architecture SearchSpace::smallest() const {
    return corner(*this, false);
}
Architecture SearchSpace::largest() const {
    return corner(*this, true);
}

Architecture SearchSpace::sample(std::mt19937_64& rng) const {
    // Depths are drawn with weight equal to the number of architectures they hold, so that the draw is
    // uniform over distinct architectures, not over depths.
    std::vector<double> encWeights;
    std::vector<std::vector<double>> decWeights;
    for (int le : encoder.layers.choices) {
        const double decLayer = log10Layer(decoder, true, le);
        std::vector<double> perLd;
        double dec = kNegInf;
        for (int ld : decoder.layers.choices) {
            perLd.push_back(ld * decLayer);
            dec = log10Sum(dec, ld * decLayer);
        }
        decWeights.push_back(perLd);
        encWeights.push_back(le * log10Layer(encoder, false, le) + dec);
    }
    const int ei = pickLog10(encWeights, rng);
    const int le = encoder.layers.choices[ei];
    const int ld = decoder.layers.choices[pickLog10(decWeights[ei], rng)];

    Architecture a;
    a.qkvDim = qkvDim;
    a.encoder.embedDim = pickUniform(encoder.embedDim.choices, rng);
    for (int i = 0; i < le; ++i)
        a.encoder.layers.push_back(sampleLayer(encoder, false, le, rng));
    a.decoder.embedDim = pickUniform(decoder.embedDim.choices, rng);
    for (int i = 0; i < ld; ++i)
        a.decoder.layers.push_back(sampleLayer(decoder, true, le, rng));
    return a.canonical();
}

Architecture SearchSpace::sampleGenes(std::mt19937_64& rng) const {
    Architecture a;
    a.qkvDim = qkvDim;
    const int le = pickUniform(encoder.layers.choices, rng);
    const int ld = pickUniform(decoder.layers.choices, rng);
    a.encoder.embedDim = pickUniform(encoder.embedDim.choices, rng);
    for (int i = 0; i < le; ++i)
        a.encoder.layers.push_back(sampleLayer(encoder, false, le, rng, true));
    a.decoder.embedDim = pickUniform(decoder.embedDim.choices, rng);
    for (int i = 0; i < ld; ++i)
        a.decoder.layers.push_back(sampleLayer(decoder, true, le, rng, true));
    return a.canonical();
}

Architecture SearchSpace::mutate(const Architecture& parent, double prob, std::mt19937_64& rng) const {
    Architecture a = parent.canonical();
    // Depths first: the encoder depth bounds the decoder's arbitrary-attention genes.
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = stack(st);
        StackGene& g = a.stack(st);
        if (coin(prob, rng)) g.embedDim = pickUniform(s.embedDim.choices, rng);
        if (coin(prob, rng)) {
            const int depth = pickUniform(s.layers.choices, rng);
            while (g.depth() < depth)
                g.layers.push_back(sampleLayer(s, st == Stack::Decoder, a.encoder.depth(), rng));
            g.layers.resize(depth);
        }
    }
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = stack(st);
        for (LayerGene& l : a.stack(st).layers) {
            if (coin(prob, rng)) l.selfHeads = pickUniform(s.selfHeads.choices, rng);
            if (st == Stack::Decoder) {
                if (coin(prob, rng)) l.endeHeads = pickUniform(s.endeHeads.choices, rng);
                if (coin(prob, rng))
                    l.arbitraryEnde = pickUniform(distinctArbitrary(s, a.encoder.depth()), rng);
            }
            if (coin(prob, rng)) repairWidths(s, l, pickUniform(s.experts.choices, rng), rng);
            if (s.fractionalExperts) {
                for (int& w : l.expertWidths)
                    if (coin(prob, rng)) w = pickUniform(s.ffnDim.choices, rng);
            } else if (coin(prob, rng)) {
                l.expertWidths.assign(l.experts(), pickUniform(s.ffnDim.choices, rng));
            }
            if (coin(prob, rng)) l.topK = pickUniform(distinctTopK(s, l.experts()), rng);
        }
    }
    return a.canonical();
}

Architecture SearchSpace::crossover(const Architecture& pa, const Architecture& pb,
                                    std::mt19937_64& rng) const {
    const Architecture x = pa.canonical(), y = pb.canonical();
    auto either = [&rng](const auto& u, const auto& v) { return coin(0.5, rng) ? u : v; };
    Architecture c;
    c.qkvDim = qkvDim;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackSpace& s = stack(st);
        const StackGene& gx = x.stack(st);
        const StackGene& gy = y.stack(st);
        StackGene& g = c.stack(st);
        g.embedDim = either(gx.embedDim, gy.embedDim);
        const int depth = either(gx.depth(), gy.depth());
        for (int i = 0; i < depth; ++i) {
            const bool hx = i < gx.depth(), hy = i < gy.depth();
            if (!(hx && hy)) {
                g.layers.push_back(hx ? gx.layers[i] : gy.layers[i]);
                continue;
            }
            const LayerGene& lx = gx.layers[i];
            const LayerGene& ly = gy.layers[i];
            LayerGene l;
            l.selfHeads = either(lx.selfHeads, ly.selfHeads);
            l.endeHeads = either(lx.endeHeads, ly.endeHeads);
            l.arbitraryEnde = either(lx.arbitraryEnde, ly.arbitraryEnde);
            const int n = either(lx.experts(), ly.experts());
            l.expertWidths.clear();
            if (s.fractionalExperts) {
                // Each slot's width comes from a parent that has that slot.
                for (int e = 0; e < n; ++e) {
                    const bool sx = e < lx.experts(), sy = e < ly.experts();
                    l.expertWidths.push_back(sx && sy ? either(lx.expertWidths[e], ly.expertWidths[e])
                                                      : (sx ? lx.expertWidths[e] : ly.expertWidths[e]));
                }
            } else {
                l.expertWidths.assign(n, either(lx.expertWidths.front(), ly.expertWidths.front()));
            }
            l.topK = either(lx.topK, ly.topK);
            g.layers.push_back(l);
        }
    }
    // Re-draw genes made meaningless by the new depths (arbitrary attention beyond the encoder).
    return c.canonical();
}

} // namespace automoe
