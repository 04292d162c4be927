#include "previewengine.h"

#include "data/csv.h"
#include "data/json.h"
#include "data/schemainference.h"
#include "data/xml.h"
#include "mapping/mappingrunner.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Ui::MappingDesigner)
};

QString guessFormat(const QString &file, const QByteArray &text, const QString &declared)
{
    const QString suffix = QFileInfo(file).suffix().toLower();
    if (suffix == u"json" || suffix == u"xml" || suffix == u"csv" || suffix == u"ndjson")
        return suffix;
    if (suffix == u"jsonl")
        return u"ndjson"_s;
    if (!declared.isEmpty())
        return declared;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '<')
            return u"xml"_s;
        if (c == '{' || c == '[')
            return u"json"_s;
        break;
    }
    return u"csv"_s;
}

Result<Data::Value> parseText(const QByteArray &text, const QString &format, const SampleOptions &options)
{
    if (format == u"xml")
        return Data::Xml::read(text);
    if (format == u"csv") {
        Data::Csv::CsvOptions csv;
        csv.delimiter = options.delimiter;
        return Data::Csv::read(text, csv);
    }
    if (format == u"ndjson") {
        Data::Array records;
        qsizetype start = 0;
        int line = 0;
        while (start < text.size()) {
            qsizetype end = text.indexOf('\n', start);
            if (end < 0)
                end = text.size();
            ++line;
            const QByteArrayView row = QByteArrayView(text).sliced(start, end - start).trimmed();
            start = end + 1;
            if (row.isEmpty())
                continue;
            Result<Data::Value> record = Data::Json::parse(row);
            if (!record) {
                Error e = record.error();
                e.message = Tr::tr("line %1: %2").arg(line).arg(e.message);
                return e;
            }
            records.push_back(std::move(record).value());
        }
        return Data::Value(std::move(records));
    }
    return Data::Json::parse(text);
}

// The beginning of a text for display, cut at a line end so no character is split.
QString headOf(const QByteArray &text, bool *truncated)
{
    *truncated = text.size() > PreviewEngine::headBytes;
    if (!*truncated)
        return QString::fromUtf8(text);
    qsizetype end = text.lastIndexOf('\n', PreviewEngine::headBytes);
    if (end <= 0)
        end = PreviewEngine::headBytes;
    return QString::fromUtf8(text.left(end));
}

void describe(SampleData &sample, const SampleOptions &options)
{
    Result<Data::Array> records = PreviewEngine::selectRecords(sample.document, options);
    if (!records) {
        sample.error = records.error().message;
        return;
    }
    sample.recordCount = qint64(records->size());
    Data::SchemaInference inference;
    const size_t n = std::min(records->size(), size_t(PreviewEngine::inferenceRecords));
    for (size_t i = 0; i < n; ++i)
        inference.add((*records)[i]);
    if (n > 0)
        sample.fields = MappingFields::fromInference(inference.result());
}

} // namespace

PreviewEngine::PreviewEngine(QObject *parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new QObject)
    , m_latest(std::make_shared<std::atomic<quint64>>(0))
{
    m_thread->setObjectName(u"mapping-preview"_s);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
}

PreviewEngine::~PreviewEngine()
{
    // Supersede everything queued so that only the running job finishes.
    m_latest->fetch_add(1);
    m_thread->quit();
    m_thread->wait();
}

void PreviewEngine::post(std::function<void()> job)
{
    QMetaObject::invokeMethod(m_worker, std::move(job), Qt::QueuedConnection);
}

Result<Data::Value> PreviewEngine::parseSample(const QByteArray &text, const QString &fileName,
                                               const SampleOptions &options)
{
    return parseText(text, guessFormat(fileName, text, options.format), options);
}

Result<Data::Array> PreviewEngine::selectRecords(const Data::Value &document, const SampleOptions &options)
{
    if (!options.recordPath.isEmpty()) {
        Result<Mapping::Expression> path = Mapping::Expression::compile(options.recordPath);
        if (!path) {
            Error e = path.error();
            e.message = Tr::tr("record_path: %1").arg(e.message);
            return e;
        }
        Result<Data::Value> selected = path->evaluate(document);
        if (!selected) {
            Error e = selected.error();
            e.message = Tr::tr("record_path: %1").arg(e.message);
            return e;
        }
        if (selected->isUndefined())
            return Data::Array();
        return selected->isArray() ? selected->toArray() : Data::Array{*selected};
    }
    if (!options.recordElement.isEmpty()) {
        // Orders/Order: the root element, then children by name; arrays are walked through.
        Data::Array current{document};
        for (const QString &name : options.recordElement.split(u'/', Qt::SkipEmptyParts)) {
            Data::Array next;
            for (const Data::Value &v : current) {
                const Data::Value &child = v[name];
                if (child.isArray())
                    next.insert(next.end(), child.toArray().begin(), child.toArray().end());
                else if (!child.isUndefined())
                    next.push_back(child);
            }
            current = std::move(next);
        }
        return current;
    }
    if (document.isArray())
        return document.toArray();
    return Data::Array{document};
}

