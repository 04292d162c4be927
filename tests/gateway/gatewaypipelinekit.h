// Shared by the gateway pipeline tests (tst_gatewayauth, tst_gatewaypipeline): requests
// built as raw bytes, upstreams and in-process gateways, routes and projects, and the API keys,
// Basic users and JWT keys made once per test program (PipelineFixture).

#pragma once

#include "gateway/gatewayconfig.h"
#include "gateway/gatewayserver.h"
#include "gateway/httpserver.h"
#include "gateway/proxy.h"
#include "model/project.h"
#include "security/apikeys.h"
#include "security/jwksfetcher.h"
#include "security/passwordhash.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include "httptestclient.h"
#include "security/jwttestkit.h"
#include "testsupport.h"
#include "webhookserver.h"


using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Conflux::Http;
using namespace Conflux::Test;
using namespace Qt::StringLiterals;

namespace Conflux::Test::Pipeline {


using Answers = QList<WebhookServer::Answer>;

const QString IntrospectionSecretName = u"gateway.introspection_secret"_s;
const QByteArray IntrospectionSecret = "intro-s3cret";
const QByteArray AlicePassword = "correct horse";
const QByteArray BobPassword = "battery staple";

inline QByteArray field(const QByteArray &name, const QByteArray &value)
{
    return name + ": " + value + "\r\n";
}

// A request with Host and, for a body or an unsafe method, Content-Length.
inline QByteArray request(const QByteArray &method, const QByteArray &target, const QByteArray &fields = {},
                   const QByteArray &body = {})
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: gw.test\r\n" + fields;
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        out += field("Content-Length", QByteArray::number(body.size()));
    return out + "\r\n" + body;
}

inline int statusOf(const std::optional<Response> &response)
{
    return response ? response->status : 0;
}

inline QString errorCode(const std::optional<Response> &response)
{
    if (!response)
        return u"(no answer)"_s;
    return response->json().value(u"error"_s).toObject().value(u"code"_s).toString();
}

// What an upstream mirror saw: its request's fields, lower-cased names.
inline QJsonObject seenHeaders(const Response &response)
{
    return response.json().value(u"headers"_s).toObject();
}

inline QJsonObject merged(QJsonObject base, const QJsonObject &extra)
{
    for (auto it = extra.begin(); it != extra.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

inline QJsonObject route(const QString &id, const QString &path, const QString &upstream, const QJsonObject &extra = {})
{
    return merged(QJsonObject{{u"id"_s, id}, {u"path"_s, path}, {u"method"_s, u"*"_s}, {u"upstream_url"_s, upstream}},
                  extra);
}

inline QJsonObject rateLimit(int requests, int windowSeconds)
{
    return QJsonObject{{u"requests"_s, requests}, {u"window_seconds"_s, windowSeconds}};
}

inline Result<std::shared_ptr<const GatewayConfig>> compileProject(const QList<QJsonObject> &routes,
                                                            const QJsonObject &gatewaySettings)
{
    Model::Project project;
    project.settings.document.json = QJsonObject{{u"gateway"_s, gatewaySettings}};
    for (const QJsonObject &json : routes) {
        Model::Route r;
        r.document.kind = Model::DocumentKind::Route;
        r.document.json = json;
        r.document.id = json.value(u"id"_s).toString();
        r.document.file = u"routes/%1.json"_s.arg(r.document.id);
        project.routes.append(r);
    }
    return GatewayConfig::fromProject(project);
}

inline std::shared_ptr<const GatewayRuntime> runtimeFor(const QList<QJsonObject> &routes, const QJsonObject &settings = {},
                                                 const GatewayServices &services = {})
{
    auto config = compileProject(routes, settings);
    if (!config) {
        qWarning("%s", qPrintable(config.error().toString()));
        return nullptr;
    }
    return std::make_shared<const GatewayRuntime>(*config, services);
}

inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed when probe goes
}

// True when a new connection to `port` is refused, or accepted and closed without an answer.
inline bool refusesConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    const bool settled = QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState
                                                      || socket.state() == QAbstractSocket::UnconnectedState; },
                                         5000);
    if (!settled || socket.state() == QAbstractSocket::UnconnectedState)
        return settled;
    socket.write(request("GET", "/"));
    QByteArray answer;
    const bool closed = QTest::qWaitFor([&] {
        answer += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }, 5000);
    return closed && answer.isEmpty();
}

inline HttpServerOptions quiet()
{
    HttpServerOptions options;
    options.accessLog = false;
    return options;
}

