// The endpoint designer on its own: a JsonEditor with an endpoint document, the designer over
// it, driven with real key and mouse events; connection tests against servers the test starts
// (an HTTP server on 127.0.0.1, a temporary SQLite database); imports of the connector tests'
// fixtures. Built twice: without a keychain (no D-Bus session: nothing may be written) and,
// with CONFLUX_ENDPOINT_KEYRING, inside a keyring session (with-keyring.sh).

#include "tst_endpointdesigner.h"

void TestEndpointDesigner::initTestCase()
{
#ifdef CONFLUX_ENDPOINT_KEYRING
    if (qEnvironmentVariable("CONFLUX_TEST_KEYRING") != u"1"_s)
        QFAIL("run inside a keyring session: dbus-run-session -- sh tests/ui/with-keyring.sh tst_endpointdesigner_keychain");
#endif
    QCoreApplication::setOrganizationName(u"conflux-tests"_s);
    QCoreApplication::setApplicationName(u"tst_endpointdesigner"_s);
    QStandardPaths::setTestModeEnabled(true);
    for (const QString &folder : studioFolders()) {
        if (folder.contains(u".qttest"_s) && folder.contains(u"conflux-tests"_s))
            QDir(folder).removeRecursively();
    }
    QDir().mkpath(QStringLiteral(CONFLUX_TEST_ARTIFACTS));
}

void TestEndpointDesigner::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = QDir(m_dir->path()).filePath(u"order-hub"_s);
    QVERIFY(QDir().mkpath(m_project));
    QVERIFY(copySample(m_project));
    m_secrets = std::make_unique<Ui::SecretStore>();
}

void TestEndpointDesigner::cleanup()
{
    m_designer.reset();
    m_editor.reset();
    m_secrets.reset();
    m_dir.reset();
}

QString TestEndpointDesigner::artifact(const QString &name) const
{
    return QDir(QStringLiteral(CONFLUX_TEST_ARTIFACTS)).filePath(name);
}

Ui::EndpointDesigner *TestEndpointDesigner::open(const QJsonObject &document)
{
    const QString file = u"endpoints/"_s + document.value(u"id"_s).toString() + u".json"_s;
    m_designer.reset();
    m_editor = std::make_unique<Ui::JsonEditor>(file, m_loader);
    m_editor->load(json(document));
    Ui::DesignerContext context;
    context.projectFolder = m_project;
    context.loader = m_loader;
    context.secrets = m_secrets.get();
    m_designer = std::make_unique<Ui::EndpointDesigner>(m_editor.get(), context);
    m_designer->resize(900, 860);
    m_designer->show();
    m_designer->activateWindow();
    if (!QTest::qWaitForWindowActive(m_designer.get()))
        return nullptr;
    m_designer->refresh();
    return m_designer->hasDocument() ? m_designer.get() : nullptr;
}

FormField *TestEndpointDesigner::field(const QString &pointer) const
{
    return m_designer->field(pointer);
}

void TestEndpointDesigner::typeInto(const QString &pointer, const QString &text)
{
    FormField *f = field(pointer);
    QVERIFY2(f && f->lineEdit(), qPrintable(pointer));
    QScrollArea *scroll = m_designer->findChild<QScrollArea *>();
    scroll->ensureWidgetVisible(f);
    QTest::mouseClick(f->lineEdit(), Qt::LeftButton);
    QTRY_VERIFY(f->lineEdit()->hasFocus());
    f->lineEdit()->selectAll();
    QTest::keyClick(f->lineEdit(), Qt::Key_Delete);
    QTest::keyClicks(f->lineEdit(), text);
    QCoreApplication::processEvents();
}

Ui::Endpoint::ImportPanel *TestEndpointDesigner::choosePostman(const QString &location, const QString &id)
{
    if (!open(parse(readAll(QDir(m_project).filePath(u"endpoints/shop-api.json"_s)))))
        return nullptr;
    m_designer->showPage(Ui::EndpointDesigner::Page::Import);
    Ui::Endpoint::ImportPanel *panel = m_designer->importPanel();
    // The combo box by keyboard: Postman is the last source.
    QComboBox *source = panel->sourceBox();
    source->setFocus();
    while (source->currentIndex() < source->count() - 1)
        QTest::keyClick(source, Qt::Key_Down);
    if (source->currentData().toInt() != int(Ui::Endpoint::ImportSource::PostmanCollection))
        return nullptr;
    QTest::mouseClick(panel->locationEdit(), Qt::LeftButton);
    QTest::keyClicks(panel->locationEdit(), location);
    QTest::mouseClick(panel->idEdit(), Qt::LeftButton);
    QTest::keyClicks(panel->idEdit(), id);
    return panel;
}

void TestEndpointDesigner::shoot(const QString &name, QWidget *scrollTo)
{
    if (scrollTo)
        m_designer->findChild<QScrollArea *>()->ensureWidgetVisible(scrollTo, 0, 0);
    QCoreApplication::processEvents();
    QVERIFY(m_designer->grab().save(artifact(name)));
}

#ifndef CONFLUX_ENDPOINT_KEYRING

