#pragma once

#include <QTabWidget>

#include <functional>
#include <memory>

namespace Conflux::Model {
class ProjectLoader;
}

namespace Conflux::Ui {

class DocumentDesigner;
class DocumentPage;
class JsonEditor;

// The open documents, one DocumentPage per tab: the document's JsonEditor and, for kinds
// that have one, its designer. A tab shows the file name, with "*" while the buffer
// differs from its saved state, and the relative path as its tooltip.
class DocumentTabs final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentTabs)

public:
    // Makes the designer of a newly opened document, or returns null for a kind without one.
    using DesignerFactory = std::function<DocumentDesigner *(JsonEditor *editor)>;

    explicit DocumentTabs(QWidget *parent = nullptr);

    void setDesignerFactory(DesignerFactory factory) { m_designerFactory = std::move(factory); }

    QList<JsonEditor *> editors() const;
    JsonEditor *currentEditor() const;
    JsonEditor *editorFor(const QString &file) const;
    bool anyModified() const;
    JsonEditor *editorAt(int index) const;
    DocumentPage *pageAt(int index) const;
    DocumentPage *pageOf(const JsonEditor *editor) const;
    int indexOfEditor(const JsonEditor *editor) const;
    void setCurrentEditor(JsonEditor *editor);

    // Adds a tab holding `text` as the saved state of `file` (with its designer, when the
    // factory makes one) and makes it current.
    JsonEditor *addEditor(const QString &file, const QByteArray &text, const QIcon &icon,
                          std::shared_ptr<const Model::ProjectLoader> loader);
    void removeEditor(JsonEditor *editor);
    void removeAll();

Q_SIGNALS:
    void modificationChanged(Conflux::Ui::JsonEditor *editor);

private:
    void updateTitle(JsonEditor *editor);

    DesignerFactory m_designerFactory;
};

} // namespace Conflux::Ui
