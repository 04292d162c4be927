#pragma once

#include "base/result.h"

#include <QObject>
#include <QString>

#include <functional>

namespace Conflux::Ui {

// The OS keychain, through QtKeychain: items of service "conflux", keyed by secret name.
// Asynchronous: each call returns at once and later calls `done` on the thread of
// `context` (unless `context` was destroyed). Errors are values: "keychain_unavailable"
// (no backend, e.g. no D-Bus secret service), "keychain_denied", "secret_not_found",
// "keychain_error". Never falls back to storing values in plain files.
class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    static QString service();

    void write(const QString &name, const QString &value, QObject *context,
               std::function<void(Result<void>)> done);
    void read(const QString &name, QObject *context, std::function<void(Result<QString>)> done);
    void remove(const QString &name, QObject *context, std::function<void(Result<void>)> done);
};

} // namespace Conflux::Ui