void TestEndpointDesigner::restFormByKeyClicks()
{
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"orders-api"_s},
                  {u"name"_s, u"Orders"_s}, {u"type"_s, u"api"_s}}));
    QCOMPARE(m_designer->kind(), EndpointKind::Rest);
    QCOMPARE(m_designer->kindBox()->currentText(), u"REST API"_s);

    // Type the name and the URL key by key: each keystroke is a commit, and neither focus
    // nor the cursor moves while the document is rewritten under the field.
    typeInto(u"/name"_s, u"Orders API"_s);
    QLineEdit *url = field(u"/url"_s)->lineEdit();
    QTest::mouseClick(url, Qt::LeftButton);
    QTRY_VERIFY(url->hasFocus());
    const QString typed = u"https://orders.example.com/v1"_s;
    for (const QChar c : typed) {
        QTest::keyClick(url, c.toLatin1());
        m_designer->refresh();
        QVERIFY(url->hasFocus());
        QCOMPARE(url->cursorPosition(), int(url->text().size()));
    }
    // Move the cursor into the middle and type there: it stays where it was put.
    url->setCursorPosition(8);
    QTest::keyClicks(url, u"eu."_s);
    m_designer->refresh();
    QCOMPARE(url->cursorPosition(), 11);
    QCOMPARE(url->text(), u"https://eu.orders.example.com/v1"_s);

    // Data format through the keyboard on the combo box.
    QComboBox *format = field(u"/data_format"_s)->comboBox();
    format->setFocus();
    QTest::keyClick(format, Qt::Key_Down);   // "The protocol's own" → JSON
    typeInto(u"/configuration/timeout_seconds"_s, u"4x"_s);
    QCOMPARE(field(u"/configuration/timeout_seconds"_s)->errorText(), u"Must be a number"_s);
    QTest::keyClick(field(u"/configuration/timeout_seconds"_s)->lineEdit(), Qt::Key_Backspace);
    typeInto(u"/configuration/retry_attempts"_s, u"2"_s);
    QCheckBox *samples = field(u"/configuration/discover_samples"_s)->checkBox();
    m_designer->findChild<QScrollArea *>()->ensureWidgetVisible(samples);
    QTest::mouseClick(samples, Qt::LeftButton, {}, QPoint(8, samples->height() / 2));
    m_designer->refresh();

    const QJsonObject document = parse(m_editor->text());
    QCOMPARE(document.value(u"name"_s).toString(), u"Orders API"_s);
    QCOMPARE(document.value(u"url"_s).toString(), u"https://eu.orders.example.com/v1"_s);
    QCOMPARE(document.value(u"data_format"_s).toString(), u"json"_s);
    QVERIFY(!document.contains(u"protocol"_s));   // "api" means REST unless it says otherwise
    QCOMPARE(m_designer->kind(), EndpointKind::Rest);
    const QJsonObject configuration = document.value(u"configuration"_s).toObject();
    QCOMPARE(configuration.value(u"timeout_seconds"_s).toInt(), 4);
    QCOMPARE(configuration.value(u"retry_attempts"_s).toInt(), 2);
    QCOMPARE(configuration.value(u"discover_samples"_s).toBool(), true);
    QVERIFY(field(u"/url"_s)->errorText().isEmpty());

    // An edit in the JSON view shows in the form (the field has no focus: it follows).
    QJsonObject edited = parse(m_editor->text());
    edited.insert(u"name"_s, u"Orders API (EU)"_s);
    m_editor->replaceText(json(edited));
    m_designer->refresh();
    QCOMPARE(field(u"/name"_s)->lineEdit()->text(), u"Orders API (EU)"_s);
    m_designer->undo();
    QCOMPARE(field(u"/name"_s)->lineEdit()->text(), u"Orders API"_s);

    // Headers: a row typed into the table becomes the document's "headers".
    QTableWidget *headers = m_designer->headersEditor()->table();
    QTest::mouseClick(m_designer->headersEditor()->findChildren<QPushButton *>().first(), Qt::LeftButton);
    QTRY_COMPARE(headers->rowCount(), 1);
    headers->item(0, 0)->setText(u"Accept"_s);
    headers->item(0, 1)->setText(u"application/json"_s);
    m_designer->refresh();
    QCOMPARE(parse(m_editor->text()).value(u"headers"_s).toObject(),
             (QJsonObject{{u"Accept"_s, u"application/json"_s}}));

    // Undo in the designer is the text's undo: the header goes, the form follows.
    m_designer->undo();
    m_designer->undo();
    QVERIFY(!parse(m_editor->text()).contains(u"headers"_s));
    QCOMPARE(headers->rowCount(), 0);
    m_designer->redo();
    m_designer->redo();
    QCOMPARE(headers->rowCount(), 1);
    shoot(u"endpoint-form-rest.png"_s);
}

