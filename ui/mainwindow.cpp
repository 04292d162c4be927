#include "mainwindow.h"

#include "autosaver.h"
#include "designers.h"
#include "documentdesigner.h"
#include "documentpage.h"
#include "documentsaver.h"
#include "documenttabs.h"
#include "findbar.h"
#include "icons.h"
#include "jsoneditor.h"
#include "localengine.h"
#include "model/jsontext.h"
#include "model/projectloader.h"
#include "newdocumentdialog.h"
#include "newprojectdialog.h"
#include "projectfiles.h"
#include "problemspanel.h"
#include "projectexplorer.h"
#include "projectmodel.h"
#include "recentprojects.h"
#include "runtime/node.h"
#include "secretstore.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

constexpr int statusMessageMs = 6000;

QByteArray readFile(const QString &path, bool *ok = nullptr)
{
    QFile file(path);
    const bool opened = file.open(QIODevice::ReadOnly);
    if (ok)
        *ok = opened;
    return opened ? file.readAll() : QByteArray();
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_loader(std::make_shared<Model::ProjectLoader>())
{
    setObjectName(u"mainWindow"_s);
    setWindowIcon(Icons::app());
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    m_model = new ProjectModel(this);
    m_explorer = new ProjectExplorer(m_model, this);
    m_tabs = new DocumentTabs(this);
    m_findBar = new FindBar(this);

    auto *editorArea = new QWidget(this);
    auto *editorLayout = new QVBoxLayout(editorArea);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    editorLayout->setSpacing(0);
    editorLayout->addWidget(m_tabs, 1);
    editorLayout->addWidget(m_findBar);

    m_placeholder = new QLabel(this);
    m_placeholder->setObjectName(u"placeholder"_s);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setMargin(24);
    m_placeholder->setEnabled(false);
    m_center = new QStackedWidget(this);
    m_center->addWidget(m_placeholder);
    m_center->addWidget(editorArea);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_explorer);
    m_splitter->addWidget(m_center);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({260, 760});
    m_explorer->setMinimumWidth(160);
    setCentralWidget(m_splitter);

    m_problems = new ProblemsPanel(this);
    addDockWidget(Qt::BottomDockWidgetArea, m_problems);
    resizeDocks({m_problems}, {150}, Qt::Vertical);

    m_engine = new Runtime::Node(this);
    m_engineWidget = new LocalEngineWidget(m_engine, this);
    m_cursorLabel = new QLabel(this);
    m_cursorLabel->setObjectName(u"cursorPosition"_s);
    m_cursorLabel->setContentsMargins(8, 0, 8, 0);
    statusBar()->addPermanentWidget(m_cursorLabel);
    statusBar()->addPermanentWidget(m_engineWidget);
    statusBar()->setSizeGripEnabled(true);

    m_secrets = new SecretStore(this);
    m_saver = new DocumentSaver(m_secrets, this);

    m_tabs->setDesignerFactory([this](JsonEditor *editor) -> DocumentDesigner * {
        const QModelIndex index = m_model->indexForFile(editor->file());
        if (!index.isValid())
            return nullptr;
        const auto kind = Model::DocumentKind(index.data(ProjectModel::KindRole).toInt());
        DocumentDesigner *designer = createDesigner(kind, editor, {m_folder, m_loader, m_secrets, m_engine});
        if (!designer)
            return nullptr;
        designer->setUndoShortcutsEnabled(false);   // the Edit menu's Undo/Redo act on the page
        connect(designer, &DocumentDesigner::documentCreated, this, [this](const QString &file) {
            m_model->reload();
            watchProjectFolders();
            openDocument(file);
        });
        return designer;
    });
    m_autosaver = new Autosaver(m_tabs, this);
    m_checkTimer = new QTimer(this);
    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(150);
    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(300);
    m_watcher = new QFileSystemWatcher(this);

    createActions();
    createMenus();

    connect(m_explorer, &ProjectExplorer::documentActivated, this, [this](const QString &file) { openDocument(file); });
    connect(m_explorer, &ProjectExplorer::newDocumentRequested, this, &MainWindow::newDocument);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::currentTabChanged);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        closeEditor(m_tabs->editorAt(index));
    });
    connect(m_problems, &ProblemsPanel::problemActivated, this, &MainWindow::showProblem);
    connect(m_saver, &DocumentSaver::saved, this, &MainWindow::onSaved);
    connect(m_saver, &DocumentSaver::failed, this, &MainWindow::onSaveFailed);
    connect(m_engineWidget, &LocalEngineWidget::startRequested, this, &MainWindow::startEngine);
    connect(m_engineWidget, &LocalEngineWidget::stopRequested, this, &MainWindow::stopEngine);
    connect(m_engine, &Runtime::Node::stateChanged, this, &MainWindow::updateActions);
    connect(m_engine, &Runtime::Node::stopped, this, [this] {
        statusBar()->showMessage(tr("The local engine stopped."), statusMessageMs);
    });
    connect(m_autosaver, &Autosaver::failed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(message), statusMessageMs);
    });
    connect(m_tabs, &DocumentTabs::modificationChanged, this, [this] {
        updateTitle();
        updateActions();
    });
    connect(m_checkTimer, &QTimer::timeout, this, &MainWindow::checkProject);
    connect(m_reloadTimer, &QTimer::timeout, this, [this] {
        m_model->reload();
        watchProjectFolders();
        scheduleCheck();
    });
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_reloadTimer->start(); });

    readSettings();
    showPlaceholder();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

