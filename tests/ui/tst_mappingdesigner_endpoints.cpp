// The mapping designer's Source and Target rows (EndpointEntityRow) over real endpoints of
// the project — an SQLite database, a folder of CSV files: choose the endpoint, discover
// its entities in the background, choose one, and see its fields as source.schema /
// target.schema and in the trees; undo, redo, cancel, and the errors shown beside the row.

#include "tst_mappingdesigner.h"

#include "endpointentityrow.h"
#include "fieldtree.h"
#include "mappingcanvas.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTabBar>
#include <QTabWidget>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;
using namespace MappingDesignerTest;

void TestMappingDesigner::writeFile(const QString &relative, const QByteArray &bytes)
{
    const QString path = QDir(m_project).filePath(relative);
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestMappingDesigner::writeShopDatabase()
{
    QVERIFY(QDir(m_project).mkpath(u"data"_s));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"setup"_s);
        db.setDatabaseName(QDir(m_project).filePath(u"data/shop.db"_s));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(u"CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL, "
                        "express BOOLEAN, placed_at DATETIME)"_s),
                 qPrintable(q.lastError().text()));
        QVERIFY(q.exec(u"INSERT INTO orders VALUES (1, 'Globex', 207.75, 1, '2026-11-01T10:00:00')"_s));
        QVERIFY(q.exec(u"CREATE TABLE customers (code TEXT PRIMARY KEY, name TEXT NOT NULL, credit_limit NUMERIC)"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"setup"_s);
    // Relative to the project folder, as a user would write it.
    writeFile(u"endpoints/shop-db.json"_s,
              QJsonDocument(json("{'kind':'Endpoint','schemaVersion':1,'id':'shop-db','name':'Shop database',"
                                 "'type':'database','protocol':'sql','url':'sqlite:data/shop.db'}"))
                  .toJson());
}

