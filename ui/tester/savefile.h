#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

class QObject;

namespace Conflux::Ui {

// Writes `bytes` to `path` atomically (QSaveFile); returns the error for people, empty when
// the file was written.
QString saveFile(const QString &path, const QByteArray &bytes);

// The same on a thread of the global pool, so that a large body never holds up the UI:
// `done` gets the error (empty on success) on `context`'s thread, unless `context` is gone.
void saveFileInBackground(const QString &path, const QByteArray &bytes, QObject *context,
                          std::function<void(const QString &error)> done);

} // namespace Conflux::Ui
