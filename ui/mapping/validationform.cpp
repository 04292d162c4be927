#include "validationform.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

QJsonValue jsonOrText(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(u"[%1]"_s.arg(text).toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && document.array().size() == 1)
        return document.array().first();
    return text.trimmed();
}

QString valuesText(const QJsonArray &values)
{
    QStringList parts;
    for (const QJsonValue &v : values) {
        const QByteArray text = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
        parts.append(v.isString() ? v.toString() : QString::fromUtf8(text.mid(1, text.size() - 2)));
    }
    return parts.join(u", "_s);
}

} // namespace

ValidationForm::ValidationForm(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"validationForm"_s);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    outer->addWidget(m_title);
    m_list = new QListWidget(this);
    m_list->setObjectName(u"validationList"_s);
    m_list->setMaximumHeight(110);
    outer->addWidget(m_list);
    auto *buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("&Add check"), this);
    m_remove = new QPushButton(tr("Re&move check"), this);
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    outer->addLayout(buttons);

    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addLayout(m_form);
    m_rule = new QComboBox(this);
    m_rule->setObjectName(u"checkRule"_s);
    m_rule->addItem(tr("required"), u"required"_s);
    m_rule->addItem(tr("type"), u"type"_s);
    m_rule->addItem(tr("pattern"), u"pattern"_s);
    m_rule->addItem(tr("range"), u"range"_s);
    m_rule->addItem(tr("enum"), u"enum"_s);
    m_form->addRow(tr("&Check"), m_rule);
    m_type = new QComboBox(this);
    m_type->setObjectName(u"checkType"_s);
    for (const QString &t : {u"string"_s, u"number"_s, u"integer"_s, u"boolean"_s, u"object"_s, u"array"_s, u"null"_s})
        m_type->addItem(t, t);
    m_form->addRow(tr("T&ype"), m_type);
    auto addLine = [this](const QString &key, const QString &label, const QString &placeholder) {
        auto *line = new QLineEdit(this);
        line->setObjectName(u"check_"_s + key);
        line->setPlaceholderText(placeholder);
        m_form->addRow(label, line);
        m_lines.insert(key, line);
        connect(line, &QLineEdit::editingFinished, this, &ValidationForm::edited);
    };
    addLine(u"pattern"_s, tr("&Pattern"), tr("a regular expression"));
    addLine(u"min"_s, tr("M&inimum"), tr("number, length or item count"));
    addLine(u"max"_s, tr("Ma&ximum"), tr("number, length or item count"));
    addLine(u"values"_s, tr("&Values"), tr("EUR, USD, 42 (comma separated)"));
    addLine(u"message"_s, tr("Me&ssage"), tr("shown when the check fails"));
    outer->addStretch(1);

    connect(m_rule, &QComboBox::activated, this, &ValidationForm::edited);
    connect(m_type, &QComboBox::activated, this, &ValidationForm::edited);
    connect(m_list, &QListWidget::currentRowChanged, this, &ValidationForm::showCheck);
    connect(m_add, &QPushButton::clicked, this, [this] {
        if (!m_field.isEmpty())
            Q_EMIT checkAdded(QJsonObject{{u"field"_s, m_field}, {u"rule"_s, u"required"_s}});
    });
    connect(m_remove, &QPushButton::clicked, this, &ValidationForm::removeCurrent);
    setField(QString(), {});
}

ValidationForm::~ValidationForm() = default;

QLineEdit *ValidationForm::editor(const QString &key) const
{
    return m_lines.value(key);
}

QString ValidationForm::describe(const QJsonObject &check)
{
    const QString rule = check.value(u"rule"_s).toString();
    QString text = rule;
    if (rule == u"type")
        text = tr("type %1").arg(check.value(u"type"_s).toString());
    else if (rule == u"pattern")
        text = tr("pattern %1").arg(check.value(u"pattern"_s).toString());
    else if (rule == u"range") {
        const QString min = check.contains(u"min"_s) ? QString::number(check.value(u"min"_s).toDouble()) : u"…"_s;
        const QString max = check.contains(u"max"_s) ? QString::number(check.value(u"max"_s).toDouble()) : u"…"_s;
        text = tr("range %1 – %2").arg(min, max);
    } else if (rule == u"enum")
        text = tr("one of %1").arg(valuesText(check.value(u"values"_s).toArray()));
    return text;
}

void ValidationForm::removeCurrent()
{
    if (const int index = currentIndex(); index >= 0)
        Q_EMIT checkRemoved(index);
}

