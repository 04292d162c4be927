#pragma once

// Helpers of the tst_sap_* suites: documents from the fixtures, and connections and pools
// pointing at a local TestHttpServer.

#include "sap/sapconnection.h"
#include "sap/sappool.h"

#include "base/metrics.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "sapfixtures.h"
#include "testsecrets.h"

#include <QString>

#include <memory>

namespace Conflux::Tests::SapTest {

inline const QString kPassword = QStringLiteral("s3cret-Pa55");

inline Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad JSON in the test: %s", qPrintable(value.error().message));
    return *value;
}

// `document` with `key` set to `value` (undefined: removed).
inline Data::Value with(const Data::Value &document, const QString &key, const Data::Value &value)
{
    Data::Object object = document.toObject();
    if (value.isUndefined())
        object.remove(key);
    else
        object.insert(key, value);
    return Data::Value(std::move(object));
}

// The connection document pointing at a local server.
inline Sap::SapConnection connectionTo(const TestHttpServer &server, int poolSize = 2)
{
    Data::Value document = json(SapFixtures::connectionDocument);
    document = with(document, QStringLiteral("base_url"), Data::Value(server.url(QStringLiteral("/")).toString()));
    document = with(document, QStringLiteral("pool_size"), Data::Value(poolSize));
    Result<Sap::SapConnection> connection = Sap::parseSapConnection(document);
    if (!connection)
        qFatal("connection: %s", qPrintable(connection.error().toString()));
    return *connection;
}

inline std::shared_ptr<Sap::SapPool> poolFor(const Sap::SapConnection &connection, MetricsRegistry *metrics = nullptr,
                                             Sap::SapPoolOptions options = {})
{
    Connectors::ConnectorContext context;
    context.secrets = std::make_shared<Conflux::Test::MapSecrets>(
        QHash<QString, QString>{{QStringLiteral("sap.qa.password"), kPassword}});
    context.metrics = metrics;
    options.backoffBaseMs = 5;
    options.backoffMaxMs = 20;
    Result<std::shared_ptr<Sap::SapPool>> pool = Sap::SapPool::create(connection, context, options);
    if (!pool)
        qFatal("pool: %s", qPrintable(pool.error().toString()));
    return *pool;
}

inline Http::HttpResponse xmlAnswer(const QByteArray &body, int status = 200)
{
    return Http::HttpResponse(status, body, "text/xml; charset=utf-8");
}

inline bool hasDetailStartingWith(const Error &error, const QString &prefix)
{
    for (const QString &detail : error.details) {
        if (detail.startsWith(prefix))
            return true;
    }
    return false;
}

} // namespace Conflux::Tests::SapTest