void TestEndpointDesigner::invalidUrlShowsInlineError()
{
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"orders-api"_s},
                  {u"name"_s, u"Orders"_s}, {u"type"_s, u"api"_s}, {u"protocol"_s, u"rest"_s},
                  {u"url"_s, u"https://orders.example.com"_s}}));
    FormField *url = field(u"/url"_s);
    QVERIFY(url->errorText().isEmpty());
    auto *message = url->findChild<QLabel *>(u"fieldError"_s);
    QVERIFY(message && !message->isVisible());

    // The field's own check, as it is typed.
    typeInto(u"/url"_s, u"not a url"_s);
    QVERIFY2(url->errorText().contains(u"Not a URL"_s), qPrintable(url->errorText()));
    QVERIFY(message->isVisible());
    // Next to the field: right under its editor, inside the same row.
    QVERIFY(message->geometry().top() >= url->lineEdit()->geometry().bottom());
    QVERIFY(message->geometry().top() - url->lineEdit()->geometry().bottom() < 20);
    shoot(u"endpoint-invalid-url.png"_s, url);

    // The document's problems at /url: the schema's "missing required property" when empty...
    typeInto(u"/url"_s, QString());
    m_designer->refresh();
    QVERIFY(!parse(m_editor->text()).contains(u"url"_s));
    QVERIFY2(url->errorText().contains(u"missing required property \"url\""_s), qPrintable(url->errorText()));
    // ...and the connector's rule that a URL carries no password.
    typeInto(u"/url"_s, u"https://user:pw@orders.example.com/"_s);
    m_designer->refresh();
    QVERIFY2(url->errorText().contains(u"must not carry a user or password"_s), qPrintable(url->errorText()));
    // Fixed: the messages go.
    typeInto(u"/url"_s, u"https://orders.example.com/"_s);
    m_designer->refresh();
    QVERIFY2(url->errorText().isEmpty(), qPrintable(url->errorText()));
    QVERIFY(!message->isVisible());

    // A problem no field shows goes above the form.
    QJsonObject document = parse(m_editor->text());
    document.insert(u"unknown_member"_s, 1);
    m_editor->replaceText(json(document));
    m_designer->refresh();
    QVERIFY2(m_designer->documentProblems().contains(u"unknown_member"_s), qPrintable(m_designer->documentProblems()));

    // A text that does not parse makes the form read-only with the reason.
    m_editor->replaceText("{ \"kind\": ");
    m_designer->refresh();
    QVERIFY(!url->lineEdit()->isEnabled() || !url->lineEdit()->isEnabledTo(m_designer.get()));
    QVERIFY(m_designer->documentProblems().contains(u"does not parse"_s));
}

void TestEndpointDesigner::formPerKind()
{
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"any"_s}, {u"name"_s, u"Any"_s},
                  {u"type"_s, u"api"_s}, {u"url"_s, u"https://x.example.com"_s},
                  {u"configuration"_s, QJsonObject{{u"timeout_seconds"_s, 10}, {u"max_pages"_s, 5}}}}));
    struct Expect
    {
        EndpointKind kind;
        QString type;
        QString protocol;
        QString fieldPointer;   // a field only this form has
        QString shot;
    };
    const QList<Expect> expected{
        {EndpointKind::Soap, u"api"_s, u"soap"_s, u"/configuration/wsdl"_s, u"soap"_s},
        {EndpointKind::ODataV2, u"api"_s, u"odata_v2"_s, u"/configuration/sap_client"_s, u"odata-v2"_s},
        {EndpointKind::ODataV4, u"api"_s, u"odata_v4"_s, u"/configuration/csrf"_s, u"odata-v4"_s},
        {EndpointKind::GraphQL, u"api"_s, u"graphql"_s, u"/configuration/schema_depth"_s, u"graphql"_s},
        {EndpointKind::Sql, u"database"_s, u"sql"_s, u"/configuration/connect_options"_s, u"sql"_s},
        {EndpointKind::Files, u"file_system"_s, u"files"_s, u"/configuration/glob"_s, u"files"_s},
        {EndpointKind::Queue, u"message_queue"_s, u"conflux_broker"_s, u"/configuration/queue"_s, u"queue"_s},
        {EndpointKind::Webhook, u"webhook"_s, u"webhook"_s, u"/data_format"_s, u"webhook"_s},
        {EndpointKind::Rest, u"api"_s, u"rest"_s, u"/configuration/catalog"_s, u"rest-empty"_s},
    };
    QComboBox *kinds = m_designer->kindBox();
    bool timeoutKept = true;
    for (const Expect &e : expected) {
        // Choose the form the way a user does: the combo box, by keyboard.
        kinds->setFocus();
        const int target = kinds->findData(int(e.kind));
        while (kinds->currentIndex() != target)
            QTest::keyClick(kinds, kinds->currentIndex() < target ? Qt::Key_Down : Qt::Key_Up);
        m_designer->refresh();
        QCOMPARE(m_designer->kind(), e.kind);
        const QJsonObject document = parse(m_editor->text());
        QCOMPARE(document.value(u"type"_s).toString(), e.type);
        QCOMPARE(document.value(u"protocol"_s).toString(), e.protocol);
        FormField *own = field(e.fieldPointer);
        QVERIFY2(own && own->isVisibleTo(m_designer.get()), qPrintable(e.fieldPointer));
        // Settings of another connector go (max_pages went with the switch away from REST);
        // those every remote system has stay with the forms that show them.
        const QJsonObject configuration = document.value(u"configuration"_s).toObject();
        QVERIFY(!configuration.contains(u"max_pages"_s));
        // (the files form has no timeout: from there on it is gone, until an undo)
        timeoutKept = timeoutKept && e.kind != EndpointKind::Files;
        QCOMPARE(configuration.contains(u"timeout_seconds"_s), timeoutKept);
        shoot(u"endpoint-form-%1.png"_s.arg(e.shot));
    }
    // Queue on RabbitMQ: the server URL appears only then.
    kinds->setFocus();
    while (kinds->currentIndex() != kinds->findData(int(EndpointKind::Queue)))
        QTest::keyClick(kinds, Qt::Key_Down);
    m_designer->refresh();
    QVERIFY(!field(u"/url"_s)->isVisibleTo(m_designer.get()));
    QCOMPARE(field(u"/configuration/queue"_s)->errorText(), u"Required"_s);
    typeInto(u"/configuration/queue"_s, u"orders"_s);
    QVERIFY(field(u"/configuration/queue"_s)->errorText().isEmpty());
    QCOMPARE(parse(m_editor->text()).value(u"configuration"_s).toObject().value(u"queue"_s).toString(), u"orders"_s);
    QComboBox *broker = field(u"/protocol"_s)->comboBox();
    broker->setFocus();
    QTest::keyClick(broker, Qt::Key_Down);
    m_designer->refresh();
    QCOMPARE(parse(m_editor->text()).value(u"protocol"_s).toString(), u"rabbitmq"_s);
    QVERIFY(field(u"/url"_s)->isVisibleTo(m_designer.get()));
    QVERIFY2(!field(u"/url"_s)->errorText().isEmpty(), "RabbitMQ needs a server URL");
    typeInto(u"/url"_s, u"http://rabbit"_s);
    QVERIFY2(field(u"/url"_s)->errorText().contains(u"amqp"_s), qPrintable(field(u"/url"_s)->errorText()));

    // The authentication section, with a secret field of each kind.
    QVERIFY(open(parse(readAll(QDir(m_project).filePath(u"endpoints/shop-api.json"_s)))));
    FormField *secret = field(u"/authentication/client_secret"_s);
    QVERIFY(secret && secret->isVisibleTo(m_designer.get()));
    QCOMPARE(secret->lineEdit()->echoMode(), QLineEdit::Password);
    QCOMPARE(secret->secretStatus(), u"Keychain item: shop.client_secret"_s);
    QCOMPARE(field(u"/authentication/scopes"_s)->lineEdit()->text(), u"orders.read, customers.read"_s);
    shoot(u"endpoint-auth.png"_s, m_designer->field(u"/configuration/tls/verify_peer"_s));

    // Another auth type keeps only its own members.
    QComboBox *type = field(u"/authentication/type"_s)->comboBox();
    type->setFocus();
    const int basic = type->findData(u"basic"_s);
    while (type->currentIndex() != basic)
        QTest::keyClick(type, Qt::Key_Up);
    m_designer->refresh();
    QCOMPARE(parse(m_editor->text()).value(u"authentication"_s).toObject(),
             (QJsonObject{{u"type"_s, u"basic"_s}}));
    QVERIFY(field(u"/authentication/password"_s)->isVisibleTo(m_designer.get()));
    QVERIFY(!field(u"/authentication/client_secret"_s)->isVisibleTo(m_designer.get()));
    QVERIFY(field(u"/authentication/username"_s)->errorText().contains(u"missing required property"_s));
}

