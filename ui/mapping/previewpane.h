#pragma once

#include "previewengine.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace Conflux::Ui {

// The live preview: the sample input on the left (only its beginning when it is large)
// and the mapped records on the right, each target field with its value and, next to it,
// the violations of that field.
class PreviewPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewPane)

public:
    explicit PreviewPane(QWidget *parent = nullptr);
    ~PreviewPane() override;

    void setLoading(const QString &what);
    void setSample(const std::shared_ptr<const SampleData> &sample);
    void setResult(const PreviewResult &result);

    QPlainTextEdit *input() const { return m_input; }
    QTreeWidget *output() const { return m_output; }
    QLabel *inputInfo() const { return m_inputInfo; }
    QLabel *outputInfo() const { return m_outputInfo; }

Q_SIGNALS:
    void openSampleRequested();
    void pastedSample(const QByteArray &text);

private:
    QPlainTextEdit *m_input = nullptr;
    QTreeWidget *m_output = nullptr;
    QLabel *m_inputInfo = nullptr;
    QLabel *m_outputInfo = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_usePasted = nullptr;
};

} // namespace Conflux::Ui
