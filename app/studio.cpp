#include "studio.h"

#include "base/log.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTextStream>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace Conflux::Studio {
namespace {

bool haveDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
           || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

} // namespace

int run(int &argc, char **argv, void (*setIdentity)())
{
    if (!haveDisplay()) {
        QTextStream(stderr) << "conflux: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset), so "
                               "the studio cannot open.\nRun the headless node instead: "
                               "conflux --no-gui --project DIR\n";
        return 3;
    }
    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setDesktopFileName(u"dev.conflux.Conflux"_s);
    QApplication::setWindowIcon(QIcon(u":/conflux/icons/conflux.svg"_s));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), u"conflux"_s, u"_"_s, u":/i18n"_s))
        QCoreApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.addPositionalArgument(u"PROJECT_DIR"_s, QApplication::translate("Studio", "A project folder to open."));
    const QCommandLineOption project(u"project"_s, QApplication::translate("Studio", "A project folder to open."), u"DIR"_s);
    parser.addOption(project);
    parser.process(app);

    Ui::MainWindow window;
    window.show();
    QString folder = parser.value(project);
    if (folder.isEmpty())
        folder = parser.positionalArguments().value(0);
    if (!folder.isEmpty())
        window.openProject(QDir(folder).absolutePath());
    else
        window.openMostRecentProject();
    return QApplication::exec();
}

} // namespace Conflux::Studio
