// The mapping designer driven through its real widgets (offscreen) over a JsonEditor of
// the sample project's shop-order-to-erp mapping: field trees, dragging a source field
// onto a target field, lines and their selection, rule forms (arithmetic and condition
// included), the JSONata editor, the live preview with violations, checks, keyboard,
// undo/redo through the text, and a 10 MB sample read without stalling the event loop.
// The Source and Target rows (fields from a discovered endpoint) are tested in
// tst_mappingdesigner_endpoints.cpp, with the same fixture (tst_mappingdesigner.h).

#include "tst_mappingdesigner.h"

#include "fieldtree.h"
#include "jsonataeditor.h"
#include "mappingcanvas.h"
#include "previewpane.h"
#include "ruleform.h"
#include "validationform.h"

#include <QAbstractItemView>
#include <QClipboard>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QCompleter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextLayout>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;
using namespace MappingDesignerTest;

void TestMappingDesigner::initTestCase()
{
    QDir().mkpath(QStringLiteral(CONFLUX_TEST_ARTIFACTS));
    m_loader = std::make_shared<Model::ProjectLoader>();
}

void TestMappingDesigner::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = QDir(m_dir->path()).filePath(u"order-hub"_s);
    QVERIFY(QDir().mkpath(m_project));
    QVERIFY(copySample(m_project));
    QVERIFY(open());
}

void TestMappingDesigner::cleanup()
{
    m_window.reset();
    m_dir.reset();
}

bool TestMappingDesigner::open()
{
    if (!openDocument(QDir(m_project).filePath(mappingFile)))
        return false;
    // The sample of the document is read in the background; its fields fill the source tree.
    return QTest::qWaitFor([this] { return m_designer->sample() && m_designer->sourceTree()->itemForPath(u"status"_s); }, 20000)
        && waitForPreview();
}

bool TestMappingDesigner::openDocument(const QString &file)
{
    m_window = std::make_unique<QWidget>();
    m_editor = new Ui::JsonEditor(file, m_loader);
    m_editor->load(readAll(file));
    Ui::DesignerContext context;
    context.projectFolder = m_project;
    context.loader = m_loader;
    m_designer = new Ui::MappingDesigner(m_editor, context);
    return showDesignerWindow(m_window.get(), m_designer, m_editor, QSize(1500, 950));
}

void TestMappingDesigner::drag(const QString &sourcePath, QWidget *dropOn, const QPoint &dropAt)
{
    Ui::FieldTree *source = m_designer->sourceTree();
    QTreeWidgetItem *item = source->itemForPath(sourcePath);
    QVERIFY2(item, qPrintable(sourcePath));
    source->scrollToItem(item);
    const QPoint start = source->visualItemRect(item).center();
    QTest::mousePress(source->viewport(), Qt::LeftButton, {}, start);
    QTest::mouseMove(source->viewport(), start + QPoint(30, 0));
    QTest::mouseMove(m_designer->canvas(), m_designer->canvas()->rect().center());
    QTest::mouseMove(dropOn, dropAt);
    QTest::mouseRelease(dropOn, Qt::LeftButton, {}, dropAt);
}

void TestMappingDesigner::treesAndLines()
{
    // Source fields inferred from source.samples (through record_path "orders"), with types.
    Ui::FieldTree *source = m_designer->sourceTree();
    QTreeWidgetItem *email = source->itemForPath(u"customer.email"_s);
    QVERIFY(email);
    QCOMPARE(email->text(0), u"email"_s);
    QVERIFY2(email->text(1).startsWith(u"string"_s), qPrintable(email->text(1)));
    QVERIFY(email->text(1).contains(u"email"_s));   // the inferred format
    QTreeWidgetItem *items = source->itemForPath(u"line_items"_s);
    QVERIFY(items);
    QVERIFY2(items->text(1).contains(u"array of object"_s), qPrintable(items->text(1)));
    QVERIFY(source->itemForPath(u"line_items.quantity"_s));
    QCOMPARE(source->itemForPath(u"line_items.quantity"_s)->text(1), u"integer"_s);

    // Target fields: every rule's target; one line per rule source, boxes for non-copies.
    Ui::FieldTree *target = m_designer->targetTree();
    for (const QString &t : {u"order_number"_s, u"customer_name"_s, u"contact"_s, u"status"_s})
        QVERIFY2(target->itemForPath(t), qPrintable(t));
    const QList<Ui::MappingCanvas::Link> links = m_designer->canvas()->links();
    QCOMPARE(links.size(), 10);
    QCOMPARE(links.at(3).sources, QStringList({u"customer.contact.first"_s, u"customer.contact.last"_s}));
    QVERIFY(links.at(0).label.isEmpty());
    // An expression's line comes from the fields it reads: $sum(line_items.(quantity * price)).
    QCOMPARE(links.at(7).sources, QStringList{u"line_items"_s});
    QVERIFY(!links.at(2).label.isEmpty());
    // The concatenation's two lines end at the rows of its fields.
    const QList<QPolygonF> lines = m_designer->canvas()->pathsOf(links.at(3));
    QCOMPARE(lines.size(), 3);   // two sources into the box, the box to the target
    const QPoint first = m_designer->canvas()->sourceAnchor(u"customer.contact.first"_s);
    QCOMPARE(lines.at(0).first().toPoint(), first);
    QVERIFY(m_designer->canvas()->sourceAnchor(u"customer.contact.last"_s).y() > first.y());
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-lines.png"_s)));
}

