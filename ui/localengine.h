#pragma once

#include "runtime/node.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QToolButton;

namespace Conflux::Ui {

// The status-bar view of the studio's local engine: an icon, "Engine: stopped" or
// "Engine: running — http://127.0.0.1:PORT", and a Start/Stop button. It does not own the
// node; it asks the window to start or stop it.
class LocalEngineWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalEngineWidget)

public:
    explicit LocalEngineWidget(Runtime::Node *node, QWidget *parent = nullptr);

    QString stateText() const;
    QToolButton *button() const { return m_button; }

Q_SIGNALS:
    void startRequested();
    void stopRequested();

private:
    void showState();

    QPointer<Runtime::Node> m_node;
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QToolButton *m_button = nullptr;
};

} // namespace Conflux::Ui
