#pragma once

#include <QString>

namespace Conflux::Store {

// Where a node keeps its runtime state. A plain value type; copy it freely.
//
// SQLite is the embedded default: one file in the node's data folder (the node passes
// `<dataDir>/state.db`). PostgreSQL is used when several nodes share one store.
struct StoreConfig
{
    enum class Driver { Sqlite, Postgres };

    Driver driver = Driver::Sqlite;

    // --- SQLite
    // The database file. Its folder must exist; the file is created when missing.
    QString sqlitePath;
    // synchronous=FULL instead of NORMAL: also survives power loss of the last commits, at the
    // price of one disk flush per write transaction (see sqlitestatestore.h).
    bool sqliteFullSync = false;

    // --- PostgreSQL
    QString host = QStringLiteral("127.0.0.1");
    int port = 5432;
    QString database;
    QString user;
    // Already resolved from the node's secrets; never logged and never part of an error message.
    QString password;
    // Optional schema that holds Conflux's tables (created when missing). Empty: the
    // server's default search_path (normally `public`). Lowercase letters, digits and `_` only.
    QString postgresSchema;
    // Seconds to wait for a TCP connection to the server.
    int connectTimeoutSeconds = 10;
    // Shown in pg_stat_activity, so an administrator can tell the nodes apart
    // (e.g. "conflux-node-a"). ASCII letters, digits and ._- only; anything else becomes _.
    QString applicationName = QStringLiteral("conflux");

    // --- both
    // How long a statement waits for a lock held by another connection, in milliseconds
    // (SQLite busy_timeout; PostgreSQL lock_timeout).
    int lockTimeoutMs = 10000;

    // Human-readable name of the store for messages, without the password:
    // "state store /data/state.db" or "state store postgres://conflux@db:5432/conflux (schema s)".
    QString describe() const;
};

} // namespace Conflux::Store