void TestMappingDesigner::dragSourceOntoTargetCreatesRule()
{
    // Onto an existing target field: the rule of "status" (a constant) becomes a copy.
    Ui::FieldTree *target = m_designer->targetTree();
    QTreeWidgetItem *status = target->itemForPath(u"status"_s);
    drag(u"status"_s, target->viewport(), target->visualItemRect(status).center());
    QJsonObject rule = ruleOf(documentNow(), u"status"_s);
    QCOMPARE(rule.value(u"type"_s).toString(), u"field_mapping"_s);
    QCOMPARE(rule.value(u"source"_s).toString(), u"status"_s);
    QCOMPARE(m_designer->selectedRule(), 9);

    // Below the last target field: a new target named like the source field.
    const QPoint empty(target->viewport()->width() / 2, target->viewport()->height() - 5);
    QVERIFY(!target->itemAt(empty));
    drag(u"line_items.sku"_s, target->viewport(), empty);
    rule = ruleOf(documentNow(), u"sku"_s);
    QCOMPARE(rule, json("{'type':'field_mapping','source':'line_items.sku','target':'sku'}"));
    QTRY_VERIFY(target->itemForPath(u"sku"_s));
    QCOMPARE(m_designer->canvas()->links().size(), 11);
    QCOMPARE(m_designer->selectedRule(), 10);

    // Dropped outside the target tree: nothing changes.
    const QByteArray before = m_editor->text();
    drag(u"currency"_s, m_designer->canvas(), m_designer->canvas()->rect().center());
    QCOMPARE(m_editor->text(), before);
    // What was written is valid against the schema.
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());
}

void TestMappingDesigner::clickLineSelectsRuleAndDeleteRemovesIt()
{
    Ui::MappingCanvas *canvas = m_designer->canvas();
    const Ui::MappingCanvas::Link link = canvas->links().at(1);   // customer.id → customer_id
    const QPolygonF line = canvas->pathsOf(link).first();
    // A point of the line that no other line passes closer to (lines cross).
    QPoint onLine;
    for (const QPointF &p : line) {
        if (p.x() > 4 && canvas->ruleAt(p.toPoint()) == 1) {
            onLine = p.toPoint();
            break;
        }
    }
    QVERIFY(!onLine.isNull());
    QTest::mouseClick(canvas, Qt::LeftButton, {}, onLine);
    QCOMPARE(m_designer->selectedRule(), 1);
    QCOMPARE(m_designer->sourceTree()->currentPath(), u"customer.id"_s);
    QCOMPARE(m_designer->targetTree()->currentPath(), u"customer_id"_s);
    QCOMPARE(m_designer->ruleForm()->editor(u"source"_s)->text(), u"customer.id"_s);

    // A box selects too.
    const QRect box = canvas->boxRect(canvas->links().at(2));
    QVERIFY(!box.isNull());
    QTest::mouseClick(canvas, Qt::LeftButton, {}, box.center());
    QCOMPARE(m_designer->selectedRule(), 2);
    // A double click opens the rule as JSONata.
    QTest::mouseDClick(canvas, Qt::LeftButton, {}, box.center());
    QCOMPARE(m_designer->expressionEditor()->toPlainText(), u"$uppercase(customer.name)"_s);
    QVERIFY(m_designer->expressionEditor()->isVisible());
    QTest::mouseClick(canvas, Qt::LeftButton, {}, onLine);
    QCOMPARE(m_designer->selectedRule(), 1);

    canvas->setFocus();
    QTest::keyClick(canvas, Qt::Key_Delete);
    const QJsonObject document = documentNow();
    QCOMPARE(document.value(u"rules"_s).toArray().size(), 9);
    QVERIFY(ruleOf(document, u"customer_id"_s).isEmpty());
    QCOMPARE(canvas->links().size(), 9);
    QCOMPARE(m_designer->selectedRule(), -1);
    // Clicking empty canvas selects nothing.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, QPoint(canvas->width() / 2, canvas->height() - 3));
    QCOMPARE(m_designer->selectedRule(), -1);
}

void TestMappingDesigner::collapsedParentCarriesChildrensLines()
{
    Ui::FieldTree *source = m_designer->sourceTree();
    Ui::MappingCanvas *canvas = m_designer->canvas();
    QTreeWidgetItem *customer = source->itemForPath(u"customer"_s);
    const int emailY = canvas->sourceAnchor(u"customer.email"_s).y();
    customer->setExpanded(false);
    const int customerY = canvas->sourceAnchor(u"customer"_s).y();
    QCOMPARE(canvas->sourceAnchor(u"customer.email"_s).y(), customerY);
    QCOMPARE(canvas->sourceAnchor(u"customer.contact.first"_s).y(), customerY);
    QVERIFY(emailY > customerY);
    // The collapse survives a re-read of the document (an edit elsewhere).
    m_designer->mapField(u"currency"_s, u"currency_code"_s);
    QVERIFY(!source->itemForPath(u"customer"_s)->isExpanded());
    source->itemForPath(u"customer"_s)->setExpanded(true);
    QCOMPARE(canvas->sourceAnchor(u"customer.email"_s).y(), emailY);

    // Scrolling moves the lines with the rows.
    source->setFixedHeight(120);
    QTest::qWait(0);
    source->verticalScrollBar()->setValue(0);
    const int before = canvas->sourceAnchor(u"created_at"_s).y();
    source->verticalScrollBar()->setValue(1);
    QVERIFY(canvas->sourceAnchor(u"created_at"_s).y() < before);
    source->setMinimumHeight(0);
    source->setMaximumHeight(QWIDGETSIZE_MAX);
}

