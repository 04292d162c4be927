#pragma once

#include "data/value.h"
#include "mapping/mappingdocument.h"
#include "mappingfields.h"

#include <QJsonObject>
#include <QObject>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

namespace Conflux::Ui {

// How to read a sample: the mapping's source options.
struct SampleOptions
{
    QString format;          // json, ndjson, xml, csv; empty: from the file name or the content
    QString recordPath;      // JSONata, as in the mapping
    QString recordElement;   // XML: Orders/Order
    char delimiter = ',';    // CSV
    QString key;             // the caller's name for the request, copied into SampleData::key
};

// A sample document parsed once, off the UI thread, and shared read-only afterwards.
struct SampleData
{
    QString key;                       // SampleOptions::key of the request
    QString file;                      // absolute path; empty for a pasted or stored sample
    Data::Value document;              // the whole document as the codec reads it
    QString head;                      // the beginning of its text, for display
    qint64 bytes = 0;                  // size of the text
    bool truncated = false;            // head is only the beginning
    qint64 recordCount = 0;
    MappingFields::Fields fields;      // inferred from the first records
    QString error;                     // why it could not be read (then nothing else is set)
};

struct PreviewRecord
{
    Data::Value source;
    Mapping::MappedRecord mapped;
};

struct PreviewResult
{
    quint64 generation = 0;
    QString error;                     // the mapping does not compile, or records cannot be selected
    std::vector<PreviewRecord> records;
    qint64 totalRecords = 0;
};

// Parses samples and maps preview records on a worker thread of its own, so that a 10 MB
// sample never stalls the studio. Requests queue in order; compute() requests that a
// newer one superseded are skipped before they start, and their results never arrive.
// Results are delivered as signals on the owner's thread.
class PreviewEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewEngine)

public:
    explicit PreviewEngine(QObject *parent = nullptr);
    ~PreviewEngine() override;   // waits for the running request, drops the queued ones

    static constexpr int previewRecords = 20;
    static constexpr qint64 headBytes = 64 * 1024;
    static constexpr int inferenceRecords = 1000;

    void loadFile(const QString &path, const SampleOptions &options);
    void loadText(const QByteArray &text, const SampleOptions &options);
    void loadValue(const Data::Value &document, const SampleOptions &options);

    // Returns the request's generation; only the newest generation's result is delivered.
    quint64 compute(const QJsonObject &mapping, std::shared_ptr<const SampleData> sample,
                    const QString &tablesFolder);
    quint64 generation() const { return m_latest->load(); }

    // Parses a sample's text: JSON, NDJSON, XML or CSV by the file name's extension, else
    // options.format, else the first character. Reentrant; for small texts on any thread.
    static Result<Data::Value> parseSample(const QByteArray &text, const QString &fileName,
                                           const SampleOptions &options);
    // The records of `document` for `options` (record_path or the XML record element).
    static Result<Data::Array> selectRecords(const Data::Value &document, const SampleOptions &options);

Q_SIGNALS:
    void sampleLoaded(std::shared_ptr<const Conflux::Ui::SampleData> sample);
    void previewReady(std::shared_ptr<const Conflux::Ui::PreviewResult> result);

private:
    void post(std::function<void()> job);

    QThread *m_thread = nullptr;
    QObject *m_worker = nullptr;
    // Shared with the jobs, which may outlive nothing but must read it on the worker.
    std::shared_ptr<std::atomic<quint64>> m_latest;
};

} // namespace Conflux::Ui
