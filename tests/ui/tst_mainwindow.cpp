// The studio shell driven through its real widgets (offscreen): explorer, editors, undo,
// inline validation, the Problems panel, canonical saves, autosave and crash restore,
// plaintext credentials without a keychain, new projects and documents, recent projects,
// and the local engine's start/stop button. Saves screenshots as test artifacts.

#include "studiotest.h"

#include "autosave.h"
#include "documentpage.h"
#include "documenttabs.h"
#include "endpoint/endpointdesigner.h"
#include "endpoint/formfield.h"
#include "mapping/mappingdesigner.h"
#include "tester/collectiondesigner.h"
#include "tester/requesteditor.h"
#include "model/projectloader.h"
#include "projectfiles.h"
#include "localengine.h"
#include "movesecretsdialog.h"
#include "newdocumentdialog.h"
#include "newprojectdialog.h"
#include "problemspanel.h"
#include "recentprojects.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QTranslator>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void explorerShowsEveryKindWithCounts();
    void explorerOpensDocumentsByKeyboard();
    void typingMarksTabAndUndoRestores();
    void invalidEditShowsInlineErrorAndProblem();
    void crossReferenceErrorsComeFromTheWholeProject();
    void saveOfOneFieldIsOneLineDiff();
    void unchangedSaveChangesNoByte();
    void autosaveSurvivesCrash();
    void discardPolicyDropsAutosave();
    void plaintextSecretIsNeverWrittenWithoutKeychain();
    void newProjectAndNewDocument();
    void newProjectThroughTheDialog();
    void recentProjectsArePrunedAndCapped();
    void windowStateIsSaved();
    void engineStartsAndStopsFromStatusBar();
    void engineStartErrorGoesToProblems();
    void designersShareTheDocumentWithItsJson();
    void screenshotMainWindow();
    void germanTranslationIsEmbedded();

private:
    std::unique_ptr<Ui::MainWindow> openWindow(Ui::MainWindow::RestorePolicy policy = Ui::MainWindow::RestorePolicy::Ask);
    QString artifact(const QString &name) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
};

void TestMainWindow::initTestCase()
{
    // No D-Bus session: the keychain is unavailable here (tst_keychain covers the other case).
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    qunsetenv("DISPLAY");
    QCoreApplication::setOrganizationName(u"conflux-tests"_s);
    QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
    QStandardPaths::setTestModeEnabled(true);
    for (const QString &folder : studioFolders()) {
        if (folder.contains(u".qttest"_s) && folder.contains(u"conflux-tests"_s))
            QDir(folder).removeRecursively();
    }
    QSettings().clear();
    QDir().mkpath(QStringLiteral(CONFLUX_TEST_ARTIFACTS));
}

void TestMainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = QDir(m_dir->path()).filePath(u"order-hub"_s);
    QVERIFY(QDir().mkpath(m_project));
    QVERIFY(copySample(m_project));
}

void TestMainWindow::cleanup()
{
    QDir(Ui::AutosaveStore::rootFolder()).removeRecursively();
    m_dir.reset();
}

QString TestMainWindow::artifact(const QString &name) const
{
    return QDir(QStringLiteral(CONFLUX_TEST_ARTIFACTS)).filePath(name);
}

std::unique_ptr<Ui::MainWindow> TestMainWindow::openWindow(Ui::MainWindow::RestorePolicy policy)
{
    auto window = std::make_unique<Ui::MainWindow>();
    window->setRestorePolicy(policy);
    window->resize(1200, 780);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()))
        qWarning("the main window did not become active");
    if (!window->openProject(m_project))
        return nullptr;
    return window;
}