void TestMappingDesigner::choose(QComboBox *combo, const QString &data)
{
    int index = combo->findData(data);
    if (index < 0)
        index = combo->findText(data);
    QVERIFY2(index >= 0, qPrintable(data));
    QVERIFY(combo->isEnabled());
    // The list opened by keyboard and walked with the arrows, so that only the item
    // chosen with Return is activated (a mouse release right after the list opens is
    // ignored by QComboBox, and arrows on the closed combo activate every item passed).
    combo->setFocus();
    QTest::keyClick(combo, Qt::Key_F4);
    QAbstractItemView *view = combo->view();
    QTRY_VERIFY(view->isVisible());
    for (int step = 0; step < combo->count() && view->currentIndex().row() != index; ++step)
        QTest::keyClick(view, view->currentIndex().row() < index ? Qt::Key_Down : Qt::Key_Up);
    QCOMPARE(view->currentIndex().row(), index);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY(!view->isVisible());
    QCOMPARE(combo->currentIndex(), index);
    // The offscreen platform leaves the closed list the active window.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

bool TestMappingDesigner::discover(Ui::EndpointEntityRow *row)
{
    QSignalSpy finished(row, &Ui::EndpointEntityRow::discoveryFinished);
    QTest::mouseClick(row->discoverButton(), Qt::LeftButton);
    // Busy at once, and the UI goes on: the endpoint file and the connector are read elsewhere.
    if (!row->isBusy() || !row->cancelButton()->isVisible() || row->discoverButton()->isVisible())
        return false;
    if (!QTest::qWaitFor([&finished] { return finished.count() > 0; }, 30000))
        return false;
    return !row->isBusy() && finished.count() == 1 && finished.first().first().toBool();
}

void TestMappingDesigner::sourceFieldsFromADiscoveredEntity()
{
    writeShopDatabase();
    QVERIFY(open());   // again, so that the row lists the new endpoint
    Ui::EndpointEntityRow *row = m_designer->sourceEndpointRow();
    QTRY_VERIFY(row->hasListed());
    // The sample mapping's own endpoint, a REST API not discovered yet.
    QCOMPARE(row->endpointCombo()->currentData().toString(), u"shop-api"_s);
    QVERIFY(!row->entityCombo()->isEnabled());
    QVERIFY(row->endpointCombo()->findData(u"erp-db"_s) > 0);

    // The endpoint: bound to source_endpoint, one undo step.
    const QByteArray original = m_editor->text();
    choose(row->endpointCombo(), u"shop-db"_s);
    QCOMPARE(documentNow().value(u"source_endpoint"_s).toString(), u"shop-db"_s);
    QCOMPARE(row->endpointCombo()->currentText(), u"Shop database (shop-db)"_s);
    const QByteArray withEndpoint = m_editor->text();

    // Discover: the tables, in the background, without a keychain (SQLite needs no secret).
    QVERIFY2(discover(row), qPrintable(row->message()));
    QVERIFY2(!row->hasError(), qPrintable(row->message()));
    QVERIFY2(row->message().contains(u"shop-db: 2."_s), qPrintable(row->message()));
    QVERIFY(row->entityCombo()->isEnabled());
    QCOMPARE(row->entityCombo()->count(), 2);
    QCOMPARE(row->entityCombo()->currentIndex(), -1);
    QCOMPARE(m_editor->text(), withEndpoint);   // discovering writes nothing

    // Picking the entity writes its columns as source.schema, with the entity remembered.
    choose(row->entityCombo(), u"orders"_s);
    const QJsonObject document = documentNow();
    const QJsonObject schema = document.value(u"source"_s).toObject().value(u"schema"_s).toObject();
    QCOMPARE(schema.value(u"title"_s).toString(), u"orders"_s);
    QCOMPARE(schema.value(u"x-key"_s).toArray(), QJsonArray{u"id"_s});
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    QCOMPARE(properties.keys(), (QStringList{u"customer"_s, u"express"_s, u"id"_s, u"placed_at"_s, u"total"_s}));
    QCOMPARE(properties.value(u"id"_s).toObject(), json("{'type':'integer'}"));
    QCOMPARE(properties.value(u"customer"_s).toObject(), json("{'type':'string'}"));
    QCOMPARE(properties.value(u"total"_s).toObject(), json("{'type':['number','null']}"));
    QCOMPARE(properties.value(u"express"_s).toObject(), json("{'type':['boolean','null']}"));
    QCOMPARE(document.value(u"x-designer"_s).toObject().value(u"source_entity"_s).toString(), u"orders"_s);
    QCOMPARE(document.value(u"source_endpoint"_s).toString(), u"shop-db"_s);
    // The rest of the document is as it was, and it is still a valid mapping.
    QJsonObject rest = document;
    rest.remove(u"x-designer"_s);
    QJsonObject restSource = rest.value(u"source"_s).toObject();
    restSource.remove(u"schema"_s);
    rest.insert(u"source"_s, restSource);
    QCOMPARE(rest, json(withEndpoint));
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());

    // The source tree shows the columns with their types; the sample's own fields are gone.
    Ui::FieldTree *tree = m_designer->sourceTree();
    QTRY_VERIFY(tree->itemForPath(u"placed_at"_s));
    QCOMPARE(tree->itemForPath(u"id"_s)->text(1), u"integer"_s);
    QCOMPARE(tree->itemForPath(u"total"_s)->text(1), u"number | null"_s);
    QCOMPARE(tree->itemForPath(u"express"_s)->text(1), u"boolean | null"_s);
    QCOMPARE(tree->itemForPath(u"customer"_s)->text(1), u"string"_s);
    QVERIFY(!tree->itemForPath(u"status"_s));
    QCOMPARE(row->entityCombo()->currentText(), u"orders"_s);
    QVERIFY(m_designer->statusLabel()->text().contains(u"orders"_s));
    // A column can be mapped like any other field.
    Ui::FieldTree *target = m_designer->targetTree();
    drag(u"total"_s, target->viewport(), target->visualItemRect(target->itemForPath(u"customer_name"_s)).center());
    QCOMPARE(ruleOf(documentNow(), u"customer_name"_s).value(u"source"_s).toString(), u"total"_s);
    QVERIFY(waitForPreview());
    QVERIFY(!row->messageLabel()->isVisible());   // "choose one" is answered
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-discovered-source.png"_s)));

    // Undo: the drag, then the entity (schema and memory together), then the endpoint.
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(json(m_editor->text()), document);
    QTest::keyClick(tree, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_editor->text(), withEndpoint);
    QTRY_VERIFY(tree->itemForPath(u"status"_s));
    QVERIFY(!tree->itemForPath(u"placed_at"_s));
    // The discovered entities stay offered; none is chosen any more.
    QCOMPARE(row->entityCombo()->count(), 2);
    QCOMPARE(row->entityCombo()->currentIndex(), -1);
    QTest::keyClick(tree, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_editor->text(), original);
    QTRY_COMPARE(row->endpointCombo()->currentData().toString(), u"shop-api"_s);
    QVERIFY(!row->entityCombo()->isEnabled());

    // Redo brings the entity back, with its name in the combo before any new discovery.
    const QKeyCombination redo = QKeySequence(QKeySequence::Redo)[0];
    QTest::keyClick(tree, redo.key(), redo.keyboardModifiers());
    QTest::keyClick(tree, redo.key(), redo.keyboardModifiers());
    QCOMPARE(json(m_editor->text()), document);
    QTRY_COMPARE(row->entityCombo()->currentText(), u"orders"_s);

    // Walking the closed entity combo with the arrow keys shows each entity's fields at
    // once, and makes one undo step in all.
    QComboBox *entities = row->entityCombo();
    entities->setFocus();
    const bool customersFirst = entities->itemText(0) == u"customers";
    QTest::keyClick(entities, customersFirst ? Qt::Key_Up : Qt::Key_Down);
    QCOMPARE(documentNow().value(u"x-designer"_s).toObject().value(u"source_entity"_s).toString(), u"customers"_s);
    QTRY_VERIFY(tree->itemForPath(u"credit_limit"_s));
    QVERIFY(!tree->itemForPath(u"placed_at"_s));
    QTest::keyClick(entities, customersFirst ? Qt::Key_Down : Qt::Key_Up);
    QCOMPARE(json(m_editor->text()), document);
    QTRY_VERIFY(tree->itemForPath(u"placed_at"_s));
    // Undo goes back past both (one step at a time would give "customers" here).
    QTest::keyClick(entities, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(json(m_editor->text()), document);
    QVERIFY(m_editor->document()->isRedoAvailable());
    QTest::keyClick(entities, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(m_editor->text(), withEndpoint);
    QTest::keyClick(entities, redo.key(), redo.keyboardModifiers());
    QCOMPARE(json(m_editor->text()), document);

    // Cancel while discovering: idle at once, and the cancelled run never answers.
    QSignalSpy finished(row, &Ui::EndpointEntityRow::discoveryFinished);
    QTest::mouseClick(row->discoverButton(), Qt::LeftButton);
    QVERIFY(row->isBusy());
    QTest::mouseClick(row->cancelButton(), Qt::LeftButton);
    QVERIFY(!row->isBusy());
    QVERIFY(row->discoverButton()->isVisible());
    QCOMPARE(row->message(), u"Discovery cancelled."_s);
    QVERIFY(discover(row));
    QCOMPARE(finished.count(), 1);
}

void TestMappingDesigner::targetFieldsFromADiscoveredEntity()
{
    writeShopDatabase();
    QVERIFY(open());
    // The same row, on the target side: target_endpoint and target.schema.
    Ui::EndpointEntityRow *row = m_designer->targetEndpointRow();
    QVERIFY(row != m_designer->sourceEndpointRow());
    QTRY_VERIFY(row->hasListed());
    choose(row->endpointCombo(), u"shop-db"_s);
    QVERIFY2(discover(row), qPrintable(row->message()));
    choose(row->entityCombo(), u"customers"_s);
    const QJsonObject document = documentNow();
    QCOMPARE(document.value(u"target_endpoint"_s).toString(), u"shop-db"_s);
    QCOMPARE(document.value(u"source_endpoint"_s).toString(), u"shop-api"_s);
    const QJsonObject schema = document.value(u"target"_s).toObject().value(u"schema"_s).toObject();
    QCOMPARE(schema.value(u"required"_s).toArray().size(), 3);
    QCOMPARE(schema.value(u"x-key"_s).toArray(), QJsonArray{u"code"_s});
    QCOMPARE(document.value(u"x-designer"_s).toObject().value(u"target_entity"_s).toString(), u"customers"_s);
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());
    Ui::FieldTree *target = m_designer->targetTree();
    QTRY_VERIFY(target->itemForPath(u"credit_limit"_s));
    QCOMPARE(target->itemForPath(u"name"_s)->text(1), u"string"_s);
    QCOMPARE(target->itemForPath(u"credit_limit"_s)->text(1), u"number | null"_s);
    // The source side is untouched.
    QVERIFY(m_designer->sourceTree()->itemForPath(u"status"_s));
    QCOMPARE(m_designer->sourceEndpointRow()->endpointCombo()->currentData().toString(), u"shop-api"_s);
}

void TestMappingDesigner::endpointErrorsAreShownBesideTheRow()
{
    // An SQLite endpoint whose file is not there, and an endpoint file that is not JSON.
    writeFile(u"endpoints/gone-db.json"_s,
              QJsonDocument(json("{'kind':'Endpoint','schemaVersion':1,'id':'gone-db','name':'Gone',"
                                 "'type':'database','protocol':'sql','url':'sqlite:data/missing.db'}"))
                  .toJson());
    writeFile(u"endpoints/broken.json"_s, "{\"kind\": \"Endpoint\", \"id\": ");
    QVERIFY(open());
    Ui::EndpointEntityRow *row = m_designer->sourceEndpointRow();
    QTRY_VERIFY(row->hasListed());

    choose(row->endpointCombo(), u"gone-db"_s);
    const QByteArray chosen = m_editor->text();
    QVERIFY(!discover(row));
    QVERIFY(row->hasError());
    QVERIFY2(row->message().contains(u"missing.db"_s), qPrintable(row->message()));
    QVERIFY(row->messageLabel()->isVisible());
    QVERIFY(!row->entityCombo()->isEnabled());
    QCOMPARE(m_editor->text(), chosen);
    // The error stays when the designer is shown again (which lists the endpoints again).
    auto *tabs = m_window->findChild<QTabWidget *>();
    QSignalSpy listed(row, &Ui::EndpointEntityRow::endpointsListed);
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(1).center());
    QCOMPARE(tabs->currentIndex(), 1);
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(0).center());
    QTRY_COMPARE(listed.count(), 1);
    QVERIFY2(row->hasError() && row->message().contains(u"missing.db"_s), qPrintable(row->message()));
    // The whole message is shown, wrapped (the path too), once the layout has settled.
    QLabel *label = row->messageLabel();
    QTRY_VERIFY(label->height() >= label->heightForWidth(label->width()));
    QVERIFY(label->heightForWidth(label->width()) > label->fontMetrics().height() * 3 / 2);
    QVERIFY(m_window->grab().save(artifact(u"mappingdesigner-endpoint-error.png"_s)));

    // A secret and no keychain (the test has none): the cause, not a connection attempt.
    choose(row->endpointCombo(), u"erp-db"_s);
    QVERIFY(!row->hasError());   // another endpoint: the old message is gone
    QVERIFY(!discover(row));
    QVERIFY2(row->message().contains(u"erp-db.password"_s) && row->message().contains(u"keychain"_s),
             qPrintable(row->message()));

    // An endpoint file that does not parse: its name and where.
    choose(row->endpointCombo(), u"broken"_s);
    QVERIFY(row->hasError());
    QVERIFY2(row->message().contains(u"endpoints/broken.json"_s) && row->message().contains(u"byte"_s),
             qPrintable(row->message()));
    QVERIFY(!discover(row));

    // A reference to no endpoint of the project, typed in the JSON view.
    QJsonObject document = documentNow();
    document.insert(u"source_endpoint"_s, u"nowhere"_s);
    m_editor->replaceText(QJsonDocument(document).toJson());
    QTRY_VERIFY(row->message().contains(u"No endpoint \"nowhere\""_s));
    QVERIFY(row->hasError());
    QCOMPARE(row->endpointCombo()->currentText(), u"nowhere (not found)"_s);
    QCOMPARE(documentNow(), document);

    // The rest of the designer keeps working.
    Ui::FieldTree *target = m_designer->targetTree();
    drag(u"status"_s, target->viewport(), target->visualItemRect(target->itemForPath(u"customer_name"_s)).center());
    QCOMPARE(ruleOf(documentNow(), u"customer_name"_s).value(u"source"_s).toString(), u"status"_s);
    QVERIFY(waitForPreview());
}

