#include "store/RunReader.h"

#include "store/RunLock.h"
#include "store/Schema.h"
#include "store/StoreError.h"
#include "util/Clock.h"

#include <chrono>
#include <filesystem>
#include <sqlite3.h>
#include <stdexcept>

namespace automoe {

namespace {

nlohmann::json parseJson(const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

// Resets a reused statement when a query is done (or throws), ending its read snapshot.
class Use {
public:
    explicit Use(Statement& st)
        : st_(st) {
        st_.reset();
    }
    ~Use() { st_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    Statement* operator->() { return &st_; }
    Statement& operator*() { return st_; }

private:
    Statement& st_;
};

CheckpointRow checkpointRow(Statement& st) {
    return {st.columnInt(0), st.columnText(1), st.columnInt(2), st.columnInt(3)};
}

// The read-only connection of a reader, after checking that `path` is a run database this program reads.
Database openChecked(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw StoreError(path, "does not exist: no run has been stored there yet (a reader never creates a "
                               "run database)");
    if (std::filesystem::is_directory(path, ec)) throw StoreError(path, "is a directory, not a run database");
    Database db(path, Database::Mode::ReadOnly);
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    const int version = Schema::versionOf(db); // refuses foreign and newer files
    // An empty file, or one a writer has created but not yet given its schema (its first transaction is
    // still open): nothing stored yet, which is not the same as a database of something else.
    if (version == 0 && db.queryInt("SELECT count(*) FROM sqlite_master") == 0)
        throw StoreError(path,
                         "is an empty SQLite database: no run has been stored there yet (a writer may be "
                         "creating it)");
    if (version == 0)
        throw StoreError(path, "is an SQLite database but not an AutoMoE Studio run database (schema version "
                               "0); choose another file for the run store");
    if (version < Schema::currentVersion())
        throw StoreError(path, "has schema version " + std::to_string(version) + ", older than version " +
                                   std::to_string(Schema::currentVersion()) +
                                   " that this AutoMoE Studio reads; upgrade it with `automoe runs migrate "
                                   "--db " +
                                   path + "` (it keeps every run)");
    return db;
}

} // namespace

RunReader::RunReader(std::string path, Options options)
    : path_(std::move(path))
    , options_(options)
    , db_(openChecked(path_)) {}

RunReader::RunReader(std::string path, Database connection, Options options)
    : path_(std::move(path))
    , options_(options)
    , db_(std::move(connection)) {
    sqlite3_busy_timeout(db_.handle(), kBusyTimeoutMs);
}

RunReader::~RunReader() = default;

void RunReader::closeConnection() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    statements_.clear();
    Database closing = std::move(db_);
}

Statement& RunReader::prepared(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, Statement(db_, sql)).first;
    return it->second;
}

int RunReader::schemaVersion() {
    std::lock_guard<std::mutex> lock(mutex_);
    return int(db_.queryInt("PRAGMA user_version"));
}

std::string RunReader::integrityCheck() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string text;
    try {
        Statement st(db_, "PRAGMA integrity_check");
        while (st.step())
            text += (text.empty() ? "" : "\n") + st.columnText(0);
    } catch (const StoreError& e) {
        // Damage bad enough to stop the check itself is its answer too.
        if (e.sqliteCode() != SQLITE_CORRUPT && e.sqliteCode() != SQLITE_NOTADB) throw;
        text += (text.empty() ? "" : "\n") + e.message();
    }
    return text;
}

RunStatus RunReader::liveStatus(std::int64_t runId, RunStatus stored, std::int64_t updatedMs) const {
    if (!isLive(stored)) return stored;
    return derivedRunStatus(stored, RunLock::isHeld(path_, runId), updatedMs, wallClockMs(),
                            options_.staleAfterMs);
}

template <typename Row, typename Read>
std::vector<Row> RunReader::rows(const char* sql, std::int64_t id, Read read) {
    std::lock_guard<std::mutex> lock(mutex_);
    Use st(prepared(sql));
    st->bind(1, id);
    std::vector<Row> out;
    while (st->step())
        out.push_back(read(*st));
    return out;
}