void TestMainWindow::explorerShowsEveryKindWithCounts()
{
    auto window = openWindow();
    QVERIFY(window);
    const Ui::ProjectModel *model = window->projectModel();

    // project.json first, then one node per other kind: all 11 kinds.
    QCOMPARE(model->rowCount(), int(Model::documentKinds().size()));
    const QModelIndex project = model->index(0, 0);
    QCOMPARE(project.data(Ui::ProjectModel::FileRole).toString(), u"project.json"_s);
    QCOMPARE(project.data().toString(), u"Order Hub"_s);
    QVERIFY(project.data(Qt::ToolTipRole).toString().contains(u"order-hub"_s));
    QVERIFY(!project.data(Qt::DecorationRole).value<QIcon>().isNull());

    // Count the files by their "kind" member, as a user would.
    QHash<QString, int> expected;
    QDirIterator it(m_project, {u"*.json"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QJsonObject json = QJsonDocument::fromJson(readAll(it.next())).object();
        expected[json.value(u"kind"_s).toString()] += 1;
    }
    for (int row = 1; row < model->rowCount(); ++row) {
        const QModelIndex kindIndex = model->index(row, 0);
        QVERIFY(kindIndex.data(Ui::ProjectModel::IsKindNodeRole).toBool());
        const auto kind = Model::DocumentKind(kindIndex.data(Ui::ProjectModel::KindRole).toInt());
        const Model::KindInfo &info = Model::kindInfo(kind);
        QCOMPARE(kind, Model::documentKinds().at(row).kind);
        const int count = expected.value(info.name);
        QCOMPARE(model->rowCount(kindIndex), count);
        QCOMPARE(kindIndex.data().toString(), u"%1 (%2)"_s.arg(Ui::ProjectModel::kindTitle(kind)).arg(count));
        QVERIFY(!kindIndex.data(Qt::DecorationRole).value<QIcon>().isNull());
        for (int child = 0; child < count; ++child) {
            const QModelIndex doc = model->index(child, 0, kindIndex);
            const QString file = doc.data(Ui::ProjectModel::FileRole).toString();
            QVERIFY2(file.startsWith(info.folder + u'/'), qPrintable(file));
            QVERIFY(doc.data(Qt::ToolTipRole).toString().contains(file));
            QVERIFY(doc.data(Qt::ToolTipRole).toString().contains(doc.data(Ui::ProjectModel::IdRole).toString()));
            QCOMPARE(doc.data(Ui::ProjectModel::ErrorCountRole).toInt(), 0);
        }
    }
    QCOMPARE(model->indexForKind(Model::DocumentKind::Endpoint).data().toString(), u"Endpoints (4)"_s);
    QCOMPARE(window->problemsPanel()->count(), 0);   // the sample is valid
}

void TestMainWindow::explorerOpensDocumentsByKeyboard()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::ProjectExplorer *explorer = window->explorer();
    explorer->setFocus();
    const QModelIndex index = window->projectModel()->indexForFile(u"routes/orders-api.json"_s);
    QVERIFY(index.isValid());
    explorer->setCurrentIndex(index);
    QTest::keyClick(explorer, Qt::Key_Return);
    Ui::JsonEditor *editor = window->currentEditor();
    QVERIFY(editor);
    QCOMPARE(editor->file(), u"routes/orders-api.json"_s);
    QCOMPARE(editor->text(), readAll(QDir(m_project).filePath(editor->file())));
    QCOMPARE(window->tabs()->tabText(window->tabs()->currentIndex()), u"orders-api.json"_s);

    // Double-click opens another; activating an open document switches to its tab.
    Ui::JsonEditor *second = openFromExplorer(*window, u"endpoints/shop-api.json"_s);
    QVERIFY(second);
    QCOMPARE(window->tabs()->count(), 2);
    QCOMPARE(window->currentEditor(), second);
    QCOMPARE(openFromExplorer(*window, u"routes/orders-api.json"_s), editor);
    QCOMPARE(window->tabs()->count(), 2);
    QCOMPARE(window->currentEditor(), editor);
}

void TestMainWindow::typingMarksTabAndUndoRestores()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::JsonEditor *editor = openFromExplorer(*window, u"endpoints/erp-db.json"_s);
    QVERIFY(editor);
    const QByteArray original = editor->text();
    const int tab = window->tabs()->indexOfEditor(editor);
    QCOMPARE(window->tabs()->tabText(tab), u"erp-db.json"_s);
    QVERIFY(!window->action(u"undo"_s)->isEnabled());

    QVERIFY(selectText(editor, u"ERP staging database"_s));
    QTest::keyClicks(editor, u"ERP warehouse"_s);
    QVERIFY(editor->text().contains("\"name\": \"ERP warehouse\""));
    QVERIFY(editor->isModified());
    QCOMPARE(window->tabs()->tabText(tab), u"erp-db.json*"_s);
    QVERIFY(window->isWindowModified());
    QVERIFY(window->action(u"undo"_s)->isEnabled());

    // Another document has its own undo stack: undo there does not touch this one.
    Ui::JsonEditor *other = openFromExplorer(*window, u"endpoints/shop-api.json"_s);
    QVERIFY(other);
    QVERIFY(!window->action(u"undo"_s)->isEnabled());
    window->tabs()->setCurrentEditor(editor);
    QVERIFY(window->action(u"undo"_s)->isEnabled());

    // Ctrl+Z in the editor, then Edit ▸ Undo, until nothing is left to undo.
    editor->setFocus();
    QTest::keyClick(editor, Qt::Key_Z, Qt::ControlModifier);
    while (editor->document()->isUndoAvailable())
        window->action(u"undo"_s)->trigger();
    QCOMPARE(editor->text(), original);
    QVERIFY(!editor->isModified());
    QCOMPARE(window->tabs()->tabText(tab), u"erp-db.json"_s);
    QVERIFY(!window->isWindowModified());

    // Redo brings the edit back.
    window->action(u"redo"_s)->trigger();
    while (editor->document()->isRedoAvailable())
        window->action(u"redo"_s)->trigger();
    QVERIFY(editor->text().contains("\"name\": \"ERP warehouse\""));
    QCOMPARE(window->tabs()->tabText(tab), u"erp-db.json*"_s);
}

