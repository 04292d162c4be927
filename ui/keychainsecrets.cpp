#include "keychainsecrets.h"

#include "base/log.h"
#include "secretstore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Conflux::Ui::KeychainSecrets", text);
}

void collect(const QJsonValue &value, QStringList &names)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.size() == 1 && object.value(u"secret"_s).isString()) {
            const QString name = object.value(u"secret"_s).toString();
            if (!names.contains(name))
                names.append(name);
            return;
        }
        for (auto it = object.begin(); it != object.end(); ++it)
            collect(it.value(), names);
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            collect(item, names);
    }
}

struct Reading
{
    QPointer<SecretStore> store;
    QPointer<QObject> context;
    QStringList pending;
    QHash<QString, QString> values;
    QHash<QString, Error> failures;
    std::function<void(std::shared_ptr<KeychainSecrets>)> done;
};

void readNext(const std::shared_ptr<Reading> &reading)
{
    if (!reading->context)
        return;
    if (reading->pending.isEmpty()) {
        reading->done(std::make_shared<KeychainSecrets>(std::move(reading->values), std::move(reading->failures)));
        return;
    }
    const QString name = reading->pending.takeFirst();
    if (!reading->store) {
        reading->failures.insert(name, makeError("keychain_unavailable",
                                                 tr("The secret \"%1\" is needed, and no OS keychain is available here")
                                                     .arg(name)));
        readNext(reading);
        return;
    }
    reading->store->read(name, reading->context, [reading, name](Result<QString> value) {
        if (value)
            reading->values.insert(name, *value);
        else
            reading->failures.insert(name, value.error());
        readNext(reading);
    });
}

} // namespace

KeychainSecrets::KeychainSecrets(QHash<QString, QString> values, QHash<QString, Error> failures)
    : m_values(std::move(values))
    , m_failures(std::move(failures))
{
}

Result<QString> KeychainSecrets::resolve(const QString &name) const
{
    if (!isValidName(name))
        return makeError("secret_invalid_name", tr("\"%1\" is not a secret name").arg(name));
    if (const auto failure = m_failures.constFind(name); failure != m_failures.constEnd())
        return *failure;
    const auto it = m_values.constFind(name);
    if (it == m_values.constEnd())
        return makeError("secret_not_found", tr("The secret \"%1\" is not in the OS keychain").arg(name));
    Log::addSecretValue(*it);
    return *it;
}

QString KeychainSecrets::describe() const
{
    return tr("the OS keychain");
}

QStringList secretReferences(const QJsonValue &value)
{
    QStringList names;
    collect(value, names);
    return names;
}

void readKeychainSecrets(SecretStore *store, const QStringList &names, QObject *context,
                         std::function<void(std::shared_ptr<KeychainSecrets>)> done)
{
    auto reading = std::make_shared<Reading>();
    reading->store = store;
    reading->context = context;
    reading->pending = names;
    reading->done = std::move(done);
    readNext(reading);
}

} // namespace Conflux::Ui
