// A read-only view of a run database: the queries the run list, the run views, replay and the CLI's
// reading commands need, on one read-only connection (SQLITE_OPEN_READONLY: it never creates, migrates or
// writes the file, starts no writer thread and checks no integrity when it opens). Safe beside a writer in
// this or another process: in WAL mode it neither blocks the writer nor is blocked by it, and it sees every
// transaction committed before each query starts. RunStore is a RunReader that also writes.
//
// A reader opened on a file never touches the file through anything but SQLite: closing any other
// descriptor of the database file would drop the POSIX locks SQLite holds for every connection of the
// process, and another process could then delete the WAL under them.
#pragma once

#include "store/Database.h"
#include "store/Event.h"
#include "store/RunLiveness.h"
#include "store/RunRecords.h"
#include "store/Statement.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace automoe {

struct RunReaderOptions {
    // A live run whose lock is free counts as interrupted once its heartbeat is this old (see
    // RunLiveness.h); 0: as soon as its lock is free.
    std::int64_t staleAfterMs = kStaleAfterMs;
};

class RunReader {
public:
    using Options = RunReaderOptions;

    // Opens the run database at `path` read-only. Throws StoreError naming the file when it does not
    // exist, is not an SQLite database, is an SQLite database of something else, or has a schema version
    // this program does not read (newer: open it with a newer AutoMoE Studio; older: `automoe runs migrate`
    // or any run written to it upgrades it). Nothing is written.
    explicit RunReader(std::string path, Options options = {});
    virtual ~RunReader();
    RunReader(const RunReader&) = delete;
    RunReader& operator=(const RunReader&) = delete;

    const std::string& path() const { return path_; }
    int schemaVersion();
    // The text of PRAGMA integrity_check: "ok" for a sound database, else one problem per line. Reads the
    // whole file: an explicit check (`automoe runs check`), not a cost of opening.
    std::string integrityCheck();

    // Committed data only (a writer in this process: call RunStore::flush() first to see recent appends).
    // Statuses are derived: a live run that no process executes any more is RunStatus::Interrupted.
    std::vector<RunSummary> listRuns(); // newest first
    std::optional<RunInfo> getRun(std::int64_t runId);
    // getRun() for a run that must exist, and be of `kind` when one is given. Throws std::runtime_error
    // "no run 7 in <path>" / "run 7 is a search run, not a supernet run".
    RunInfo requireRun(std::int64_t runId, const std::string& kind = {});
    std::vector<TrainingStepRow> trainingSteps(std::int64_t runId); // by update
    std::vector<ValidationRow> validations(std::int64_t runId);     // by update, subnet
    std::vector<CheckpointRow> checkpoints(std::int64_t runId);     // by update
    std::optional<CheckpointRow> lastCheckpoint(std::int64_t runId);
    std::vector<ArchitectureRow> architectures(std::int64_t runId); // by id
    // (id, key) of the run's architectures with an id above `afterId`, by id: what a follower of a live
    // search reads to name candidates by their store id without reading every architecture's JSON again.
    std::vector<std::pair<std::int64_t, std::string>> architectureKeys(std::int64_t runId,
                                                                       std::int64_t afterId = 0);
    std::vector<CandidateRow> candidates(std::int64_t runId);      // by generation, fitness
    std::vector<GenerationRow> generations(std::int64_t runId);    // by generation
    std::vector<RoutingSnapshot> routingStats(std::int64_t runId); // by update
    // Events with seq >= fromSeq, in order, at most `limit` (for replay in pages). Their `row` is empty:
    // rowFromEvent() (store/EventRows.h) decodes it from the payload.
    std::vector<Event> events(std::int64_t runId, std::int64_t fromSeq = 1, std::int64_t limit = 1 << 30);
    std::int64_t lastSeq(std::int64_t runId);

    // The status shown for a run stored as `stored` with heartbeat `updatedMs` (see RunLiveness.h).
    RunStatus liveStatus(std::int64_t runId, RunStatus stored, std::int64_t updatedMs) const;

protected:
    // For RunStore: `connection` is a read-only connection to the database at `path`, which the caller has
    // checked (and migrated) already.
    RunReader(std::string path, Database connection, Options options);
    // Closes the connection now (RunStore: before its writer, so that the writer is the last connection
    // and folds the WAL back into the file when it closes). No query may follow.
    void closeConnection() noexcept;

private:
    // The prepared statement for `sql`, prepared on first use. Call with mutex_ held.
    Statement& prepared(const char* sql);
    // `read` of every row `sql` gives with `id` bound to its parameter.
    template <typename Row, typename Read> std::vector<Row> rows(const char* sql, std::int64_t id, Read read);

    const std::string path_;
    const Options options_;
    std::mutex mutex_; // the connection serves one query at a time
    Database db_;
    std::unordered_map<const char*, Statement> statements_;
};

} // namespace automoe