void TestMainWindow::invalidEditShowsInlineErrorAndProblem()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::JsonEditor *editor = openFromExplorer(*window, u"queues/order-processor.json"_s);
    QVERIFY(editor);
    QVERIFY(editor->diagnostics().isEmpty());

    // A wrong type: "concurrency" is an integer.
    QVERIFY(selectText(editor, u"\"concurrency\": 4"_s));
    QTest::keyClicks(editor, u"\"concurrency\": \"four\""_s);

    const QString prefix = u"queues/order-processor.json:/concurrency: "_s;
    QTRY_VERIFY_WITH_TIMEOUT(!editor->diagnostics().isEmpty(), 5000);
    const Model::Diagnostic error = editor->diagnostics().first();
    QCOMPARE(error.pointer, u"/concurrency"_s);
    QCOMPARE(error.line, 6);
    QCOMPARE(error.column, 3);
    QVERIFY(!editor->messagesAtLine(5).isEmpty());
    // The underline sits on the line of the error.
    bool underlined = false;
    const QList<QTextEdit::ExtraSelection> selections = editor->extraSelections();
    for (const QTextEdit::ExtraSelection &s : selections) {
        if (s.format.underlineStyle() == QTextCharFormat::WaveUnderline) {
            QCOMPARE(s.cursor.block().blockNumber(), 5);
            QCOMPARE(s.cursor.selectedText(), u"\"concurrency\""_s);
            underlined = true;
        }
    }
    QVERIFY(underlined);

    QTRY_VERIFY_WITH_TIMEOUT(!window->problemsPanel()->problems().isEmpty(), 5000);
    const QStringList problems = window->problemsPanel()->problems();
    QVERIFY2(problems.first().startsWith(prefix), qPrintable(problems.join(u'\n')));
    QCOMPARE(problems.first(), error.toString());
    QVERIFY(window->problemsPanel()->windowTitle().contains(u"1"_s));
    const QModelIndex treeIndex = window->projectModel()->indexForFile(editor->file());
    QCOMPARE(treeIndex.data(Ui::ProjectModel::ErrorCountRole).toInt(), 1);
    QVERIFY(treeIndex.data(Qt::ForegroundRole).isValid());

    editor->goTo(1, 1);
    editor->viewport()->update();
    QTest::qWait(50);
    const QImage shot = window->grab().toImage();
    QVERIFY(shot.save(artifact(u"jsoneditor-error.png"_s)));

    // Clicking the problem jumps to its place.
    QListWidget *list = window->problemsPanel()->list();
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(0)).center());
    QCOMPARE(window->currentEditor(), editor);
    QCOMPARE(editor->textCursor().blockNumber() + 1, 6);
    QCOMPARE(editor->textCursor().positionInBlock() + 1, 3);

    // Fixing it clears everything.
    QVERIFY(selectText(editor, u"\"four\""_s));
    QTest::keyClicks(editor, u"4"_s);
    QTRY_VERIFY_WITH_TIMEOUT(window->problemsPanel()->count() == 0, 5000);
    QTRY_VERIFY(editor->diagnostics().isEmpty());
    QCOMPARE(window->projectModel()->indexForFile(editor->file()).data(Ui::ProjectModel::ErrorCountRole).toInt(), 0);
}

void TestMainWindow::crossReferenceErrorsComeFromTheWholeProject()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::JsonEditor *editor = openFromExplorer(*window, u"queues/order-processor.json"_s);
    QVERIFY(editor);
    // Schema-valid, but no workflow has this id: only the whole project knows.
    QVERIFY(selectText(editor, u"\"order-fulfilment\""_s));
    QTest::keyClicks(editor, u"\"no-such-workflow\""_s);
    QTRY_VERIFY_WITH_TIMEOUT(window->problemsPanel()->count() > 0, 5000);
    const QString problem = window->problemsPanel()->problems().first();
    QVERIFY2(problem.startsWith(u"queues/order-processor.json:/handler/workflow: "_s), qPrintable(problem));
    QTRY_VERIFY(!editor->diagnostics().isEmpty());
    QCOMPARE(editor->diagnostics().first().pointer, u"/handler/workflow"_s);
}

void TestMainWindow::saveOfOneFieldIsOneLineDiff()
{
    auto window = openWindow();
    QVERIFY(window);
    const QString path = QDir(m_project).filePath(u"endpoints/erp-db.json"_s);
    const QByteArray before = readAll(path);
    Ui::JsonEditor *editor = openFromExplorer(*window, u"endpoints/erp-db.json"_s);
    QVERIFY(editor);
    QVERIFY(selectText(editor, u"ERP staging database"_s));
    QTest::keyClicks(editor, u"ERP warehouse"_s);
    QVERIFY(editor->isModified());

    QSignalSpy saved(window.get(), &Ui::MainWindow::documentSaved);
    QTest::keyClick(editor, Qt::Key_S, Qt::ControlModifier);
    QTRY_COMPARE(saved.count(), 1);
    const QByteArray after = readAll(path);
    QCOMPARE(changedLines(before, after), 1);
    QVERIFY(after.contains("  \"name\": \"ERP warehouse\",\n"));
    QVERIFY(!editor->isModified());
    QCOMPARE(window->tabs()->tabText(window->tabs()->indexOfEditor(editor)), u"erp-db.json"_s);
    QCOMPARE(editor->text(), after);
    QCOMPARE(window->projectModel()->indexForFile(u"endpoints/erp-db.json"_s).data().toString(), u"ERP warehouse"_s);
}

