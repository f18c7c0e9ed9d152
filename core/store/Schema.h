// The run store's schema as an ordered list of migrations: migration N upgrades a database from
// `PRAGMA user_version` N-1 to N inside one transaction, so a database is always at exactly one version.
#pragma once

#include <string>
#include <vector>

namespace automoe {

class Database;

class Schema {
public:
    struct Migration {
        int version;             // the user_version after this migration
        const char* description; // for the log
        const char* sql;
    };

    // Every migration, in order; migrations()[i].version == i + 1.
    static const std::vector<Migration>& migrations();
    // The newest version this program knows.
    static int currentVersion();
    // Brings `db` (read-write, not in a transaction) to currentVersion(). Throws StoreError, leaving the
    // database unchanged, if its version is newer than currentVersion() or a migration fails.
    static void migrate(Database& db);
    // The message used when a database is newer than this program.
    static std::string newerVersionMessage(int found);
    // The schema version (PRAGMA user_version) of an open database, read without writing. Throws StoreError
    // naming the file when it is not an SQLite database or is newer than currentVersion().
    static int versionOf(Database& db);
};

} // namespace automoe
