// Local ranks of a multi-process run: `automoe launch` and `automoe bench distributed` start them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace automoe {
struct LaunchEnv; // dist/ProcessGroupCollective.h
}

namespace automoe::cli {

// The launch convention's flags of a command that runs on several ranks (`train`, `search`); README
// "Multi-process training". Unset flags leave the environment's WORLD_SIZE, RANK, MASTER_ADDR and
// MASTER_PORT in force.
struct DistributedArgs {
    int worldSize = 0; // 0 = the environment's, else 1
    int rank = -1;     // -1 = the environment's, else 0
    std::string master;
    double rendezvousMinutes = 30;
    double collectiveTimeout = 60; // seconds a rank may be silent (no heartbeat) before the others fail

    // The environment overridden by the flags, validated (UsageError naming what is wrong).
    LaunchEnv env() const;
    std::chrono::milliseconds timeout() const {
        return std::chrono::milliseconds(static_cast<long long>(rendezvousMinutes * 60000));
    }
    std::chrono::milliseconds peerTimeout() const {
        return std::chrono::milliseconds(static_cast<long long>(collectiveTimeout * 1000));
    }
};

// Adds --world-size, --rank, --master, --rendezvous-minutes and --collective-timeout to `command`; `what`
// names its runs in the help ("a multi-process run", "a distributed search").
void addDistributedOptions(CLI::App* command, DistributedArgs& args, const std::string& what);

// Starts `nproc` copies of this program, each with `args` and the launch convention's environment
// (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; masterPort 0 picks a free
// port), forwards SIGINT and SIGTERM to them, and waits for all. When one fails (its rank, exit status or
// signal reported), the others get 10 s to end by themselves, then SIGTERM (and SIGKILL 10 s later). Returns
// the first failing rank's exit status (128 + signal when killed by one), else 0.
int runLocalRanks(int nproc, const std::string& masterAddr, int masterPort,
                  const std::vector<std::string>& args);

} // namespace automoe::cli