void TestMainWindow::unchangedSaveChangesNoByte()
{
    auto window = openWindow();
    QVERIFY(window);
    const QString path = QDir(m_project).filePath(u"routes/orders-api.json"_s);
    const QByteArray before = readAll(path);
    const QDateTime modified = QFileInfo(path).lastModified();
    Ui::JsonEditor *editor = openFromExplorer(*window, u"routes/orders-api.json"_s);
    QVERIFY(editor);
    QSignalSpy saved(window.get(), &Ui::MainWindow::documentSaved);
    window->action(u"save"_s)->trigger();
    QTRY_COMPARE(saved.count(), 1);
    QCOMPARE(readAll(path), before);
    QCOMPARE(QFileInfo(path).lastModified(), modified);

    // A non-canonical buffer (extra spaces, other key order) is written canonically and the
    // buffer is replaced by the canonical text, keeping the cursor line.
    QVERIFY(selectText(editor, u"\"name\": \"Orders API\""_s));
    QTest::keyClicks(editor, u"\"name\"   :    \"Orders API\""_s);
    const int line = editor->textCursor().blockNumber();
    window->action(u"save"_s)->trigger();
    QTRY_COMPARE(saved.count(), 2);
    QCOMPARE(readAll(path), before);
    QCOMPARE(editor->text(), before);
    QCOMPARE(editor->textCursor().blockNumber(), line);
    QVERIFY(!editor->isModified());
}

void TestMainWindow::autosaveSurvivesCrash()
{
    const QString file = u"endpoints/erp-db.json"_s;
    QByteArray edited;
    QString autosaveFolder;
    {
        auto window = openWindow();
        QVERIFY(window);
        window->setAutosaveInterval(100);
        Ui::JsonEditor *editor = openFromExplorer(*window, file);
        QVERIFY(editor);
        QVERIFY(selectText(editor, u"\"staging\""_s));
        QTest::keyClicks(editor, u"\"crash-test\""_s);
        edited = editor->text();
        autosaveFolder = window->autosaveFolder();
        QVERIFY(autosaveFolder.startsWith(Ui::AutosaveStore::rootFolder()));
        const QString copy = QDir(autosaveFolder).filePath(file);
        QTRY_COMPARE_WITH_TIMEOUT(readAll(copy), edited, 5000);
        QVERIFY(QFile::exists(QDir(autosaveFolder).filePath(u"index.json"_s)));
        // The crash: the window goes away without saving or asking.
    }
    QVERIFY(readAll(QDir(m_project).filePath(file)) != edited);

    auto window = openWindow(Ui::MainWindow::RestorePolicy::Restore);
    QVERIFY(window);
    Ui::JsonEditor *restored = window->editorFor(file);
    QVERIFY(restored);
    QCOMPARE(restored->text(), edited);
    QVERIFY(restored->isModified());
    QCOMPARE(window->tabs()->tabText(window->tabs()->indexOfEditor(restored)), u"erp-db.json*"_s);
    QVERIFY(!visibleChild<QMessageBox>(window.get()));   // no credentials were involved

    // Undo returns to the file; saving the restored buffer removes the copy.
    QVERIFY(restored->document()->isUndoAvailable());
    QSignalSpy saved(window.get(), &Ui::MainWindow::documentSaved);
    window->saveDocument(restored);
    QTRY_COMPARE(saved.count(), 1);
    QCOMPARE(readAll(QDir(m_project).filePath(file)), edited);
    QVERIFY(!QFile::exists(QDir(autosaveFolder).filePath(file)));
}

void TestMainWindow::discardPolicyDropsAutosave()
{
    const QString file = u"sync/customers-nightly.json"_s;
    QString folder;
    {
        auto window = openWindow();
        QVERIFY(window);
        Ui::JsonEditor *editor = openFromExplorer(*window, file);
        QVERIFY(editor);
        editor->moveCursor(QTextCursor::End);
        QTest::keyClicks(editor, u" "_s);
        window->autosaveNow();
        folder = window->autosaveFolder();
        QVERIFY(QFile::exists(QDir(folder).filePath(file)));
    }
    auto window = openWindow(Ui::MainWindow::RestorePolicy::Discard);
    QVERIFY(window);
    QCOMPARE(window->tabs()->count(), 0);
    QVERIFY(!QFile::exists(QDir(folder).filePath(file)));
}