void TestMappingDesigner::ruleFormsEditInPlace()
{
    Ui::RuleForm *form = m_designer->ruleForm();
    // uppercase: change its source in place.
    m_designer->selectRule(2);
    QLineEdit *sourceLine = form->editor(u"source"_s);
    QVERIFY(sourceLine->isVisible());
    QVERIFY(!form->editor(u"test"_s)->isVisible());
    sourceLine->setFocus();
    sourceLine->selectAll();
    QTest::keyClicks(sourceLine, u"customer.contact.last"_s);
    QTest::keyClick(sourceLine, Qt::Key_Return);
    QCOMPARE(ruleOf(documentNow(), u"customer_name"_s),
             json("{'type':'uppercase','source':'customer.contact.last','target':'customer_name'}"));

    // currency (a copy with a default) becomes arithmetic, by keyboard on the type box.
    const int currency = m_designer->ruleForTarget(u"currency"_s);
    m_designer->selectRule(currency);
    QComboBox *type = form->typeBox();
    type->setFocus();
    while (type->currentData().toString() != u"arithmetic")
        QTest::keyClick(type, Qt::Key_Down);
    QCOMPARE(ruleOf(documentNow(), u"currency"_s),
             json("{'type':'arithmetic','left':'currency','operator':'+','right':0,'target':'currency','default':'EUR'}"));
    QLineEdit *left = form->editor(u"left"_s);
    QVERIFY(left->isVisible());
    left->setFocus();
    left->selectAll();
    QTest::keyClicks(left, u"line_items.quantity"_s);
    QTest::keyClick(left, Qt::Key_Tab);   // leaving the field finishes the edit
    QComboBox *op = form->findChild<QComboBox *>(u"ruleOperator"_s);
    op->setFocus();
    QTest::keyClick(op, Qt::Key_Down);
    QTest::keyClick(op, Qt::Key_Down);
    QLineEdit *right = form->editor(u"right"_s);
    right->setFocus();
    right->selectAll();
    QTest::keyClicks(right, u"2.5"_s);
    QTest::keyClick(right, Qt::Key_Return);
    QCOMPARE(ruleOf(documentNow(), u"currency"_s),
             json("{'type':'arithmetic','left':'line_items.quantity','operator':'*','right':2.5,'target':'currency','default':'EUR'}"));

    // status (a constant) becomes a condition; its constant is the then branch.
    m_designer->selectRule(m_designer->ruleForTarget(u"status"_s));
    type->setFocus();
    while (type->currentData().toString() != u"condition")
        QTest::keyClick(type, Qt::Key_Down);
    QComboBox *thenKind = form->findChild<QComboBox *>(u"rule_then_kind"_s);
    thenKind->setFocus();
    QTest::keyClick(thenKind, Qt::Key_Down);   // a value instead of a field
    QLineEdit *then = form->editor(u"then"_s);
    then->setFocus();
    then->selectAll();
    QTest::keyClicks(then, u"NEW"_s);
    QTest::keyClick(then, Qt::Key_Return);
    QLineEdit *test = form->editor(u"test"_s);
    test->setFocus();
    test->selectAll();
    QTest::keyClicks(test, u"$count(line_items) > 5"_s);
    QTest::keyClick(test, Qt::Key_Return);
    QLineEdit *otherwise = form->editor(u"else"_s);
    otherwise->setFocus();
    QTest::keyClicks(otherwise, u"status"_s);
    QTest::keyClick(otherwise, Qt::Key_Return);
    QCOMPARE(ruleOf(documentNow(), u"status"_s),
             json("{'type':'condition','test':'$count(line_items) > 5','then':{'value':'NEW'},'else':{'field':'status'},'target':'status'}"));
    // The canvas draws lines from the else field and from what the test reads.
    QCOMPARE(m_designer->canvas()->links().at(9).sources, QStringList({u"status"_s, u"line_items"_s}));
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());

    // The preview runs both: the quantities are an array, which * refuses (T2001, a
    // violation of that field only), and the condition takes its else branch.
    QVERIFY(waitForPreview());
    QTreeWidget *output = m_designer->preview()->output();
    QVERIFY2(outputItem(output, 0, u"currency"_s)->text(2).contains(u"T2001"_s),
             qPrintable(outputItem(output, 0, u"currency"_s)->text(2)));
    QCOMPARE(outputItem(output, 0, u"status"_s)->text(1), u"\"paid\""_s);
}

