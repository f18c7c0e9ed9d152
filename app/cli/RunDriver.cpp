#include "cli/RunDriver.h"

#include "run/RunStages.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace automoe::cli {
namespace {

std::atomic<int> gInterrupts{0};
extern "C" void onRunInterrupt(int) {
    gInterrupts.fetch_add(1);
}

// What the stdin reader controls: the run while it executes, nothing after (the reader thread outlives the
// run, blocked on stdin until the process exits).
struct ControlTarget {
    std::mutex mutex;
    RunControl* control = nullptr;
};

void followControlStdin(const std::shared_ptr<ControlTarget>& target) {
    std::thread([target] {
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::lock_guard<std::mutex> lock(target->mutex);
            if (!target->control) return;
            if (line == "pause")
                target->control->pause();
            else if (line == "resume")
                target->control->resume();
            else if (line == "cancel")
                target->control->cancel();
        }
    }).detach();
}

} // namespace

std::string runAnnouncement(std::int64_t runId, const std::string& kind, const std::string& dbPath) {
    std::error_code ec;
    std::filesystem::path db = std::filesystem::absolute(dbPath, ec);
    if (ec) db = dbPath;
    nlohmann::ordered_json j;
    j["run_id"] = runId;
    j["kind"] = kind;
    j["db"] = db.lexically_normal().string();
    return j.dump();
}

RunStatus driveRun(RunStore& store, RunBase& run, bool controlStdin) {
    const RunInfo info = store.requireRun(run.id());
    std::printf("%s\n", runAnnouncement(run.id(), info.spec.kind, store.path()).c_str());
    std::fflush(stdout);

    std::string resume;
    try {
        resume = runKindStages(info.spec.kind, info.spec.config).resumeCommand(run.id());
    } catch (const std::invalid_argument&) {
    }
    auto target = std::make_shared<ControlTarget>();
    target->control = &run.control();
    if (controlStdin) followControlStdin(target);

    gInterrupts = 0;
    auto previousInt = std::signal(SIGINT, onRunInterrupt);
    auto previousTerm = std::signal(SIGTERM, onRunInterrupt);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done) {
            if (gInterrupts > 0) {
                std::fprintf(stderr, "\ninterrupted: stopping run %lld at its next checkpoint%s\n",
                             (long long)run.id(),
                             resume.empty() ? "" : (" (resume it with `" + resume + "`)").c_str());
                run.control().cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    const RunStatus status = run.execute();
    done = true;
    watcher.join();
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);
    {
        std::lock_guard<std::mutex> lock(target->mutex);
        target->control = nullptr;
    }
    if (status == RunStatus::Failed)
        throw std::runtime_error(info.spec.kind + " run " + std::to_string(run.id()) +
                                 " failed: " + run.error());
    return status;
}

} // namespace automoe::cli
