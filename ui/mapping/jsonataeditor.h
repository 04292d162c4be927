#pragma once

#include <QPlainTextEdit>
#include <QStringList>

class QCompleter;
class QStringListModel;
class QSyntaxHighlighter;
class QTimer;

namespace Conflux::Ui {

// A JSONata text editor: syntax highlighting, completion of the source field paths and
// the JSONata function names (Ctrl+Space, or as a name is typed), and the compile error
// of the text underlined where Expression::compile() places it, with its message as a
// tooltip and in errorChanged().
class JsonataEditor final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonataEditor)

public:
    explicit JsonataEditor(QWidget *parent = nullptr);
    ~JsonataEditor() override;

    // The field paths offered by completion (dotted, as rules name them).
    void setFieldPaths(const QStringList &paths);
    static QStringList functionNames();

    QCompleter *completer() const { return m_completer; }

    // Compiles now instead of after the short delay.
    void check();
    bool hasError() const { return m_errorOffset >= 0; }
    QString errorMessage() const { return m_errorMessage; }
    int errorOffset() const { return m_errorOffset; }   // character position, -1 when none

Q_SIGNALS:
    // Empty message: the text compiles.
    void errorChanged(const QString &message);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    void insertCompletion(const QString &completion);
    void updateCompletion(bool force);
    QString wordBeforeCursor() const;
    void updateUnderline();

    QSyntaxHighlighter *m_highlighter = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_model = nullptr;
    QStringList m_fieldPaths;
    QTimer *m_checkTimer = nullptr;
    QString m_errorMessage;
    int m_errorOffset = -1;
};

} // namespace Conflux::Ui
