#pragma once

#include "model/diagnostic.h"

#include <QPixmap>
#include <QPlainTextEdit>

#include <memory>

class QTimer;

namespace Conflux::Model {
class ProjectLoader;
}

namespace Conflux::Ui {

class JsonHighlighter;

// The editor of one project document as JSON text, until its kind has a visual designer.
// It validates as you type (debounced) with ProjectLoader::validateDocument() and shows
// each error inline: a wavy underline at the diagnostic's line and column, a marker in the
// line-number gutter, the message at the end of the line and as a tooltip. The project-wide
// check (cross references) adds its findings through setProjectDiagnostics().
// Each editor has its own QTextDocument and therefore its own undo stack.
class JsonEditor final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonEditor)

public:
    JsonEditor(const QString &file, std::shared_ptr<const Model::ProjectLoader> loader,
               QWidget *parent = nullptr);
    ~JsonEditor() override;

    QString file() const { return m_file; }
    QByteArray text() const;
    bool isModified() const;

    // Loads text as the unmodified state with an empty undo stack.
    void load(const QByteArray &text);
    // Replaces the whole text as one undoable edit, keeping the cursor on its line. With
    // `joinPrevious` the edit joins the previous one on the undo stack (one undo step for
    // a run of edits, like typing in one field of a designer).
    void replaceText(const QByteArray &text, bool joinPrevious = false);

    void setValidationDelay(int milliseconds);
    void validateNow();
    // Own findings plus the project's findings for this file, without duplicates.
    Model::Diagnostics diagnostics() const;
    void setProjectDiagnostics(const Model::Diagnostics &diagnostics);

    // Moves the cursor to a 1-based line and column (in characters) and shows it.
    void goTo(int line, int column);

    int gutterWidth() const;
    void paintGutter(QPaintEvent *event);
    QString messagesAtLine(int blockNumber) const;

Q_SIGNALS:
    void validated();
    void diagnosticsChanged();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void updateGutterWidth();
    void updateGutter(const QRect &rect, int dy);
    void updateSelections();
    int positionOf(int line, int column) const;

    QString m_file;
    std::shared_ptr<const Model::ProjectLoader> m_loader;
    JsonHighlighter *m_highlighter = nullptr;
    QWidget *m_gutter = nullptr;
    QTimer *m_validationTimer = nullptr;
    Model::Diagnostics m_own;
    Model::Diagnostics m_project;
    QPixmap m_errorMarker;
};

} // namespace Conflux::Ui
