#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Conflux::Ui {

// The validation checks (required, type, pattern, range, enum) of one target field,
// edited in place. Works on indexes into the document's "validation" array and says each
// change through a signal; the designer writes it.
class ValidationForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ValidationForm)

public:
    explicit ValidationForm(QWidget *parent = nullptr);
    ~ValidationForm() override;

    void setField(const QString &field, const QJsonArray &validation);
    QString field() const { return m_field; }
    QListWidget *list() const { return m_list; }
    QLineEdit *editor(const QString &key) const;
    QComboBox *ruleBox() const { return m_rule; }
    void selectCheck(int documentIndex);
    void removeCurrent();

    static QString describe(const QJsonObject &check);

Q_SIGNALS:
    void checkAdded(const QJsonObject &check);
    void checkEdited(int index, const QJsonObject &check);
    void checkRemoved(int index);

private:
    void showCheck();
    void edited();
    int currentIndex() const;

    QString m_field;
    QJsonArray m_validation;
    QList<int> m_indexes;        // document indexes of the listed checks
    QLabel *m_title = nullptr;
    QListWidget *m_list = nullptr;
    QFormLayout *m_form = nullptr;
    QComboBox *m_rule = nullptr;
    QComboBox *m_type = nullptr;
    QHash<QString, QLineEdit *> m_lines;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    bool m_updating = false;
};

} // namespace Conflux::Ui
