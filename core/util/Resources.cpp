#include "util/Resources.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace fs = std::filesystem;

namespace automoe {

std::string programDirectory() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

std::vector<std::string> resourceDirectories() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("AUTOMOE_RESOURCES"); env && *env) dirs.emplace_back(env);
    // AUTOMOE_DATA_FROM_BIN: the install data directory relative to the install bin directory, so an
    // unpacked package (dpkg-deb -x into any root) finds its own data before anything else.
    if (const std::string bin = programDirectory(); !bin.empty())
        dirs.push_back((fs::path(bin) / AUTOMOE_DATA_FROM_BIN).lexically_normal().string());
#if AUTOMOE_SEARCH_SOURCE_TREE
    dirs.emplace_back(AUTOMOE_SOURCE_RESOURCES);
#endif
    dirs.emplace_back(AUTOMOE_INSTALLED_RESOURCES);
    return dirs;
}

std::string resourcePath(const std::string& relative) {
    std::string searched;
    for (const auto& d : resourceDirectories()) {
        const fs::path p = fs::path(d) / relative;
        std::error_code ec;
        if (fs::exists(p, ec)) return p.string();
        searched += (searched.empty() ? "" : ", ") + d;
    }
    throw std::runtime_error("resource '" + relative + "' not found (searched " + searched + ")");
}

std::string dataDirectory() {
    for (const auto& d : resourceDirectories()) {
        std::error_code ec;
        if (fs::exists(fs::path(d) / "spaces" / "tiny.json", ec)) return d;
    }
    return {};
}

std::string userGuidePath() {
    std::vector<fs::path> candidates;
    for (const auto& d : resourceDirectories())
        candidates.push_back(fs::path(d) / "doc" / "guide.md");
#if AUTOMOE_SEARCH_SOURCE_TREE
    candidates.push_back(fs::path(AUTOMOE_SOURCE_RESOURCES).parent_path() / "docs" / "guide.md");
#endif
    for (const auto& p : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

std::string readTextFile(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeTextFileAtomic(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(path + ": cannot open for writing");
        out << text;
        out.flush();
        if (!out) throw std::runtime_error(path + ": write failed (disk full?)");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw std::runtime_error(path + ": cannot replace file: " + ec.message());
    }
}

} // namespace automoe
