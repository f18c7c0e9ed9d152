// `automoe`: the command-line face of the engine. Every subcommand has --help; bad input gives a one-line
// error on stderr and a non-zero exit status.
#include "cli/Commands.h"
#include "cli/VersionReport.h"
#include "util/Logging.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

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
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automoe: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
