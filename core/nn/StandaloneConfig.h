// The configuration of a StandaloneTransformer and its JSON form: the "config" entry of an exported model
// file (StandaloneTransformer::save / load). Torch-free (automoe_base), so that the loader and the fuzz
// target tests/fuzz/fuzz_model_config share one reader; a file's config is checked completely here, field
// by field, before the loader allocates any tensor.
#pragma once

#include "space/Architecture.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace automoe {

struct StandaloneTransformerConfig {
    int64_t vocabSize = 0;
    int64_t padIndex = 1;
    Architecture arch;
    // Rates used as they are (the supernet scales its rates to the sampled width; fromSupernet copies the
    // scaled ones).
    double encoderDropout = 0.0;
    double decoderDropout = 0.0;
    double attentionDropout = 0.0;
    double capacityFactor = 1.0; // as SuperTransformerConfig
    bool dropTokens = false;
};

// Limits of a config, far above any model this workbench trains on a CPU: a damaged or hostile file is
// refused by them before it allocates gigabytes (and the parameter count of a config within them fits
// int64 with room to spare).
constexpr int64_t kStandaloneMaxVocab = int64_t(1) << 24; // tokens
constexpr int kStandaloneMaxWidth = 1 << 16;              // qkv, embedding and expert widths
constexpr int kStandaloneMaxLayers = 256;                 // layers of one stack (experts: kMaxLayerExperts)
constexpr int64_t kStandaloneMaxParameters = int64_t(1) << 31; // 8 GiB of float32 weights
constexpr double kStandaloneMaxCapacityFactor = 1024.0;

nlohmann::json standaloneConfigToJson(const StandaloneTransformerConfig& config);

// The config's JSON object. Throws std::invalid_argument "config.<field>: <problem>" naming the field that
// is missing, of the wrong type (an integer field given 2.5, a number given "x"), out of range or
// inconsistent with the architecture (see validateStandaloneConfig); architecture fields are named as
// "config.architecture.encoder.layers[0].heads". Keys the writer does not write are ignored.
StandaloneTransformerConfig standaloneConfigFromJson(const nlohmann::json& j);
// The same from the entry's text; invalid JSON is std::invalid_argument "config: invalid JSON: ...".
StandaloneTransformerConfig parseStandaloneConfig(const std::string& text);

// Throws std::invalid_argument "config.<field>: <problem>" when a model of this config cannot be built or
// would exceed the limits above: vocabulary size, pad index inside the vocabulary, rates in [0, 1],
// capacity factor, widths, layer counts, heads that must divide qkv_dim, experts and top-k, and the total
// parameter count. standaloneConfigFromJson and the StandaloneTransformer constructor call it.
void validateStandaloneConfig(const StandaloneTransformerConfig& config);

// Parameters of the model a valid config builds, the embedding table (= tied output layer) included:
// CostModel's paramsTotal, equal to StandaloneTransformer::parameterCount().
int64_t standaloneParameterCount(const StandaloneTransformerConfig& config);

} // namespace automoe
