#pragma once

#include "documentdesigner.h"
#include "tester/collection.h"
#include "tester/runner.h"

#include <QThreadPool>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QShortcut;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace Conflux::Tester {
class History;
struct HistoryEntry;
}

namespace Conflux::Ui {

class ContainerEditor;
class HistoryPanel;
class RequestEditor;
class ResponseView;
class RunReportView;

// The request tester (docs/tester.md, "In the studio"): the designer of a Collection
// document (collections/<id>.json). On the left the collection's folders and requests; on
// the right the selected request (or the collection's or a folder's settings) over its
// response, the report of the last run and the project's history. Above them the
// environment whose variables fill the {{names}}, and whether requests that name a route go
// through the local engine's gateway.
//
// Sending and running use core/tester's CollectionRunner, exactly as `conflux test` does;
// nothing blocks the UI thread: the project's environments, endpoints and routes are read on
// a worker thread before each send, secrets come from the OS keychain asynchronously, and
// the history file and Postman files are read and written off the UI thread.
class CollectionDesigner final : public DocumentDesigner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectionDesigner)

public:
    CollectionDesigner(JsonEditor *source, DesignerContext context, QWidget *parent = nullptr);
    ~CollectionDesigner() override;

    const Tester::Collection &collection() const { return m_collection; }

    // Items by index path into the nested items; the collection itself is the empty path.
    QList<int> currentPath() const { return m_current; }
    void selectPath(const QList<int> &path);

    void send();
    void cancelSend();
    bool isSending() const;
    // The whole collection (an empty path) or one folder's requests.
    void run(const QList<int> &folderPath = {});
    void stopRun();
    bool isRunning() const;

    void addRequest();
    void addFolder();
    void duplicateCurrent();
    void removeCurrent();
    void moveCurrent(int delta);

    // The selected request as a curl command line on the clipboard, with the environment's
    // values filled in; `masked`: credentials as *****.
    void copyAsCurl(bool masked);
    // Imports a Postman collection v2.1 into a new collection document of the project (and
    // an environment of keychain secrets for the credentials it held), then opens it.
    void importPostmanFile(const QString &path);
    // Writes the collection as a Postman collection v2.1.
    void exportPostmanFile(const QString &path);
    // Reads the project's environments, endpoints and routes again (on a worker thread).
    void reloadProject();

    QTreeWidget *tree() const { return m_tree; }
    RequestEditor *requestEditor() const { return m_request; }
    ContainerEditor *containerEditor() const { return m_container; }
    ResponseView *responseView() const { return m_response; }
    RunReportView *runReport() const { return m_runReport; }
    HistoryPanel *historyPanel() const { return m_history; }
    QTabWidget *outputTabs() const { return m_output; }
    QComboBox *environmentBox() const { return m_environment; }
    QCheckBox *gatewayBox() const { return m_viaGateway; }
    QLabel *statusLabel() const { return m_status; }
    enum OutputTab { ResponseTab, RunTab, HistoryTab };

Q_SIGNALS:
    void sendFinished(const Conflux::Tester::RequestResult &result);
    void runFinished(const Conflux::Tester::RunReport &report);
    void projectReloaded();
    void historyChanged();
    void curlCopied(const QString &command);
    // Import or export done; `message` says what was written or what went wrong.
    void postmanFinished(bool ok, const QString &message);

protected:
    void documentChanged(const QJsonObject &document) override;
    void documentUnreadable(const QString &message) override;
    void showEvent(QShowEvent *event) override;

private:
    struct ProjectInfo;
    void buildTree();
    QTreeWidgetItem *itemForPath(const QList<int> &path) const;
    void showCurrent();
    void commitCollection(const QString &mergeKey = {});
    void storeRequest(const QString &what);
    void storeContainer(const QString &what);
    QString inheritedAuthText(const QList<int> &path) const;
    void onTreeItemChanged(QTreeWidgetItem *item, int column);
    void showTreeMenu(const QPoint &position);
    void insertItem(const Tester::Item &item, bool edit);

    void scanProject(bool withProject, std::function<void()> then);
    void applyProject(std::shared_ptr<const ProjectInfo> info);
    // Reads the project, then the keychain secrets the run needs, then calls `then` with the
    // run's options, or with the reason it cannot run.
    void prepareRun(std::function<void(Result<Tester::RunOptions>)> then);
    void onSendFinished(const Tester::RequestResult &result);
    void recordHistory(const Tester::RequestResult &result);
    void loadHistory();
    void showHistory(const Result<QList<Tester::HistoryEntry>> &entries);
    void clearHistory();
    void showResult(const Tester::RequestResult &result);
    void setStatus(const QString &text, bool error = false);
    void updateSending();
    struct SecretWriting;
    void writeImportedEnvironment(std::shared_ptr<SecretWriting> writing);
    struct ImportOutcome;
    void finishImport(const ImportOutcome &outcome);
    void chooseImportFile();
    void chooseExportFile();

    Tester::Collection m_collection;
    bool m_valid = false;
    QList<int> m_current;
    QStringList m_treeShape;   // what the tree was built from: rebuilt only when it changes
    QSet<QString> m_collapsed;
    bool m_renaming = false;

    QComboBox *m_environment = nullptr;
    QCheckBox *m_viaGateway = nullptr;
    QPushButton *m_runButton = nullptr;
    QTreeWidget *m_tree = nullptr;
    QStackedWidget *m_editors = nullptr;
    RequestEditor *m_request = nullptr;
    ContainerEditor *m_container = nullptr;
    QTabWidget *m_output = nullptr;
    ResponseView *m_response = nullptr;
    RunReportView *m_runReport = nullptr;
    HistoryPanel *m_history = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_unreadable = nullptr;
    QShortcut *m_escape = nullptr;

    Tester::CollectionRunner *m_sender = nullptr;
    Tester::CollectionRunner *m_runner = nullptr;
    QList<int> m_sentPath;
    Tester::RequestResult m_lastSend;
    quint64 m_preparing = 0;     // the pending send's generation; 0: none
    quint64 m_generation = 0;
    std::shared_ptr<const ProjectInfo> m_project;
    quint64 m_projectScan = 0;

    // History and Postman files: one worker thread, so the history's appends stay in order.
    QThreadPool m_io;
    std::shared_ptr<Tester::History> m_historyFile;
};

} // namespace Conflux::Ui
