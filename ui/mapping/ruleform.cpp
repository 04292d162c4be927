#include "ruleform.h"

#include "data/value.h"
#include "mapping/mappingdocument.h"
#include "mappingfields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

// A JSON value as one line the user edits: strings as they are, everything else as JSON.
QString literalText(const QJsonValue &value)
{
    if (value.isUndefined())
        return QString();
    if (value.isString())
        return value.toString();
    const QJsonDocument document(QJsonArray{value});
    const QByteArray text = document.toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// The reverse: JSON when the text is a JSON value (42, true, null, "quoted", {...}),
// else the text as a string.
QJsonValue literalValue(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(u"[%1]"_s.arg(text).toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && document.array().size() == 1)
        return document.array().first();
    return text;
}

QJsonValue operandValue(const QString &text)
{
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    if (ok)
        return number;
    return text.trimmed();
}

const QStringList &formKeys()
{
    static const QStringList keys = {u"source"_s, u"fields"_s, u"separator"_s, u"from"_s, u"to"_s,
                                     u"value"_s, u"table"_s, u"key"_s, u"column"_s, u"left"_s,
                                     u"operator"_s, u"right"_s, u"test"_s, u"then"_s, u"else"_s,
                                     u"expression"_s};
    return keys;
}

QStringList keysOf(const QString &type)
{
    if (type == u"field_mapping" || type == u"uppercase" || type == u"lowercase")
        return {u"source"_s};
    if (type == u"date_format")
        return {u"source"_s, u"from"_s, u"to"_s};
    if (type == u"concatenate")
        return {u"fields"_s, u"separator"_s};
    if (type == u"default_value")
        return {u"value"_s};
    if (type == u"lookup")
        return {u"source"_s, u"table"_s, u"key"_s, u"column"_s};
    if (type == u"arithmetic")
        return {u"left"_s, u"operator"_s, u"right"_s};
    if (type == u"condition")
        return {u"test"_s, u"then"_s, u"else"_s};
    if (type == u"expression")
        return {u"expression"_s};
    return {};
}

} // namespace

RuleForm::RuleForm(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"ruleForm"_s);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    m_empty = new QLabel(tr("Select a rule: click its line or its target field."), this);
    m_empty->setWordWrap(true);
    outer->addWidget(m_empty);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addLayout(m_form);

    m_type = new QComboBox(this);
    m_type->setObjectName(u"ruleType"_s);
    for (const QString &type : MappingFields::ruleTypes())
        m_type->addItem(u"%1 (%2)"_s.arg(MappingFields::ruleTypeLabel(type), type), type);
    m_form->addRow(tr("&Type"), m_type);
    m_rows.insert(u"type"_s, m_type);
    connect(m_type, &QComboBox::activated, this, &RuleForm::edited);

    addLine(u"target"_s, tr("T&arget"), tr("customer.id"));
    addLine(u"source"_s, tr("&Source"), tr("customer.email"));
    addLine(u"fields"_s, tr("&Fields"), tr("first, last (comma separated)"));
    addLine(u"separator"_s, tr("Se&parator"));
    addLine(u"from"_s, tr("From picture"), tr("ISO 8601 when empty"));
    addLine(u"to"_s, tr("To picture"), u"[D01].[M01].[Y0001]"_s);
    addLine(u"value"_s, tr("&Value"), tr("text, or JSON: 42, true, {\"a\": 1}"));
    addLine(u"table"_s, tr("Ta&ble"), u"countries"_s);
    addLine(u"key"_s, tr("&Key column"), u"code"_s);
    addLine(u"column"_s, tr("&Result column"), u"name"_s);
    addLine(u"left"_s, tr("&Left"), tr("a field path or a number"));
    m_operator = new QComboBox(this);
    m_operator->setObjectName(u"ruleOperator"_s);
    for (const QString &op : {u"+"_s, u"-"_s, u"*"_s, u"/"_s, u"%"_s})
        m_operator->addItem(op, op);
    m_form->addRow(tr("&Operator"), m_operator);
    m_rows.insert(u"operator"_s, m_operator);
    connect(m_operator, &QComboBox::activated, this, &RuleForm::edited);
    addLine(u"right"_s, tr("&Right"), tr("a field path or a number"));
    addLine(u"test"_s, tr("T&est"), tr("JSONata, e.g. total > 100"));
    m_thenKind = qobject_cast<QComboBox *>(addBranch(u"then"_s, tr("T&hen")));
    m_elseKind = qobject_cast<QComboBox *>(addBranch(u"else"_s, tr("E&lse")));
    addLine(u"expression"_s, tr("E&xpression"));
    addLine(u"default"_s, tr("&Default"), tr("when the rule yields nothing"));
    m_required = new QCheckBox(tr("Re&quired"), this);
    m_required->setObjectName(u"ruleRequired"_s);
    m_form->addRow(QString(), m_required);
    m_rows.insert(u"required"_s, m_required);
    connect(m_required, &QCheckBox::toggled, this, &RuleForm::edited);

    m_open = new QPushButton(tr("Open as JSONata (Ctrl+E)"), this);
    m_open->setObjectName(u"openExpression"_s);
    m_form->addRow(QString(), m_open);
    m_rows.insert(u"open"_s, m_open);
    connect(m_open, &QPushButton::clicked, this, &RuleForm::openExpressionRequested);
    outer->addStretch(1);
    setRule({});
}