// An upstream that answers 200 with what it received as JSON, and counts its calls.
class Upstream
{
public:
    Upstream()
    {
        HttpServerOptions options = quiet();
        options.limits.maxBodyBytes = 64 * 1024 * 1024; // the gateway's limits are under test, not ours
        m_server.setOptions(options);
        m_server.setHandler([this](const HttpRequest &r) { return answer(r); });
    }
    Q_DISABLE_COPY_MOVE(Upstream)

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0).isOk(); }
    QString url(const QString &path = {}) const { return u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path); }
    int hits() const { return m_hits; }
    void setCacheControl(const QByteArray &value) { m_cacheControl = value; }

private:
    HttpResponse answer(const HttpRequest &r)
    {
        ++m_hits;
        QJsonObject headers;
        for (const auto &[n, v] : r.headers) {
            const QString key = QString::fromLatin1(n.toLower());
            headers.insert(key, headers.contains(key) ? headers.value(key).toString() + u" | "_s + QString::fromLatin1(v)
                                                      : QString::fromLatin1(v));
        }
        HttpResponse response = HttpResponse::json(200, QJsonObject{{u"hit"_s, m_hits},
                                                                    {u"method"_s, QString::fromLatin1(r.method)},
                                                                    {u"target"_s, QString::fromLatin1(r.target)},
                                                                    {u"headers"_s, headers}});
        if (!m_cacheControl.isEmpty())
            response.setHeader("Cache-Control", m_cacheControl);
        return response;
    }

    HttpServer m_server;
    int m_hits = 0;
    QByteArray m_cacheControl;
};

inline std::unique_ptr<Upstream> startUpstream()
{
    auto upstream = std::make_unique<Upstream>();
    return upstream->listen() ? std::move(upstream) : nullptr;
}

// A Proxy behind an HttpServer on this thread, serving one runtime, recording every answer.
struct InProcessGateway
{
    HttpServer server;
    Proxy proxy;
    std::shared_ptr<const GatewayRuntime> runtime;
    QList<GatewayRequestRecord> records;

    quint16 port() const { return server.serverPort(); }
    std::optional<Response> send(const QByteArray &raw) { return exchange(port(), raw); }
    const RouteAuthenticator &authenticator(int route = 0) const { return runtime->authenticator(route); }
};

inline std::unique_ptr<InProcessGateway> startGateway(const QList<QJsonObject> &routes, const QJsonObject &settings = {},
                                               const GatewayServices &services = {})
{
    auto g = std::make_unique<InProcessGateway>();
    g->runtime = runtimeFor(routes, settings, services);
    if (!g->runtime)
        return nullptr;
    g->proxy.setRuntime(g->runtime);
    g->proxy.setSecretResolver([](const QString &name) {
        return name == IntrospectionSecretName ? IntrospectionSecret : QByteArray();
    });
    InProcessGateway *raw = g.get();
    g->proxy.setObserver([raw](const GatewayRequestRecord &record) { raw->records.append(record); });
    Proxy *proxy = &g->proxy;
    g->server.setOptions(quiet());
    g->server.setAsyncHandler([proxy](const HttpRequest &r, HttpResponder responder) {
        proxy->handle(r, std::move(responder));
    });
    if (!g->server.listen(QHostAddress::LocalHost, 0))
        return nullptr;
    return g;
}

inline QJsonObject apiKeyAuth(const QStringList &requiredScopes = {})
{
    return QJsonObject{{u"authentication"_s, QJsonObject{{u"type"_s, u"api_key"_s},
                                                         {u"required_scopes"_s, QJsonArray::fromStringList(requiredScopes)}}}};
}

inline QByteArray basicCredentials(const QByteArray &user, const QByteArray &password)
{
    return field("Authorization", "Basic " + (user + ':' + password).toBase64());
}

inline QByteArray bearer(const QByteArray &token)
{
    return field("Authorization", "Bearer " + token);
}

inline QJsonObject claimsNow()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return {{u"iss"_s, Issuer},      {u"aud"_s, Audience},  {u"sub"_s, u"user-42"_s},
            {u"exp"_s, now + 600},   {u"iat"_s, now - 10},  {u"scope"_s, u"orders:read orders:write"_s}};
}

inline QByteArray rs256(const PkeyPtr &key, const QString &kid, const QJsonObject &claims)
{
    return makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, kid}, {u"typ"_s, u"JWT"_s}}, claims,
                     keySigner(key, JwsAlgorithm::RS256));
}

// Every text field of a record, to look for credentials in.
inline QStringList recordTexts(const GatewayRequestRecord &r)
{
    return {r.route, QString::fromLatin1(r.method), r.path, r.upstream, r.client, r.identity, r.requestId, r.rejection};
}


// The credentials every pipeline test uses, made once by initFixture().
class PipelineFixture : public QObject
{
protected:
    struct ApiKey
    {
        QString key;
        QString id;
    };