QAction *MainWindow::action(const QString &objectName) const
{
    return m_actions.value(objectName);
}

void MainWindow::createActions()
{
    auto add = [this](const QString &name, const QString &text, const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        m_actions.insert(name, action);
        return action;
    };
    add(u"newProject"_s, tr("&New Project…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), [this] { newProject(); });
    add(u"openProject"_s, tr("&Open Project…"), QKeySequence::Open, [this] { chooseProject(); });
    add(u"save"_s, tr("&Save"), QKeySequence::Save, [this] { saveDocument(currentEditor()); });
    add(u"saveAll"_s, tr("Save A&ll"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this] { saveAll(); });
    add(u"closeTab"_s, tr("&Close Tab"), QKeySequence::Close, [this] { closeEditor(currentEditor()); });
    add(u"quit"_s, tr("&Quit"), QKeySequence::Quit, [this] { close(); })->setMenuRole(QAction::QuitRole);
    add(u"clearRecent"_s, tr("&Clear Recent Projects"), {}, [] { RecentProjects::clear(); });

    // On a designer, undo and redo go through it so that it shows the result at once.
    add(u"undo"_s, tr("&Undo"), QKeySequence::Undo, [this] {
        if (DocumentPage *page = m_tabs->pageAt(m_tabs->currentIndex()))
            page->isDesignShown() ? page->designer()->undo() : page->editor()->undo();
    });
    add(u"redo"_s, tr("&Redo"), QKeySequence::Redo, [this] {
        if (DocumentPage *page = m_tabs->pageAt(m_tabs->currentIndex()))
            page->isDesignShown() ? page->designer()->redo() : page->editor()->redo();
    });
    add(u"cut"_s, tr("Cu&t"), QKeySequence::Cut, [this] { if (auto *e = currentEditor()) e->cut(); });
    add(u"copy"_s, tr("&Copy"), QKeySequence::Copy, [this] { if (auto *e = currentEditor()) e->copy(); });
    add(u"paste"_s, tr("&Paste"), QKeySequence::Paste, [this] { if (auto *e = currentEditor()) e->paste(); });
    add(u"find"_s, tr("&Find…"), QKeySequence::Find, [this] { m_findBar->activate(); });
    add(u"findNext"_s, tr("Find &Next"), QKeySequence::FindNext, [this] { m_findBar->findNext(); });
    add(u"findPrevious"_s, tr("Find Pre&vious"), QKeySequence::FindPrevious, [this] { m_findBar->findNext(true); });

    add(u"focusExplorer"_s, tr("Project &Explorer"), QKeySequence(Qt::CTRL | Qt::Key_1), [this] { m_explorer->setFocus(); });
    add(u"focusEditor"_s, tr("&Editor"), QKeySequence(Qt::CTRL | Qt::Key_2), [this] {
        if (DocumentPage *page = m_tabs->pageAt(m_tabs->currentIndex()))
            page->focusView();
    });
    add(u"toggleDesign"_s, tr("&Design / JSON"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D), [this] {
        if (DocumentPage *page = m_tabs->pageAt(m_tabs->currentIndex()))
            page->toggleView();
    });
    add(u"focusProblems"_s, tr("&Problems"), QKeySequence(Qt::CTRL | Qt::Key_3), [this] {
        m_problems->show();
        m_problems->raise();
        m_problems->list()->setFocus();
    });

    QAction *start = add(u"startEngine"_s, tr("&Start Local Engine"), QKeySequence(Qt::Key_F5), [this] { startEngine(); });
    start->setIcon(Icons::engineRunning());
    QAction *stop = add(u"stopEngine"_s, tr("S&top Local Engine"), QKeySequence(Qt::SHIFT | Qt::Key_F5), [this] { stopEngine(); });
    stop->setIcon(Icons::engineStopped());
    add(u"about"_s, tr("&About Conflux"), {}, [this] {
        QMessageBox::about(this, tr("About Conflux"),
                           tr("<h3>Conflux %1</h3><p>An integration studio: design endpoints, mappings, "
                              "workflows and SAP operations, and run them on the embedded engine or on "
                              "headless nodes.</p>")
                               .arg(QCoreApplication::applicationVersion().toHtmlEscaped()));
    })->setMenuRole(QAction::AboutRole);
}

void MainWindow::createMenus()
{
    // Adds the named actions; an empty name is a separator.
    auto fill = [this](QMenu *menu, std::initializer_list<QString> names) {
        for (const QString &name : names) {
            if (name.isEmpty())
                menu->addSeparator();
            else
                menu->addAction(m_actions.value(name));
        }
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    fill(file, {u"newProject"_s, u"openProject"_s});
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(u"recentMenu"_s);
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    m_newDocumentMenu = file->addMenu(tr("New &Document"));
    m_newDocumentMenu->setObjectName(u"newDocumentMenu"_s);
    for (const Model::KindInfo &info : Model::documentKinds()) {
        if (info.kind == Model::DocumentKind::Project)
            continue;
        QAction *action = m_newDocumentMenu->addAction(Icons::kind(info.kind),
                                                       tr("%1…").arg(ProjectModel::kindLabel(info.kind)));
        action->setObjectName(u"new"_s + info.name);
        connect(action, &QAction::triggered, this, [this, kind = info.kind] { newDocument(kind); });
        m_actions.insert(action->objectName(), action);
    }
    fill(file, {QString(), u"save"_s, u"saveAll"_s, u"closeTab"_s, QString(), u"quit"_s});
    fill(menuBar()->addMenu(tr("&Edit")), {u"undo"_s, u"redo"_s, QString(), u"cut"_s, u"copy"_s, u"paste"_s,
                                           QString(), u"find"_s, u"findNext"_s, u"findPrevious"_s});
    QMenu *view = menuBar()->addMenu(tr("&View"));
    fill(view, {u"focusExplorer"_s, u"focusEditor"_s, u"focusProblems"_s, QString(), u"toggleDesign"_s, QString()});
    QAction *toggleProblems = m_problems->toggleViewAction();
    toggleProblems->setText(tr("Show Problems &Panel"));
    view->addAction(toggleProblems);
    fill(menuBar()->addMenu(tr("E&ngine")), {u"startEngine"_s, u"stopEngine"_s});
    fill(menuBar()->addMenu(tr("&Help")), {u"about"_s});
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList folders = RecentProjects::list();
    for (qsizetype i = 0; i < folders.size(); ++i) {
        const QString folder = folders.at(i);
        QString path = QDir::toNativeSeparators(folder);
        path.replace(u'&', u"&&"_s);
        const QString label = i < 9 ? u"&%1  %2"_s.arg(i + 1).arg(path) : path;
        QAction *action = m_recentMenu->addAction(Icons::folder(), label);
        connect(action, &QAction::triggered, this, [this, folder] { openProject(folder); });
    }
    if (folders.isEmpty())
        m_recentMenu->addAction(tr("No recent projects"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(m_actions.value(u"clearRecent"_s));
}

void MainWindow::readSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()))
        resize(1200, 780);
    restoreState(settings.value(u"window/state"_s).toByteArray());
    m_splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
    m_autosaver->setInterval(settings.value(u"autosave/intervalMs"_s, m_autosaver->interval()).toInt());
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    settings.setValue(u"window/splitter"_s, m_splitter->saveState());
}

// ---- project ------------------------------------------------------------------------------

bool MainWindow::openProject(const QString &folder)
{
    const QString clean = QDir::cleanPath(QDir(folder).absolutePath());
    if (!QFileInfo::exists(QDir(clean).filePath(QLatin1String(Model::projectFileName)))) {
        const QString message = tr("%1 is not a Conflux project: it has no project.json.").arg(QDir::toNativeSeparators(clean));
        statusBar()->showMessage(message, statusMessageMs);
        if (isVisible())
            QMessageBox::warning(this, tr("Open Project"), message);
        return false;
    }
    if (!closeProject())
        return false;

    m_folder = clean;
    m_saver->setProjectFolder(m_folder);
    m_autosaver->setProjectFolder(m_folder);
    m_model->setProjectFolder(m_folder);
    watchProjectFolders();
    RecentProjects::add(m_folder);
    updateTitle();
    showPlaceholder();
    updateActions();
    checkProject();
    offerRestore();
    statusBar()->showMessage(tr("Opened %1.").arg(QDir::toNativeSeparators(m_folder)), statusMessageMs);
    return true;
}

bool MainWindow::openMostRecentProject()
{
    const QStringList recent = RecentProjects::list();
    return !recent.isEmpty() && openProject(recent.first());
}

bool MainWindow::closeProject()
{
    if (!maybeSave(editors()))
        return false;
    const QList<JsonEditor *> open = editors();
    for (const JsonEditor *editor : open)
        m_autosaver->discard(editor->file());
    m_tabs->removeAll();
    if (m_engine->state() == Runtime::Node::State::Running)
        m_engine->stop();
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    m_folder.clear();
    m_autosaver->setProjectFolder(QString());
    m_model->setProjectFolder(QString());
    m_problems->setDiagnostics({});
    m_problems->clearEngineProblem();
    updateTitle();
    showPlaceholder();
    updateActions();
    return true;
}

bool MainWindow::createProject(const QString &folder, const QString &id, const QString &name, QString *error)
{
    const Result<void> created = createProjectFolder(folder, id, name);
    if (!created && error)
        *error = created.error().toString();
    return created.isOk();
}

void MainWindow::newProject()
{
    QString location = QDir::homePath();
    if (!m_folder.isEmpty())
        location = QFileInfo(m_folder).absolutePath();
    NewProjectDialog dialog(location, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!createProject(dialog.folder(), dialog.id(), dialog.name(), &error)) {
        QMessageBox::warning(this, tr("New Project"), error);
        return;
    }
    openProject(dialog.folder());
}

void MainWindow::chooseProject()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Project"),
                                                             m_folder.isEmpty() ? QDir::homePath() : m_folder);
    if (!folder.isEmpty())
        openProject(folder);
}

