#include "assertioneditor.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

using Type = Tester::Assertion::Type;
using HeaderCheck = Tester::Assertion::HeaderCheck;

namespace {

QString typeLabel(Type type)
{
    switch (type) {
    case Type::Status:
        return AssertionEditor::tr("Status");
    case Type::Header:
        return AssertionEditor::tr("Header");
    case Type::Expression:
        return AssertionEditor::tr("Body (JSONata)");
    case Type::ResponseTime:
        return AssertionEditor::tr("Response time");
    }
    return {};
}

constexpr Type allTypes[] = {Type::Status, Type::Header, Type::Expression, Type::ResponseTime};

QString statusText(const QList<int> &statuses)
{
    QStringList parts;
    for (int s : statuses)
        parts.append(QString::number(s));
    return parts.join(u", "_s);
}

} // namespace

AssertionEditor::AssertionEditor(QWidget *parent)
    : QWidget(parent)
{
    m_table = new QTableWidget(0, 5);
    m_table->setObjectName(u"assertionTable"_s);
    m_table->setHorizontalHeaderLabels({tr("Check"), tr("Subject"), tr("Condition"), tr("Expected"), tr("Result")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(SubjectColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(ResultColumn, QHeaderView::Stretch);
    header->resizeSection(TypeColumn, 130);
    header->resizeSection(ConditionColumn, 110);
    header->resizeSection(ExpectedColumn, 110);

    m_add = new QPushButton(tr("&Add check"));
    m_add->setObjectName(u"addAssertion"_s);
    auto *menu = new QMenu(m_add);
    for (Type type : allTypes)
        menu->addAction(typeLabel(type), this, [this, type] { addAssertion(type); });
    m_add->setMenu(menu);
    m_remove = new QPushButton(tr("&Remove"));
    m_remove->setObjectName(u"removeAssertion"_s);
    connect(m_remove, &QPushButton::clicked, this, &AssertionEditor::removeCurrent);

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
    rebuild();
}

AssertionEditor::~AssertionEditor() = default;

void AssertionEditor::setAssertions(const QList<Tester::Assertion> &assertions)
{
    if (assertions == m_assertions)
        return;
    m_assertions = assertions;
    rebuild();
}

void AssertionEditor::setResults(const QList<Tester::AssertionResult> &results)
{
    m_results = results;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        auto *label = qobject_cast<QLabel *>(m_table->cellWidget(row, ResultColumn));
        if (!label)
            continue;
        if (row >= m_results.size()) {
            label->clear();
            continue;
        }
        const Tester::AssertionResult &result = m_results.at(row);
        label->setText(result.passed ? tr("✓ passed") : tr("✗ %1").arg(result.message));
        label->setToolTip(result.message);
        label->setStyleSheet(result.passed ? u"color: #1b7f3b"_s : u"color: #b3261e"_s);
    }
}

void AssertionEditor::addAssertion(Type type)
{
    Tester::Assertion assertion;
    assertion.type = type;
    switch (type) {
    case Type::Status:
        assertion.statuses = {200};
        break;
    case Type::Header:
        assertion.header = u"Content-Type"_s;
        break;
    case Type::Expression:
        assertion.expression = u"$exists(id)"_s;
        break;
    case Type::ResponseTime:
        assertion.belowMs = 1000;
        break;
    }
    m_assertions.append(assertion);
    m_results.clear();
    rebuild();
    m_table->setCurrentCell(int(m_assertions.size()) - 1, SubjectColumn);
    Q_EMIT edited(u"add"_s);
}

void AssertionEditor::removeCurrent()
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_assertions.size())
        return;
    m_assertions.removeAt(row);
    m_results.clear();
    rebuild();
    Q_EMIT edited(u"remove"_s);
}

void AssertionEditor::rebuild()
{
    m_updating = true;
    m_table->setRowCount(int(m_assertions.size()));
    for (int row = 0; row < m_assertions.size(); ++row)
        fillRow(row);
    m_remove->setEnabled(!m_assertions.isEmpty());
    setResults(m_results);
    m_updating = false;
}

