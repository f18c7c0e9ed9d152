// `automoe`: the command-line face of the engine. Every subcommand has --help; bad input gives a one-line
// error on stderr and a non-zero exit status.
#include "cli/Commands.h"
#include "cli/VersionReport.h"
#include "util/Logging.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <limits>
#include <string>

namespace {

// CLI11's NonNegativeNumber and PositiveNumber say "Value -1 not in range 0.000000 to <DBL_MAX's 309
// digits>": the rule instead, e.g. "--lr: must be above 0, got -1". Empty when `message` is another one.
std::string readableRangeError(const std::string& message) {
    const std::string tail =
        " not in range 0.000000 to " + std::to_string(std::numeric_limits<double>::max());
    const auto end = message.find(tail);
    const auto value = message.rfind(": Value ", end);
    if (end == std::string::npos || value == std::string::npos) return {};
    const std::string given = message.substr(value + 8, end - value - 8);
    double v = -1;
    try {
        v = std::stod(given);
    } catch (const std::exception&) {
    }
    return message.substr(0, value) + (v == 0 ? ": must be above 0, got " : ": must not be negative, got ") +
           given;
}

} // namespace

int main(int argc, char** argv) {
    // A file size limit (ulimit -f) then fails the write with EFBIG, which is reported with the file's
    // name like a full disk, instead of killing the process mid-write.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{
        "AutoMoE Studio command line: search spaces, architectures, costs, training, runs and benchmarks",
        "automoe"};
    app.require_subcommand(1);
    app.set_version_flag(
        "--version", [] { return automoe::cli::versionReport(); },
        "Version, git revision, libraries, BLAS, threads and data directory; exit");
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to the console");
    app.parse_complete_callback([&verbose] { automoe::setupLogging(verbose); });

    automoe::cli::addSpaceCommands(app);
    automoe::cli::addArchCommands(app);
    automoe::cli::addEvalCommands(app);
    automoe::cli::addTrainCommands(app);
    automoe::cli::addRunsCommands(app);
    automoe::cli::addBenchCommands(app);
    automoe::cli::addSearchCommands(app);
    automoe::cli::addRouteCommands(app);
    automoe::cli::addRankCommands(app);
    automoe::cli::addStudyCommands(app);
    automoe::cli::addCloseCommands(app);
    automoe::cli::addDartsCommands(app);
    automoe::cli::addLaunchCommands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (const std::string readable = readableRangeError(e.what()); !readable.empty()) {
            std::fprintf(stderr, "%s\nRun with --help for more information.\n", readable.c_str());
            return e.get_exit_code();
        }
        return app.exit(e);
    } catch (const std::exception& e) {
        // LibTorch's errors carry a C++ backtrace after their message: one line is what a user needs.
        std::string message = e.what();
        if (const auto backtrace = message.find("\nException raised from "); backtrace != std::string::npos)
            message.erase(backtrace);
        std::fprintf(stderr, "automoe: error: %s\n", message.c_str());
        return 1;
    }
    return 0;
}
