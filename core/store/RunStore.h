// A user's run database, for the process that writes runs: opens or creates it (refusing foreign or newer
// files without touching them), migrates it, owns the single EventWriter that all writes go through, and
// reads like a RunReader (it is one, on its own read-only connection). Processes that only read open a
// RunReader instead.
#pragma once

#include "store/EventWriter.h"
#include "store/RunReader.h"

#include <cstdint>
#include <string>

namespace automoe {

class RunStore : public RunReader {
public:
    // Opens or creates the database at `path`. Throws StoreError naming the file when it is not an SQLite
    // database or has a newer schema than this program; such a file is not modified. The whole file is
    // checked (PRAGMA quick_check) only when opening is about to rewrite it (a migration, the switch to WAL
    // mode), so that a damaged file is refused untouched; otherwise opening reads only its header.
    explicit RunStore(std::string path, EventWriter::Options writerOptions = {});
    // Flushes the event writer.
    ~RunStore() override;

    // userDataDir() + "/runs.sqlite".
    static std::string defaultPath();

    // Writing, all through the one writer connection.
    std::int64_t createRun(const RunSpec& spec);
    // Updates the run's status and logs a "run_status" event (at `timeMs`, 0: now); waits until committed.
    // Throws StoreError for an unknown id and std::invalid_argument for Interrupted (derived, never stored).
    void setRunStatus(std::int64_t runId, RunStatus status, std::int64_t timeMs = 0);
    // Drops the checkpoint row of run `runId` at `update` (a damaged file set aside on resume); its
    // "checkpoint" event stays. Waits until committed.
    void forgetCheckpoint(std::int64_t runId, std::int64_t update);
    // Queues an event (see EventWriter::append): O(1), no I/O.
    void append(Event event) { writer_.append(std::move(event)); }
    void flush() { writer_.flush(); }
    EventWriter& writer() { return writer_; }

private:
    RunStore(Database writer, EventWriter::Options writerOptions);
    static Database openWriter(const std::string& path);

    EventWriter writer_;
};

} // namespace automoe
