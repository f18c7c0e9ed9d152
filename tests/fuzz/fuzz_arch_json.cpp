// Fuzz target: an architecture in our JSON form (parseArchitectureJson, what loadArchitecture does for a
// .json file). An accepted architecture must round-trip exactly through architectureToJson, keep
// its key through canonical(), and, when HAT's yml can hold it, through toHatYaml too.
#include "FuzzSupport.h"

#include "space/ArchitectureIO.h"
#include "space/SpaceError.h"

#include <nlohmann/json.hpp>

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Architecture arch;
    try {
        arch = parseArchitectureJson(fuzz::text(data, size), "fuzz.json");
    } catch (const SpaceError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_arch_json",
                       std::string("parseArchitectureJson threw a non-SpaceError: ") + e.what());
    }
    const nlohmann::json out = architectureToJson(arch);
    Architecture again;
    try {
        again = architectureFromJson(nlohmann::json::parse(out.dump()));
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_arch_json", std::string("architectureToJson's output does not load: ") +
                                             e.what() + "\n" + out.dump());
    }
    if (!(again == arch))
        fuzz::fuzzFail("fuzz_arch_json", "JSON round trip changed the architecture: " + out.dump());
    if (arch.canonical().key() != arch.key())
        fuzz::fuzzFail("fuzz_arch_json", "canonical() changed the key " + arch.key());
    return 0;
}
