// DocumentDesigner, the base of the studio's designers, and DocumentPage, the tab that
// holds a designer beside its JSON: a designer's edits are undoable edits of the text in
// canonical form, the designer follows edits made in the text (typing, undo, redo), a text
// that does not parse is reported instead of shown, and the page switches between the two.

#include "documentdesigner.h"
#include "documentpage.h"
#include "jsoneditor.h"
#include "model/jsontext.h"
#include "model/projectloader.h"

#include <QLineEdit>
#include <QSignalSpy>
#include <QTabBar>
#include <QTest>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using namespace Conflux;

namespace {

// The smallest real designer: the document's "name" in a line edit, written back when
// editing finishes.
class NameDesigner final : public Ui::DocumentDesigner
{
public:
    explicit NameDesigner(Ui::JsonEditor *source)
        : DocumentDesigner(source, {})
    {
        name = new QLineEdit(this);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(name);
        connect(name, &QLineEdit::editingFinished, this, [this] {
            QJsonObject changed = document();
            changed.insert(u"name"_s, name->text());
            commit(changed);
        });
    }

    QLineEdit *name = nullptr;
    int changes = 0;
    QString unreadable;

protected:
    void documentChanged(const QJsonObject &document) override
    {
        ++changes;
        unreadable.clear();
        name->setEnabled(true);
        name->setText(document.value(u"name"_s).toString());
    }
    void documentUnreadable(const QString &message) override
    {
        unreadable = message;
        name->setEnabled(false);
    }
};

const QByteArray endpointText = "{\n  \"kind\": \"Endpoint\",\n  \"schemaVersion\": 1,\n  \"id\": \"crm\",\n"
                                "  \"name\": \"CRM\",\n  \"type\": \"api\"\n}\n";

} // namespace

class TestDocumentDesigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void designerEditsAreUndoableCanonicalTextEdits();
    void designerFollowsTheText();
    void typingInOneFieldIsOneUndoStep();
    void unreadableTextIsReportedNotShown();
    void pageSwitchesBetweenDesignAndJson();
};

void TestDocumentDesigner::designerEditsAreUndoableCanonicalTextEdits()
{
    auto loader = std::make_shared<Model::ProjectLoader>();
    Ui::JsonEditor editor(u"endpoints/crm.json"_s, loader);
    editor.load(endpointText);
    NameDesigner designer(&editor);
    designer.show();
    QTRY_COMPARE(designer.name->text(), u"CRM"_s);

    designer.name->setFocus();
    designer.name->selectAll();
    QTest::keyClicks(designer.name, u"Customer hub"_s);
    QTest::keyClick(designer.name, Qt::Key_Return);
    const QByteArray expected = QByteArray(endpointText).replace("\"CRM\"", "\"Customer hub\"");
    QCOMPARE(editor.text(), expected);
    QCOMPARE(Model::canonicalJson(designer.document()), expected);
    QVERIFY(editor.isModified());

    // Committing the same document again is no edit at all.
    const int before = designer.changes;
    designer.commit(designer.document());
    QCOMPARE(editor.text(), expected);
    QVERIFY(!editor.document()->isRedoAvailable());

    designer.undo();
    QCOMPARE(editor.text(), endpointText);
    QCOMPARE(designer.name->text(), u"CRM"_s);
    QVERIFY(!editor.isModified());
    QVERIFY(designer.changes > before);
    designer.redo();
    QCOMPARE(designer.name->text(), u"Customer hub"_s);
}

void TestDocumentDesigner::designerFollowsTheText()
{
    Ui::JsonEditor editor(u"endpoints/crm.json"_s, std::make_shared<Model::ProjectLoader>());
    editor.load(endpointText);
    NameDesigner designer(&editor);
    QTRY_COMPARE(designer.name->text(), u"CRM"_s);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));

    // Typing in the JSON: the designer shows it after the burst of edits, parsed once.
    QTextCursor cursor = editor.document()->find(u"CRM"_s, 0, QTextDocument::FindCaseSensitively);
    QVERIFY(!cursor.isNull());
    editor.setTextCursor(cursor);
    const int before = designer.changes;
    QTest::keyClicks(&editor, u"ERP"_s);
    QVERIFY2(editor.text().contains("\"ERP\""), editor.text().constData());
    QTRY_COMPARE(designer.name->text(), u"ERP"_s);
    QCOMPARE(designer.changes, before + 1);

    editor.undo();
    QTRY_COMPARE(designer.name->text(), u"CRM"_s);
}