void MainWindow::watchProjectFolders()
{
    if (m_folder.isEmpty())
        return;
    QStringList paths{m_folder};
    for (const QString &sub : Model::projectFolders()) {
        const QString path = QDir(m_folder).filePath(sub);
        if (QFileInfo(path).isDir())
            paths.append(path);
    }
    const QStringList watched = m_watcher->directories();
    for (const QString &path : std::as_const(paths)) {
        if (!watched.contains(path))
            m_watcher->addPath(path);
    }
}

void MainWindow::updateTitle()
{
    if (m_folder.isEmpty()) {
        setWindowTitle(tr("Conflux"));
    } else {
        const QModelIndex top = m_model->indexForFile(QLatin1String(Model::projectFileName));
        const QString name = top.isValid() ? top.data().toString() : QFileInfo(m_folder).fileName();
        setWindowTitle(tr("%1[*] — Conflux").arg(name));
    }
    setWindowModified(m_tabs->anyModified());
}

void MainWindow::showPlaceholder()
{
    m_placeholder->setText(m_folder.isEmpty()
                               ? tr("No project is open.\n\nFile ▸ Open Project… (%1) opens a project folder;\n"
                                    "File ▸ New Project… (%2) creates one.")
                                     .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText),
                                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N).toString(QKeySequence::NativeText))
                               : tr("No document is open.\n\nDouble-click a document in the project explorer, "
                                    "or create one with File ▸ New Document."));
    m_center->setCurrentIndex(m_tabs->count() > 0 ? 1 : 0);
}

