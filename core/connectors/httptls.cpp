// The TLS settings of the HTTP client: client certificates and CA certificates from PEM files
// (HttpClientOptions::clientCertificate) and an endpoint's configuration "tls"
// (tlsFromEndpoint).

#include "httpclient.h"

#include "base/log.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSet>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::HttpClient)
};

enum class CertificateRole : quint8 { Client, Authority };

// The PEM certificates of a file: a client certificate with its chain, or CA certificates.
// Errors "tls_certificate_invalid" naming the file.
Result<QList<QSslCertificate>> readCertificates(const QString &file, CertificateRole role)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        return makeError("tls_certificate_invalid",
                         role == CertificateRole::Client
                             ? Tr::tr("Cannot read the client certificate %1: %2").arg(file, in.errorString())
                             : Tr::tr("Cannot read the CA file %1: %2").arg(file, in.errorString()));
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(in.readAll(), QSsl::Pem);
    if (certificates.isEmpty() || certificates.constFirst().isNull())
        return makeError("tls_certificate_invalid", Tr::tr("%1 holds no PEM certificate").arg(file));
    return certificates;
}

// A PEM private key (RSA, EC or DSA), encrypted with `passPhrase` or not. Errors
// "tls_key_invalid" naming the file; `passPhraseHint` says where a missing pass phrase goes.
Result<QSslKey> readPrivateKey(const QString &file, const QByteArray &passPhrase, const QString &passPhraseHint = {})
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return makeError("tls_key_invalid", Tr::tr("Cannot read the private key %1: %2").arg(file, in.errorString()));
    const QByteArray pem = in.readAll();
    // Without a pass phrase OpenSSL would ask for one on the terminal.
    if (passPhrase.isEmpty() && pem.contains("ENCRYPTED")) {
        QString text = Tr::tr("%1 holds an encrypted private key, and no pass phrase was given for it").arg(file);
        if (!passPhraseHint.isEmpty())
            text += u" ("_s + passPhraseHint + u')';
        return makeError("tls_key_invalid", text);
    }
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, passPhrase);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        return makeError("tls_key_invalid",
                         Tr::tr("%1 holds no PEM private key Conflux can read (RSA, EC or DSA; a wrong pass "
                                "phrase looks the same)")
                             .arg(file));
    }
    return key;
}

// Whether verify_peer false of this endpoint has not been reported yet in this process.
bool firstUnverified(const QString &endpointId)
{
    static std::mutex mutex;
    static QSet<QString> reported;
    std::lock_guard lock(mutex);
    if (reported.contains(endpointId))
        return false;
    reported.insert(endpointId);
    return true;
}

} // namespace

Result<QSslConfiguration> HttpClientOptions::clientCertificate(const QString &certificateFile, const QString &keyFile,
                                                               const QByteArray &passPhrase, const QString &caFile)
{
    Result<QList<QSslCertificate>> chain = readCertificates(certificateFile, CertificateRole::Client);
    if (!chain)
        return chain.error();
    Result<QSslKey> key = readPrivateKey(keyFile, passPhrase);
    if (!key)
        return key.error();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(*chain);
    tls.setPrivateKey(*key);
    if (!caFile.isEmpty()) {
        Result<QList<QSslCertificate>> cas = readCertificates(caFile, CertificateRole::Authority);
        if (!cas)
            return cas.error();
        tls.addCaCertificates(*cas);
    }
    return tls;
}

Result<HttpClientOptions> HttpClientOptions::fromEndpoint(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<HttpClientOptions> options = fromEndpoint(endpoint);
    Result<std::optional<QSslConfiguration>> tls = tlsFromEndpoint(endpoint, context);
    if (!options || !tls) {
        QStringList problems;
        if (!options)
            problems += options.error().details;
        if (!tls)
            problems += tls.error().details;
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has invalid HTTP settings").arg(endpoint.id), problems);
    }
    if (*tls)
        options->tls = std::move(**tls);
    return options;
}

