#include "credentials.h"

#include "model/jsontext.h"
#include "model/projectloader.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

QStringList pointerTokens(const QString &pointer)
{
    QStringList tokens = pointer.split(u'/');
    tokens.removeFirst(); // the empty token before the leading '/'
    for (QString &token : tokens) {
        token.replace(u"~1"_s, u"/"_s);
        token.replace(u"~0"_s, u"~"_s);
    }
    return tokens;
}

QJsonValue replaceAt(const QJsonValue &node, const QStringList &tokens, qsizetype depth, const QJsonValue &value)
{
    if (depth == tokens.size())
        return value;
    const QString &token = tokens.at(depth);
    if (node.isObject()) {
        QJsonObject object = node.toObject();
        object.insert(token, replaceAt(object.value(token), tokens, depth + 1, value));
        return object;
    }
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        bool ok = false;
        const int index = token.toInt(&ok);
        if (ok && index >= 0 && index < array.size())
            array.replace(index, replaceAt(array.at(index), tokens, depth + 1, value));
        return array;
    }
    return node;
}

// Credential member names, compared lower-cased without '_' and '-': the loader's list and
// the log redactor's, so the fallback blanks at least what either would call a credential.
bool isCredentialKey(const QString &key)
{
    static const QSet<QString> names = {
        u"password"_s, u"passwd"_s, u"passphrase"_s, u"secret"_s, u"clientsecret"_s,
        u"apikey"_s, u"token"_s, u"accesstoken"_s, u"refreshtoken"_s, u"bearertoken"_s,
        u"privatekey"_s, u"secretkey"_s, u"sharedsecret"_s, u"secretaccesskey"_s,
        u"authorization"_s, u"cookie"_s, u"credential"_s, u"credentials"_s};
    QString normalized = key.toLower();
    normalized.remove(u'_');
    normalized.remove(u'-');
    return names.contains(normalized);
}

// Byte offset of a 1-based line and column (in characters) of UTF-8 text, or -1.
qsizetype byteOffset(const QByteArray &text, int line, int column)
{
    qsizetype pos = 0;
    for (int l = 1; l < line; ++l) {
        pos = text.indexOf('\n', pos);
        if (pos < 0)
            return -1;
        ++pos;
    }
    for (int c = 1; c < column && pos < text.size(); ++c) {
        ++pos;
        while (pos < text.size() && (uchar(text.at(pos)) & 0xC0) == 0x80)
            ++pos;
    }
    return pos;
}

// The end (one past the closing quote) of the JSON string starting at `pos`, or -1.
qsizetype stringEnd(const QByteArray &text, qsizetype pos)
{
    if (pos >= text.size() || text.at(pos) != '"')
        return -1;
    for (qsizetype i = pos + 1; i < text.size(); ++i) {
        if (text.at(i) == '\\')
            ++i;
        else if (text.at(i) == '"')
            return i + 1;
        else if (text.at(i) == '\n')
            return -1;
    }
    return -1;
}

qsizetype skipSpace(const QByteArray &text, qsizetype pos)
{
    while (pos < text.size() && QChar::isSpace(uchar(text.at(pos))))
        ++pos;
    return pos;
}

// Blanks the string value of the member whose key starts at `keyPos`; false if the text
// there is not `"key": "value"`.
bool blankMemberValue(QByteArray &text, qsizetype keyPos)
{
    const qsizetype keyEnd = stringEnd(text, keyPos);
    if (keyEnd < 0)
        return false;
    qsizetype pos = skipSpace(text, keyEnd);
    if (pos >= text.size() || text.at(pos) != ':')
        return false;
    pos = skipSpace(text, pos + 1);
    const qsizetype valueEnd = stringEnd(text, pos);
    if (valueEnd < 0)
        return false;
    text.replace(pos, valueEnd - pos, "\"\"");
    return true;
}

