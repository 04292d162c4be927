#pragma once

#include "documentdesigner.h"
#include "endpoint/endpointfields.h"

#include "base/result.h"
#include "connectors/connector.h"

#include <QHash>
#include <QList>

#include <vector>

class QComboBox;
class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace Conflux::Connectors {
struct ImportedEndpoint;
}

namespace Conflux::Ui {

namespace Endpoint {
class ArrayEditor;
class ConnectionRunner;
class FormField;
class HeadersEditor;
class ImportPanel;
class SchemaTree;
}

// The visual editor of an endpoint document (endpoints/<id>.json): a form per kind of
// system (REST, SOAP, OData v2/v4, GraphQL, SQL, files, queue, webhook) with the members
// its connector reads, the authentication with credentials kept in the OS keychain, a
// connection test, discovery of the entities and their fields, and import from OpenAPI,
// WSDL, OData $metadata and Postman collections. Every edit is a commit() of the whole document.
//
// Each field shows its own check of what is typed and the document's problems at its JSON
// pointer: the JSON Schema's (ProjectLoader::validateDocument) and the connector's
// (Connectors::parseEndpoint). Credentials are never written to the document: typed into a
// password field, stored in the keychain under suggestSecretName(), and the document gets
// {"secret": name}; without a keychain nothing is written anywhere.
class EndpointDesigner final : public DocumentDesigner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointDesigner)

public:
    enum class Page : quint8 { Settings, Schema, Import };

    EndpointDesigner(JsonEditor *source, DesignerContext context, QWidget *parent = nullptr);
    ~EndpointDesigner() override;

    Endpoint::EndpointKind kind() const { return m_kind; }
    // The field of the current form bound to `pointer` ("/url", "/authentication/password").
    Endpoint::FormField *field(const QString &pointer) const;
    QComboBox *kindBox() const { return m_kindBox; }
    Endpoint::HeadersEditor *headersEditor() const { return m_headers; }
    // The table of an array member ("/configuration/resources", "/configuration/entities").
    Endpoint::ArrayEditor *arrayEditor(const QString &pointer) const;
    Endpoint::SchemaTree *schemaTree() const { return m_schema; }
    Endpoint::ImportPanel *importPanel() const { return m_import; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *discoverButton() const { return m_discover; }
    QTabWidget *pages() const { return m_pages; }
    void showPage(Page page);

    void testConnection();
    void discoverSchema();
    void cancelConnection();
    bool isConnecting() const;
    // What the last test or discovery said (the text under the toolbar / on the schema page).
    QString connectionResult() const;
    QString schemaStatus() const;
    // Problems of the document that belong to no field of the form.
    QString documentProblems() const;

Q_SIGNALS:
    // An import wrote a new document (relative to the project folder) for the studio to open;
    // once per document when one import writes several.
    void endpointImported(const QString &file);
    // A credential went into the keychain and the document now refers to it.
    void secretStored(const QString &pointer, const QString &secretName);
    // A credential could not be stored (nothing was written): `message` says why.
    void secretRefused(const QString &pointer, const QString &message);
    void connectionFinished(bool ok);
    void discoveryFinished(bool ok);

protected:
    void documentChanged(const QJsonObject &document) override;
    void documentUnreadable(const QString &message) override;

private:
    QWidget *buildSettingsPage();
    QWidget *buildSchemaPage();
    void buildToolbar(QWidget *bar);
    void updateVisibility(const QJsonObject &document);
    void validate(const QJsonObject &document);
    void onFieldEdited(const QString &pointer, const QJsonValue &value);
    void onSecretEntered(const QString &pointer, const QString &value);
    void onKindActivated(int index);
    void onTested(const Result<Connectors::ConnectionTest> &result);
    void onDiscovered(const Result<std::vector<Connectors::Entity>> &result);
    void onImported(const QString &file, const Connectors::ImportedEndpoint &endpoint);
    void setConnectionResult(const QString &html, bool ok);
    bool isVisibleFor(const Endpoint::FieldSpec &spec, const QJsonObject &document) const;

    Endpoint::EndpointKind m_kind = Endpoint::EndpointKind::Rest;
    QList<Endpoint::FormField *> m_fields;
    QHash<Endpoint::FormField *, QWidget *> m_rows;   // the row holding each field and its label
    struct ArrayRow
    {
        Endpoint::ArrayEditor *editor;
        QList<Endpoint::EndpointKind> kinds;
        QWidget *row;
    };
    QList<ArrayRow> m_arrays;
    QHash<QString, QGroupBox *> m_sections;
    QComboBox *m_kindBox = nullptr;
    QLabel *m_idLabel = nullptr;
    QLabel *m_problems = nullptr;
    QWidget *m_form = nullptr;
    Endpoint::HeadersEditor *m_headers = nullptr;
    QGroupBox *m_headersBox = nullptr;
    QTabWidget *m_pages = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_discover = nullptr;
    QLabel *m_schemaStatus = nullptr;
    Endpoint::SchemaTree *m_schema = nullptr;
    Endpoint::ImportPanel *m_import = nullptr;
    Endpoint::ConnectionRunner *m_runner = nullptr;
    bool m_discovering = false;
};

} // namespace Conflux::Ui
