// Local ranks of a multi-process run: `automoe launch` and `automoe bench distributed` start them.
#pragma once

#include <string>
#include <vector>

namespace automoe::cli {

// Starts `nproc` copies of this program, each with `args` and the launch convention's environment
// (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; masterPort 0 picks a free
// port), forwards SIGINT and SIGTERM to them, and waits for all. When one fails, the others get SIGTERM (and
// SIGKILL 10 s later). Returns the first failing rank's exit status (128 + signal when killed by one), else
// 0.
int runLocalRanks(int nproc, const std::string& masterAddr, int masterPort,
                  const std::vector<std::string>& args);

} // namespace automoe::cli
