// A SearchSpace is the set of architectures AutoMoE explores: per stack, the choices for embedding
// width, depth, and per layer heads, arbitrary encoder-decoder attention, expert count, expert widths and
// top-k. Its largest values define the supernet; see docs in resources/spaces/README.md for the JSON form.
#pragma once

#include "space/Architecture.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace automoe {

// One searchable dimension: a sorted, duplicate-free set of integer choices. `isRange` records that the
// file gave it as {"min": a, "max": b} (every integer in between), so that it is written back that way.
struct Dimension {
    std::vector<int> choices;
    bool isRange = false;

    int min() const { return choices.front(); }
    int max() const { return choices.back(); }
    int size() const { return static_cast<int>(choices.size()); }
    bool contains(int v) const;
    static Dimension range(int lo, int hi);
    static Dimension of(std::vector<int> values);
    bool operator==(const Dimension& o) const { return choices == o.choices && isRange == o.isRange; }
};

struct StackSpace {
    Dimension embedDim;
    Dimension layers;
    Dimension ffnDim; // widths an expert may take
    Dimension selfHeads;
    Dimension endeHeads;     // decoder only
    Dimension arbitraryEnde; // decoder only, values in {-1, 1, 2}
    Dimension experts;       // experts per layer (1 = dense)
    Dimension topK;          // experts routed per token
    // true: each expert of a layer draws its own width; false: all experts of a layer share one width.
    bool fractionalExperts = true;

    bool operator==(const StackSpace& o) const;
};

// The supernet that holds every architecture of a space (the maxima of its dimensions).
struct SupernetDims {
    int embedDim = 0; // shared embedding table width (max over both stacks)
    int encoderEmbedDim = 0;
    int decoderEmbedDim = 0;
    int encoderLayers = 0;
    int decoderLayers = 0;
    int encoderFfnDim = 0;
    int decoderFfnDim = 0;
    int encoderExperts = 0;
    int decoderExperts = 0;
    int maxHeads = 0;
    int qkvDim = 0;

    bool operator==(const SupernetDims& o) const;
};

class SearchSpace {
public:
    std::string name = "unnamed";
    std::string description;
    int qkvDim = 512;
    StackSpace encoder;
    StackSpace decoder;
    // Set once a supernet has been built from a space: the space may then only narrow inside it.
    std::optional<SupernetDims> pinnedSupernet;

    const StackSpace& stack(Stack s) const { return s == Stack::Encoder ? encoder : decoder; }
    StackSpace& stack(Stack s) { return s == Stack::Encoder ? encoder : decoder; }

    // Throws SpaceError naming the field ("encoder.layers", "decoder.experts", ...) of the first problem.
    void validate() const;
    SupernetDims supernet() const;

    // True when `arch` lies in this space (every gene is one of its choices). With `why`, the first
    // offending gene is described.
    bool contains(const Architecture& arch, std::string* why = nullptr) const;
    // True when every architecture of `inner` is also in this space (used to narrow a trained supernet).
    bool containsSpace(const SearchSpace& inner, std::string* why = nullptr) const;

    // log10 of the exact number of distinct (canonical) architectures.
    double log10Size() const;

    // The corner architectures: every gene at its smallest / largest choice. Params and FLOPs are
    // monotone in every gene, so these are the cheapest and the most expensive architectures.
    Architecture smallest() const;
    Architecture largest() const;

    // Uniform over distinct canonical architectures of the space.
    Architecture sample(std::mt19937_64& rng) const;
    // HAT/AutoMoE's supernet-training draw: every gene uniform on its own (depth, then each layer's heads,
    // expert count, widths, top-k). Uniform over architectures would almost never train a shallow or a
    // dense layer (a 3-layer decoder of the tiny space holds ~10^6 times more architectures than a
    // 1-layer one), leaving the small end of the supernet untrained.
    Architecture sampleGenes(std::mt19937_64& rng) const;
    // Each gene resampled with probability `prob`; width lists are repaired to the new expert count.
    Architecture mutate(const Architecture& parent, double prob, std::mt19937_64& rng) const;
    // Each gene taken from either parent with probability 1/2; width lists follow their expert count.
    Architecture crossover(const Architecture& a, const Architecture& b, std::mt19937_64& rng) const;

    bool operator==(const SearchSpace& o) const;
};

} // namespace automoe
