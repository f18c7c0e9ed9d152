// Reading and writing search spaces as JSON (format documented in resources/spaces/README.md).
// Every error names the file and the field, e.g. "tiny.json: encoder.layers: min 4 is greater than max 2".
#pragma once

#include "space/SearchSpace.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace automoe {

SearchSpace spaceFromJson(const nlohmann::json& j);
nlohmann::json spaceToJson(const SearchSpace& space);

SearchSpace parseSpace(const std::string& text, const std::string& source = "<text>");
SearchSpace loadSpace(const std::string& path);
void saveSpace(const SearchSpace& space, const std::string& path);

// A bundled space by name ("tiny", "automoe-wmt") or a path to a JSON file.
SearchSpace loadSpaceByNameOrPath(const std::string& nameOrPath);

// Shared by the space files (this one, DartsSpace): the JSON of `text`, a parse error thrown as a SpaceError
// naming `source`; and the file a name stands for: `nameOrPath` itself when it is a path (exists, or has a
// '/' or ".json"), else the bundled resources/<folder>/<nameOrPath>.json.
nlohmann::json parseSpaceJson(const std::string& text, const std::string& source);
std::string bundledOrPath(const std::string& nameOrPath, const std::string& folder);

} // namespace automoe
