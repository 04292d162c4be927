// The endpoint designer's Postman collection import (the fixture: tst_endpointdesigner.h):
// one endpoint per base URL, the errors, and (keyring build) the password in the keychain.

#include "tst_endpointdesigner.h"

#ifndef CONFLUX_ENDPOINT_KEYRING

void TestEndpointDesigner::importPostmanCollection()
{
    // A collection in the project: two base URLs ({{baseUrl}} defined in the collection and a
    // token service), basic auth with a literal password, a folder, GET, POST and DELETE.
    QVERIFY(QDir(m_project).mkpath(u"definitions"_s));
    QVERIFY(QFile::copy(QStringLiteral(CONFLUX_SOURCE_DIR "/tests/tester/fixtures/shop-endpoints.postman_collection.json"),
                        QDir(m_project).filePath(u"definitions/shop.postman_collection.json"_s)));
    const QByteArray password = "Pl4nted-Postman-Secret";
    Ui::Endpoint::ImportPanel *panel = choosePostman(u"definitions/shop.postman_collection.json"_s, u"shop"_s);
    QVERIFY(panel);
    QVERIFY(panel->idEdit()->placeholderText().contains(u"collection"_s));
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);
    QSignalSpy panelImported(panel, &Ui::Endpoint::ImportPanel::imported);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);

    // One document per base URL, each announced.
    QVERIFY2(imported.count() == 2, qPrintable(panel->resultText()));
    QCOMPARE(imported.at(0).first().toString(), u"endpoints/shop.json"_s);
    QCOMPARE(imported.at(1).first().toString(), u"endpoints/shop-2.json"_s);
    QCOMPARE(panelImported.count(), 2);
    QVERIFY(panelImported.at(0).at(1).value<Connectors::ImportedEndpoint>().operations.contains(u"list_orders"_s));

    const QByteArray shopText = readAll(QDir(m_project).filePath(u"endpoints/shop.json"_s));
    const QByteArray authText = readAll(QDir(m_project).filePath(u"endpoints/shop-2.json"_s));
    for (const auto &[file, text] : {std::pair{u"endpoints/shop.json"_s, shopText}, std::pair{u"endpoints/shop-2.json"_s, authText}}) {
        const Model::Diagnostics problems = m_loader->validateDocument(file, text);
        QVERIFY2(problems.isEmpty(), qPrintable(Model::toStrings(problems).join(u'\n')));
    }
    const QJsonObject shop = parse(shopText);
    QCOMPARE(shop.value(u"protocol"_s).toString(), u"rest"_s);
    QCOMPARE(shop.value(u"url"_s).toString(), u"https://shop.example.com/api/v1"_s);
    const QJsonObject auth = shop.value(u"authentication"_s).toObject();
    QCOMPARE(auth.value(u"type"_s).toString(), u"basic"_s);
    QCOMPARE(auth.value(u"username"_s).toString(), u"shop-user"_s);
    QCOMPARE(auth.value(u"password"_s).toObject(), (QJsonObject{{u"secret"_s, u"endpoints.shop.password"_s}}));
    const QJsonObject configuration = shop.value(u"configuration"_s).toObject();
    const QJsonArray operations = configuration.value(u"operations"_s).toArray();
    QCOMPARE(operations.size(), 4);
    QCOMPARE(operations.at(1).toObject().value(u"method"_s).toString(), u"POST"_s);
    QCOMPARE(operations.at(1).toObject().value(u"path"_s).toString(), u"/orders"_s);
    QCOMPARE(operations.at(2).toObject().value(u"path"_s).toString(), u"/orders/{orderId}"_s);
    const QJsonArray resources = configuration.value(u"resources"_s).toArray();
    QCOMPARE(resources.size(), 1);
    QCOMPARE(resources.at(0).toObject().value(u"record_selector"_s).toString(), u"/data"_s);
    QCOMPARE(resources.at(0).toObject().value(u"write"_s).toObject().value(u"insert"_s).toObject().value(u"path"_s).toString(),
             u"/orders"_s);
    const QJsonObject token = parse(authText);
    QCOMPARE(token.value(u"url"_s).toString(), u"https://auth.example.com"_s);
    QCOMPARE(token.value(u"authentication"_s).toObject().value(u"type"_s).toString(), u"none"_s);

    // The password is nowhere but in the collection it came from: no keychain here, so the
    // panel names the secret to set.
    QCOMPARE(filesContaining(QStringList{m_dir->path()} + studioFolders(), password),
             QStringList{QDir(m_project).filePath(u"definitions/shop.postman_collection.json"_s)});
    const QString result = panel->resultText();
    QVERIFY2(result.startsWith(u"Created endpoints/shop.json, endpoints/shop-2.json"_s), qPrintable(result));
    QVERIFY(result.contains(u"Set these secrets"_s));
    QVERIFY(result.contains(u"endpoints.shop.password (endpoints/shop.json, /authentication/password)"_s));
    QVERIFY(result.contains(u"not available"_s));
    QVERIFY(result.contains(u"pre-request script not run"_s));
    QVERIFY(result.contains(u"X-Session-Token"_s));
    QVERIFY(!result.contains(QString::fromLatin1(password)));
    // The schema view shows what the import described.
    QVERIFY(m_designer->schemaTree()->topLevelItemCount() > 0);
    shoot(u"endpoint-import-postman.png"_s);

    // Again: endpoints/shop.json exists, nothing is written or changed.
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"already exists"_s), qPrintable(panel->resultText()));
    QCOMPARE(readAll(QDir(m_project).filePath(u"endpoints/shop.json"_s)), shopText);
    QCOMPARE(imported.count(), 2);
    QVERIFY(!QFileInfo::exists(QDir(m_project).filePath(u"endpoints/shop-3.json"_s)));
}