// ---- documents ----------------------------------------------------------------------------

QList<JsonEditor *> MainWindow::editors() const
{
    return m_tabs->editors();
}

JsonEditor *MainWindow::currentEditor() const
{
    return m_tabs->currentEditor();
}

JsonEditor *MainWindow::editorFor(const QString &file) const
{
    return m_tabs->editorFor(file);
}

JsonEditor *MainWindow::openDocument(const QString &file)
{
    if (m_folder.isEmpty())
        return nullptr;
    if (JsonEditor *open = editorFor(file)) {
        m_tabs->setCurrentEditor(open);
        m_tabs->pageOf(open)->focusView();
        return open;
    }
    bool ok = false;
    const QByteArray text = readFile(QDir(m_folder).filePath(file), &ok);
    if (!ok && QFileInfo::exists(QDir(m_folder).filePath(file))) {
        statusBar()->showMessage(tr("Cannot read %1.").arg(file), statusMessageMs);
        return nullptr;
    }
    const auto kind = Model::DocumentKind(m_model->indexForFile(file).data(ProjectModel::KindRole).toInt());
    JsonEditor *editor = m_tabs->addEditor(file, text, Icons::kind(kind), m_loader);
    connect(editor, &JsonEditor::validated, this, &MainWindow::scheduleCheck);
    connect(editor, &JsonEditor::cursorPositionChanged, this, &MainWindow::updateCursorPosition);
    showPlaceholder();
    m_tabs->pageOf(editor)->focusView();
    scheduleCheck();
    return editor;
}