void TestEndpointDesigner::testConnectionShowsLatency()
{
    HttpServer server("[{\"id\": 1, \"name\": \"first\"}, {\"id\": 2, \"name\": \"second\"}]");
    QVERIFY(server.isListening());
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"local-api"_s},
                  {u"name"_s, u"Local API"_s}, {u"type"_s, u"api"_s}, {u"protocol"_s, u"rest"_s},
                  {u"url"_s, server.url()}}));
    // Without resources the REST connector refuses the endpoint, and says which member.
    QSignalSpy finished(m_designer.get(), &Ui::EndpointDesigner::connectionFinished);
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.takeFirst().first().toBool(), false);
    QVERIFY2(m_designer->connectionResult().contains(u"resources"_s), qPrintable(m_designer->connectionResult()));

    // A resource typed into the form's table.
    Ui::Endpoint::ArrayEditor *resources = m_designer->arrayEditor(u"/configuration/resources"_s);
    QVERIFY(resources && resources->isVisibleTo(m_designer.get()));
    m_designer->findChild<QScrollArea *>()->ensureWidgetVisible(resources);
    QTest::mouseClick(resources->findChildren<QPushButton *>().first(), Qt::LeftButton);
    QTRY_COMPARE(resources->table()->rowCount(), 1);
    const QStringList cells{u"items"_s, u"GET"_s, u"/items"_s, QString(), u"id"_s};
    for (int c = 0; c < cells.size(); ++c)
        resources->table()->item(0, c)->setText(cells.at(c));
    m_designer->refresh();
    QCOMPARE(parse(m_editor->text()).value(u"configuration"_s).toObject().value(u"resources"_s).toArray(),
             (QJsonArray{QJsonObject{{u"name"_s, u"items"_s},
                                     {u"method"_s, u"GET"_s},
                                     {u"path"_s, u"/items"_s},
                                     {u"primary_key"_s, QJsonArray{u"id"_s}}}}));
    QCOMPARE(resources->table()->rowCount(), 1);

    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QVERIFY(m_designer->isConnecting() || finished.count() == 1);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.first().first().toBool(), qPrintable(m_designer->connectionResult()));
    QVERIFY2(m_designer->connectionResult().contains(u"Connected in "_s), qPrintable(m_designer->connectionResult()));
    QVERIFY(m_designer->connectionResult().contains(u" ms"_s));
    QVERIFY2(m_designer->connectionResult().contains(u"HTTP 200"_s), qPrintable(m_designer->connectionResult()));
    QVERIFY(!server.requests().isEmpty());
    QVERIFY(server.requests().first().startsWith("GET /items"));
    QVERIFY(!m_designer->isConnecting());
    QVERIFY(m_designer->testButton()->isEnabled());
    shoot(u"endpoint-connection-ok.png"_s);

    // Discovery through the REST connector lists the resource.
    QSignalSpy discovered(m_designer.get(), &Ui::EndpointDesigner::discoveryFinished);
    m_designer->showPage(Ui::EndpointDesigner::Page::Schema);
    QTest::mouseClick(m_designer->discoverButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(discovered.count(), 1, 30000);
    QVERIFY2(discovered.first().first().toBool(), qPrintable(m_designer->schemaStatus()));
    QCOMPARE(m_designer->schemaTree()->topLevelItem(0)->text(0), u"items"_s);
}