RuleForm::~RuleForm() = default;

QLineEdit *RuleForm::addLine(const QString &key, const QString &label, const QString &placeholder)
{
    auto *line = new QLineEdit(this);
    line->setObjectName(u"rule_"_s + key);
    line->setPlaceholderText(placeholder);
    m_form->addRow(label, line);
    m_lines.insert(key, line);
    m_rows.insert(key, line);
    connect(line, &QLineEdit::editingFinished, this, &RuleForm::edited);
    return line;
}

QWidget *RuleForm::addBranch(const QString &key, const QString &label)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *kind = new QComboBox(row);
    kind->setObjectName(u"rule_"_s + key + u"_kind"_s);
    kind->addItem(tr("field"), u"field"_s);
    kind->addItem(tr("value"), u"value"_s);
    auto *line = new QLineEdit(row);
    line->setObjectName(u"rule_"_s + key);
    layout->addWidget(kind);
    layout->addWidget(line, 1);
    m_form->addRow(label, row);
    m_lines.insert(key, line);
    m_rows.insert(key, row);
    connect(line, &QLineEdit::editingFinished, this, &RuleForm::edited);
    connect(kind, &QComboBox::activated, this, &RuleForm::edited);
    return kind;
}

QLineEdit *RuleForm::editor(const QString &key) const
{
    return m_lines.value(key);
}

void RuleForm::showRowsFor(const QString &type)
{
    const QStringList visible = keysOf(type);
    const bool any = !type.isEmpty();
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it) {
        const bool common = it.key() == u"type" || it.key() == u"target" || it.key() == u"default"
                            || it.key() == u"required" || it.key() == u"open";
        m_form->setRowVisible(it.value(), any && (common || visible.contains(it.key())));
    }
    m_empty->setVisible(!any);
}

void RuleForm::setRule(const QJsonObject &rule)
{
    m_updating = true;
    m_rule = rule;
    const QString type = rule.value(u"type"_s).toString();
    showRowsFor(type);
    m_type->setCurrentIndex(qMax(0, m_type->findData(type)));
    auto setText = [](QLineEdit *line, const QString &text) {
        // Leave the field being typed in alone: the document may be re-read meanwhile.
        if (!line->hasFocus() || !line->isModified())
            line->setText(text);
    };
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const QJsonValue value = rule.value(it.key());
        QString text;
        if (it.key() == u"fields") {
            QStringList fields;
            for (const QJsonValue &f : value.toArray())
                fields.append(f.toString());
            text = fields.join(u", "_s);
        } else if (it.key() == u"then" || it.key() == u"else") {
            const QJsonObject branch = value.toObject();
            QComboBox *kind = it.key() == u"then" ? m_thenKind : m_elseKind;
            const bool isField = branch.contains(u"field"_s) || branch.isEmpty();
            kind->setCurrentIndex(isField ? 0 : 1);
            text = isField ? branch.value(u"field"_s).toString() : literalText(branch.value(u"value"_s));
        } else if (it.key() == u"left" || it.key() == u"right") {
            text = value.isDouble() ? QString::number(value.toDouble()) : value.toString();
        } else {
            text = literalText(value);
        }
        setText(it.value(), text);
    }
    m_operator->setCurrentIndex(qMax(0, m_operator->findData(rule.value(u"operator"_s).toString())));
    m_required->setChecked(rule.value(u"required"_s).toBool());
    m_updating = false;
}