JsonEditor *MainWindow::createDocument(Model::DocumentKind kind, const QString &id, const QString &name, QString *error)
{
    if (m_folder.isEmpty())
        return nullptr;
    const Result<QString> created = createDocumentFile(m_folder, kind, id, name);
    if (!created) {
        if (error)
            *error = created.error().toString();
        return nullptr;
    }
    m_model->reload();
    watchProjectFolders();
    statusBar()->showMessage(tr("Created %1.").arg(*created), statusMessageMs);
    return openDocument(*created);
}

void MainWindow::newDocument(Model::DocumentKind kind)
{
    if (m_folder.isEmpty())
        return;
    NewDocumentDialog dialog(kind, m_folder, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!createDocument(kind, dialog.id(), dialog.name(), &error))
        QMessageBox::warning(this, tr("New Document"), error);
}

void MainWindow::updateCursorPosition()
{
    const JsonEditor *editor = currentEditor();
    if (!editor) {
        m_cursorLabel->clear();
        return;
    }
    const QTextCursor cursor = editor->textCursor();
    m_cursorLabel->setText(tr("Line %1, Column %2").arg(cursor.blockNumber() + 1).arg(cursor.positionInBlock() + 1));
}

void MainWindow::currentTabChanged()
{
    for (const QMetaObject::Connection &connection : std::as_const(m_editorConnections))
        disconnect(connection);
    m_editorConnections.clear();
    JsonEditor *editor = currentEditor();
    m_findBar->setEditor(editor);
    if (editor) {
        QAction *undo = m_actions.value(u"undo"_s);
        QAction *redo = m_actions.value(u"redo"_s);
        QAction *cut = m_actions.value(u"cut"_s);
        QAction *copy = m_actions.value(u"copy"_s);
        m_editorConnections.append(connect(editor, &QPlainTextEdit::undoAvailable, undo, &QAction::setEnabled));
        m_editorConnections.append(connect(editor, &QPlainTextEdit::redoAvailable, redo, &QAction::setEnabled));
        m_editorConnections.append(connect(editor, &QPlainTextEdit::copyAvailable, cut, &QAction::setEnabled));
        m_editorConnections.append(connect(editor, &QPlainTextEdit::copyAvailable, copy, &QAction::setEnabled));
    }
    showPlaceholder();
    updateActions();
    updateCursorPosition();
}

