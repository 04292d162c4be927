#pragma once

#include "connectors/endpointimport.h"
#include "tester/postmanendpoint.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Conflux::Ui {
class SecretStore;
}

namespace Conflux::Ui::Endpoint {

// Where an import reads its definition from.
enum class ImportSource : quint8 {
    OpenApi,            // OpenAPI 3.0/3.1, JSON or YAML
    Wsdl,               // WSDL 1.1
    ODataMetadata,      // OData v2/v4 $metadata
    PostmanCollection,  // Postman collection v2.1: one REST endpoint per base URL
};

// Imports an API definition from a file or URL into new endpoint documents of the project
// (endpoints/<id>.json), through Connectors::importDefinition() — or, for a Postman
// collection, Tester::postmanEndpoints(): one endpoint per base URL (<id>, <id>-2, ...), the
// credentials the collection held put into the OS keychain under the documents' secret
// references (without a keychain: the panel names the secrets to set). Downloading, parsing
// and reading imported documents run on a worker thread; Cancel stops a download. Documents
// are written with Model::ProjectWriter (canonical, no plaintext secrets), never over an
// existing file: when one of them exists, none is written.
class ImportPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportPanel)

public:
    // `secrets` (may be null: no keychain) keeps the credentials a Postman collection held.
    explicit ImportPanel(QString projectFolder, SecretStore *secrets = nullptr, QWidget *parent = nullptr);
    ~ImportPanel() override;

    void setSource(ImportSource source);
    void setLocation(const QString &location);
    void setEndpointId(const QString &id);
    void setServiceUrl(const QString &url);
    void startImport();
    void cancel();
    bool isBusy() const;

    QString resultText() const;
    QComboBox *sourceBox() const { return m_source; }
    QLineEdit *locationEdit() const { return m_location; }
    QLineEdit *idEdit() const { return m_id; }
    QLineEdit *serviceUrlEdit() const { return m_serviceUrl; }
    QPushButton *importButton() const { return m_import; }

Q_SIGNALS:
    // A document was written: `file` relative to the project folder. Once per document (a
    // Postman collection with several base URLs writes several), in order.
    void imported(const QString &file, const Conflux::Connectors::ImportedEndpoint &endpoint);
    void failed(const QString &message);

private:
    // What a worker hands back: the documents to write, and for a Postman collection the
    // secrets to keep and notes about the whole collection.
    struct Outcome
    {
        std::vector<Connectors::ImportedEndpoint> endpoints;
        QList<Tester::PostmanSecret> secrets;
        QStringList warnings;
        QString summary;
    };

    void browse();
    void updatePlaceholders();
    void finish(quint64 run, const Result<Outcome> &result, const QString &location);
    // Puts the credentials a Postman collection held into the keychain, then shows `text`, what
    // was kept and which secrets a person must set, and `tail` (what was not imported).
    void keepSecrets(quint64 run, const QString &text, const QString &tail, bool isError,
                     QList<Tester::PostmanSecret> secrets);
    void showResult(const QString &text, bool isError);
    void setBusy(bool busy);

    QString m_projectFolder;
    SecretStore *m_secrets = nullptr;
    QComboBox *m_source = nullptr;
    QLineEdit *m_location = nullptr;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_serviceUrl = nullptr;
    QPushButton *m_import = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_result = nullptr;
    quint64 m_run = 0;
    int m_pendingSecrets = 0;   // keychain writes under way after a Postman import
    std::shared_ptr<Connectors::CancelToken> m_cancelToken;
};

} // namespace Conflux::Ui::Endpoint
