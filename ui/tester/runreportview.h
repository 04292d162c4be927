#pragma once

#include "tester/runner.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Conflux::Ui {

// The report of a collection run: one row per request (passed or failed, status, time)
// with its checks and its error under it, a summary line, and the report saved as JUnit
// XML for CI. Rows fill in as the requests finish.
class RunReportView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunReportView)

public:
    explicit RunReportView(QWidget *parent = nullptr);
    ~RunReportView() override;

    void start(const QString &title, int requests);
    void addResult(const Tester::RequestResult &result);
    void finish(const Tester::RunReport &report);
    // The run could not start (no environment, no engine, ...).
    void abort(const QString &message);
    bool hasReport() const { return m_report.has_value(); }
    const std::optional<Tester::RunReport> &report() const { return m_report; }

    // Writes the report as JUnit XML; the error is for people.
    bool saveJUnit(const QString &path, QString *error = nullptr) const;

    QTreeWidget *tree() const { return m_tree; }
    QLabel *summaryLabel() const { return m_summary; }
    QPushButton *stopButton() const { return m_stop; }

Q_SIGNALS:
    // A request's row was activated: show its exchange.
    void resultActivated(const Conflux::Tester::RequestResult &result);
    void stopRequested();

private:
    void chooseJUnitFile();

    QLabel *m_summary = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_save = nullptr;
    QTreeWidget *m_tree = nullptr;
    QList<Tester::RequestResult> m_results;
    std::optional<Tester::RunReport> m_report;
    int m_expected = 0;
};

} // namespace Conflux::Ui