void TestEndpointDesigner::refusedPortShowsError()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"gone-api"_s},
                  {u"name"_s, u"Gone"_s}, {u"type"_s, u"api"_s}, {u"protocol"_s, u"rest"_s},
                  {u"url"_s, u"http://127.0.0.1:%1/api"_s.arg(port)},
                  {u"configuration"_s,
                   QJsonObject{{u"retry_attempts"_s, 0},
                               {u"timeout_seconds"_s, 10},
                               {u"resources"_s, QJsonArray{QJsonObject{{u"name"_s, u"items"_s},
                                                                       {u"path"_s, u"/items"_s},
                                                                       {u"record_selector"_s, u""_s}}}}}}}));
    QSignalSpy finished(m_designer.get(), &Ui::EndpointDesigner::connectionFinished);
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.first().first().toBool(), false);
    const QString result = m_designer->connectionResult();
    QVERIFY2(result.contains(u"Connection failed (connection_failed)"_s), qPrintable(result));
    // The cause: where it went and what the system said.
    QVERIFY2(result.contains(QString::number(port)), qPrintable(result));
    QVERIFY2(result.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(result));
    shoot(u"endpoint-connection-refused.png"_s);

    // Cancel while a test waits: the designer is idle at once and ignores the late answer.
    QTcpServer silent;   // accepts and never answers
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QJsonObject document = parse(m_editor->text());
    document.insert(u"url"_s, u"http://127.0.0.1:%1/api"_s.arg(silent.serverPort()));
    m_editor->replaceText(json(document));
    m_designer->refresh();
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QVERIFY(m_designer->isConnecting());
    QVERIFY(m_designer->cancelButton()->isEnabled());
    QTest::mouseClick(m_designer->cancelButton(), Qt::LeftButton);
    QVERIFY(!m_designer->isConnecting());
    QVERIFY(m_designer->connectionResult().startsWith(u"Cancelled"_s));
    QVERIFY(m_designer->testButton()->isEnabled());
}

void TestEndpointDesigner::sqlTestAndSchemaView()
{
    const QString path = QDir(m_dir->path()).filePath(u"shop.db"_s);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"setup"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(u"CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL, "
                        "express BOOLEAN, placed_at DATETIME)"_s),
                 qPrintable(q.lastError().text()));
        QVERIFY(q.exec(u"INSERT INTO orders VALUES (1, 'Globex', 207.75, 1, '2026-11-01T10:00:00Z')"_s));
        QVERIFY(q.exec(u"CREATE TABLE customers (code TEXT PRIMARY KEY, name TEXT)"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"setup"_s);

    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"shop-db"_s},
                  {u"name"_s, u"Shop database"_s}, {u"type"_s, u"database"_s}, {u"protocol"_s, u"sql"_s},
                  {u"url"_s, u"sqlite://"_s + path}}));
    QCOMPARE(m_designer->kind(), EndpointKind::Sql);
    QVERIFY2(field(u"/url"_s)->errorText().isEmpty(), qPrintable(field(u"/url"_s)->errorText()));
    QSignalSpy finished(m_designer.get(), &Ui::EndpointDesigner::connectionFinished);
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.first().first().toBool(), qPrintable(m_designer->connectionResult()));
    QVERIFY2(m_designer->connectionResult().contains(u"SQLite"_s), qPrintable(m_designer->connectionResult()));
    QVERIFY(m_designer->connectionResult().contains(u" ms"_s));

    QSignalSpy discovered(m_designer.get(), &Ui::EndpointDesigner::discoveryFinished);
    m_designer->showPage(Ui::EndpointDesigner::Page::Schema);
    QTest::mouseClick(m_designer->discoverButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(discovered.count(), 1, 30000);
    QVERIFY2(discovered.first().first().toBool(), qPrintable(m_designer->schemaStatus()));
    QTreeWidget *tree = m_designer->schemaTree();
    const QList<QTreeWidgetItem *> orders = tree->findItems(u"orders"_s, Qt::MatchExactly);
    QCOMPARE(orders.size(), 1);
    QHash<QString, QString> types;
    for (int i = 0; i < orders.first()->childCount(); ++i)
        types.insert(orders.first()->child(i)->text(0), orders.first()->child(i)->text(1));
    QCOMPARE(types.value(u"id"_s), u"integer"_s);
    QVERIFY2(types.value(u"customer"_s).startsWith(u"string"_s), qPrintable(types.value(u"customer"_s)));
    QVERIFY2(types.value(u"total"_s).startsWith(u"number"_s), qPrintable(types.value(u"total"_s)));
    QVERIFY(orders.first()->text(2).contains(u"key: id"_s));
    orders.first()->setExpanded(true);
    shoot(u"endpoint-schema-view.png"_s);
}

