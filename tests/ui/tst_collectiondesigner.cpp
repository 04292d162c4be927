// The request tester (the designer of Collection documents) driven through its real widgets
// (offscreen) against real servers on 127.0.0.1: a Conflux HTTP server as the upstream, a
// TCP server that never answers (cancel), and a local engine (Runtime::Node) whose gateway
// the requests that name a route go through. Postman import and export, copy as curl, the
// history file, the run report and editing the tree with undo through the document text.

#include "studiotest.h"

#include "tester/assertioneditor.h"
#include "tester/autheditor.h"
#include "tester/bodyeditor.h"
#include "tester/collectiondesigner.h"
#include "tester/containereditor.h"
#include "tester/historypanel.h"
#include "tester/keyvaluetable.h"
#include "tester/requesteditor.h"
#include "tester/responseview.h"
#include "tester/runreportview.h"

#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"
#include "model/projectloader.h"
#include "runtime/node.h"
#include "secretstore.h"
#include "tester/postman.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyle>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;

namespace {

void writeJson(const QString &path, const QJsonObject &o)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(QJsonDocument(o).toJson());
}

QJsonObject parse(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

// The items of the document at an index path ("0/1").
[[maybe_unused]] QJsonObject itemOf(const QJsonObject &document, const QList<int> &path)
{
    QJsonObject item = document;
    for (int i : path)
        item = item.value(u"items"_s).toArray().at(i).toObject();
    return item;
}

} // namespace

class TestCollectionDesigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

#ifdef CONFLUX_TESTER_KEYRING
    void importedCredentialsGoToTheKeychain();
#else
    void showsTheCollection();
    void editsByTypingWithUndo();
    void sendsToALocalServer();
    void failuresAreShownAndTheRestWorks();
    void cancelStopsWaiting();
    void sendsThroughTheGateway();
    void gatewayWithoutEngineSaysSo();
    void sendsWithAnEndpointsAuthentication();
    void runsTheCollectionWithAReport();
    void editsTheTree();
    void copiesAsCurl();
    void importsAPostmanCollection();
    void refusesWhatIsNotACollection();
    void exportsToPostmanAndBack();
    void unreadableTextIsReadOnly();
#endif

private:
    bool open(Runtime::Node *engine = nullptr, Ui::SecretStore *secrets = nullptr);
    QString artifact(const QString &name) const
    {
        return QDir(QStringLiteral(CONFLUX_TEST_ARTIFACTS)).filePath(name);
    }
    QJsonObject documentNow() const { return parse(m_editor->text()); }
    void chooseEnvironment(const QString &name);
    // Types into a table cell the way a user does: F2 opens the cell's editor.
    void typeIntoCell(QTableWidget *table, int row, int column, const QString &text);
    Tester::RequestResult sendAndWait();

    Http::HttpServer m_upstream;
    QTcpServer m_silent;                 // accepts and never answers
    QList<QTcpSocket *> m_held;
    QTemporaryDir m_dir;
    QString m_project;
    std::unique_ptr<Runtime::Node> m_node;
    std::shared_ptr<Model::ProjectLoader> m_loader;
    std::unique_ptr<QWidget> m_window;
    Ui::JsonEditor *m_editor = nullptr;
    Ui::CollectionDesigner *m_designer = nullptr;
    QList<QByteArray> m_received;         // "METHOD target" of each upstream request
    QByteArray m_lastBody;
    QByteArray m_lastTrace;
    QByteArray m_lastAuthorization;
};

void TestCollectionDesigner::initTestCase()
{
#ifdef CONFLUX_TESTER_KEYRING
    if (qEnvironmentVariable("CONFLUX_TEST_KEYRING") != u"1"_s)
        QFAIL("run inside a keyring session: dbus-run-session -- sh tests/ui/with-keyring.sh tst_collectiondesigner_keychain");
#endif
    // The remembered environment (QSettings) stays out of the real user's settings.
    QCoreApplication::setOrganizationName(u"conflux-tests"_s);
    QCoreApplication::setApplicationName(u"tst_collectiondesigner"_s);
    QStandardPaths::setTestModeEnabled(true);
    QDir().mkpath(QStringLiteral(CONFLUX_TEST_ARTIFACTS));
    m_loader = std::make_shared<Model::ProjectLoader>();

    // The upstream: echoes what it was asked, as JSON.
    m_upstream.setHandler([this](const Http::HttpRequest &request) {
        m_received.append(request.method + ' ' + request.target);
        m_lastBody = request.body;
        m_lastTrace = request.header("X-Trace");
        m_lastAuthorization = request.header("Authorization");
        const QString id = request.path.section(u'/', -1);
        const QJsonObject body{{u"id"_s, id},
                               {u"method"_s, QString::fromLatin1(request.method)},
                               {u"query"_s, request.query.toString(QUrl::FullyEncoded)},
                               {u"currency"_s, u"EUR"_s},
                               {u"lines"_s, QJsonArray{QJsonObject{{u"sku"_s, u"A-1"_s}, {u"qty"_s, 2}}}}};
        Http::HttpResponse response = Http::HttpResponse::json(request.method == "POST" ? 201 : 200, body);
        response.setHeader("X-Upstream", "echo");
        return response;
    });
    QVERIFY(m_upstream.listen(QHostAddress::LocalHost, 0));
    QVERIFY(m_silent.listen(QHostAddress::LocalHost, 0));
    connect(&m_silent, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_silent.nextPendingConnection())
            m_held.append(socket);
    });

    QVERIFY(m_dir.isValid());
    m_project = m_dir.filePath(u"project"_s);
    const QString upstream = u"http://127.0.0.1:%1"_s.arg(m_upstream.serverPort());
    writeJson(QDir(m_project).filePath(u"project.json"_s),
              {{u"kind"_s, u"Project"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"tester"_s}, {u"name"_s, u"Tester"_s}});
    writeJson(QDir(m_project).filePath(u"routes/open.json"_s),
              {{u"kind"_s, u"Route"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"open"_s}, {u"name"_s, u"Open"_s},
               {u"path"_s, u"/open/{id}"_s}, {u"method"_s, u"*"_s},
               {u"upstream_url"_s, upstream + u"/orders/{id}"_s}});
    writeJson(QDir(m_project).filePath(u"environments/local.json"_s),
              {{u"kind"_s, u"Environment"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"local"_s}, {u"name"_s, u"Local"_s},
               {u"variables"_s, QJsonObject{{u"upstream"_s, upstream},
                                            {u"silent"_s, u"http://127.0.0.1:%1"_s.arg(m_silent.serverPort())}}}});
    writeJson(QDir(m_project).filePath(u"environments/staging.json"_s),
              {{u"kind"_s, u"Environment"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"staging"_s}, {u"name"_s, u"Staging"_s},
               {u"variables"_s, QJsonObject{{u"upstream"_s, u"http://staging.invalid"_s}}}});

    m_node = std::make_unique<Runtime::Node>();
    Runtime::NodeOptions o;
    o.projectFolder = m_project;
    o.dataFolder = m_dir.filePath(u"data"_s);
    o.adminPort = 0;
    o.gatewayPort = 0;
    // The collection is written before the engine starts so that the project it deploys loads.
    init();
    Result<void> started = m_node->start(o);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
    QVERIFY(!m_node->gatewayUrl().isEmpty());
}

