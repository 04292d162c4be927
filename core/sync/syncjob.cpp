#include "syncjob.h"

#include "tr_p.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

namespace {

template<typename Enum>
struct Named
{
    const char16_t *name;
    Enum value;
};

constexpr Named<SyncStrategy> kStrategies[] = {{u"batch", SyncStrategy::Batch},
                                               {u"scheduled", SyncStrategy::Scheduled},
                                               {u"real_time", SyncStrategy::RealTime},
                                               {u"event_driven", SyncStrategy::EventDriven}};
constexpr Named<SyncWriteMode> kWriteModes[] = {{u"insert", SyncWriteMode::Insert},
                                                {u"upsert", SyncWriteMode::Upsert},
                                                {u"mirror", SyncWriteMode::Mirror}};
constexpr Named<ConflictPolicy> kPolicies[] = {{u"source_wins", ConflictPolicy::SourceWins},
                                               {u"target_wins", ConflictPolicy::TargetWins},
                                               {u"newest_wins", ConflictPolicy::NewestWins},
                                               {u"manual", ConflictPolicy::Manual}};

template<typename Enum, size_t N>
QString nameOf(const Named<Enum> (&table)[N], Enum value)
{
    for (const Named<Enum> &entry : table) {
        if (entry.value == value)
            return QString::fromUtf16(entry.name);
    }
    return {};
}

// Reads members, collecting one problem per bad member.
class Reader
{
public:
    Reader(const QJsonObject &document, const QString &file) : m_document(document), m_file(file) { }

    QString string(const QString &key) const { return m_document.value(key).toString(); }

    template<typename Enum, size_t N>
    Enum choice(const QString &key, const Named<Enum> (&table)[N], Enum fallback)
    {
        const QJsonValue value = m_document.value(key);
        if (value.isUndefined())
            return fallback;
        for (const Named<Enum> &entry : table) {
            if (value.toString() == QStringView(entry.name))
                return entry.value;
        }
        QStringList names;
        for (const Named<Enum> &entry : table)
            names.append(QString::fromUtf16(entry.name));
        problem(u'/' + key, Tr::tr("must be one of %1").arg(names.join(u", "_s)));
        return fallback;
    }

    std::optional<double> number(const QString &key, double min, double max)
    {
        const QJsonValue value = m_document.value(key);
        if (value.isUndefined())
            return std::nullopt;
        if (!value.isDouble() || value.toDouble() < min || value.toDouble() > max) {
            problem(u'/' + key, Tr::tr("must be a number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return value.toDouble();
    }

    void problem(const QString &pointer, const QString &message)
    {
        m_problems.append((m_file.isEmpty() ? QString() : m_file + u':') + pointer + u": "_s + message);
    }

    const QStringList &problems() const { return m_problems; }

private:
    const QJsonObject &m_document;
    QString m_file;
    QStringList m_problems;
};

} // namespace

QString strategyName(SyncStrategy strategy)
{
    return nameOf(kStrategies, strategy);
}

QString writeModeName(SyncWriteMode mode)
{
    return nameOf(kWriteModes, mode);
}

QString conflictPolicyName(ConflictPolicy policy)
{
    return nameOf(kPolicies, policy);
}

Result<SyncJobSpec> SyncJobSpec::fromDocument(const QJsonObject &document, const QString &file)
{
    Reader in(document, file);
    SyncJobSpec job;
    job.id = in.string(u"id"_s);
    job.name = in.string(u"name"_s);
    job.sourceEndpoint = in.string(u"source_endpoint"_s);
    job.targetEndpoint = in.string(u"target_endpoint"_s);
    job.mapping = in.string(u"data_mapping"_s);
    job.sourceObject = in.string(u"source_object"_s);
    job.targetObject = in.string(u"target_object"_s);
    job.sourceQueue = in.string(u"source_queue"_s);
    job.cursorField = in.string(u"cursor_field"_s);
    job.timestampField = in.string(u"timestamp_field"_s);
    if (job.id.isEmpty())
        in.problem(u"/id"_s, Tr::tr("is required"));
    if (job.sourceEndpoint.isEmpty())
        in.problem(u"/source_endpoint"_s, Tr::tr("is required"));
    if (job.targetEndpoint.isEmpty())
        in.problem(u"/target_endpoint"_s, Tr::tr("is required"));
    for (const QJsonValue &key : document.value(u"key_fields"_s).toArray())
        job.keyFields.append(key.toString());

    job.strategy = in.choice(u"sync_strategy"_s, kStrategies, SyncStrategy::Batch);
    job.writeMode = in.choice(u"write_mode"_s, kWriteModes, SyncWriteMode::Upsert);
    job.conflictPolicy = in.choice(u"conflict_policy"_s, kPolicies, ConflictPolicy::SourceWins);
    if (const QString misfire = in.string(u"misfire_policy"_s); !misfire.isEmpty()) {
        if (std::optional<MisfirePolicy> policy = misfirePolicyFromName(misfire))
            job.misfirePolicy = *policy;
        else
            in.problem(u"/misfire_policy"_s, Tr::tr("must be run_once or skip"));
    }

    if (std::optional<double> size = in.number(u"batch_size"_s, 1, 1'000'000))
        job.batchSize = int(*size);
    if (std::optional<double> seconds = in.number(u"poll_interval_seconds"_s, 0.05, 86'400))
        job.pollIntervalMs = int(*seconds * 1000);
    if (std::optional<double> share = in.number(u"validation_failure_threshold"_s, 0, 1))
        job.validationFailureThreshold = *share;
    if (std::optional<double> retries = in.number(u"max_retries"_s, 0, 100))
        job.maxRetries = int(*retries);

    const QString expression = in.string(u"schedule"_s);
    if (!expression.isEmpty()) {
        Result<CronSchedule> schedule = CronSchedule::parse(expression, in.string(u"time_zone"_s));
        if (schedule)
            job.schedule = *schedule;
        else
            in.problem(u"/schedule"_s, schedule.error().message);
    } else if (job.strategy == SyncStrategy::Scheduled) {
        in.problem(u"/schedule"_s, Tr::tr("a scheduled job needs a cron expression"));
    }
    if (job.strategy == SyncStrategy::EventDriven && job.sourceQueue.isEmpty())
        in.problem(u"/source_queue"_s, Tr::tr("an event_driven job needs the queue its changes arrive on"));
    if ((job.writeMode == SyncWriteMode::Upsert || job.writeMode == SyncWriteMode::Mirror) && job.keyFields.isEmpty())
        in.problem(u"/key_fields"_s, Tr::tr("%1 needs the key fields of the target").arg(writeModeName(job.writeMode)));
    if (job.conflictPolicy == ConflictPolicy::NewestWins && job.timestampField.isEmpty())
        in.problem(u"/timestamp_field"_s, Tr::tr("newest_wins needs the timestamp field to compare"));
    if (job.writeMode == SyncWriteMode::Mirror && !job.cursorField.isEmpty()) {
        // An incremental read sees only changed records: it cannot tell which ones are gone.
        in.problem(u"/cursor_field"_s, Tr::tr("mirror mode reads every record to find deletes; it cannot use a cursor"));
    }

    if (!in.problems().isEmpty()) {
        return makeError("invalid_sync_job",
                         Tr::tr("Sync job %1 has %n problem(s)", nullptr, int(in.problems().size()))
                             .arg(file.isEmpty() ? job.id : file),
                         in.problems());
    }
    return job;
}

} // namespace Conflux::Sync
