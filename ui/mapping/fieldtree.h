#pragma once

#include "mappingfields.h"

#include <QHash>
#include <QSet>
#include <QTreeWidget>

namespace Conflux::Ui {

// The source or target fields of a mapping as a tree (name and type). Rebuilding keeps
// what the user expanded, collapsed and selected. Each item carries its dotted path.
class FieldTree final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FieldTree)

public:
    explicit FieldTree(QWidget *parent = nullptr);
    ~FieldTree() override;

    void setFields(const MappingFields::Fields &fields);
    const MappingFields::Fields &fields() const { return m_fields; }

    QTreeWidgetItem *itemForPath(const QString &path) const;
    static QString pathOf(const QTreeWidgetItem *item);
    QString currentPath() const;
    void setCurrentPath(const QString &path);

    // The row that shows `path` in viewport coordinates: the field's own row, or that of
    // its nearest collapsed ancestor, which carries its children's lines. Null when the
    // field is not in the tree.
    QRect anchorRect(const QString &path) const;

    // Fields that rules set or read (shown bold) and problems per field (an icon and a
    // tooltip); a collapsed parent shows its children's problems too.
    void setMapped(const QSet<QString> &paths);
    void setProblems(const QHash<QString, QStringList> &problems);
    QStringList problemsOf(const QString &path) const { return m_problems.value(path); }

    // Shown in the empty tree: where its fields would come from.
    void setPlaceholderText(const QString &text);

Q_SIGNALS:
    void geometryOfRowsChanged();

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void decorate();

    MappingFields::Fields m_fields;
    QHash<QString, QTreeWidgetItem *> m_items;
    QSet<QString> m_collapsed;        // paths the user collapsed (everything starts expanded)
    QSet<QString> m_mapped;
    QHash<QString, QStringList> m_problems;
    QString m_placeholder;
};

} // namespace Conflux::Ui
