#include "mappingcanvas.h"

#include "fieldtree.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

QPainterPath curve(const QPointF &from, const QPointF &to)
{
    QPainterPath path(from);
    const qreal dx = (to.x() - from.x()) / 2;
    path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return path;
}

QPolygonF sampled(const QPainterPath &path)
{
    QPolygonF points;
    for (int i = 0; i <= 24; ++i)
        points.append(path.pointAtPercent(i / 24.0));
    return points;
}

qreal distanceToSegment(const QPointF &p, const QPointF &a, const QPointF &b)
{
    const QPointF ab = b - a;
    const qreal length2 = QPointF::dotProduct(ab, ab);
    const qreal t = length2 > 0 ? qBound(0.0, QPointF::dotProduct(p - a, ab) / length2, 1.0) : 0.0;
    const QPointF nearest = a + t * ab;
    return std::hypot(p.x() - nearest.x(), p.y() - nearest.y());
}

} // namespace

MappingCanvas::MappingCanvas(FieldTree *sourceTree, FieldTree *targetTree, QWidget *parent)
    : QWidget(parent)
    , m_sourceTree(sourceTree)
    , m_targetTree(targetTree)
{
    setObjectName(u"mappingCanvas"_s);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Drag a source field onto a target field to map it; click a line to select its rule."));
}

MappingCanvas::~MappingCanvas() = default;

void MappingCanvas::setLinks(const QList<Link> &links)
{
    m_links = links;
    update();
}

void MappingCanvas::setSelectedRule(int rule)
{
    if (rule == m_selected)
        return;
    m_selected = rule;
    update();
}

void MappingCanvas::setDragLine(const QPoint &from, const QPoint &to)
{
    m_dragFrom = from;
    m_dragTo = to;
    update();
}

QPoint MappingCanvas::anchor(const FieldTree *tree, const QString &path, bool right) const
{
    if (!tree)
        return {};
    const QRect row = tree->anchorRect(path);
    if (row.isNull())
        return {};
    const QWidget *viewport = tree->viewport();
    // Rows scrolled out of sight pin their line to the viewport's edge.
    const int y = qBound(0, row.center().y(), viewport->height() - 1);
    const QPoint global = viewport->mapToGlobal(QPoint(0, y));
    return QPoint(right ? width() - 1 : 0, mapFromGlobal(global).y());
}

QPoint MappingCanvas::sourceAnchor(const QString &path) const
{
    return anchor(m_sourceTree, path, false);
}

QPoint MappingCanvas::targetAnchor(const QString &path) const
{
    return anchor(m_targetTree, path, true);
}

QFont MappingCanvas::boxFont() const
{
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    return small;
}

QRect MappingCanvas::boxRect(const Link &link) const
{
    if (link.label.isEmpty())
        return {};
    const QPoint target = targetAnchor(link.target);
    if (target.isNull())
        return {};
    // On the target's row, as high as the row: the boxes of different targets never overlap.
    const int rowHeight = m_targetTree ? m_targetTree->anchorRect(link.target).height() : 0;
    const QFontMetrics metrics(boxFont());
    const int w = qMin(width() / 2, metrics.horizontalAdvance(link.label) + 14);
    const int h = qMax(10, qMin(metrics.height() + 4, rowHeight - 2));
    const int right = width() - qMax(14, width() / 8);
    return QRect(right - w, target.y() - h / 2, w, h);
}

QList<QPolygonF> MappingCanvas::pathsOf(const Link &link) const
{
    QList<QPolygonF> out;
    const QPoint target = targetAnchor(link.target);
    if (target.isNull())
        return out;
    const QRect box = boxRect(link);
    const QPointF into = box.isNull() ? QPointF(target) : QPointF(box.left(), box.center().y());
    for (const QString &source : link.sources) {
        const QPoint s = sourceAnchor(source);
        if (!s.isNull())
            out.append(sampled(curve(s, into)));
    }
    if (!box.isNull())
        out.append(sampled(curve(QPointF(box.right(), box.center().y()), target)));
    return out;
}

