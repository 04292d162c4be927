#include "runreportview.h"
#include "savefile.h"

#include "tester/junit.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

const QColor passColour(0x1b, 0x7f, 0x3b);
const QColor failColour(0xb3, 0x26, 0x1e);

} // namespace

RunReportView::RunReportView(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(tr("Run the collection, or a folder, to see a report here (Ctrl+Shift+Return)."));
    m_summary->setObjectName(u"runSummary"_s);
    m_summary->setWordWrap(true);
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(u"stopRun"_s);
    m_stop->setEnabled(false);
    m_save = new QPushButton(tr("Save JUnit XML…"));
    m_save->setObjectName(u"saveJUnit"_s);
    m_save->setEnabled(false);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_summary, 1);
    top->addWidget(m_stop);
    top->addWidget(m_save);

    m_tree = new QTreeWidget;
    m_tree->setObjectName(u"runTree"_s);
    m_tree->setColumnCount(4);
    m_tree->setHeaderLabels({tr("Request"), tr("Status"), tr("Time"), tr("Result")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->resizeSection(1, 70);
    m_tree->header()->resizeSection(2, 70);
    m_tree->header()->resizeSection(3, 90);
    m_tree->setRootIsDecorated(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tree, 1);

    connect(m_stop, &QPushButton::clicked, this, &RunReportView::stopRequested);
    connect(m_save, &QPushButton::clicked, this, &RunReportView::chooseJUnitFile);
    auto activate = [this](QTreeWidgetItem *item) {
        while (item && item->parent())
            item = item->parent();
        const int index = item ? m_tree->indexOfTopLevelItem(item) : -1;
        if (index >= 0 && index < m_results.size())
            Q_EMIT resultActivated(m_results.at(index));
    };
    connect(m_tree, &QTreeWidget::itemActivated, this, activate);
    connect(m_tree, &QTreeWidget::itemClicked, this, activate);
}

RunReportView::~RunReportView() = default;

void RunReportView::start(const QString &title, int requests)
{
    m_tree->clear();
    m_results.clear();
    m_report.reset();
    m_expected = requests;
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Running %1: 0 of %n request(s)…", nullptr, requests).arg(title));
    m_stop->setEnabled(true);
    m_save->setEnabled(false);
}

void RunReportView::addResult(const Tester::RequestResult &result)
{
    m_results.append(result);
    auto *row = new QTreeWidgetItem(m_tree);
    const bool passed = result.passed();
    row->setText(0, result.displayName());
    row->setText(1, result.response ? QString::number(result.response->status) : tr("—"));
    row->setText(2, result.response ? tr("%1 ms").arg(result.response->elapsedMs) : QString());
    row->setText(3, passed ? tr("✓ passed") : tr("✗ failed"));
    row->setForeground(3, passed ? passColour : failColour);
    if (result.error) {
        auto *error = new QTreeWidgetItem(row, {result.error->message});
        error->setForeground(0, failColour);
        error->setToolTip(0, result.error->message);
        error->setFirstColumnSpanned(true);
    }
    for (const Tester::AssertionResult &a : result.assertions) {
        auto *check = new QTreeWidgetItem(row);
        check->setText(0, a.passed ? a.name : tr("%1 — %2").arg(a.name, a.message));
        check->setToolTip(0, a.message);
        check->setText(3, a.passed ? tr("✓") : tr("✗"));
        check->setForeground(3, a.passed ? passColour : failColour);
    }
    if (!passed)
        row->setExpanded(true);
    m_summary->setText(tr("Running: %1 of %n request(s)…", nullptr, m_expected).arg(m_results.size()));
}

void RunReportView::finish(const Tester::RunReport &report)
{
    m_report = report;
    m_stop->setEnabled(false);
    m_save->setEnabled(true);
    const int failed = report.failedCount();
    const int passed = int(report.results.size()) - failed;
    QString text = tr("%1: %2 passed, %3 failed, in %4 s")
                       .arg(report.folder.isEmpty() ? report.collectionName : report.collectionName + u" / "_s + report.folder)
                       .arg(passed)
                       .arg(failed)
                       .arg(double(report.elapsedMs) / 1000.0, 0, 'f', 2);
    if (report.cancelled)
        text += tr(" (stopped before the end)");
    m_summary->setText(text);
    m_summary->setStyleSheet(report.passed() ? u"color: #1b7f3b"_s : u"color: #b3261e"_s);
}

void RunReportView::abort(const QString &message)
{
    m_stop->setEnabled(false);
    m_summary->setText(message);
    m_summary->setStyleSheet(u"color: #b3261e"_s);
}

bool RunReportView::saveJUnit(const QString &path, QString *error) const
{
    if (!m_report) {
        if (error)
            *error = tr("There is no finished run to save");
        return false;
    }
    const QString problem = saveFile(path, Tester::toJUnitXml(*m_report));
    if (error)
        *error = problem;
    return problem.isEmpty();
}

void RunReportView::chooseJUnitFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the run as JUnit XML"), u"report.xml"_s,
                                                      tr("JUnit XML (*.xml)"));
    if (path.isEmpty())
        return;
    if (!m_report)
        return;
    saveFileInBackground(path, Tester::toJUnitXml(*m_report), this, [this](const QString &error) {
        if (!error.isEmpty())
            m_summary->setText(error);
    });
}

} // namespace Conflux::Ui
