#include "model/projectloader.h"
#include "runtime/node.h"
#include "security/tokens.h"
#include "store/statestore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_CoreBoundary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linksNoGraphicalQt()
    {
        // Use every module so the linker keeps them, then read what this process mapped.
        Conflux::Model::ProjectLoader loader;
        Conflux::Runtime::Node node;
        QVERIFY(!Conflux::Security::generateToken().isEmpty());
        QVERIFY(Conflux::Store::StateStore::latestSchemaVersion() > 0);

        QFile maps(u"/proc/self/maps"_s);
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray mapped = maps.readAll();
        QVERIFY(mapped.contains("libQt6Core"));
        QVERIFY2(!mapped.contains("libQt6Gui"), "core pulled in QtGui");
        QVERIFY2(!mapped.contains("libQt6Widgets"), "core pulled in QtWidgets");
    }

    void sourcesIncludeNoGraphicalHeaders()
    {
        // The compiler would already fail (core has no QtGui include path); this names the file.
        static const QRegularExpression graphical(
            u"#\\s*include\\s*[<\"](QtGui|QtWidgets|QtSvg|QApplication|QGuiApplication|QWidget|QImage|QPixmap|QColor|QFont|QIcon|QPainter)"_s);
        QDirIterator it(QStringLiteral(CONFLUX_SOURCE_DIR "/core"), {u"*.h"_s, u"*.cpp"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(file.readAll());
            QVERIFY2(!graphical.match(text).hasMatch(), qPrintable(file.fileName()));
            ++files;
        }
        QVERIFY(files > 20);
    }
};

QTEST_GUILESS_MAIN(tst_CoreBoundary)
#include "tst_coreboundary.moc"
