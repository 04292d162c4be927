#pragma once

// Helpers shared by the metadata import tests (tst_edmx, tst_wsdl): test data files, error
// text, and field trees flattened to lines that read well in a QCOMPARE.

#include "base/result.h"
#include "data/schemainference.h"

#include <QByteArray>
#include <QFile>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace Conflux::Test {

inline QByteArray testData(const char *name)
{
    QFile file(QStringLiteral(CONFLUX_SOURCE_DIR "/tests/connectors/data/") + QString::fromLatin1(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open test data %s", name);
    return file.readAll();
}

inline QString describe(const Error &e)
{
    return e.code + QStringLiteral(": ") + e.message;
}

// The line an error message names ("Line 12, column 5: ..."), or -1.
inline int errorLine(const Error &e)
{
    static const QRegularExpression re(QStringLiteral("^Line (\\d+)"));
    const QRegularExpressionMatch m = re.match(e.message);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

// One line per field: "path:types" with "?" when optional and "@format" when there is one.
inline void flatten(const Data::SchemaField &field, QStringList *out)
{
    if (!field.path.isEmpty()) {
        QString line = field.path + u':' + field.typeNames().join(u'|');
        if (field.optional)
            line += u'?';
        if (field.format != Data::StringFormat::None)
            line += u'@' + Data::SchemaField::formatName(field.format);
        out->append(line);
    }
    for (const Data::SchemaField &child : field.fields)
        flatten(child, out);
    for (const Data::SchemaField &item : field.items)
        flatten(item, out);
}

inline QStringList flat(const Data::SchemaField &field)
{
    QStringList out;
    flatten(field, &out);
    return out;
}

} // namespace Conflux::Test
