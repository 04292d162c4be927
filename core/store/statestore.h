#pragma once

#include "base/result.h"
#include "store/storeconfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <memory>
#include <optional>

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
// and (with later schema versions) the state of the engines.
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

protected:
    StateStore() = default;
};

} // namespace Conflux::Store