void TestEndpointDesigner::importDefinition_data()
{
    QTest::addColumn<int>("source");
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<bool>("overHttp");
    QTest::addColumn<QString>("serviceUrl");
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("entity");
    QTest::addColumn<QString>("entityField");

    const QString data = QStringLiteral(CONFLUX_SOURCE_DIR "/tests/connectors/data/");
    using S = Ui::Endpoint::ImportSource;
    QTest::addRow("openapi-file") << int(S::OpenApi) << data + u"shop-openapi.yaml"_s << false << QString()
                                  << u"rest"_s << u"https://eu.shop.example.com/api/v2"_s << u"list_orders"_s
                                  << u"data"_s;
    QTest::addRow("openapi-url") << int(S::OpenApi) << data + u"shop-openapi.yaml"_s << true << QString()
                                 << u"rest"_s << u"https://eu.shop.example.com/api/v2"_s << u"list_orders"_s
                                 << u"data"_s;
    QTest::addRow("wsdl-file") << int(S::Wsdl) << data + u"calculator_soap12.wsdl"_s << false << QString()
                               << u"soap"_s << u"https://calc.example.com/soap12"_s << u"Evaluate"_s
                               << u"EvaluateResponse"_s;
    QTest::addRow("wsdl-rfc") << int(S::Wsdl) << data + u"sap_rfc_flight.wsdl"_s << false
                              << u"https://sap.example.com/sap/bc/soap/rfc"_s << u"soap"_s
                              << u"https://sap.example.com/sap/bc/soap/rfc"_s << QString() << QString();
    QTest::addRow("metadata-v4") << int(S::ODataMetadata) << data + u"cap_bookshop_v4.xml"_s << false
                                 << u"http://localhost:4004/odata/v4/catalog"_s << u"odata_v4"_s
                                 << u"http://localhost:4004/odata/v4/catalog/"_s << u"Books"_s << u"title"_s;
    QTest::addRow("metadata-v2-url") << int(S::ODataMetadata) << data + u"sap_business_partner_v2.xml"_s << true
                                     << QString() << u"odata_v2"_s << QString() << QString() << QString();
}

void TestEndpointDesigner::importDefinition()
{
    QFETCH(int, source);
    QFETCH(QString, fixture);
    QFETCH(bool, overHttp);
    QFETCH(QString, serviceUrl);
    QFETCH(QString, protocol);
    QFETCH(QString, url);
    QFETCH(QString, entity);
    QFETCH(QString, entityField);

    HttpServer server(readAll(fixture), "application/xml");
    QVERIFY(server.isListening());
    QVERIFY(open(parse(readAll(QDir(m_project).filePath(u"endpoints/shop-api.json"_s)))));
    m_designer->showPage(Ui::EndpointDesigner::Page::Import);
    Ui::Endpoint::ImportPanel *panel = m_designer->importPanel();
    panel->setSource(Ui::Endpoint::ImportSource(source));
    const QString location = overHttp ? server.url(u"/service/$metadata"_s) : fixture;
    panel->setLocation(location);
    QTest::keyClicks(panel->idEdit(), u"imported-api"_s);
    panel->setServiceUrl(serviceUrl);
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(imported.count() == 1, qPrintable(panel->resultText()));
    QCOMPARE(imported.first().first().toString(), u"endpoints/imported-api.json"_s);
    if (overHttp)
        QVERIFY(!server.requests().isEmpty());

    // The document on disk: canonical, valid against the schema, with no secret values.
    const QByteArray text = readAll(QDir(m_project).filePath(u"endpoints/imported-api.json"_s));
    QVERIFY(!text.isEmpty());
    const Model::Diagnostics problems = m_loader->validateDocument(u"endpoints/imported-api.json"_s, text);
    QVERIFY2(problems.isEmpty(), qPrintable(Model::toStrings(problems).join(u'\n')));
    const QJsonObject document = parse(text);
    QCOMPARE(document.value(u"id"_s).toString(), u"imported-api"_s);
    QCOMPARE(document.value(u"protocol"_s).toString(), protocol);
    if (!url.isEmpty())
        QCOMPARE(document.value(u"url"_s).toString(), url);
    else if (overHttp)
        QCOMPARE(document.value(u"url"_s).toString(), server.url(u"/service/"_s));
    const QJsonObject configuration = document.value(u"configuration"_s).toObject();
    if (protocol == u"rest"_s) {
        QVERIFY(!configuration.value(u"operations"_s).toObject().isEmpty()
                || !configuration.value(u"operations"_s).toArray().isEmpty());
        QVERIFY(!configuration.value(u"resources"_s).toArray().isEmpty());
    }
    if (protocol == u"soap"_s)
        QCOMPARE(configuration.value(u"wsdl"_s).toString(), location);
    QVERIFY(panel->resultText().startsWith(u"Created endpoints/imported-api.json"_s));

    // The schema view shows what the definition describes, with types.
    QTreeWidget *tree = m_designer->schemaTree();
    QVERIFY(tree->topLevelItemCount() > 0);
    if (!entity.isEmpty()) {
        const QList<QTreeWidgetItem *> items = tree->findItems(entity, Qt::MatchExactly);
        QCOMPARE(items.size(), 1);
        const QList<QTreeWidgetItem *> fields = tree->findItems(entityField, Qt::MatchExactly | Qt::MatchRecursive);
        QVERIFY2(!fields.isEmpty(), qPrintable(entityField));
        QVERIFY(!fields.first()->text(1).isEmpty());
    }
    if (qstrcmp(QTest::currentDataTag(), "metadata-v4") == 0 || qstrcmp(QTest::currentDataTag(), "wsdl-file") == 0) {
        m_designer->showPage(Ui::EndpointDesigner::Page::Import);
        shoot(u"endpoint-import-%1.png"_s.arg(QString::fromLatin1(QTest::currentDataTag())));
        m_designer->showPage(Ui::EndpointDesigner::Page::Schema);
        tree->expandToDepth(1);
        shoot(u"endpoint-schema-%1.png"_s.arg(QString::fromLatin1(QTest::currentDataTag())));
    }

    // The same id again is refused; the file stays as it was.
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"already exists"_s), qPrintable(panel->resultText()));
    QCOMPARE(readAll(QDir(m_project).filePath(u"endpoints/imported-api.json"_s)), text);
}

