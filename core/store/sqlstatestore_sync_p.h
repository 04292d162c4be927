#pragma once

// Helpers shared by the two parts of SqlStateStore that hold the sync engine's state:
// sqlstatestore_sync.cpp (runs, checkpoints, leases, scheduled fires; defines these) and
// sqlstatestore_syncrecords.cpp (rejects, conflicts, row hashes).

#include <QDateTime>
#include <QLatin1String>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>
#include <optional>

namespace Conflux::Store::Internal::Sync {

// "cannot <operation>: <problem>", translated.
QString cannot(const char *operation, const QString &problem);

enum class Json { Value, Array, Object };

// Why `text` is not JSON of the expected kind (naming `field`); empty when it is.
std::optional<QString> jsonProblem(const char *field, const QString &text, Json kind);
// Like jsonProblem(), but empty text is fine.
std::optional<QString> optionalJsonProblem(const char *field, const QString &text, Json kind);
std::optional<QString> limitProblem(int limit);
std::optional<QString> jobIdProblem(const QString &jobId);

// SQL NULL for "none" (0), as the run_id columns store it.
QVariant optionalId(qint64 id);
// An invalid time means "now".
qint64 msecsOrNow(const QDateTime &time);

// "ORDER BY ... LIMIT ?" lists with optional equality filters.
struct Filter
{
    QStringList conditions;
    QVariantList params;

    void add(const char *column, const QVariant &value)
    {
        conditions.append(QLatin1String(column) + QLatin1String(" = ?"));
        params.append(value);
    }
    QString where() const
    {
        return conditions.isEmpty()
            ? QString()
            : QLatin1String(" WHERE ") + conditions.join(QLatin1String(" AND "));
    }
};

} // namespace Conflux::Store::Internal::Sync
