#pragma once

#include <QHash>
#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Conflux::Ui {

// The small form of one rule: its type, target and the options of that type. Each
// finished edit emits ruleEdited() with the whole new rule (members the form does not
// know, such as "description", are kept). Changing the type converts what it can: a
// copy's source becomes the first field of a concatenation, any rule becomes its JSONata
// when it turns into an expression.
class RuleForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RuleForm)

public:
    explicit RuleForm(QWidget *parent = nullptr);
    ~RuleForm() override;

    // Shows `rule`; an empty object shows "no rule selected". Fields being edited keep
    // their text.
    void setRule(const QJsonObject &rule);
    QJsonObject rule() const { return m_rule; }

    static QJsonObject convert(const QJsonObject &rule, const QString &type);

    QLineEdit *editor(const QString &key) const;
    QComboBox *typeBox() const { return m_type; }

Q_SIGNALS:
    void ruleEdited(const QJsonObject &rule);
    void openExpressionRequested();

private:
    QLineEdit *addLine(const QString &key, const QString &label, const QString &placeholder = {});
    QWidget *addBranch(const QString &key, const QString &label);
    void showRowsFor(const QString &type);
    void edited();
    QJsonObject collect() const;

    QFormLayout *m_form = nullptr;
    QLabel *m_empty = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_operator = nullptr;
    QComboBox *m_thenKind = nullptr;
    QComboBox *m_elseKind = nullptr;
    QCheckBox *m_required = nullptr;
    QPushButton *m_open = nullptr;
    QHash<QString, QLineEdit *> m_lines;
    QHash<QString, QWidget *> m_rows;
    QJsonObject m_rule;
    bool m_updating = false;
};

} // namespace Conflux::Ui
