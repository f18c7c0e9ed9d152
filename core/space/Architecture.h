// An Architecture is one point of a heterogeneous MoE search space: a concrete encoder-decoder
// Transformer (a "SubTransformer") with, per layer, its attention heads and the widths of its experts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

enum class Stack { Encoder, Decoder };
const char* stackName(Stack s);

// One Transformer layer. Its FFN is a list of experts: expert i uses slot i of the supernet layer and
// has its own width (fractional experts). One expert = a dense FFN, no router.
struct LayerGene {
    int selfHeads = 8;
    int endeHeads = 8;             // decoder only: encoder-decoder attention heads
    int arbitraryEnde = -1;        // decoder only: -1 = last encoder layer, 1 = last two, 2 = last three
    std::vector<int> expertWidths; // size = number of experts (>= 1 in a valid architecture)
    int topK = 1;                  // experts routed per token (1 <= topK <= experts)

    int experts() const { return static_cast<int>(expertWidths.size()); }
    int maxWidth() const;
    bool operator==(const LayerGene& o) const;
    bool operator!=(const LayerGene& o) const { return !(*this == o); }
};

struct StackGene {
    int embedDim = 512;
    std::vector<LayerGene> layers; // only the active layers; depth = layers.size()

    int depth() const { return static_cast<int>(layers.size()); }
    bool operator==(const StackGene& o) const { return embedDim == o.embedDim && layers == o.layers; }
};

struct Architecture {
    StackGene encoder;
    StackGene decoder;
    int qkvDim = 512; // HAT convention: Q/K/V width fixed, heads change the head size

    const StackGene& stack(Stack s) const { return s == Stack::Encoder ? encoder : decoder; }
    StackGene& stack(Stack s) { return s == Stack::Encoder ? encoder : decoder; }

    // Number of encoder layers a decoder layer attends to (arbitrary encoder-decoder attention),
    // clamped to the encoder depth.
    int attendedEncoderLayers(const LayerGene& decoderLayer) const;

    // True when any layer routes between more than one expert.
    bool isMoE() const;

    // The canonical form: top-k clamped to the expert count, arbitrary attention clamped to the encoder
    // depth, encoder-only genes reset. Two architectures that build the same network have one canonical form.
    Architecture canonical() const;
    // A compact, stable text of the canonical form, e.g.
    // "q512|E512:8/3072,4/2048x1024k1|D512:8.8.-1/3072". Equal architectures give equal keys.
    std::string key() const;
    std::uint64_t hash() const; // 64-bit FNV-1a of key()

    bool operator==(const Architecture& o) const;
    bool operator!=(const Architecture& o) const { return !(*this == o); }
};

// Number of encoder layers attended for an arbitrary-attention gene value (-1 -> 1, 1 -> 2, 2 -> 3).
int attendedLayersForGene(int arbitraryEnde);
// Inverse of attendedLayersForGene (1 -> -1, n -> n - 1).
int geneForAttendedLayers(int layers);

} // namespace automoe
