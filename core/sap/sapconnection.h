#pragma once

#include "base/result.h"
#include "connectors/endpoint.h"
#include "data/value.h"

#include <QString>
#include <QUrl>

// An SAP connection document (`sap/<id>.json`, resources/schemas/sapconnection.schema.json)
// read into what the SAP clients need. The project loader has already checked the document
// against its JSON Schema; parseSapConnection() adds what a schema cannot say and names the
// field of every problem as a JSON pointer (error "invalid_sap_connection", one detail per
// problem, e.g. "/client: must be three digits").
//
// The SAPConnection names map onto the document like this:
//   connection_id            → id
//   host, port               → base_url (the system's ICF root: scheme, host, port and an
//                              optional reverse-proxy prefix; a path from "/sap/" on, such
//                              as /sap/bc/soap/rfc, is ignored: services sit at SAP's paths)
//   client, system_id, language, pool_size, timeout_seconds, username → same names
//   password                 → password, a secret reference {"secret": "name"}
//   system_type              → system_type (or x-system_type): ERP, S4HANA, BW, CRM, SRM,
//                              PI_PO, FIORI; informative
//   authentication           → either the project's client-authentication object
//                              ({"type": "basic" | "oauth2_client_credentials" | ...}) or the
//                              issue's names as a string: "BASIC" (username + password),
//                              "OAUTH2" (needs the object form for its token URL and client),
//                              "X509" (client certificate: {"type": "x509",
//                              "certificate_file", "key_file", "key_password"}), "SAML"
//                              (not supported yet: an error).

namespace Conflux::Sap {

enum class SapSystemType : quint8 { Unspecified, Erp, S4Hana, Bw, Crm, Srm, PiPo, Fiori };
enum class SapConnectionType : quint8 { SoapRfc, OData, IdocHttp };
enum class SapAuthentication : quint8 { Basic, OAuth2, X509 };

struct SapConnection
{
    QString id;                   // the connection_id
    QString name;
    QString description;
    QString systemId;             // SID, e.g. "PRD"
    QString client;               // "100"
    QString systemNumber;         // "00", informative
    QString language;             // "EN"; empty: the user's logon language
    SapSystemType systemType = SapSystemType::Unspecified;
    SapConnectionType connectionType = SapConnectionType::SoapRfc;
    QUrl baseUrl;                 // scheme://host:port[/prefix], without the SAP service path
    SapAuthentication authenticationType = SapAuthentication::Basic;
    // Basic: username + secret (the password's secret name); OAuth2: the client-credentials
    // settings. Secrets are names for the ConnectorContext's SecretResolver, never values.
    Connectors::ClientAuthentication authentication;
    QString certificateFile;      // X509: PEM client certificate
    QString keyFile;              // X509: PEM private key
    QString keyPasswordSecret;    // X509: secret name of the key's pass phrase, if any
    QString caFile;               // X509: PEM CA certificates to trust beyond the system's
    int poolSize = 4;             // concurrent calls
    int timeoutSeconds = 30;      // each HTTP exchange; also how long a call waits for the pool

    QString host() const { return baseUrl.host(); }
    int port() const;             // the URL's port, or 443/80 by the scheme
    QString username() const { return authentication.username; }
    // The URL of an SAP service path ("/sap/bc/soap/rfc") on this system.
    QUrl serviceUrl(const QString &path) const;
    // "PRD client 100 (s4.example.com:44300)", for messages.
    QString describe() const;
};

// Errors: "invalid_sap_connection" with one detail per problem ("/client: ..."), the message
// naming `source` (a file path or the connection id) when given.
Result<SapConnection> parseSapConnection(const Data::Value &document, const QString &source = {});

QString systemTypeName(SapSystemType type);            // "S4HANA"
QString connectionTypeName(SapConnectionType type);    // "soap_rfc"

} // namespace Conflux::Sap
