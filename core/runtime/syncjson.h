#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QString>

// The JSON shapes of the sync engine's state, as the admin API answers them (SyncApi) and
// `conflux sync --json` prints them (README "Admin API", docs/sync.md). Times are ISO 8601 UTC
// with milliseconds; what the store keeps as JSON text (checkpoints, records, errors) comes out
// as JSON values.

namespace Conflux::Store {
class StateStore;
struct SyncConflict;
struct SyncReject;
struct SyncRunRecord;
} // namespace Conflux::Store

namespace Conflux::Runtime {

class SyncJobs;

// Stored JSON text as a value: empty text is null, and text that does not parse (the store
// checks what it is given, so only a damaged database has such) is kept as a string.
Data::Value storedJson(const QString &text);

// {"id", "job", "node", "trigger", "status", "started_at", "finished_at" (null while running),
// "read", "written", "skipped", "rejected", "conflicts", "deleted", "checkpoint_before",
// "checkpoint_after" (values or null), "errors" (array), "reconciliation" (object or null),
// "duration_ms" (null while running)}
Data::Value syncRunToValue(const Store::SyncRunRecord &run);

// {"id", "job", "run" (null: none), "key" (the key's value: 42, "A-17", or [..] for a composite
// key), "status", "detected_at", "source_record", "target_record", "resolution" (null while
// open), "resolved_record", "resolved_by", "resolved_at"}
Data::Value syncConflictToValue(const Store::SyncConflict &conflict);

// {"id", "job", "run" (null: none), "at", "key" (null: the record had none), "record", "reasons"}
Data::Value syncRejectToValue(const Store::SyncReject &reject);

// One job of `jobs` with its state in `store`: {"id", "name", "strategy", "source_endpoint",
// "target_endpoint", "write_mode", "schedule"? (expression), "time_zone"?, "error"? (a job whose
// document or mapping is wrong: {"code", "message", "details"?}), "lease_holder"?, "checkpoint"?
// (the cursor value), "last_run"? (as syncRunToValue)}.
// Errors: "sync_job_not_found", and the store's.
Result<Data::Value> syncJobToValue(const SyncJobs &jobs, const QString &id,
                                   const Store::StateStore &store);

} // namespace Conflux::Runtime
