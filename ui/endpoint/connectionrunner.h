#pragma once

#include "base/result.h"
#include "connectors/connector.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>
#include <vector>

namespace Conflux::Runtime {
class ProjectEndpoints;
}
namespace Conflux::Security {
class SecretResolver;
}

namespace Conflux::Ui {
class SecretStore;
}

namespace Conflux::Ui::Endpoint {

// Runs a connector call for an endpoint document the way the runtime does — the same
// registry (Runtime::ProjectEndpoints: every built-in protocol and the connector catalog),
// with the document's secret references resolved through a Security::SecretResolver — but
// with the values read from the OS keychain first (SecretStore is asynchronous; connectors
// resolve synchronously on their own thread).
//
// Connectors block, so the call runs on a thread of the global pool and its result comes
// back on the UI thread. Connection tests and discovery take no cancel token: cancel()
// stops waiting at once and drops the result; the call itself ends in the background
// within the endpoint's timeout. One call at a time; start() while busy cancels the last.
class ConnectionRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionRunner)

public:
    enum class Action : quint8 { TestConnection, Discover };

    ConnectionRunner(SecretStore *secrets, QString projectFolder, QObject *parent = nullptr);
    ~ConnectionRunner() override;

    void start(Action action, const QJsonObject &document, const QString &file);
    void cancel();
    bool isBusy() const { return m_busy; }

    // Every secret name the document refers to ({"secret": name} anywhere in it).
    static QStringList secretNames(const QJsonObject &document);

Q_SIGNALS:
    void busyChanged(bool busy);
    void tested(const Conflux::Result<Conflux::Connectors::ConnectionTest> &result);
    void discovered(const Conflux::Result<std::vector<Conflux::Connectors::Entity>> &result);
    void cancelled();

private:
    void readSecrets(quint64 run);
    void runConnector(quint64 run, std::shared_ptr<const Security::SecretResolver> secrets);
    void fail(quint64 run, const Error &error);
    void setBusy(bool busy);

    QPointer<SecretStore> m_secrets;
    QString m_projectFolder;
    std::shared_ptr<const Runtime::ProjectEndpoints> m_endpoints;
    quint64 m_run = 0;
    bool m_busy = false;
    // The call being prepared.
    Action m_action = Action::TestConnection;
    QJsonObject m_document;
    QString m_file;
    QStringList m_pending;                 // the secret names being read
};

} // namespace Conflux::Ui::Endpoint