void TestMappingDesigner::sourceFieldsFromACsvFilesEndpoint()
{
    // A files endpoint over a folder of CSV files: one entity, its fields inferred from the
    // first file's records.
    writeFile(u"data/inbox/orders-1.csv"_s,
              "order_no,amount,placed_on,email\nA-1,12.5,2026-11-01,anna@example.com\n"
              "A-2,7,2026-11-02,bert@example.com\n");
    writeFile(u"endpoints/csv-inbox.json"_s,
              QJsonDocument(json("{'kind':'Endpoint','schemaVersion':1,'id':'csv-inbox','name':'CSV inbox',"
                                 "'type':'file_system','protocol':'files','url':'file:data/inbox',"
                                 "'data_format':'csv','configuration':{'glob':'orders-*.csv','entity':'orders'}}"))
                  .toJson());
    QVERIFY(open());
    Ui::EndpointEntityRow *row = m_designer->sourceEndpointRow();
    QTRY_VERIFY(row->hasListed());
    choose(row->endpointCombo(), u"csv-inbox"_s);
    QVERIFY2(discover(row), qPrintable(row->message()));
    QCOMPARE(row->entityCombo()->count(), 1);
    choose(row->entityCombo(), u"orders"_s);

    const QJsonObject schema = documentNow().value(u"source"_s).toObject().value(u"schema"_s).toObject();
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    QCOMPARE(properties.keys(), (QStringList{u"amount"_s, u"email"_s, u"order_no"_s, u"placed_on"_s}));
    QCOMPARE(properties.value(u"placed_on"_s).toObject().value(u"format"_s).toString(), u"date"_s);
    QCOMPARE(properties.value(u"email"_s).toObject(), json("{'type':'string','format':'email'}"));
    // CSV fields are text; the values seen in the file stay out of the document.
    QCOMPARE(properties.value(u"amount"_s).toObject(), json("{'type':'string'}"));
    QVERIFY(!m_editor->text().contains("anna@example.com"));
    QVERIFY(m_loader->validateDocument(mappingFile, m_editor->text()).isEmpty());
    Ui::FieldTree *tree = m_designer->sourceTree();
    QTRY_VERIFY(tree->itemForPath(u"placed_on"_s));
    QCOMPARE(tree->itemForPath(u"placed_on"_s)->text(1), u"string (date)"_s);
    QCOMPARE(tree->itemForPath(u"order_no"_s)->text(1), u"string"_s);
}
