#include "store/RunStore.h"

#include "store/Schema.h"
#include "store/StoreError.h"
#include "util/Logging.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace automoe {

namespace {

constexpr int kBusyTimeoutMs = 10000;

std::int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

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

private:
    Statement& st_;
};

const char* const kNotSqlite = "is not an SQLite database (wrong header); it was left unchanged. Move it "
                               "aside or choose another file for the run store";

// Checks an existing file without writing to it: its header, its schema version, PRAGMA quick_check.
void probeExisting(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size == 0) return; // missing or empty: SQLite creates a fresh database
    char header[16] = {};
    std::ifstream in(path, std::ios::binary);
    in.read(header, sizeof header);
    if (size < 100 || !in || std::memcmp(header, "SQLite format 3", 16) != 0)
        throw StoreError(path, kNotSqlite);

    try {
        Database probe(path, Database::Mode::ReadOnly);
        sqlite3_busy_timeout(probe.handle(), kBusyTimeoutMs);
        const int found = int(probe.queryInt("PRAGMA user_version"));
        if (found > Schema::currentVersion()) throw StoreError(path, Schema::newerVersionMessage(found));
        const std::string check = probe.queryText("PRAGMA quick_check(1)");
        if (check != "ok")
            throw StoreError(path,
                             "is damaged (PRAGMA quick_check: " + check +
                                 "); it was left unchanged. Restore a backup or move it aside",
                             SQLITE_CORRUPT);
    } catch (const StoreError& e) {
        if (e.sqliteCode() == SQLITE_NOTADB) throw StoreError(path, kNotSqlite, SQLITE_NOTADB);
        if (e.sqliteCode() == SQLITE_CORRUPT && e.message().rfind("is damaged", 0) != 0)
            throw StoreError(path,
                             "is damaged (" + e.message() +
                                 "); it was left unchanged. Restore a backup "
                                 "or move it aside",
                             SQLITE_CORRUPT);
        throw;
    }
}

} // namespace

std::string RunStore::defaultPath() {
    return userDataDir() + "/runs.sqlite";
}

Database RunStore::openWriter(const std::string& path) {
    probeExisting(path);
    Database db(path, Database::Mode::ReadWrite);
    db.configureConnection(kBusyTimeoutMs);
    // WAL: one writer and any number of readers at once, and commits that survive a killed process.
    const std::string mode = db.queryText("PRAGMA journal_mode=WAL");
    if (mode != "wal")
        spdlog::warn("{}: the run database could not use WAL mode (journal_mode={}); readers may wait for "
                     "the writer",
                     path, mode);
    Schema::migrate(db);
    return db;
}

RunStore::RunStore(std::string path, EventWriter::Options writerOptions)
    : path_(std::move(path))
    , writer_(openWriter(path_), writerOptions)
    , reader_(path_, Database::Mode::ReadWrite) {
    sqlite3_busy_timeout(reader_.handle(), kBusyTimeoutMs);
    reader_.exec("PRAGMA query_only=ON");
}

RunStore::~RunStore() = default; // the writer flushes in its destructor

Statement& RunStore::prepared(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, Statement(reader_, sql)).first;
    return it->second;
}

int RunStore::schemaVersion() {
    std::lock_guard<std::mutex> lock(readerMutex_);
    return int(reader_.queryInt("PRAGMA user_version"));
}

std::string RunStore::integrityCheck() {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Statement st(reader_, "PRAGMA integrity_check");
    std::string text;
    while (st.step())
        text += (text.empty() ? "" : "\n") + st.columnText(0);
    return text;
}

std::int64_t RunStore::createRun(const RunSpec& spec) {
    std::int64_t id = 0;
    writer_.run([&](Database& db) {
        Statement st(db,
                     "INSERT INTO runs(name, kind, status, created, updated, config, space, corpus, seed) "
                     "VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?)");
        const std::int64_t now = nowMs();
        st.bind(1, spec.name).bind(2, spec.kind).bind(3, now).bind(4, now).bind(5, spec.config.dump());
        st.bind(6, spec.space.dump()).bind(7, spec.corpus.dump()).bind(8, std::int64_t(spec.seed));
        st.run();
        id = db.lastInsertRowId();
    });
    return id;
}

void RunStore::setRunStatus(std::int64_t runId, RunStatus status) {
    writer_.run([&](Database& db) {
        Statement st(db, "UPDATE runs SET status = ?, updated = ? WHERE id = ?");
        st.bind(1, toString(status)).bind(2, nowMs()).bind(3, runId).run();
        if (db.changes() != 1) throw StoreError(db.path(), "no run with id " + std::to_string(runId));
    });
    writer_.append(Event::make(runId, "run_status", {{"status", toString(status)}}));
    writer_.flush();
}

std::vector<RunSummary> RunStore::listRuns() {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT r.id, r.name, r.kind, r.status, r.created, "
                    "(SELECT MAX(t.update_no) FROM training_steps t WHERE t.run_id = r.id) "
                    "FROM runs r ORDER BY r.created DESC, r.id DESC"));
    std::vector<RunSummary> out;
    while (st->step()) {
        RunSummary s;
        s.id = st->columnInt(0);
        s.name = st->columnText(1);
        s.kind = st->columnText(2);
        s.status = runStatusFromString(st->columnText(3));
        s.createdMs = st->columnInt(4);
        if (!st->columnIsNull(5)) s.latestUpdate = st->columnInt(5);
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<RunInfo> RunStore::getRun(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT id, name, kind, status, created, updated, config, space, corpus, seed "
                    "FROM runs WHERE id = ?"));
    st->bind(1, runId);
    if (!st->step()) return std::nullopt;
    RunInfo r;
    r.id = st->columnInt(0);
    r.spec.name = st->columnText(1);
    r.spec.kind = st->columnText(2);
    r.status = runStatusFromString(st->columnText(3));
    r.createdMs = st->columnInt(4);
    r.updatedMs = st->columnInt(5);
    r.spec.config = parseJson(st->columnText(6));
    r.spec.space = parseJson(st->columnText(7));
    r.spec.corpus = parseJson(st->columnText(8));
    r.spec.seed = std::uint64_t(st->columnInt(9));
    return r;
}

