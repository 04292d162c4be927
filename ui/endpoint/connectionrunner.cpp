#include "connectionrunner.h"

#include "base/log.h"
#include "data/value.h"
#include "runtime/projectendpoints.h"
#include "keychainsecrets.h"
#include "secretstore.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QThreadPool>

#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

ConnectionRunner::ConnectionRunner(SecretStore *secrets, QString projectFolder, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_projectFolder(std::move(projectFolder))
{
}

ConnectionRunner::~ConnectionRunner() = default;

QStringList ConnectionRunner::secretNames(const QJsonObject &document)
{
    return secretReferences(document);
}

void ConnectionRunner::start(Action action, const QJsonObject &document, const QString &file)
{
    if (m_busy)
        cancel();
    const quint64 run = ++m_run;
    m_action = action;
    m_document = document;
    m_file = file;
    m_pending = secretNames(document);
    setBusy(true);
    readSecrets(run);
}

void ConnectionRunner::cancel()
{
    if (!m_busy)
        return;
    ++m_run;   // a result that arrives later belongs to no run
    m_pending.clear();
    setBusy(false);
    Q_EMIT cancelled();
}

void ConnectionRunner::readSecrets(quint64 run)
{
    readKeychainSecrets(m_secrets, m_pending, this, [this, run](std::shared_ptr<KeychainSecrets> secrets) {
        if (run != m_run)
            return;
        // The first secret that could not be read, in the document's order, fails the call.
        for (const QString &name : std::as_const(m_pending)) {
            if (const auto failure = secrets->failures().constFind(name); failure != secrets->failures().constEnd()) {
                Error error = *failure;
                error.message = error.code == u"keychain_unavailable"
                    ? tr("The endpoint needs the secret \"%1\", and no OS keychain is available here").arg(name)
                    : tr("The endpoint needs the secret \"%1\" from the OS keychain: %2").arg(name, error.message);
                fail(run, error);
                return;
            }
        }
        m_pending.clear();
        runConnector(run, std::move(secrets));
    });
}

void ConnectionRunner::runConnector(quint64 run, std::shared_ptr<const Security::SecretResolver> secrets)
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
    context.secrets = std::move(secrets);

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
