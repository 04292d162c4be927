#pragma once

#include "base/result.h"
#include "mapping/mappingdocument.h"

#include <functional>

class QIODevice;

namespace Conflux::Mapping {

struct MappingRunStats
{
    qint64 records = 0;    // source records read
    qint64 written = 0;    // target records written
    qint64 rejected = 0;   // records with violations (not written)
};

// Called for each rejected record with its 0-based index in the source.
using RejectHandler = std::function<void(qint64 index, const Data::Value &source,
                                         const MappedRecord &mapped)>;

// Runs a compiled mapping over a whole input, streaming: source records are read one at
// a time in the mapping's source format (a JSON array's items, NDJSON lines, the
// record_element of an XML document, CSV rows) and target records are written one at a
// time in its target format, so memory stays bounded by one record, whatever the input
// size. Only a source with a record_path (a JSONata path into a whole document) is read
// whole, within the codecs' size limits.
//
// A record with violations is not written; `onReject` receives it and the run goes on.
// The result is an Error only when the input itself cannot be read (a syntax error, a
// limit): it names the record index and the byte offset or line, and every record before
// it has been written. `formatOverride` ("json", "ndjson", "xml", "csv") replaces the
// source format named in the document, e.g. from a file extension.
Result<MappingRunStats> runMapping(const CompiledMapping &mapping, QIODevice *input,
                                   QIODevice *output, const RejectHandler &onReject,
                                   const Data::Object &variables = {},
                                   const QString &formatOverride = {});

// Reads a lookup table: a CSV file with a header row (every field a string), or a JSON
// array of objects. `name` is used in errors. Errors: "mapping_table" with the line and
// column or byte offset of the problem.
Result<Data::Value> readLookupTable(const QString &name, const QByteArray &content, bool isCsv);

// A TableLoader over a folder holding <name>.csv or <name>.json files (a project's tables/).
TableLoader tablesInFolder(const QString &folder);

} // namespace Conflux::Mapping
