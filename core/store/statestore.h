#pragma once

#include "base/result.h"
#include "store/storeconfig.h"
#include "store/syncstate.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace Conflux::Store {

// Where a project version came from.
enum class ProjectVersionSource {
    Deploy, // uploaded through the admin API
    Folder, // loaded from a project folder on the node
    Rollback, // a copy of an earlier version, made by a rollback
};
QString projectVersionSourceToString(ProjectVersionSource source); // "deploy", "folder", "rollback"
std::optional<ProjectVersionSource> projectVersionSourceFromString(const QString &text);

// A project bundle to store as the next version.
struct NewProjectVersion
{
    QByteArray bundle; // the deployed bundle, stored as is (may be several MB)
    QString sha256; // lowercase hex SHA-256 of `bundle`; empty: computed by the store
    ProjectVersionSource source = ProjectVersionSource::Deploy;
    QString comment;
    QString actor; // who deployed it (token name, user, "node")
};

// A stored version without its bundle.
struct ProjectVersionInfo
{
    qint64 version = 0; // 1, 2, 3, ... in the order of addProjectVersion()
    QString sha256;
    ProjectVersionSource source = ProjectVersionSource::Deploy;
    QString comment;
    QString actor;
    QDateTime createdAt; // UTC, millisecond precision
    qint64 size = 0; // bundle size in bytes
    bool isActive = false;
};

struct ProjectVersion
{
    ProjectVersionInfo info;
    QByteArray bundle;
};

// An admin API token. The store only ever sees a hash of the token (computed by the caller);
// the plaintext is shown once to whoever created it and never stored.
struct ApiToken
{
    qint64 id = 0;
    QString name; // unique
    QString tokenHash; // unique
    QDateTime createdAt; // UTC
    std::optional<QDateTime> lastUsedAt; // UTC; empty until first use
};

struct AuditEntry
{
    qint64 id = 0; // assigned by the store
    QDateTime time; // UTC; an invalid time means "now" when appending
    QString actor;
    QString action; // e.g. "project.deploy", "token.revoke"
    QString details; // JSON text (object or array); empty means "{}"
};

// The runtime state of a node: deployed project versions, admin tokens, settings, audit log,
// and the state of the sync engine (runs, checkpoints, leases, scheduled fires, rejected
// records, conflicts, row hashes).
//
// Create one with create(), then call open() once before anything else. Every other call
// before a successful open() returns the error "store_not_open".
//
// Errors: every operation returns a Result. Failures carry a stable `code` ("store_*") and a
// message naming the store (file or server, never the password), the operation and the
// driver's text. A failing database never crashes the process, and a failed write leaves
// the store as it was (each operation is one transaction).
//
// Threading: all member functions may be called concurrently from any threads once open()
// has returned successfully. Each calling thread gets its own database connection, opened on
// its first call and kept until releaseThreadConnection() or the store's destruction; use
// long-lived threads (a thread pool), or release before a short-lived thread ends. The store
// must outlive those calls and must be destroyed while no call is running. A connection the
// server dropped makes the call that finds it fail ("store_query_failed"); the thread's next
// call connects again.
//
// Error codes:
//   store_invalid_config     the StoreConfig is unusable (no file path, bad schema name, ...)
//   store_driver_missing     the Qt SQL driver for the backend is not installed
//   store_open_failed        the database cannot be opened or reached
//   store_not_a_database     the SQLite file is not a database, or is not Conflux's
//   store_newer_than_binary  the database was migrated by a newer Conflux; left untouched
//   store_migration_failed   a schema migration failed (rolled back)
//   store_not_open           open() has not succeeded
//   store_query_failed       a statement failed
//   store_not_found          the version/token named by the call does not exist
//   store_duplicate          a unique name or hash is taken
//   store_invalid_argument   bad input (digest mismatch, invalid JSON, ...)
//   store_corrupt            stored data failed a consistency check
class StateStore
{
public:
    virtual ~StateStore() = default;
    StateStore(const StateStore &) = delete;
    StateStore &operator=(const StateStore &) = delete;

    // The SQLite or PostgreSQL implementation for `config`. Does not touch the database.
    static std::unique_ptr<StateStore> create(const StoreConfig &config);

    // The newest schema version this binary knows.
    static int latestSchemaVersion();

    // Connects, prepares the connection and runs the pending schema migrations, each in its
    // own transaction. A database at a newer schema version than latestSchemaVersion() is
    // refused with "store_newer_than_binary" and not modified. Calling open() again after it
    // succeeded does nothing.
    virtual Result<void> open() = 0;
    virtual bool isOpen() const = 0;

    // The schema version of the opened database (0 before open()).
    virtual int schemaVersion() const = 0;

    virtual const StoreConfig &config() const = 0;

    // Closes the calling thread's connection, if it has one. Its next call opens a new one.
    virtual void releaseThreadConnection() = 0;