void TestMainWindow::plaintextSecretIsNeverWrittenWithoutKeychain()
{
    const QString file = u"endpoints/erp-db.json"_s;
    const QString path = QDir(m_project).filePath(file);
    const QByteArray original = readAll(path);
    {
        auto window = openWindow();
        QVERIFY(window);
        window->setAutosaveInterval(50);
        Ui::JsonEditor *editor = openFromExplorer(*window, file);
        QVERIFY(editor);

        // While typing, the document is not even valid JSON: autosave blanks by pattern.
        QVERIFY(selectRange(editor, u"\"password\": {"_s, u"}"_s));
        QTest::keyClicks(editor, u"\"password\": \"PLANTED-s3cr3t-value"_s);
        window->autosaveNow();
        const QString copy = QDir(window->autosaveFolder()).filePath(file);
        QVERIFY(QFile::exists(copy));
        QVERIFY(!readAll(copy).contains(plantedSecret));
        QVERIFY(readAll(copy).contains("\"password\": \"\""));

        // Finished: valid JSON with a plaintext credential.
        QTest::keyClicks(editor, u"\""_s);
        QVERIFY(editor->text().contains("\"password\": \"" + plantedSecret + "\""));
        QByteArray blanked = editor->text();
        blanked.replace(plantedSecret, "");
        QTRY_COMPARE_WITH_TIMEOUT(readAll(copy), blanked, 5000);
        const QJsonObject index = QJsonDocument::fromJson(
            readAll(QDir(window->autosaveFolder()).filePath(u"index.json"_s))).object();
        QVERIFY(index.value(u"files"_s).toObject().value(file).toObject().value(u"credentialsRemoved"_s).toBool());
        // The inline validation says why too.
        QTRY_VERIFY(!editor->diagnostics().isEmpty());
        QVERIFY(editor->diagnostics().first().message.contains(u"plaintext credential"_s));

        // Save: declining to move the value writes nothing.
        QSignalSpy failed(window.get(), &Ui::MainWindow::saveFailed);
        QTest::keyClick(editor, Qt::Key_S, Qt::ControlModifier);
        Ui::MoveSecretsDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = visibleChild<Ui::MoveSecretsDialog>(window.get())));
        QCOMPARE(dialog->pointers(), QStringList{u"/authentication/password"_s});
        QCOMPARE(dialog->names(), QStringList{u"endpoints.erp-db.password"_s});
        QVERIFY(editor->isReadOnly());
        dialog->reject();
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(!editor->isReadOnly());
        QCOMPARE(readAll(path), original);
        if (auto *box = visibleChild<QMessageBox>(window.get()))
            box->close();

        // Accepting, with no keychain service: refused with a clear message, nothing written.
        window->action(u"save"_s)->trigger();
        QTRY_VERIFY((dialog = visibleChild<Ui::MoveSecretsDialog>(window.get())));
        QLineEdit *name = dialog->nameEdits().first();
        name->selectAll();
        QTest::keyClicks(name, u"erp.password"_s);
        QCOMPARE(dialog->names(), QStringList{u"erp.password"_s});
        QTest::keyClick(name, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 20000);
        const QString message = failed.at(1).at(1).toString();
        qInfo("save refused: %s", qPrintable(message));
        QVERIFY2(message.contains(u"keychain is not available"_s), qPrintable(message));
        QVERIFY2(message.contains(u"Nothing was written"_s), qPrintable(message));
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleChild<QMessageBox>(window.get())));
        QCOMPARE(box->text(), message);
        QVERIFY(window->statusBar()->currentMessage().contains(u"keychain"_s));
        box->close();
        QCOMPARE(readAll(path), original);
        QVERIFY(editor->isModified());
        QVERIFY(editor->text().contains(plantedSecret));   // still only in the editor

        // Save All and the engine do not leak it either.
        window->saveAll();
        QTRY_VERIFY((dialog = visibleChild<Ui::MoveSecretsDialog>(window.get())));
        dialog->reject();
        QTRY_COMPARE(failed.count(), 3);
        window->autosaveNow();
        // The crash.
    }
    QTest::qWait(50);
    QVERIFY2(filesContaining(QStringList{m_project} + studioFolders(), plantedSecret).isEmpty(),
             qPrintable(filesContaining(QStringList{m_project} + studioFolders(), plantedSecret).join(u'\n')));
    QCOMPARE(readAll(path), original);

    // Restoring says that the credential must be re-entered.
    auto window = openWindow(Ui::MainWindow::RestorePolicy::Restore);
    QVERIFY(window);
    Ui::JsonEditor *restored = window->editorFor(file);
    QVERIFY(restored);
    QVERIFY(restored->text().contains("\"password\": \"\""));
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = visibleChild<QMessageBox>(window.get())));
    QCOMPARE(box->objectName(), u"reenterCredentialsMessage"_s);
    QVERIFY(box->text().contains(file));
    box->close();
    QVERIFY(filesContaining(QStringList{m_project} + studioFolders(), plantedSecret).isEmpty());
}

