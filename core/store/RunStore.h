// A user's run database: opens (refusing corrupt, foreign or newer files without touching them) and
// migrates it, owns the single EventWriter that all writes go through, and answers the queries that the
// run list, the run views and replay need on a separate reader connection.
#pragma once

#include "store/Database.h"
#include "store/Event.h"
#include "store/EventWriter.h"
#include "store/RunRecords.h"
#include "store/Statement.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace automoe {

class RunStore {
public:
    // Opens or creates the database at `path`. Throws StoreError naming the file when it is not an SQLite
    // database, fails its quick check, or has a newer schema than this program; such a file is not modified.
    explicit RunStore(std::string path, EventWriter::Options writerOptions = {});
    // Flushes the event writer.
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    // userDataDir() + "/runs.sqlite".
    static std::string defaultPath();

    const std::string& path() const { return path_; }
    int schemaVersion();
    // The text of PRAGMA integrity_check: "ok" for a sound database.
    std::string integrityCheck();

    // Writing, all through the one writer connection.
    std::int64_t createRun(const RunSpec& spec);
    // Updates the run's status and logs a "run_status" event; waits until committed. Throws for an unknown
    // id.
    void setRunStatus(std::int64_t runId, RunStatus status);
    // Queues an event (see EventWriter::append): O(1), no I/O.
    void append(Event event) { writer_.append(std::move(event)); }
    void flush() { writer_.flush(); }
    EventWriter& writer() { return writer_; }

    // Reading (committed data only; call flush() first to see one's own recent appends).
    std::vector<RunSummary> listRuns();
    std::optional<RunInfo> getRun(std::int64_t runId);
    std::vector<TrainingStepRow> trainingSteps(std::int64_t runId); // by update
    std::vector<ValidationRow> validations(std::int64_t runId);     // by update, subnet
    std::vector<CheckpointRow> checkpoints(std::int64_t runId);     // by update
    std::optional<CheckpointRow> lastCheckpoint(std::int64_t runId);
    std::vector<ArchitectureRow> architectures(std::int64_t runId); // by id
    std::vector<CandidateRow> candidates(std::int64_t runId);       // by generation, fitness
    std::vector<GenerationRow> generations(std::int64_t runId);     // by generation
    std::vector<RoutingSnapshot> routingStats(std::int64_t runId);  // by update
    // Events with seq >= fromSeq, in order, at most `limit` (for replay in pages).
    std::vector<Event> events(std::int64_t runId, std::int64_t fromSeq = 1, std::int64_t limit = 1 << 30);
    std::int64_t lastSeq(std::int64_t runId);

private:
    static Database openWriter(const std::string& path);
    // The reader's prepared statement for `sql`, prepared on first use. Call with readerMutex_ held.
    Statement& prepared(const char* sql);

    const std::string path_;
    EventWriter writer_;
    std::mutex readerMutex_; // the reader connection serves one query at a time
    Database reader_;
    std::unordered_map<const char*, Statement> statements_;
};

} // namespace automoe
