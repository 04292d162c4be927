#include "migrations.h"

namespace Conflux::Store::Internal {
namespace {

// --- 1: project versions, admin API tokens, settings, audit log

constexpr const char *v1Sqlite[] = {
    // version is assigned by the store from project_state.last_version (no reuse, no gaps).
    "CREATE TABLE project_versions ("
    " version INTEGER PRIMARY KEY,"
    " sha256 TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " comment TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " size_bytes INTEGER NOT NULL,"
    " bundle BLOB NOT NULL)",
    "CREATE TABLE project_state ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " last_version INTEGER NOT NULL,"
    " active_version INTEGER REFERENCES project_versions (version))",
    "INSERT INTO project_state (id, last_version, active_version) VALUES (1, 0, NULL)",
    "CREATE TABLE api_tokens ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT NOT NULL UNIQUE,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " last_used_at INTEGER)",
    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL)",
    "CREATE TABLE audit_log ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " details TEXT NOT NULL)",
    "CREATE INDEX audit_log_at ON audit_log (at, id)",
};

constexpr const char *v1Postgres[] = {
    "CREATE TABLE project_versions ("
    " version BIGINT PRIMARY KEY,"
    " sha256 TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " comment TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " size_bytes BIGINT NOT NULL,"
    " bundle BYTEA NOT NULL)",
    "CREATE TABLE project_state ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " last_version BIGINT NOT NULL,"
    " active_version BIGINT REFERENCES project_versions (version))",
    "INSERT INTO project_state (id, last_version, active_version) VALUES (1, 0, NULL)",
    "CREATE TABLE api_tokens ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " created_at BIGINT NOT NULL,"
    " last_used_at BIGINT)",
    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL)",
    "CREATE TABLE audit_log ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " details TEXT NOT NULL)",
    "CREATE INDEX audit_log_at ON audit_log (at, id)",
};

constexpr Migration allMigrations[] = {
    {1, "project versions, admin tokens, settings, audit log", v1Sqlite, v1Postgres},
};

} // namespace

std::span<const Migration> migrations()
{
    return allMigrations;
}

int latestMigrationVersion()
{
    return allMigrations[std::size(allMigrations) - 1].version;
}

} // namespace Conflux::Store::Internal
