#include "run/RunBase.h"

#include <spdlog/spdlog.h>

namespace automoe {

RunBase::~RunBase() {
    stopWorker();
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
    for (RunObserver* o : observers_)
        o->onEvent(event);
    store_.append(std::move(event));
}

void RunBase::setStatus(RunStatus status) {
    status_ = status;
    store_.setRunStatus(runId_, status);
    Event e = Event::make(runId_, "run_status", {{"status", toString(status)}});
    for (RunObserver* o : observers_)
        o->onEvent(e);
}

void RunBase::stage(const std::string& name, const std::string& state, nlohmann::json detail) {
    detail["stage"] = name;
    detail["state"] = state;
    publish(Event::make(runId_, "stage", std::move(detail)));
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
        status = Event::make(runId_, "run_status", {{"status", toString(RunStatus::Failed)}});
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
        store_.setRunStatus(runId_, RunStatus::Failed);
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