    PkeyPtr m_rsa, m_rsaRotated;
    std::shared_ptr<Security::ApiKeyStore> m_apiKeys;
    QHash<QString, ApiKey> m_keys; // by name
    QString m_aliceHash, m_bobHash;

    GatewayServices apiKeyServices() const
    {
        GatewayServices services;
        services.auth.apiKeys = m_apiKeys;
        return services;
    }

    QByteArray keyField(const QString &name) const
    {
        return field("X-Api-Key", m_keys.value(name).key.toLatin1());
    }

    QByteArray jwksOf(const QList<std::pair<PkeyPtr, QString>> &keys) const
    {
        QJsonArray array;
        for (const auto &[key, kid] : keys)
            array.append(publicJwkJson(key.get(), kid));
        return compactJson(QJsonObject{{u"keys"_s, array}});
    }

    static QJsonObject jwtAuth(const QUrl &jwks, const QStringList &algorithms = {u"RS256"_s})
    {
        return QJsonObject{{u"authentication"_s,
                            QJsonObject{{u"type"_s, u"jwt"_s},
                                        {u"issuer"_s, Issuer},
                                        {u"audience"_s, Audience},
                                        {u"jwks_url"_s, jwks.toString()},
                                        {u"algorithms"_s, QJsonArray::fromStringList(algorithms)},
                                        {u"required_scopes"_s, QJsonArray{u"orders:read"_s}}}}};
    }

    QJsonObject basicSettings() const
    {
        return QJsonObject{{u"users"_s, QJsonArray{QJsonObject{{u"username"_s, u"alice"_s},
                                                               {u"password_hash"_s, m_aliceHash},
                                                               {u"scopes"_s, QJsonArray{u"reports:read"_s}}},
                                                   QJsonObject{{u"username"_s, u"bob"_s},
                                                               {u"password_hash"_s, m_bobHash},
                                                               {u"scopes"_s, QJsonArray{u"reports:read"_s}}}}}};
    }

    static QJsonObject basicAuth(const QStringList &users)
    {
        return QJsonObject{{u"authentication"_s, QJsonObject{{u"type"_s, u"basic"_s},
                                                             {u"users"_s, QJsonArray::fromStringList(users)},
                                                             {u"required_scopes"_s, QJsonArray{u"reports:read"_s}}}}};
    }


    void initFixture()
    {
        m_rsa = generate("RSA");
        m_rsaRotated = generate("RSA");
        QVERIFY(m_rsa && m_rsaRotated);

        m_apiKeys = std::make_shared<Security::ApiKeyStore>();
        auto addKey = [this](const QString &name, const QStringList &scopes, const QStringList &networks, bool disabled,
                             qint64 perMinute = 0) {
            Security::ApiKeyRecord settings;
            settings.rateLimit = Security::ApiKeyRateLimit{perMinute, 60.0, 0};
            settings.name = name;
            settings.scopes = scopes;
            auto allowed = Security::IpAllowList::parse(networks);
            if (!allowed)
                return false;
            settings.allowedNetworks = *allowed;
            settings.disabled = disabled;
            auto generated = m_apiKeys->generate(settings);
            if (!generated)
                return false;
            m_keys.insert(name, {generated->key, generated->record.id});
            return true;
        };
        QVERIFY(addKey(u"reader"_s, {u"orders:read"_s}, {}, false));
        QVERIFY(addKey(u"reader2"_s, {u"orders:read"_s}, {}, false));
        QVERIFY(addKey(u"disabled"_s, {u"orders:read"_s}, {}, true));
        QVERIFY(addKey(u"elsewhere"_s, {u"orders:read"_s}, {u"10.0.0.0/8"_s}, false));
        QVERIFY(addKey(u"local"_s, {u"orders:read"_s}, {u"127.0.0.1/32"_s}, false));
        QVERIFY(addKey(u"noscope"_s, {u"billing:read"_s}, {}, false));
        QVERIFY(addKey(u"metered"_s, {u"orders:read"_s}, {}, false, 1));
        // A well-formed key of another store: unknown here.
        Security::ApiKeyStore other;
        Security::ApiKeyRecord stranger;
        stranger.name = u"stranger"_s;
        auto strangerKey = other.generate(stranger);
        VERIFY_OK(strangerKey);
        m_keys.insert(u"unknown"_s, {strangerKey->key, {}});

        // Small scrypt costs (1 MiB, well within the limits) keep the suite fast.
        const Security::PasswordHasher hasher(Security::ScryptParameters{10, 8, 1});
        QVERIFY(hasher.parameters().isWithinLimits());
        auto alice = hasher.hash(AlicePassword);
        auto bob = hasher.hash(BobPassword);
        VERIFY_OK(alice);
        VERIFY_OK(bob);
        m_aliceHash = *alice;
        m_bobHash = *bob;
    }
};

} // namespace Conflux::Test::Pipeline
