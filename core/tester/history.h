#pragma once

#include "base/result.h"
#include "tester/prepare.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Conflux::Tester {

struct Response;

struct HistoryEntry
{
    QDateTime time;             // UTC, when it was recorded
    QString name;
    QByteArray method;
    QString url;                // credentials masked
    Headers requestHeaders;     // credentials masked
    QByteArray requestBody;     // the first maxBodyBytes, credentials masked
    int status = 0;             // 0: no answer (see error)
    QByteArray reason;
    Headers responseHeaders;
    QByteArray responseBody;    // the first maxBodyBytes
    qint64 elapsedMs = 0;
    qint64 size = 0;
    QString error;              // why there was no answer
};

// The requests a project's tester sent, newest last: one JSON object per line in
// <project>/.conflux/history/requests.jsonl, a folder that holds a .gitignore of "*" so that
// it never reaches git (the project loader reads only its kind folders). Appending adds a
// line; the file is cut back to the newest `maxEntries` (rewritten atomically) when it has
// grown a quarter past that. Credential values the request carried (PreparedRequest::
// secretValues) and Authorization/Proxy-Authorization/Cookie headers are masked before
// anything is written; bodies are cut at maxBodyBytes.
//
// Errors: "history_io" naming the file. Lines that cannot be read are skipped, so one damaged
// line does not lose the rest. Threading: one History per thread; the file is not locked
// against other processes.
class History
{
public:
    explicit History(const QString &projectFolder, int maxEntries = 500, qint64 maxBodyBytes = 64 * 1024);

    QString filePath() const { return m_file; }
    int maxEntries() const { return m_maxEntries; }

    Result<void> append(const PreparedRequest &request, const std::optional<Response> &response,
                        const std::optional<Error> &error);
    Result<QList<HistoryEntry>> entries() const;
    Result<void> clear();

private:
    Result<void> ensureFolder() const;
    Result<void> compact(const QList<QByteArray> &lines);

    QString m_folder;
    QString m_file;
    int m_maxEntries;
    qint64 m_maxBodyBytes;
    int m_lines = -1;   // lines in the file, -1: not counted yet
};

} // namespace Conflux::Tester
