#include "tokens.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Security {

QString generateToken()
{
    quint32 words[8];
    QRandomGenerator::system()->generate(std::begin(words), std::end(words));
    const QByteArray raw(reinterpret_cast<const char *>(words), sizeof words);
    return u"cfx_"_s
           + QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray hashToken(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex();
}

bool looksLikeToken(const QString &token)
{
    static const QRegularExpression pattern(u"^cfx_[A-Za-z0-9_-]{43}$"_s);
    return pattern.match(token).hasMatch();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

} // namespace Conflux::Security
