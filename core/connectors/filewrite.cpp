// The files connector's writes: a new file written atomically, or records appended to one.

#include "fileconnector_p.h"

#include "data/csv.h"
#include "data/json.h"
#include "data/jsonstream.h"
#include "data/xml.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUuid>

#include <cerrno>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::File;

namespace {

// ---- writing -----------------------------------------------------------------------------

QString expandFileName(const Settings &s)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString entity = s.entity;
    entity.replace(u'/', u'_').replace(u'\\', u'_');
    QString name = s.fileName;
    name.replace(u"{timestamp}"_s, now.toString(u"yyyyMMdd'T'HHmmsszzz'Z'"_s))
        .replace(u"{date}"_s, now.toString(u"yyyy-MM-dd"_s))
        .replace(u"{uuid}"_s, QUuid::createUuid().toString(QUuid::WithoutBraces))
        .replace(u"{entity}"_s, entity);
    return name;
}

// {"A": {"B": [records]}} for the XML record path "A/B/C"'s parent chain, the records at C.
Result<Data::Value> xmlDocument(const Settings &s, const std::vector<Data::Value> &records)
{
    if (s.recordPath.startsWith(u"//")) {
        return makeError("unsupported", Tr::tr("Writing XML needs a record_path from the root element (such as "
                                               "Orders/Order), not %1")
                                            .arg(s.recordPath));
    }
    const QStringList names = s.recordPath.split(u'/', Qt::SkipEmptyParts);
    if (names.size() == 1 && records.size() != 1) {
        return makeError("unsupported", Tr::tr("The record_path %1 makes each record a whole document: an XML file "
                                               "holds one such record, not %2")
                                            .arg(s.recordPath)
                                            .arg(records.size()));
    }
    Data::Value value = names.size() == 1 ? records.front() : Data::Value(Data::Array(records));
    for (qsizetype i = names.size() - 1; i >= 0; --i)
        value = Data::Value(Data::Object{{names.at(i), std::move(value)}});
    return value;
}

Data::Value jsonDocument(const Settings &s, Data::Value records)
{
    const QStringList tokens = s.recordPath.mid(1).split(u'/');
    for (qsizetype i = tokens.size() - 1; i >= 0; --i) {
        QString token = tokens.at(i);
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        records = Data::Value(Data::Object{{token, std::move(records)}});
    }
    return records;
}

Result<void> tooLarge(const Settings &s, const QString &path)
{
    return makeError("file_too_large", Tr::tr("Writing %1 would pass max_file_size (%2 bytes); nothing was written")
                                           .arg(path)
                                           .arg(s.maxFileSize));
}

// Serializes `records` in the endpoint's format into `out`, stopping at `budget` bytes.
Result<void> serializeRecords(const Settings &s, const WriteRequest &request, QIODevice *out,
                              const Data::Csv::CsvWriteOptions &csv, qint64 budget, const QString &path)
{
    const auto cancelled = [&] { return request.cancel && request.cancel->isCancelled(); };
    const auto cancelError = [&] { return makeError("cancelled", Tr::tr("Writing %1 was cancelled").arg(path)); };
    switch (s.format) {
    case Format::Csv: {
        Data::Csv::CsvWriter writer(out, csv);
        for (const Data::Value &record : request.records) {
            if (cancelled())
                return cancelError();
            if (Result<void> written = writer.write(record); !written)
                return written.error();
            if (out->pos() > budget)
                return tooLarge(s, path);
        }
        return {};
    }
    case Format::NdJson:
    case Format::Json:
        if (s.format == Format::NdJson || s.recordPath.isEmpty()) {
            Data::Json::WriteOptions options;
            options.pretty = s.pretty && s.format == Format::Json;
            Data::JsonStreamWriter writer(out, s.format == Format::NdJson ? Data::JsonStreamWriter::Format::Lines
                                                                          : Data::JsonStreamWriter::Format::Array,
                                          options);
            for (const Data::Value &record : request.records) {
                if (cancelled())
                    return cancelError();
                if (!writer.write(record))
                    return *writer.error();
                if (out->pos() > budget)
                    return tooLarge(s, path);
            }
            if (!writer.finish())
                return *writer.error();
        } else {
            Data::Json::WriteOptions options;
            options.pretty = s.pretty;
            QByteArray text = Data::Json::serialize(
                jsonDocument(s, Data::Value(Data::Array(request.records))), options);
            text.append('\n');
            if (text.size() > budget)
                return tooLarge(s, path);
            if (out->write(text) != text.size())
                return fileError(Tr::tr("Cannot write %1: %2").arg(path, out->errorString()));
        }
        return out->pos() > budget ? tooLarge(s, path) : Result<void>();
    case Format::Xml: {
        Result<Data::Value> document = xmlDocument(s, request.records);
        if (!document)
            return document.error();
        Data::Xml::XmlWriteOptions options;
        options.indent = s.pretty ? 2 : 0;
        Result<QByteArray> text = Data::Xml::write(*document, options);
        if (!text)
            return text.error();
        if (text->size() > budget)
            return tooLarge(s, path);
        if (out->write(*text) != text->size())
            return fileError(Tr::tr("Cannot write %1: %2").arg(path, out->errorString()));
        return {};
    }
    }
    return {};
}

