#include "jsontext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Model {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::JsonText)
};

const QStringList &priorityKeys()
{
    static const QStringList keys = {u"kind"_s, u"schemaVersion"_s, u"id"_s, u"name"_s,
                                     u"description"_s, u"type"_s};
    return keys;
}

QStringList orderedKeys(const QJsonObject &object)
{
    QStringList keys;
    keys.reserve(object.size());
    for (const QString &key : priorityKeys()) {
        if (object.contains(key))
            keys.append(key);
    }
    QStringList rest;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!priorityKeys().contains(it.key()))
            rest.append(it.key());
    }
    std::sort(rest.begin(), rest.end()); // QString's operator< compares UTF-16 code units
    keys += rest;
    return keys;
}

void writeString(QByteArray &out, const QString &string)
{
    out.append('"');
    const QByteArray utf8 = string.toUtf8();
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (u < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out.append(buf);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void writeNumber(QByteArray &out, double d)
{
    if (!std::isfinite(d)) {
        out.append("null"); // JSON has no NaN or infinity
        return;
    }
    if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
        out.append(QByteArray::number(static_cast<qint64>(d)));
        return;
    }
    out.append(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
}

void writeValue(QByteArray &out, const QJsonValue &value, int indent)
{
    const QByteArray pad(indent * 2, ' ');
    const QByteArray innerPad((indent + 1) * 2, ' ');
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double:
        writeNumber(out, value.toDouble());
        break;
    case QJsonValue::String:
        writeString(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out.append("[]");
            break;
        }
        out.append("[\n");
        for (qsizetype i = 0; i < array.size(); ++i) {
            out.append(innerPad);
            writeValue(out, array.at(i), indent + 1);
            out.append(i + 1 < array.size() ? ",\n" : "\n");
        }
        out.append(pad).append(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out.append("{}");
            break;
        }
        out.append("{\n");
        const QStringList keys = orderedKeys(object);
        for (qsizetype i = 0; i < keys.size(); ++i) {
            out.append(innerPad);
            writeString(out, keys.at(i));
            out.append(": ");
            writeValue(out, object.value(keys.at(i)), indent + 1);
            out.append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        out.append(pad).append('}');
        break;
    }
    }
}

// A small scanner over JSON text that QJsonDocument has already accepted: it records the
// position of every value by pointer and notices repeated member names.
class Scanner
{
public:
    explicit Scanner(const QByteArray &text) : m_text(text) {}

    void run(QHash<QString, JsonSourceMap::Position> &positions, QStringList &duplicates)
    {
        m_positions = &positions;
        m_duplicates = &duplicates;
        skipSpace();
        value(QString());
    }

private:
    JsonSourceMap::Position here() const
    {
        // Column in characters: count UTF-8 lead bytes since the line start.
        int column = 1;
        for (qsizetype i = m_lineStart; i < m_pos; ++i) {
            if ((static_cast<unsigned char>(m_text.at(i)) & 0xC0) != 0x80)
                ++column;
        }
        return {m_line, column};
    }

    void skipSpace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text.at(m_pos);
            if (c == '\n') {
                ++m_line;
                m_lineStart = m_pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                break;
            }
            ++m_pos;
        }
    }

    QString string()
    {
        // m_pos at the opening quote; the text is valid JSON, so decode through Qt.
        const qsizetype start = m_pos;
        ++m_pos;
        while (m_pos < m_text.size() && m_text.at(m_pos) != '"') {
            if (m_text.at(m_pos) == '\\')
                ++m_pos;
            ++m_pos;
        }
        ++m_pos;
        const QByteArray literal = m_text.mid(start, m_pos - start);
        if (!literal.contains('\\'))
            return QString::fromUtf8(literal.mid(1, literal.size() - 2));
        return QJsonDocument::fromJson('[' + literal + ']').array().at(0).toString();
    }

    void value(const QString &pointer)
    {
        if (m_pos >= m_text.size())
            return;
        m_positions->insert(pointer, here());
        const char c = m_text.at(m_pos);
        if (c == '{') {
            ++m_pos;
            QSet<QString> seen;
            skipSpace();
            while (m_pos < m_text.size() && m_text.at(m_pos) != '}') {
                const JsonSourceMap::Position keyPosition = here();
                const QString key = string();
                const QString child = appendPointer(pointer, key);
                if (seen.contains(key))
                    m_duplicates->append(child);
                seen.insert(key);
                skipSpace();
                ++m_pos; // ':'
                skipSpace();
                value(child);
                m_positions->insert(child, keyPosition); // members are shown at their key
                skipSpace();
                if (m_pos < m_text.size() && m_text.at(m_pos) == ',') {
                    ++m_pos;
                    skipSpace();
                }
            }
            ++m_pos;
        } else if (c == '[') {
            ++m_pos;
            qsizetype index = 0;
            skipSpace();
            while (m_pos < m_text.size() && m_text.at(m_pos) != ']') {
                value(appendPointer(pointer, index++));
                skipSpace();
                if (m_pos < m_text.size() && m_text.at(m_pos) == ',') {
                    ++m_pos;
                    skipSpace();
                }
            }
            ++m_pos;
        } else if (c == '"') {
            string();
        } else {
            while (m_pos < m_text.size()) {
                const char d = m_text.at(m_pos);
                if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\n' || d == '\r' || d == '\t')
                    break;
                ++m_pos;
            }
        }
    }

    const QByteArray &m_text;
    qsizetype m_pos = 0;
    qsizetype m_lineStart = 0;
    int m_line = 1;
    QHash<QString, JsonSourceMap::Position> *m_positions = nullptr;
    QStringList *m_duplicates = nullptr;
};

} // namespace

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    writeValue(out, value, 0);
    out.append('\n');
    return out;
}

