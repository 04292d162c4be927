#pragma once

#include "model/documentkind.h"

#include <QHash>
#include <QMainWindow>

#include <memory>

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTimer;
class QFileSystemWatcher;

namespace Conflux::Model {
struct Diagnostic;
class ProjectLoader;
}
namespace Conflux::Runtime {
class Node;
}

namespace Conflux::Ui {

class Autosaver;
class DocumentSaver;
class DocumentTabs;
class FindBar;
class JsonEditor;
class LocalEngineWidget;
class ProblemsPanel;
class ProjectExplorer;
class ProjectModel;
class SecretStore;

// The studio shell: project explorer, document editors in tabs, the Problems panel and
// the local engine in the status bar. One project is open at a time.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // What to do with autosaved edits found when a project opens (a crash happened).
    enum class RestorePolicy { Ask, Restore, Discard };
    Q_ENUM(RestorePolicy)

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opening asks about unsaved edits of the open project first; false if that was
    // cancelled or `folder` is not a project.
    bool openProject(const QString &folder);
    bool openMostRecentProject();
    bool closeProject();
    // Creates `folder` with a valid project.json and the kind folders (does not open it).
    bool createProject(const QString &folder, const QString &id, const QString &name, QString *error = nullptr);
    QString projectFolder() const { return m_folder; }

    JsonEditor *openDocument(const QString &file);
    // Creates <folder>/<id>.json with kind, schemaVersion, id and name, and opens it.
    JsonEditor *createDocument(Model::DocumentKind kind, const QString &id, const QString &name,
                               QString *error = nullptr);
    JsonEditor *currentEditor() const;
    JsonEditor *editorFor(const QString &file) const;
    QList<JsonEditor *> editors() const;
    void saveDocument(JsonEditor *editor);
    void saveAll();
    // Closes the editor's tab; asks about unsaved edits. False if the user kept it open.
    bool closeEditor(JsonEditor *editor);

    void setAutosaveInterval(int milliseconds);
    int autosaveInterval() const;
    void autosaveNow();
    QString autosaveFolder() const;
    void setRestorePolicy(RestorePolicy policy) { m_restorePolicy = policy; }

    void startEngine();
    void stopEngine();
    Runtime::Node *engine() const { return m_engine; }
    static QString engineDataFolder();

    ProjectModel *projectModel() const { return m_model; }
    ProjectExplorer *explorer() const { return m_explorer; }
    ProblemsPanel *problemsPanel() const { return m_problems; }
    LocalEngineWidget *engineWidget() const { return m_engineWidget; }
    DocumentTabs *tabs() const { return m_tabs; }
    QAction *action(const QString &objectName) const;

Q_SIGNALS:
    void documentSaved(const QString &file);
    void saveFailed(const QString &file, const QString &message);
    void projectChecked();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void readSettings();
    void writeSettings() const;
    void updateActions();
    void updateTitle();
    void updateCursorPosition();
    void currentTabChanged();
    void showPlaceholder();
    void rebuildRecentMenu();

    void newProject();
    void chooseProject();
    void newDocument(Model::DocumentKind kind);
    bool maybeSave(const QList<JsonEditor *> &editors);
    void onSaved(JsonEditor *editor, const QByteArray &canonical, bool changed);
    void onSaveFailed(JsonEditor *editor, const QString &message, const QStringList &details);

    void scheduleCheck();
    void checkProject();
    void showProblem(const Model::Diagnostic &diagnostic);
    void watchProjectFolders();

    void offerRestore();

    QString m_folder;
    std::shared_ptr<const Model::ProjectLoader> m_loader;
    RestorePolicy m_restorePolicy = RestorePolicy::Ask;

    ProjectModel *m_model = nullptr;
    ProjectExplorer *m_explorer = nullptr;
    QSplitter *m_splitter = nullptr;
    QStackedWidget *m_center = nullptr;
    QLabel *m_placeholder = nullptr;
    DocumentTabs *m_tabs = nullptr;
    FindBar *m_findBar = nullptr;
    ProblemsPanel *m_problems = nullptr;
    LocalEngineWidget *m_engineWidget = nullptr;
    QLabel *m_cursorLabel = nullptr;
    Runtime::Node *m_engine = nullptr;
    SecretStore *m_secrets = nullptr;
    DocumentSaver *m_saver = nullptr;
    Autosaver *m_autosaver = nullptr;
    QTimer *m_checkTimer = nullptr;
    QTimer *m_reloadTimer = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
    QList<QMetaObject::Connection> m_editorConnections;

    QMenu *m_recentMenu = nullptr;
    QMenu *m_newDocumentMenu = nullptr;
    QHash<QString, QAction *> m_actions;
};

} // namespace Conflux::Ui
