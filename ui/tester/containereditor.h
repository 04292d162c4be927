#pragma once

#include "tester/collection.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace Conflux::Ui {

class AuthEditor;
class KeyValueTable;

// The settings of the collection itself or of one folder: its name, description and the
// authentication its requests inherit; a collection also has its variables.
class ContainerEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContainerEditor)

public:
    explicit ContainerEditor(QWidget *parent = nullptr);
    ~ContainerEditor() override;

    struct Settings
    {
        QString name;
        QString description;
        Tester::Auth auth;
        QList<Tester::KeyValue> variables;   // the collection's only
        friend bool operator==(const Settings &, const Settings &) = default;
    };

    // `isCollection`: the variables are shown and "inherit" is not offered.
    void setSettings(const Settings &settings, bool isCollection, const QString &summary);
    Settings settings() const { return m_settings; }
    void setInheritedAuthDescription(const QString &text);
    void setEndpointIds(const QStringList &ids);

    QLineEdit *nameEdit() const { return m_name; }
    KeyValueTable *variablesTable() const { return m_variables; }
    AuthEditor *authEditor() const { return m_auth; }

Q_SIGNALS:
    void edited(const QString &what);

private:
    Settings m_settings;
    QLabel *m_title = nullptr;
    QLabel *m_summary = nullptr;
    QLineEdit *m_name = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLabel *m_variablesLabel = nullptr;
    KeyValueTable *m_variables = nullptr;
    AuthEditor *m_auth = nullptr;
    bool m_updating = false;
};

} // namespace Conflux::Ui
