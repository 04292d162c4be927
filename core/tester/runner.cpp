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

struct ItemAt
{
    const Item *item = nullptr;
    QStringList folders;   // the folders around it, outermost first
};

std::optional<ItemAt> itemAt(const Collection &collection, const QList<int> &path)
{
    ItemAt at;
    const QList<Item> *level = &collection.items;
    for (qsizetype i = 0; i < path.size(); ++i) {
        if (path.at(i) < 0 || path.at(i) >= level->size())
            return std::nullopt;
        at.item = &level->at(path.at(i));
        if (i + 1 < path.size()) {
            if (!at.item->isFolder)
                return std::nullopt;
            at.folders.append(at.item->name);
            level = &at.item->items;
        }
    }
    if (!at.item)
        return std::nullopt;
    return at;
}

Error unknownItem(const QList<int> &path)
{
    QStringList indexes;
    for (int i : path)
        indexes.append(QString::number(i));
    return makeError("unknown_item", Tr::tr("the collection has no item at /items/%1")
                                         .arg(indexes.join(u"/items/"_s)));
}

// Variables: the collection's, then the environment's, then the run's own (--var).
Variables runVariables(const Collection &collection, const RunOptions &options)
{
    Variables variables(options.secrets);
    variables.addScope(Tr::tr("collection %1").arg(collection.name), collection.variables);
    if (options.environment)
        variables.addScope(Tr::tr("environment %1").arg(options.environment->name), options.environment->variables);
    QList<std::pair<QString, Credential>> extra;
    for (const auto &[name, value] : options.extraVariables)
        extra.append({name, Credential{{}, value}});
    variables.addScope(Tr::tr("--var"), extra);
    return variables;
}

Result<PreparedRequest> prepareItem(const Collection &collection, const QList<int> &path, const Item &item,
                                    const Variables &runScopes, const RunOptions &options, const QString &displayName)
{
    const Variables variables = item.request.variables.isEmpty()
        ? runScopes
        : runScopes.withFirstScope(Tr::tr("request %1").arg(displayName), item.request.variables);
    PrepareContext context;
    context.variables = &variables;
    context.project = options.project;
    context.gatewayUrl = options.gatewayUrl;
    return prepareRequest(item, effectiveAuth(collection, path), context, displayName);
}

} // namespace

Result<PreparedRequest> prepareForRun(const Collection &collection, const QList<int> &path, const RunOptions &options)
{
    const std::optional<ItemAt> at = itemAt(collection, path);
    if (!at || at->item->isFolder)
        return unknownItem(path);
    return prepareItem(collection, path, *at->item, runVariables(collection, options), options,
                       (at->folders + QStringList{at->item->name}).join(u" / "_s));
}

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
    if (!options.itemPath.isEmpty()) {
        const std::optional<ItemAt> at = itemAt(m_collection, options.itemPath);
        if (!at)
            return unknownItem(options.itemPath);
        if (at->item->isFolder)
            collect(at->item->items, options.itemPath, at->folders + QStringList{at->item->name}, found);
        else
            found.append({options.itemPath, at->folders, at->item});
    } else if (options.folder.isEmpty()) {
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

    m_variables = std::make_unique<Variables>(runVariables(m_collection, options));
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

    Result<PreparedRequest> prepared = prepareItem(m_collection, entry.path, *entry.item, *m_variables, m_options,
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
