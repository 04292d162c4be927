#include "log.h"

#include "fastrandom.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRandomGenerator>
#include <QSet>

#include <cstdio>

Q_LOGGING_CATEGORY(lcConflux, "conflux")

namespace Conflux::Log {
namespace {

struct Registry
{
    QMutex mutex;
    QSet<QString> secrets;
};

Registry &registry()
{
    static Registry instance;
    return instance;
}

thread_local QString t_requestId;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

QJsonValue redactValue(const QJsonValue &value)
{
    if (value.isString())
        return redact(value.toString());
    if (value.isObject())
        return redact(value.toObject());
    if (value.isArray()) {
        QJsonArray out;
        const QJsonArray in = value.toArray();
        for (const QJsonValue &item : in)
            out.append(redactValue(item));
        return out;
    }
    return value;
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    write(type, context.category ? context.category : "default", message);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void install()
{
    qInstallMessageHandler(messageHandler);
}

void addSecretValue(const QString &value)
{
    if (value.size() < 4)
        return; // too short to redact without mangling ordinary text
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.secrets.insert(value);
}

QString redact(const QString &text)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    if (r.secrets.isEmpty())
        return text;
    QString out = text;
    for (const QString &secret : std::as_const(r.secrets))
        out.replace(secret, QStringLiteral("***"));
    return out;
}

bool isSecretKey(const QString &key)
{
    static const char *const needles[] = {"password", "passwd", "secret", "token",
                                          "authorization", "api_key", "apikey",
                                          "private_key", "cookie", "credential"};
    const QString lower = key.toLower();
    for (const char *needle : needles) {
        if (lower.contains(QLatin1String(needle)))
            return true;
    }
    return false;
}

QJsonObject redact(const QJsonObject &object)
{
    // A secret reference ({"secret": "name"}) names a secret; the name is not secret.
    if (object.size() == 1 && object.value(QLatin1String("secret")).isString())
        return object;
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (isSecretKey(it.key()) && !it.value().isObject() && !it.value().isNull())
            out.insert(it.key(), QStringLiteral("***"));
        else
            out.insert(it.key(), redactValue(it.value()));
    }
    return out;
}

void write(QtMsgType type, const char *category, const QString &message, const QJsonObject &fields)
{
    QJsonObject record = redact(fields);
    record.insert(QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    record.insert(QStringLiteral("level"), QLatin1String(levelName(type)));
    record.insert(QStringLiteral("category"), QLatin1String(category));
    record.insert(QStringLiteral("msg"), redact(message));
    if (!t_requestId.isEmpty() && !record.contains(QStringLiteral("request_id")))
        record.insert(QStringLiteral("request_id"), t_requestId);
    QByteArray line = QJsonDocument(record).toJson(QJsonDocument::Compact);
    line.append('\n');
    static QMutex writeMutex;
    QMutexLocker lock(&writeMutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

QString currentRequestId()
{
    return t_requestId;
}

RequestScope::RequestScope(const QString &requestId)
    : m_previous(t_requestId)
{
    t_requestId = requestId;
}

RequestScope::~RequestScope()
{
    t_requestId = m_previous;
}

QString newRequestId()
{
    // 128 random bits; generate64() fills a whole word (generate() over quint64 would not).
    // Request ids must be unique, not secret.
    static constexpr char16_t digits[] = u"0123456789abcdef";
    QString id(32, Qt::Uninitialized);
    char16_t *out = reinterpret_cast<char16_t *>(id.data());
    for (int word = 0; word < 2; ++word) {
        quint64 bits = fastRandom().generate64();
        for (int i = 0; i < 16; ++i, bits >>= 4)
            *out++ = digits[bits & 0xf];
    }
    return id;
}

} // namespace Conflux::Log