void TestMappingDesigner::expressionEditor()
{
    m_designer->selectRule(2);   // customer_name: $uppercase(customer.name)
    m_designer->targetTree()->setFocus();
    QTest::keyClick(m_designer->targetTree(), Qt::Key_E, Qt::ControlModifier);
    Ui::JsonataEditor *editor = m_designer->expressionEditor();
    QCOMPARE(editor->toPlainText(), u"$uppercase(customer.name)"_s);
    QVERIFY(!editor->hasError());

    editor->clear();
    editor->setFocus();
    QTest::keyClicks(editor, u"$uppe"_s);
    QAbstractItemView *popup = editor->completer()->popup();
    QVERIFY(popup->isVisible());
    QCOMPARE(popup->currentIndex().data().toString(), u"$uppercase"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QCOMPARE(editor->toPlainText(), u"$uppercase()"_s);
    QTest::keyClicks(editor, u"customer.na"_s);
    QVERIFY(popup->isVisible());
    QCOMPARE(popup->currentIndex().data().toString(), u"customer.name"_s);
    QTest::keyClick(editor, Qt::Key_Tab);
    QCOMPARE(editor->toPlainText(), u"$uppercase(customer.name)"_s);
    QTest::keyClick(editor, Qt::Key_End);
    QTest::keyClicks(editor, u" & \"-\" & 42 +"_s);
    editor->check();

    // Highlighting: the function, the string and the number each have their format.
    const QList<QTextLayout::FormatRange> formats = editor->document()->firstBlock().layout()->formats();
    auto formatAt = [&formats](int position) {
        for (const QTextLayout::FormatRange &range : formats) {
            if (position >= range.start && position < range.start + range.length)
                return range.format;
        }
        return QTextCharFormat();
    };
    const QString text = editor->toPlainText();
    QCOMPARE(formatAt(1).fontWeight(), int(QFont::Bold));
    const QColor function = formatAt(1).foreground().color();
    const QColor string = formatAt(int(text.indexOf(u'"'))).foreground().color();
    const QColor number = formatAt(int(text.indexOf(u"42"_s))).foreground().color();
    QVERIFY(formatAt(1).hasProperty(QTextFormat::ForegroundBrush));
    QVERIFY(function != string && string != number && function != number);

    // The error: at the end, underlined, with its message as tooltip and status.
    QVERIFY(editor->hasError());
    QVERIFY2(editor->errorOffset() >= text.size() - 1, qPrintable(QString::number(editor->errorOffset())));
    const QList<QTextEdit::ExtraSelection> selections = editor->extraSelections();
    QCOMPARE(selections.size(), 1);
    QCOMPARE(selections.first().format.underlineStyle(), QTextCharFormat::WaveUnderline);
    QCOMPARE(selections.first().cursor.selectionEnd(), int(text.size()));
    QVERIFY(editor->viewport()->toolTip().contains(editor->errorMessage()));
    QCOMPARE(m_designer->expressionStatus()->text(), editor->errorMessage());
    QVERIFY2(editor->errorMessage().startsWith(u"S0"_s), qPrintable(editor->errorMessage()));
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-expression-error.png"_s)));
    QVERIFY(editor->grab().scaled(editor->size() * 2).save(artifact(u"mappingdesigner-expression-editor.png"_s)));

    // Accepting is refused while the text does not compile; the document is unchanged.
    const QByteArray before = m_editor->text();
    QVERIFY(!m_designer->acceptExpression());
    QCOMPARE(m_editor->text(), before);
    QTest::keyClick(editor, Qt::Key_Backspace);
    QTest::keyClick(editor, Qt::Key_Backspace);
    editor->check();
    QVERIFY(!editor->hasError());
    QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(ruleOf(documentNow(), u"customer_name"_s),
             json("{'type':'expression','expression':'$uppercase(customer.name) & \\'-\\' & 42','target':'customer_name'}"));
    QVERIFY(waitForPreview());
    QCOMPARE(outputItem(m_designer->preview()->output(), 0, u"customer_name"_s)->text(1), u"\"MUSTER GMBH-42\""_s);
}

void TestMappingDesigner::previewShowsOutputAndViolations()
{
    QTreeWidget *output = m_designer->preview()->output();
    QCOMPARE(output->topLevelItemCount(), 1);
    QCOMPARE(outputItem(output, 0, u"order_number"_s)->text(1), u"\"SO-1001\""_s);
    QCOMPARE(outputItem(output, 0, u"contact"_s)->text(1), u"\"Anna Berg\""_s);
    QCOMPARE(outputItem(output, 0, u"country"_s)->text(1), u"\"Germany\""_s);   // tables/countries.csv
    QCOMPARE(outputItem(output, 0, u"total_amount"_s)->text(1), u"159"_s);
    QVERIFY(outputItem(output, 0, u"order_number"_s)->text(2).isEmpty());

    // A check added from the target tree's side form: order numbers must start with X.
    m_designer->targetTree()->setCurrentPath(u"order_number"_s);
    Ui::ValidationForm *checks = m_designer->validationForm();
    QCOMPARE(checks->field(), u"order_number"_s);
    m_designer->sidePanel()->setCurrentWidget(checks);
    QTest::mouseClick(checks->findChild<QPushButton *>(), Qt::LeftButton);
    QJsonArray validation = documentNow().value(u"validation"_s).toArray();
    QCOMPARE(validation.last().toObject(), json("{'field':'order_number','rule':'required'}"));
    QCOMPARE(checks->list()->count(), 1);
    checks->ruleBox()->setFocus();
    QTest::keyClick(checks->ruleBox(), Qt::Key_Down);
    QTest::keyClick(checks->ruleBox(), Qt::Key_Down);
    QCOMPARE(checks->ruleBox()->currentData().toString(), u"pattern"_s);
    QLineEdit *pattern = checks->editor(u"pattern"_s);
    QVERIFY(pattern->isVisible());
    pattern->setFocus();
    pattern->selectAll();
    QTest::keyClicks(pattern, u"^X-"_s);
    QTest::keyClick(pattern, Qt::Key_Return);
    validation = documentNow().value(u"validation"_s).toArray();
    QCOMPARE(validation.last().toObject(), json("{'field':'order_number','rule':'pattern','pattern':'^X-'}"));
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());

    // The violation next to the field in the output, and on the target tree.
    QVERIFY(waitForPreview());
    QTreeWidgetItem *orderNumber = outputItem(output, 0, u"order_number"_s);
    QVERIFY2(orderNumber->text(2).contains(u"does not match ^X-"_s), qPrintable(orderNumber->text(2)));
    QVERIFY(!orderNumber->icon(2).isNull());
    QTreeWidgetItem *target = m_designer->targetTree()->itemForPath(u"order_number"_s);
    QVERIFY(!target->icon(0).isNull());
    QVERIFY(target->toolTip(0).contains(u"pattern"_s));
    QCOMPARE(m_designer->preview()->outputInfo()->text(), u"Mapped the first 1 of 1 records; records with problems: 1"_s);
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-preview-violations.png"_s)));

    // Delete in the list of checks removes the check, not the field's rule; that clears the mark.
    const int rules = int(documentNow().value(u"rules"_s).toArray().size());
    checks->list()->setFocus();
    QTest::keyClick(checks->list(), Qt::Key_Delete);
    QCOMPARE(documentNow().value(u"validation"_s).toArray().size(), 4);
    QCOMPARE(documentNow().value(u"rules"_s).toArray().size(), rules);
    QVERIFY(waitForPreview());
    QVERIFY(m_designer->targetTree()->itemForPath(u"order_number"_s)->icon(0).isNull());
}

