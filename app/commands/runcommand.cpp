#include "runcommand.h"

#include "base/log.h"
#include "runtime/node.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSocketNotifier>

#include <csignal>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {
namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

// Turns SIGTERM/SIGINT into a Qt notification (a signal handler may only write to a pipe).
bool installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 && ::sigaction(SIGINT, &action, nullptr) == 0;
}

bool parseHostPort(const QString &text, QHostAddress &addressOut, quint16 &portOut)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return false;
    const QHostAddress address = host == u"localhost" ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (address.isNull())
        return false;
    addressOut = address;
    portOut = quint16(port);
    return true;
}

// A gateway holds one descriptor per client and one per upstream connection: raise the soft
// limit on open files to the hard one (as nginx's worker_rlimit_nofile does).
void raiseOpenFileLimit()
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

QString RunCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Run the headless node on a project folder (same as --no-gui).");
}

int RunCommand::run(const QStringList &arguments)
{
    return runNode(arguments, false);
}

int RunCommand::runNode(const QStringList &arguments, bool projectAsOption)
{
    QCommandLineParser parser;
    if (!projectAsOption)
        parser.addPositionalArgument(u"DIR"_s, QCoreApplication::translate("Cli", "The project folder (optional: without it the node runs the active deployed version)."), u"[DIR]"_s);
    const QCommandLineOption noGui(u"no-gui"_s, QCoreApplication::translate("Cli", "Run headless."));
    const QCommandLineOption project(u"project"_s, QCoreApplication::translate("Cli", "The project folder."), u"DIR"_s);
    const QCommandLineOption data(u"data"_s, QCoreApplication::translate("Cli", "The node's data folder (default: %1).").arg(defaultDataFolder()),
                                  u"DIR"_s, defaultDataFolder());
    const QCommandLineOption admin(u"admin-listen"_s, QCoreApplication::translate("Cli", "Admin API address (default 127.0.0.1:8081)."),
                                   u"HOST:PORT"_s, u"127.0.0.1:8081"_s);
    const QCommandLineOption tlsCert(u"tls-cert"_s, QCoreApplication::translate("Cli", "PEM certificate for HTTPS on the admin API."), u"FILE"_s);
    const QCommandLineOption tlsKey(u"tls-key"_s, QCoreApplication::translate("Cli", "PEM private key for HTTPS on the admin API."), u"FILE"_s);
    const QCommandLineOption store(u"store"_s, QCoreApplication::translate("Cli", "PostgreSQL state store: postgres://USER@HOST:PORT/DB[?schema=NAME]."), u"URL"_s);
    const QCommandLineOption credentials(u"credentials"_s, QCoreApplication::translate("Cli", "Folder with one file per secret (default: $CREDENTIALS_DIRECTORY)."), u"DIR"_s);
    const QCommandLineOption listen(u"listen"_s, QCoreApplication::translate("Cli", "API gateway address for the project's routes (default 127.0.0.1:8080)."),
                                    u"HOST:PORT"_s, u"127.0.0.1:8080"_s);
    const QCommandLineOption noGateway(u"no-gateway"_s, QCoreApplication::translate("Cli", "Do not serve the project's routes."));
    const QCommandLineOption threads(u"gateway-threads"_s, QCoreApplication::translate("Cli", "Gateway event loops (default: one per core)."), u"N"_s, u"0"_s);
    const QCommandLineOption gatewayCert(u"gateway-tls-cert"_s, QCoreApplication::translate("Cli", "PEM certificate for HTTPS on the gateway."), u"FILE"_s);
    const QCommandLineOption gatewayKey(u"gateway-tls-key"_s, QCoreApplication::translate("Cli", "PEM private key for HTTPS on the gateway."), u"FILE"_s);
    const QCommandLineOption gatewayCa(u"gateway-client-ca"_s, QCoreApplication::translate("Cli", "PEM CA certificates for mutual TLS on the gateway (routes of type mtls)."), u"FILE"_s);
    parser.addOptions({noGui, data, admin, tlsCert, tlsKey, store, credentials, listen, noGateway, threads, gatewayCert, gatewayKey, gatewayCa});
    if (projectAsOption)
        parser.addOption(project);
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;

    Runtime::NodeOptions options;
    options.projectFolder = projectAsOption ? parser.value(project) : parser.positionalArguments().value(0);
    options.dataFolder = parser.value(data);
    options.tlsCertificateFile = parser.value(tlsCert);
    options.tlsPrivateKeyFile = parser.value(tlsKey);
    options.storeUrl = parser.value(store);
    options.credentialsFolder = parser.value(credentials);
    if (!parseHostPort(parser.value(admin), options.adminAddress, options.adminPort)) {
        err() << QCoreApplication::translate("Cli", "--admin-listen must be HOST:PORT, e.g. 127.0.0.1:8081") << '\n';
        return 2;
    }
    if (!parseHostPort(parser.value(listen), options.gatewayAddress, options.gatewayPort)) {
        err() << QCoreApplication::translate("Cli", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080") << '\n';
        return 2;
    }
    options.gatewayEnabled = !parser.isSet(noGateway);
    bool threadsOk = false;
    options.gatewayThreads = parser.value(threads).toInt(&threadsOk);
    if (!threadsOk || options.gatewayThreads < 0 || options.gatewayThreads > 256) {
        err() << QCoreApplication::translate("Cli", "--gateway-threads must be a number from 0 (one per core) to 256") << '\n';
        return 2;
    }
    options.gatewayTlsCertificateFile = parser.value(gatewayCert);
    options.gatewayTlsPrivateKeyFile = parser.value(gatewayKey);
    options.gatewayClientCaFile = parser.value(gatewayCa);
    raiseOpenFileLimit();
    if (!installSignalHandlers()) {
        err() << QCoreApplication::translate("Cli", "cannot install signal handlers") << '\n';
        return 1;
    }

    Runtime::Node node;
    Result<void> started = node.start(options);
    if (!started) {
        Log::write(QtCriticalMsg, "conflux.runtime", started.error().message,
                   {{u"code"_s, started.error().code}, {u"details"_s, QJsonArray::fromStringList(started.error().details)}});
        return 1;
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &node, [&node] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(g_signalPipe[0], &byte, 1);
        Log::write(QtInfoMsg, "conflux.runtime", u"received signal %1"_s.arg(int(byte)));
        node.stop();
    });
    QObject::connect(&node, &Runtime::Node::stopped, QCoreApplication::instance(), [] { QCoreApplication::exit(0); });
    return QCoreApplication::exec();
}

} // namespace Conflux::Cli
