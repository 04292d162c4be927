#include "clientcertificates.h"

#include <QCoreApplication>
#include <QFile>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

using namespace Qt::StringLiterals;

namespace Conflux::Security {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::ClientCertificateVerifier)
};

struct X509Deleter
{
    void operator()(X509 *x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr toX509(const QSslCertificate &certificate)
{
    const QByteArray der = certificate.toDer();
    const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Ptr(d2i_X509(nullptr, &data, long(der.size())));
}

} // namespace

struct ClientCertificateVerifier::Store
{
    X509_STORE *store = X509_STORE_new();
    ~Store() { X509_STORE_free(store); }
};

ClientCertificateVerifier::~ClientCertificateVerifier() = default;

Result<std::shared_ptr<const ClientCertificateVerifier>> ClientCertificateVerifier::fromPemFile(const QString &caFile)
{
    QFile file(caFile);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError("tls_client_ca_invalid",
                         Tr::tr("Cannot read the client CA file %1: %2").arg(caFile, file.errorString()));
    }
    const QList<QSslCertificate> cas = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (cas.isEmpty()) {
        return makeError("tls_client_ca_invalid", Tr::tr("The file %1 holds no PEM certificate").arg(caFile));
    }
    return fromCertificates(cas);
}

Result<std::shared_ptr<const ClientCertificateVerifier>>
ClientCertificateVerifier::fromCertificates(const QList<QSslCertificate> &cas)
{
    std::shared_ptr<ClientCertificateVerifier> verifier(new ClientCertificateVerifier);
    verifier->m_store = std::make_unique<Store>();
    if (!verifier->m_store->store)
        return makeError("tls_client_ca_invalid", Tr::tr("OpenSSL could not create a certificate store"));
    for (const QSslCertificate &ca : cas) {
        X509Ptr x = toX509(ca);
        if (!x || X509_STORE_add_cert(verifier->m_store->store, x.get()) != 1) {
            ERR_clear_error();
            return makeError("tls_client_ca_invalid",
                             Tr::tr("the CA certificate %1 cannot be used").arg(ca.subjectDisplayName()));
        }
        ++verifier->m_count;
    }
    return std::shared_ptr<const ClientCertificateVerifier>(std::move(verifier));
}

Result<void> ClientCertificateVerifier::verify(const QList<QSslCertificate> &chain) const
{
    if (chain.isEmpty())
        return makeError("client_certificate_invalid", Tr::tr("no client certificate was sent"));
    X509Ptr leaf = toX509(chain.constFirst());
    if (!leaf)
        return makeError("client_certificate_invalid", Tr::tr("the client certificate cannot be read"));
    std::vector<X509Ptr> intermediates;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (qsizetype i = 1; i < chain.size(); ++i) {
        X509Ptr x = toX509(chain[i]);
        if (x && sk_X509_push(untrusted, x.get()) > 0)
            intermediates.push_back(std::move(x));
    }
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    int ok = 0;
    int error = X509_V_ERR_UNSPECIFIED;
    if (context && X509_STORE_CTX_init(context, m_store->store, leaf.get(), untrusted) == 1) {
        X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT);
        ok = X509_verify_cert(context);
        error = X509_STORE_CTX_get_error(context);
    }
    X509_STORE_CTX_free(context);
    sk_X509_free(untrusted);
    ERR_clear_error();
    if (ok == 1)
        return {};
    return makeError("client_certificate_invalid",
                     Tr::tr("the client certificate is not trusted: %1")
                         .arg(QString::fromLatin1(X509_verify_cert_error_string(error))));
}

} // namespace Conflux::Security