std::vector<RunSummary> RunReader::listRuns() {
    std::vector<RunSummary> out;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        Use st(prepared("SELECT r.id, r.name, r.kind, r.status, r.created, r.updated, "
                        "(SELECT MAX(t.update_no) FROM training_steps t WHERE t.run_id = r.id) "
                        "FROM runs r ORDER BY r.created DESC, r.id DESC"));
        while (st->step()) {
            RunSummary s;
            s.id = st->columnInt(0);
            s.name = st->columnText(1);
            s.kind = st->columnText(2);
            s.status = runStatusFromString(st->columnText(3));
            s.createdMs = st->columnInt(4);
            s.updatedMs = st->columnInt(5);
            if (!st->columnIsNull(6)) s.latestUpdate = st->columnInt(6);
            out.push_back(std::move(s));
        }
    }
    for (RunSummary& s : out)
        s.status = liveStatus(s.id, s.status, s.updatedMs);
    return out;
}

std::optional<RunInfo> RunReader::getRun(std::int64_t runId) {
    std::vector<RunInfo> found = rows<RunInfo>(
        "SELECT id, name, kind, status, created, updated, config, space, corpus, seed FROM runs WHERE id = ?",
        runId, [](Statement& st) {
            RunInfo r;
            r.id = st.columnInt(0);
            r.spec.name = st.columnText(1);
            r.spec.kind = st.columnText(2);
            r.status = runStatusFromString(st.columnText(3));
            r.createdMs = st.columnInt(4);
            r.updatedMs = st.columnInt(5);
            r.spec.config = parseJson(st.columnText(6));
            r.spec.space = parseJson(st.columnText(7));
            r.spec.corpus = parseJson(st.columnText(8));
            r.spec.seed = std::uint64_t(st.columnInt(9));
            return r;
        });
    if (found.empty()) return std::nullopt;
    found.front().status = liveStatus(runId, found.front().status, found.front().updatedMs);
    return std::move(found.front());
}

RunInfo RunReader::requireRun(std::int64_t runId, const std::string& kind) {
    std::optional<RunInfo> run = getRun(runId);
    if (!run) throw std::runtime_error("no run " + std::to_string(runId) + " in " + path_);
    if (!kind.empty() && run->spec.kind != kind)
        throw std::runtime_error("run " + std::to_string(runId) + " is a " + run->spec.kind + " run, not a " +
                                 kind + " run");
    return std::move(*run);
}

std::vector<TrainingStepRow> RunReader::trainingSteps(std::int64_t runId) {
    return rows<TrainingStepRow>(
        "SELECT t.update_no, t.loss, t.nll, t.lb_loss, t.lr, t.tokens, t.arch_key, t.wall_ms, a.json "
        "FROM training_steps t LEFT JOIN architectures a ON a.run_id = t.run_id AND a.key = t.arch_key "
        "WHERE t.run_id = ? ORDER BY t.update_no",
        runId, [](Statement& st) {
            TrainingStepRow r;
            r.update = st.columnInt(0);
            r.loss = st.columnDouble(1);
            r.nll = st.columnDouble(2);
            r.lbLoss = st.columnDouble(3);
            r.lr = st.columnDouble(4);
            r.tokens = st.columnInt(5);
            r.archKey = st.columnText(6);
            r.wallMs = st.columnDouble(7);
            if (!st.columnIsNull(8)) r.arch = parseJson(st.columnText(8));
            return r;
        });
}

std::vector<ValidationRow> RunReader::validations(std::int64_t runId) {
    return rows<ValidationRow>(
        "SELECT update_no, subnet, loss, bleu FROM validations WHERE run_id = ? ORDER BY update_no, subnet",
        runId, [](Statement& st) {
            return ValidationRow{st.columnInt(0), st.columnText(1), st.columnDouble(2),
                                 st.columnOptionalDouble(3)};
        });
}

std::vector<CheckpointRow> RunReader::checkpoints(std::int64_t runId) {
    return rows<CheckpointRow>(
        "SELECT update_no, path, bytes, created FROM checkpoints WHERE run_id = ? ORDER BY update_no", runId,
        checkpointRow);
}

std::optional<CheckpointRow> RunReader::lastCheckpoint(std::int64_t runId) {
    std::vector<CheckpointRow> last =
        rows<CheckpointRow>("SELECT update_no, path, bytes, created FROM checkpoints WHERE run_id = ? ORDER "
                            "BY update_no DESC LIMIT 1",
                            runId, checkpointRow);
    if (last.empty()) return std::nullopt;
    return std::move(last.front());
}

