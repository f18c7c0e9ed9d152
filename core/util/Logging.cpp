#include "util/Logging.h"

#include <cstdlib>
#include <filesystem>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace automoe {

std::string userDataDir() {
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
        base = xdg;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = std::filesystem::path(home) / ".local" / "share";
    } else {
        base = std::filesystem::temp_directory_path();
    }
    const auto dir = base / "automoe-studio";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return dir.string();
}

void setupLogging(bool verbose, bool console) {
    std::vector<spdlog::sink_ptr> sinks;
    if (console) {
        auto c = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        c->set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
        sinks.push_back(c);
    }
    try {
        const auto logDir = std::filesystem::path(userDataDir()) / "logs";
        std::filesystem::create_directories(logDir);
        auto f = std::make_shared<spdlog::sinks::rotating_file_sink_mt>((logDir / "automoe.log").string(),
                                                                        5 * 1024 * 1024, 3);
        f->set_level(spdlog::level::debug);
        sinks.push_back(f);
    } catch (const std::exception& e) {
        // A read-only home must not stop the program; the console still gets everything.
        fprintf(stderr, "automoe: warning: no log file: %s\n", e.what());
    }
    auto logger = std::make_shared<spdlog::logger>("automoe", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

} // namespace automoe