Result<std::optional<QSslConfiguration>> tlsFromEndpoint(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    const Data::Value *settings = endpoint.configuration.find(u"tls");
    if (!settings)
        return std::optional<QSslConfiguration>();
    const QString base = u"/configuration/tls"_s;
    QStringList problems;
    auto problem = [&problems](const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); };
    auto invalid = [&] {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has invalid TLS settings").arg(endpoint.id), problems);
    };
    if (!settings->isObject()) {
        problem(base, Tr::tr("must be an object such as {\"certificate_file\": ..., \"key_file\": ..., \"ca_file\": ...}"));
        return invalid();
    }
    const Data::Object &tls = settings->toObject();
    static const QStringList known{u"certificate_file"_s, u"key_file"_s, u"key_passphrase"_s, u"ca_file"_s,
                                   u"verify_peer"_s};
    for (const auto &[name, value] : tls) {
        if (!known.contains(name)) {
            problem(base + u'/' + QString(name).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s),
                    Tr::tr("is not a TLS setting (they are %1)").arg(known.join(u", "_s)));
        }
    }
    const QDir folder(context.baseDirectory.isEmpty() ? QDir::currentPath() : context.baseDirectory);
    // A file path setting, resolved against the project's folder; empty when absent or wrong.
    auto path = [&](QStringView key) -> QString {
        const Data::Value *value = tls.find(key);
        if (!value)
            return {};
        if (!value->isString() || value->toString().trimmed().isEmpty()) {
            problem(base + u'/' + key.toString(), Tr::tr("must be the path of a PEM file"));
            return {};
        }
        return QDir::cleanPath(folder.absoluteFilePath(value->toString()));
    };
    const QString certificateFile = path(u"certificate_file");
    const QString keyFile = path(u"key_file");
    const QString caFile = path(u"ca_file");
    if (tls.find(u"certificate_file") && !tls.find(u"key_file"))
        problem(base + u"/key_file"_s, Tr::tr("is required with certificate_file (the client certificate's private key)"));
    if (tls.find(u"key_file") && !tls.find(u"certificate_file"))
        problem(base + u"/certificate_file"_s, Tr::tr("is required with key_file (the client certificate)"));

    QByteArray passPhrase;
    bool passPhraseResolved = true;
    if (const Data::Value *secret = tls.find(u"key_passphrase")) {
        const QString pointer = base + u"/key_passphrase"_s;
        const Data::Value *name = secret->isObject() ? secret->toObject().find(u"secret") : nullptr;
        passPhraseResolved = false;
        if (secret->isString()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"name\"}, never the pass "
                                    "phrase itself"));
        } else if (!name || !name->isString() || name->toString().isEmpty()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"name\"}"));
        } else if (!tls.find(u"key_file")) {
            problem(pointer, Tr::tr("is the pass phrase of key_file, which is missing"));
        } else if (!context.secrets) {
            problem(pointer, Tr::tr("names the secret \"%1\", but no secret store is configured").arg(name->toString()));
        } else if (Result<QString> value = context.secrets->resolve(name->toString()); !value) {
            problem(pointer,
                    Tr::tr("the secret \"%1\" cannot be resolved: %2").arg(name->toString(), value.error().message));
        } else {
            passPhrase = value->toUtf8();
            passPhraseResolved = true;
        }
    }

    bool verifyPeer = true;
    if (const Data::Value *verify = tls.find(u"verify_peer")) {
        if (verify->isBool())
            verifyPeer = verify->toBool();
        else
            problem(base + u"/verify_peer"_s, Tr::tr("must be true or false"));
    }

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!certificateFile.isEmpty() && !keyFile.isEmpty()) {
        Result<QList<QSslCertificate>> chain = readCertificates(certificateFile, CertificateRole::Client);
        if (chain)
            configuration.setLocalCertificateChain(*chain);
        else
            problem(base + u"/certificate_file"_s, chain.error().message);
        if (passPhraseResolved) {
            Result<QSslKey> key = readPrivateKey(keyFile, passPhrase,
                                                 Tr::tr("give it as key_passphrase, a secret reference"));
            if (key)
                configuration.setPrivateKey(*key);
            else
                problem(base + u"/key_file"_s, key.error().message);
        }
    }
    if (!caFile.isEmpty()) {
        Result<QList<QSslCertificate>> cas = readCertificates(caFile, CertificateRole::Authority);
        if (cas)
            configuration.addCaCertificates(*cas);
        else
            problem(base + u"/ca_file"_s, cas.error().message);
    }
    if (!problems.isEmpty())
        return invalid();
    if (!verifyPeer) {
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        if (firstUnverified(endpoint.id))
            Log::write(QtWarningMsg, "conflux.connectors",
                       Tr::tr("Endpoint %1 does not check the server's TLS certificate (configuration "
                              "tls.verify_peer is false): anyone on the way can read and change its traffic")
                           .arg(endpoint.id),
                       QJsonObject{{u"endpoint"_s, endpoint.id}});
    }
    return std::optional<QSslConfiguration>(std::move(configuration));
}

} // namespace Conflux::Connectors
