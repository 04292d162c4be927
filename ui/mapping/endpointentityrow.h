#pragma once

#include "base/result.h"
#include "connectors/connector.h"

#include <QJsonObject>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace Conflux::Ui {

class SecretStore;

namespace Endpoint {
class ConnectionRunner;
}

// An endpoint document of the project, as the mapping designer lists them.
struct ProjectEndpoint
{
    QString id;
    QString name;
    QString protocol;
    QString file;             // absolute path
    QJsonObject document;
    QString error;            // why the file cannot be used; empty when it can
};

// The "Source" (or "Target") row above a field tree of the mapping designer: the side's
// endpoint (a combo of the project's endpoint documents), Discover (the connector's
// discover() through Endpoint::ConnectionRunner: in the background, with the keychain's
// secrets, cancellable), and a combo of the entities found. The row edits nothing itself:
// the designer commits what its signals say, and tells it what the document holds
// (setDocumentState) after every re-read.
//
// The project's endpoints are read from endpoints/*.json on a pool thread — when the row is
// shown, and again before each discovery, so that it runs what is saved on disk.
class EndpointEntityRow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointEntityRow)

public:
    enum class Side : quint8 { Source, Target };

    EndpointEntityRow(Side side, SecretStore *secrets, QString projectFolder, QWidget *parent = nullptr);
    ~EndpointEntityRow() override;

    // The document's endpoint reference (source_endpoint or target_endpoint, empty when
    // absent) and the entity the designer remembered for it (x-designer).
    void setDocumentState(const QString &endpoint, const QString &entity);
    QString endpoint() const { return m_endpoint; }

    // Lists the project's endpoints again (in the background; endpointsListed() follows).
    void rescan();
    bool hasListed() const { return m_listed; }
    const std::vector<ProjectEndpoint> &endpoints() const { return m_endpoints; }

    void discover();
    void cancel();
    bool isBusy() const;
    const std::vector<Connectors::Entity> &entities() const { return m_entities; }

    // What the row says beside itself (a result or an error with its cause).
    QString message() const;
    bool hasError() const { return m_error; }

    QComboBox *endpointCombo() const { return m_endpointCombo; }
    QPushButton *discoverButton() const { return m_discover; }
    QPushButton *cancelButton() const { return m_cancel; }
    QComboBox *entityCombo() const { return m_entityCombo; }
    QLabel *messageLabel() const { return m_message; }

    // Lists the endpoint documents in `projectFolder`/endpoints; blocking (file reads).
    static std::vector<ProjectEndpoint> listEndpoints(const QString &projectFolder);

Q_SIGNALS:
    // The user chose another endpoint (empty: none).
    void endpointChosen(const QString &endpoint);
    // The user picked a discovered entity of `endpoint`.
    void entityChosen(const QString &endpoint, const Conflux::Connectors::Entity &entity);
    void endpointsListed();
    void discoveryFinished(bool ok);
    void busyChanged(bool busy);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onListed(quint64 generation, std::vector<ProjectEndpoint> endpoints);
    void onDiscovered(const Result<std::vector<Connectors::Entity>> &result);
    void startDiscovery();
    void fillEndpoints();
    void fillEntities();
    void setMessage(const QString &text, bool error);
    // Says what is wrong with the document's endpoint reference (no such endpoint, an
    // unreadable file), or takes back an earlier such message once it is right.
    void checkReference();
    void updateBusy();
    const ProjectEndpoint *findEndpoint(const QString &id) const;

    QString m_projectFolder;
    Endpoint::ConnectionRunner *m_runner = nullptr;
    QLabel *m_label = nullptr;
    QComboBox *m_endpointCombo = nullptr;
    QPushButton *m_discover = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_busy = nullptr;
    QComboBox *m_entityCombo = nullptr;
    QLabel *m_message = nullptr;
    QString m_endpointTip;

    QString m_endpoint;          // the document's
    QString m_entity;            // remembered in the document
    std::vector<ProjectEndpoint> m_endpoints;
    bool m_listed = false;
    quint64 m_listGeneration = 0;
    bool m_discoverPending = false;   // waiting for the list before the connector runs
    QString m_discovering;            // the endpoint being discovered
    QString m_discoveredEndpoint;     // whose entities m_entities are
    std::vector<Connectors::Entity> m_entities;
    QString m_text;              // the message, as said (the label's may have wrap points)
    bool m_error = false;
    bool m_referenceError = false;    // the message is checkReference()'s
    bool m_wasBusy = false;
};

} // namespace Conflux::Ui
