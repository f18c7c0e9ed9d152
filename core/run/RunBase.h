// The lifecycle every run shares (training, search, latency dataset): its observers, publishing each
// event to them and to the run store, the status, stage events, the error text, pause / cancel through
// RunControl, the worker thread, and execute(), which turns any exception into status "failed" with an
// "error" event. A failure while recording a failure (a full disk, an observer that throws) is logged
// and never escapes execute() or the worker thread. A derived run supplies only its stages (run()).
#pragma once
#include "run/RunControl.h"
#include "run/RunObserver.h"
#include "store/RunStore.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace automoe {

class RunBase {
public:
    RunBase(const RunBase&) = delete;
    RunBase& operator=(const RunBase&) = delete;
    virtual ~RunBase(); // derived destructors call stopWorker() first: the worker uses their members

    int64_t id() const { return runId_; }
    void addObserver(RunObserver* observer); // before execute() / start()

    // Runs every stage on the calling thread; returns the final status. Exceptions become status "failed"
    // with an "error" event (see error()) and are not rethrown.
    RunStatus execute();
    void start(); // execute() on a worker thread
    void wait();  // joins the worker
    RunControl& control() { return control_; }
    RunStatus status() const { return status_.load(); }
    std::string error() const;

protected:
    explicit RunBase(RunStore& store)
        : store_(store) {}

    // The run's stages; ends by setting status Finished or Cancelled. Throws on failure.
    virtual void run() = 0;

    void publish(Event event); // to the observers, then the store
    void setStatus(RunStatus status);
    void stage(const std::string& name, const std::string& state,
               nlohmann::json detail = nlohmann::json::object());
    // Cancels and joins a started worker.
    void stopWorker();

    RunStore& store_;
    int64_t runId_ = 0;
    RunControl control_;

private:
    void recordFailure(const std::string& message) noexcept;

    std::vector<RunObserver*> observers_;
    std::atomic<RunStatus> status_{RunStatus::Created};
    mutable std::mutex errorMutex_;
    std::string error_;
    std::thread thread_;
};

} // namespace automoe