void TestMappingDesigner::keyboardAddsOpensAndDeletes()
{
    Ui::FieldTree *source = m_designer->sourceTree();
    Ui::FieldTree *target = m_designer->targetTree();
    // Insert with a source field current and no target: a copy to a field of that name.
    target->setCurrentItem(nullptr);
    source->setFocus();
    source->setCurrentPath(u"created_at"_s);
    QTest::keyClick(source, Qt::Key_Insert);
    QCOMPARE(ruleOf(documentNow(), u"created_at"_s),
             json("{'type':'field_mapping','source':'created_at','target':'created_at'}"));
    const int added = m_designer->selectedRule();
    QCOMPARE(added, 10);

    // Tab moves from the source tree on towards the target tree.
    QTest::keyClick(source, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(m_designer->canvas()));
    QTest::keyClick(m_designer->canvas(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), static_cast<QWidget *>(target));

    // Arrows move between target fields and select their rules; Ctrl+N on a mapped field
    // selects its rule instead of adding a second one.
    target->setCurrentPath(u"order_number"_s);
    QTest::keyClick(target, Qt::Key_Down);
    QCOMPARE(target->currentPath(), u"customer_id"_s);
    QCOMPARE(m_designer->selectedRule(), 1);
    QTest::keyClick(target, Qt::Key_N, Qt::ControlModifier);
    QCOMPARE(documentNow().value(u"rules"_s).toArray().size(), 11);
    QCOMPARE(m_designer->selectedRule(), 1);

    QTest::keyClick(target, Qt::Key_Delete);
    QCOMPARE(documentNow().value(u"rules"_s).toArray().size(), 10);
    QVERIFY(ruleOf(documentNow(), u"customer_id"_s).isEmpty());
    // A target field known only from its rule goes with the rule.
    QVERIFY(!target->itemForPath(u"customer_id"_s));
}

void TestMappingDesigner::targetContextMenuAddsACheck()
{
    Ui::FieldTree *target = m_designer->targetTree();
    const QPoint at = target->visualItemRect(target->itemForPath(u"contact"_s)).center();
    QStringList offered;
    // The menu runs its own event loop: choose from it once it is open.
    QTimer::singleShot(0, this, [&offered] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (QAction *action : menu->actions())
            offered.append(action->text());
        for (QAction *action : menu->actions()) {
            if (action->menu() && action->text() == u"Add check") {
                for (QAction *check : action->menu()->actions()) {
                    if (check->text() == u"range")
                        check->trigger();
                }
            }
        }
        menu->close();
    });
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, target->viewport()->mapToGlobal(at));
    QApplication::sendEvent(target->viewport(), &event);
    QCOMPARE(offered, QStringList({u"Show rule"_s, u"Open as JSONata"_s, u"Delete rule"_s, u"Add check"_s}));
    QCOMPARE(documentNow().value(u"validation"_s).toArray().last().toObject(),
             json("{'field':'contact','rule':'range','min':0}"));
    // The Checks tab shows it, ready to edit: a minimum length of 3.
    Ui::ValidationForm *checks = m_designer->validationForm();
    QCOMPARE(m_designer->sidePanel()->currentWidget(), static_cast<QWidget *>(checks));
    QCOMPARE(checks->field(), u"contact"_s);
    QLineEdit *min = checks->editor(u"min"_s);
    QVERIFY(min->isVisible());
    min->setFocus();
    min->selectAll();
    QTest::keyClicks(min, u"30"_s);
    QTest::keyClick(min, Qt::Key_Return);
    QCOMPARE(documentNow().value(u"validation"_s).toArray().last().toObject(),
             json("{'field':'contact','rule':'range','min':30}"));
    QVERIFY(waitForPreview());
    QVERIFY2(outputItem(m_designer->preview()->output(), 0, u"contact"_s)->text(2).contains(u"below the minimum 30"_s),
             qPrintable(outputItem(m_designer->preview()->output(), 0, u"contact"_s)->text(2)));
}

void TestMappingDesigner::schemasGiveTheTrees()
{
    // Typed into the JSON view: source and target schemas.
    QJsonObject document = documentNow();
    QJsonObject source = document.value(u"source"_s).toObject();
    source.insert(u"schema"_s, json("{'type':'object','required':['no'],'properties':{'no':{'type':'string'},"
                                    "'buyer':{'type':'object','properties':{'mail':{'type':'string','format':'email'}}},"
                                    "'lines':{'type':'array','items':{'type':'object','properties':{'qty':{'type':'integer'}}}}}}"));
    document.insert(u"source"_s, source);
    QJsonObject target = document.value(u"target"_s).toObject();
    target.insert(u"schema"_s, json("{'type':'object','properties':{'order_number':{'type':'string'},"
                                    "'priority':{'type':['integer','null']},'note':{'type':'string'}}}"));
    document.insert(u"target"_s, target);
    m_editor->replaceText(QJsonDocument(document).toJson());
    QTRY_VERIFY(m_designer->sourceTree()->itemForPath(u"buyer.mail"_s));

    Ui::FieldTree *sourceTree = m_designer->sourceTree();
    QCOMPARE(sourceTree->itemForPath(u"buyer.mail"_s)->text(1), u"string (email)"_s);
    QCOMPARE(sourceTree->itemForPath(u"lines.qty"_s)->text(1), u"integer"_s);
    QVERIFY(sourceTree->itemForPath(u"no"_s)->toolTip(0).contains(u"required"_s));
    // The sample's fields are not shown when there is a schema; fields rules read still are.
    QVERIFY(!sourceTree->itemForPath(u"status"_s));
    QVERIFY(sourceTree->itemForPath(u"customer.email"_s));
    Ui::FieldTree *targetTree = m_designer->targetTree();
    QCOMPARE(targetTree->itemForPath(u"priority"_s)->text(1), u"integer | null"_s);
    QVERIFY(targetTree->itemForPath(u"customer_name"_s));   // from its rule

    // Insert on an unmapped target field: a copy of the current source field...
    targetTree->setFocus();
    targetTree->setCurrentPath(u"note"_s);
    sourceTree->setCurrentPath(u"buyer.mail"_s);
    QTest::keyClick(targetTree, Qt::Key_Insert);
    QCOMPARE(ruleOf(documentNow(), u"note"_s), json("{'type':'field_mapping','source':'buyer.mail','target':'note'}"));
    // ...or, with no source field current, a constant to fill in.
    sourceTree->setCurrentItem(nullptr);
    targetTree->setCurrentPath(u"priority"_s);
    QTest::keyClick(targetTree, Qt::Key_N, Qt::ControlModifier);
    QCOMPARE(ruleOf(documentNow(), u"priority"_s), json("{'type':'default_value','value':'','target':'priority'}"));
    QCOMPARE(m_designer->ruleForm()->editor(u"value"_s)->isVisible(), true);

    // Up and Down on the canvas walk through the rules.
    m_designer->canvas()->setFocus();
    m_designer->selectRule(0);
    QTest::keyClick(m_designer->canvas(), Qt::Key_Down);
    QCOMPARE(m_designer->selectedRule(), 1);
    QTest::keyClick(m_designer->canvas(), Qt::Key_Up);
    QTest::keyClick(m_designer->canvas(), Qt::Key_Up);
    QCOMPARE(m_designer->selectedRule(), 0);
    QCOMPARE(targetTree->currentPath(), u"order_number"_s);
}

