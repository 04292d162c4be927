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

// --- 2: sync engine: runs, checkpoints, leases, scheduled fires, rejects, conflicts, row hashes

constexpr const char *v2Sqlite[] = {
    "CREATE TABLE sync_runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " job_id TEXT NOT NULL,"
    " node TEXT NOT NULL,"
    " trigger_kind TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " started_at INTEGER NOT NULL,"
    " finished_at INTEGER,"
    " read_count INTEGER NOT NULL,"
    " written_count INTEGER NOT NULL,"
    " skipped_count INTEGER NOT NULL,"
    " rejected_count INTEGER NOT NULL,"
    " conflict_count INTEGER NOT NULL,"
    " deleted_count INTEGER NOT NULL,"
    " checkpoint_before TEXT NOT NULL,"
    " checkpoint_after TEXT NOT NULL,"
    " errors TEXT NOT NULL,"
    " reconciliation TEXT NOT NULL)",
    "CREATE INDEX sync_runs_job ON sync_runs (job_id, started_at, id)",
    "CREATE INDEX sync_runs_started ON sync_runs (started_at, id)",
    "CREATE INDEX sync_runs_running ON sync_runs (node) WHERE status = 'running'",
    "CREATE TABLE sync_checkpoints ("
    " job_id TEXT PRIMARY KEY,"
    " cursor_json TEXT NOT NULL,"
    " run_id INTEGER,"
    " updated_at INTEGER NOT NULL)",
    "CREATE TABLE sync_leases ("
    " job_id TEXT PRIMARY KEY,"
    " holder TEXT NOT NULL,"
    " acquired_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL)",
    // One row per claimed fire time: the primary key makes the claim exactly-once.
    "CREATE TABLE sync_fires ("
    " job_id TEXT NOT NULL,"
    " fire_at INTEGER NOT NULL,"
    " holder TEXT NOT NULL,"
    " claimed_at INTEGER NOT NULL,"
    " PRIMARY KEY (job_id, fire_at)) WITHOUT ROWID",
    "CREATE TABLE sync_rejects ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " job_id TEXT NOT NULL,"
    " run_id INTEGER,"
    " at INTEGER NOT NULL,"
    " record_key TEXT NOT NULL,"
    " record TEXT NOT NULL,"
    " reasons TEXT NOT NULL)",
    "CREATE INDEX sync_rejects_job ON sync_rejects (job_id, at, id)",
    "CREATE INDEX sync_rejects_run ON sync_rejects (job_id, run_id, at, id)",
    "CREATE INDEX sync_rejects_at ON sync_rejects (at, id)",
    "CREATE TABLE sync_conflicts ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " job_id TEXT NOT NULL,"
    " run_id INTEGER,"
    " record_key TEXT NOT NULL,"
    " source_record TEXT NOT NULL,"
    " target_record TEXT NOT NULL,"
    " detected_at INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " resolution TEXT NOT NULL,"
    " resolved_record TEXT NOT NULL,"
    " resolved_by TEXT NOT NULL,"
    " resolved_at INTEGER)",
    "CREATE INDEX sync_conflicts_job ON sync_conflicts (job_id, status, detected_at, id)",
    "CREATE INDEX sync_conflicts_detected ON sync_conflicts (detected_at, id)",
    // At most one open conflict per record of a job; resolved ones are history.
    "CREATE UNIQUE INDEX sync_conflicts_open_key ON sync_conflicts (job_id, record_key)"
    " WHERE status = 'open'",
    "CREATE TABLE sync_row_hashes ("
    " job_id TEXT NOT NULL,"
    " record_key TEXT NOT NULL,"
    " hash BLOB NOT NULL,"
    " PRIMARY KEY (job_id, record_key)) WITHOUT ROWID",
};

