#pragma once

// A secret resolver over a fixed map, for tests of code that resolves secret references.

#include "security/secrets.h"

#include <QHash>
#include <QString>

namespace Conflux::Test {

class MapSecrets final : public Security::SecretResolver
{
public:
    explicit MapSecrets(QHash<QString, QString> values) : m_values(std::move(values)) { }
    Result<QString> resolve(const QString &name) const override
    {
        if (!m_values.contains(name))
            return makeError("secret_not_found", QStringLiteral("no secret ") + name);
        return m_values.value(name);
    }
    QString describe() const override { return QStringLiteral("test secrets"); }

private:
    QHash<QString, QString> m_values;
};

} // namespace Conflux::Test
