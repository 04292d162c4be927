#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace Conflux::Ui::Endpoint {

// A table over an array of objects in the document (a REST endpoint's resources, a SOAP
// endpoint's entities): one row per object, one column per member shown. Members the table
// does not show are kept as they are, so richer settings written in the JSON view survive
// an edit here. List columns are typed comma-separated. Problems at the array's pointer
// (or below it) show under the table.
class ArrayEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArrayEditor)

public:
    struct Column
    {
        QString member;
        QString label;
        bool isList = false;
    };

    ArrayEditor(QString pointer, QList<Column> columns, const QString &addText, QWidget *parent = nullptr);
    ~ArrayEditor() override;

    QString pointer() const { return m_pointer; }
    QTableWidget *table() const { return m_table; }
    void setItems(const QJsonArray &items);
    QJsonArray items() const;
    void setErrors(const QStringList &errors);
    QString errorText() const;

Q_SIGNALS:
    void edited(const QString &pointer, const QJsonArray &items);

private:
    void addRow(const QJsonObject &item);

    QString m_pointer;
    QList<Column> m_columns;
    QTableWidget *m_table = nullptr;
    QLabel *m_errors = nullptr;
    QJsonArray m_items;   // as last shown or edited: the members the table does not show
    bool m_updating = false;
};

} // namespace Conflux::Ui::Endpoint