    // --- project versions
    // Stores the bundle as the next version number and returns it. With makeActive, the new
    // version also becomes the active one, in the same transaction.
    virtual Result<qint64> addProjectVersion(const NewProjectVersion &version,
                                             bool makeActive = false)
        = 0;
    // All versions, newest first, without their bundles.
    virtual Result<QList<ProjectVersionInfo>> projectVersions() const = 0;
    // One version with its bundle; "store_not_found" if there is no such version,
    // "store_corrupt" if the stored bundle no longer matches its digest.
    virtual Result<ProjectVersion> projectVersion(qint64 version) const = 0;
    virtual Result<void> setActiveProjectVersion(qint64 version) = 0;
    // The active version; empty when none was activated yet.
    virtual Result<std::optional<qint64>> activeProjectVersion() const = 0;

    // --- admin API tokens (hashes only)
    // Returns the new token's id; "store_duplicate" if the name or the hash exists already.
    virtual Result<qint64> addApiToken(const QString &name, const QString &tokenHash) = 0;
    virtual Result<std::optional<ApiToken>> findApiTokenByHash(const QString &tokenHash) const = 0;
    // All tokens ordered by name.
    virtual Result<QList<ApiToken>> apiTokens() const = 0;
    // Deletes the token; "store_not_found" if there is none with that name.
    virtual Result<void> revokeApiToken(const QString &name) = 0;
    virtual Result<void> recordApiTokenUse(qint64 id, const QDateTime &when) = 0;

    // --- settings
    virtual Result<std::optional<QString>> setting(const QString &key) const = 0;
    virtual Result<void> setSetting(const QString &key, const QString &value) = 0;
    virtual Result<void> removeSetting(const QString &key) = 0;
    virtual Result<QMap<QString, QString>> settings() const = 0;

    // --- audit log
    // Appends an entry and returns its id. `details` must be empty or JSON text.
    virtual Result<qint64> appendAudit(const AuditEntry &entry) = 0;
    // At most `limit` entries, newest first (by time, then by insertion order).
    virtual Result<QList<AuditEntry>> auditEntries(int limit = 100) const = 0;

    // --- sync engine (types in syncstate.h)
    // Job ids, holders and node names are opaque text; a job id must not be empty. Lists are
    // newest first and hold at most `limit` entries (at least 1). JSON arguments are checked:
    // "store_invalid_argument" names the field that is not JSON of the expected kind.

    // Runs. Records a run as "running" (whatever run.status says) and returns its id. The
    // trigger must be one of "manual", "schedule", "poll", "webhook", "message"; counts must
    // not be negative; id, finishedAt and checkpointAfter are ignored.
    virtual Result<qint64> startSyncRun(const SyncRunRecord &run) = 0;
    // Ends the run run.id: writes status ("succeeded", "failed", "cancelled" or
    // "interrupted"), finishedAt, the counts, checkpointAfter, errors and reconciliation.
    // "store_not_found" if there is no such run; "store_invalid_argument" if it is not running
    // any more (finished, or marked interrupted by interruptSyncRuns()).
    virtual Result<void> finishSyncRun(const SyncRunRecord &run) = 0;
    // The runs of a job (empty jobId: of all jobs), by start time then id, newest first.
    virtual Result<QList<SyncRunRecord>> syncRuns(const QString &jobId, int limit = 100) const = 0;
    virtual Result<std::optional<SyncRunRecord>> syncRun(qint64 id) const = 0;
    // Marks every "running" run of `node` "interrupted" (finished now) and returns how many:
    // a node restarting after a crash calls this before it runs anything.
    virtual Result<int> interruptSyncRuns(const QString &node) = 0;
    // Stores a reconciliation result (a JSON object) with run `runId`, in any status, replacing
    // the one it had. "store_not_found" if there is no such run.
    virtual Result<void> setSyncRunReconciliation(qint64 runId, const QString &reconciliation) = 0;

    // Checkpoints: one per job.
    virtual Result<std::optional<SyncCheckpoint>> syncCheckpoint(const QString &jobId) const = 0;
    // Creates or replaces the job's checkpoint. The cursor must be JSON (any value).
    virtual Result<void> saveSyncCheckpoint(const SyncCheckpoint &checkpoint) = 0;
    // Forgets the job's checkpoint (the next run reads everything); no error if there is none.
    virtual Result<void> clearSyncCheckpoint(const QString &jobId) = 0;

