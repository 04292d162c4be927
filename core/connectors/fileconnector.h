#pragma once

#include "connectors/connector.h"

#include <QString>
#include <QStringList>

#include <memory>

// The files connector (protocol `files`): records in the files of one folder, in the
// endpoint's data_format (csv, json, ndjson, xml). Its configuration is documented for users
// in docs/connectors/files.md.
//
// Reading lists the files that match the glob in name order (by modification time for an
// incremental read on "_modified"), streams each file's records in pages (CSV, NDJSON, JSON
// arrays and XML records are streamed; a JSON document with a record_path is parsed whole,
// within max_file_size), and applies after_read to a file only once the sink has accepted
// the page holding its last record. Writing (Insert only) creates a new file atomically
// (QSaveFile: a temporary file, fsync, rename), or appends whole lines to an NDJSON/CSV file
// and fsyncs, truncating back on failure.
//
// Errors: "invalid_endpoint" (configuration, details "/configuration/<name>: ..."),
// "connection_failed" (the folder is missing or unreadable), "file_error" (the path and the
// OS error), "file_too_large" (max_file_size), "record_path_missing", the codecs' errors
// ("csv_syntax", "json_syntax", "xml_syntax", ...) with the file's path in front of their
// message, "unknown_entity", "invalid_request", "cancelled", "unsupported".
//
// Threading: as for every Connector, one thread at a time.

namespace Conflux::Connectors {

class FileConnector final : public Connector
{
public:
    enum class Format : quint8 { Csv, Json, NdJson, Xml };
    enum class AfterRead : quint8 { Keep, Move, Archive, Delete };
    enum class OnError : quint8 { Fail, Quarantine };
    enum class WriteAppend : quint8 { NewFile, Append };

    // The endpoint's configuration, checked and with defaults filled in.
    struct Settings
    {
        QString folder;                 // absolute, cleaned
        Format format = Format::Csv;
        QString entity;                 // the one entity's name
        QString glob;                   // "*.csv"; matched against the relative path when it holds '/'
        bool recursive = false;
        AfterRead afterRead = AfterRead::Keep;
        QString moveTo;                 // absolute folders
        QString archiveTo;
        OnError onError = OnError::Fail;
        QString errorTo;
        char delimiter = ',';
        bool header = true;
        bool typed = false;
        bool strict = true;
        QString recordPath;             // json: a JSON pointer; xml: an element path
        QStringList arrayPaths;         // xml
        QString fileName;               // write target pattern
        WriteAppend writeMode = WriteAppend::NewFile;
        qint64 maxFileSize = 256 * 1024 * 1024;
        bool includeFileInfo = false;
        bool pretty = false;
        QStringList columns;            // csv writes
        int sampleSize = 1000;          // records discover() reads
    };

    FileConnector(EndpointSpec endpoint, Settings settings);

    const Settings &settings() const { return m_settings; }

    Capabilities capabilities() const override;
    Result<ConnectionTest> testConnection() override;
    Result<std::vector<Entity>> discover() override;
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    Result<WriteSummary> write(const WriteRequest &request) override;

    // The extension of a format's files ("csv", "json", "ndjson", "xml").
    static QString extension(Format format);

private:
    Settings m_settings;
};

// Checks `endpoint` (protocol files) and its configuration; relative folders resolve against
// context.baseDirectory. Errors: "invalid_endpoint" with one detail per problem.
Result<std::unique_ptr<Connector>> createFileConnector(const EndpointSpec &endpoint, const ConnectorContext &context);

} // namespace Conflux::Connectors