std::vector<ArchitectureRow> RunReader::architectures(std::int64_t runId) {
    return rows<ArchitectureRow>(
        "SELECT id, key, json FROM architectures WHERE run_id = ? ORDER BY id", runId, [](Statement& st) {
            return ArchitectureRow{st.columnInt(0), st.columnText(1), parseJson(st.columnText(2))};
        });
}

std::vector<std::pair<std::int64_t, std::string>> RunReader::architectureKeys(std::int64_t runId,
                                                                              std::int64_t afterId) {
    std::lock_guard<std::mutex> lock(mutex_);
    Use st(prepared("SELECT id, key FROM architectures WHERE run_id = ? AND id > ? ORDER BY id"));
    st->bind(1, runId).bind(2, afterId);
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (st->step())
        out.emplace_back(st->columnInt(0), st->columnText(1));
    return out;
}

std::vector<CandidateRow> RunReader::candidates(std::int64_t runId) {
    return rows<CandidateRow>(
        "SELECT c.generation, a.id, a.key, a.json, c.fitness, c.flops, c.params_active, c.latency_ms, "
        "c.predicted_latency_ms, c.feasible FROM candidates c JOIN architectures a "
        "ON a.id = c.architecture_id WHERE c.run_id = ? ORDER BY c.generation, c.fitness, a.id",
        runId, [](Statement& st) {
            CandidateRow c;
            c.generation = st.columnInt(0);
            c.architecture = {st.columnInt(1), st.columnText(2), parseJson(st.columnText(3))};
            c.fitness = st.columnDouble(4);
            c.flops = st.columnDouble(5);
            c.paramsActive = st.columnInt(6);
            c.latencyMs = st.columnOptionalDouble(7);
            c.predictedLatencyMs = st.columnOptionalDouble(8);
            c.feasible = st.columnInt(9) != 0;
            return c;
        });
}

std::vector<GenerationRow> RunReader::generations(std::int64_t runId) {
    return rows<GenerationRow>(
        "SELECT generation, hypervolume, front FROM generations WHERE run_id = ? ORDER BY generation", runId,
        [](Statement& st) {
            return GenerationRow{st.columnInt(0), st.columnDouble(1), parseJson(st.columnText(2))};
        });
}

std::vector<RoutingSnapshot> RunReader::routingStats(std::int64_t runId) {
    using Stat = std::pair<std::int64_t, RoutingStatRow>; // update, row
    const std::vector<Stat> stats = rows<Stat>(
        "SELECT update_no, stack, layer, expert, tokens_fraction FROM routing_stats WHERE run_id = ? "
        "ORDER BY update_no, stack DESC, layer, expert",
        runId, [](Statement& st) {
            return Stat{st.columnInt(0),
                        {st.columnText(1), int(st.columnInt(2)), int(st.columnInt(3)), st.columnDouble(4)}};
        });
    std::vector<RoutingSnapshot> out;
    for (const auto& [update, row] : stats) {
        if (out.empty() || out.back().update != update) out.push_back({update, {}});
        out.back().rows.push_back(row);
    }
    return out;
}

std::vector<Event> RunReader::events(std::int64_t runId, std::int64_t fromSeq, std::int64_t limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    Use st(prepared("SELECT seq, time_ms, type, payload FROM events WHERE run_id = ? AND seq >= ? "
                    "ORDER BY seq LIMIT ?"));
    st->bind(1, runId).bind(2, fromSeq).bind(3, limit);
    std::vector<Event> out;
    while (st->step()) {
        Event e;
        e.runId = runId;
        e.seq = st->columnInt(0);
        e.timeMs = st->columnInt(1);
        e.type = st->columnText(2);
        e.payload = parseJson(st->columnText(3));
        out.push_back(std::move(e));
    }
    return out;
}

std::int64_t RunReader::lastSeq(std::int64_t runId) {
    const std::vector<std::int64_t> last =
        rows<std::int64_t>("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?", runId,
                           [](Statement& st) { return st.columnInt(0); });
    return last.empty() ? 0 : last.front();
}

} // namespace automoe
