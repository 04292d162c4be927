#include "curl.h"

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

QString shellQuote(const QString &argument)
{
    if (!argument.isEmpty()) {
        bool plain = true;
        for (QChar c : argument) {
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && !QStringView(u"-_./:=@%+,").contains(c)) {
                plain = false;
                break;
            }
        }
        if (plain)
            return argument;
    }
    QString out = argument;
    out.replace(u"'"_s, u"'\\''"_s);
    return u'\'' + out + u'\'';
}

QString toCurl(const PreparedRequest &request, const CurlOptions &options)
{
    auto hide = [&](QString text) {
        if (options.maskSecrets) {
            for (const QString &secret : request.secretValues) {
                if (!secret.isEmpty()) {
                    text.replace(secret, u"*****"_s);
                    text.replace(QString::fromLatin1(QUrl::toPercentEncoding(secret)), u"*****"_s);
                }
            }
        }
        return text;
    };
    // Each part is one option with its value, so that multiline output keeps them together.
    QStringList parts{u"curl"_s};
    const bool hasBody = !request.body.isEmpty();
    const QByteArray implied = hasBody ? "POST" : "GET";
    if (request.method != implied)
        parts << u"-X "_s + shellQuote(QString::fromLatin1(request.method));
    if (request.followRedirects)
        parts << u"-L"_s;
    if (options.insecure)
        parts << u"-k"_s;
    for (const auto &[name, value] : request.headers) {
        const QString header = QString::fromLatin1(name) + u": "_s + QString::fromUtf8(value);
        parts << u"-H "_s + shellQuote(hide(header));
    }
    if (hasBody)
        parts << u"--data-raw "_s + shellQuote(hide(QString::fromUtf8(request.body)));
    parts << u"--url "_s + shellQuote(hide(QString::fromUtf8(request.url.toEncoded())));
    return parts.join(options.multiline ? u" \\\n  "_s : u" "_s);
}

} // namespace Conflux::Tester