int MappingCanvas::ruleAt(const QPoint &point) const
{
    int best = -1;
    qreal bestDistance = 5.0;   // pixels a click may miss a line by
    for (const Link &link : m_links) {
        if (boxRect(link).adjusted(-2, -2, 2, 2).contains(point))
            return link.rule;
        for (const QPolygonF &line : pathsOf(link)) {
            for (qsizetype i = 1; i < line.size(); ++i) {
                const qreal d = distanceToSegment(point, line[i - 1], line[i]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = link.rule;
                }
            }
        }
    }
    return best;
}

void MappingCanvas::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor lineColor(0x3a, 0x6e, 0xa5);
    const QColor selectedColor(0xe0, 0x6c, 0x00);

    auto drawLink = [&](const Link &link) {
        const bool selected = link.rule == m_selected;
        QPen pen(selected ? selectedColor : lineColor, selected ? 2.5 : 1.4);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        const QPoint target = targetAnchor(link.target);
        if (target.isNull())
            return;
        const QRect box = boxRect(link);
        const QPointF into = box.isNull() ? QPointF(target) : QPointF(box.left(), box.center().y());
        for (const QString &source : link.sources) {
            const QPoint s = sourceAnchor(source);
            if (s.isNull())
                continue;
            painter.drawPath(curve(s, into));
            painter.setBrush(pen.color());
            painter.drawEllipse(QPointF(s) + QPointF(2, 0), 2.5, 2.5);
            painter.setBrush(Qt::NoBrush);
        }
        if (!box.isNull()) {
            painter.drawPath(curve(QPointF(box.right(), box.center().y()), target));
            painter.setBrush(selected ? QColor(0xff, 0xf0, 0xdc) : QColor(0xe8, 0xf0, 0xfa));
            painter.drawRoundedRect(box, 4, 4);
            painter.setPen(palette().color(QPalette::Text));
            painter.setFont(boxFont());
            painter.drawText(box, Qt::AlignCenter, painter.fontMetrics().elidedText(link.label, Qt::ElideRight, box.width() - 4));
            painter.setFont(font());
        }
        painter.setPen(pen);
        painter.setBrush(pen.color());
        painter.drawEllipse(QPointF(target) - QPointF(2, 0), 2.5, 2.5);
    };
    // The selected rule last, so that it is drawn on top.
    for (const Link &link : m_links) {
        if (link.rule != m_selected)
            drawLink(link);
    }
    for (const Link &link : m_links) {
        if (link.rule == m_selected)
            drawLink(link);
    }
    if (!m_dragFrom.isNull()) {
        painter.setPen(QPen(selectedColor, 1.5, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(curve(m_dragFrom, m_dragTo));
    }
    if (m_links.isEmpty() && m_dragFrom.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Drag a source field onto a target field"));
    }
}

void MappingCanvas::keyPressEvent(QKeyEvent *event)
{
    // Up and Down walk through the rules, in document order.
    if ((event->key() == Qt::Key_Up || event->key() == Qt::Key_Down) && !m_links.isEmpty()) {
        qsizetype at = -1;
        for (qsizetype i = 0; i < m_links.size(); ++i) {
            if (m_links.at(i).rule == m_selected)
                at = i;
        }
        const qsizetype next = event->key() == Qt::Key_Down ? (at < 0 ? 0 : qMin(at + 1, m_links.size() - 1))
                                                            : (at < 0 ? m_links.size() - 1 : qMax<qsizetype>(at - 1, 0));
        Q_EMIT ruleClicked(m_links.at(next).rule);
        return;
    }
    QWidget::keyPressEvent(event);
}

void MappingCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int rule = ruleAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && rule >= 0)
        Q_EMIT ruleDoubleClicked(rule);
}

void MappingCanvas::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    Q_EMIT ruleClicked(ruleAt(event->position().toPoint()));
}

} // namespace Conflux::Ui
