#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace Conflux::Model {

// Every kind of document a project holds. A project is a folder: project.json plus one
// document per object in the folder named by the kind.
enum class DocumentKind {
    Project,
    Endpoint,
    Mapping,
    Workflow,
    SapConnection,
    SapOperation,
    SyncJob,
    Route,
    Queue,
    Consumer,
    RoutingRule,
    Collection,
    Environment,
};

struct KindInfo
{
    DocumentKind kind;
    QString name;        // the value of the document's "kind" field, e.g. "SyncJob"
    QString folder;      // "sync"; empty for Project (project.json at the root)
    QString schemaFile;  // "syncjob.schema.json" under resources/schemas
    int currentSchemaVersion;
};

// The kinds in display order.
const QList<KindInfo> &documentKinds();
const KindInfo &kindInfo(DocumentKind kind);
std::optional<DocumentKind> kindFromName(const QString &name);
// The kinds that may live in a folder ("sap" holds SapConnection and SapOperation).
QList<DocumentKind> kindsInFolder(const QString &folder);
QStringList projectFolders();

inline constexpr char projectFileName[] = "project.json";
inline constexpr char schemaUriBase[] = "https://conflux.dev/schemas/";

} // namespace Conflux::Model
