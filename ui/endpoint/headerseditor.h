#pragma once

#include <QJsonObject>
#include <QWidget>

class QTableWidget;
class QPushButton;

namespace Conflux::Ui::Endpoint {

// The headers sent with every request (the document's "headers"): a name/value table.
// Values that are secret references ({"secret": name}) show the keychain item's name and
// are kept as references; they cannot be typed here as text.
class HeadersEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadersEditor)

public:
    explicit HeadersEditor(QWidget *parent = nullptr);
    ~HeadersEditor() override;

    QTableWidget *table() const { return m_table; }
    // Shows `headers`, unless a cell is being edited and the table already matches.
    void setHeaders(const QJsonObject &headers);
    QJsonObject headers() const;

Q_SIGNALS:
    void edited(const QJsonObject &headers);

private:
    void addRow(const QString &name, const QJsonValue &value);

    QTableWidget *m_table = nullptr;
    QPushButton *m_remove = nullptr;
    QJsonObject m_shown;
    bool m_updating = false;
};

} // namespace Conflux::Ui::Endpoint
