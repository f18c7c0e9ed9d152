// The launch convention's flags shared by `train` and `search` (cli/LocalRanks.h). Apart from
// LaunchCommands.cpp because LaunchEnv lives in the LibTorch part of the core.
#include "cli/CliSupport.h"
#include "cli/LocalRanks.h"
#include "dist/ProcessGroupCollective.h"

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace automoe::cli {

LaunchEnv DistributedArgs::env() const {
    LaunchEnv env = LaunchEnv::fromEnvironment();
    if (worldSize > 0) env.worldSize = worldSize;
    if (rank >= 0) env.rank = rank;
    if (!master.empty()) env.setMaster(master);
    try {
        env.validate();
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return env;
}

void addDistributedOptions(CLI::App* command, DistributedArgs& args, const std::string& what) {
    command
        ->add_option("--world-size", args.worldSize,
                     "Ranks of " + what + " (default: $WORLD_SIZE, else 1); see `automoe launch`")
        ->check(CLI::PositiveNumber);
    command
        ->add_option("--rank", args.rank, "This process's rank, 0..world size - 1 (default: $RANK, else 0)")
        ->check(CLI::NonNegativeNumber);
    command->add_option("--master", args.master,
                        "HOST:PORT of rank 0's rendezvous (default: $MASTER_ADDR:$MASTER_PORT, else "
                        "127.0.0.1:29500)");
    command
        ->add_option("--rendezvous-minutes", args.rendezvousMinutes,
                     "How long ranks wait for each other at the rendezvous and in each collective operation")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    command
        ->add_option("--collective-timeout", args.collectiveTimeout,
                     "Seconds a rank may go without a heartbeat (hung, stopped, its machine gone) before the "
                     "others stop, naming it and the update; a rank that dies is named within seconds")
        ->capture_default_str()
        ->check(CLI::Range(0.5, 86400.0));
}

} // namespace automoe::cli
