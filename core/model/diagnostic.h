#pragma once

#include <QList>
#include <QString>

namespace Conflux::Model {

// One problem found in a project, located by file and JSON pointer (RFC 6901) and, where the
// text is at hand, by 1-based line and column. Rendered as `file:pointer: message`, e.g.
//   mappings/orders.json:/fields/3/target: duplicate target field "customerId"
struct Diagnostic
{
    QString file;     // path relative to the project folder, '/' separated
    QString pointer;  // JSON pointer into the document; empty for the whole document
    QString message;
    int line = 0;     // 0 when unknown
    int column = 0;

    QString toString() const
    {
        QString out = file;
        if (!pointer.isEmpty() || line == 0)
            out += QLatin1Char(':') + pointer;
        else
            out += QLatin1Char(':') + QString::number(line) + QLatin1Char(':') + QString::number(column);
        return out + QLatin1String(": ") + message;
    }
    bool operator==(const Diagnostic &) const = default;
};

using Diagnostics = QList<Diagnostic>;

QStringList toStrings(const Diagnostics &diagnostics);

} // namespace Conflux::Model