void TestMappingDesigner::undoRedoKeepsViewState()
{
    Ui::FieldTree *source = m_designer->sourceTree();
    source->itemForPath(u"line_items"_s)->setExpanded(false);
    const QByteArray original = m_editor->text();
    Ui::FieldTree *target = m_designer->targetTree();
    drag(u"customer.country"_s, target->viewport(), target->visualItemRect(target->itemForPath(u"customer_id"_s)).center());
    const QByteArray mapped = m_editor->text();
    QCOMPARE(ruleOf(json(mapped), u"customer_id"_s).value(u"source"_s).toString(), u"customer.country"_s);
    // Only the changed line differs: the text stays canonical.
    QCOMPARE(changedLines(original, mapped), 1);

    target->setFocus();
    QTest::keyClick(target, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_editor->text(), original);
    QCOMPARE(m_designer->canvas()->links().at(1).sources, QStringList{u"customer.id"_s});
    QVERIFY(!source->itemForPath(u"line_items"_s)->isExpanded());
    QCOMPARE(target->currentPath(), u"customer_id"_s);

    // Redo by the platform's key (Ctrl+Shift+Z on Linux desktops; offscreen has Ctrl+Y too).
    const QKeyCombination redo = QKeySequence(QKeySequence::Redo)[0];
    QTest::keyClick(target, redo.key(), redo.keyboardModifiers());
    QCOMPARE(m_editor->text(), mapped);
    QCOMPARE(m_designer->canvas()->links().at(1).sources, QStringList{u"customer.country"_s});
    QVERIFY(!source->itemForPath(u"line_items"_s)->isExpanded());
}

