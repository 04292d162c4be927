#pragma once

// Private to the security module: how values from outside (tokens, files people edit) are
// shown in error messages.

#include <QString>
#include <QStringView>

namespace Conflux::Security::Internal {

// At most 64 characters, non-printable ones as '?', an ellipsis when cut: an attacker-chosen
// value cannot flood a log or hide control characters in it.
inline QString shown(const QString &text)
{
    constexpr qsizetype Max = 64;
    QString out;
    for (const QChar c : QStringView(text).left(Max))
        out.append(c.isPrint() ? c : u'?');
    if (text.size() > Max)
        out.append(u'\u2026');
    return out;
}

} // namespace Conflux::Security::Internal
