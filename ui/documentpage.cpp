#include "documentpage.h"

#include "documentdesigner.h"
#include "jsoneditor.h"

#include <QStackedWidget>
#include <QTabBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {
constexpr int designIndex = 0;
constexpr int sourceIndex = 1;
}

DocumentPage::DocumentPage(JsonEditor *editor, DocumentDesigner *designer, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_designer(designer)
{
    setObjectName(u"documentPage"_s);
    m_stack = new QStackedWidget(this);
    m_switch = new QTabBar(this);
    m_switch->setObjectName(u"designSourceSwitch"_s);
    m_switch->setShape(QTabBar::RoundedSouth);
    m_switch->setDocumentMode(true);
    m_switch->setExpanding(false);
    m_switch->setFocusPolicy(Qt::NoFocus);

    if (designer) {
        m_stack->addWidget(designer);
        m_switch->addTab(tr("Design"));
    } else {
        m_stack->addWidget(new QWidget(this));   // keeps the indexes fixed
        m_switch->addTab(QString());
        m_switch->setTabVisible(designIndex, false);
    }
    m_stack->addWidget(editor);
    m_switch->addTab(tr("JSON"));
    m_switch->setVisible(designer != nullptr);
    m_switch->setToolTip(tr("Switch between the designer and the document's JSON (View ▸ Design / JSON)"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_switch);

    connect(m_switch, &QTabBar::currentChanged, this, [this](int index) { showView(index); });

    showView(designer ? designIndex : sourceIndex);
}

bool DocumentPage::isDesignShown() const
{
    return m_designer && m_stack->currentIndex() == designIndex;
}

void DocumentPage::showDesign()
{
    if (m_designer)
        showView(designIndex);
}

void DocumentPage::showSource()
{
    showView(sourceIndex);
}

void DocumentPage::toggleView()
{
    if (isDesignShown())
        showSource();
    else
        showDesign();
    focusView();
}

void DocumentPage::focusView()
{
    m_stack->currentWidget()->setFocus();
}

void DocumentPage::showView(int index)
{
    if (index == designIndex && !m_designer)
        index = sourceIndex;
    const bool changed = m_stack->currentIndex() != index;
    // The designer shows what the text says now, not after its coalescing delay.
    if (index == designIndex)
        m_designer->refresh();
    m_stack->setCurrentIndex(index);
    const QSignalBlocker blocker(m_switch);
    m_switch->setCurrentIndex(index);
    if (changed)
        Q_EMIT viewChanged();
}

} // namespace Conflux::Ui
