// Fuzz target: the config of an exported standalone model (the "config" entry StandaloneTransformer::save
// writes and load reads, nn/StandaloneConfig's parseStandaloneConfig). Only std::invalid_argument naming a
// config field is accepted as an error. An accepted config must pass validateStandaloneConfig (what the
// model's constructor checks), stay within the limits that keep a file from allocating absurd memory, and
// round-trip exactly through standaloneConfigToJson.
#include "FuzzSupport.h"

#include "nn/StandaloneConfig.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

using namespace automoe;

namespace {

bool sameConfig(const StandaloneTransformerConfig& a, const StandaloneTransformerConfig& b) {
    return a.vocabSize == b.vocabSize && a.padIndex == b.padIndex && a.arch == b.arch &&
           a.encoderDropout == b.encoderDropout && a.decoderDropout == b.decoderDropout &&
           a.attentionDropout == b.attentionDropout && a.capacityFactor == b.capacityFactor &&
           a.dropTokens == b.dropTokens;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    StandaloneTransformerConfig config;
    try {
        config = parseStandaloneConfig(fuzz::text(data, size));
    } catch (const std::invalid_argument& e) {
        if (std::strncmp(e.what(), "config", 6) != 0)
            fuzz::fuzzFail("fuzz_model_config", std::string("error does not name the config: ") + e.what());
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_model_config",
                       std::string("parseStandaloneConfig threw a non-invalid_argument: ") + e.what());
    }
    try {
        validateStandaloneConfig(config);
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_model_config", std::string("an accepted config does not validate: ") + e.what());
    }
    const int64_t params = standaloneParameterCount(config);
    const int64_t width = std::max(config.arch.encoder.embedDim, config.arch.decoder.embedDim);
    if (params < config.vocabSize * width || params > kStandaloneMaxParameters)
        fuzz::fuzzFail("fuzz_model_config", "parameter count " + std::to_string(params) +
                                                " below the embedding table or above the limit");
    const nlohmann::json out = standaloneConfigToJson(config);
    StandaloneTransformerConfig again;
    try {
        again = parseStandaloneConfig(out.dump());
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_model_config", std::string("standaloneConfigToJson's output does not load: ") +
                                                e.what() + "\n" + out.dump());
    }
    if (!sameConfig(again, config))
        fuzz::fuzzFail("fuzz_model_config", "JSON round trip changed the config: " + out.dump());
    return 0;
}
