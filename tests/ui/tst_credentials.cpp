// Keeping credentials out of autosave copies and suggesting keychain names.

#include "credentials.h"

#include "model/jsontext.h"
#include "model/projectloader.h"

#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Conflux;

class TestCredentials : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scrub_data();
    void scrub();
    void scrubKeepsTypedLayout();
    void suggestName_data();
    void suggestName();
    void pointers();
};

void TestCredentials::scrub_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("removed");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("no credentials")
        << QByteArray("{\"kind\": \"Endpoint\", \"url\": \"https://x\", \"token_url\": \"https://t\"}\n") << false
        << QByteArray("{\"kind\": \"Endpoint\", \"url\": \"https://x\", \"token_url\": \"https://t\"}\n");
    QTest::addRow("reference kept")
        << QByteArray("{\"password\": {\"secret\": \"a.b\"}}") << false << QByteArray("{\"password\": {\"secret\": \"a.b\"}}");
    QTest::addRow("parsed nested")
        << QByteArray("{\n  \"authentication\": {\n    \"password\": \"hunter2\",\n    \"user\": \"u\"\n  }\n}\n") << true
        << QByteArray("{\n  \"authentication\": {\n    \"password\": \"\",\n    \"user\": \"u\"\n  }\n}\n");
    QTest::addRow("parsed several, in an array")
        << QByteArray("{\"a\": [{\"api_key\": \"hunter2\"}, {\"client_secret\": \"hunter2\"}]}") << true
        << QByteArray("{\"a\": [{\"api_key\": \"\"}, {\"client_secret\": \"\"}]}");
    QTest::addRow("escaped member name")
        << QByteArray("{\"kind\": \"Endpoint\", \"pass\\u0077ord\": \"hunter2\"}") << true
        << QByteArray("{\"kind\": \"Endpoint\", \"pass\\u0077ord\": \"\"}");
    QTest::addRow("invalid JSON")
        << QByteArray("{\n  \"password\": \"hunter2\",,\n  \"token\" :\n \"hunter2\"\n") << true
        << QByteArray("{\n  \"password\": \"\",,\n  \"token\" :\n \"\"\n");
    QTest::addRow("unterminated while typing")
        << QByteArray("{\n  \"password\": \"hunter2\n  }\n}\n") << true << QByteArray("{\n  \"password\": \"\"\n  }\n}\n");
    QTest::addRow("escaped quote inside the value")
        << QByteArray("{\"Password\": \"hun\\\"ter2\", x}") << true << QByteArray("{\"Password\": \"\", x}");
    QTest::addRow("duplicate member hides the first")
        << QByteArray("{\"password\": \"hunter2\", \"password\": {\"secret\": \"n\"}}") << true
        << QByteArray("{\"password\": \"\", \"password\": {\"secret\": \"n\"}}");
    QTest::addRow("reference kept in invalid JSON")
        << QByteArray("{\"password\": { \"secret\": \"name\" },, \"token\": \"hunter2\"") << true
        << QByteArray("{\"password\": { \"secret\": \"name\" },, \"token\": \"\"");
}

void TestCredentials::scrub()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, removed);
    QFETCH(QByteArray, expected);
    const Ui::ScrubbedText scrubbed = Ui::scrubCredentials(u"endpoints/x.json"_s, text);
    QCOMPARE(scrubbed.credentialsRemoved, removed);
    QCOMPARE(scrubbed.text, expected);
    QVERIFY(!scrubbed.text.contains("hunter2"));
}

void TestCredentials::scrubKeepsTypedLayout()
{
    const QByteArray text = "{\n    \"kind\":\"Endpoint\",   \"password\" :  \"hunter2\" ,\"name\":\"n\"}";
    const Ui::ScrubbedText scrubbed = Ui::scrubCredentials(u"endpoints/x.json"_s, text);
    QCOMPARE(scrubbed.text, QByteArray("{\n    \"kind\":\"Endpoint\",   \"password\" :  \"\" ,\"name\":\"n\"}"));
    const Model::ParsedDocument parsed = Model::parseDocument(u"x"_s, scrubbed.text);
    QVERIFY(parsed.errors.isEmpty());
    QVERIFY(Model::findPlaintextSecrets(u"x"_s, parsed.value.toObject()).isEmpty());
}

void TestCredentials::suggestName_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QStringList>("taken");
    QTest::addColumn<QString>("expected");
    QTest::addRow("endpoint") << u"endpoints/crm.json"_s << u"/authentication/password"_s << QStringList()
                              << u"endpoints.crm.password"_s;
    QTest::addRow("project") << u"project.json"_s << u"/variables/api_key"_s << QStringList() << u"project.api_key"_s;
    QTest::addRow("taken: full path") << u"endpoints/crm.json"_s << u"/headers/0/token"_s
                                      << QStringList{u"endpoints.crm.token"_s}
                                      << u"endpoints.crm.headers.token"_s;
    QTest::addRow("taken twice: numbered") << u"sap/s4.json"_s << u"/password"_s
                                           << QStringList{u"sap.s4.password"_s} << u"sap.s4.password-2"_s;
    QTest::addRow("odd characters") << u"routes/a b.json"_s << u"/x~1y/token"_s << QStringList()
                                    << u"routes.a-b.token"_s;
}

void TestCredentials::suggestName()
{
    QFETCH(QString, file);
    QFETCH(QString, pointer);
    QFETCH(QStringList, taken);
    QFETCH(QString, expected);
    const QString name = Ui::suggestSecretName(file, pointer, taken);
    QCOMPARE(name, expected);
    QVERIFY(Ui::isValidSecretName(name));
}

void TestCredentials::pointers()
{
    const QJsonObject doc{{u"a"_s, QJsonObject{{u"b/c"_s, QJsonArray{1, QJsonObject{{u"p"_s, u"v"_s}}}}}}};
    QCOMPARE(Ui::valueAtPointer(doc, u"/a/b~1c/1/p"_s).toString(), u"v"_s);
    QVERIFY(Ui::valueAtPointer(doc, u"/a/zz"_s).isUndefined());
    const QJsonValue replaced = Ui::replaceAtPointer(doc, u"/a/b~1c/1/p"_s, QJsonObject{{u"secret"_s, u"n"_s}});
    QCOMPARE(Ui::valueAtPointer(replaced, u"/a/b~1c/1/p/secret"_s).toString(), u"n"_s);
    QCOMPARE(Ui::valueAtPointer(replaced, u"/a/b~1c/0"_s).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
