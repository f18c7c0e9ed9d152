// The run store's single writer: a background thread that owns the one read-write connection and commits
// queued events (and their typed rows) in batched transactions, so that append() on the training thread
// costs a mutex and a queue push and never waits for the disk.
#pragma once

#include "store/Database.h"
#include "store/Event.h"
#include "store/RunLiveness.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace automoe {

class EventWriter {
public:
    struct Options {
        std::chrono::milliseconds interval{100}; // commit at least this often while events are queued
        std::size_t batchSize = 1024;            // ... or as soon as this many are queued
        std::chrono::milliseconds heartbeat{kHeartbeatMs}; // touch kept-alive runs this often
    };

    struct Stats {
        std::uint64_t appended = 0;     // events accepted by append()
        std::uint64_t committed = 0;    // events in committed transactions
        std::uint64_t failed = 0;       // events dropped because SQLite refused them (see lastError())
        std::uint64_t transactions = 0; // committed event batches
    };

    // Takes over `db`, an open read-write connection to a database at the current schema version.
    EventWriter(Database db, Options options);
    // Flushes, then stops the thread.
    ~EventWriter();
    EventWriter(const EventWriter&) = delete;
    EventWriter& operator=(const EventWriter&) = delete;

    // Queues `event` (stamping timeMs if 0). O(1), no I/O; safe from any thread. The store assigns `seq`.
    void append(Event event);
    // Blocks until every event appended before the call is committed (or has failed).
    void flush();
    // Runs `job` on the writer thread, after everything queued before it, and waits for it; rethrows its
    // exception. For the rare synchronous writes (creating a run) that must use the one writer connection.
    void run(std::function<void(Database&)> job);

    // The heartbeat of a run this process executes (see RunLiveness.h): while kept alive, the run's
    // runs.updated is touched every options.heartbeat even when no event comes (a paused run), as long as
    // its stored status is live. Counted: keepAlive twice needs stopKeepingAlive twice.
    void keepAlive(std::int64_t runId);
    void stopKeepingAlive(std::int64_t runId);

    Stats stats() const;
    std::string lastError() const;
    const std::string& path() const { return path_; }

private:
    struct Item {
        Event event;
        std::function<void(Database&)> job; // set: a job instead of an event
    };
    class Batch;

    void loop();
    void process(std::deque<Item>& items);
    void commitEvents(std::deque<Item>& items, std::size_t begin, std::size_t end);
    void recordError(const std::string& message);
    void touchKeptAlive(const std::map<std::int64_t, int>& runs);
    void rollback() noexcept; // of a failed transaction, if one is open

    const std::string path_;
    const Options options_;
    Database db_;
    std::unique_ptr<Batch> batch_; // prepared statements; writer thread only

    mutable std::mutex mutex_;
    std::condition_variable wake_;    // the writer waits here
    std::condition_variable drained_; // flush() waits here
    std::deque<Item> queue_;
    std::uint64_t queued_ = 0;    // items ever queued
    std::uint64_t processed_ = 0; // items ever taken and handled
    int urgent_ = 0;              // flushes and jobs waiting
    bool stop_ = false;
    Stats stats_;
    std::string lastError_;
    std::map<std::int64_t, int> keptAlive_; // run id -> keepAlive count

    std::thread thread_; // last: starts after everything above is constructed
};

} // namespace automoe
