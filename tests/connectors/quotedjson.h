#pragma once

// JSON written with single quotes instead of double quotes (\' is a literal quote), for test
// files that cannot hold raw string literals (moc).

#include "data/json.h"

#include <QString>
#include <QtGlobal>

namespace Conflux::Test {

inline Data::Value j(const QString &source)
{
    QString text;
    for (qsizetype i = 0; i < source.size(); ++i) {
        if (source.at(i) == u'\\' && i + 1 < source.size() && source.at(i + 1) == u'\'') {
            text += u'\'';
            ++i;
        } else {
            text += source.at(i) == u'\'' ? u'"' : source.at(i);
        }
    }
    Result<Data::Value> value = Data::Json::parse(text.toUtf8());
    if (!value)
        qFatal("bad test JSON: %s in %s", qPrintable(value.error().message), qPrintable(text));
    return *value;
}

} // namespace Conflux::Test
