#include "formfield.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {

using Editor = FieldSpec::Editor;

// Parses typed text into the member's value; `ok` false when the text is not one.
QJsonValue parseText(const FieldSpec &spec, const QString &text, bool *ok)
{
    *ok = true;
    const QString trimmed = text.trimmed();
    switch (spec.editor) {
    case Editor::Integer: {
        if (trimmed.isEmpty())
            return QJsonValue(QJsonValue::Undefined);
        const qint64 number = QLocale::c().toLongLong(trimmed, ok);
        return *ok ? QJsonValue(number) : QJsonValue(QJsonValue::Undefined);
    }
    case Editor::Number: {
        if (trimmed.isEmpty())
            return QJsonValue(QJsonValue::Undefined);
        const double number = QLocale::c().toDouble(trimmed, ok);
        if (!*ok)
            return QJsonValue(QJsonValue::Undefined);
        // Whole numbers stay integers in the text ("30", not "30.0").
        if (std::floor(number) == number && std::abs(number) < 9e15)
            return QJsonValue(qint64(number));
        return QJsonValue(number);
    }
    case Editor::List: {
        QJsonArray items;
        for (const QString &item : text.split(u',')) {
            if (!item.trimmed().isEmpty())
                items.append(item.trimmed());
        }
        return items.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(items);
    }
    default:
        return text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text);
    }
}

} // namespace

FormField::FormField(FieldSpec spec, QWidget *parent)
    : QWidget(parent)
    , m_spec(std::move(spec))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_label = new QLabel(m_spec.label, this);
    m_label->setToolTip(m_spec.help);

    switch (m_spec.editor) {
    case Editor::Boolean:
        m_check = new QCheckBox(this);
        m_check->setToolTip(m_spec.help);
        m_check->setAccessibleName(m_spec.label);
        layout->addWidget(m_check);
        connect(m_check, &QCheckBox::clicked, this, [this](bool checked) {
            Q_EMIT edited(m_spec.pointer, QJsonValue(checked));
        });
        break;
    case Editor::Choice:
        m_combo = new QComboBox(this);
        m_combo->setToolTip(m_spec.help);
        m_combo->setAccessibleName(m_spec.label);
        for (const auto &[value, text] : std::as_const(m_spec.choices))
            m_combo->addItem(text, value);
        layout->addWidget(m_combo);
        connect(m_combo, &QComboBox::activated, this, [this](int index) {
            const QString value = m_combo->itemData(index).toString();
            Q_EMIT edited(m_spec.pointer, value.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(value));
        });
        break;
    default:
        m_line = new QLineEdit(this);
        m_line->setPlaceholderText(m_spec.placeholder);
        m_line->setToolTip(m_spec.help);
        m_line->setAccessibleName(m_spec.label);
        m_line->setClearButtonEnabled(m_spec.editor != Editor::Secret);
        layout->addWidget(m_line);
        if (m_spec.editor == Editor::Secret) {
            m_line->setEchoMode(QLineEdit::Password);
            // Nothing typed here reaches the document: only a keychain reference does.
            m_line->setPlaceholderText(tr("Typed here, kept in the OS keychain"));
            connect(m_line, &QLineEdit::returnPressed, this, [this] {
                if (!m_line->text().isEmpty())
                    Q_EMIT secretEntered(m_spec.pointer, m_line->text());
            });
            connect(m_line, &QLineEdit::editingFinished, this, [this] {
                if (!m_line->text().isEmpty() && !m_line->hasFocus())
                    Q_EMIT secretEntered(m_spec.pointer, m_line->text());
            });
            m_secretStatus = new QLabel(this);
            m_secretStatus->setWordWrap(true);
            m_secretStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
            m_secretStatus->hide();
            layout->addWidget(m_secretStatus);
        } else {
            connect(m_line, &QLineEdit::textEdited, this, &FormField::onTextEdited);
        }
        m_label->setBuddy(m_line);
        break;
    }

    m_message = new QLabel(this);
    m_message->setObjectName(u"fieldError"_s);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(u"color: #c62828;"_s);
    m_message->hide();
    layout->addWidget(m_message);
}

FormField::~FormField() = default;

QWidget *FormField::editor() const
{
    if (m_line)
        return m_line;
    if (m_combo)
        return m_combo;
    return m_check;
}

void FormField::onTextEdited(const QString &text)
{
    m_ownError = check(text);
    bool ok = false;
    const QJsonValue value = parseText(m_spec, text, &ok);
    updateMessage();
    // A number that does not parse yet stays in the field with its message; the document
    // keeps its last good value.
    if (ok)
        Q_EMIT edited(m_spec.pointer, value);
}

