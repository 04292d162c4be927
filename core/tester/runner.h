#pragma once

#include "base/result.h"
#include "tester/assertions.h"
#include "tester/collection.h"
#include "tester/prepare.h"
#include "tester/requestexecutor.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>
#include <optional>

namespace Conflux::Security {
class SecretResolver;
}

namespace Conflux::Tester {

class History;

struct RequestResult
{
    QString name;                       // the request's name
    QStringList folders;                // the folders around it, outermost first
    std::optional<PreparedRequest> request;   // unset when it could not be prepared
    std::optional<Response> response;   // unset when there was no answer
    std::optional<Error> error;         // preparation or transport error
    QList<AssertionResult> assertions;
    QDateTime sentAt;

    bool passed() const;
    QString displayName() const;        // "folder / sub / request"
};

struct RunReport
{
    QString collectionName;
    QString folder;                     // the folder run, or empty
    QDateTime startedAt;
    qint64 elapsedMs = 0;
    QList<RequestResult> results;
    bool cancelled = false;

    int failedCount() const;
    bool passed() const { return !cancelled && failedCount() == 0; }
};

struct RunOptions
{
    QString folder;                                   // "a/b"; empty: every request in order
    // Set (index path into the nested items): only that request, or that folder's requests;
    // folder is ignored then. The studio's Send and "Run folder" name items this way, since
    // names need not be unique.
    QList<int> itemPath;
    ExecuteOptions execute;
    std::shared_ptr<const Model::Project> project;   // endpoints and routes (see PrepareContext)
    QUrl gatewayUrl;                                  // set: requests naming a route go through it
    std::optional<Environment> environment;
    QList<std::pair<QString, QString>> extraVariables;   // --var name=value
    std::shared_ptr<const Security::SecretResolver> secrets;
    History *history = nullptr;                       // set: every exchange is recorded there
};

// The request at `path` prepared as a run with `options` would send it (its variables,
// effective authentication and gateway), e.g. for copy as curl. Errors: "unknown_item" (no
// request at that path) and prepareRequest()'s.
Result<PreparedRequest> prepareForRun(const Collection &collection, const QList<int> &path,
                                      const RunOptions &options);

// Runs the requests of a collection (or of one folder) one after another, in document order,
// each prepared just before it is sent (see prepare.h) and its assertions evaluated on the
// answer. A request that cannot be prepared or gets no answer fails and the run goes on.
// Variables: the collection's, then the environment's, then extraVariables (see Variables).
//
// Threading: lives on the thread that created it (an event loop); start() returns at once.
class CollectionRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectionRunner)

public:
    explicit CollectionRunner(QObject *parent = nullptr);
    ~CollectionRunner() override;

    // Errors: "unknown_folder", "unknown_item", "busy" (a run is going on); nothing runs then.
    Result<void> start(const Collection &collection, const RunOptions &options);
    // Cancels the request in flight and skips the rest; finished() follows with cancelled set.
    void cancel();
    bool isRunning() const { return m_running; }
    const RunReport &report() const { return m_report; }

Q_SIGNALS:
    void requestStarted(int index, const QString &name);
    void requestFinished(int index, const Conflux::Tester::RequestResult &result);
    void finished(const Conflux::Tester::RunReport &report);

private:
    struct Entry
    {
        QList<int> path;
        QStringList folders;
        const Item *item = nullptr;
    };
    void next();
    void onCallFinished();
    void complete(RequestResult result);

    RequestExecutor *m_executor;
    Collection m_collection;
    RunOptions m_options;
    std::unique_ptr<class Variables> m_variables;
    QList<Entry> m_entries;
    int m_index = -1;
    QPointer<RequestCall> m_call;
    RequestResult m_current;
    RunReport m_report;
    QElapsedTimer m_clock;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace Conflux::Tester
