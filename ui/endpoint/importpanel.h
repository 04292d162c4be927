#pragma once

#include "connectors/endpointimport.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Conflux::Ui::Endpoint {

// Where an import reads its definition from.
enum class ImportSource : quint8 {
    OpenApi,            // OpenAPI 3.0/3.1, JSON or YAML
    Wsdl,               // WSDL 1.1
    ODataMetadata,      // OData v2/v4 $metadata
    PostmanCollection,  // Postman collection v2.1: its parser belongs to the request tester
                        // (core/tester); until it exists the panel says so and imports nothing
};

// Imports an API definition from a file or URL into a new endpoint document of the
// project (endpoints/<id>.json), through Connectors::importDefinition(). Downloading,
// parsing and reading imported documents run on a worker thread; Cancel stops a download.
// The document is written with Model::ProjectWriter (canonical, no plaintext secrets) and
// never over an existing file.
class ImportPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportPanel)

public:
    explicit ImportPanel(QString projectFolder, QWidget *parent = nullptr);
    ~ImportPanel() override;

    // Whether `source` can be imported by this build.
    static bool isAvailable(ImportSource source);

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
    QPushButton *importButton() const { return m_import; }

Q_SIGNALS:
    // A document was written: `file` relative to the project folder.
    void imported(const QString &file, const Conflux::Connectors::ImportedEndpoint &endpoint);
    void failed(const QString &message);

private:
    void browse();
    void finish(quint64 run, const Result<Connectors::ImportedEndpoint> &result, const QString &location);
    void showResult(const QString &text, bool isError);
    void setBusy(bool busy);

    QString m_projectFolder;
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
    std::shared_ptr<Connectors::CancelToken> m_cancelToken;
};

} // namespace Conflux::Ui::Endpoint