void TestMainWindow::newProjectAndNewDocument()
{
    auto window = openWindow();
    QVERIFY(window);
    const QString folder = QDir(m_dir->path()).filePath(u"fresh"_s);
    QString error;
    QVERIFY2(window->createProject(folder, u"fresh"_s, u"Fresh Project"_s, &error), qPrintable(error));
    QVERIFY(!window->createProject(folder, u"fresh"_s, u"Again"_s, &error));
    QVERIFY(error.contains(u"not empty"_s));
    for (const QString &sub : Model::projectFolders())
        QVERIFY2(QFileInfo(QDir(folder).filePath(sub)).isDir(), qPrintable(sub));
    QVERIFY(Model::ProjectLoader().loadFolder(folder).isOk());

    QVERIFY(window->openProject(folder));
    QCOMPARE(window->projectFolder(), folder);
    QVERIFY(window->windowTitle().startsWith(u"Fresh Project"_s));
    QCOMPARE(window->projectModel()->rowCount(), int(Model::documentKinds().size()));
    QCOMPARE(window->projectModel()->indexForKind(Model::DocumentKind::Endpoint).data().toString(), u"Endpoints (0)"_s);

    // File ▸ New Document ▸ Endpoint…: the dialog asks for the id.
    QAction *newEndpoint = window->action(u"newEndpoint"_s);
    QVERIFY(newEndpoint && newEndpoint->isEnabled());
    QString refused = u"?"_s;
    bool filled = false;
    QTimer::singleShot(0, window.get(), [&] {
        auto *dialog = visibleChild<Ui::NewDocumentDialog>(window.get());
        if (!dialog)
            return;
        auto *id = dialog->findChild<QLineEdit *>(u"idEdit"_s);
        QTest::keyClicks(id, u"CRM"_s);   // the validator refuses upper case
        refused = id->text();
        QTest::keyClicks(id, u"crm"_s);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"nameEdit"_s), u"CRM system"_s);
        filled = true;
        QTest::keyClick(id, Qt::Key_Return);
        if (dialog->isVisible())
            dialog->reject();
    });
    newEndpoint->trigger();
    QVERIFY(filled);
    QCOMPARE(refused, QString());
    const QString path = QDir(folder).filePath(u"endpoints/crm.json"_s);
    QCOMPARE(readAll(path), QByteArray("{\n  \"kind\": \"Endpoint\",\n  \"schemaVersion\": 1,\n  \"id\": \"crm\",\n"
                                       "  \"name\": \"CRM system\"\n}\n"));
    QVERIFY(window->currentEditor());
    QCOMPARE(window->currentEditor()->file(), u"endpoints/crm.json"_s);
    QCOMPARE(window->projectModel()->indexForKind(Model::DocumentKind::Endpoint).data().toString(), u"Endpoints (1)"_s);
    // Honest: the new endpoint still lacks its required "type".
    QTRY_VERIFY(!window->currentEditor()->diagnostics().isEmpty());
    QVERIFY(!window->createDocument(Model::DocumentKind::Endpoint, u"crm"_s, QString(), &error));
    QVERIFY(error.contains(u"already exists"_s));
}

void TestMainWindow::newProjectThroughTheDialog()
{
    auto window = openWindow();
    QVERIFY(window);
    // The dialog proposes the open project's parent folder as the location.
    bool filled = false;
    QTimer::singleShot(0, window.get(), [&] {
        auto *dialog = visibleChild<Ui::NewProjectDialog>(window.get());
        if (!dialog)
            return;
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"idEdit"_s), u"billing"_s);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"nameEdit"_s), u"Billing"_s);
        filled = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled();
        QTest::keyClick(dialog->findChild<QLineEdit *>(u"idEdit"_s), Qt::Key_Return);
        if (dialog->isVisible())
            dialog->reject();
    });
    window->action(u"newProject"_s)->trigger();
    QVERIFY(filled);
    const QString folder = QDir(m_dir->path()).filePath(u"billing"_s);
    QCOMPARE(window->projectFolder(), folder);
    QCOMPARE(window->projectModel()->index(0, 0).data().toString(), u"Billing"_s);
    QCOMPARE(Ui::RecentProjects::list().first(), folder);
}

void TestMainWindow::recentProjectsArePrunedAndCapped()
{
    Ui::RecentProjects::clear();
    QTemporaryDir more;
    QStringList folders;
    for (int i = 0; i < 12; ++i) {
        const QString folder = QDir(more.path()).filePath(u"p%1"_s.arg(i));
        QVERIFY(Ui::createProjectFolder(folder, u"p%1"_s.arg(i), QString()).isOk());
        Ui::RecentProjects::add(folder);
        folders.prepend(folder);
    }
    QCOMPARE(Ui::RecentProjects::list(), folders.mid(0, Ui::RecentProjects::maximum));
    QVERIFY(QDir(folders.at(1)).removeRecursively());
    QStringList expected = folders.mid(0, Ui::RecentProjects::maximum);
    expected.removeAt(1);
    QCOMPARE(Ui::RecentProjects::list(), expected);

    auto window = openWindow();
    QVERIFY(window);
    QCOMPARE(Ui::RecentProjects::list().first(), m_project);
    auto *menu = window->findChild<QMenu *>(u"recentMenu"_s);
    QVERIFY(menu);
    Q_EMIT menu->aboutToShow();
    QStringList shown;
    const QList<QAction *> actions = menu->actions();
    for (QAction *action : actions) {
        if (!action->isSeparator() && action->objectName().isEmpty())
            shown.append(action->text());
    }
    QCOMPARE(shown.size(), Ui::RecentProjects::maximum);
    QVERIFY(shown.first().contains(m_project));

    // Open Recent reopens; the most recent is what the studio starts with.
    Ui::MainWindow second;
    QVERIFY(second.openMostRecentProject());
    QCOMPARE(second.projectFolder(), m_project);
}

