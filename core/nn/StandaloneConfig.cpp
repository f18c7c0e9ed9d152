#include "nn/StandaloneConfig.h"

#include "cost/CostModel.h"
#include "space/ArchitectureIO.h"
#include "space/ArchitectureLimits.h"
#include "space/SpaceError.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using nlohmann::json;

namespace automoe {
namespace {

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
    throw std::invalid_argument("config" + (field.empty() ? std::string() : "." + field) + ": " + problem);
}

// A value for a message: scalars as JSON text (cut at 40 characters), lists and objects by their type (a
// deeply nested value is not dumped recursively).
std::string shown(const json& v) {
    if (v.is_structured()) return std::string("a JSON ") + v.type_name();
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return s;
}

std::string num(double v) {
    return std::isfinite(v) ? json(v).dump() : std::to_string(v); // JSON has no nan or inf
}

const json& required(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) fail(key, "missing");
    return *it;
}

int64_t intField(const json& j, const char* key) {
    const json& v = required(j, key);
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + shown(v));
    // get<int64_t>() would wrap 18446744073709551615 to -1.
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<int64_t>::max()))
        fail(key, "integer " + v.dump() + " is out of range");
    return v.get<int64_t>();
}

double numberField(const json& j, const char* key) {
    const json& v = required(j, key);
    if (!v.is_number()) fail(key, "expected a number, got " + shown(v));
    return v.get<double>();
}

bool boolField(const json& j, const char* key) {
    const json& v = required(j, key);
    if (!v.is_boolean()) fail(key, "expected true or false, got " + shown(v));
    return v.get<bool>();
}

void checkRate(double rate, const char* field) {
    if (!(rate >= 0.0 && rate <= 1.0)) fail(field, "must be between 0 and 1, got " + num(rate));
}

void checkWidth(int64_t width, const std::string& field) {
    if (width < 1 || width > kStandaloneMaxWidth)
        fail(field, "must be between 1 and " + std::to_string(kStandaloneMaxWidth) + ", got " +
                        std::to_string(width));
}

void checkHeads(int heads, int qkvDim, const std::string& field) {
    if (heads < 1) fail(field, "must be positive, got " + std::to_string(heads));
    if (qkvDim % heads != 0)
        fail(field, std::to_string(heads) + " heads do not divide qkv_dim " + std::to_string(qkvDim));
}

} // namespace

json standaloneConfigToJson(const StandaloneTransformerConfig& c) {
    return {{"vocab_size", c.vocabSize},
            {"pad_index", c.padIndex},
            {"architecture", architectureToJson(c.arch)},
            {"encoder_dropout", c.encoderDropout},
            {"decoder_dropout", c.decoderDropout},
            {"attention_dropout", c.attentionDropout},
            {"capacity_factor", c.capacityFactor},
            {"drop_tokens", c.dropTokens}};
}

StandaloneTransformerConfig standaloneConfigFromJson(const json& j) {
    if (!j.is_object()) fail("", "expected a JSON object, got " + shown(j));
    StandaloneTransformerConfig c;
    c.vocabSize = intField(j, "vocab_size");
    c.padIndex = intField(j, "pad_index");
    c.encoderDropout = numberField(j, "encoder_dropout");
    c.decoderDropout = numberField(j, "decoder_dropout");
    c.attentionDropout = numberField(j, "attention_dropout");
    c.capacityFactor = numberField(j, "capacity_factor");
    c.dropTokens = boolField(j, "drop_tokens");
    try {
        c.arch = architectureFromJson(required(j, "architecture"));
    } catch (const SpaceError& e) {
        fail(e.field().empty() ? "architecture" : "architecture." + e.field(), e.message());
    }
    validateStandaloneConfig(c);
    return c;
}

StandaloneTransformerConfig parseStandaloneConfig(const std::string& text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range 406 for a number too large for a double ("1E400")
        fail("", std::string("invalid JSON: ") + e.what());
    }
    return standaloneConfigFromJson(j);
}

void validateStandaloneConfig(const StandaloneTransformerConfig& c) {
    if (c.vocabSize < 1 || c.vocabSize > kStandaloneMaxVocab)
        fail("vocab_size", "must be between 1 and " + std::to_string(kStandaloneMaxVocab) + ", got " +
                               std::to_string(c.vocabSize));
    if (c.padIndex < 0 || c.padIndex >= c.vocabSize)
        fail("pad_index", std::to_string(c.padIndex) + " is outside the vocabulary of " +
                              std::to_string(c.vocabSize) + " tokens");
    checkRate(c.encoderDropout, "encoder_dropout");
    checkRate(c.decoderDropout, "decoder_dropout");
    checkRate(c.attentionDropout, "attention_dropout");
    // expertCapacity() converts capacity x tokens to an integer: a huge factor would overflow it.
    if (!(c.capacityFactor >= 0.0 && c.capacityFactor <= kStandaloneMaxCapacityFactor))
        fail("capacity_factor", "must be between 0 and " +
                                    std::to_string(int64_t(kStandaloneMaxCapacityFactor)) + ", got " +
                                    num(c.capacityFactor));

    const Architecture& a = c.arch;
    checkWidth(a.qkvDim, "architecture.qkv_dim");
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const bool enc = s == Stack::Encoder;
        const StackGene& g = a.stack(s);
        const std::string p = std::string("architecture.") + stackName(s) + ".";
        checkWidth(g.embedDim, p + "embed_dim");
        if (g.depth() < 1) fail(p + "layers", "no layers");
        if (g.depth() > kStandaloneMaxLayers)
            fail(p + "layers",
                 std::to_string(g.depth()) + " layers, at most " + std::to_string(kStandaloneMaxLayers));
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[size_t(i)];
            const std::string lp = p + "layers[" + std::to_string(i) + "].";
            checkHeads(l.selfHeads, a.qkvDim, lp + "heads");
            if (!enc) checkHeads(l.endeHeads, a.qkvDim, lp + "ende_heads");
            if (l.experts() < 1) fail(lp + "experts", "a layer needs at least one expert");
            if (l.experts() > kMaxLayerExperts)
                fail(lp + "experts",
                     std::to_string(l.experts()) + " experts, at most " + std::to_string(kMaxLayerExperts));
            for (int e = 0; e < l.experts(); ++e)
                checkWidth(l.expertWidths[size_t(e)], lp + "experts[" + std::to_string(e) + "]");
            if (l.topK < 1) fail(lp + "top_k", "must be positive, got " + std::to_string(l.topK));
        }
    }
    // Within the limits above the count cannot overflow (at most about 2^56).
    const int64_t params = standaloneParameterCount(c);
    if (params > kStandaloneMaxParameters)
        fail("", "the model would have " + std::to_string(params) + " parameters, more than " +
                     std::to_string(kStandaloneMaxParameters) + " (8 GiB of float32 weights)");
}

int64_t standaloneParameterCount(const StandaloneTransformerConfig& c) {
    CostOptions options;
    options.vocabSize = static_cast<int>(c.vocabSize);
    return CostModel::evaluate(c.arch, options).paramsTotal;
}

} // namespace automoe
