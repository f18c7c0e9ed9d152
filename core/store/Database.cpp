#include "store/Database.h"

#include "store/Statement.h"
#include "store/StoreError.h"

#include <sqlite3.h>
#include <utility>

namespace automoe {

Database::Database(std::string path, Mode mode)
    : path_(std::move(path)) {
    const int flags =
        (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX; // each connection is used by one thread at a time
    const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        close();
        throw StoreError(path_, "cannot open the database: " + msg, rc & 0xff);
    }
    sqlite3_extended_result_codes(db_, 0);
}

Database::~Database() {
    close();
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr))
    , path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

void Database::close() noexcept {
    if (db_) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
}

namespace {

// SQLITE_BUSY once the busy timeout has run out: another connection (a writer process, usually) kept its
// write transaction longer than any writer of ours does, e.g. because it is stopped. Said so, first.
std::string describe(int rc, const std::string& message) {
    if ((rc & 0xff) != SQLITE_BUSY) return message;
    return "another writer has held the database for more than " + std::to_string(kBusyTimeoutMs / 1000) +
           " s (" + message + ")";
}

} // namespace

void Database::exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw StoreError(path_, describe(rc, msg) + " (in: " + sql.substr(0, 80) + ")", rc & 0xff);
    }
}

std::int64_t Database::queryInt(const std::string& sql) {
    Statement st(*this, sql);
    return st.step() ? st.columnInt(0) : 0;
}

std::string Database::queryText(const std::string& sql) {
    Statement st(*this, sql);
    return st.step() ? st.columnText(0) : std::string();
}

void Database::configureConnection(int busyTimeoutMs) {
    sqlite3_busy_timeout(db_, busyTimeoutMs);
    // NORMAL in WAL mode: a commit survives a crash of the process; only a power loss may lose the last
    // transactions, and the database stays consistent either way.
    exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

std::int64_t Database::lastInsertRowId() const {
    return sqlite3_last_insert_rowid(db_);
}
int Database::changes() const {
    return sqlite3_changes(db_);
}
bool Database::inTransaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

void Database::fail(int rc, const std::string& what) const {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_BUSY) throw StoreError(path_, describe(rc, message) + ": " + what, rc & 0xff);
    throw StoreError(path_, what + ": " + message, rc & 0xff);
}

} // namespace automoe
