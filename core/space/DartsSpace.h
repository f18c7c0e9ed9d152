// DARTSformer's search space file (issue 13, in progress): which candidate operations the mixed edges of the
// encoder's and the decoder's reversible layers choose from. Torch-free, so that the app and the CLI read and
// validate it without LibTorch. The operations themselves are nn/DartsOps.
//
//   {
//     "format": "automoe-darts-space", "version": 1, "name": "darts", "description": "...",
//     "encoder": {"candidates": ["conv3", "lightconv7", "self_attention", "ffn", "zero", "identity", ...]},
//     "decoder": {"candidates": ["conv3", "dynconv7", "self_attention", "ende_attention", "glu", ...]}
//   }
//
// Names (see nn/DartsOps.h): conv{k}, lightconv{k}, dynconv{k} with an odd k, self_attention,
// ende_attention (decoder only), glu, ffn, zero, identity. Errors name the file and the field, e.g.
// `darts.json: encoder.candidates[2]: unknown DARTS operation 'conv4x'`.
#pragma once

#include <string>
#include <vector>

namespace automoe {

enum class DartsOpKind {
    Conv,
    LightConv,
    DynamicConv,
    SelfAttention,
    EncoderAttention,
    Glu,
    Ffn,
    Zero,
    Identity
};

struct DartsOpSpec {
    DartsOpKind kind = DartsOpKind::Identity;
    int kernel = 0; // convolutions only

    // "conv7", "lightconv15", "self_attention", ... Throws std::invalid_argument naming the text.
    static DartsOpSpec parse(const std::string& name);
    std::string name() const;
    bool operator==(const DartsOpSpec& o) const { return kind == o.kind && kernel == o.kernel; }
};

struct DartsSpace {
    static constexpr int kFormatVersion = 1;
    std::string name, description;
    std::vector<DartsOpSpec> encoder, decoder; // candidates per mixed edge

    // The candidate list: convolutions w in {3, 5, 7, 11}, lightweight and dynamic w in {3, 7, 11,
    // 15}, self-attention, GLU, FFN, zero, identity; the decoder's also encoder-decoder attention.
    static DartsSpace standard();
};

// Throws SpaceError naming the field; parse errors of the text name the file as `source`.
DartsSpace parseDartsSpace(const std::string& json, const std::string& source);
DartsSpace loadDartsSpace(const std::string& path);
// A bundled name ("darts") or a path.
DartsSpace loadDartsSpaceByNameOrPath(const std::string& nameOrPath);
std::string dartsSpaceToJson(const DartsSpace& space);

} // namespace automoe
