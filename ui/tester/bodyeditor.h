#pragma once

#include "tester/collection.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QSyntaxHighlighter;

namespace Conflux::Ui {

class KeyValueTable;

// A request's body: its mode (none, JSON, XML, raw text, URL-encoded form, multipart form),
// the text with JSON or XML highlighting and "Format" (Ctrl+Shift+F: re-indented without
// reordering anything; a body that is not well-formed is left alone and the problem shown
// with its place), or the form's fields; and an optional Content-Type overriding the mode's.
class BodyEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BodyEditor)

public:
    explicit BodyEditor(QWidget *parent = nullptr);
    ~BodyEditor() override;

    void setBody(const Tester::Body &body);
    Tester::Body body() const { return m_body; }

    // Re-indents a JSON or XML text; false (and the problem shown) when it is not well-formed.
    bool format();

    QComboBox *modeBox() const { return m_mode; }
    QPlainTextEdit *textEdit() const { return m_text; }
    KeyValueTable *fieldsTable() const { return m_fields; }
    QLabel *problemLabel() const { return m_problem; }

Q_SIGNALS:
    // After each change by the user; `what` names the part ("mode", "content", ...), for
    // merging the keystrokes of one part into one undo step.
    void edited(const QString &what);

private:
    void showBody();
    void updateHighlighter();

    Tester::Body m_body;
    QComboBox *m_mode = nullptr;
    QLineEdit *m_contentType = nullptr;
    QPushButton *m_format = nullptr;
    QStackedWidget *m_stack = nullptr;
    QPlainTextEdit *m_text = nullptr;
    KeyValueTable *m_fields = nullptr;
    QLabel *m_none = nullptr;
    QLabel *m_problem = nullptr;
    QSyntaxHighlighter *m_highlighter = nullptr;
    bool m_updating = false;
    bool m_formatting = false;
};

} // namespace Conflux::Ui
