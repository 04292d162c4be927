#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace Conflux::Ui {

// Helpers for keeping credentials out of everything the studio writes.

// The value at a JSON pointer (RFC 6901), or undefined.
QJsonValue valueAtPointer(const QJsonValue &root, const QString &pointer);
// `root` with the value at `pointer` replaced (the pointer must exist).
QJsonValue replaceAtPointer(const QJsonValue &root, const QString &pointer, const QJsonValue &value);

// A keychain name for the credential at `pointer` of `file`, e.g. "endpoints/crm.json" and
// "/authentication/password" → "endpoints.crm.password". Names already in `taken` are avoided.
QString suggestSecretName(const QString &file, const QString &pointer, const QStringList &taken = {});
bool isValidSecretName(const QString &name);

struct ScrubbedText
{
    QByteArray text;
    bool credentialsRemoved = false;
};

// The text with every credential value replaced by "". When the text parses, the members
// findPlaintextSecrets() reports are blanked in place (keeping the rest of the text as
// typed); otherwise a conservative pattern blanks any string after a credential-like key.
ScrubbedText scrubCredentials(const QString &file, const QByteArray &text);

} // namespace Conflux::Ui