void AssertionEditor::fillRow(int row)
{
    const Tester::Assertion &a = m_assertions.at(row);
    auto *type = new QComboBox;
    for (Type t : allTypes)
        type->addItem(typeLabel(t), int(t));
    type->setCurrentIndex(type->findData(int(a.type)));
    auto *subject = new QLineEdit;
    auto *condition = new QComboBox;
    auto *expected = new QLineEdit;
    switch (a.type) {
    case Type::Status:
        subject->setEnabled(false);
        subject->setPlaceholderText(tr("the status code"));
        condition->addItem(a.statuses.size() > 1 ? tr("is one of") : tr("is"));
        condition->setEnabled(false);
        expected->setText(statusText(a.statuses));
        expected->setPlaceholderText(tr("200, or 200, 202"));
        break;
    case Type::Header:
        subject->setText(a.header);
        subject->setPlaceholderText(tr("header name"));
        condition->addItem(tr("exists"), int(HeaderCheck::Exists));
        condition->addItem(tr("is absent"), int(HeaderCheck::Absent));
        condition->addItem(tr("equals"), int(HeaderCheck::Equals));
        condition->addItem(tr("matches"), int(HeaderCheck::Matches));
        condition->setCurrentIndex(condition->findData(int(a.headerCheck)));
        expected->setText(a.text);
        expected->setEnabled(a.headerCheck == HeaderCheck::Equals || a.headerCheck == HeaderCheck::Matches);
        expected->setPlaceholderText(a.headerCheck == HeaderCheck::Matches ? tr("regular expression") : tr("value"));
        break;
    case Type::Expression:
        subject->setText(a.expression);
        subject->setPlaceholderText(tr("JSONata on the body, e.g. total > 0"));
        condition->addItem(tr("is true"));
        condition->setEnabled(false);
        expected->setEnabled(false);
        break;
    case Type::ResponseTime:
        subject->setEnabled(false);
        subject->setPlaceholderText(tr("milliseconds"));
        condition->addItem(tr("below (ms)"));
        condition->setEnabled(false);
        expected->setText(QString::number(a.belowMs));
        break;
    }
    if (!a.name.isEmpty())
        subject->setToolTip(a.name);
    m_table->setCellWidget(row, TypeColumn, type);
    m_table->setCellWidget(row, SubjectColumn, subject);
    m_table->setCellWidget(row, ConditionColumn, condition);
    m_table->setCellWidget(row, ExpectedColumn, expected);
    m_table->setCellWidget(row, ResultColumn, new QLabel);

    connect(type, &QComboBox::activated, this, [this, row, type] {
        Tester::Assertion &a = m_assertions[row];
        const auto newType = Type(type->currentData().toInt());
        if (newType == a.type)
            return;
        Tester::Assertion fresh;
        fresh.type = newType;
        fresh.name = a.name;
        if (newType == Type::Status)
            fresh.statuses = {200};
        else if (newType == Type::ResponseTime)
            fresh.belowMs = 1000;
        a = fresh;
        // The row's widgets change with the type; rebuilt after this signal returns.
        QMetaObject::invokeMethod(this, [this] { rebuild(); }, Qt::QueuedConnection);
        Q_EMIT edited(u"%1/type"_s.arg(row));
    });
    connect(subject, &QLineEdit::textEdited, this, [this, row, subject](const QString &text) {
        Tester::Assertion &a = m_assertions[row];
        if (a.type == Type::Header)
            a.header = text;
        else if (a.type == Type::Expression)
            a.expression = text;
        subject->setStyleSheet(QString());
        store(row, u"subject"_s);
    });
    connect(condition, &QComboBox::activated, this, [this, row, condition, expected] {
        Tester::Assertion &a = m_assertions[row];
        if (a.type != Type::Header)
            return;
        a.headerCheck = HeaderCheck(condition->currentData().toInt());
        expected->setEnabled(a.headerCheck == HeaderCheck::Equals || a.headerCheck == HeaderCheck::Matches);
        store(row, u"condition"_s);
    });
    connect(expected, &QLineEdit::textEdited, this, [this, row, expected, condition](const QString &text) {
        Tester::Assertion &a = m_assertions[row];
        bool ok = true;
        if (a.type == Type::Status) {
            QList<int> statuses;
            for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
                const int status = part.trimmed().toInt(&ok);
                if (!ok || status < 100 || status > 599) {
                    ok = false;
                    break;
                }
                statuses.append(status);
            }
            ok = ok && !statuses.isEmpty();
            if (ok) {
                a.statuses = statuses;
                a.statusOneOf = statuses.size() > 1;
                condition->setItemText(0, a.statusOneOf ? tr("is one of") : tr("is"));
            }
        } else if (a.type == Type::ResponseTime) {
            const qint64 ms = text.trimmed().toLongLong(&ok);
            ok = ok && ms > 0;
            if (ok)
                a.belowMs = ms;
        } else {
            a.text = text;
        }
        // What cannot be a status list or a time is not stored; the field says so.
        expected->setStyleSheet(ok ? QString() : u"background: #fde7e9"_s);
        expected->setToolTip(ok ? QString()
                                : a.type == Type::Status ? tr("Status codes from 100 to 599, separated by commas")
                                                         : tr("A number of milliseconds above 0"));
        if (ok)
            store(row, u"expected"_s);
    });
}

void AssertionEditor::store(int row, const QString &what)
{
    if (m_updating)
        return;
    if (row < m_results.size()) {
        // The outcome shown was for the check as it was.
        m_results.clear();
        setResults({});
    }
    Q_EMIT edited(u"%1/%2"_s.arg(row).arg(what));
}

} // namespace Conflux::Ui
