#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;

namespace Conflux::Ui {

class JsonEditor;

// A find field below the editors (Edit ▸ Find). Enter finds the next match (wrapping
// around), Escape closes the bar and returns to the editor.
class FindBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FindBar)

public:
    explicit FindBar(QWidget *parent = nullptr);

    void setEditor(JsonEditor *editor);
    void activate();
    bool findNext(bool backward = false);
    QLineEdit *field() const { return m_field; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QPointer<JsonEditor> m_editor;
    QLineEdit *m_field = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace Conflux::Ui