ScrubbedText scrubParsed(const QString &file, const QByteArray &text, const Model::ParsedDocument &parsed)
{
    const QJsonObject object = parsed.value.toObject();
    const Model::Diagnostics secrets = Model::findPlaintextSecrets(file, object);
    if (secrets.isEmpty())
        return {text, false};

    QList<qsizetype> keyOffsets;
    for (const Model::Diagnostic &d : secrets) {
        const auto position = parsed.sourceMap.position(d.pointer);
        keyOffsets.append(position ? byteOffset(text, position->line, position->column) : -1);
    }
    std::sort(keyOffsets.begin(), keyOffsets.end(), std::greater<>());
    QByteArray out = text;
    bool inPlace = !keyOffsets.contains(-1);
    for (qsizetype offset : std::as_const(keyOffsets)) {
        if (inPlace)
            inPlace = blankMemberValue(out, offset);
    }
    if (inPlace) {
        const Model::ParsedDocument check = Model::parseDocument(file, out);
        inPlace = check.errors.isEmpty()
                  && Model::findPlaintextSecrets(file, check.value.toObject()).isEmpty();
    }
    if (!inPlace) {
        // Escaped member names and the like: give up the typed layout, keep the content.
        QJsonValue blanked = object;
        for (const Model::Diagnostic &d : secrets)
            blanked = replaceAtPointer(blanked, d.pointer, QString());
        out = Model::canonicalJson(blanked);
    }
    return {out, true};
}

ScrubbedText scrubByPattern(const QByteArray &text)
{
    // "key" : "value" — the value may be unterminated while it is being typed.
    static const QRegularExpression member(
        uR"re("((?:[^"\\\n]|\\.)*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)("?))re"_s);
    static const QRegularExpression openBrace(uR"re(\{\s*$)re"_s);
    static const QRegularExpression closeBrace(uR"re(^\s*\})re"_s);
    QString source = QString::fromUtf8(text);
    QString out;
    bool removed = false;
    qsizetype last = 0;
    auto it = member.globalMatch(source);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (!isCredentialKey(m.captured(1)) || m.capturedLength(3) == 0)
            continue;
        // {"secret": "name"} is a reference, not a credential.
        const bool reference = m.captured(1) == u"secret" && !m.captured(4).isEmpty()
                               && openBrace.match(QStringView(source).left(m.capturedStart(0))).hasMatch()
                               && closeBrace.match(QStringView(source).mid(m.capturedEnd(0))).hasMatch();
        if (reference)
            continue;
        out += QStringView(source).mid(last, m.capturedStart(3) - 1 - last);
        out += u"\"\""_s;
        last = m.capturedEnd(0);
        removed = true;
    }
    if (!removed)
        return {text, false};
    out += QStringView(source).mid(last);
    return {out.toUtf8(), true};
}

} // namespace

QJsonValue valueAtPointer(const QJsonValue &root, const QString &pointer)
{
    QJsonValue node = root;
    const QStringList tokens = pointerTokens(pointer);
    for (const QString &token : tokens) {
        if (node.isObject()) {
            node = node.toObject().value(token);
        } else if (node.isArray()) {
            bool ok = false;
            const int index = token.toInt(&ok);
            node = ok ? node.toArray().at(index) : QJsonValue(QJsonValue::Undefined);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return node;
}

QJsonValue replaceAtPointer(const QJsonValue &root, const QString &pointer, const QJsonValue &value)
{
    return replaceAt(root, pointerTokens(pointer), 0, value);
}

bool isValidSecretName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"_s);
    return pattern.match(name).hasMatch();
}

QString suggestSecretName(const QString &file, const QString &pointer, const QStringList &taken)
{
    static const QRegularExpression invalid(u"[^A-Za-z0-9._-]+"_s);
    const QFileInfo info(file);
    const QString folder = file.contains(u'/') ? file.section(u'/', 0, 0) : u"project"_s;
    const QString base = folder == u"project" ? QString() : info.completeBaseName();
    QStringList tokens = pointerTokens(pointer);
    tokens.removeIf([](const QString &t) { bool number = false; t.toInt(&number); return number; });

    auto build = [&](const QStringList &members) {
        QStringList parts{folder};
        if (!base.isEmpty())
            parts.append(base);
        parts += members;
        QString name = parts.join(u'.');
        name.replace(invalid, u"-"_s);
        while (!name.isEmpty() && !name.at(0).isLetterOrNumber())
            name.remove(0, 1);
        return name.left(128);
    };
    QString name = build(tokens.mid(tokens.size() - 1));
    if (taken.contains(name))
        name = build(tokens);
    const QString stem = name;
    for (int n = 2; taken.contains(name); ++n)
        name = stem + u'-' + QString::number(n);
    return name;
}

ScrubbedText scrubCredentials(const QString &file, const QByteArray &text)
{
    const Model::ParsedDocument parsed = Model::parseDocument(file, text);
    if (parsed.errors.isEmpty() && parsed.value.isObject())
        return scrubParsed(file, text, parsed);
    return scrubByPattern(text);
}

} // namespace Conflux::Ui