void TestMappingDesigner::unreadableTextDisablesEditing()
{
    // The selection follows its rule when the JSON view moves it.
    m_designer->selectRule(3);   // contact
    QJsonObject document = documentNow();
    QJsonArray rules = document.value(u"rules"_s).toArray();
    rules.prepend(rules.takeAt(rules.size() - 1));
    document.insert(u"rules"_s, rules);
    m_editor->replaceText(QJsonDocument(document).toJson());
    QTRY_COMPARE(m_designer->selectedRule(), 4);
    QCOMPARE(m_designer->ruleForm()->editor(u"target"_s)->text(), u"contact"_s);
    m_editor->undo();
    QTRY_COMPARE(m_designer->selectedRule(), 3);

    QTextCursor cursor(m_editor->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(u"{ broken"_s);
    QTRY_VERIFY(!m_designer->hasDocument());
    QVERIFY(!m_designer->findChild<QWidget *>(u"mappingPanes"_s)->isEnabled());
    QVERIFY(m_designer->statusLabel()->text().contains(u"line"_s));
    // Edits are refused while the text is broken.
    m_designer->mapField(u"status"_s, u"x"_s);
    QVERIFY(m_editor->text().endsWith("{ broken"));
    m_editor->undo();
    QTRY_VERIFY(m_designer->hasDocument());
    QVERIFY(m_designer->findChild<QWidget *>(u"mappingPanes"_s)->isEnabled());
    QCOMPARE(m_designer->canvas()->links().size(), 10);
}

void TestMappingDesigner::largeSampleKeepsUiResponsive()
{
    // About 10 MB of orders in a file of the project.
    const QString path = QDir(m_project).filePath(u"samples/orders-10mb.json"_s);
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray chunk = "{\"orders\":[";
        int n = 0;
        while (chunk.size() < 10 * 1024 * 1024) {
            if (n > 0)
                chunk += ',';
            chunk += QStringLiteral("{'id':'SO-%1','created_at':'2026-11-20T09:15:00Z','currency':'%2',"
                                    "'customer':{'id':'C-%1','name':'Kunde %1 GmbH','contact':{'first':'Anna','last':'Berg'},"
                                    "'country':'DE','email':'%3'},'line_items':[{'price':19.5,'quantity':2,'sku':'A-1'},"
                                    "{'price':120,'quantity':1,'sku':'B-7'}],'status':'paid','note':'%4'}")
                         .arg(n)
                         .arg(n % 7 == 1 ? u"GBP"_s : u"EUR"_s)
                         .arg(n % 5 == 1 ? u"no-address"_s : u"buyer%1@example.com"_s.arg(n))
                         .arg(QString(40, u'x'))
                         .toUtf8()
                         .replace('\'', '"');
            ++n;
        }
        chunk += "]}";
        QVERIFY(file.write(chunk) == chunk.size());
    }

    int turns = 0;
    QTimer ticker;
    ticker.setInterval(0);
    connect(&ticker, &QTimer::timeout, this, [&turns] { ++turns; });
    ticker.start();
    m_designer->loadSampleFile(path);
    QVERIFY(QTest::qWaitFor([this, &path] {
        return m_designer->sample() && m_designer->sample()->file == path && m_designer->isPreviewCurrent();
    }, 120000));
    ticker.stop();
    // The event loop kept turning while the worker read and mapped the sample (were the
    // sample read on the UI thread, the wait would end at its first turn).
    qInfo("event loop turns while the 10 MB sample was read and mapped: %d", turns);
    QVERIFY2(turns >= 3, qPrintable(QString::number(turns)));

    // Only the beginning is shown, and the view says so; the document holds only the path.
    Ui::PreviewPane *preview = m_designer->preview();
    QVERIFY(preview->input()->toPlainText().size() <= Ui::PreviewEngine::headBytes);
    QVERIFY(preview->input()->isReadOnly());
    QVERIFY2(preview->inputInfo()->text().contains(u"showing the first"_s), qPrintable(preview->inputInfo()->text()));
    QVERIFY(m_editor->text().size() < 10000);
    QCOMPARE(documentNow().value(u"x-designer"_s).toObject().value(u"sample"_s).toString(),
             u"samples/orders-10mb.json"_s);
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());

    // The first records are previewed; record 2 breaks the e-mail pattern and the
    // currency enum, next to those fields.
    QTreeWidget *output = preview->output();
    QCOMPARE(output->topLevelItemCount(), Ui::PreviewEngine::previewRecords);
    QVERIFY(m_designer->sample()->recordCount > 20000);
    QVERIFY2(preview->outputInfo()->text().startsWith(u"Mapped the first 20 of 2"_s), qPrintable(preview->outputInfo()->text()));
    QCOMPARE(outputItem(output, 1, u"order_number"_s)->text(1), u"\"SO-1\""_s);
    QVERIFY(outputItem(output, 1, u"contact_email"_s)->text(2).contains(u"not an e-mail address"_s));
    QVERIFY(outputItem(output, 1, u"currency"_s)->text(2).contains(u"enum"_s));
    QVERIFY(outputItem(output, 0, u"currency"_s)->text(2).isEmpty());

    // An edit recomputes on the parsed sample, off the UI thread as well.
    turns = 0;
    ticker.start();
    m_designer->mapField(u"note"_s, u"note"_s);
    QVERIFY(waitForPreview());
    ticker.stop();
    QVERIFY(turns > 0);
    QCOMPARE(outputItem(output, 0, u"note"_s)->text(1), u"\"%1\""_s.arg(QString(40, u'x')));

    // Reopened, the designer reads the same file again from x-designer.sample.
    QVERIFY(m_editor->text().contains("samples/orders-10mb.json"));
}

void TestMappingDesigner::badSampleSaysWhyAndKeepsTheOldOne()
{
    const QString path = QDir(m_project).filePath(u"broken.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"orders\": [\n  {\"id\": 1,}\n]}");
    file.close();
    const auto before = m_designer->sample();
    m_designer->loadSampleFile(path);
    QTRY_VERIFY(m_designer->statusLabel()->text().contains(u"broken.json"_s));
    QVERIFY2(m_designer->statusLabel()->text().contains(u"line 2"_s), qPrintable(m_designer->statusLabel()->text()));
    // The previous sample stays in use: its fields and its preview.
    QCOMPARE(m_designer->sample(), before);
    QVERIFY(m_designer->sourceTree()->itemForPath(u"customer.email"_s));
    QCOMPARE(m_designer->preview()->output()->topLevelItemCount(), 1);
    // And the designer keeps working.
    m_designer->mapField(u"status"_s, u"state"_s);
    QCOMPARE(ruleOf(documentNow(), u"state"_s).value(u"source"_s).toString(), u"status"_s);
}

void TestMappingDesigner::badRulesAreShownNotFatal()
{
    // A rule that is no object, one of an unknown type, one whose expression does not
    // compile, and a sample file that does not exist: all said, nothing crashes.
    QJsonObject document = documentNow();
    QJsonArray rules = document.value(u"rules"_s).toArray();
    rules.append(42);
    rules.append(json("{'type':'explode','target':'boom','source':'id'}"));
    document.insert(u"rules"_s, rules);
    document.insert(u"x-designer"_s, json("{'sample':'samples/missing.json'}"));
    m_editor->replaceText(QJsonDocument(document).toJson());
    QTRY_VERIFY(m_designer->targetTree()->itemForPath(u"boom"_s));
    QTRY_VERIFY(m_designer->statusLabel()->text().contains(u"missing.json"_s));
    QVERIFY(waitForPreview());
    const QString why = m_designer->preview()->outputInfo()->text();
    QVERIFY2(why.contains(u"/rules/10"_s), qPrintable(why));
    // The bad rules can be selected and fixed in the form.
    m_designer->selectRule(11);
    QCOMPARE(m_designer->ruleForm()->editor(u"target"_s)->text(), u"boom"_s);
    m_designer->selectRule(10);
    QCOMPARE(m_designer->selectedRule(), 10);
    m_designer->canvas()->setFocus();
    QTest::keyClick(m_designer->canvas(), Qt::Key_Delete);
    QCOMPARE(documentNow().value(u"rules"_s).toArray().size(), 11);
}

