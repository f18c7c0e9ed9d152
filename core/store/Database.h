// One SQLite connection (RAII over sqlite3*): opening, connection pragmas, plain SQL execution and error
// reporting that names the file. Statements are prepared against it with Statement.
#pragma once

#include <cstdint>
#include <string>

struct sqlite3;

namespace automoe {

// How long every connection of the run store waits for a lock another connection holds before it fails.
constexpr int kBusyTimeoutMs = 10000;

class Database {
public:
    enum class Mode {
        ReadOnly,  // never creates or writes the file
        ReadWrite, // creates the file if missing
    };

    Database(std::string path, Mode mode);
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs one or more SQL statements that return no rows of interest.
    void exec(const std::string& sql);
    // The first column of the first row of `sql` (0 / "" when there is no row).
    std::int64_t queryInt(const std::string& sql);
    std::string queryText(const std::string& sql);

    // Busy timeout, synchronous=NORMAL, foreign keys on: what every connection of the run store uses.
    void configureConnection(int busyTimeoutMs);

    std::int64_t lastInsertRowId() const;
    int changes() const;
    bool inTransaction() const;

    // Throws StoreError("path: what: sqlite message") for result code `rc`.
    [[noreturn]] void fail(int rc, const std::string& what) const;

    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

private:
    void close() noexcept;

    sqlite3* db_ = nullptr;
    std::string path_;
};

} // namespace automoe
