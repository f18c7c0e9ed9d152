// Small pieces the CLI subcommands share: the error type that main() turns into a one-line message and
// a non-zero exit status, and which run database a command works on.
#pragma once

#include "store/RunStore.h"

#include <stdexcept>
#include <string>

namespace automoe::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The run database of a command: its --db option, else RunStore::defaultPath().
inline std::string databasePath(const std::string& db) {
    return db.empty() ? RunStore::defaultPath() : db;
}

} // namespace automoe::cli