Data::Csv::CsvWriteOptions csvWriteOptions(const Settings &s)
{
    Data::Csv::CsvWriteOptions options;
    options.delimiter = s.delimiter;
    options.header = s.header;
    options.columns = s.columns;
    return options;
}

Result<void> writeNewFile(const Settings &s, const WriteRequest &request, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(Tr::tr("Cannot create %1: %2").arg(path, file.errorString()));
    Result<void> written = serializeRecords(s, request, &file, csvWriteOptions(s), s.maxFileSize, path);
    if (!written) {
        file.cancelWriting();
        Error error = written.error();
        if (error.code != "file_too_large"_L1 && error.code != "cancelled"_L1)
            error.message = Tr::tr("Nothing was written to %1: %2").arg(path, error.message);
        return error;
    }
    // commit() flushes, fsyncs and renames the temporary file over the target.
    if (!file.commit())
        return fileError(Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
    syncDirectory(QFileInfo(path).absolutePath());
    return {};
}

Result<void> appendToFile(const Settings &s, const WriteRequest &request, const QString &path)
{
    Data::Csv::CsvWriteOptions csv = csvWriteOptions(s);
    QByteArray separator; // a line break, when the file does not end in one
    const qint64 existing = QFileInfo(path).exists() ? QFileInfo(path).size() : 0;
    if (existing > 0) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fileError(Tr::tr("Cannot open %1: %2").arg(path, file.errorString()));
        if (s.format == Format::Csv && s.header) {
            // New lines follow the header the file already has.
            Data::Csv::CsvOptions options;
            options.delimiter = s.delimiter;
            Data::Csv::CsvReader reader(&file, options);
            Result<Data::Value> first = reader.next();
            if (reader.header().isEmpty())
                return first ? fileError(Tr::tr("%1 has no CSV header to append to").arg(path))
                             : inFile(path, first.error());
            csv.columns = reader.header();
            csv.header = false;
            for (size_t i = 0; i < request.records.size(); ++i) {
                for (const auto &[key, value] : request.records[i].toObject()) {
                    if (!csv.columns.contains(key)) {
                        return makeError("csv_unknown_field", Tr::tr("Record %1 has the field \"%2\", which the header "
                                                                     "of %3 does not have; nothing was written")
                                                                  .arg(i + 1)
                                                                  .arg(key, path));
                    }
                }
            }
        }
        if (file.seek(existing - 1)) {
            const QByteArray last = file.read(1);
            if (last != "\n" && last != "\r")
                separator = s.format == Format::Csv ? csv.lineEnding : QByteArray("\n");
        }
    }

    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    buffer.write(separator);
    if (Result<void> written = serializeRecords(s, request, &buffer, csv, s.maxFileSize - existing, path); !written)
        return written.error();
    const QByteArray bytes = buffer.data();

    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return fileError(Tr::tr("Cannot open %1 to append: %2").arg(path, file.errorString()));
    const qint64 before = file.size();
    if (before + bytes.size() > s.maxFileSize)
        return tooLarge(s, path);
    bool ok = file.write(bytes) == bytes.size() && file.flush();
    QString failure = ok ? QString() : file.errorString();
#ifdef Q_OS_UNIX
    if (ok && ::fsync(file.handle()) != 0) {
        ok = false;
        failure = qt_error_string(errno);
    }
#endif
    if (!ok) {
        // Leave no partial line behind.
        file.resize(before);
        return fileError(Tr::tr("Cannot append to %1: %2").arg(path, failure));
    }
    if (before == 0)
        syncDirectory(QFileInfo(path).absolutePath());
    return {};
}

} // namespace

Result<WriteSummary> FileConnector::write(const WriteRequest &request)
{
    if (request.mode != WriteMode::Insert) {
        return makeError("unsupported", Tr::tr("The files connector only inserts records (into new files, or appended "
                                               "to one); upsert and delete are not supported"));
    }
    if (!request.entity.isEmpty() && request.entity != m_settings.entity)
        return makeError("unknown_entity",
                         Tr::tr("The files endpoint has one entity, %1, not %2")
                             .arg(m_settings.entity, request.entity));
    if (request.cancel && request.cancel->isCancelled())
        return makeError("cancelled", Tr::tr("Writing to %1 was cancelled").arg(m_settings.folder));
    WriteSummary summary;
    if (request.records.empty())
        return summary;
    const QFileInfo folder(m_settings.folder);
    if (!folder.isDir())
        return makeError("connection_failed", Tr::tr("The folder %1 does not exist").arg(m_settings.folder));

    const QString path = m_settings.folder + u'/' + expandFileName(m_settings);
    Result<void> written = m_settings.writeMode == WriteAppend::Append
                               ? appendToFile(m_settings, request, path)
                               : writeNewFile(m_settings, request, unusedPath(path));
    if (!written)
        return written.error();
    summary.inserted = qint64(request.records.size());
    return summary;
}

} // namespace Conflux::Connectors
