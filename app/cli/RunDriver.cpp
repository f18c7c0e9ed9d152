#include "cli/RunDriver.h"

#include "nn/TorchRuntime.h"
#include "run/EventText.h"
#include "run/RunProgress.h"
#include "run/RunStages.h"
#include "run/TrainingRun.h"
#include "util/Clock.h"
#include "util/Format.h"

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
#include <unistd.h>

namespace automoe::cli {
namespace {

std::atomic<int> gInterrupts{0};
// The first SIGINT / SIGTERM asks the run to stop at its next checkpoint (the watcher thread sees it); a
// second one ends the process at once. Everything committed stays: SQLite's write-ahead log makes an
// unfinished transaction invisible, and a checkpoint being written is a temporary file until renamed.
extern "C" void onRunInterrupt(int sig) {
    if (gInterrupts.fetch_add(1) == 0) return;
    static const char message[] = "\ninterrupted again: exiting at once (committed events and the last "
                                  "checkpoint are kept)\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(128 + sig);
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

// Prints a training run's progress: a redrawn bar on a terminal, a plain line every 10 s otherwise. Update
// N / M, the bar and the ETA are RunProgress's (the desktop app shows the same numbers).
class ProgressPrinter : public RunObserver {
public:
    ProgressPrinter(const std::string& kind, const nlohmann::json& config)
        : tty_(::isatty(STDERR_FILENO) == 1) {
        progress_.setRun(kind, config);
    }

    void onEvent(const Event& e) override {
        progress_.apply(e);
        if (e.type == "training_step") {
            const auto& r = std::get<TrainingStepRow>(e.row);
            const double tps = r.wallMs > 0 ? double(r.tokens) * 1000.0 / r.wallMs : 0;
            tokensPerSec_ = tokensPerSec_ == 0 ? tps : 0.9 * tokensPerSec_ + 0.1 * tps;
            loss_ = loss_ == 0 ? r.loss : 0.95 * loss_ + 0.05 * r.loss;
            print(r.update, r.lr);
        } else if (const std::string text = eventText(e); !text.empty()) {
            line(text); // the line the desktop app's Run dock lists for it
        }
    }

private:
    void print(int64_t update, double lr) {
        const int64_t now = wallClockMs();
        const auto eta = progress_.etaSeconds(now);
        const double fraction = progress_.fraction(now);
        char stats[160];
        std::snprintf(stats, sizeof stats, "loss %.3f  lr %.2e  %s tok/s  ETA %s", loss_, lr,
                      formatSI(tokensPerSec_, 1).c_str(), formatClock(eta ? *eta : -1).c_str());
        const std::string total = progress_.total() > 0 ? "/" + std::to_string(progress_.total()) : "";
        if (tty_) {
            std::string bar;
            if (fraction >= 0) {
                const int width = 24, filled = int(std::min(1.0, fraction) * width);
                bar =
                    "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "] ";
            }
            std::fprintf(stderr, "\r\033[Kupdate %lld%s %s%s", (long long)update, total.c_str(), bar.c_str(),
                         stats);
            std::fflush(stderr);
            barShown_ = true;
        } else if (now - lastPrintMs_ >= 10000) {
            std::fprintf(stderr, "update %lld%s  %s\n", (long long)update, total.c_str(), stats);
            lastPrintMs_ = now;
        }
    }
    void line(const std::string& text) {
        if (barShown_) std::fprintf(stderr, "\r\033[K");
        std::fprintf(stderr, "%s\n", text.c_str());
        barShown_ = false;
    }

    RunProgress progress_;
    bool tty_;
    double tokensPerSec_ = 0, loss_ = 0;
    int64_t lastPrintMs_ = 0;
    bool barShown_ = false;
};

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
    // Before the announcement: whoever reads it may signal the process at once.
    gInterrupts = 0;
    auto previousInt = std::signal(SIGINT, onRunInterrupt);
    auto previousTerm = std::signal(SIGTERM, onRunInterrupt);
    std::printf("%s\n", runAnnouncement(run.id(), info.spec.kind, store.path()).c_str());
    std::fflush(stdout);

    const std::string resume = resumeCommand(info.spec.kind, run.id());
    auto target = std::make_shared<ControlTarget>();
    target->control = &run.control();
    if (controlStdin) followControlStdin(target);

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

RunStatus driveTrainingRun(RunStore& store, TrainingRun& run, bool controlStdin) {
    return driveUpdatesRun(store, run, run.config().kind, run.config().toJson(), controlStdin);
}

RunStatus driveUpdatesRun(RunStore& store, RunBase& run, const std::string& kind,
                          const nlohmann::json& config, bool controlStdin) {
    std::fprintf(stderr, "run %lld in %s (%d threads)\n", (long long)run.id(), store.path().c_str(),
                 torchThreads());
    ProgressPrinter progress(kind, config);
    run.addObserver(&progress);
    const RunStatus status = driveRun(store, run, controlStdin);
    std::printf("run %lld %s\n", (long long)run.id(), runStatusName(status));
    return status;
}

} // namespace automoe::cli