QJsonObject RuleForm::convert(const QJsonObject &rule, const QString &type)
{
    const QString old = rule.value(u"type"_s).toString();
    if (old == type)
        return rule;
    QJsonObject out = rule;
    for (const QString &key : formKeys())
        out.remove(key);
    out.insert(u"type"_s, type);
    const QStringList sources = MappingFields::ruleSources(rule);
    const QString source = sources.value(0);
    if (type == u"expression") {
        const Result<QString> expression = Mapping::ruleExpression(Data::Value::fromQJson(rule));
        out.insert(u"expression"_s, expression ? *expression : source.isEmpty() ? u"null"_s : source);
    } else if (type == u"concatenate") {
        QJsonArray fields;
        for (const QString &s : sources)
            fields.append(s);
        out.insert(u"fields"_s, fields.isEmpty() ? QJsonArray{u"field"_s} : fields);
        out.insert(u"separator"_s, u" "_s);
    } else if (type == u"default_value") {
        out.insert(u"value"_s, rule.contains(u"value"_s) ? rule.value(u"value"_s) : QJsonValue(QString()));
    } else if (type == u"arithmetic") {
        out.insert(u"left"_s, source.isEmpty() ? QJsonValue(0) : QJsonValue(source));
        out.insert(u"operator"_s, u"+"_s);
        out.insert(u"right"_s, sources.size() > 1 ? QJsonValue(sources[1]) : QJsonValue(0));
    } else if (type == u"condition") {
        out.insert(u"test"_s, source.isEmpty() ? u"true"_s : u"$exists(%1)"_s.arg(source));
        // A constant stays the value of the then branch.
        const QJsonValue constant = rule.contains(u"value"_s) ? rule.value(u"value"_s) : QJsonValue(QString());
        out.insert(u"then"_s, source.isEmpty() ? QJsonObject{{u"value"_s, constant}}
                                                : QJsonObject{{u"field"_s, source}});
    } else {
        out.insert(u"source"_s, source.isEmpty() ? rule.value(u"target"_s).toString() : source);
        if (type == u"date_format") {
            out.insert(u"to"_s, u"[Y0001]-[M01]-[D01]"_s);
        } else if (type == u"lookup") {
            for (const QString &key : {u"table"_s, u"key"_s, u"column"_s})
                out.insert(key, rule.contains(key) ? rule.value(key) : QJsonValue(key == u"table" ? u"table"_s : key));
        }
    }
    return out;
}

QJsonObject RuleForm::collect() const
{
    const QString type = m_type->currentData().toString();
    QJsonObject out = convert(m_rule, type);
    if (type != m_rule.value(u"type"_s).toString()) {
        // A new type: take the converted options, plus the common fields as edited.
        out.insert(u"target"_s, m_lines.value(u"target"_s)->text().trimmed());
        return out;
    }
    auto text = [this](const QString &key) { return m_lines.value(key)->text(); };
    auto setOrRemove = [&out](const QString &key, const QJsonValue &value, bool present) {
        if (present)
            out.insert(key, value);
        else
            out.remove(key);
    };
    out.insert(u"target"_s, text(u"target"_s).trimmed());
    for (const QString &key : keysOf(type)) {
        if (key == u"fields") {
            QJsonArray fields;
            for (const QString &f : text(key).split(u',', Qt::SkipEmptyParts))
                fields.append(f.trimmed());
            out.insert(key, fields);
        } else if (key == u"operator") {
            out.insert(key, m_operator->currentData().toString());
        } else if (key == u"left" || key == u"right") {
            out.insert(key, operandValue(text(key)));
        } else if (key == u"then" || key == u"else") {
            const QComboBox *kind = key == u"then" ? m_thenKind : m_elseKind;
            const QString t = text(key);
            if (key == u"else" && t.isEmpty() && kind->currentIndex() == 0) {
                out.remove(key);
                continue;
            }
            out.insert(key, kind->currentIndex() == 0 ? QJsonObject{{u"field"_s, t.trimmed()}}
                                                       : QJsonObject{{u"value"_s, literalValue(t)}});
        } else if (key == u"value") {
            out.insert(key, literalValue(text(key)));
        } else if (key == u"separator") {
            out.insert(key, text(key));
        } else {
            // Optional pictures are left out rather than written empty.
            setOrRemove(key, text(key).trimmed(), !(key == u"from" && text(key).trimmed().isEmpty()));
        }
    }
    setOrRemove(u"default"_s, literalValue(text(u"default"_s)), !text(u"default"_s).isEmpty());
    setOrRemove(u"required"_s, true, m_required->isChecked());
    return out;
}

void RuleForm::edited()
{
    if (m_updating || m_rule.isEmpty())
        return;
    const QJsonObject rule = collect();
    for (QLineEdit *line : std::as_const(m_lines))
        line->setModified(false);
    if (rule != m_rule)
        Q_EMIT ruleEdited(rule);
}

} // namespace Conflux::Ui
