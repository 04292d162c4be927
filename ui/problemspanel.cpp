#include "problemspanel.h"

#include "icons.h"

#include <QLabel>
#include <QListWidget>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

enum ItemRole { FileRole = Qt::UserRole + 1, PointerRole, LineRole, ColumnRole, MessageRole };

} // namespace

ProblemsPanel::ProblemsPanel(QWidget *parent)
    : QDockWidget(tr("Problems"), parent)
{
    setObjectName(u"problemsPanel"_s);
    setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);

    auto *stack = new QStackedWidget(this);
    m_list = new QListWidget(stack);
    m_list->setObjectName(u"problemsList"_s);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setUniformItemSizes(true);
    m_list->setAlternatingRowColors(true);
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setIconSize(QSize(16, 16));
    m_empty = new QLabel(tr("No problems found."), stack);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);
    stack->addWidget(m_empty);
    stack->addWidget(m_list);
    setWidget(stack);

    connect(m_list, &QListWidget::itemClicked, this, &ProblemsPanel::activate);
    connect(m_list, &QListWidget::itemActivated, this, &ProblemsPanel::activate);
    rebuild();
}

void ProblemsPanel::setDiagnostics(const Model::Diagnostics &diagnostics)
{
    if (diagnostics == m_diagnostics)
        return;
    m_diagnostics = diagnostics;
    rebuild();
}

void ProblemsPanel::setEngineProblem(const QString &summary, const QStringList &details)
{
    m_engineSummary = summary;
    m_engineDetails = details;
    rebuild();
}

void ProblemsPanel::clearEngineProblem()
{
    if (m_engineSummary.isEmpty())
        return;
    m_engineSummary.clear();
    m_engineDetails.clear();
    rebuild();
}

int ProblemsPanel::count() const
{
    return m_list->count();
}

QStringList ProblemsPanel::problems() const
{
    QStringList out;
    for (int row = 0; row < m_list->count(); ++row)
        out.append(m_list->item(row)->text());
    return out;
}

void ProblemsPanel::rebuild()
{
    const QIcon errorIcon = Icons::error();
    m_list->clear();
    for (const Model::Diagnostic &d : std::as_const(m_diagnostics)) {
        auto *item = new QListWidgetItem(errorIcon, d.toString(), m_list);
        item->setToolTip(d.line > 0 ? tr("%1, line %2, column %3").arg(d.file).arg(d.line).arg(d.column) : d.file);
        item->setData(FileRole, d.file);
        item->setData(PointerRole, d.pointer);
        item->setData(LineRole, d.line);
        item->setData(ColumnRole, d.column);
        item->setData(MessageRole, d.message);
    }
    if (!m_engineSummary.isEmpty()) {
        auto *summary = new QListWidgetItem(Icons::engineStopped(), tr("Local engine: %1").arg(m_engineSummary), m_list);
        summary->setToolTip(m_engineSummary);
        // Details are usually `file:pointer: message` lines; keep the place for navigation.
        static const QRegularExpression located(u"^([^:\\s]+\\.json):(/[^:]*)?: (.*)$"_s);
        for (const QString &detail : std::as_const(m_engineDetails)) {
            auto *item = new QListWidgetItem(errorIcon, tr("Local engine: %1").arg(detail), m_list);
            const QRegularExpressionMatch match = located.match(detail);
            if (match.hasMatch()) {
                item->setData(FileRole, match.captured(1));
                item->setData(PointerRole, match.captured(2));
                item->setData(MessageRole, match.captured(3));
            }
        }
    }
    auto *stack = static_cast<QStackedWidget *>(widget());
    stack->setCurrentWidget(m_list->count() > 0 ? static_cast<QWidget *>(m_list) : m_empty);
    setWindowTitle(m_list->count() > 0 ? tr("Problems (%1)").arg(m_list->count()) : tr("Problems"));
}

void ProblemsPanel::activate(QListWidgetItem *item)
{
    if (!item || item->data(FileRole).toString().isEmpty())
        return;
    Model::Diagnostic d;
    d.file = item->data(FileRole).toString();
    d.pointer = item->data(PointerRole).toString();
    d.line = item->data(LineRole).toInt();
    d.column = item->data(ColumnRole).toInt();
    d.message = item->data(MessageRole).toString();
    Q_EMIT problemActivated(d);
}

} // namespace Conflux::Ui