void PreviewEngine::loadFile(const QString &path, const SampleOptions &options)
{
    post([this, path, options] {
        auto sample = std::make_shared<SampleData>();
        sample->key = options.key;
        sample->file = path;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            sample->error = Tr::tr("%1: %2").arg(path, file.errorString());
        } else {
            const QByteArray text = file.readAll();
            sample->bytes = text.size();
            sample->head = headOf(text, &sample->truncated);
            Result<Data::Value> document = parseText(text, guessFormat(path, text, options.format), options);
            if (!document)
                sample->error = Tr::tr("%1: %2").arg(QFileInfo(path).fileName(), document.error().message);
            else {
                sample->document = std::move(document).value();
                describe(*sample, options);
            }
        }
        Q_EMIT sampleLoaded(std::shared_ptr<const SampleData>(std::move(sample)));
    });
}

void PreviewEngine::loadText(const QByteArray &text, const SampleOptions &options)
{
    post([this, text, options] {
        auto sample = std::make_shared<SampleData>();
        sample->key = options.key;
        sample->bytes = text.size();
        sample->head = headOf(text, &sample->truncated);
        Result<Data::Value> document = parseText(text, guessFormat(QString(), text, QString()), options);
        if (!document)
            sample->error = document.error().message;
        else {
            sample->document = std::move(document).value();
            describe(*sample, options);
        }
        Q_EMIT sampleLoaded(std::shared_ptr<const SampleData>(std::move(sample)));
    });
}

void PreviewEngine::loadValue(const Data::Value &document, const SampleOptions &options)
{
    post([this, document, options] {
        auto sample = std::make_shared<SampleData>();
        sample->key = options.key;
        sample->document = document;
        Data::Json::WriteOptions pretty;
        pretty.pretty = true;
        const QByteArray text = Data::Json::serialize(document, pretty);
        sample->bytes = text.size();
        sample->head = headOf(text, &sample->truncated);
        describe(*sample, options);
        Q_EMIT sampleLoaded(std::shared_ptr<const SampleData>(std::move(sample)));
    });
}

quint64 PreviewEngine::compute(const QJsonObject &mapping, std::shared_ptr<const SampleData> sample,
                               const QString &tablesFolder)
{
    const quint64 generation = m_latest->fetch_add(1) + 1;
    std::shared_ptr<std::atomic<quint64>> latest = m_latest;
    const Data::Value document = Data::Value::fromQJson(mapping);
    post([this, generation, latest, document, sample, tablesFolder] {
        if (latest->load() != generation)
            return;   // a newer edit is queued behind this one
        auto result = std::make_shared<PreviewResult>();
        result->generation = generation;
        Result<Mapping::CompiledMapping> compiled = Mapping::CompiledMapping::compile(
            document, tablesFolder.isEmpty() ? Mapping::TableLoader() : Mapping::tablesInFolder(tablesFolder));
        if (!compiled) {
            result->error = compiled.error().message;
        } else if (sample && sample->error.isEmpty()) {
            SampleOptions options;
            options.recordPath = document[u"source"][u"record_path"].toString();
            options.recordElement = document[u"source"][u"record_element"].toString();
            Result<Data::Array> records = selectRecords(sample->document, options);
            if (!records) {
                result->error = records.error().message;
            } else {
                result->totalRecords = qint64(records->size());
                const size_t n = std::min(records->size(), size_t(previewRecords));
                for (size_t i = 0; i < n && latest->load() == generation; ++i)
                    result->records.push_back({(*records)[i], compiled->map((*records)[i])});
            }
        }
        if (latest->load() == generation)
            Q_EMIT previewReady(std::shared_ptr<const PreviewResult>(std::move(result)));
    });
    return generation;
}

} // namespace Conflux::Ui
