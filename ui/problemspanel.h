#pragma once

#include "model/diagnostic.h"

#include <QDockWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;

namespace Conflux::Ui {

// The project's problems, one row each as `file:pointer: message`: every validation error
// of the documents (saved files and open buffers) and the cross-reference errors of the
// whole project, plus why the local engine did not start. Clicking a row (or Enter)
// emits problemActivated() so the window can show the place.
class ProblemsPanel final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProblemsPanel)

public:
    explicit ProblemsPanel(QWidget *parent = nullptr);

    void setDiagnostics(const Model::Diagnostics &diagnostics);
    void setEngineProblem(const QString &summary, const QStringList &details);
    void clearEngineProblem();

    int count() const;
    QStringList problems() const;   // the rows' texts, in order
    QListWidget *list() const { return m_list; }

Q_SIGNALS:
    void problemActivated(const Conflux::Model::Diagnostic &diagnostic);

private:
    void rebuild();
    void activate(QListWidgetItem *item);

    QListWidget *m_list = nullptr;
    QLabel *m_empty = nullptr;
    Model::Diagnostics m_diagnostics;
    QString m_engineSummary;
    QStringList m_engineDetails;
};

} // namespace Conflux::Ui
