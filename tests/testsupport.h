#pragma once

// Small helpers shared by the test suites (header-only; tests include it as "testsupport.h").

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace Conflux::Test {

// The bundled sample project, which uses every document kind.
inline QString sampleFolder()
{
    return QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub");
}

// Copies every file below `from` into `to`, keeping the relative layout.
inline bool copyFolder(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = QDir(to).filePath(QDir(from).relativeFilePath(path));
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFile::copy(path, target))
            return false;
    }
    return true;
}

} // namespace Conflux::Test
