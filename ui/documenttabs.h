#pragma once

#include <QTabWidget>

#include <memory>

namespace Conflux::Model {
class ProjectLoader;
}

namespace Conflux::Ui {

class JsonEditor;

// The open documents, one JsonEditor per tab. A tab shows the file name, with "*" while
// the buffer differs from its saved state, and the relative path as its tooltip.
class DocumentTabs final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentTabs)

public:
    explicit DocumentTabs(QWidget *parent = nullptr);

    QList<JsonEditor *> editors() const;
    JsonEditor *currentEditor() const;
    JsonEditor *editorFor(const QString &file) const;
    bool anyModified() const;

    // Adds a tab holding `text` as the saved state of `file` and makes it current.
    JsonEditor *addEditor(const QString &file, const QByteArray &text, const QIcon &icon,
                          std::shared_ptr<const Model::ProjectLoader> loader);
    void removeEditor(JsonEditor *editor);
    void removeAll();

Q_SIGNALS:
    void modificationChanged(Conflux::Ui::JsonEditor *editor);

private:
    void updateTitle(JsonEditor *editor);
};

} // namespace Conflux::Ui
