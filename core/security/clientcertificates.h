#pragma once

#include "base/result.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <memory>

namespace Conflux::Security {

// Verifies TLS client certificates against a set of trusted CA certificates (mutual TLS),
// with OpenSSL: the chain the client sent must lead from its leaf certificate to one of the
// CAs, every certificate must be within its validity period, and the leaf must be usable for
// TLS client authentication (extended key usage clientAuth when it has one).
//
// The gateway's listener asks clients for a certificate without requiring one (so that routes
// without mtls serve everybody) and has no CA of its own in the handshake: a route of type
// mtls calls verify() on what the client sent.
//
// Threading: immutable after load; verify() is safe from any number of threads.
class ClientCertificateVerifier
{
public:
    // Reads every PEM certificate of `caFile`. Errors: "tls_client_ca_invalid" naming the file.
    static Result<std::shared_ptr<const ClientCertificateVerifier>> fromPemFile(const QString &caFile);
    static Result<std::shared_ptr<const ClientCertificateVerifier>> fromCertificates(const QList<QSslCertificate> &cas);
    ~ClientCertificateVerifier();

    // `chain`: the client's leaf first, then any intermediates it sent. Errors:
    // "client_certificate_invalid" with OpenSSL's reason ("certificate has expired",
    // "unable to get local issuer certificate", ...).
    Result<void> verify(const QList<QSslCertificate> &chain) const;

    qsizetype authorityCount() const { return m_count; }

private:
    ClientCertificateVerifier() = default;
    struct Store;
    std::unique_ptr<Store> m_store;
    qsizetype m_count = 0;
};

} // namespace Conflux::Security
