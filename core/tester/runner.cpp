#include "runner.h"

#include "base/log.h"
#include "history.h"
#include "tr_p.h"
#include "variables.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

bool RequestResult::passed() const
{
    if (error)
        return false;
    for (const AssertionResult &a : assertions) {
        if (!a.passed)
            return false;
    }
    return true;
}

QString RequestResult::displayName() const
{
    return (folders + QStringList{name}).join(u" / "_s);
}

int RunReport::failedCount() const
{
    int n = 0;
    for (const RequestResult &r : results)
        n += r.passed() ? 0 : 1;
    return n;
}

namespace {

void collect(const QList<Item> &items, QList<int> path, const QStringList &folders,
             QList<std::tuple<QList<int>, QStringList, const Item *>> &out)
{
    for (qsizetype i = 0; i < items.size(); ++i) {
        const Item &item = items.at(i);
        QList<int> here = path;
        here.append(int(i));
        if (item.isFolder)
            collect(item.items, here, folders + QStringList{item.name}, out);
        else
            out.append({here, folders, &item});
    }
}

} // namespace

CollectionRunner::CollectionRunner(QObject *parent)
    : QObject(parent), m_executor(new RequestExecutor(this))
{}

CollectionRunner::~CollectionRunner() = default;

Result<void> CollectionRunner::start(const Collection &collection, const RunOptions &options)
{
    if (m_running)
        return makeError("busy", Tr::tr("a run of %1 is going on").arg(m_collection.name));
    m_collection = collection;
    m_options = options;
    m_entries.clear();
    QList<std::tuple<QList<int>, QStringList, const Item *>> found;
    if (options.folder.isEmpty()) {
        collect(m_collection.items, {}, {}, found);
    } else {
        // The folder's index path, to know whose auth applies.
        QList<int> path;
        QStringList names;
        const QList<Item> *level = &m_collection.items;
        const Item *folder = nullptr;
        for (const QString &part : options.folder.split(u'/', Qt::SkipEmptyParts)) {
            folder = nullptr;
            for (qsizetype i = 0; i < level->size(); ++i) {
                if (level->at(i).isFolder && level->at(i).name == part) {
                    folder = &level->at(i);
                    path.append(int(i));
                    names.append(part);
                    break;
                }
            }
            if (!folder)
                break;
            level = &folder->items;
        }
        if (!folder) {
            QStringList folders;
            for (const Item &item : std::as_const(m_collection.items)) {
                if (item.isFolder)
                    folders.append(item.name);
            }
            return makeError("unknown_folder", Tr::tr("collection %1 has no folder \"%2\" (its folders: %3)")
                                                   .arg(m_collection.name, options.folder,
                                                        folders.isEmpty() ? Tr::tr("none") : folders.join(u", "_s)));
        }
        collect(folder->items, path, names, found);
    }
    for (const auto &[path, folders, item] : found)
        m_entries.append({path, folders, item});

    m_variables = std::make_unique<Variables>(options.secrets);
    m_variables->addScope(Tr::tr("collection %1").arg(m_collection.name), m_collection.variables);
    if (options.environment)
        m_variables->addScope(Tr::tr("environment %1").arg(options.environment->name), options.environment->variables);
    QList<std::pair<QString, Credential>> extra;
    for (const auto &[name, value] : options.extraVariables)
        extra.append({name, Credential{{}, value}});
    m_variables->addScope(Tr::tr("--var"), extra);

    m_report = RunReport();
    m_report.collectionName = m_collection.name;
    m_report.folder = options.folder;
    m_report.startedAt = QDateTime::currentDateTimeUtc();
    m_clock.start();
    m_running = true;
    m_cancelled = false;
    m_index = -1;
    QTimer::singleShot(0, this, &CollectionRunner::next);
    return {};
}

void CollectionRunner::cancel()
{
    if (!m_running || m_cancelled)
        return;
    m_cancelled = true;
    if (m_call)
        m_call->cancel();   // onCallFinished() ends the run
    // Between requests: next() ends it.
}

void CollectionRunner::next()
{
    ++m_index;
    if (m_cancelled || m_index >= m_entries.size()) {
        m_report.cancelled = m_cancelled;
        m_report.elapsedMs = m_clock.elapsed();
        m_running = false;
        Q_EMIT finished(m_report);
        return;
    }
    const Entry &entry = m_entries.at(m_index);
    m_current = RequestResult();
    m_current.name = entry.item->name;
    m_current.folders = entry.folders;
    m_current.sentAt = QDateTime::currentDateTimeUtc();
    Q_EMIT requestStarted(m_index, m_current.displayName());

    const Variables variables = entry.item->request.variables.isEmpty()
        ? *m_variables
        : m_variables->withFirstScope(Tr::tr("request %1").arg(m_current.displayName()), entry.item->request.variables);
    PrepareContext context;
    context.variables = &variables;
    context.project = m_options.project;
    context.gatewayUrl = m_options.gatewayUrl;
    Result<PreparedRequest> prepared = prepareRequest(*entry.item, effectiveAuth(m_collection, entry.path), context,
                                                      m_current.displayName());
    if (!prepared) {
        m_current.error = prepared.error();
        complete(std::move(m_current));
        return;
    }
    m_current.request = *prepared;
    m_call = m_executor->send(*prepared, m_options.execute);
    connect(m_call, &RequestCall::finished, this, &CollectionRunner::onCallFinished);
}

void CollectionRunner::onCallFinished()
{
    RequestCall *call = m_call;
    m_call = nullptr;
    call->deleteLater();
    const Result<Response> &result = call->result();
    m_current.request = call->request();   // with the OAuth2 token it got
    if (!result) {
        m_current.error = result.error();
    } else {
        m_current.response = *result;
        m_current.assertions = evaluateAssertions(m_entries.at(m_index).item->request.assertions, *result);
    }
    complete(std::move(m_current));
}

void CollectionRunner::complete(RequestResult result)
{
    if (m_options.history && result.request) {
        // A history that cannot be written must not fail the test run; the log says why.
        if (Result<void> recorded = m_options.history->append(*result.request, result.response, result.error);
            !recorded) {
            Log::write(QtWarningMsg, "conflux.tester", recorded.error().message);
        }
    }
    m_report.results.append(result);
    Q_EMIT requestFinished(m_index, m_report.results.constLast());
    QTimer::singleShot(0, this, &CollectionRunner::next);
}

} // namespace Conflux::Tester
