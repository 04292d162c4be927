#include "previewpane.h"

#include "data/json.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

constexpr int PathRole = Qt::UserRole + 1;

QString valueText(const Data::Value &value)
{
    QByteArray text = Data::Json::serialize(value);
    if (text.size() > 200)
        text = text.left(197) + "...";
    return QString::fromUtf8(text);
}

void addValue(QTreeWidgetItem *parent, const QString &name, const QString &path, const Data::Value &value,
              QHash<QString, QTreeWidgetItem *> &items)
{
    auto *item = new QTreeWidgetItem(parent);
    item->setText(0, name);
    item->setData(0, PathRole, path);
    items.insert(path, item);
    if (value.isObject()) {
        for (const auto &[key, member] : value.toObject())
            addValue(item, key, path + u'.' + key, member, items);
        item->setText(1, u"{…}"_s);
        item->setExpanded(true);
    } else if (value.isArray() && value.size() > 0 && (value.at(0).isObject() || value.at(0).isArray())) {
        for (qsizetype i = 0; i < value.size(); ++i)
            addValue(item, u"[%1]"_s.arg(i), path + u"[%1]"_s.arg(i), value.at(i), items);
        item->setText(1, PreviewPane::tr("[%1 items]").arg(value.size()));
    } else {
        item->setText(1, valueText(value));
    }
}

} // namespace

PreviewPane::PreviewPane(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"previewPane"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto *left = new QWidget;
    splitter->addWidget(left);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(2, 2, 2, 2);
    auto *leftBar = new QHBoxLayout;
    auto *inputTitle = new QLabel(tr("<b>Sample input</b>"), left);
    m_open = new QPushButton(tr("&Open sample…"), left);
    m_open->setObjectName(u"openSample"_s);
    m_usePasted = new QPushButton(tr("Use &pasted text"), left);
    m_usePasted->setObjectName(u"usePasted"_s);
    m_usePasted->setToolTip(tr("Paste JSON, XML or CSV into the box below, then use it as the sample."));
    leftBar->addWidget(inputTitle);
    leftBar->addStretch(1);
    leftBar->addWidget(m_open);
    leftBar->addWidget(m_usePasted);
    leftLayout->addLayout(leftBar);
    m_input = new QPlainTextEdit(left);
    m_input->setObjectName(u"sampleInput"_s);
    m_input->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_input->setPlaceholderText(tr("Open a sample file, or paste a JSON, XML or CSV sample here."));
    QFont mono(u"monospace"_s);
    mono.setStyleHint(QFont::Monospace);
    m_input->setFont(mono);
    leftLayout->addWidget(m_input, 1);
    m_inputInfo = new QLabel(left);
    m_inputInfo->setObjectName(u"sampleInfo"_s);
    m_inputInfo->setWordWrap(true);
    leftLayout->addWidget(m_inputInfo);

    auto *right = new QWidget;
    splitter->addWidget(right);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(2, 2, 2, 2);
    rightLayout->addWidget(new QLabel(tr("<b>Mapped output</b>"), right));
    m_output = new QTreeWidget(right);
    m_output->setObjectName(u"previewOutput"_s);
    m_output->setColumnCount(3);
    m_output->setHeaderLabels({tr("Field"), tr("Value"), tr("Problem")});
    m_output->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_output->setColumnWidth(0, 150);
    m_output->setColumnWidth(1, 180);
    m_output->setUniformRowHeights(true);
    rightLayout->addWidget(m_output, 1);
    m_outputInfo = new QLabel(right);
    m_outputInfo->setObjectName(u"previewInfo"_s);
    m_outputInfo->setWordWrap(true);
    rightLayout->addWidget(m_outputInfo);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    connect(m_open, &QPushButton::clicked, this, &PreviewPane::openSampleRequested);
    connect(m_usePasted, &QPushButton::clicked, this, [this] {
        const QString text = m_input->toPlainText();
        if (!text.trimmed().isEmpty())
            Q_EMIT pastedSample(text.toUtf8());
    });
}

PreviewPane::~PreviewPane() = default;

void PreviewPane::setLoading(const QString &what)
{
    m_inputInfo->setText(tr("Reading %1…").arg(what));
}

void PreviewPane::setSample(const std::shared_ptr<const SampleData> &sample)
{
    if (!sample) {
        m_input->clear();
        m_inputInfo->setText(tr("No sample yet."));
        return;
    }
    if (!sample->error.isEmpty()) {
        // Keep what the user pasted, so that it can be fixed.
        m_inputInfo->setText(tr("The sample cannot be read: %1").arg(sample->error));
        return;
    }
    m_input->setPlainText(sample->head);
    // A large file is shown only in part and is not to be edited here.
    m_input->setReadOnly(!sample->file.isEmpty());
    const QLocale locale;
    QString info = tr("Records: %1").arg(sample->recordCount);
    if (!sample->file.isEmpty())
        info = tr("%1 — %2").arg(sample->file, info);
    if (sample->truncated) {
        info += tr(" — showing the first %1 of %2")
                    .arg(locale.formattedDataSize(sample->head.toUtf8().size()),
                         locale.formattedDataSize(sample->bytes));
    }
    m_inputInfo->setText(info);
}

void PreviewPane::setResult(const PreviewResult &result)
{
    m_output->clear();
    if (!result.error.isEmpty()) {
        m_outputInfo->setText(tr("The mapping cannot run: %1").arg(result.error));
        return;
    }
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    qint64 failing = 0;
    for (size_t r = 0; r < result.records.size(); ++r) {
        const PreviewRecord &record = result.records[r];
        auto *top = new QTreeWidgetItem(m_output);
        top->setText(0, tr("Record %1").arg(r + 1));
        QHash<QString, QTreeWidgetItem *> items;
        for (const auto &[key, member] : record.mapped.output.toObject())
            addValue(top, key, key, member, items);
        for (const Mapping::FieldViolation &violation : record.mapped.violations) {
            QTreeWidgetItem *item = violation.field.isEmpty() ? top : items.value(violation.field);
            if (!item) {
                // An absent field (a failed "required"): shown so the problem has a place.
                item = new QTreeWidgetItem(top);
                item->setText(0, violation.field);
                item->setText(1, tr("(absent)"));
                item->setData(0, PathRole, violation.field);
                items.insert(violation.field, item);
            }
            const QString previous = item->text(2);
            const QString problem = u"%1: %2"_s.arg(violation.rule, violation.message);
            item->setText(2, previous.isEmpty() ? problem : previous + u"; "_s + problem);
            item->setIcon(2, warning);
            item->setToolTip(2, item->text(2));
            item->setForeground(2, QColor(0xb0, 0x20, 0x20));
        }
        if (!record.mapped.isValid()) {
            ++failing;
            top->setIcon(0, warning);
            top->setText(2, tr("Problems: %1").arg(record.mapped.violations.size()));
        }
        top->setExpanded(r < 3);
    }
    QString info = tr("Mapped the first %1 of %2 records").arg(result.records.size()).arg(result.totalRecords);
    if (failing > 0)
        info += tr("; records with problems: %1").arg(failing);
    m_outputInfo->setText(info);
}

} // namespace Conflux::Ui
