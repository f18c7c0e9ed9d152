// The error thrown by the run store: it names the database file and, when SQLite reported one, its error
// text, so that a refused or failing database can be found and inspected without a debugger.
#pragma once

#include <stdexcept>
#include <string>

namespace automoe {

class StoreError : public std::runtime_error {
public:
    StoreError(const std::string& file, const std::string& message, int sqliteCode = 0)
        : std::runtime_error(file.empty() ? message : file + ": " + message)
        , file_(file)
        , message_(message)
        , code_(sqliteCode) {}

    const std::string& file() const { return file_; }
    const std::string& message() const { return message_; }
    // The primary SQLite result code (SQLITE_BUSY, SQLITE_FULL, ...), or 0 when SQLite was not involved.
    int sqliteCode() const { return code_; }

private:
    std::string file_;
    std::string message_;
    int code_;
};

} // namespace automoe