void TestCollectionDesigner::cleanupTestCase()
{
    m_window.reset();
    if (m_node && m_node->state() == Runtime::Node::State::Running) {
        QSignalSpy stopped(m_node.get(), &Runtime::Node::stopped);
        m_node->stop();
        QVERIFY(stopped.wait(10'000));
    }
}

void TestCollectionDesigner::init()
{
    // Every test starts from the same collection and an empty history.
    const QJsonObject getOrder{
        {u"name"_s, u"Get an order"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{upstream}}/orders/7"_s},
        {u"route"_s, u"open"_s},
        {u"query"_s, QJsonArray{QJsonObject{{u"name"_s, u"expand"_s}, {u"value"_s, u"lines"_s}}}},
        {u"headers"_s, QJsonArray{QJsonObject{{u"name"_s, u"Accept"_s}, {u"value"_s, u"application/json"_s}}}},
        {u"assertions"_s, QJsonArray{QJsonObject{{u"type"_s, u"status"_s}, {u"equals"_s, 200}},
                                     QJsonObject{{u"type"_s, u"expression"_s}, {u"expression"_s, u"id = '7' and currency = 'EUR'"_s}},
                                     QJsonObject{{u"type"_s, u"header"_s}, {u"header"_s, u"X-Upstream"_s}, {u"equals"_s, u"echo"_s}}}}};
    const QJsonObject createOrder{
        {u"name"_s, u"Create an order"_s}, {u"method"_s, u"POST"_s}, {u"url"_s, u"{{upstream}}/orders"_s},
        {u"body"_s, QJsonObject{{u"mode"_s, u"json"_s}, {u"content"_s, u"{\"sku\": \"A-1\", \"qty\": {{qty}}}"_s}}},
        {u"assertions"_s, QJsonArray{QJsonObject{{u"type"_s, u"status"_s}, {u"one_of"_s, QJsonArray{200, 201}}},
                                     QJsonObject{{u"name"_s, u"wrong on purpose"_s}, {u"type"_s, u"expression"_s},
                                                 {u"expression"_s, u"currency = 'USD'"_s}}}}};
    const QJsonObject undefinedVariable{
        {u"name"_s, u"Undefined variable"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{nowhere}}/x"_s}};
    const QJsonObject silent{
        {u"name"_s, u"Never answered"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{silent}}/wait"_s}};
    writeJson(QDir(m_project).filePath(u"collections/smoke.json"_s),
              {{u"kind"_s, u"Collection"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"smoke"_s}, {u"name"_s, u"Smoke"_s},
               {u"metadata"_s, QJsonObject{{u"owner"_s, u"qa"_s}}},
               {u"variables"_s, QJsonObject{{u"qty"_s, u"3"_s}}},
               {u"items"_s, QJsonArray{QJsonObject{{u"name"_s, u"orders"_s}, {u"items"_s, QJsonArray{getOrder, createOrder}}},
                                       undefinedVariable, silent}}});
    QDir(QDir(m_project).filePath(u".conflux"_s)).removeRecursively();
    m_received.clear();
}

void TestCollectionDesigner::cleanup()
{
    m_window.reset();
    qDeleteAll(m_held);
    m_held.clear();
}

bool TestCollectionDesigner::open(Runtime::Node *engine, Ui::SecretStore *secrets)
{
    const QString file = QDir(m_project).filePath(u"collections/smoke.json"_s);
    m_window = std::make_unique<QWidget>();
    m_editor = new Ui::JsonEditor(file, m_loader);
    m_editor->load(readAll(file));
    Ui::DesignerContext context;
    context.projectFolder = m_project;
    context.loader = m_loader;
    context.engine = engine;
    context.secrets = secrets;
    m_designer = new Ui::CollectionDesigner(m_editor, context);
    QSignalSpy reloaded(m_designer, &Ui::CollectionDesigner::projectReloaded);
    return showDesignerWindow(m_window.get(), m_designer, m_editor, QSize(1400, 900))
        && QTest::qWaitFor([this] { return m_designer->tree()->topLevelItemCount() == 1; }, 10'000)
        && (reloaded.size() > 0 || reloaded.wait(10'000))
        && QTest::qWaitFor([this] { return m_designer->environmentBox()->count() >= 3; }, 10'000);
}

void TestCollectionDesigner::chooseEnvironment(const QString &name)
{
    QComboBox *box = m_designer->environmentBox();
    box->setFocus();
    // The keyboard, as a user picks an entry: Home, then Down until it is there.
    QTest::keyClick(box, Qt::Key_Home);
    for (int i = 0; i < box->count() && box->currentText() != name; ++i)
        QTest::keyClick(box, Qt::Key_Down);
    QCOMPARE(box->currentText(), name);
}

void TestCollectionDesigner::typeIntoCell(QTableWidget *table, int row, int column, const QString &text)
{
    table->setFocus();
    table->setCurrentCell(row, column);
    QTest::keyClick(table, Qt::Key_F2);
    QWidget *editor = QApplication::focusWidget();
    QVERIFY(editor && editor != table);
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    // The delegate commits and closes the editor from the event loop.
    QTRY_COMPARE(QApplication::focusWidget(), table);
}

Tester::RequestResult TestCollectionDesigner::sendAndWait()
{
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::sendFinished);
    // The shortcut belongs to the tester: the focus is somewhere in it, here the URL.
    m_designer->requestEditor()->urlEdit()->setFocus();
    QTest::keyClick(m_designer->requestEditor()->urlEdit(), Qt::Key_Return, Qt::ControlModifier);
    if (!finished.wait(20'000))
        return {};
    return finished.first().first().value<Tester::RequestResult>();
}

#ifdef CONFLUX_TESTER_KEYRING

void TestCollectionDesigner::importedCredentialsGoToTheKeychain()
{
    Ui::SecretStore store;
    QVERIFY(open(nullptr, &store));
    const QByteArray password = "keyring-" + plantedSecret;
    const QJsonObject postman{
        {u"info"_s, QJsonObject{{u"name"_s, u"Keyed API"_s},
                               {u"schema"_s, u"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"_s}}},
        {u"auth"_s, QJsonObject{{u"type"_s, u"basic"_s},
                               {u"basic"_s, QJsonArray{QJsonObject{{u"key"_s, u"username"_s}, {u"value"_s, u"partner"_s}},
                                                       QJsonObject{{u"key"_s, u"password"_s}, {u"value"_s, QString::fromLatin1(password)}}}}}},
        {u"item"_s, QJsonArray{QJsonObject{
            {u"name"_s, u"Get order 5"_s},
            {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s},
                                      {u"url"_s, u"http://127.0.0.1:%1/orders/5"_s.arg(m_upstream.serverPort())}}}}}}};
    const QString file = m_dir.filePath(u"keyed.postman_collection.json"_s);
    writeJson(file, postman);
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::postmanFinished);
    QSignalSpy created(m_designer, &Ui::DocumentDesigner::documentCreated);
    m_designer->importPostmanFile(file);
    QVERIFY(finished.wait(20'000));
    const QString message = finished.first().at(1).toString();
    QVERIFY2(finished.first().at(0).toBool() && message.contains(u"OS keychain"_s), qPrintable(message));
    QCOMPARE(created.first().first().toString(), u"collections/keyed-api.json"_s);

    // The environment refers to the keychain item, which holds the password; no file does.
    const QJsonObject environment = parse(readAll(QDir(m_project).filePath(u"environments/keyed-api.json"_s)));
    const QJsonObject variables = environment.value(u"variables"_s).toObject();
    QCOMPARE(variables.size(), 1);
    const QString secret = variables.begin().value().toObject().value(u"secret"_s).toString();
    QVERIFY2(secret.startsWith(u"keyed-api."_s), qPrintable(secret));
    QVERIFY(filesContaining({m_project}, password).isEmpty());
    QVERIFY(Model::ProjectLoader().loadFolder(m_project).isOk());
    QString stored;
    bool read = false;
    store.read(secret, this, [&](Result<QString> value) {
        stored = value ? *value : value.error().message;
        read = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(read, 10'000);
    QCOMPARE(stored.toUtf8(), password);

    // The new environment is chosen; the imported request sends the password from the keychain.
    QTRY_COMPARE(m_designer->environmentBox()->currentData().toString(), u"keyed-api"_s);
    m_editor = nullptr;
    m_window.reset();
    writeJson(QDir(m_project).filePath(u"collections/smoke.json"_s),
              parse(readAll(QDir(m_project).filePath(u"collections/keyed-api.json"_s))));
    QVERIFY(open(nullptr, &store));
    QTRY_COMPARE(m_designer->environmentBox()->currentData().toString(), u"keyed-api"_s);
    QCOMPARE(m_designer->currentPath(), QList<int>{0});
    const Tester::RequestResult result = sendAndWait();
    QVERIFY2(result.response, qPrintable(result.error ? result.error->message : u"no answer"_s));
    QCOMPARE(m_lastAuthorization, "Basic " + QByteArray("partner:" + password).toBase64());
    QFile::remove(QDir(m_project).filePath(u"collections/keyed-api.json"_s));
    QFile::remove(QDir(m_project).filePath(u"environments/keyed-api.json"_s));
}

#else

void TestCollectionDesigner::showsTheCollection()
{
    QVERIFY(open());
    QTreeWidget *tree = m_designer->tree();
    QTreeWidgetItem *root = tree->topLevelItem(0);
    QCOMPARE(root->text(0), u"Smoke"_s);
    QCOMPARE(root->childCount(), 3);
    QTreeWidgetItem *folder = root->child(0);
    QCOMPARE(folder->text(0), u"orders"_s);
    QCOMPARE(folder->child(0)->text(1), u"GET"_s);
    QCOMPARE(folder->child(1)->text(0), u"Create an order"_s);
    QCOMPARE(folder->child(1)->text(1), u"POST"_s);
    // The first request is open, as Postman opens a collection.
    QCOMPARE(m_designer->currentPath(), (QList<int>{0, 0}));
    Ui::RequestEditor *request = m_designer->requestEditor();
    QCOMPARE(request->urlEdit()->text(), u"{{upstream}}/orders/7"_s);
    QCOMPARE(request->methodBox()->currentText(), u"GET"_s);
    QCOMPARE(request->paramsTable()->pairs().size(), 1);
    QCOMPARE(request->paramsTable()->item(0, 1)->text(), u"lines"_s);
    QCOMPARE(request->assertionEditor()->table()->rowCount(), 3);
    QCOMPARE(request->routeBox()->currentText(), u"open"_s);

    // The environments of the project, and "none".
    QStringList environments;
    for (int i = 0; i < m_designer->environmentBox()->count(); ++i)
        environments.append(m_designer->environmentBox()->itemText(i));
    QCOMPARE(environments, (QStringList{u"No environment"_s, u"Local"_s, u"Staging"_s}));

    // The collection's own settings.
    tree->setCurrentItem(root);
    Ui::ContainerEditor *container = m_designer->containerEditor();
    QVERIFY(container->isVisible());
    QCOMPARE(container->nameEdit()->text(), u"Smoke"_s);
    QCOMPARE(container->variablesTable()->pairs().size(), 1);
    // A folder inherits nothing to say: its requests go without credentials.
    tree->setCurrentItem(folder);
    QCOMPARE(container->authEditor()->typeBox()->currentText(), Ui::AuthEditor::typeLabel(Tester::Auth::Type::Inherit));
}

void TestCollectionDesigner::editsByTypingWithUndo()
{
    QVERIFY(open());
    Ui::RequestEditor *request = m_designer->requestEditor();
    QLineEdit *url = request->urlEdit();
    url->setFocus();
    url->selectAll();
    QTest::keyClicks(url, u"{{upstream}}/orders/8?lang=de&x=a%20b"_s);
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"url"_s).toString(), u"{{upstream}}/orders/8?lang=de&x=a%20b"_s);
    // Leaving the field moves the query to the parameters.
    QTest::keyClick(url, Qt::Key_Tab);
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"url"_s).toString(), u"{{upstream}}/orders/8"_s);
    const QJsonArray query = itemOf(documentNow(), {0, 0}).value(u"query"_s).toArray();
    QCOMPARE(query.size(), 3);
    QCOMPARE(query.at(2).toObject().value(u"value"_s).toString(), u"a b"_s);

    // A header typed into the empty last row.
    Ui::KeyValueTable *headers = request->headersTable();
    request->showTab(Ui::RequestEditor::HeadersTab);
    typeIntoCell(headers, 1, 0, u"X-Trace"_s);
    typeIntoCell(headers, 1, 1, u"t-1"_s);
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"headers"_s).toArray().size(), 2);
    const QJsonObject trace = itemOf(documentNow(), {0, 0}).value(u"headers"_s).toArray().at(1).toObject();
    QCOMPARE(trace.value(u"name"_s).toString(), u"X-Trace"_s);
    QCOMPARE(trace.value(u"value"_s).toString(), u"t-1"_s);
    QVERIFY(!trace.contains(u"enabled"_s));   // a new pair is on
    // Its check box turns it off without deleting it.
    QTableWidgetItem *name = headers->item(1, 0);
    QVERIFY(name->flags() & Qt::ItemIsUserCheckable);
    QTest::mouseClick(headers->viewport(), Qt::LeftButton, {},
                      headers->visualItemRect(name).topLeft() + QPoint(headers->style()->pixelMetric(QStyle::PM_IndicatorWidth) / 2 + 4,
                                                                       headers->visualItemRect(name).height() / 2));
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"headers"_s).toArray().at(1).toObject().value(u"enabled"_s),
                 QJsonValue(false));

    // The method, and a JSON body formatted.
    QComboBox *method = request->methodBox();
    method->setFocus();
    method->lineEdit()->selectAll();
    QTest::keyClicks(method, u"PUT"_s);
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"method"_s).toString(), u"PUT"_s);
    QTRY_COMPARE(m_designer->tree()->topLevelItem(0)->child(0)->child(0)->text(1), u"PUT"_s);
    request->showTab(Ui::RequestEditor::BodyTab);
    Ui::BodyEditor *body = request->bodyEditor();
    body->modeBox()->setFocus();
    QTest::keyClick(body->modeBox(), Qt::Key_Down);   // No body → JSON
    QCOMPARE(body->body().mode, Tester::Body::Mode::Json);
    body->textEdit()->setFocus();
    QTest::keyClicks(body->textEdit(), u"{\"sku\":\"B-2\",\"qty\":{{qty}}}"_s);
    QTest::keyClick(body->textEdit(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    // {{qty}} is not JSON: the formatter says where, and the text is left alone.
    QVERIFY(body->problemLabel()->isVisible());
    QVERIFY2(body->problemLabel()->text().contains(u"byte 21"_s),
             qPrintable(body->problemLabel()->text()));
    for (int i = 0; i < 8; ++i)   // "{{qty}}}"
        QTest::keyClick(body->textEdit(), Qt::Key_Backspace);
    QTest::keyClicks(body->textEdit(), u"3}"_s);
    QTest::keyClick(body->textEdit(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(!body->problemLabel()->isVisible());
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"body"_s).toObject().value(u"content"_s).toString(),
                 u"{\n  \"sku\": \"B-2\",\n  \"qty\": 3\n}"_s);
    QCOMPARE(itemOf(documentNow(), {0, 0}).value(u"body"_s).toObject().value(u"mode"_s).toString(), u"json"_s);
    // The rest of the document is kept: metadata is not the tester's.
    QCOMPARE(documentNow().value(u"metadata"_s).toObject().value(u"owner"_s).toString(), u"qa"_s);
    QVERIFY(m_window->grab().save(artifact(u"collectiondesigner-request.png"_s)));

    // Undo goes back through the edits; the form follows the text.
    m_designer->undo();   // the formatting
    m_designer->undo();   // the body typed
    m_designer->undo();   // the mode
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"body"_s).toObject().value(u"mode"_s).toString(), QString());
    QCOMPARE(body->body().mode, Tester::Body::Mode::None);
    m_designer->undo();   // PUT
    QTRY_COMPARE(itemOf(documentNow(), {0, 0}).value(u"method"_s).toString(), u"GET"_s);
    QCOMPARE(method->currentText(), u"GET"_s);
    m_designer->redo();
    QTRY_COMPARE(method->currentText(), u"PUT"_s);
}

void TestCollectionDesigner::sendsToALocalServer()
{
    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    const Tester::RequestResult result = sendAndWait();
    QVERIFY2(result.response, qPrintable(result.error ? result.error->message : u"no answer"_s));
    QCOMPARE(result.response->status, 200);
    QCOMPARE(m_received.last(), QByteArray("GET /orders/7?expand=lines"));

    // The response panel: status, body pretty-printed, headers.
    Ui::ResponseView *response = m_designer->responseView();
    QVERIFY(response->statusLabel()->text().startsWith(u"200"_s));
    QVERIFY(response->response().body.contains("\"id\":\"7\""));
    QVERIFY(m_designer->outputTabs()->currentWidget() == response);
    // Every check passed, shown on its row.
    Ui::AssertionEditor *checks = m_designer->requestEditor()->assertionEditor();
    QCOMPARE(result.assertions.size(), 3);
    for (int row = 0; row < 3; ++row) {
        auto *label = qobject_cast<QLabel *>(checks->table()->cellWidget(row, Ui::AssertionEditor::ResultColumn));
        QVERIFY2(label && label->text().contains(u"passed"_s), qPrintable(label ? label->text() : QString()));
    }
    QVERIFY(m_designer->statusLabel()->text().contains(u"3 of 3 passed"_s));

    // The history: the panel and the file in .conflux/history.
    QTRY_COMPARE(m_designer->historyPanel()->entries().size(), 1);
    QCOMPARE(m_designer->historyPanel()->entries().first().status, 200);
    QVERIFY(QFile::exists(QDir(m_project).filePath(u".conflux/history/requests.jsonl"_s)));
    m_designer->requestEditor()->showTab(Ui::RequestEditor::ChecksTab);
    QVERIFY(m_window->grab().save(artifact(u"collectiondesigner-response.png"_s)));

    // The chosen environment is remembered for the project.
    QVERIFY(open());
    QCOMPARE(m_designer->environmentBox()->currentText(), u"Local"_s);
    // ... and the history is read back.
    QTRY_COMPARE(m_designer->historyPanel()->list()->count(), 1);
    // Another environment gives other values: staging.invalid does not resolve.
    chooseEnvironment(u"Staging"_s);
    const Tester::RequestResult staging = sendAndWait();
    QVERIFY(staging.error);
    QVERIFY(!m_designer->responseView()->response().error.isEmpty());
    QTRY_COMPARE(m_designer->historyPanel()->list()->count(), 2);
    // An entry of the history shows its exchange again.
    QListWidget *history = m_designer->historyPanel()->list();
    QTest::mouseClick(history->viewport(), Qt::LeftButton, {}, history->visualItemRect(history->item(1)).center());
    QCOMPARE(m_designer->responseView()->response().status, 200);
    chooseEnvironment(u"Local"_s);
}

void TestCollectionDesigner::failuresAreShownAndTheRestWorks()
{
    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    // A failing check: shown with what was seen.
    m_designer->selectPath({0, 1});
    Tester::RequestResult created = sendAndWait();
    QCOMPARE(created.response->status, 201);
    QCOMPARE(parse(m_lastBody).value(u"qty"_s).toInt(), 3);   // {{qty}} from the collection
    auto *wrong = qobject_cast<QLabel *>(
        m_designer->requestEditor()->assertionEditor()->table()->cellWidget(1, Ui::AssertionEditor::ResultColumn));
    QVERIFY2(wrong->text().startsWith(u"✗"_s), qPrintable(wrong->text()));
    QVERIFY(m_designer->statusLabel()->text().contains(u"1 of 2 passed"_s));

    // An undefined variable: the request is not sent, the error names the variable and where.
    m_designer->selectPath({1});
    const int before = int(m_received.size());
    const Tester::RequestResult undefined = sendAndWait();
    QVERIFY(undefined.error);
    QCOMPARE(undefined.error->code, u"undefined_variable"_s);
    QVERIFY(undefined.error->message.contains(u"nowhere"_s));
    QVERIFY(m_designer->responseView()->response().error.contains(u"nowhere"_s));
    QCOMPARE(m_received.size(), before);

    // ... and the next send works.
    m_designer->selectPath({0, 0});
    QCOMPARE(sendAndWait().response->status, 200);
}

void TestCollectionDesigner::cancelStopsWaiting()
{
    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    m_designer->selectPath({2});
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::sendFinished);
    QTest::mouseClick(m_designer->requestEditor()->sendButton(), Qt::LeftButton);
    QTRY_VERIFY(!m_held.isEmpty());   // the silent server has the request
    QVERIFY(m_designer->isSending());
    QCOMPARE(m_designer->requestEditor()->sendButton()->text(), u"Cancel"_s);
    QTest::keyClick(m_designer->requestEditor()->urlEdit(), Qt::Key_Escape);
    QVERIFY(finished.wait(10'000));
    const auto result = finished.first().first().value<Tester::RequestResult>();
    QCOMPARE(result.error->code, u"cancelled"_s);
    QVERIFY(!m_designer->isSending());
    QCOMPARE(m_designer->requestEditor()->sendButton()->text(), u"Send"_s);
}

void TestCollectionDesigner::sendsThroughTheGateway()
{
    QVERIFY(open(m_node.get()));
    chooseEnvironment(u"Local"_s);
    QTest::mouseClick(m_designer->gatewayBox(), Qt::LeftButton, {}, QPoint(8, m_designer->gatewayBox()->height() / 2));
    QVERIFY(m_designer->gatewayBox()->isChecked());
    const Tester::RequestResult result = sendAndWait();
    QVERIFY2(!result.error, qPrintable(result.error ? result.error->message : QString()));
    // To the gateway's path for the route, which proxied it to the upstream.
    QCOMPARE(result.request->url.toString(), m_node->gatewayUrl() + u"/open/7?expand=lines"_s);
    QCOMPARE(result.response->status, 200);
    QCOMPARE(m_received.last(), QByteArray("GET /orders/7?expand=lines"));
    QVERIFY(result.passed());
}

void TestCollectionDesigner::gatewayWithoutEngineSaysSo()
{
    QVERIFY(open(nullptr));
    chooseEnvironment(u"Local"_s);
    m_designer->gatewayBox()->setChecked(true);
    const Tester::RequestResult result = sendAndWait();
    QCOMPARE(result.error->code, u"gateway_unavailable"_s);
    QVERIFY(m_designer->statusLabel()->text().contains(u"not running"_s));
    QVERIFY(m_received.isEmpty());
}

void TestCollectionDesigner::sendsWithAnEndpointsAuthentication()
{
    // A project endpoint with Basic authentication, its password a secret given as
    // CONFLUX_SECRET_<NAME>, and a request that uses that endpoint's authentication.
    const QString endpointFile = QDir(m_project).filePath(u"endpoints/partner.json"_s);
    writeJson(endpointFile,
              {{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"partner"_s}, {u"name"_s, u"Partner"_s},
               {u"type"_s, u"api"_s}, {u"url"_s, u"http://127.0.0.1:%1"_s.arg(m_upstream.serverPort())},
               {u"authentication"_s, QJsonObject{{u"type"_s, u"basic"_s}, {u"username"_s, u"partner"_s},
                                                 {u"password"_s, QJsonObject{{u"secret"_s, u"partner.password"_s}}}}}});
    qputenv("CONFLUX_SECRET_PARTNER_PASSWORD", "pw-from-env");
    const QString collectionFile = QDir(m_project).filePath(u"collections/smoke.json"_s);
    QJsonObject collection = parse(readAll(collectionFile));
    QJsonArray items = collection.value(u"items"_s).toArray();
    items.prepend(QJsonObject{{u"name"_s, u"As the partner"_s}, {u"method"_s, u"GET"_s},
                              {u"url"_s, u"{{upstream}}/orders/11"_s},
                              {u"auth"_s, QJsonObject{{u"endpoint"_s, u"partner"_s}}}});
    collection.insert(u"items"_s, items);
    writeJson(collectionFile, collection);
    const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(m_project);
    QVERIFY2(loaded.isOk(), qPrintable(loaded.errors.isEmpty() ? QString() : loaded.errors.first().toString()));

    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    m_designer->selectPath({0});
    const Tester::RequestResult result = sendAndWait();
    QVERIFY2(result.response, qPrintable(result.error ? result.error->message : u"no answer"_s));
    QCOMPARE(m_lastAuthorization, "Basic " + QByteArray("partner:pw-from-env").toBase64());
    qunsetenv("CONFLUX_SECRET_PARTNER_PASSWORD");

    // An endpoint that is not there: said, nothing sent.
    QFile::remove(endpointFile);
    const int before = int(m_received.size());
    const Tester::RequestResult missing = sendAndWait();
    QVERIFY(missing.error);
    QCOMPARE(missing.error->code, u"unknown_endpoint"_s);
    QCOMPARE(m_received.size(), before);
}

void TestCollectionDesigner::runsTheCollectionWithAReport()
{
    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    // The silent request would wait for its timeout: it goes first.
    m_designer->selectPath({2});
    m_designer->tree()->setFocus();
    QTest::keyClick(m_designer->tree(), Qt::Key_Delete);
    QTRY_COMPARE(documentNow().value(u"items"_s).toArray().size(), 2);

    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::runFinished);
    QTest::mouseClick(m_designer->findChild<QPushButton *>(u"runCollection"_s), Qt::LeftButton);
    QVERIFY(finished.wait(30'000));
    const auto report = finished.first().first().value<Tester::RunReport>();
    QCOMPARE(report.results.size(), 3);
    QCOMPARE(report.failedCount(), 2);   // the wrong check, the undefined variable
    Ui::RunReportView *view = m_designer->runReport();
    QCOMPARE(view->tree()->topLevelItemCount(), 3);
    QCOMPARE(view->tree()->topLevelItem(0)->text(0), u"orders / Get an order"_s);
    QVERIFY(view->tree()->topLevelItem(0)->text(3).contains(u"passed"_s));
    QVERIFY(view->tree()->topLevelItem(1)->text(3).contains(u"failed"_s));
    QVERIFY(view->summaryLabel()->text().contains(u"1 passed, 2 failed"_s));
    QCOMPARE(m_designer->outputTabs()->currentWidget(), view);
    QVERIFY(m_window->grab().save(artifact(u"collectiondesigner-run.png"_s)));

    // JUnit XML for CI.
    const QString junit = m_dir.filePath(u"report.xml"_s);
    QString error;
    QVERIFY2(view->saveJUnit(junit, &error), qPrintable(error));
    const QByteArray xml = readAll(junit);
    QVERIFY(xml.contains("<testsuites"));
    QVERIFY(xml.contains("failures=\"2\"") || xml.contains("errors=\"1\""));

    // A row shows its exchange.
    QTreeWidget *tree = view->tree();
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(tree->topLevelItem(1)).center());
    QCOMPARE(m_designer->responseView()->response().status, 201);
    // The run went into the history too.
    QTRY_COMPARE(m_designer->historyPanel()->entries().size(), 2);

    // One folder only.
    finished.clear();
    m_designer->run({0});
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.first().first().value<Tester::RunReport>().results.size(), 2);
}

void TestCollectionDesigner::editsTheTree()
{
    QVERIFY(open());
    QTreeWidget *tree = m_designer->tree();
    // + Request, in the folder of the selected request, after it.
    QTest::mouseClick(m_designer->findChild<QToolButton *>(u"addRequest"_s), Qt::LeftButton);
    QTRY_COMPARE(itemOf(documentNow(), {0}).value(u"items"_s).toArray().size(), 3);
    QCOMPARE(itemOf(documentNow(), {0, 1}).value(u"name"_s).toString(), u"New request"_s);
    QCOMPARE(m_designer->currentPath(), (QList<int>{0, 1}));
    QVERIFY(m_designer->requestEditor()->urlEdit()->hasFocus());
    QTest::keyClicks(m_designer->requestEditor()->urlEdit(), u"{{upstream}}/orders/9"_s);
    QTRY_COMPARE(itemOf(documentNow(), {0, 1}).value(u"url"_s).toString(), u"{{upstream}}/orders/9"_s);

    // Renamed in place (F2), moved down (Alt+Down), duplicated (Ctrl+D), deleted (Delete).
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_F2);
    QWidget *editor = QApplication::focusWidget();
    QVERIFY(editor && editor != tree);
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, u"Order nine"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(itemOf(documentNow(), {0, 1}).value(u"name"_s).toString(), u"Order nine"_s);
    QTest::keyClick(tree, Qt::Key_Down, Qt::AltModifier);
    QTRY_COMPARE(itemOf(documentNow(), {0, 2}).value(u"name"_s).toString(), u"Order nine"_s);
    QCOMPARE(m_designer->currentPath(), (QList<int>{0, 2}));
    QTest::keyClick(tree, Qt::Key_D, Qt::ControlModifier);
    QTRY_COMPARE(itemOf(documentNow(), {0}).value(u"items"_s).toArray().size(), 4);
    QCOMPARE(itemOf(documentNow(), {0, 3}).value(u"name"_s).toString(), u"Order nine copy"_s);
    QTest::keyClick(tree, Qt::Key_Delete);
    QTRY_COMPARE(itemOf(documentNow(), {0}).value(u"items"_s).toArray().size(), 3);

    // + Folder at the top level when the collection is selected, its name edited at once.
    tree->setCurrentItem(tree->topLevelItem(0));
    QTest::mouseClick(m_designer->findChild<QToolButton *>(u"addFolder"_s), Qt::LeftButton);
    QTRY_COMPARE(documentNow().value(u"items"_s).toArray().size(), 4);
    editor = QApplication::focusWidget();
    QVERIFY(editor && editor != tree);
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, u"customers"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(itemOf(documentNow(), {3}).value(u"name"_s).toString(), u"customers"_s);
    QVERIFY(Tester::Collection::fromJson(documentNow()));

    // Folder authentication: Basic with a variable; the requests inside inherit it.
    Ui::AuthEditor *auth = m_designer->containerEditor()->authEditor();
    m_designer->selectPath({0});
    auth->typeBox()->setFocus();
    for (int i = 0; i < 2; ++i)
        QTest::keyClick(auth->typeBox(), Qt::Key_Down);   // Inherit → None → Basic
    QTRY_COMPARE(itemOf(documentNow(), {0}).value(u"auth"_s).toObject().value(u"type"_s).toString(), u"basic"_s);
    QTest::keyClicks(auth->field(u"username"_s), u"{{user}}"_s);
    QTest::keyClicks(auth->field(u"password"_s), u"literal"_s);
    // A literal password is refused by the project: the editor says so.
    QVERIFY(auth->findChild<QLabel *>() != nullptr);
    bool warned = false;
    for (QLabel *label : auth->findChildren<QLabel *>())
        warned = warned || (label->isVisible() && label->text().contains(u"refuses"_s));
    QVERIFY(warned);
    QTest::keyClick(auth->field(u"password"_s), Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(auth->field(u"password"_s), u"{{password}}"_s);
    QTRY_COMPARE(itemOf(documentNow(), {0}).value(u"auth"_s).toObject().value(u"password"_s).toString(),
                 u"{{password}}"_s);
    m_designer->selectPath({0, 0});
    QVERIFY(m_designer->findChild<Ui::RequestEditor *>()->authEditor()->findChildren<QLabel *>().size() > 0);
    bool inherits = false;
    for (QLabel *label : m_designer->requestEditor()->authEditor()->findChildren<QLabel *>())
        inherits = inherits || label->text().contains(u"Basic, from the folder orders"_s);
    QVERIFY(inherits);

    // Undo walks it all back to the file as it was.
    const QJsonObject original = parse(readAll(QDir(m_project).filePath(u"collections/smoke.json"_s)));
    for (int i = 0; i < 40 && documentNow() != original; ++i)
        m_designer->undo();
    QCOMPARE(documentNow(), original);
    QTRY_COMPARE(tree->topLevelItem(0)->child(0)->childCount(), 2);
}

void TestCollectionDesigner::copiesAsCurl()
{
    QVERIFY(open());
    chooseEnvironment(u"Local"_s);
    QSignalSpy copied(m_designer, &Ui::CollectionDesigner::curlCopied);
    QTest::keyClick(m_designer->requestEditor()->urlEdit(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(copied.wait(10'000));
    const QString command = copied.first().first().toString();
    QVERIFY2(command.startsWith(u"curl"_s), qPrintable(command));
    QVERIFY2(command.contains(u"http://127.0.0.1:%1/orders/7?expand=lines"_s.arg(m_upstream.serverPort())),
             qPrintable(command));
    QVERIFY(command.contains(u"Accept: application/json"_s));
    QCOMPARE(QApplication::clipboard()->text(), command);
}

void TestCollectionDesigner::importsAPostmanCollection()
{
    QVERIFY(open());
    // A Postman v2.1 collection with a folder, a literal Basic password and a test script.
    const QJsonObject postman{
        {u"info"_s, QJsonObject{{u"name"_s, u"Partner API"_s},
                               {u"schema"_s, u"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"_s}}},
        {u"variable"_s, QJsonArray{QJsonObject{{u"key"_s, u"base"_s}, {u"value"_s, u"http://127.0.0.1:%1"_s.arg(m_upstream.serverPort())}}}},
        {u"auth"_s, QJsonObject{{u"type"_s, u"basic"_s},
                               {u"basic"_s, QJsonArray{QJsonObject{{u"key"_s, u"username"_s}, {u"value"_s, u"partner"_s}},
                                                       QJsonObject{{u"key"_s, u"password"_s}, {u"value"_s, QString::fromLatin1(plantedSecret)}}}}}},
        {u"item"_s, QJsonArray{QJsonObject{
            {u"name"_s, u"orders"_s},
            {u"item"_s, QJsonArray{QJsonObject{
                {u"name"_s, u"Get order 5"_s},
                {u"event"_s, QJsonArray{QJsonObject{{u"listen"_s, u"test"_s},
                                                    {u"script"_s, QJsonObject{{u"exec"_s, QJsonArray{u"pm.response.to.have.status(200);"_s}}}}}}},
                {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s}, {u"url"_s, u"{{base}}/orders/5"_s}}}}}}}}}};
    const QString file = m_dir.filePath(u"partner.postman_collection.json"_s);
    writeJson(file, postman);

    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::postmanFinished);
    QSignalSpy created(m_designer, &Ui::DocumentDesigner::documentCreated);
    m_designer->importPostmanFile(file);
    QVERIFY(finished.wait(10'000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(created.size(), 1);
    QCOMPARE(created.first().first().toString(), u"collections/partner-api.json"_s);
    // No keychain here: the password is not kept anywhere, and the message says what to define.
    const QString message = finished.first().at(1).toString();
    QVERIFY2(message.contains(u"not kept"_s) && message.contains(u"{{"_s), qPrintable(message));
    QVERIFY(filesContaining({m_project}, plantedSecret).isEmpty());

    // The document loads, with its folder, request, the script's check and the {{variable}}.
    const QJsonObject document = parse(readAll(QDir(m_project).filePath(u"collections/partner-api.json"_s)));
    Result<Tester::Collection> imported = Tester::Collection::fromJson(document);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().toString()));
    QCOMPARE(imported->requestCount(), 1);
    QCOMPARE(imported->items.first().items.first().request.assertions.size(), 1);
    QVERIFY(imported->auth.password.text.startsWith(u"{{"_s));
    QVERIFY(Model::ProjectLoader().loadFolder(m_project).isOk());

    // Imported again: a new id, nothing overwritten.
    finished.clear();
    m_designer->importPostmanFile(file);
    QVERIFY(finished.wait(10'000));
    QVERIFY(QFile::exists(QDir(m_project).filePath(u"collections/partner-api-2.json"_s)));
    QFile::remove(QDir(m_project).filePath(u"collections/partner-api.json"_s));
    QFile::remove(QDir(m_project).filePath(u"collections/partner-api-2.json"_s));
}

void TestCollectionDesigner::refusesWhatIsNotACollection()
{
    QVERIFY(open());
    const QString file = m_dir.filePath(u"not-a-collection.json"_s);
    writeJson(file, QJsonObject{{u"openapi"_s, u"3.0.0"_s}});
    const QStringList before = QDir(QDir(m_project).filePath(u"collections"_s)).entryList(QDir::Files);
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::postmanFinished);
    m_designer->importPostmanFile(file);
    QVERIFY(finished.wait(10'000));
    QVERIFY(!finished.first().at(0).toBool());
    const QString message = finished.first().at(1).toString();
    QVERIFY2(message.contains(u"not a Postman collection"_s), qPrintable(message));
    QCOMPARE(m_designer->statusLabel()->text(), message);
    QCOMPARE(QDir(QDir(m_project).filePath(u"collections"_s)).entryList(QDir::Files), before);
    // A file that is not there either.
    finished.clear();
    m_designer->importPostmanFile(m_dir.filePath(u"missing.json"_s));
    QVERIFY(finished.wait(10'000));
    QVERIFY(finished.first().at(1).toString().contains(u"missing.json"_s));
    // The tester still sends.
    chooseEnvironment(u"Local"_s);
    QCOMPARE(sendAndWait().response->status, 200);
}

void TestCollectionDesigner::exportsToPostmanAndBack()
{
    QVERIFY(open());
    const QString file = m_dir.filePath(u"smoke.postman_collection.json"_s);
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::postmanFinished);
    m_designer->exportPostmanFile(file);
    QVERIFY(finished.wait(10'000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    const QByteArray exported = readAll(file);
    QVERIFY(parse(exported).value(u"info"_s).toObject().value(u"schema"_s).toString().contains(u"v2.1.0"_s));
    Result<Tester::PostmanImport> back = Tester::importPostman(exported);
    QVERIFY(back);
    QCOMPARE(back->collection.requestCount(), m_designer->collection().requestCount());
    QCOMPARE(back->collection.items.first().items.first().request.url,
             m_designer->collection().items.first().items.first().request.url);
    // Status and header checks come back; the JSONata check travels as a comment of the test
    // script, since Postman cannot run it.
    QCOMPARE(back->collection.items.first().items.first().request.assertions.size(), 2);
    QVERIFY(exported.contains("Conflux JSONata assertion (runs in Conflux only): id = '7' and currency = 'EUR'"));

    // A place that cannot be written: the message says where and why, nothing else changes.
    finished.clear();
    m_designer->exportPostmanFile(m_dir.filePath(u"no-such-folder/smoke.json"_s));
    QVERIFY(finished.wait(10'000));
    QVERIFY(!finished.first().at(0).toBool());
    QVERIFY2(finished.first().at(1).toString().contains(u"no-such-folder"_s), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(m_designer->statusLabel()->text(), finished.first().at(1).toString());
}

void TestCollectionDesigner::unreadableTextIsReadOnly()
{
    QVERIFY(open());
    // An edit of the text, as typing is (undoable, unlike setPlainText).
    QTextCursor cursor(m_editor->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(u"{ \"kind\": \"Collection\", "_s);
    m_designer->refresh();
    QTRY_VERIFY(!m_designer->tree()->isEnabled());
    QVERIFY(!m_designer->requestEditor()->isEnabled() || !m_designer->requestEditor()->isVisibleTo(m_designer)
            || !m_designer->requestEditor()->parentWidget()->isEnabled());
    // Sending does nothing while the text does not parse.
    QSignalSpy finished(m_designer, &Ui::CollectionDesigner::sendFinished);
    m_designer->send();
    QVERIFY(!m_designer->isSending());
    m_editor->undo();
    m_designer->refresh();
    QTRY_VERIFY(m_designer->tree()->isEnabled());
    QCOMPARE(m_designer->tree()->topLevelItem(0)->text(0), u"Smoke"_s);
}

#endif

QTEST_MAIN(TestCollectionDesigner)
#include "tst_collectiondesigner.moc"