void MainWindow::updateActions()
{
    const bool haveProject = !m_folder.isEmpty();
    JsonEditor *editor = currentEditor();
    const bool hasSelection = editor && editor->textCursor().hasSelection();
    m_actions.value(u"save"_s)->setEnabled(editor != nullptr);
    m_actions.value(u"saveAll"_s)->setEnabled(editor != nullptr);
    m_actions.value(u"closeTab"_s)->setEnabled(editor != nullptr);
    m_actions.value(u"undo"_s)->setEnabled(editor && editor->document()->isUndoAvailable());
    m_actions.value(u"redo"_s)->setEnabled(editor && editor->document()->isRedoAvailable());
    m_actions.value(u"cut"_s)->setEnabled(hasSelection);
    m_actions.value(u"copy"_s)->setEnabled(hasSelection);
    m_actions.value(u"paste"_s)->setEnabled(editor != nullptr);
    for (const QString &name : {u"find"_s, u"findNext"_s, u"findPrevious"_s})
        m_actions.value(name)->setEnabled(editor != nullptr);
    m_newDocumentMenu->setEnabled(haveProject);
    const auto state = m_engine->state();
    m_actions.value(u"startEngine"_s)->setEnabled(haveProject && state == Runtime::Node::State::Stopped);
    m_actions.value(u"stopEngine"_s)->setEnabled(state == Runtime::Node::State::Running);
    m_engineWidget->button()->setEnabled(state == Runtime::Node::State::Running
                                         || (haveProject && state == Runtime::Node::State::Stopped));
}

void MainWindow::saveDocument(JsonEditor *editor)
{
    if (editor)
        m_saver->save(editor);
}

void MainWindow::saveAll()
{
    const QList<JsonEditor *> all = editors();
    for (JsonEditor *editor : all) {
        if (editor->isModified())
            m_saver->save(editor);
    }
}

void MainWindow::onSaved(JsonEditor *editor, const QByteArray &canonical, bool changed)
{
    editor->replaceText(canonical);
    editor->document()->setModified(false);
    m_autosaver->discard(editor->file());
    m_model->reload();
    scheduleCheck();
    statusBar()->showMessage(changed ? tr("Saved %1.").arg(editor->file())
                                     : tr("%1 is unchanged on disk.").arg(editor->file()),
                             statusMessageMs);
    Q_EMIT documentSaved(editor->file());
}

void MainWindow::onSaveFailed(JsonEditor *editor, const QString &message, const QStringList &details)
{
    statusBar()->showMessage(message, 3 * statusMessageMs);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Not Saved"), message, QMessageBox::Ok, this);
    box->setObjectName(u"saveFailedMessage"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!details.isEmpty())
        box->setDetailedText(details.join(u'\n'));
    box->open();
    Q_EMIT saveFailed(editor->file(), message);
}

