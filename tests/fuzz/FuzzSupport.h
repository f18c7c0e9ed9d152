// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp): each defines LLVMFuzzerTestOneInput, which libFuzzer
// calls (packaging/fuzz.sh) and the standalone driver (StandaloneDriver.cpp, the fuzz_replay CTest test)
// calls with every file of the seed corpus and the regressions.
//
// A target accepts the errors the parser documents (SpaceError, CorpusError, ... naming the file and field);
// any other exception that escapes (a bare nlohmann::json type_error, std::out_of_range, ...) is a finding:
// fuzzFail() prints it and aborts, which libFuzzer reports as a crash and keeps the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace automoe::fuzz {

[[noreturn]] inline void fuzzFail(const char* target, const std::string& what) {
    std::fprintf(stderr, "%s: %s\n", target, what.c_str());
    std::fflush(stderr);
    std::abort();
}

inline std::string text(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

} // namespace automoe::fuzz
