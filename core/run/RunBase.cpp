#include "run/RunBase.h"

#include "run/RunStages.h"
#include "store/StoreError.h"
#include "util/Clock.h"

#include <spdlog/spdlog.h>

namespace automoe {

RunBase::~RunBase() {
    stopWorker();
    releaseClaim();
}

void RunBase::releaseClaim() noexcept {
    if (keptAlive_) store_.writer().stopKeepingAlive(runId_);
    keptAlive_ = false;
    lock_.release();
}

void RunBase::create(RunSpec spec, const RunInfo* parent) {
    if (parent) {
        if (spec.space.is_null() || spec.space.empty()) spec.space = parent->spec.space;
        if (spec.corpus.is_null() || spec.corpus.empty()) spec.corpus = parent->spec.corpus;
    }
    claim(store_.createRun(spec));
}

void RunBase::claim(int64_t runId) {
    lock_ = RunLock::acquire(store_.path(), runId);
    runId_ = runId;
    failedAtClaim_ = store_.writer().stats().failed;
    store_.writer().keepAlive(runId);
    keptAlive_ = true;
}

void RunBase::requireStoreWrites() {
    const std::uint64_t failed = store_.writer().stats().failed;
    if (failed > failedAtClaim_)
        throw StoreError(store_.path(), "could not be written (" + std::to_string(failed - failedAtClaim_) +
                                            " events lost): " + store_.writer().lastError() +
                                            "; the run stopped, what was committed before is intact");
}

bool RunBase::proceed() {
    requireStoreWrites();
    std::chrono::steady_clock::time_point pausedAt;
    return control_.checkpoint([&](bool paused) {
        if (paused) pausedAt = std::chrono::steady_clock::now();
        setStatus(paused ? RunStatus::Paused : RunStatus::Running);
        if (!paused) paused_ += std::chrono::steady_clock::now() - pausedAt;
    });
}

void RunBase::stopWorker() {
    if (thread_.joinable()) {
        control_.cancel();
        thread_.join();
    }
}

void RunBase::addObserver(RunObserver* observer) {
    observers_.push_back(observer);
}

std::string RunBase::error() const {
    std::lock_guard<std::mutex> lock(errorMutex_);
    return error_;
}

void RunBase::publish(Event event) {
    event.runId = runId_;
    if (event.timeMs == 0) event.timeMs = wallClockMs(); // observers see the time the store records
    for (RunObserver* o : observers_)
        o->onEvent(event);
    store_.append(std::move(event));
}

void RunBase::setStatus(RunStatus status) {
    Event e = Event::make(runId_, "run_status", {{"status", runStatusName(status)}});
    e.timeMs =
        wallClockMs(); // before status() says it: the stored time is never later than what a caller saw
    status_ = status;
    store_.setRunStatus(runId_, status, e.timeMs);
    for (RunObserver* o : observers_)
        o->onEvent(e);
}

void RunBase::stage(const std::string& name, const std::string& state, nlohmann::json detail) {
    detail["stage"] = name; // see run/RunStages.h
    detail["state"] = state;
    publish(Event::make(runId_, stage::kEventType, std::move(detail)));
}

void RunBase::start() {
    if (thread_.joinable()) throw std::logic_error("run " + std::to_string(runId_) + ": already started");
    thread_ = std::thread([this] { execute(); });
}

void RunBase::wait() {
    if (thread_.joinable()) thread_.join();
}

RunStatus RunBase::execute() {
    try {
        setStatus(RunStatus::Running);
        run();
    } catch (const std::exception& e) {
        recordFailure(e.what());
    } catch (...) {
        recordFailure("unknown exception");
    }
    try {
        store_.flush();
    } catch (const std::exception& e) {
        spdlog::error("run {}: {}", runId_, e.what());
    } catch (...) {
        spdlog::error("run {}: could not flush the run store", runId_);
    }
    releaseClaim(); // its final status is stored: the run is no longer being executed
    return status_.load();
}

// The store itself may be what failed (a full disk), or an observer may throw again: each step is tried on
// its own, so the store records what it still can and every observer that can hear of it does.
void RunBase::recordFailure(const std::string& message) noexcept {
    try {
        std::lock_guard<std::mutex> lock(errorMutex_);
        error_ = message;
    } catch (...) {
    }
    status_ = RunStatus::Failed;
    auto logged = [this](const char* what) {
        try {
            throw;
        } catch (const std::exception& again) {
            spdlog::error("run {}: could not record the failure ({}): {}", runId_, what, again.what());
        } catch (...) {
            spdlog::error("run {}: could not record the failure ({})", runId_, what);
        }
    };
    try {
        spdlog::error("run {}: {}", runId_, message);
    } catch (...) {
    }
    Event error;
    Event status;
    try {
        error = Event::make(runId_, "error", {{"message", message}});
        status = Event::make(runId_, "run_status", {{"status", runStatusName(RunStatus::Failed)}});
        error.timeMs = status.timeMs = wallClockMs();
    } catch (...) {
        logged("event");
        return;
    }
    for (RunObserver* o : observers_) {
        try {
            o->onEvent(error);
        } catch (...) {
            logged("observer");
        }
    }
    try {
        store_.append(error);
    } catch (...) {
        logged("error event");
    }
    try {
        store_.setRunStatus(runId_, RunStatus::Failed, status.timeMs);
    } catch (...) {
        logged("status");
    }
    for (RunObserver* o : observers_) {
        try {
            o->onEvent(status);
        } catch (...) {
            logged("observer");
        }
    }
}

} // namespace automoe