bool MainWindow::maybeSave(const QList<JsonEditor *> &candidates)
{
    QList<JsonEditor *> modified;
    for (JsonEditor *editor : candidates) {
        if (editor->isModified())
            modified.append(editor);
    }
    if (modified.isEmpty())
        return true;
    QStringList files;
    for (const JsonEditor *editor : std::as_const(modified))
        files.append(editor->file());
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Changes"),
        tr("%n document(s) have unsaved changes:", nullptr, int(files.size())) + u"\n\n"_s + files.join(u'\n')
            + u"\n\n"_s + tr("Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    for (JsonEditor *editor : std::as_const(modified))
        m_saver->save(editor);
    // Saving can wait for the keychain or fail; then the editors stay open.
    for (const JsonEditor *editor : std::as_const(modified)) {
        if (editor->isModified())
            return false;
    }
    return true;
}

bool MainWindow::closeEditor(JsonEditor *editor)
{
    if (!editor || m_saver->isPending(editor) || !maybeSave({editor}))
        return false;
    m_autosaver->discard(editor->file());   // saved, discarded, or back at its saved state
    m_tabs->removeEditor(editor);
    showPlaceholder();
    scheduleCheck();
    return true;
}

// ---- validation ---------------------------------------------------------------------------

void MainWindow::scheduleCheck()
{
    if (!m_folder.isEmpty())
        m_checkTimer->start();
}

void MainWindow::checkProject()
{
    m_checkTimer->stop();
    if (m_folder.isEmpty())
        return;
    // The saved files, with every open buffer in place of its file.
    Model::Diagnostics all;
    Model::ProjectFiles files = Model::readProjectFolder(m_folder, &all);
    const QList<JsonEditor *> open = editors();
    for (const JsonEditor *editor : open)
        files.insert(editor->file(), editor->text());
    all += m_loader->load(files).errors;
    m_problems->setDiagnostics(all);
    m_model->setDiagnostics(all);
    for (JsonEditor *editor : open) {
        Model::Diagnostics mine;
        for (const Model::Diagnostic &d : std::as_const(all)) {
            if (d.file == editor->file())
                mine.append(d);
        }
        editor->setProjectDiagnostics(mine);
    }
    Q_EMIT projectChecked();
}

void MainWindow::showProblem(const Model::Diagnostic &diagnostic)
{
    JsonEditor *editor = openDocument(diagnostic.file);
    if (!editor)
        return;
    int line = diagnostic.line;
    int column = diagnostic.column;
    if (line == 0 && !diagnostic.pointer.isEmpty()) {
        const Model::ParsedDocument parsed = Model::parseDocument(editor->file(), editor->text());
        const auto position = parsed.sourceMap.nearest(diagnostic.pointer);
        line = position.line;
        column = position.column;
    }
    m_tabs->pageOf(editor)->showSource();
    editor->goTo(std::max(1, line), std::max(1, column));
}

// ---- autosave -----------------------------------------------------------------------------

void MainWindow::setAutosaveInterval(int milliseconds)
{
    m_autosaver->setInterval(milliseconds);
}

int MainWindow::autosaveInterval() const
{
    return m_autosaver->interval();
}

QString MainWindow::autosaveFolder() const
{
    return m_autosaver->folder();
}

void MainWindow::autosaveNow()
{
    m_autosaver->autosave();
}

void MainWindow::offerRestore()
{
    const QList<AutosaveStore::Entry> found = m_autosaver->leftovers();
    if (found.isEmpty())
        return;

    RestorePolicy policy = m_restorePolicy;
    if (policy == RestorePolicy::Ask) {
        QStringList files;
        for (const AutosaveStore::Entry &entry : std::as_const(found))
            files.append(entry.file);
        policy = Autosaver::askToRestore(this, files) ? RestorePolicy::Restore : RestorePolicy::Discard;
    }
    if (policy == RestorePolicy::Discard) {
        m_autosaver->discardAll();
        statusBar()->showMessage(tr("Discarded the autosaved changes."), statusMessageMs);
        return;
    }

    QStringList withoutCredentials;
    for (const AutosaveStore::Entry &entry : std::as_const(found)) {
        JsonEditor *editor = openDocument(entry.file);
        if (!editor)
            continue;
        editor->replaceText(entry.text);  // one undoable edit: Undo returns to the saved file
        if (entry.credentialsRemoved)
            withoutCredentials.append(entry.file);
    }
    statusBar()->showMessage(tr("Restored unsaved changes to %n document(s).", nullptr, int(found.size())),
                             statusMessageMs);
    if (!withoutCredentials.isEmpty())
        Autosaver::tellCredentialsRemoved(this, withoutCredentials);
}

// ---- local engine -------------------------------------------------------------------------

QString MainWindow::engineDataFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(u"local-engine"_s);
}

void MainWindow::startEngine()
{
    if (m_folder.isEmpty()) {
        statusBar()->showMessage(tr("Open a project to run it on the local engine."), statusMessageMs);
        return;
    }
    if (m_engine->state() != Runtime::Node::State::Stopped)
        return;
    Runtime::NodeOptions options;
    options.projectFolder = m_folder;
    options.dataFolder = engineDataFolder();
    options.adminPort = 0;
    options.gatewayPort = 0; // a free port: the status bar says which
    const Result<void> started = m_engine->start(options);
    if (!started) {
        m_problems->setEngineProblem(started.error().message, started.error().details);
        m_problems->show();
        statusBar()->showMessage(tr("The local engine did not start: %1").arg(started.error().message),
                                 3 * statusMessageMs);
        return;
    }
    m_problems->clearEngineProblem();
    statusBar()->showMessage(tr("The local engine runs the saved project: routes at %1, admin API at %2.")
                                 .arg(m_engine->gatewayUrl(), m_engine->adminUrl()),
                             statusMessageMs);
}

void MainWindow::stopEngine()
{
    if (m_engine->state() != Runtime::Node::State::Running)
        return;
    statusBar()->showMessage(tr("Stopping the local engine…"));
    m_engine->stop();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!closeProject()) {
        event->ignore();
        return;
    }
    writeSettings();
    event->accept();
}

} // namespace Conflux::Ui
