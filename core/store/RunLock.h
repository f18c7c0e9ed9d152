// Who executes a run, as the kernel knows it: the process executing run N of a database holds an exclusive
// flock() on runLockPath(db, N) for as long as it executes it, and the kernel drops the lock when that
// process ends, however it ends (SIGKILL, a crash, a power-off of a container). A reader tests the lock
// without waiting; together with the heartbeat (runs.updated) this tells a live run from an interrupted one
// (see RunLiveness.h). flock() rather than fcntl() locks: fcntl locks belong to the process and are all lost
// when any descriptor of the file is closed, flock locks belong to the one open file description.
#pragma once

#include <cstdint>
#include <string>

namespace automoe {

class RunLock {
public:
    RunLock() = default; // holds nothing
    ~RunLock();
    RunLock(RunLock&& other) noexcept;
    RunLock& operator=(RunLock&& other) noexcept;
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    // Takes the lock of run `runId` of the database at `dbPath` (creating the lock file), without waiting
    // for it. Throws StoreError naming the lock file when another process, or another RunLock of this one,
    // holds it ("run 3 is already being executed by process 1234"), or when the file cannot be created.
    static RunLock acquire(const std::string& dbPath, std::int64_t runId);
    // Whether anyone holds the lock of run `runId` now, tested without waiting and without taking it for
    // longer than the test; a missing lock file means nobody does.
    static bool isHeld(const std::string& dbPath, std::int64_t runId);

    bool held() const { return fd_ >= 0; }
    const std::string& path() const { return path_; }
    // Releases the lock (the file stays: removing it would race with a process that just opened it).
    void release() noexcept;

private:
    int fd_ = -1;
    std::string path_;
};

} // namespace automoe
