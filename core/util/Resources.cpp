#include "util/Resources.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace fs = std::filesystem;

namespace automoe {

std::string resourcePath(const std::string& relative) {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("AUTOMOE_RESOURCES")) dirs.emplace_back(env);
    dirs.emplace_back(AUTOMOE_SOURCE_RESOURCES);
    dirs.emplace_back(AUTOMOE_INSTALLED_RESOURCES);
    std::string searched;
    for (const auto& d : dirs) {
        const fs::path p = fs::path(d) / relative;
        std::error_code ec;
        if (fs::exists(p, ec)) return p.string();
        searched += (searched.empty() ? "" : ", ") + d;
    }
    throw std::runtime_error("resource '" + relative + "' not found (searched " + searched + ")");
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
