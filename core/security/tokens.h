#pragma once

#include <QByteArray>
#include <QString>

namespace Conflux::Security {

// Admin API bearer tokens. A token is "cfx_" followed by 43 base64url characters (256 bits
// from the operating system's CSPRNG). Only its SHA-256 is stored: a token has full
// entropy, so a slow password hash would add nothing but latency to every request.
QString generateToken();
QByteArray hashToken(const QString &token);        // lowercase hex SHA-256
bool looksLikeToken(const QString &token);

// Compares two byte strings in time that depends only on their lengths.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace Conflux::Security