    // Leases: at most one runner per job among all nodes sharing this store. Expiry is judged
    // by the database's clock on PostgreSQL (nodes' clocks may differ) and by this process's
    // clock on SQLite. On PostgreSQL the lease row is read with FOR UPDATE SKIP LOCKED: a row
    // that a concurrent acquirer holds locked counts as taken, without waiting — except for
    // the lease's own unexpired holder, whose renewal waits for that acquirer and succeeds.
    // True when the lease was free or expired (now held by `holder` for ttlMs), or already held
    // by `holder` (renewed: it expires ttlMs from now); false while another holder's lease
    // has not expired. ttlMs must be between 1 and a year; the holder must not be empty.
    virtual Result<bool> acquireSyncLease(const QString &jobId, const QString &holder, qint64 ttlMs)
        = 0;
    // Gives up the lease if `holder` holds it; does nothing otherwise (expired and taken by
    // another, or never held).
    virtual Result<void> releaseSyncLease(const QString &jobId, const QString &holder) = 0;
    // The holder of the job's unexpired lease; empty when nobody holds it.
    virtual Result<std::optional<QString>> syncLeaseHolder(const QString &jobId) const = 0;

    // Scheduled fires: each fire time of a job runs once among all nodes. True for the one
    // caller that records (jobId, fireTime) first, false for every other caller with the same
    // pair (on any node). fireTime must be valid; it is kept with millisecond precision. The
    // store keeps the newest 100 fire times per job and prunes older ones in the same call; a
    // fire time older than all of those is refused (false), as nobody can tell whether it ran.
    virtual Result<bool> claimScheduledFire(const QString &jobId, const QDateTime &fireTime,
                                            const QString &holder)
        = 0;
    // The newest claimed fire time of the job; empty if none was claimed.
    virtual Result<std::optional<QDateTime>> lastScheduledFire(const QString &jobId) const = 0;

    // Rejected records. Adds all of them in one transaction (all or none); record must be
    // JSON, reasons a JSON array (empty: "[]").
    virtual Result<void> addSyncRejects(const QList<SyncReject> &rejects) = 0;
    // The rejects of a job (empty jobId: of all jobs), of one run when runId is not 0, by time
    // then id, newest first.
    virtual Result<QList<SyncReject>> syncRejects(const QString &jobId, qint64 runId = 0,
                                                  int limit = 100) const = 0;
    // Deletes all rejects of the job and returns how many.
    virtual Result<int> purgeSyncRejects(const QString &jobId) = 0;

    // Conflicts. Adds them, all or none, as "open". A conflict replaces the job's open
    // conflict with the same key (which disappears with its id, so a person deciding on the
    // old one gets "store_not_found" instead of resolving data they have not seen); resolved
    // conflicts stay as history. Within one call, the last conflict of a key wins.
    virtual Result<void> addSyncConflicts(const QList<SyncConflict> &conflicts) = 0;
    // Conflicts of a job (empty: of all jobs) with a status ("open", "resolved"; empty: any),
    // by detection time then id, newest first.
    virtual Result<QList<SyncConflict>> syncConflicts(const QString &jobId,
                                                      const QString &status = QString(),
                                                      int limit = 100) const = 0;
    virtual Result<std::optional<SyncConflict>> syncConflict(qint64 id) const = 0;
    // Resolves one open conflict as "source", "target" or "custom", by `actor` (not empty).
    // resolvedRecord is the record that was written: required JSON for "custom"; for
    // "source"/"target" empty means the chosen side's record. "store_not_found" if there is
    // no such conflict; "store_invalid_argument" if it is resolved already, the resolution is
    // unknown or the record is not JSON.
    virtual Result<void> resolveSyncConflict(qint64 id, const QString &resolution,
                                             const QString &resolvedRecord, const QString &actor)
        = 0;
    // Resolves every open conflict of the job as "source" or "target" (each one's resolved
    // record is that side's record) and returns how many.
    virtual Result<int> resolveSyncConflicts(const QString &jobId, const QString &resolution,
                                             const QString &actor)
        = 0;

    // Row hashes: the hash of every record a job wrote, by record key, for change detection
    // without a cursor and for finding deletes (mirror mode).
    // Calls visit(key, hash) for every row of the job, in key order (byte order of the UTF-8
    // keys, the same on both backends), until it returns false.
    // Rows are read in pages of a few thousand, so memory stays small for any count and visit
    // may call the store; rows written by others during the walk may or may not be seen.
    virtual Result<void> forEachSyncRowHash(
        const QString &jobId,
        const std::function<bool(const QString &key, const QByteArray &hash)> &visit) const = 0;
    // Upserts and removes in one transaction (all or none), in batched statements; 100,000
    // rows per call are fine. Keys and hashes must not be empty; a key upserted twice keeps
    // the last hash; removals apply after upserts, so a key in both lists ends up removed.
    virtual Result<void> writeSyncRowHashes(const QString &jobId,
                                            const QList<std::pair<QString, QByteArray>> &upserts,
                                            const QStringList &removals)
        = 0;
    virtual Result<qint64> syncRowHashCount(const QString &jobId) const = 0;
    virtual Result<void> clearSyncRowHashes(const QString &jobId) = 0;

protected:
    StateStore() = default;
};

} // namespace Conflux::Store
