// Fuzz target: HAT/AutoMoE SubTransformer yml (parseHatYaml). An accepted file must round-trip exactly
// through toHatYaml and give the same architecture key as its JSON form.
#include "FuzzSupport.h"

#include "space/ArchitectureIO.h"
#include "space/SpaceError.h"

#include <nlohmann/json.hpp>

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Architecture arch;
    try {
        arch = parseHatYaml(fuzz::text(data, size), "fuzz.yml");
    } catch (const SpaceError&) {
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_arch_yml", std::string("parseHatYaml threw a non-SpaceError: ") + e.what());
    }
    const std::string yml = toHatYaml(arch);
    Architecture again;
    try {
        again = parseHatYaml(yml, "roundtrip.yml", arch.qkvDim);
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_arch_yml",
                       std::string("toHatYaml's output does not parse: ") + e.what() + "\n" + yml);
    }
    if (!(again == arch)) fuzz::fuzzFail("fuzz_arch_yml", "yml round trip changed the architecture:\n" + yml);
    if (architectureFromJson(architectureToJson(arch)).key() != arch.key())
        fuzz::fuzzFail("fuzz_arch_yml", "JSON round trip changed the key " + arch.key());
    return 0;
}
