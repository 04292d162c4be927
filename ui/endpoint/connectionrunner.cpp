#include "connectionrunner.h"

#include "base/log.h"
#include "data/value.h"
#include "runtime/projectendpoints.h"
#include "secretstore.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QThreadPool>

#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {

// The keychain values of one run, read beforehand on the UI thread.
class KeychainValues final : public Security::SecretResolver
{
public:
    explicit KeychainValues(QHash<QString, QString> values) : m_values(std::move(values)) { }

    Result<QString> resolve(const QString &name) const override
    {
        if (!isValidName(name))
            return makeError("secret_invalid_name", QCoreApplication::translate("Conflux::Ui::EndpointDesigner",
                                                                                "\"%1\" is not a secret name")
                                                        .arg(name));
        const auto it = m_values.constFind(name);
        if (it == m_values.constEnd()) {
            return makeError("secret_not_found",
                             QCoreApplication::translate("Conflux::Ui::EndpointDesigner",
                                                         "The secret \"%1\" is not in the OS keychain")
                                 .arg(name));
        }
        Log::addSecretValue(*it);
        return *it;
    }

    QString describe() const override
    {
        return QCoreApplication::translate("Conflux::Ui::EndpointDesigner", "the OS keychain");
    }

private:
    QHash<QString, QString> m_values;
};

void collectSecrets(const QJsonValue &value, QStringList &names)
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
            collectSecrets(it.value(), names);
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            collectSecrets(item, names);
    }
}

} // namespace

ConnectionRunner::ConnectionRunner(SecretStore *secrets, QString projectFolder, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_projectFolder(std::move(projectFolder))
{
}

ConnectionRunner::~ConnectionRunner() = default;

QStringList ConnectionRunner::secretNames(const QJsonObject &document)
{
    QStringList names;
    collectSecrets(document, names);
    return names;
}

void ConnectionRunner::start(Action action, const QJsonObject &document, const QString &file)
{
    if (m_busy)
        cancel();
    const quint64 run = ++m_run;
    m_action = action;
    m_document = document;
    m_file = file;
    m_values.clear();
    m_pending = secretNames(document);
    setBusy(true);
    readNextSecret(run);
}

void ConnectionRunner::cancel()
{
    if (!m_busy)
        return;
    ++m_run;   // a result that arrives later belongs to no run
    m_values.clear();
    m_pending.clear();
    setBusy(false);
    Q_EMIT cancelled();
}

void ConnectionRunner::readNextSecret(quint64 run)
{
    if (run != m_run)
        return;
    if (m_pending.isEmpty()) {
        runConnector(run);
        return;
    }
    const QString name = m_pending.takeFirst();
    if (!m_secrets) {
        fail(run, makeError("keychain_unavailable",
                            tr("The endpoint needs the secret \"%1\", and no OS keychain is available here").arg(name)));
        return;
    }
    m_secrets->read(name, this, [this, run, name](Result<QString> value) {
        if (run != m_run)
            return;
        if (!value) {
            Error error = value.error();
            error.message = tr("The endpoint needs the secret \"%1\" from the OS keychain: %2").arg(name, error.message);
            fail(run, error);
            return;
        }
        m_values.insert(name, *value);
        readNextSecret(run);
    });
}

void ConnectionRunner::runConnector(quint64 run)
{
    if (!m_endpoints) {
        Connectors::ConnectorContext base;
        base.baseDirectory = m_projectFolder;
        // No embedded broker in the designer: conflux_broker endpoints answer "connector_unavailable".
        Result<std::unique_ptr<Runtime::ProjectEndpoints>> created = Runtime::ProjectEndpoints::create(nullptr, base);
        if (!created) {
            fail(run, created.error());
            return;
        }
        m_endpoints = std::shared_ptr<const Runtime::ProjectEndpoints>(std::move(*created));
    }
    Connectors::ConnectorContext context = m_endpoints->context();
    context.secrets = std::make_shared<KeychainValues>(std::exchange(m_values, {}));

    const std::shared_ptr<const Runtime::ProjectEndpoints> endpoints = m_endpoints;
    const Data::Value document = Data::Value::fromQJson(m_document);
    const QString file = m_file;
    const Action action = m_action;
    const QPointer<ConnectionRunner> self(this);
    QThreadPool::globalInstance()->start([endpoints, document, file, context, action, self, run] {
        Result<std::unique_ptr<Connectors::Connector>> connector =
            endpoints->registry().create(document, context, file);
        auto deliver = [self, run](auto result, auto signal) {
            // Back on the UI thread: the runner may be gone, or the run cancelled.
            QMetaObject::invokeMethod(
                qApp,
                [self, run, result = std::move(result), signal] {
                    if (!self || run != self->m_run)
                        return;
                    self->setBusy(false);
                    Q_EMIT(self.data()->*signal)(result);
                },
                Qt::QueuedConnection);
        };
        if (action == Action::TestConnection) {
            Result<Connectors::ConnectionTest> result =
                connector ? (*connector)->testConnection() : Result<Connectors::ConnectionTest>(connector.error());
            deliver(std::move(result), &ConnectionRunner::tested);
        } else {
            Result<std::vector<Connectors::Entity>> result =
                connector ? (*connector)->discover() : Result<std::vector<Connectors::Entity>>(connector.error());
            deliver(std::move(result), &ConnectionRunner::discovered);
        }
    });
}

void ConnectionRunner::fail(quint64 run, const Error &error)
{
    if (run != m_run)
        return;
    m_values.clear();
    m_pending.clear();
    setBusy(false);
    if (m_action == Action::TestConnection)
        Q_EMIT tested(Result<Connectors::ConnectionTest>(error));
    else
        Q_EMIT discovered(Result<std::vector<Connectors::Entity>>(error));
}

void ConnectionRunner::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

} // namespace Conflux::Ui::Endpoint
