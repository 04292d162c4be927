#include "secrets.h"

#include "base/log.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::Secrets)
};

Error invalidName(const QString &name)
{
    return makeError("secret_invalid_name",
                     Tr::tr("\"%1\" is not a valid secret name (1–128 characters of A–Z, a–z, 0–9, '.', '_', '-')")
                         .arg(name));
}
} // namespace

bool SecretResolver::isValidName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"_s);
    return pattern.match(name).hasMatch();
}

QString EnvironmentSecretResolver::variableName(const QString &name)
{
    QString out = u"CONFLUX_SECRET_"_s;
    for (QChar c : name.toUpper())
        out.append((c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ? c : u'_');
    return out;
}

Result<QString> EnvironmentSecretResolver::resolve(const QString &name) const
{
    if (!isValidName(name))
        return invalidName(name);
    const QByteArray variable = variableName(name).toLatin1();
    if (!qEnvironmentVariableIsSet(variable.constData()))
        return makeError("secret_not_found", Tr::tr("secret \"%1\" is not set (%2)").arg(name, describe()));
    const QString value = qEnvironmentVariable(variable.constData());
    Log::addSecretValue(value);
    return value;
}

QString EnvironmentSecretResolver::describe() const
{
    return Tr::tr("environment variables CONFLUX_SECRET_*");
}

DirectorySecretResolver::DirectorySecretResolver(const QString &directory)
    : m_directory(directory)
{}

Result<QString> DirectorySecretResolver::resolve(const QString &name) const
{
    if (!isValidName(name))
        return invalidName(name);
    QFile file(QDir(m_directory).filePath(name));
    if (!file.exists())
        return makeError("secret_not_found", Tr::tr("secret \"%1\" is not in %2").arg(name, m_directory));
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError("secret_unavailable",
                         Tr::tr("cannot read secret \"%1\" from %2: %3").arg(name, m_directory, file.errorString()));
    }
    QByteArray bytes = file.read(64 * 1024);
    if (bytes.endsWith('\n'))
        bytes.chop(1);
    if (bytes.endsWith('\r'))
        bytes.chop(1);
    const QString value = QString::fromUtf8(bytes);
    Log::addSecretValue(value);
    return value;
}

QString DirectorySecretResolver::describe() const
{
    return Tr::tr("credentials directory %1").arg(m_directory);
}

void ChainSecretResolver::append(std::unique_ptr<SecretResolver> resolver)
{
    m_resolvers.append(std::shared_ptr<SecretResolver>(std::move(resolver)));
}

Result<QString> ChainSecretResolver::resolve(const QString &name) const
{
    if (!isValidName(name))
        return invalidName(name);
    for (const auto &resolver : m_resolvers) {
        Result<QString> value = resolver->resolve(name);
        if (value || value.error().code != u"secret_not_found")
            return value;
    }
    return makeError("secret_not_found", Tr::tr("secret \"%1\" was not found in %2").arg(name, describe()));
}

QString ChainSecretResolver::describe() const
{
    QStringList parts;
    for (const auto &resolver : m_resolvers)
        parts.append(resolver->describe());
    return parts.join(Tr::tr(", then "));
}

std::unique_ptr<SecretResolver> nodeSecretResolver(const QString &credentialsDirectory)
{
    auto chain = std::make_unique<ChainSecretResolver>();
    QString directory = credentialsDirectory;
    if (directory.isEmpty())
        directory = qEnvironmentVariable("CREDENTIALS_DIRECTORY");
    if (!directory.isEmpty())
        chain->append(std::make_unique<DirectorySecretResolver>(directory));
    chain->append(std::make_unique<EnvironmentSecretResolver>());
    return chain;
}

} // namespace Conflux::Security
