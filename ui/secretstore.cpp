#include "secretstore.h"

#include <qt6keychain/keychain.h>


using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

Error jobError(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return makeError("secret_not_found", SecretStore::tr("The keychain holds no secret \"%1\".").arg(job.key()));
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return makeError("keychain_denied",
                         SecretStore::tr("The OS keychain refused access: %1").arg(job.errorString()));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return makeError("keychain_unavailable",
                         SecretStore::tr("The OS keychain is not available: %1").arg(job.errorString()));
    case QKeychain::CouldNotDeleteEntry:
        return makeError("keychain_error", SecretStore::tr("The OS keychain failed: %1").arg(job.errorString()));
    case QKeychain::OtherError:
    case QKeychain::NoError:
        break;
    }
    // On Linux a missing D-Bus session or secret service is an OtherError.
    return makeError("keychain_unavailable",
                     SecretStore::tr("The OS keychain is not available: %1").arg(job.errorString()));
}

template<typename JobType>
JobType *prepare(const QString &name, QObject *owner)
{
    auto *job = new JobType(SecretStore::service(), owner);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(name);
    return job;
}

} // namespace

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
{}

SecretStore::~SecretStore() = default;

QString SecretStore::service()
{
    return u"conflux"_s;
}

void SecretStore::write(const QString &name, const QString &value, QObject *context,
                        std::function<void(Result<void>)> done)
{
    auto *job = prepare<QKeychain::WritePasswordJob>(name, this);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() != QKeychain::NoError)
            done(jobError(*finished));
        else
            done({});
    });
    job->start();
}

void SecretStore::read(const QString &name, QObject *context, std::function<void(Result<QString>)> done)
{
    auto *job = prepare<QKeychain::ReadPasswordJob>(name, this);
    connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() != QKeychain::NoError)
            done(jobError(*finished));
        else
            done(static_cast<QKeychain::ReadPasswordJob *>(finished)->textData());
    });
    job->start();
}

void SecretStore::remove(const QString &name, QObject *context, std::function<void(Result<void>)> done)
{
    auto *job = prepare<QKeychain::DeletePasswordJob>(name, this);
    connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job *finished) {
        if (finished->error() != QKeychain::NoError)
            done(jobError(*finished));
        else
            done({});
    });
    job->start();
}

} // namespace Conflux::Ui
