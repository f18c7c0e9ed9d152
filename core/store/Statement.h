// A prepared SQLite statement (RAII over sqlite3_stmt*), meant to be prepared once and reused: bind by
// 1-based index, step through rows, read columns by 0-based index, reset for the next use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace automoe {

class Database;

class Statement {
public:
    Statement(Database& db, const std::string& sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement& bind(int index, bool value) { return bind(index, std::int64_t(value ? 1 : 0)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, std::nullptr_t);
    template <typename T> Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }

    // Advances to the next row: true while a row is available, false when done. Throws on error.
    bool step();
    // Steps to completion (for statements without result rows) and resets.
    void run();
    // Makes the statement ready to run again and clears its bindings; ends its read snapshot.
    void reset() noexcept;

    std::int64_t columnInt(int index) const;
    double columnDouble(int index) const;
    std::string columnText(int index) const;
    bool columnIsNull(int index) const;
    std::optional<double> columnOptionalDouble(int index) const;

private:
    void check(int rc, const char* what) const;

    sqlite3_stmt* stmt_ = nullptr;
    Database* db_ = nullptr;
};

} // namespace automoe