void TestMainWindow::windowStateIsSaved()
{
    {
        auto window = openWindow();
        QVERIFY(window);
        window->resize(1000, 700);
        QVERIFY(window->close());
    }
    QSettings settings;
    QVERIFY(!settings.value(u"window/geometry"_s).toByteArray().isEmpty());
    QVERIFY(!settings.value(u"window/state"_s).toByteArray().isEmpty());
    Ui::MainWindow again;
    QCOMPARE(again.size(), QSize(1000, 700));
}

void TestMainWindow::engineStartsAndStopsFromStatusBar()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::LocalEngineWidget *engine = window->engineWidget();
    QCOMPARE(engine->stateText(), u"Engine: stopped"_s);
    QVERIFY(engine->button()->isEnabled());
    QCOMPARE(engine->button()->text(), u"Start"_s);

    QTest::mouseClick(engine->button(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(engine->stateText().startsWith(u"Engine: running — http://127.0.0.1:"_s), 20000);
    QCOMPARE(engine->button()->text(), u"Stop"_s);
    const QString url = window->engine()->adminUrl();
    QVERIFY(engine->stateText().endsWith(url));
    QVERIFY(window->engine()->adminPort() != 0);
    QCOMPARE(window->problemsPanel()->count(), 0);

    // It answers.
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(QUrl(url + u"/health"_s))));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    QSignalSpy stopped(window->engine(), &Runtime::Node::stopped);
    QTest::mouseClick(engine->button(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 1, 20000);
    QCOMPARE(engine->stateText(), u"Engine: stopped"_s);
    QCOMPARE(engine->button()->text(), u"Start"_s);

    // And again, through the Engine menu.
    window->action(u"startEngine"_s)->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window->engine()->state() == Runtime::Node::State::Running, 20000);
    window->action(u"stopEngine"_s)->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 2, 20000);
}

void TestMainWindow::engineStartErrorGoesToProblems()
{
    // A document that references a workflow that does not exist.
    const QString path = QDir(m_project).filePath(u"queues/order-processor.json"_s);
    QByteArray text = readAll(path);
    text.replace("\"order-fulfilment\"", "\"no-such-workflow\"");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();

    auto window = openWindow();
    QVERIFY(window);
    const int before = window->problemsPanel()->count();
    QVERIFY(before > 0);
    QTest::mouseClick(window->engineWidget()->button(), Qt::LeftButton);
    QCOMPARE(window->engine()->state(), Runtime::Node::State::Stopped);
    QCOMPARE(window->engineWidget()->stateText(), u"Engine: stopped"_s);
    QVERIFY(window->problemsPanel()->count() > before);
    const QStringList problems = window->problemsPanel()->problems();
    QVERIFY(std::any_of(problems.begin(), problems.end(), [](const QString &p) {
        return p.startsWith(u"Local engine: "_s) && p.contains(u"queues/order-processor.json"_s);
    }));
    QVERIFY(window->statusBar()->currentMessage().startsWith(u"The local engine did not start"_s));
}