QString escapePointerToken(const QString &token)
{
    QString out = token;
    out.replace(u'~', u"~0"_s);
    out.replace(u'/', u"~1"_s);
    return out;
}

QString appendPointer(const QString &pointer, const QString &token)
{
    return pointer + u'/' + escapePointerToken(token);
}

QString appendPointer(const QString &pointer, qsizetype index)
{
    return pointer + u'/' + QString::number(index);
}

JsonSourceMap JsonSourceMap::build(const QByteArray &text)
{
    JsonSourceMap map;
    Scanner(text).run(map.m_positions, map.m_duplicates);
    return map;
}

std::optional<JsonSourceMap::Position> JsonSourceMap::position(const QString &pointer) const
{
    const auto it = m_positions.constFind(pointer);
    if (it == m_positions.constEnd())
        return std::nullopt;
    return *it;
}

JsonSourceMap::Position JsonSourceMap::nearest(const QString &pointer) const
{
    QString p = pointer;
    while (true) {
        if (const auto found = position(p))
            return *found;
        if (p.isEmpty())
            return {1, 1};
        p.truncate(p.lastIndexOf(u'/'));
    }
}

ParsedDocument parseDocument(const QString &file, const QByteArray &text)
{
    ParsedDocument parsed;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        // Report the line and column of the byte offset Qt gives.
        int line = 1;
        qsizetype lineStart = 0;
        qsizetype offset = qMin<qsizetype>(error.offset, text.size());
        // Qt reports where it stopped reading; point at the last token instead of the
        // whitespace after it.
        while (offset > 0 && QByteArrayView(" \t\r\n").contains(text.at(offset - 1)))
            --offset;
        for (qsizetype i = 0; i < offset; ++i) {
            if (text.at(i) == '\n') {
                ++line;
                lineStart = i + 1;
            }
        }
        const int column = int(QString::fromUtf8(text.mid(lineStart, offset - lineStart)).size()) + 1;
        parsed.errors.append({file, QString(),
                              Tr::tr("invalid JSON: %1").arg(error.errorString()),
                              line, column});
        return parsed;
    }
    if (!document.isObject()) {
        parsed.errors.append({file, QString(), Tr::tr("a document must be a JSON object"), 1, 1});
        return parsed;
    }
    parsed.value = document.object();
    parsed.sourceMap = JsonSourceMap::build(text);
    for (const QString &pointer : parsed.sourceMap.duplicateKeys()) {
        const auto pos = parsed.sourceMap.nearest(pointer);
        parsed.errors.append({file, pointer,
                              Tr::tr("duplicate member name \"%1\"")
                                  .arg(pointer.mid(pointer.lastIndexOf(u'/') + 1)),
                              pos.line, pos.column});
    }
    return parsed;
}

} // namespace Conflux::Model