void TestMappingDesigner::pastedSampleGoesToTheDocument()
{
    Ui::PreviewPane *preview = m_designer->preview();
    QPlainTextEdit *input = preview->input();
    QPushButton *use = preview->findChild<QPushButton *>(u"usePasted"_s);

    // A small JSON sample is kept in source.samples, as JSON.
    input->setFocus();
    input->selectAll();
    QApplication::clipboard()->setText(u"{\"orders\": [{\"id\": \"SO-7\", \"currency\": \"USD\"},\n"
                                       "{\"id\": \"SO-8\", \"currency\": \"XXX\", \"priority\": 2}]}"_s);
    QTest::keyClick(input, Qt::Key_V, Qt::ControlModifier);
    QTest::mouseClick(use, Qt::LeftButton);
    QJsonArray samples = documentNow().value(u"source"_s).toObject().value(u"samples"_s).toArray();
    QCOMPARE(samples.size(), 1);
    QCOMPARE(samples.first().toObject().value(u"orders"_s).toArray().size(), 2);
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());
    QVERIFY(QTest::qWaitFor([this] { return m_designer->sample() && m_designer->sample()->recordCount == 2; }, 20000));
    QVERIFY(waitForPreview());
    // Its fields replace the old sample's; the preview maps it.
    QVERIFY(m_designer->sourceTree()->itemForPath(u"priority"_s));
    QVERIFY(!m_designer->sourceTree()->itemForPath(u"line_items"_s));
    QTreeWidget *output = preview->output();
    QCOMPARE(output->topLevelItemCount(), 2);
    QCOMPARE(outputItem(output, 1, u"order_number"_s)->text(1), u"\"SO-8\""_s);
    QVERIFY(outputItem(output, 1, u"currency"_s)->text(2).contains(u"enum"_s));

    // XML is kept as text and read as XML; its records are found by record_path.
    input->setFocus();
    input->selectAll();
    QApplication::clipboard()->setText(u"<shop><orders><id>X-1</id><currency>EUR</currency></orders></shop>"_s);
    QTest::keyClick(input, Qt::Key_V, Qt::ControlModifier);
    QTest::mouseClick(use, Qt::LeftButton);
    samples = documentNow().value(u"source"_s).toObject().value(u"samples"_s).toArray();
    QVERIFY(samples.first().toString().startsWith(u"<shop>"_s));
    // The XML document is {"shop": {...}}: record_path "orders" finds nothing there, and
    // the preview says so rather than guessing.
    QVERIFY(QTest::qWaitFor([this] { return m_designer->sample() && m_designer->sample()->document[u"shop"].isObject(); }, 20000));
    QVERIFY(waitForPreview());
    QVERIFY2(preview->outputInfo()->text().startsWith(u"Mapped the first 0 of 0 records"_s), qPrintable(preview->outputInfo()->text()));

    // Text that is no sample at all: the error, and the JSON sample stays in use.
    input->setFocus();
    input->selectAll();
    QApplication::clipboard()->setText(u"{\"orders\": [1, 2,"_s);
    QTest::keyClick(input, Qt::Key_V, Qt::ControlModifier);
    QTest::mouseClick(use, Qt::LeftButton);
    QVERIFY2(m_designer->statusLabel()->text().contains(u"line 1"_s), qPrintable(m_designer->statusLabel()->text()));
    QVERIFY(preview->inputInfo()->text().contains(u"cannot be read"_s));
    QVERIFY(documentNow().value(u"source"_s).toObject().value(u"samples"_s).toArray().first().toString().startsWith(u"<shop>"_s));
    QVERIFY(m_designer->sample()->document[u"shop"].isObject());
}

void TestMappingDesigner::newMappingFromScratch()
{
    // A mapping with nothing yet: no schema, no sample, no rules.
    const QString file = QDir(m_project).filePath(u"mappings/new-map.json"_s);
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("{\n  \"kind\": \"Mapping\",\n  \"schemaVersion\": 2,\n  \"id\": \"new-map\",\n"
              "  \"name\": \"New map\",\n  \"rules\": []\n}\n");
    out.close();
    QVERIFY(openDocument(file));
    QTRY_VERIFY(m_designer->hasDocument());
    QCOMPARE(m_designer->sourceTree()->topLevelItemCount(), 0);
    QCOMPARE(m_designer->targetTree()->topLevelItemCount(), 0);
    QVERIFY(waitForPreview());
    QVERIFY(m_designer->preview()->outputInfo()->text().startsWith(u"No sample yet"_s));
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-empty.png"_s)));

    // Paste a sample; drag its first field into the empty target tree.
    Ui::PreviewPane *preview = m_designer->preview();
    preview->input()->setFocus();
    QApplication::clipboard()->setText(u"[{\"sku\": \"A-1\", \"qty\": 2}, {\"sku\": \"B-7\"}]"_s);
    QTest::keyClick(preview->input(), Qt::Key_V, Qt::ControlModifier);
    QTest::mouseClick(preview->findChild<QPushButton *>(u"usePasted"_s), Qt::LeftButton);
    QTRY_VERIFY(m_designer->sourceTree()->itemForPath(u"qty"_s));
    QVERIFY(m_designer->sourceTree()->itemForPath(u"qty"_s)->toolTip(0).contains(u"qty"_s));
    Ui::FieldTree *target = m_designer->targetTree();
    drag(u"sku"_s, target->viewport(), QPoint(40, 20));
    drag(u"qty"_s, target->viewport(), QPoint(40, target->viewport()->height() - 10));
    const QJsonArray rules = documentNow().value(u"rules"_s).toArray();
    QCOMPARE(rules.size(), 2);
    QCOMPARE(rules.at(1).toObject(), json("{'type':'field_mapping','source':'qty','target':'qty'}"));
    QVERIFY(m_loader->validateDocument(u"mappings/new-map.json"_s, m_editor->text()).isEmpty());
    QVERIFY(waitForPreview());
    QCOMPARE(preview->output()->topLevelItemCount(), 2);
    QCOMPARE(outputItem(preview->output(), 1, u"sku"_s)->text(1), u"\"B-7\""_s);
    QVERIFY(!outputItem(preview->output(), 1, u"qty"_s));
}

QTEST_MAIN(TestMappingDesigner)