void TestDocumentDesigner::typingInOneFieldIsOneUndoStep()
{
    Ui::JsonEditor editor(u"endpoints/crm.json"_s, std::make_shared<Model::ProjectLoader>());
    editor.load(endpointText);
    NameDesigner designer(&editor);
    QTRY_COMPARE(designer.name->text(), u"CRM"_s);
    auto withName = [&](const QString &name) {
        QJsonObject changed = designer.document();
        changed.insert(u"name"_s, name);
        return changed;
    };
    // Three keystrokes in "name", then one in "description": two undo steps.
    designer.commit(withName(u"C"_s), u"/name"_s);
    designer.commit(withName(u"Cu"_s), u"/name"_s);
    designer.commit(withName(u"Cus"_s), u"/name"_s);
    QJsonObject described = designer.document();
    described.insert(u"description"_s, u"x"_s);
    designer.commit(described, u"/description"_s);
    designer.undo();
    QCOMPARE(designer.document().value(u"name"_s).toString(), u"Cus"_s);
    QVERIFY(!designer.document().contains(u"description"_s));
    designer.undo();
    QCOMPARE(editor.text(), endpointText);
    QVERIFY(!editor.document()->isUndoAvailable());

    // After an undo, typing in the same field again is a new step, not a join with the
    // step that was undone.
    designer.commit(withName(u"A"_s), u"/name"_s);
    designer.undo();
    designer.commit(withName(u"B"_s), u"/name"_s);
    designer.undo();
    QCOMPARE(editor.text(), endpointText);
    QVERIFY(!editor.document()->isUndoAvailable());
}

void TestDocumentDesigner::unreadableTextIsReportedNotShown()
{
    Ui::JsonEditor editor(u"endpoints/crm.json"_s, std::make_shared<Model::ProjectLoader>());
    editor.load(endpointText);
    NameDesigner designer(&editor);
    QTRY_COMPARE(designer.name->text(), u"CRM"_s);

    editor.replaceText("{\n  \"kind\": \"Endpoint\",\n  \"name\": \n}\n");
    designer.refresh();
    QVERIFY(!designer.hasDocument());
    QVERIFY2(designer.unreadable.startsWith(u"line 4, column "_s), qPrintable(designer.unreadable));
    QCOMPARE(designer.parseError(), designer.unreadable);
    QVERIFY(!designer.name->isEnabled());
    QVERIFY(designer.document().isEmpty());

    editor.undo();
    designer.refresh();
    QVERIFY(designer.hasDocument());
    QVERIFY(designer.name->isEnabled());
    QCOMPARE(designer.name->text(), u"CRM"_s);
}

void TestDocumentDesigner::pageSwitchesBetweenDesignAndJson()
{
    auto *editor = new Ui::JsonEditor(u"endpoints/crm.json"_s, std::make_shared<Model::ProjectLoader>());
    editor->load(endpointText);
    auto *designer = new NameDesigner(editor);
    Ui::DocumentPage page(editor, designer);
    page.resize(500, 300);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.isDesignShown());
    QVERIFY(designer->isVisible());
    QVERIFY(!editor->isVisible());

    auto *bar = page.findChild<QTabBar *>(u"designSourceSwitch"_s);
    QVERIFY(bar && bar->isVisible());
    QCOMPARE(bar->count(), 2);
    QSignalSpy switched(&page, &Ui::DocumentPage::viewChanged);
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(1).center());
    QVERIFY(!page.isDesignShown());
    QVERIFY(editor->isVisible());
    QCOMPARE(switched.count(), 1);

    // An edit in the JSON view is what the design view shows when it comes back.
    editor->replaceText(QByteArray(endpointText).replace("\"CRM\"", "\"Billing\""));
    page.toggleView();
    QVERIFY(page.isDesignShown());
    QCOMPARE(designer->name->text(), u"Billing"_s);

    // Without a designer the page is the text alone.
    auto *plain = new Ui::JsonEditor(u"queues/orders.json"_s, std::make_shared<Model::ProjectLoader>());
    Ui::DocumentPage textOnly(plain, nullptr);
    textOnly.show();
    QVERIFY(!textOnly.isDesignShown());
    textOnly.showDesign();
    QVERIFY(!textOnly.isDesignShown());
    QVERIFY(!textOnly.findChild<QTabBar *>(u"designSourceSwitch"_s)->isVisible());
}

QTEST_MAIN(TestDocumentDesigner)
#include "tst_documentdesigner.moc"
