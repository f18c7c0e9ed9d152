// The lifecycle every run shares (training, search, latency dataset, rank): creating (or claiming) its
// record, its observers, publishing each event to them and to the run store, the status, stage events,
// the error text, pause / cancel through RunControl, the worker thread, and execute(), which turns any
// exception into status "failed" with an "error" event. A failure while recording a failure (a full disk,
// an observer that throws) is logged and never escapes execute() or the worker thread. A derived run
// supplies only its stages (run()).
//
// From its creation (or claim, to resume it) until execute() has stored its final status, the object holds
// its run's lock and keeps its heartbeat going (see store/RunLiveness.h), so that readers tell it from a
// run whose process is gone, and no second executor takes the run over.
#pragma once
#include "run/RunControl.h"
#include "run/RunObserver.h"
#include "store/RunLock.h"
#include "store/RunStore.h"

#include <atomic>
#include <chrono>
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

    // Creates the run's record (status "created") and claims it. A run derived from another (`parent`: a
    // search or a latency dataset of a supernet run, a rank check of a search) stores the parent's space
    // and corpus unless `spec` has its own.
    void create(RunSpec spec, const RunInfo* parent = nullptr);
    // Makes this object the executor of the stored run `runId` (a new one, or one to resume): takes its
    // lock and starts its heartbeat. Throws StoreError when another process executes it.
    void claim(int64_t runId);

    void publish(Event event); // to the observers, then the store; stamps the time
    void setStatus(RunStatus status);
    // A stage event (names and states: run/RunStages.h).
    void stage(const std::string& name, const std::string& state,
               nlohmann::json detail = nlohmann::json::object());
    // Called between two units of work: blocks while paused (status "paused" meanwhile) and returns false
    // once the run is cancelled.
    bool proceed();
    // Throws StoreError naming the database when an event this process queued since the claim was not
    // committed (a full disk, an I/O error): a run must not go on as if its record were complete.
    // proceed() checks it; call it after store_.flush() before deleting what a committed row replaces.
    void requireStoreWrites();
    // The time proceed() spent paused so far: budgets in minutes do not count it.
    std::chrono::steady_clock::duration pausedTime() const { return paused_; }
    // Cancels and joins a started worker.
    void stopWorker();

    RunStore& store_;
    int64_t runId_ = 0;
    RunControl control_;

private:
    void recordFailure(const std::string& message) noexcept;
    void releaseClaim() noexcept;

    RunLock lock_;
    bool keptAlive_ = false;
    std::uint64_t failedAtClaim_ = 0; // the writer's failed events before this run was claimed
    std::chrono::steady_clock::duration paused_{0};

    std::vector<RunObserver*> observers_;
    std::atomic<RunStatus> status_{RunStatus::Created};
    mutable std::mutex errorMutex_;
    std::string error_;
    std::thread thread_;
};

} // namespace automoe
