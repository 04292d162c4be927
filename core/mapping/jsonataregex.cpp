#include "mapping/jsonataregex_p.h"

#include "mapping/jsonatafunctions_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

namespace {

bool isHex(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
}

} // namespace

QString translateJsRegex(QStringView pattern, bool multiline)
{
    // Differences that matter: `.` and `$` (JavaScript's line terminators and end of input),
    // \uXXXX escapes, and the JavaScript-only classes [] and [^].
    QString out;
    out.reserve(pattern.size() + 16);
    bool inClass = false;
    const qsizetype n = pattern.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = pattern[i];
        if (c == u'\\' && i + 1 < n) {
            const QChar e = pattern[i + 1];
            if (e == u'u' && i + 5 < n && isHex(pattern[i + 2]) && isHex(pattern[i + 3])
                && isHex(pattern[i + 4]) && isHex(pattern[i + 5])) {
                out += u"\\x{"_s;
                out += pattern.mid(i + 2, 4);
                out += u'}';
                i += 5;
                continue;
            }
            if (e == u'/') {
                out += u'/';
                ++i;
                continue;
            }
            out += c;
            out += e;
            ++i;
            continue;
        }
        if (inClass) {
            if (c == u']')
                inClass = false;
            out += c;
            continue;
        }
        if (c == u'[') {
            if (pattern.mid(i, 2) == u"[]") {
                out += u"(?!)"_s;
                ++i;
                continue;
            }
            if (pattern.mid(i, 3) == u"[^]") {
                out += u"[\\s\\S]"_s;
                i += 2;
                continue;
            }
            inClass = true;
            out += c;
            // a `]` right after `[` or `[^` would be literal in PCRE but ends the class in
            // JavaScript; both cases are handled above
            continue;
        }
        if (c == u'.') {
            out += u"[^\\n\\r\\x{2028}\\x{2029}]"_s;
            continue;
        }
        if (c == u'$' && !multiline) {
            out += u"(?!(?s:.))"_s;
            continue;
        }
        out += c;
    }
    return out;
}

Data::Value makeRegex(const QString &pattern, const QString &flags, int position)
{
    auto *regex = new Regex;
    Data::Value value(static_cast<Data::Callable *>(regex));   // owns it from here
    const bool multiline = flags.contains(u'm');
    QRegularExpression::PatternOptions options = QRegularExpression::NoPatternOption;
    if (flags.contains(u'i'))
        options |= QRegularExpression::CaseInsensitiveOption;
    if (multiline)
        options |= QRegularExpression::MultilineOption;
    regex->pattern = QRegularExpression(translateJsRegex(pattern, multiline), options);
    regex->source = pattern;
    if (!regex->pattern.isValid()) {
        throw JsonataException(u"S0303"_s, position,
                               u"Invalid regular expression /%1/: %2"_s
                                   .arg(pattern, regex->pattern.errorString()),
                               pattern);
    }
    regex->pattern.optimize();
    return value;
}

} // namespace Conflux::Mapping::Internal
