// Reading and writing architectures: HAT/AutoMoE SubTransformer yml files (read by HAT's and AutoMoE's
// train.py) and our JSON form. Round trips are exact; a HAT yml without MoE keys is a dense architecture.
#pragma once

#include "space/Architecture.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace automoe {

nlohmann::json architectureToJson(const Architecture& arch);
Architecture architectureFromJson(const nlohmann::json& j);

// `defaultQkvDim` is used when the yml has no `qkv-dim` key (HAT keeps it in common.yml; its value is 512).
Architecture parseHatYaml(const std::string& text, const std::string& source = "<text>",
                          int defaultQkvDim = 512);
std::string toHatYaml(const Architecture& arch);

// Our JSON form from a file's text (what loadArchitecture does for a .json file); errors name `source`.
Architecture parseArchitectureJson(const std::string& text, const std::string& source = "<text>");

// By extension: .yml/.yaml -> HAT yml, .json -> JSON. Errors name the file and the key or line.
Architecture loadArchitecture(const std::string& path, int defaultQkvDim = 512);
void saveArchitecture(const Architecture& arch, const std::string& path);

} // namespace automoe
