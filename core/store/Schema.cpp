#include "store/Schema.h"

#include "store/Database.h"
#include "store/StoreError.h"
#include "store/Transaction.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace automoe {

// Conventions: times are milliseconds since the Unix epoch (UTC); opaque structures (configs, spaces,
// architectures, Pareto fronts, event payloads) are JSON text; "update_no" is the training update
// (UPDATE is an SQL keyword). Typed tables are keyed by (run_id, ...) so that a resumed run that logs an
// update again replaces the row instead of duplicating it.
//
// Never edit a migration that has shipped: add a new one.
static const char* const kVersion1 = R"sql(
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    status   TEXT NOT NULL DEFAULT 'created'
             CHECK (status IN ('created','running','paused','finished','failed','cancelled')),
    created  INTEGER NOT NULL,
    config   TEXT NOT NULL DEFAULT '{}',
    space    TEXT NOT NULL DEFAULT '{}',
    corpus   TEXT NOT NULL DEFAULT '{}',
    seed     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE events (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    time_ms  INTEGER NOT NULL,
    type     TEXT NOT NULL,
    payload  TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE training_steps (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    update_no INTEGER NOT NULL,
    loss     REAL,
    nll      REAL,
    lb_loss  REAL,
    lr       REAL,
    tokens   INTEGER NOT NULL DEFAULT 0,
    arch_key TEXT,
    wall_ms  REAL,
    PRIMARY KEY (run_id, update_no)
);
CREATE TABLE validations (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    update_no INTEGER NOT NULL,
    subnet   TEXT NOT NULL,
    loss     REAL,
    bleu     REAL,
    PRIMARY KEY (run_id, update_no, subnet)
);
CREATE TABLE checkpoints (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    update_no INTEGER NOT NULL,
    path     TEXT NOT NULL,
    bytes    INTEGER NOT NULL DEFAULT 0,
    created  INTEGER NOT NULL,
    PRIMARY KEY (run_id, update_no)
);
)sql";

// Version 2: the search side of a run (architectures, candidates, generations), routing statistics, and
// runs.updated (back-filled from created).
static const char* const kVersion2 = R"sql(
ALTER TABLE runs ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET updated = created;
CREATE INDEX runs_by_created ON runs(created);
CREATE TABLE architectures (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    json     TEXT NOT NULL,
    UNIQUE (run_id, key)
);
CREATE TABLE candidates (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    architecture_id INTEGER NOT NULL REFERENCES architectures(id) ON DELETE CASCADE,
    fitness  REAL,
    flops    REAL,
    params_active INTEGER,
    latency_ms REAL,
    predicted_latency_ms REAL,
    feasible INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (run_id, generation, architecture_id)
);
CREATE INDEX candidates_by_architecture ON candidates(architecture_id);
CREATE TABLE generations (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    hypervolume REAL,
    front    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, generation)
);
CREATE TABLE routing_stats (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    update_no INTEGER NOT NULL,
    stack    TEXT NOT NULL CHECK (stack IN ('encoder','decoder')),
    layer    INTEGER NOT NULL,
    expert   INTEGER NOT NULL,
    tokens_fraction REAL NOT NULL,
    PRIMARY KEY (run_id, update_no, stack, layer, expert)
);
)sql";

const std::vector<Schema::Migration>& Schema::migrations() {
    static const std::vector<Migration> all = {
        {1, "runs, events, training steps, validations, checkpoints", kVersion1},
        {2, "architectures, candidates, generations, routing stats, runs.updated", kVersion2},
    };
    return all;
}

int Schema::currentVersion() {
    return migrations().back().version;
}

std::string Schema::newerVersionMessage(int found) {
    return "the run database has schema version " + std::to_string(found) + ", newer than version " +
           std::to_string(currentVersion()) +
           " that this AutoMoE Studio knows; open it with a newer AutoMoE Studio (the file was not modified)";
}

int Schema::versionOf(Database& db) {
    int found = 0;
    try {
        found = int(db.queryInt("PRAGMA user_version"));
    } catch (const StoreError& e) {
        if (e.sqliteCode() == SQLITE_NOTADB)
            throw StoreError(db.path(),
                             "is not an SQLite database (wrong header); it was left unchanged. Move it aside "
                             "or choose another file for the run store",
                             SQLITE_NOTADB);
        throw;
    }
    if (found > currentVersion()) throw StoreError(db.path(), newerVersionMessage(found));
    return found;
}

void Schema::migrate(Database& db) {
    for (const Migration& m : migrations()) {
        if (db.queryInt("PRAGMA user_version") >= m.version) continue;
        Transaction tx(db); // BEGIN IMMEDIATE: another process migrating at the same time waits here
        const int found = int(db.queryInt("PRAGMA user_version"));
        if (found > currentVersion()) throw StoreError(db.path(), newerVersionMessage(found));
        if (found >= m.version) continue; // someone else migrated meanwhile
        if (found != m.version - 1)
            throw StoreError(db.path(), "schema version " + std::to_string(found) +
                                            " cannot be upgraded to " + std::to_string(m.version));
        spdlog::info("{}: migrating the run database to schema version {} ({})", db.path(), m.version,
                     m.description);
        db.exec(m.sql);
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        tx.commit();
    }
}

} // namespace automoe
