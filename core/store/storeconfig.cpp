#include "storeconfig.h"

#include <QDir>

namespace Conflux::Store {

// Not translated: it names the store in logs as well as in error messages.
QString StoreConfig::describe() const
{
    if (driver == Driver::Sqlite)
        return QLatin1String("state store ") + QDir::toNativeSeparators(sqlitePath);
    QString text = QStringLiteral("state store postgres://%1%2:%3/%4")
                       .arg(user.isEmpty() ? QString() : user + QLatin1Char('@'), host,
                            QString::number(port), database);
    if (!postgresSchema.isEmpty())
        text += QStringLiteral(" (schema %1)").arg(postgresSchema);
    return text;
}

} // namespace Conflux::Store