std::vector<TrainingStepRow> RunStore::trainingSteps(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared(
        "SELECT t.update_no, t.loss, t.nll, t.lb_loss, t.lr, t.tokens, t.arch_key, t.wall_ms, a.json "
        "FROM training_steps t LEFT JOIN architectures a ON a.run_id = t.run_id AND a.key = t.arch_key "
        "WHERE t.run_id = ? ORDER BY t.update_no"));
    st->bind(1, runId);
    std::vector<TrainingStepRow> out;
    while (st->step()) {
        TrainingStepRow r;
        r.update = st->columnInt(0);
        r.loss = st->columnDouble(1);
        r.nll = st->columnDouble(2);
        r.lbLoss = st->columnDouble(3);
        r.lr = st->columnDouble(4);
        r.tokens = st->columnInt(5);
        r.archKey = st->columnText(6);
        r.wallMs = st->columnDouble(7);
        if (!st->columnIsNull(8)) r.arch = parseJson(st->columnText(8));
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<ValidationRow> RunStore::validations(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT update_no, subnet, loss, bleu FROM validations WHERE run_id = ? "
                    "ORDER BY update_no, subnet"));
    st->bind(1, runId);
    std::vector<ValidationRow> out;
    while (st->step())
        out.push_back(
            {st->columnInt(0), st->columnText(1), st->columnDouble(2), st->columnOptionalDouble(3)});
    return out;
}

std::vector<CheckpointRow> RunStore::checkpoints(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared(
        "SELECT update_no, path, bytes, created FROM checkpoints WHERE run_id = ? ORDER BY update_no"));
    st->bind(1, runId);
    std::vector<CheckpointRow> out;
    while (st->step())
        out.push_back({st->columnInt(0), st->columnText(1), st->columnInt(2), st->columnInt(3)});
    return out;
}

std::optional<CheckpointRow> RunStore::lastCheckpoint(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT update_no, path, bytes, created FROM checkpoints WHERE run_id = ? "
                    "ORDER BY update_no DESC LIMIT 1"));
    st->bind(1, runId);
    if (!st->step()) return std::nullopt;
    return CheckpointRow{st->columnInt(0), st->columnText(1), st->columnInt(2), st->columnInt(3)};
}

std::vector<ArchitectureRow> RunStore::architectures(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT id, key, json FROM architectures WHERE run_id = ? ORDER BY id"));
    st->bind(1, runId);
    std::vector<ArchitectureRow> out;
    while (st->step())
        out.push_back({st->columnInt(0), st->columnText(1), parseJson(st->columnText(2))});
    return out;
}

std::vector<CandidateRow> RunStore::candidates(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared(
        "SELECT c.generation, a.id, a.key, a.json, c.fitness, c.flops, c.params_active, c.latency_ms, "
        "c.predicted_latency_ms, c.feasible FROM candidates c JOIN architectures a "
        "ON a.id = c.architecture_id WHERE c.run_id = ? ORDER BY c.generation, c.fitness, a.id"));
    st->bind(1, runId);
    std::vector<CandidateRow> out;
    while (st->step()) {
        CandidateRow c;
        c.generation = st->columnInt(0);
        c.architecture = {st->columnInt(1), st->columnText(2), parseJson(st->columnText(3))};
        c.fitness = st->columnDouble(4);
        c.flops = st->columnDouble(5);
        c.paramsActive = st->columnInt(6);
        c.latencyMs = st->columnOptionalDouble(7);
        c.predictedLatencyMs = st->columnOptionalDouble(8);
        c.feasible = st->columnInt(9) != 0;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<GenerationRow> RunStore::generations(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared(
        "SELECT generation, hypervolume, front FROM generations WHERE run_id = ? ORDER BY generation"));
    st->bind(1, runId);
    std::vector<GenerationRow> out;
    while (st->step())
        out.push_back({st->columnInt(0), st->columnDouble(1), parseJson(st->columnText(2))});
    return out;
}

std::vector<RoutingSnapshot> RunStore::routingStats(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared(
        "SELECT update_no, stack, layer, expert, tokens_fraction FROM routing_stats WHERE run_id = ? "
        "ORDER BY update_no, stack DESC, layer, expert"));
    st->bind(1, runId);
    std::vector<RoutingSnapshot> out;
    while (st->step()) {
        const std::int64_t update = st->columnInt(0);
        if (out.empty() || out.back().update != update) out.push_back({update, {}});
        out.back().rows.push_back(
            {st->columnText(1), int(st->columnInt(2)), int(st->columnInt(3)), st->columnDouble(4)});
    }
    return out;
}

std::vector<Event> RunStore::events(std::int64_t runId, std::int64_t fromSeq, std::int64_t limit) {
    std::lock_guard<std::mutex> lock(readerMutex_);
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

std::int64_t RunStore::lastSeq(std::int64_t runId) {
    std::lock_guard<std::mutex> lock(readerMutex_);
    Use st(prepared("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?"));
    st->bind(1, runId);
    return st->step() ? st->columnInt(0) : 0;
}

} // namespace automoe
