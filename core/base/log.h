#pragma once

#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

namespace Conflux::Log {

// Structured logging: every message becomes one JSON object per line on stderr:
//   {"ts":"2026-11-22T12:00:00.123Z","level":"info","category":"conflux.runtime",
//    "msg":"...","request_id":"..."}
// Values registered as secrets, and the values of fields whose names look secret
// (password, token, authorization, ...), are replaced by "***" before anything is written.
//
// install() replaces Qt's message handler; it is safe to call more than once. Threading:
// the handler and the redaction registry are guarded by a mutex, so any thread may log.
void install();

// Registers a literal value that must never be written to a log (at least 4 characters).
void addSecretValue(const QString &value);

// Redacts registered secret values in a free text.
QString redact(const QString &text);

// Redacts a JSON object: secret-looking keys get "***", and strings are passed through redact().
QJsonObject redact(const QJsonObject &object);

// True for key names that carry credentials (case-insensitive): password, passwd, secret,
// token, authorization, api_key/apikey, client_secret, private_key, cookie.
bool isSecretKey(const QString &key);

// Writes one structured record. `fields` are merged into the line after redaction.
void write(QtMsgType type, const char *category, const QString &message,
           const QJsonObject &fields = {});

// The request id of the work the current thread is doing; it is added to every record
// written from this thread while set. RequestScope sets and restores it.
QString currentRequestId();
class RequestScope
{
public:
    explicit RequestScope(const QString &requestId);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

private:
    QString m_previous;
};

QString newRequestId();

} // namespace Conflux::Log

Q_DECLARE_LOGGING_CATEGORY(lcConflux)