void TestEndpointDesigner::importPostmanErrors()
{
    const QStringList before = QDir(m_project + u"/endpoints"_s).entryList(QDir::Files);
    // A JSON file that is not a collection: an endpoint document of the project.
    Ui::Endpoint::ImportPanel *panel = choosePostman(u"endpoints/shop-api.json"_s, u"wrong"_s);
    QVERIFY(panel);
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);
    QSignalSpy failed(panel, &Ui::Endpoint::ImportPanel::failed);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"postman_invalid"_s), qPrintable(panel->resultText()));
    QVERIFY(panel->resultText().contains(u"not a Postman collection"_s));
    QVERIFY(panel->resultText().contains(u"/info: missing"_s));
    QVERIFY(panel->resultText().contains(u"Conflux Endpoint document"_s));
    QCOMPARE(failed.count(), 1);
    shoot(u"endpoint-import-postman-error.png"_s);

    // A collection whose {{baseUrl}} is left to a Postman environment: the request is named by
    // its JSON pointer, and the service URL makes it importable.
    const QJsonObject collection{
        {u"info"_s, QJsonObject{{u"name"_s, u"Open"_s}}},
        {u"item"_s, QJsonArray{QJsonObject{{u"name"_s, u"Items"_s},
                                           {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s},
                                                                      {u"url"_s, u"{{baseUrl}}/items"_s}}}}}}};
    QFile file(QDir(m_project).filePath(u"open.postman_collection.json"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json(collection));
    file.close();
    panel->locationEdit()->clear();
    QTest::keyClicks(panel->locationEdit(), u"open.postman_collection.json"_s);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(panel->resultText().contains(u"postman_unresolved"_s), qPrintable(panel->resultText()));
    QVERIFY(panel->resultText().contains(u"/item/0/request/url"_s));
    QVERIFY(panel->resultText().contains(u"service URL"_s));
    QCOMPARE(imported.count(), 0);
    QCOMPARE(QDir(m_project + u"/endpoints"_s).entryList(QDir::Files), before);

    QTest::mouseClick(panel->serviceUrlEdit(), Qt::LeftButton);
    QTest::keyClicks(panel->serviceUrlEdit(), u"https://items.example.com/v2"_s);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(imported.count() == 1, qPrintable(panel->resultText()));
    QCOMPARE(parse(readAll(QDir(m_project).filePath(u"endpoints/wrong.json"_s))).value(u"url"_s).toString(),
             u"https://items.example.com/v2"_s);
}

#else

void TestEndpointDesigner::importPostmanKeepsPasswordInKeychain()
{
    // The password the collection held goes into the keychain under the document's reference.
    const QByteArray password = "Pl4nted-Postman-Secret";
    const QString location = QStringLiteral(CONFLUX_SOURCE_DIR "/tests/tester/fixtures/shop-endpoints.postman_collection.json");
    Ui::Endpoint::ImportPanel *panel = choosePostman(location, u"vault-shop"_s);
    QVERIFY(panel);
    QSignalSpy imported(m_designer.get(), &Ui::EndpointDesigner::endpointImported);
    QTest::mouseClick(panel->importButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 30000);
    QVERIFY2(imported.count() == 2, qPrintable(panel->resultText()));
    QVERIFY2(panel->resultText().contains(u"Saved in the OS keychain: endpoints.vault-shop.password"_s),
             qPrintable(panel->resultText()));
    QVERIFY(!panel->resultText().contains(u"Set these secrets"_s));
    QCOMPARE(parse(readAll(QDir(m_project).filePath(u"endpoints/vault-shop.json"_s)))
                 .value(u"authentication"_s).toObject().value(u"password"_s).toObject(),
             (QJsonObject{{u"secret"_s, u"endpoints.vault-shop.password"_s}}));
    QCOMPARE(filesContaining(QStringList{m_dir->path()} + studioFolders(), password), QStringList());
    shoot(u"endpoint-import-postman-keychain.png"_s);

    bool done = false;
    QString value;
    m_secrets->read(u"endpoints.vault-shop.password"_s, this, [&](Result<QString> r) {
        value = r ? *r : QString();
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    QCOMPARE(value.toLatin1(), password);
    done = false;
    m_secrets->remove(u"endpoints.vault-shop.password"_s, this, [&](Result<void>) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
}

#endif
