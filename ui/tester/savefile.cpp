#include "savefile.h"

#include <QCoreApplication>
#include <QDir>
#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>

namespace Conflux::Ui {

QString saveFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return QCoreApplication::translate("Conflux::Ui::SaveFile", "Cannot write %1: %2")
            .arg(QDir::toNativeSeparators(path), file.errorString());
    }
    return {};
}

void saveFileInBackground(const QString &path, const QByteArray &bytes, QObject *context,
                          std::function<void(const QString &error)> done)
{
    const QPointer<QObject> guard(context);
    QThreadPool::globalInstance()->start([path, bytes, guard, done = std::move(done)] {
        const QString error = saveFile(path, bytes);
        QMetaObject::invokeMethod(
            qApp,
            [guard, done, error] {
                if (guard)
                    done(error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace Conflux::Ui
