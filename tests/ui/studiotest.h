#pragma once

// Shared helpers of the studio's GUI tests.

#include "jsoneditor.h"
#include "mainwindow.h"
#include "projectexplorer.h"
#include "projectmodel.h"

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QTest>
#include <QTextBlock>

namespace StudioTest {

inline const QByteArray plantedSecret = "PLANTED-s3cr3t-value";

inline QString sampleFolder()
{
    return QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub");
}

// Copies the sample project into `target` (which exists).
inline bool copySample(const QString &target)
{
    const QDir source(sampleFolder());
    QDirIterator it(source.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = source.relativeFilePath(path);
        const QString destination = QDir(target).filePath(relative);
        if (!QDir().mkpath(QFileInfo(destination).absolutePath()) || !QFile::copy(path, destination))
            return false;
        QFile::setPermissions(destination, QFile::ReadOwner | QFile::WriteOwner);
    }
    return true;
}

inline QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every file under `folders` whose bytes contain `needle`.
inline QStringList filesContaining(const QStringList &folders, const QByteArray &needle)
{
    QStringList found;
    for (const QString &folder : folders) {
        QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (readAll(path).contains(needle))
                found.append(path);
        }
    }
    return found;
}

// Where the studio writes outside the project: app data (autosave, local engine) and settings.
inline QStringList studioFolders()
{
    return {QStandardPaths::writableLocation(QStandardPaths::AppDataLocation),
            QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation),
            QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation),
            QStandardPaths::writableLocation(QStandardPaths::CacheLocation)};
}

// Shows `designer` and the JSON `editor` it is a view over in two tabs of `window` (as a
// studio document page has them), at `size`; true once the window is active.
inline bool showDesignerWindow(QWidget *window, QWidget *designer, QWidget *editor, const QSize &size)
{
    window->resize(size);
    auto *layout = new QVBoxLayout(window);
    auto *tabs = new QTabWidget(window);
    layout->addWidget(tabs);
    tabs->addTab(designer, QStringLiteral("Design"));
    tabs->addTab(editor, QStringLiteral("JSON"));
    window->show();
    window->activateWindow();
    return QTest::qWaitForWindowActive(window);
}

// Opens a document the way a user does: select it in the explorer and double-click it.
inline Conflux::Ui::JsonEditor *openFromExplorer(Conflux::Ui::MainWindow &window, const QString &file)
{
    Conflux::Ui::ProjectExplorer *explorer = window.explorer();
    const QModelIndex index = window.projectModel()->indexForFile(file);
    if (!index.isValid())
        return nullptr;
    explorer->scrollTo(index);
    const QRect rect = explorer->visualRect(index);
    QTest::mouseClick(explorer->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(explorer->viewport(), Qt::LeftButton, {}, rect.center());
    return window.editorFor(file);
}

// Selects the first occurrence of `text` in the editor (like Find) and returns whether found.
inline bool selectText(Conflux::Ui::JsonEditor *editor, const QString &text)
{
    QTextCursor cursor = editor->textCursor();
    cursor.movePosition(QTextCursor::Start);
    editor->setTextCursor(cursor);
    return editor->find(text);
}

// Selects from the first occurrence of `from` through the first `to` after it.
inline bool selectRange(Conflux::Ui::JsonEditor *editor, const QString &from, const QString &to)
{
    const QString text = editor->toPlainText();
    const qsizetype start = text.indexOf(from);
    const qsizetype end = start < 0 ? -1 : text.indexOf(to, start + from.size());
    if (end < 0)
        return false;
    QTextCursor cursor(editor->document());
    cursor.setPosition(int(start));
    cursor.setPosition(int(end + to.size()), QTextCursor::KeepAnchor);
    editor->setTextCursor(cursor);
    return true;
}

// The open dialog of type T that is a child of `parent`, once it is visible.
template<typename T>
T *visibleChild(QWidget *parent)
{
    const QList<T *> all = parent->findChildren<T *>();
    for (T *child : all) {
        if (child->isVisible())
            return child;
    }
    return nullptr;
}

inline int changedLines(const QByteArray &before, const QByteArray &after)
{
    const QList<QByteArray> a = before.split('\n');
    const QList<QByteArray> b = after.split('\n');
    if (a.size() != b.size())
        return -1;
    int changed = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        changed += a.at(i) != b.at(i) ? 1 : 0;
    return changed;
}

} // namespace StudioTest
