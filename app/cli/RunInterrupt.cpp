#include "cli/RunInterrupt.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

namespace automoe::cli {
namespace {

std::atomic<int> gInterrupts{0};
extern "C" void onRunInterrupt(int) {
    gInterrupts.fetch_add(1);
}

} // namespace

RunStatus executeInterruptible(RunBase& run) {
    gInterrupts = 0;
    auto previous = std::signal(SIGINT, onRunInterrupt);
    auto previousTerm = std::signal(SIGTERM, onRunInterrupt);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done) {
            if (gInterrupts > 0) {
                std::fprintf(stderr, "\ninterrupted: stopping at the next checkpoint of run %lld\n",
                             (long long)run.id());
                run.control().cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    const RunStatus status = run.execute();
    done = true;
    watcher.join();
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previousTerm);
    return status;
}

} // namespace automoe::cli
