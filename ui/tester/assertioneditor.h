#pragma once

#include "tester/assertions.h"
#include "tester/collection.h"

#include <QWidget>

class QPushButton;
class QTableWidget;

namespace Conflux::Ui {

// A request's assertions, one row each: what is checked (status, a header, a JSONata
// expression on the body, the response time), its subject and condition, the expected
// value, and — after a send — whether it passed and why not.
class AssertionEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AssertionEditor)

public:
    explicit AssertionEditor(QWidget *parent = nullptr);
    ~AssertionEditor() override;

    void setAssertions(const QList<Tester::Assertion> &assertions);
    QList<Tester::Assertion> assertions() const { return m_assertions; }
    // The outcome of the last send, in the order of the assertions; empty clears it.
    void setResults(const QList<Tester::AssertionResult> &results);

    void addAssertion(Tester::Assertion::Type type);
    void removeCurrent();

    QTableWidget *table() const { return m_table; }
    enum Column { TypeColumn, SubjectColumn, ConditionColumn, ExpectedColumn, ResultColumn };

Q_SIGNALS:
    void edited(const QString &what);

private:
    void rebuild();
    void fillRow(int row);
    void store(int row, const QString &what);

    QList<Tester::Assertion> m_assertions;
    QList<Tester::AssertionResult> m_results;
    QTableWidget *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    bool m_updating = false;
};

} // namespace Conflux::Ui
