// The keychain path of saving a document with a plaintext credential, against a real
// secret service: gnome-keyring inside a private D-Bus session (see with-keyring.sh).

#include "studiotest.h"

#include "autosave.h"
#include "movesecretsdialog.h"
#include "secretstore.h"

#include <qt6keychain/keychain.h>

#include <QAction>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void secretStoreRoundTrip();
    void saveMovesPlaintextIntoKeychain();

private:
    static QString readWithQtKeychain(const QString &key, QKeychain::Error *error);
};

void TestKeychain::initTestCase()
{
    if (qEnvironmentVariable("CONFLUX_TEST_KEYRING") != u"1"_s)
        QFAIL("run inside a keyring session: dbus-run-session -- sh tests/ui/with-keyring.sh tst_keychain");
    QCoreApplication::setOrganizationName(u"conflux-tests"_s);
    QCoreApplication::setApplicationName(u"tst_keychain"_s);
    QStandardPaths::setTestModeEnabled(true);
    for (const QString &folder : studioFolders()) {
        if (folder.contains(u".qttest"_s) && folder.contains(u"conflux-tests"_s))
            QDir(folder).removeRecursively();
    }
}

QString TestKeychain::readWithQtKeychain(const QString &key, QKeychain::Error *error)
{
    QKeychain::ReadPasswordJob job(u"conflux"_s);
    job.setAutoDelete(false);
    job.setKey(key);
    QSignalSpy finished(&job, &QKeychain::Job::finished);
    job.start();
    if (!finished.wait(10000))
        *error = QKeychain::OtherError;
    else
        *error = job.error();
    return job.textData();
}

void TestKeychain::secretStoreRoundTrip()
{
    Ui::SecretStore store;
    QCOMPARE(Ui::SecretStore::service(), u"conflux"_s);
    bool done = false;
    store.write(u"test.roundtrip"_s, u"value-1"_s, this, [&](Result<void> r) {
        QVERIFY2(r.isOk(), r.isOk() ? "" : qPrintable(r.error().message));
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    done = false;
    QString value;
    store.read(u"test.roundtrip"_s, this, [&](Result<QString> r) {
        QVERIFY(r.isOk());
        value = *r;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    QCOMPARE(value, u"value-1"_s);
    done = false;
    store.remove(u"test.roundtrip"_s, this, [&](Result<void> r) {
        QVERIFY(r.isOk());
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    done = false;
    QString code;
    store.read(u"test.roundtrip"_s, this, [&](Result<QString> r) {
        QVERIFY(!r.isOk());
        code = r.error().code;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    QCOMPARE(code, u"secret_not_found"_s);
}

void TestKeychain::saveMovesPlaintextIntoKeychain()
{
    QTemporaryDir dir;
    const QString project = QDir(dir.path()).filePath(u"order-hub"_s);
    QVERIFY(QDir().mkpath(project) && copySample(project));
    const QString file = u"endpoints/erp-db.json"_s;
    const QString path = QDir(project).filePath(file);
    const QByteArray original = readAll(path);

    Ui::MainWindow window;
    window.resize(1100, 700);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.openProject(project));
    window.setAutosaveInterval(50);
    Ui::JsonEditor *editor = openFromExplorer(window, file);
    QVERIFY(editor);
    QVERIFY(selectRange(editor, u"\"password\": {"_s, u"}"_s));
    QTest::keyClicks(editor, u"\"password\": \"PLANTED-s3cr3t-value\""_s);
    window.autosaveNow();

    QSignalSpy saved(&window, &Ui::MainWindow::documentSaved);
    QTest::keyClick(editor, Qt::Key_S, Qt::ControlModifier);
    Ui::MoveSecretsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = visibleChild<Ui::MoveSecretsDialog>(&window)));
    QCOMPARE(dialog->names(), QStringList{u"endpoints.erp-db.password"_s});
    QLineEdit *name = dialog->nameEdits().first();
    name->selectAll();
    QTest::keyClicks(name, u"test.erp-db.password"_s);
    QTest::keyClick(name, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 20000);

    // The document holds the reference, in canonical form: one line changed.
    const QByteArray written = readAll(path);
    QByteArray expected = original;
    expected.replace("\"secret\": \"erp-db.password\"", "\"secret\": \"test.erp-db.password\"");
    QCOMPARE(written, expected);
    QCOMPARE(editor->text(), written);
    QVERIFY(!editor->isModified());
    QVERIFY(!QFile::exists(QDir(window.autosaveFolder()).filePath(file)));

    // The value is in the keychain, readable through QtKeychain.
    QKeychain::Error error = QKeychain::NoError;
    QCOMPARE(readWithQtKeychain(u"test.erp-db.password"_s, &error), QString::fromLatin1(plantedSecret));
    QCOMPARE(error, QKeychain::NoError);

    // And nowhere on disk that the studio writes.
    const QStringList leaks = filesContaining(QStringList{project} + studioFolders(), plantedSecret);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));

    bool removed = false;
    Ui::SecretStore store;
    store.remove(u"test.erp-db.password"_s, this, [&](Result<void>) { removed = true; });
    QTRY_VERIFY_WITH_TIMEOUT(removed, 10000);
}

QTEST_MAIN(TestKeychain)
#include "tst_keychain.moc"