void TestEndpointDesigner::importWsdlInsideProjectIsRelative()
{
    // A WSDL kept in the project is referred to relative to it, so the project can move.
    QVERIFY(QDir(m_project).mkpath(u"definitions"_s));
    QVERIFY(QFile::copy(QStringLiteral(CONFLUX_SOURCE_DIR "/tests/connectors/data/calculator_soap12.wsdl"),
                        QDir(m_project).filePath(u"definitions/calc.wsdl"_s)));
    QVERIFY(open(parse(readAll(QDir(m_project).filePath(u"endpoints/shop-api.json"_s)))));
    Ui::Endpoint::ImportPanel *panel = m_designer->importPanel();
    panel->setSource(Ui::Endpoint::ImportSource::Wsdl);
    panel->setLocation(u"definitions/calc.wsdl"_s);
    panel->setEndpointId(u"calc"_s);
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);
    panel->startImport();
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(imported.count() == 1, qPrintable(panel->resultText()));
    const QJsonObject document = parse(readAll(QDir(m_project).filePath(u"endpoints/calc.json"_s)));
    const QJsonObject configuration = document.value(u"configuration"_s).toObject();
    QCOMPARE(configuration.value(u"wsdl"_s).toString(), u"definitions/calc.wsdl"_s);
    QCOMPARE(configuration.value(u"soap_version"_s).toString(), u"1.2"_s);
    QCOMPARE(configuration.value(u"binding"_s).toString(), u"CalculatorSoap12Binding"_s);
    QVERIFY(panel->resultText().contains(u"Evaluate, Reset"_s));
}

void TestEndpointDesigner::importErrorsWriteNothing()
{
    QVERIFY(open(parse(readAll(QDir(m_project).filePath(u"endpoints/shop-api.json"_s)))));
    Ui::Endpoint::ImportPanel *panel = m_designer->importPanel();
    const QString data = QStringLiteral(CONFLUX_SOURCE_DIR "/tests/connectors/data/");
    const QStringList before = QDir(m_project + u"/endpoints"_s).entryList(QDir::Files);
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);

    // A WSDL read as $metadata: the parser's error, with where.
    panel->setSource(Ui::Endpoint::ImportSource::ODataMetadata);
    panel->setLocation(data + u"calculator_soap12.wsdl"_s);
    panel->setEndpointId(u"wrong"_s);
    panel->setServiceUrl(u"https://x.example.com/odata/"_s);
    panel->startImport();
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"edmx_not_edmx"_s), qPrintable(panel->resultText()));

    // A file that does not exist.
    panel->setSource(Ui::Endpoint::ImportSource::OpenApi);
    panel->setLocation(data + u"missing.yaml"_s);
    panel->startImport();
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"file_error"_s) && panel->resultText().contains(u"missing.yaml"_s),
             qPrintable(panel->resultText()));

    // A bad id.
    panel->setLocation(data + u"shop-openapi.yaml"_s);
    panel->setEndpointId(u"Bad Id"_s);
    panel->startImport();
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"not an endpoint id"_s), qPrintable(panel->resultText()));

    // A download that does not answer: Cancel ends the wait at once and writes nothing.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    panel->setSource(Ui::Endpoint::ImportSource::OpenApi);
    panel->setLocation(u"http://127.0.0.1:%1/openapi.yaml"_s.arg(silent.serverPort()));
    panel->setEndpointId(u"never"_s);
    panel->startImport();
    QVERIFY(panel->isBusy());
    QVERIFY(panel->resultText().startsWith(u"Downloading"_s));
    QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), 20000);   // the download is under way
    panel->cancel();
    QVERIFY(!panel->isBusy());
    QVERIFY(panel->importButton()->isEnabled());
    QVERIFY(panel->resultText().contains(u"nothing was written"_s));

    QCOMPARE(imported.count(), 0);
    QCOMPARE(QDir(m_project + u"/endpoints"_s).entryList(QDir::Files), before);
}