QString FormField::check(const QString &text) const
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return m_spec.required ? tr("Required") : QString();
    switch (m_spec.editor) {
    case Editor::Integer: {
        bool ok = false;
        const qint64 number = QLocale::c().toLongLong(trimmed, &ok);
        if (!ok)
            return tr("Must be a whole number");
        if (number < m_spec.minimum || number > m_spec.maximum)
            return tr("Must be from %1 to %2").arg(qint64(m_spec.minimum)).arg(qint64(m_spec.maximum));
        return {};
    }
    case Editor::Number: {
        bool ok = false;
        const double number = QLocale::c().toDouble(trimmed, &ok);
        if (!ok)
            return tr("Must be a number");
        if (number < m_spec.minimum || number > m_spec.maximum)
            return tr("Must be from %1 to %2").arg(m_spec.minimum).arg(m_spec.maximum);
        return {};
    }
    case Editor::Url: {
        const QUrl url(text, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        const QString example = m_spec.schemes.value(0, u"https"_s);
        if (text != trimmed)
            return tr("A URL has no spaces before or after it");
        if (scheme.isEmpty())
            return tr("Not a URL: it must start with a scheme such as %1:").arg(example);
        if (!url.isValid())
            return tr("Not a valid URL: %1").arg(url.errorString());
        if (!m_spec.schemes.isEmpty() && !m_spec.schemes.contains(scheme))
            return tr("Needs a %1 URL, not %2:").arg(m_spec.schemes.join(u", "_s), scheme);
        const bool needsHost = scheme == u"http"_s || scheme == u"https"_s || scheme == u"amqp"_s
                               || scheme == u"amqps"_s || scheme == u"postgresql"_s || scheme == u"postgres"_s
                               || scheme == u"mysql"_s || scheme == u"mariadb"_s;
        if (needsHost && url.host().isEmpty())
            return tr("The URL names no host");
        return {};
    }
    default:
        return {};
    }
}

QString FormField::textOf(const QJsonValue &value) const
{
    if (value.isArray()) {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(item.isString() ? item.toString() : QString::number(item.toDouble(), 'g', 15));
        return items.join(u", "_s);
    }
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::floor(number) == number && std::abs(number) < 9e15)
            return QString::number(qint64(number));
        return QString::number(number, 'g', 15);
    }
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    return value.toString();
}

void FormField::setValue(const QJsonValue &value)
{
    if (m_check) {
        const bool checked = value.isBool() ? value.toBool() : m_spec.defaultOn;
        if (m_check->isChecked() != checked)
            m_check->setChecked(checked);
        return;
    }
    if (m_combo) {
        const QString text = value.isUndefined() ? QString() : textOf(value);
        int index = m_combo->findData(text);
        if (index < 0 && !text.isEmpty()) {
            // A value the form does not offer (written by hand): show it as it is.
            m_combo->addItem(text, text);
            index = m_combo->count() - 1;
        }
        if (index < 0)
            index = 0;
        if (m_combo->currentIndex() != index)
            m_combo->setCurrentIndex(index);
        return;
    }
    if (m_spec.editor == Editor::Secret) {
        const QString name = value.toObject().value(u"secret"_s).toString();
        m_line->setPlaceholderText(name.isEmpty() ? tr("Typed here, kept in the OS keychain")
                                                  : tr("•••••••• (in the keychain)"));
        if (value.isString())
            m_secretNote = tr("The document holds this credential as plain text: type it here to move it into "
                              "the OS keychain");
        else
            m_secretNote = name.isEmpty() ? QString() : tr("Keychain item: %1").arg(name);
        showSecretStatus();
        return;
    }
    const QString text = textOf(value);
    bool ok = false;
    const QJsonValue typed = parseText(m_spec, m_line->text(), &ok);
    // While the user types, the document follows the field: leave text and cursor alone.
    if (m_line->hasFocus() && ok && typed == value)
        return;
    if (m_line->text() != text)
        m_line->setText(text);
    m_ownError = check(m_line->text());
    updateMessage();
}

void FormField::setDocumentErrors(const QStringList &errors)
{
    if (errors == m_documentErrors)
        return;
    m_documentErrors = errors;
    updateMessage();
}

QString FormField::errorText() const
{
    if (!m_ownError.isEmpty())
        return m_ownError;
    return m_documentErrors.join(u'\n');
}

void FormField::updateMessage()
{
    const QString text = errorText();
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    if (QWidget *e = editor())
        e->setProperty("hasError", !text.isEmpty());
}

void FormField::setSecretStatus(const QString &text, bool isError)
{
    m_keychainError = isError ? text : QString();
    if (!isError && !text.isEmpty())
        m_secretNote = text;
    showSecretStatus();
}

void FormField::showSecretStatus()
{
    if (!m_secretStatus)
        return;
    const bool isError = !m_keychainError.isEmpty();
    const QString text = isError ? m_keychainError : m_secretNote;
    m_secretStatus->setText(text);
    m_secretStatus->setStyleSheet(isError ? u"color: #c62828;"_s : QString());
    m_secretStatus->setVisible(!text.isEmpty());
}

QString FormField::secretStatus() const
{
    return m_secretStatus ? m_secretStatus->text() : QString();
}

QString FormField::typedText() const
{
    return m_line ? m_line->text() : QString();
}

void FormField::clearTypedText()
{
    if (m_line)
        m_line->clear();
}

} // namespace Conflux::Ui::Endpoint
