// The model's lookups and the connector catalog folder. Reading the vocabulary is in
// restapiparser.cpp, the Rest:: helpers are in resthelpers.cpp.

#include "restapi.h"
#include "restapi_p.h"

#include "data/json.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using Internal::RestApiDetail::Tr;

// ---- the model ----------------------------------------------------------------------------

qint64 RestRateLimit::minimumIntervalMs() const
{
    double interval = 0;
    if (requestsPerSecond > 0)
        interval = std::max(interval, 1000.0 / requestsPerSecond);
    if (requestsPerMinute > 0)
        interval = std::max(interval, 60'000.0 / requestsPerMinute);
    return qint64(std::ceil(interval));
}

const RestResourceParameter *RestResource::parameter(QStringView name) const
{
    for (const RestResourceParameter &p : parameters) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

const RestParameter *RestApi::parameter(QStringView name) const
{
    for (const RestParameter &p : parameters) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

const RestResource *RestApi::resource(QStringView nameOrPath) const
{
    for (const RestResource &r : resources) {
        if (r.name == nameOrPath)
            return &r;
    }
    const RestResource *byPath = nullptr;
    for (const RestResource &r : resources) {
        if (r.path == nameOrPath && r.readable) {
            if (byPath)
                return nullptr; // ambiguous
            byPath = &r;
        }
    }
    return byPath;
}

// ---- the catalog --------------------------------------------------------------------------

Result<ConnectorCatalog> ConnectorCatalog::load(const QString &directory)
{
    const QDir dir(directory);
    if (!dir.exists())
        return makeError("invalid_catalog", Tr::tr("the connector catalog folder %1 does not exist").arg(directory));
    ConnectorCatalog catalog;
    QStringList problems;
    const QStringList files = dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        if (name.endsWith(u".schema.json"_s))
            continue;
        const QString path = dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            problems.append(name + u": "_s + file.errorString());
            continue;
        }
        Result<Data::Value> document = Data::Json::parse(file.readAll());
        if (!document) {
            problems.append(name + u": "_s + document.error().message);
            continue;
        }
        Result<RestApi> api = RestApi::fromDefinition(*document, name);
        if (!api) {
            for (const QString &detail : api.error().details)
                problems.append(name + u":"_s + detail);
            if (api.error().details.isEmpty())
                problems.append(api.error().message);
            continue;
        }
        if (api->id + u".json"_s != name) {
            problems.append(name + u":/id: "_s + Tr::tr("\"%1\" does not match the file name").arg(api->id));
            continue;
        }
        catalog.add(std::move(*api), std::move(*document));
    }
    if (!problems.isEmpty()) {
        return makeError("invalid_catalog",
                         Tr::tr("the connector catalog in %1 has %n problem(s)", nullptr, int(problems.size())).arg(directory),
                         problems);
    }
    return catalog;
}

QStringList ConnectorCatalog::ids() const
{
    QStringList ids = m_apis.keys();
    ids.sort();
    return ids;
}

const RestApi *ConnectorCatalog::definition(QStringView id) const
{
    auto it = m_apis.constFind(id.toString());
    return it == m_apis.constEnd() ? nullptr : &*it;
}

const Data::Value *ConnectorCatalog::document(QStringView id) const
{
    auto it = m_documents.constFind(id.toString());
    return it == m_documents.constEnd() ? nullptr : &*it;
}

void ConnectorCatalog::add(RestApi api, Data::Value document)
{
    const QString id = api.id;
    m_apis.insert(id, std::move(api));
    m_documents.insert(id, std::move(document));
}

} // namespace Conflux::Connectors
