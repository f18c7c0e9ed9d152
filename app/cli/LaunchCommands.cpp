// `automoe launch --nproc N [--master-port P] -- train ...`: N local ranks of a multi-process run, each this
// program with the rest of the command line and the launch convention's environment (WORLD_SIZE, RANK,
// LOCAL_RANK, MASTER_ADDR, MASTER_PORT), as torchrun starts them. Exits with the first failing rank's status
// (128 + signal for a rank killed by one), naming the rank and how it ended, after ending the others, else 0.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/LocalRanks.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace automoe::cli {
namespace {

struct LaunchArgs {
    int nproc = 2;
    int masterPort = 29500;
    std::string masterAddr = "127.0.0.1";
    std::vector<std::string> command;
};

// The children, for the signal handler: SIGINT / SIGTERM to `launch` go on to every rank.
pid_t gChildren[1024];
volatile sig_atomic_t gChildCount = 0;

extern "C" void forwardSignal(int sig) {
    for (int i = 0; i < gChildCount; ++i)
        if (gChildren[i] > 0) ::kill(gChildren[i], sig);
}

// A port nothing listens on now (bound and released: another program could take it before rank 0 does).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error(std::string("no socket for a free port: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error(std::string("no free port: ") + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string selfPath() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw std::runtime_error(std::string("cannot find this program: ") + std::strerror(errno));
    // A program rebuilt (or upgraded) while it runs reads back as "PATH (deleted)": run the new one.
    std::string path(buf, size_t(n));
    const std::string deleted = " (deleted)";
    if (path.size() > deleted.size() &&
        path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0 &&
        ::access(path.substr(0, path.size() - deleted.size()).c_str(), X_OK) == 0)
        path.resize(path.size() - deleted.size());
    return path;
}

int exitCode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

// "exited with status 1", "was killed by signal 9 (SIGKILL)".
std::string describeExit(int status) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::sigabbrev_np(sig);
        return "was killed by signal " + std::to_string(sig) +
               (name ? " (SIG" + std::string(name) + ")" : "");
    }
    return "exited with status " + std::to_string(exitCode(status));
}

// How long the other ranks get to end by themselves after one failed (they see a dead rank within seconds,
// dist/RankWatch.h, and rank 0 then marks its run failed), before SIGTERM, and SIGKILL as long again later.
constexpr std::chrono::seconds kStopGrace{10};

} // namespace

int runLocalRanks(int nproc, const std::string& masterAddr, int masterPort,
                  const std::vector<std::string>& args) {
    if (nproc > int(sizeof gChildren / sizeof gChildren[0]))
        throw UsageError("--nproc " + std::to_string(nproc) + ": at most 1024 local ranks");
    LaunchArgs a;
    a.nproc = nproc;
    a.masterAddr = masterAddr;
    a.command = args;
    const int port = masterPort > 0 ? masterPort : freePort();
    const std::string exe = selfPath();
    std::fprintf(stderr, "automoe launch: %d ranks, master %s:%d\n", a.nproc, a.masterAddr.c_str(), port);
    std::fflush(stderr);
    std::fflush(stdout);

    std::vector<pid_t> pids(size_t(a.nproc), -1);
    const pid_t launcher = ::getpid();
    gChildCount = 0;
    auto previousInt = std::signal(SIGINT, forwardSignal);
    auto previousTerm = std::signal(SIGTERM, forwardSignal);
    for (int r = 0; r < a.nproc; ++r) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            forwardSignal(SIGTERM);
            throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        }
        if (pid == 0) {
            // `launch` killed (SIGKILL cannot be forwarded, e.g. the desktop app's Kill) takes its ranks
            // with it, as it would a one-process run: none keeps training or writing the store unseen.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != launcher) ::_exit(128 + SIGKILL);
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            ::setenv("WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
            ::setenv("RANK", std::to_string(r).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            ::setenv("LOCAL_WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
            ::setenv("MASTER_ADDR", a.masterAddr.c_str(), 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(exe.c_str()));
            for (const auto& s : a.command)
                argv.push_back(const_cast<char*>(s.c_str()));
            argv.push_back(nullptr);
            ::execv(exe.c_str(), argv.data());
            std::fprintf(stderr, "automoe launch: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
            ::_exit(127);
        }
        pids[size_t(r)] = pid;
        gChildren[r] = pid;
        gChildCount = r + 1;
    }
    std::string listed;
    for (int r = 0; r < a.nproc; ++r)
        listed += (r ? ", rank " : "rank ") + std::to_string(r) + " pid " + std::to_string(pids[size_t(r)]);
    std::fprintf(stderr, "automoe launch: %s\n", listed.c_str());
    std::fflush(stderr);

    // Wait for every rank; after the first failure the others get kStopGrace to end by themselves, then
    // SIGTERM (with SIGCONT, for a stopped one), then SIGKILL kStopGrace later.
    int result = 0, running = a.nproc;
    bool stopping = false;
    using Clock = std::chrono::steady_clock;
    auto termAt = Clock::time_point::max(), killAt = Clock::time_point::max();
    while (running > 0) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, stopping ? WNOHANG : 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pid == 0) {
            const auto now = Clock::now();
            if (now >= termAt) {
                std::fprintf(stderr, "automoe launch: sending SIGTERM to the %d rank(s) still running\n",
                             running);
                for (pid_t p : pids)
                    if (p > 0) {
                        ::kill(p, SIGTERM);
                        ::kill(p, SIGCONT);
                    }
                termAt = Clock::time_point::max();
                killAt = now + kStopGrace;
            } else if (now >= killAt) {
                for (pid_t p : pids)
                    if (p > 0) ::kill(p, SIGKILL);
                killAt = Clock::time_point::max();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int rank = -1;
        for (int r = 0; r < a.nproc; ++r)
            if (pids[size_t(r)] == pid) rank = r;
        if (rank < 0) continue;
        pids[size_t(rank)] = -1;
        gChildren[rank] = -1;
        --running;
        const int code = exitCode(status);
        if (code != 0 && result == 0) {
            result = code;
            if (running > 0) {
                std::fprintf(
                    stderr,
                    "automoe launch: rank %d %s; stopping the other %d (SIGTERM in %lld s unless they "
                    "end first)\n",
                    rank, describeExit(status).c_str(), running, (long long)kStopGrace.count());
                stopping = true;
                termAt = Clock::now() + kStopGrace;
            } else {
                std::fprintf(stderr, "automoe launch: rank %d %s\n", rank, describeExit(status).c_str());
            }
        } else if (code != 0) {
            std::fprintf(stderr, "automoe launch: rank %d %s\n", rank, describeExit(status).c_str());
        }
    }
    gChildCount = 0;
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);
    return result;
}

void addLaunchCommands(CLI::App& root) {
    auto a = std::make_shared<LaunchArgs>();
    CLI::App* launch = root.add_subcommand(
        "launch",
        "Start N local ranks of a multi-process run: automoe launch --nproc 2 -- train --threads 1 ...");
    launch->add_option("--nproc", a->nproc, "Local ranks (processes)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    launch->add_option("--master-port", a->masterPort, "Rank 0's rendezvous port (0: a free one)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    launch->add_option("--master-addr", a->masterAddr, "Rank 0's address")->capture_default_str();
    launch->add_option("command", a->command, "The automoe command each rank runs (after --)")->required();
    launch->callback([a] {
        if (a->command.empty())
            throw UsageError("launch: give the command after --, e.g. -- train --updates 100");
        const int code = runLocalRanks(a->nproc, a->masterAddr, a->masterPort, a->command);
        if (code != 0) std::exit(code);
    });
}

} // namespace automoe::cli