void TestEndpointDesigner::passwordWithoutKeychainWritesNothing()
{
    QVERIFY(open(parse(readAll(QDir(m_project).filePath(u"endpoints/erp-db.json"_s)))));
    QCOMPARE(m_designer->kind(), EndpointKind::Sql);
    const QByteArray before = m_editor->text();
    FormField *password = field(u"/authentication/password"_s);
    QVERIFY(password && password->isVisibleTo(m_designer.get()));
    QCOMPARE(password->lineEdit()->echoMode(), QLineEdit::Password);

    QSignalSpy refused(m_designer.get(), &Ui::EndpointDesigner::secretRefused);
    typeInto(u"/authentication/password"_s, QString::fromLatin1(plantedSecret));
    QTest::keyClick(password->lineEdit(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, 20000);
    QVERIFY2(password->secretStatus().contains(u"not available"_s), qPrintable(password->secretStatus()));
    QVERIFY(password->secretStatus().contains(u"nothing was written"_s));
    m_designer->refresh();
    shoot(u"endpoint-auth-no-keychain.png"_s, password);

    // Nothing anywhere: not the document, not the project, not the studio's folders.
    QCOMPARE(m_editor->text(), before);
    QVERIFY(!m_editor->toPlainText().contains(QString::fromLatin1(plantedSecret)));
    QCOMPARE(filesContaining(QStringList{m_dir->path()} + studioFolders(), plantedSecret), QStringList());

    // A test connection that needs the secret says it cannot read the keychain.
    QSignalSpy finished(m_designer.get(), &Ui::EndpointDesigner::connectionFinished);
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY2(m_designer->connectionResult().contains(u"erp-db.password"_s), qPrintable(m_designer->connectionResult()));
    QVERIFY(m_designer->connectionResult().contains(u"keychain"_s));
}

#else

void TestEndpointDesigner::passwordGoesIntoKeychain()
{
    // A REST API with basic authentication against a server that records the Authorization
    // header: the password typed into the form reaches the server only through the keychain.
    HttpServer server("[{\"id\": 1}]");
    QVERIFY(server.isListening());
    QVERIFY(open({{u"kind"_s, u"Endpoint"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"vault-api"_s},
                  {u"name"_s, u"Vault"_s}, {u"type"_s, u"api"_s}, {u"protocol"_s, u"rest"_s},
                  {u"url"_s, server.url()},
                  {u"configuration"_s,
                   QJsonObject{{u"resources"_s, QJsonArray{QJsonObject{{u"name"_s, u"items"_s},
                                                                       {u"path"_s, u"/items"_s},
                                                                       {u"record_selector"_s, u""_s}}}}}}}));
    QComboBox *type = field(u"/authentication/type"_s)->comboBox();
    type->setFocus();
    QTest::keyClick(type, Qt::Key_Down);   // None → Basic
    m_designer->refresh();
    typeInto(u"/authentication/username"_s, u"conflux"_s);
    QSignalSpy stored(m_designer.get(), &Ui::EndpointDesigner::secretStored);
    typeInto(u"/authentication/password"_s, QString::fromLatin1(plantedSecret));
    QTest::keyClick(field(u"/authentication/password"_s)->lineEdit(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(stored.count(), 1, 20000);
    QCOMPARE(stored.first().at(1).toString(), u"endpoints.vault-api.password"_s);
    m_designer->refresh();

    const QJsonObject auth = parse(m_editor->text()).value(u"authentication"_s).toObject();
    QCOMPARE(auth.value(u"password"_s).toObject(),
             (QJsonObject{{u"secret"_s, u"endpoints.vault-api.password"_s}}));
    QVERIFY(field(u"/authentication/password"_s)->typedText().isEmpty());
    QVERIFY(!m_editor->text().contains(plantedSecret));
    QCOMPARE(filesContaining(QStringList{m_dir->path()} + studioFolders(), plantedSecret), QStringList());
    shoot(u"endpoint-auth-keychain.png"_s, field(u"/authentication/password"_s));

    // The keychain holds it.
    bool done = false;
    QString value;
    m_secrets->read(u"endpoints.vault-api.password"_s, this, [&](Result<QString> r) {
        value = r ? *r : QString();
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    QCOMPARE(value.toLatin1(), plantedSecret);

    // Test connection reads it from the keychain and the connector sends it.
    QSignalSpy finished(m_designer.get(), &Ui::EndpointDesigner::connectionFinished);
    QTest::mouseClick(m_designer->testButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.first().first().toBool(), qPrintable(m_designer->connectionResult()));
    const QByteArray expected = "Basic " + ("conflux:" + plantedSecret).toBase64();
    QVERIFY(!server.requests().isEmpty());
    QVERIFY2(server.requests().first().contains(expected), server.requests().first().constData());

    // Cleanup of the keychain item.
    done = false;
    m_secrets->remove(u"endpoints.vault-api.password"_s, this, [&](Result<void>) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
}

#endif

QTEST_MAIN(TestEndpointDesigner)
