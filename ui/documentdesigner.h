#pragma once

#include <QJsonObject>
#include <QWidget>

#include <memory>

class QShortcut;

namespace Conflux::Model {
class ProjectLoader;
}
namespace Conflux::Runtime {
class Node;
}

namespace Conflux::Ui {

class JsonEditor;
class SecretStore;

// What a designer may use besides its document. Every member may be null or empty
// (a designer tested on its own has no engine, for example).
struct DesignerContext
{
    QString projectFolder;                               // absolute path of the open project
    std::shared_ptr<const Model::ProjectLoader> loader;  // schemas and the project's documents
    SecretStore *secrets = nullptr;                      // the OS keychain
    Runtime::Node *engine = nullptr;                     // the local engine, when running
};

// A visual editor of one project document, shown in the document's tab beside its JSON
// text. The JsonEditor stays the one owner of the text — save, autosave, validation and
// undo all work on it — and a designer is a view over it: it reads the document whenever
// the text changes (typing in the JSON view, undo, redo, reload from disk) and writes
// each of its own edits back as one undoable replacement of the text in canonical form.
// So undo/redo of every designer edit is the text's undo stack, and what the designer
// shows is always what would be saved.
class DocumentDesigner : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentDesigner)

public:
    DocumentDesigner(JsonEditor *source, DesignerContext context, QWidget *parent = nullptr);
    ~DocumentDesigner() override;

    JsonEditor *source() const { return m_source; }
    const DesignerContext &context() const { return m_context; }

    // The document as last parsed from the text; empty while the text does not parse.
    QJsonObject document() const { return m_document; }
    bool hasDocument() const { return m_parsed; }
    // Why the text does not parse (line and column), empty when it does.
    QString parseError() const { return m_parseError; }

    // Replaces the document with `document` as one undoable edit (canonical JSON text).
    // Does nothing when the canonical text is unchanged. Consecutive commits with the same
    // non-empty `mergeKey` (say, the JSON pointer of the field being typed in) and nothing
    // else in between make one undo step, as typing in a text field does.
    void commit(const QJsonObject &document, const QString &mergeKey = {});

    void undo();
    void redo();
    // The designer's own Ctrl+Z / Ctrl+Shift+Z (on by default). The main window turns them
    // off: its Edit menu's Undo and Redo act on the shown page, and two shortcuts for one
    // key would cancel each other as ambiguous.
    void setUndoShortcutsEnabled(bool enabled);

    // Parses the current text now instead of after the coalescing delay.
    void refresh();

Q_SIGNALS:
    // After every parse of a changed text (including the designer's own commits).
    void documentReloaded();
    // The designer wrote a new project document (e.g. by an import); the path is relative
    // to the project folder. The studio shows it in the explorer and opens it.
    void documentCreated(const QString &file);

protected:
    // Called with each newly parsed document, and once at construction (after the derived
    // class exists: the first call is queued). Keep view state (selection, expansion)
    // across calls: they come after every edit, the designer's own included.
    virtual void documentChanged(const QJsonObject &document) = 0;
    // Called instead when the text does not parse; the designer should show `message` and
    // refuse edits until the text is fixed (the default does nothing).
    virtual void documentUnreadable(const QString &message);

private:
    void scheduleRefresh();

    JsonEditor *m_source = nullptr;
    QList<QShortcut *> m_undoShortcuts;
    DesignerContext m_context;
    QJsonObject m_document;
    QByteArray m_lastText;
    QString m_mergeKey;          // of the last commit
    int m_mergeRevision = -1;    // the text's revision, undo steps and text right after it
    int m_mergeUndoSteps = -1;
    QByteArray m_mergeText;
    QString m_parseError;
    bool m_parsed = false;
    bool m_refreshQueued = false;
};

} // namespace Conflux::Ui
