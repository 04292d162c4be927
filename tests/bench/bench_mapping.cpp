// Conflux's side of the mapping benchmark: streams an NDJSON file of records, maps each
// with one compiled JSONata expression and serializes the result, on one thread, the way
// `conflux map` does. Prints one JSON line: records, seconds, output bytes, peak RSS.

#include "data/json.h"
#include "data/jsonstream.h"
#include "mapping/jsonata.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <sys/resource.h>

#include <cstdio>

using namespace Conflux;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: bench_mapping RECORDS.ndjson EXPRESSION-FILE\n");
        return 2;
    }
    QFile expressionFile(args.at(2));
    if (!expressionFile.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(args.at(2)));
        return 1;
    }
    const QString source = QString::fromUtf8(expressionFile.readAll()).trimmed();

    QElapsedTimer timer;
    timer.start();
    Result<Mapping::Expression> expression = Mapping::Expression::compile(source);
    if (!expression) {
        std::fprintf(stderr, "%s\n", qPrintable(expression.error().message));
        return 1;
    }
    QFile input(args.at(1));
    if (!input.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(args.at(1)));
        return 1;
    }
    Data::JsonStreamReader::Options options;
    options.mode = Data::JsonStreamReader::Mode::Values;
    Data::JsonStreamReader reader(&input, options);
    qint64 records = 0;
    qint64 outputBytes = 0;
    QByteArray out;
    Data::Value record;
    while (reader.next(record)) {
        Result<Data::Value> mapped = expression->evaluate(record);
        if (!mapped) {
            std::fprintf(stderr, "record %lld: %s\n", records, qPrintable(mapped.error().message));
            return 1;
        }
        out.resize(0);   // keeps the buffer's capacity, unlike clear()
        Data::Json::serialize(*mapped, out);
        outputBytes += out.size() + 1;
        ++records;
    }
    if (const auto error = reader.error()) {
        std::fprintf(stderr, "%s\n", qPrintable(error->message));
        return 1;
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"records\":%lld,\"seconds\":%.6f,\"outputBytes\":%lld,\"peakRssBytes\":%lld}\n",
                records, seconds, outputBytes, (long long)usage.ru_maxrss * 1024);
    return 0;
}
