// Fuzz target: a search space file (parseSpace: JSON, then spaceFromJson). An accepted space must
// round-trip exactly through spaceToJson.
#include "FuzzSupport.h"

#include "space/SpaceError.h"
#include "space/SpaceIO.h"

#include <nlohmann/json.hpp>

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    SearchSpace space;
    try {
        space = parseSpace(fuzz::text(data, size), "fuzz.json");
    } catch (const SpaceError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_space_json", std::string("parseSpace threw a non-SpaceError: ") + e.what());
    }
    const std::string out = spaceToJson(space).dump();
    SearchSpace again;
    try {
        again = parseSpace(out, "roundtrip.json");
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_space_json",
                       std::string("spaceToJson's output does not load: ") + e.what() + "\n" + out);
    }
    if (!(again == space)) fuzz::fuzzFail("fuzz_space_json", "JSON round trip changed the space: " + out);
    return 0;
}
