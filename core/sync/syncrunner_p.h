#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "data/value.h"
#include "sync/syncrunner.h"

#include <memory>

// Helpers the sync runner's files share.

namespace Conflux::Sync::Internal {

QString jsonText(const Data::Value &value);
// {"code", "message", "details"?}
Data::Value errorValue(const Error &error);
// Sleeps `ms` in short steps; false (early) when `cancel` is set.
bool sleepUnlessCancelled(int ms, const Connectors::CancelToken *cancel);
Result<std::unique_ptr<Connectors::Connector>> openConnector(const SyncHost &host,
                                                             const QString &endpointId);
// `named`, or the endpoint's only entity when it is empty (discovered).
Result<QString> entityName(Connectors::Connector &connector, const QString &named);
// A row hash as stored: the hash of the source's mapped record as last synced, then — when the
// target was left holding something else (target_wins, a conflict decided for the target or a
// custom record) — the hash of what the target holds. One 16-byte hash when both agree.
inline QByteArray rowHash(const QByteArray &source, const QByteArray &target)
{
    return source == target ? source : source + target;
}
inline QByteArray sourcePart(const QByteArray &stored)
{
    return stored.left(16);
}
inline QByteArray targetPart(const QByteArray &stored)
{
    return stored.size() >= 32 ? stored.mid(16, 16) : stored.left(16);
}

// One target write, retried with backoff and a fresh connector up to the job's max_retries.
Result<Connectors::WriteSummary> writeWithRetries(const SyncJobSpec &job, const SyncHost &host,
                                                  std::unique_ptr<Connectors::Connector> &target,
                                                  const Connectors::WriteRequest &request,
                                                  const Connectors::CancelToken *cancel);

} // namespace Conflux::Sync::Internal