int ValidationForm::currentIndex() const
{
    return m_indexes.value(m_list->currentRow(), -1);
}

void ValidationForm::selectCheck(int documentIndex)
{
    m_list->setCurrentRow(int(m_indexes.indexOf(documentIndex)));
}

void ValidationForm::setField(const QString &field, const QJsonArray &validation)
{
    m_updating = true;
    const int keep = field == m_field ? m_list->currentRow() : 0;
    m_field = field;
    m_validation = validation;
    m_indexes.clear();
    m_list->clear();
    for (qsizetype i = 0; i < validation.size(); ++i) {
        const QJsonObject check = validation.at(i).toObject();
        if (!field.isEmpty() && check.value(u"field"_s).toString() == field) {
            m_indexes.append(int(i));
            m_list->addItem(describe(check));
        }
    }
    m_title->setText(field.isEmpty() ? tr("Select a target field to see and edit its checks.")
                                     : tr("Checks of <b>%1</b>").arg(field.toHtmlEscaped()));
    m_add->setEnabled(!field.isEmpty());
    m_list->setCurrentRow(qMin(keep, m_list->count() - 1));
    m_updating = false;
    showCheck();
}

void ValidationForm::showCheck()
{
    const int index = currentIndex();
    const QJsonObject check = index >= 0 ? m_validation.at(index).toObject() : QJsonObject();
    const QString rule = check.value(u"rule"_s).toString();
    const bool updating = m_updating;
    m_updating = true;
    m_remove->setEnabled(index >= 0);
    m_rule->setEnabled(index >= 0);
    m_rule->setCurrentIndex(qMax(0, m_rule->findData(rule)));
    m_type->setCurrentIndex(qMax(0, m_type->findData(check.value(u"type"_s).toString())));
    m_form->setRowVisible(m_type, rule == u"type");
    m_form->setRowVisible(m_lines.value(u"pattern"_s), rule == u"pattern");
    m_form->setRowVisible(m_lines.value(u"min"_s), rule == u"range");
    m_form->setRowVisible(m_lines.value(u"max"_s), rule == u"range");
    m_form->setRowVisible(m_lines.value(u"values"_s), rule == u"enum");
    m_form->setRowVisible(m_lines.value(u"message"_s), index >= 0);
    m_lines.value(u"pattern"_s)->setText(check.value(u"pattern"_s).toString());
    m_lines.value(u"min"_s)->setText(check.contains(u"min"_s) ? QString::number(check.value(u"min"_s).toDouble()) : QString());
    m_lines.value(u"max"_s)->setText(check.contains(u"max"_s) ? QString::number(check.value(u"max"_s).toDouble()) : QString());
    m_lines.value(u"values"_s)->setText(valuesText(check.value(u"values"_s).toArray()));
    m_lines.value(u"message"_s)->setText(check.value(u"message"_s).toString());
    m_updating = updating;
}

void ValidationForm::edited()
{
    const int index = currentIndex();
    if (m_updating || index < 0)
        return;
    const QJsonObject old = m_validation.at(index).toObject();
    QJsonObject check{{u"field"_s, m_field}, {u"rule"_s, m_rule->currentData().toString()}};
    const QString rule = check.value(u"rule"_s).toString();
    const QString message = m_lines.value(u"message"_s)->text().trimmed();
    if (!message.isEmpty())
        check.insert(u"message"_s, message);
    if (rule == u"type")
        check.insert(u"type"_s, m_type->currentData().toString());
    if (rule == u"pattern") {
        const QString pattern = m_lines.value(u"pattern"_s)->text();
        check.insert(u"pattern"_s, pattern.isEmpty() ? u".*"_s : pattern);
    }
    if (rule == u"range") {
        bool okMin = false, okMax = false;
        const double min = m_lines.value(u"min"_s)->text().toDouble(&okMin);
        const double max = m_lines.value(u"max"_s)->text().toDouble(&okMax);
        if (okMin)
            check.insert(u"min"_s, min);
        if (okMax)
            check.insert(u"max"_s, max);
        if (!okMin && !okMax)
            check.insert(u"min"_s, 0);   // the schema wants one bound
    }
    if (rule == u"enum") {
        QJsonArray values;
        for (const QString &v : m_lines.value(u"values"_s)->text().split(u',', Qt::SkipEmptyParts))
            values.append(jsonOrText(v.trimmed()));
        if (values.isEmpty())
            values.append(QString());
        check.insert(u"values"_s, values);
    }
    if (check != old)
        Q_EMIT checkEdited(index, check);
}

} // namespace Conflux::Ui
