// The standalone driver of the fuzz targets (the usual replacement for libFuzzer's main()): feeds every file
// named on the command line, and every file under every directory named (files whose name starts with '.'
// left out), to LLVMFuzzerTestOneInput once. `--optional DIR` names a directory that may not exist (a
// target's regressions/ before its first finding).
// Built with the regular compiler and run by CTest (fuzz_replay), so that the seed corpus and every input
// that once crashed a target (tests/fuzz/regressions/<target>/) are replayed in each build, without clang.
// A finding aborts the process (the target's fuzzFail(), a crash); the driver prints the file it was on.
#include "FuzzSupport.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const bool optional = std::string(argv[i]) == "--optional" && i + 1 < argc;
        if (optional) ++i;
        const fs::path arg(argv[i]);
        if (fs::is_directory(arg)) {
            for (const auto& entry : fs::recursive_directory_iterator(arg))
                if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
                    files.push_back(entry.path());
        } else if (fs::is_regular_file(arg)) {
            files.push_back(arg);
        } else if (!optional) {
            std::cerr << arg.string() << ": no such file or directory\n";
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::cerr << "no input files\n";
        return 2;
    }
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            std::cerr << file.string() << ": cannot read\n";
            return 2;
        }
        std::cerr << "running " << file.string() << "\n";
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << "replayed " << files.size() << " inputs\n";
    return 0;
}
