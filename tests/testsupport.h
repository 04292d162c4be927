#pragma once

// Small helpers shared by the test suites (header-only; tests include it as "testsupport.h").

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QString>
#include <QTest>

// Fails the test with the error's text when a Result is not ok.
#define VERIFY_OK(expression)                                                                      \
    do {                                                                                           \
        const auto &result_ = (expression);                                                        \
        if (!result_.isOk())                                                                       \
            QFAIL(qPrintable(QStringLiteral("%1 failed: [%2] %3")                                  \
                                 .arg(QLatin1String(#expression), result_.error().code,            \
                                      result_.error().toString())));                               \
    } while (false)

// Expects a failing Result with the given error code and a message.
#define VERIFY_ERROR(expression, expectedCode)                                                     \
    do {                                                                                           \
        const auto &result_ = (expression);                                                        \
        QVERIFY2(!result_.isOk(), #expression " succeeded unexpectedly");                          \
        QVERIFY2(result_.error().code == QLatin1String(expectedCode),                              \
                 qPrintable(QStringLiteral("expected %1, got [%2] %3")                             \
                                .arg(QLatin1String(expectedCode), result_.error().code,            \
                                     result_.error().toString())));                                \
        QVERIFY(!result_.error().message.isEmpty());                                               \
    } while (false)

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

// The KEY=value lines of the env file a CTest fixture wrote (tests/scripts/*-start.sh),
// whose path is in the environment variable `variable`; empty with `error` set when the
// variable or the file is missing (the fixture did not run: a failure, never a skip).
inline QMap<QString, QString> readFixtureEnv(const char *variable, QString *error)
{
    const QString path = qEnvironmentVariable(variable);
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = path.isEmpty() ? QStringLiteral("%1 is not set: run this test through ctest, whose fixture starts "
                                                 "the server and names its env file")
                                      .arg(QLatin1String(variable))
                                : QStringLiteral("the env file %1 is missing: its fixture did not run or failed").arg(path);
        return {};
    }
    QMap<QString, QString> values;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            values.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return values;
}

} // namespace Conflux::Test