constexpr const char *v2Postgres[] = {
    "CREATE TABLE sync_runs ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " job_id TEXT NOT NULL,"
    " node TEXT NOT NULL,"
    " trigger_kind TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " started_at BIGINT NOT NULL,"
    " finished_at BIGINT,"
    " read_count BIGINT NOT NULL,"
    " written_count BIGINT NOT NULL,"
    " skipped_count BIGINT NOT NULL,"
    " rejected_count BIGINT NOT NULL,"
    " conflict_count BIGINT NOT NULL,"
    " deleted_count BIGINT NOT NULL,"
    " checkpoint_before TEXT NOT NULL,"
    " checkpoint_after TEXT NOT NULL,"
    " errors TEXT NOT NULL,"
    " reconciliation TEXT NOT NULL)",
    "CREATE INDEX sync_runs_job ON sync_runs (job_id, started_at, id)",
    "CREATE INDEX sync_runs_started ON sync_runs (started_at, id)",
    "CREATE INDEX sync_runs_running ON sync_runs (node) WHERE status = 'running'",
    "CREATE TABLE sync_checkpoints ("
    " job_id TEXT PRIMARY KEY,"
    " cursor_json TEXT NOT NULL,"
    " run_id BIGINT,"
    " updated_at BIGINT NOT NULL)",
    "CREATE TABLE sync_leases ("
    " job_id TEXT PRIMARY KEY,"
    " holder TEXT NOT NULL,"
    " acquired_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL)",
    // One row per claimed fire time: the primary key makes the claim exactly-once.
    "CREATE TABLE sync_fires ("
    " job_id TEXT NOT NULL,"
    " fire_at BIGINT NOT NULL,"
    " holder TEXT NOT NULL,"
    " claimed_at BIGINT NOT NULL,"
    " PRIMARY KEY (job_id, fire_at))",
    "CREATE TABLE sync_rejects ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " job_id TEXT NOT NULL,"
    " run_id BIGINT,"
    " at BIGINT NOT NULL,"
    " record_key TEXT NOT NULL,"
    " record TEXT NOT NULL,"
    " reasons TEXT NOT NULL)",
    "CREATE INDEX sync_rejects_job ON sync_rejects (job_id, at, id)",
    "CREATE INDEX sync_rejects_run ON sync_rejects (job_id, run_id, at, id)",
    "CREATE INDEX sync_rejects_at ON sync_rejects (at, id)",
    "CREATE TABLE sync_conflicts ("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " job_id TEXT NOT NULL,"
    " run_id BIGINT,"
    " record_key TEXT NOT NULL,"
    " source_record TEXT NOT NULL,"
    " target_record TEXT NOT NULL,"
    " detected_at BIGINT NOT NULL,"
    " status TEXT NOT NULL,"
    " resolution TEXT NOT NULL,"
    " resolved_record TEXT NOT NULL,"
    " resolved_by TEXT NOT NULL,"
    " resolved_at BIGINT)",
    "CREATE INDEX sync_conflicts_job ON sync_conflicts (job_id, status, detected_at, id)",
    "CREATE INDEX sync_conflicts_detected ON sync_conflicts (detected_at, id)",
    // At most one open conflict per record of a job; resolved ones are history.
    "CREATE UNIQUE INDEX sync_conflicts_open_key ON sync_conflicts (job_id, record_key)"
    " WHERE status = 'open'",
    // Keys in byte order, as in SQLite: the same walk order on both, and cheaper comparisons.
    "CREATE TABLE sync_row_hashes ("
    " job_id TEXT NOT NULL,"
    " record_key TEXT COLLATE \"C\" NOT NULL,"
    " hash BYTEA NOT NULL,"
    " PRIMARY KEY (job_id, record_key))",
};

constexpr Migration allMigrations[] = {
    {1, "project versions, admin tokens, settings, audit log", v1Sqlite, v1Postgres},
    {2, "sync engine: runs, checkpoints, leases, fires, rejects, conflicts, row hashes", v2Sqlite,
     v2Postgres},
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
