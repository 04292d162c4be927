#include "responseview.h"

#include "savefile.h"

#include "codeview.h"

#include <QButtonGroup>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

QString statusColor(int status)
{
    if (status >= 200 && status < 300)
        return u"#1a7f37"_s;
    if (status >= 300 && status < 400)
        return u"#1f4e9c"_s;
    if (status >= 400 && status < 500)
        return u"#b35c00"_s;
    return u"#c01c28"_s;
}

QToolButton *toolButton(const QString &objectName, const QString &text, const QString &toolTip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

ResponseView::ResponseView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"responseView"_s);
    m_status = new QLabel(this);
    m_status->setObjectName(u"responseStatus"_s);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_time = new QLabel(this);
    m_time->setObjectName(u"responseTime"_s);
    m_size = new QLabel(this);
    m_size->setObjectName(u"responseSize"_s);
    m_note = new QLabel(this);
    m_note->setObjectName(u"responseNote"_s);
    m_note->setWordWrap(true);
    m_note->setVisible(false);

    auto *summary = new QHBoxLayout;
    summary->addWidget(m_status);
    summary->addSpacing(12);
    summary->addWidget(m_time);
    summary->addSpacing(12);
    summary->addWidget(m_size);
    summary->addStretch(1);

    m_pretty = toolButton(u"prettyButton"_s, tr("Pretty"), tr("Indented, highlighted and foldable"), this);
    m_raw = toolButton(u"rawButton"_s, tr("Raw"), tr("The body as it came"), this);
    for (QToolButton *b : {m_pretty, m_raw})
        b->setCheckable(true);
    auto *group = new QButtonGroup(this);
    group->addButton(m_pretty);
    group->addButton(m_raw);
    m_pretty->setChecked(true);
    m_foldAll = toolButton(u"foldAllButton"_s, tr("Fold All"), tr("Fold every object, array and element"), this);
    m_unfoldAll = toolButton(u"unfoldAllButton"_s, tr("Unfold All"), tr("Show every line"), this);
    m_save = toolButton(u"saveBodyButton"_s, tr("Save Body…"), tr("Write the body to a file, byte for byte"), this);

    auto *bodyBar = new QHBoxLayout;
    bodyBar->setContentsMargins(0, 0, 0, 0);
    bodyBar->addWidget(m_pretty);
    bodyBar->addWidget(m_raw);
    bodyBar->addSpacing(8);
    bodyBar->addWidget(m_foldAll);
    bodyBar->addWidget(m_unfoldAll);
    bodyBar->addStretch(1);
    bodyBar->addWidget(m_save);

    m_body = new CodeView(this);
    auto *bodyPage = new QWidget(this);
    auto *bodyLayout = new QVBoxLayout(bodyPage);
    bodyLayout->setContentsMargins(0, 2, 0, 0);
    bodyLayout->setSpacing(2);
    bodyLayout->addLayout(bodyBar);
    bodyLayout->addWidget(m_body, 1);

    m_headers = new QTableWidget(0, 2, this);
    m_headers->setObjectName(u"responseHeaders"_s);
    m_headers->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->setVisible(false);
    m_headers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_headers->setSelectionBehavior(QAbstractItemView::SelectRows);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"responseTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(bodyPage, tr("Body"));
    m_tabs->addTab(m_headers, tr("Headers"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(summary);
    layout->addWidget(m_note);
    layout->addWidget(m_tabs, 1);

    connect(m_pretty, &QToolButton::toggled, this, [this] { showBody(); });
    connect(m_foldAll, &QToolButton::clicked, m_body, &CodeView::foldAll);
    connect(m_unfoldAll, &QToolButton::clicked, m_body, &CodeView::unfoldAll);
    connect(m_save, &QToolButton::clicked, this, &ResponseView::chooseSaveFile);
    clear();
}

QString ResponseView::formatSize(qint64 bytes)
{
    if (bytes < 1024)
        return tr("%n B", nullptr, int(bytes));
    if (bytes < 1024 * 1024)
        return tr("%1 KB").arg(double(bytes) / 1024, 0, 'f', 1);
    return tr("%1 MB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
}

void ResponseView::clear()
{
    m_response = {};
    m_status->setText(tr("No response yet"));
    m_status->setStyleSheet({});
    m_time->clear();
    m_size->clear();
    m_note->setVisible(false);
    m_body->clearBody();
    m_headers->setRowCount(0);
    m_save->setEnabled(false);
    m_tabs->setTabText(1, tr("Headers"));
}

void ResponseView::setBusy(const QString &message)
{
    clear();
    m_status->setText(message);
}

void ResponseView::setResponse(const ResponseDisplay &response)
{
    m_response = response;
    if (response.status == 0) {
        m_status->setText(tr("No response: %1").arg(response.error));
        m_status->setStyleSheet(u"color: #c01c28; font-weight: 600"_s);
    } else {
        m_status->setText(u"%1 %2"_s.arg(response.status).arg(response.reason));
        m_status->setStyleSheet(u"color: %1; font-weight: 600"_s.arg(statusColor(response.status)));
    }
    m_time->setText(tr("Time: %1 ms").arg(response.elapsedMs));
    m_size->setText(tr("Size: %1").arg(formatSize(response.body.size())));
    m_size->setToolTip(tr("%n byte(s) of body", nullptr, int(response.body.size())));

    QByteArray contentType;
    m_headers->setRowCount(int(response.headers.size()));
    for (int row = 0; row < int(response.headers.size()); ++row) {
        const auto &[name, value] = response.headers.at(row);
        if (name.compare("content-type", Qt::CaseInsensitive) == 0)
            contentType = value;
        m_headers->setItem(row, 0, new QTableWidgetItem(QString::fromLatin1(name)));
        m_headers->setItem(row, 1, new QTableWidgetItem(QString::fromUtf8(value)));
    }
    m_headers->resizeColumnToContents(0);
    m_tabs->setTabText(1, tr("Headers (%1)").arg(response.headers.size()));
    m_kind = detectBodyKind(contentType, response.body);
    m_save->setEnabled(response.status != 0);
    showBody();
}

bool ResponseView::isPretty() const
{
    return m_pretty->isChecked();
}

void ResponseView::setPretty(bool pretty)
{
    (pretty ? m_pretty : m_raw)->setChecked(true);
}

void ResponseView::showBody()
{
    m_body->setBody(m_kind, m_response.body, isPretty());
    const FormattedBody &shown = m_body->formatted();
    const bool foldable = !shown.folds.isEmpty();
    m_foldAll->setEnabled(foldable);
    m_unfoldAll->setEnabled(foldable);
    QString note = shown.problem;
    if (isPretty() && !shown.reformatted && !note.isEmpty() && !m_body->isTruncated())
        note = tr("Shown as it came: the body is not well-formed (%1).").arg(note);
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
}

bool ResponseView::saveBody(const QString &path, QString *error) const
{
    const QString problem = saveFile(path, m_response.body);
    if (error)
        *error = problem;
    return problem.isEmpty();
}

void ResponseView::chooseSaveFile()
{
    const QString suffix = m_kind == BodyKind::Json ? u".json"_s : m_kind == BodyKind::Xml ? u".xml"_s
                         : m_kind == BodyKind::Html ? u".html"_s : u".txt"_s;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Response Body"), u"response"_s + suffix);
    if (path.isEmpty())
        return;
    // Written off the UI thread: a body may be tens of megabytes.
    saveFileInBackground(path, m_response.body, this, [this](const QString &error) {
        if (error.isEmpty())
            return;
        m_note->setText(error);
        m_note->setVisible(true);
    });
}

} // namespace Conflux::Ui
