// A scoped write transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() was
// called, so that an exception half-way through a migration or a batch leaves the database unchanged.
#pragma once

#include "store/Database.h"

namespace automoe {

class Transaction {
public:
    explicit Transaction(Database& db)
        : db_(db) {
        db_.exec("BEGIN IMMEDIATE");
    }
    ~Transaction() {
        if (!done_) {
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
                // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing more to undo.
            }
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit() {
        db_.exec("COMMIT");
        done_ = true;
    }

private:
    Database& db_;
    bool done_ = false;
};

} // namespace automoe
