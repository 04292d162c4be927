#pragma once

#include <QPointer>
#include <QPolygonF>
#include <QStringList>
#include <QWidget>

namespace Conflux::Ui {

class FieldTree;

// The strip between the source and target trees: one line per source field of each rule
// to its target field, through a small box naming the rule when it is more than a copy.
// Lines follow the trees' scrolling and expansion (a collapsed parent's row carries its
// children's lines; a row scrolled away pins its line to the edge). Clicking a line or
// box selects its rule.
class MappingCanvas final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MappingCanvas)

public:
    struct Link
    {
        int rule = -1;
        QStringList sources;
        QString target;
        QString label;      // empty: a plain copy, drawn without a box
    };

    MappingCanvas(FieldTree *sourceTree, FieldTree *targetTree, QWidget *parent = nullptr);
    ~MappingCanvas() override;

    void setLinks(const QList<Link> &links);
    const QList<Link> &links() const { return m_links; }
    void setSelectedRule(int rule);
    int selectedRule() const { return m_selected; }

    // Geometry in canvas coordinates, for hit tests and for tests.
    QPoint sourceAnchor(const QString &path) const;
    QPoint targetAnchor(const QString &path) const;
    QRect boxRect(const Link &link) const;
    QList<QPolygonF> pathsOf(const Link &link) const;
    int ruleAt(const QPoint &point) const;

    // The line being dragged from a source field, in canvas coordinates; null to stop.
    void setDragLine(const QPoint &from, const QPoint &to);

    QSize sizeHint() const override { return {220, 200}; }
    QSize minimumSizeHint() const override { return {120, 60}; }

Q_SIGNALS:
    void ruleClicked(int rule);
    void ruleDoubleClicked(int rule);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    QPoint anchor(const FieldTree *tree, const QString &path, bool right) const;
    QFont boxFont() const;

    QPointer<FieldTree> m_sourceTree;
    QPointer<FieldTree> m_targetTree;
    QList<Link> m_links;
    int m_selected = -1;
    QPoint m_dragFrom, m_dragTo;
};

} // namespace Conflux::Ui
