#include "store/RunStore.h"

#include "store/Schema.h"
#include "store/StoreError.h"
#include "util/Clock.h"
#include "util/Logging.h"

#include <chrono>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <stdexcept>

namespace automoe {

namespace {

// Checks an existing file through a read-only SQLite connection, never through a descriptor of our own (see
// RunReader.h): its header and schema version, and, when opening for writing is about to rewrite it (a
// migration, the switch to WAL mode), PRAGMA quick_check, so that a damaged file is refused untouched.
void probeExisting(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size == 0) return; // missing or empty: SQLite creates a fresh database

    try {
        Database probe(path, Database::Mode::ReadOnly);
        sqlite3_busy_timeout(probe.handle(), kBusyTimeoutMs);
        const int version = Schema::versionOf(probe); // refuses foreign and newer files
        const bool rewrites =
            version < Schema::currentVersion() || probe.queryText("PRAGMA journal_mode") != "wal";
        if (!rewrites) return;
        const std::string check = probe.queryText("PRAGMA quick_check(1)");
        if (check != "ok")
            throw StoreError(path,
                             "is damaged (PRAGMA quick_check: " + check +
                                 "); it was left unchanged. Restore a backup or move it aside",
                             SQLITE_CORRUPT);
    } catch (const StoreError& e) {
        if (e.sqliteCode() == SQLITE_CORRUPT && e.message().rfind("is damaged", 0) != 0)
            throw StoreError(path,
                             "is damaged (" + e.message() +
                                 "); it was left unchanged. Restore a backup or move it aside",
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
    : RunStore(openWriter(path), writerOptions) {}

// The writer connection is opened (creating and migrating the file) before the reader's read-only one.
RunStore::RunStore(Database writer, EventWriter::Options writerOptions)
    : RunReader(writer.path(), Database(writer.path(), Database::Mode::ReadOnly), {})
    , writer_(std::move(writer), writerOptions) {}

RunStore::~RunStore() {
    writer_.flush();
    closeConnection(); // the writer closes last (its destructor flushes again) and folds the WAL in
}

std::int64_t RunStore::createRun(const RunSpec& spec) {
    std::int64_t id = 0;
    writer_.run([&](Database& db) {
        Statement st(db,
                     "INSERT INTO runs(name, kind, status, created, updated, config, space, corpus, seed) "
                     "VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?)");
        const std::int64_t now = wallClockMs();
        st.bind(1, spec.name).bind(2, spec.kind).bind(3, now).bind(4, now).bind(5, spec.config.dump());
        st.bind(6, spec.space.dump()).bind(7, spec.corpus.dump()).bind(8, std::int64_t(spec.seed));
        st.run();
        id = db.lastInsertRowId();
    });
    return id;
}

void RunStore::forgetCheckpoint(std::int64_t runId, std::int64_t update) {
    writer_.run([&](Database& db) {
        Statement st(db, "DELETE FROM checkpoints WHERE run_id = ? AND update_no = ?");
        st.bind(1, runId).bind(2, update).run();
    });
}

void RunStore::setRunStatus(std::int64_t runId, RunStatus status, std::int64_t timeMs) {
    if (status == RunStatus::Interrupted)
        throw std::invalid_argument("run " + std::to_string(runId) +
                                    ": \"interrupted\" is derived from a run's lock and heartbeat and is "
                                    "never stored");
    if (timeMs == 0) timeMs = wallClockMs();
    writer_.run([&](Database& db) {
        Statement st(db, "UPDATE runs SET status = ?, updated = ? WHERE id = ?");
        st.bind(1, runStatusName(status)).bind(2, timeMs).bind(3, runId).run();
        if (db.changes() != 1) throw StoreError(db.path(), "no run with id " + std::to_string(runId));
    });
    Event e = Event::make(runId, "run_status", {{"status", runStatusName(status)}});
    e.timeMs = timeMs;
    writer_.append(std::move(e));
    writer_.flush();
}

} // namespace automoe
