#pragma once

#include "bodyformat.h"

#include <QWidget>

#include <utility>

class QLabel;
class QTableWidget;
class QTabWidget;
class QToolButton;

namespace Conflux::Ui {

class CodeView;

// A response as the request tester shows it.
struct ResponseDisplay
{
    int status = 0;                                         // 0 when no response came
    QString reason;
    QList<std::pair<QByteArray, QByteArray>> headers;       // in the order received
    QByteArray body;
    qint64 elapsedMs = 0;
    QString error;                                          // why there is no response
};

// The response panel of the request tester: status (coloured by class), time and size on
// one line; the body pretty-printed with folding (JSON, XML) or raw; the headers as a
// table; and "Save body…", which writes the bytes as received.
class ResponseView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResponseView)

public:
    explicit ResponseView(QWidget *parent = nullptr);

    void setResponse(const ResponseDisplay &response);
    void setBusy(const QString &message);
    void clear();
    const ResponseDisplay &response() const { return m_response; }

    bool isPretty() const;
    void setPretty(bool pretty);
    // Writes the body to `path`; the error is for people.
    bool saveBody(const QString &path, QString *error = nullptr) const;

    CodeView *bodyView() const { return m_body; }
    QTableWidget *headersTable() const { return m_headers; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *timeLabel() const { return m_time; }
    QLabel *sizeLabel() const { return m_size; }

    static QString formatSize(qint64 bytes);

private:
    void showBody();
    void chooseSaveFile();

    ResponseDisplay m_response;
    BodyKind m_kind = BodyKind::Text;
    QLabel *m_status = nullptr;
    QLabel *m_time = nullptr;
    QLabel *m_size = nullptr;
    QLabel *m_note = nullptr;
    QTabWidget *m_tabs = nullptr;
    CodeView *m_body = nullptr;
    QTableWidget *m_headers = nullptr;
    QToolButton *m_pretty = nullptr;
    QToolButton *m_raw = nullptr;
    QToolButton *m_save = nullptr;
    QToolButton *m_foldAll = nullptr;
    QToolButton *m_unfoldAll = nullptr;
};

} // namespace Conflux::Ui
