#include "history.h"

#include "requestexecutor.h"
#include "tr_p.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

constexpr char mask[] = "*****";

QByteArray masked(QByteArray text, const QStringList &secrets)
{
    for (const QString &secret : secrets) {
        if (!secret.isEmpty()) {
            text.replace(secret.toUtf8(), mask);
            text.replace(QUrl::toPercentEncoding(secret), mask);
        }
    }
    return text;
}

bool isCredentialHeader(const QByteArray &name)
{
    const QByteArray lower = name.toLower();
    return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" || lower == "set-cookie";
}

QJsonArray headersToJson(const Headers &headers, const QStringList &secrets, bool maskCredentials)
{
    QJsonArray out;
    for (const auto &[name, value] : headers) {
        const QByteArray shown = maskCredentials && isCredentialHeader(name) ? QByteArray(mask) : masked(value, secrets);
        out.append(QJsonArray{QString::fromLatin1(name), QString::fromUtf8(shown)});
    }
    return out;
}

Headers headersFromJson(const QJsonValue &value)
{
    Headers out;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &pair : array)
        out.append({pair[0].toString().toLatin1(), pair[1].toString().toUtf8()});
    return out;
}

} // namespace

History::History(const QString &projectFolder, int maxEntries, qint64 maxBodyBytes)
    : m_folder(QDir(projectFolder).filePath(u".conflux/history"_s)),
      m_file(QDir(m_folder).filePath(u"requests.jsonl"_s)),
      m_maxEntries(std::max(1, maxEntries)),
      m_maxBodyBytes(maxBodyBytes)
{}

Result<void> History::ensureFolder() const
{
    if (!QDir().mkpath(m_folder))
        return makeError("history_io", Tr::tr("cannot create the history folder %1").arg(m_folder));
    const QString ignore = QDir(m_folder).filePath(u"../.gitignore"_s);
    if (!QFile::exists(ignore)) {
        QFile file(ignore);
        if (!file.open(QIODevice::WriteOnly) || file.write("# Local data of the studio (request history); never committed.\n*\n") < 0)
            return makeError("history_io", Tr::tr("cannot write %1: %2").arg(ignore, file.errorString()));
    }
    return {};
}

Result<void> History::append(const PreparedRequest &request, const std::optional<Response> &response,
                             const std::optional<Error> &error)
{
    if (Result<void> ok = ensureFolder(); !ok)
        return ok;
    const QStringList &secrets = request.secretValues;
    QJsonObject o{
        {u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {u"name"_s, request.name},
        {u"method"_s, QString::fromLatin1(request.method)},
        {u"url"_s, QString::fromUtf8(masked(request.url.toEncoded(), secrets))},
        {u"request_headers"_s, headersToJson(request.headers, secrets, true)},
        {u"request_body"_s, QString::fromUtf8(masked(request.body.left(m_maxBodyBytes), secrets))},
    };
    if (response) {
        o.insert(u"status"_s, response->status);
        o.insert(u"reason"_s, QString::fromLatin1(response->reason));
        o.insert(u"response_headers"_s, headersToJson(response->headers, secrets, true));
        o.insert(u"response_body"_s, QString::fromUtf8(masked(response->body.left(m_maxBodyBytes), secrets)));
        o.insert(u"elapsed_ms"_s, response->elapsedMs);
        o.insert(u"size"_s, response->size);
    }
    if (error)
        o.insert(u"error"_s, QString::fromUtf8(masked(error->message.toUtf8(), secrets)));

    if (m_lines < 0) {
        QFile existing(m_file);
        m_lines = 0;
        if (existing.open(QIODevice::ReadOnly)) {
            while (!existing.atEnd()) {
                if (!existing.readLine().trimmed().isEmpty())
                    ++m_lines;
            }
        }
    }
    QFile file(m_file);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return makeError("history_io", Tr::tr("cannot write %1: %2").arg(m_file, file.errorString()));
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    if (file.write(line) != line.size())
        return makeError("history_io", Tr::tr("cannot write %1: %2").arg(m_file, file.errorString()));
    file.close();
    ++m_lines;
    if (m_lines > m_maxEntries + m_maxEntries / 4) {
        QFile all(m_file);
        if (!all.open(QIODevice::ReadOnly))
            return makeError("history_io", Tr::tr("cannot read %1: %2").arg(m_file, all.errorString()));
        QList<QByteArray> lines = all.readAll().split('\n');
        lines.removeAll(QByteArray());
        return compact(lines);
    }
    return {};
}

Result<void> History::compact(const QList<QByteArray> &lines)
{
    const qsizetype keep = std::min<qsizetype>(lines.size(), m_maxEntries);
    QSaveFile file(m_file);
    if (!file.open(QIODevice::WriteOnly))
        return makeError("history_io", Tr::tr("cannot write %1: %2").arg(m_file, file.errorString()));
    for (qsizetype i = lines.size() - keep; i < lines.size(); ++i)
        file.write(lines.at(i) + '\n');
    if (!file.commit())
        return makeError("history_io", Tr::tr("cannot write %1: %2").arg(m_file, file.errorString()));
    m_lines = int(keep);
    return {};
}

Result<QList<HistoryEntry>> History::entries() const
{
    QList<HistoryEntry> out;
    QFile file(m_file);
    if (!file.exists())
        return out;
    if (!file.open(QIODevice::ReadOnly))
        return makeError("history_io", Tr::tr("cannot read %1: %2").arg(m_file, file.errorString()));
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue;   // a damaged line (a crash mid-write): the others still count
        HistoryEntry e;
        e.time = QDateTime::fromString(o.value(u"time"_s).toString(), Qt::ISODateWithMs);
        e.name = o.value(u"name"_s).toString();
        e.method = o.value(u"method"_s).toString().toLatin1();
        e.url = o.value(u"url"_s).toString();
        e.requestHeaders = headersFromJson(o.value(u"request_headers"_s));
        e.requestBody = o.value(u"request_body"_s).toString().toUtf8();
        e.status = o.value(u"status"_s).toInt();
        e.reason = o.value(u"reason"_s).toString().toLatin1();
        e.responseHeaders = headersFromJson(o.value(u"response_headers"_s));
        e.responseBody = o.value(u"response_body"_s).toString().toUtf8();
        e.elapsedMs = o.value(u"elapsed_ms"_s).toInteger();
        e.size = o.value(u"size"_s).toInteger();
        e.error = o.value(u"error"_s).toString();
        out.append(e);
    }
    return out;
}

Result<void> History::clear()
{
    if (QFile::exists(m_file) && !QFile::remove(m_file))
        return makeError("history_io", Tr::tr("cannot remove %1").arg(m_file));
    m_lines = 0;
    return {};
}

} // namespace Conflux::Tester