void TestMainWindow::designersShareTheDocumentWithItsJson()
{
    auto window = openWindow();
    QVERIFY(window);
    Ui::JsonEditor *editor = openFromExplorer(*window, u"endpoints/shop-api.json"_s);
    QVERIFY(editor);
    Ui::DocumentPage *page = window->tabs()->pageOf(editor);
    QVERIFY(page);
    QVERIFY(page->isDesignShown());
    auto *designer = qobject_cast<Ui::EndpointDesigner *>(page->designer());
    QVERIFY(designer);
    QTRY_VERIFY(designer->hasDocument());

    // An edit in the designer is an edit of the document: the tab is marked, Edit ▸ Undo
    // takes it back, and View ▸ Design / JSON shows the same text.
    Ui::Endpoint::FormField *description = designer->field(u"/description"_s);
    QVERIFY(description);
    QLineEdit *line = description->lineEdit();
    QVERIFY(line);
    line->setFocus();
    line->selectAll();
    QTest::keyClicks(line, u"The shop's order API"_s);
    QTest::keyClick(line, Qt::Key_Tab);
    QTRY_VERIFY(editor->text().contains("\"description\": \"The shop's order API\""));
    QCOMPARE(window->tabs()->tabText(window->tabs()->indexOfEditor(editor)), u"shop-api.json*"_s);

    window->action(u"toggleDesign"_s)->trigger();
    QVERIFY(!page->isDesignShown());
    QVERIFY(editor->isVisible());
    window->action(u"toggleDesign"_s)->trigger();
    QVERIFY(page->isDesignShown());

    window->action(u"undo"_s)->trigger();
    QTRY_VERIFY(!editor->isModified());
    QTRY_COMPARE(line->text(), QString::fromUtf8(QJsonDocument::fromJson(editor->text()).object()
                                                     .value(u"description"_s).toString().toUtf8()));
    QVERIFY(!editor->text().contains("The shop's order API"));

    // A problem in the Problems panel shows the JSON at its line.
    editor->replaceText(QByteArray(editor->text()).replace("\"kind\": \"Endpoint\"", "\"kind\": \"Endpoint\",\n  \"bogus\": 1"));
    QTRY_VERIFY(window->problemsPanel()->list()->count() > 0);
    QListWidget *problems = window->problemsPanel()->list();
    for (int row = 0; row < problems->count(); ++row) {
        if (problems->item(row)->text().contains(u"bogus"_s)) {
            problems->setCurrentRow(row);
            Q_EMIT problems->itemActivated(problems->item(row));
            break;
        }
    }
    QTRY_VERIFY(!page->isDesignShown());
    QCOMPARE(editor->textCursor().blockNumber() + 1, 3);

    // Mappings open in the mapping designer, the other kinds as JSON.
    Ui::JsonEditor *mapping = openFromExplorer(*window, u"mappings/shop-order-to-erp.json"_s);
    QVERIFY(mapping);
    QVERIFY(qobject_cast<Ui::MappingDesigner *>(window->tabs()->pageOf(mapping)->designer()));
    QVERIFY(window->tabs()->pageOf(mapping)->isDesignShown());
    QTest::qWait(400);   // the preview's first result
    QVERIFY(window->grab().save(artifact(u"studio-mapping-designer.png"_s)));
    // Collections open in the request tester, with the project's environments.
    Ui::JsonEditor *collection = openFromExplorer(*window, u"collections/order-hub-routes.json"_s);
    QVERIFY(collection);
    auto *tester = qobject_cast<Ui::CollectionDesigner *>(window->tabs()->pageOf(collection)->designer());
    QVERIFY(tester);
    QTRY_COMPARE(tester->environmentBox()->count(), 2);
    tester->environmentBox()->setCurrentIndex(1);
    QCOMPARE(tester->environmentBox()->currentText(), u"Local upstreams"_s);
    QCOMPARE(tester->requestEditor()->urlEdit()->text(), u"{{orders_upstream}}/orders/{{order_id}}"_s);
    QVERIFY(window->grab().save(artifact(u"studio-request-tester.png"_s)));
    Ui::JsonEditor *queue = openFromExplorer(*window, u"queues/orders.json"_s);
    QVERIFY(queue);
    QVERIFY(!window->tabs()->pageOf(queue)->designer());
    QVERIFY(queue->isVisible());
}

void TestMainWindow::screenshotMainWindow()
{
    auto window = openWindow();
    QVERIFY(window);
    QVERIFY(openFromExplorer(*window, u"sap/s4-production.json"_s));
    QVERIFY(openFromExplorer(*window, u"endpoints/shop-api.json"_s));
    QTest::mouseClick(window->engineWidget()->button(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window->engine()->state() == Runtime::Node::State::Running, 20000);
    QTest::qWait(100);
    QVERIFY(window->grab().save(artifact(u"mainwindow.png"_s)));
    window->stopEngine();
    QTRY_VERIFY_WITH_TIMEOUT(window->engine()->state() == Runtime::Node::State::Stopped, 20000);
}

void TestMainWindow::germanTranslationIsEmbedded()
{
    QTranslator german;
    QVERIFY(german.load(QLocale(QLocale::German, QLocale::Germany), u"conflux"_s, u"_"_s, u":/i18n"_s));
    QVERIFY(QFile::exists(u":/i18n/conflux_en.qm"_s));
    QCoreApplication::installTranslator(&german);
    {
        Ui::MainWindow window;
        QVERIFY(window.openProject(m_project));
        QCOMPARE(window.menuBar()->actions().first()->text(), u"&Datei"_s);
        QCOMPARE(window.engineWidget()->stateText(), u"Engine: gestoppt"_s);
        QCOMPARE(window.projectModel()->indexForKind(Model::DocumentKind::Endpoint).data().toString(),
                 u"Endpunkte (4)"_s);
        QCOMPARE(window.problemsPanel()->windowTitle(), u"Probleme"_s);
        // The designers are translated too: the request tester, say.
        Ui::JsonEditor *collection = openFromExplorer(window, u"collections/order-hub-routes.json"_s);
        QVERIFY(collection);
        auto *tester = qobject_cast<Ui::CollectionDesigner *>(window.tabs()->pageOf(collection)->designer());
        QVERIFY(tester);
        QCOMPARE(tester->requestEditor()->sendButton()->text(), u"Senden"_s);
        QCOMPARE(tester->findChild<QPushButton *>(u"runCollection"_s)->text(), u"Sammlung aus&führen"_s);
    }
    QCoreApplication::removeTranslator(&german);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
