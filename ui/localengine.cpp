#include "localengine.h"

#include "icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

LocalEngineWidget::LocalEngineWidget(Runtime::Node *node, QWidget *parent)
    : QWidget(parent), m_node(node)
{
    setObjectName(u"localEngine"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 2, 0);
    layout->setSpacing(6);
    m_icon = new QLabel(this);
    m_icon->setFixedSize(16, 16);
    m_text = new QLabel(this);
    m_text->setObjectName(u"engineState"_s);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_button = new QToolButton(this);
    m_button->setObjectName(u"engineButton"_s);
    m_button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_button->setAutoRaise(true);
    layout->addWidget(m_icon);
    layout->addWidget(m_text);
    layout->addWidget(m_button);

    connect(m_button, &QToolButton::clicked, this, [this] {
        if (m_node && m_node->state() == Runtime::Node::State::Running)
            Q_EMIT stopRequested();
        else if (m_node && m_node->state() == Runtime::Node::State::Stopped)
            Q_EMIT startRequested();
    });
    connect(node, &Runtime::Node::stateChanged, this, &LocalEngineWidget::showState);
    showState();
}

QString LocalEngineWidget::stateText() const
{
    return m_text->text();
}

void LocalEngineWidget::showState()
{
    const auto state = m_node ? m_node->state() : Runtime::Node::State::Stopped;
    const bool running = state == Runtime::Node::State::Running;
    m_icon->setPixmap((running ? Icons::engineRunning() : Icons::engineStopped()).pixmap(QSize(16, 16), devicePixelRatioF()));
    switch (state) {
    case Runtime::Node::State::Stopped:
        m_text->setText(tr("Engine: stopped"));
        break;
    case Runtime::Node::State::Running:
        m_text->setText(tr("Engine: running — %1").arg(m_node->adminUrl()));
        break;
    case Runtime::Node::State::Stopping:
        m_text->setText(tr("Engine: stopping…"));
        break;
    }
    m_button->setText(running ? tr("Stop") : tr("Start"));
    m_button->setIcon(running ? Icons::engineStopped() : Icons::engineRunning());
    m_button->setToolTip(running ? tr("Stop the local engine (drains open requests)")
                                 : tr("Start the local engine on this project"));
    m_button->setEnabled(state != Runtime::Node::State::Stopping);
}

} // namespace Conflux::Ui
