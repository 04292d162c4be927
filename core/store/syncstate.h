#pragma once

#include <QDateTime>
#include <QString>
#include <optional>

// The sync engine's records in the state store (see the "sync engine" calls of StateStore).
// Plain value types; every time is UTC with millisecond precision. Fields documented as JSON
// hold JSON text, which the store checks (store_invalid_argument naming the field) and returns
// as it was given.

namespace Conflux::Store {

// Where a job's incremental read stands: advanced only when the batch that reached it is
// committed, so a crash re-reads at most one batch.
struct SyncCheckpoint
{
    QString jobId;
    QString cursor; // JSON text, any JSON value (a number, a string, an object, ...)
    qint64 runId = 0; // the run that saved it; 0: none
    QDateTime updatedAt; // invalid when saving: "now"
};

// One execution of a sync job.
struct SyncRunRecord
{
    qint64 id = 0; // assigned by startSyncRun()
    QString jobId;
    QString node; // the node that runs it (interruptSyncRuns() finds a node's runs by it)
    QString trigger; // "manual", "schedule", "poll", "webhook", "message"
    QString status; // "running", "succeeded", "failed", "cancelled", "interrupted"
    QDateTime startedAt; // invalid when starting: "now"
    std::optional<QDateTime> finishedAt; // empty or invalid when finishing: "now"
    qint64 read = 0, written = 0, skipped = 0, rejected = 0, conflicts = 0, deleted = 0;
    QString checkpointBefore, checkpointAfter; // JSON text (any value) or empty
    QString errors; // JSON array text or empty
    QString reconciliation; // JSON object text or empty
};

// A record that validation rejected, kept with its reasons for a person to look at.
struct SyncReject
{
    qint64 id = 0; // assigned by the store
    QString jobId;
    qint64 runId = 0; // 0: none
    QDateTime at; // invalid when adding: "now"
    QString key; // the record's key, if it has one
    QString record; // JSON text (any value): the original record
    QString reasons; // JSON array text; empty when adding means "[]"
};

// A record changed on both sides that a person must decide on.
struct SyncConflict
{
    qint64 id = 0; // assigned by the store
    QString jobId;
    qint64 runId = 0; // 0: none
    QString key;
    // JSON text (any value); empty when adding means "null" (no record on that side).
    QString sourceRecord, targetRecord;
    QDateTime detectedAt; // invalid when adding: "now"
    QString status; // "open" or "resolved"; conflicts are always added as "open"
    QString resolution; // "", "source", "target", "custom"
    QString resolvedRecord; // JSON text once resolved: the record that was chosen or written
    QString resolvedBy;
    std::optional<QDateTime> resolvedAt;
};

} // namespace Conflux::Store
