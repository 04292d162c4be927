#pragma once

// The fixture of tst_endpointdesigner (tst_endpointdesigner.cpp: forms, connection tests,
// definition imports, credentials; tst_endpointdesigner_postman.cpp: Postman collections).

#include "studiotest.h"

#include "endpoint/arrayeditor.h"
#include "endpoint/endpointdesigner.h"
#include "endpoint/formfield.h"
#include "endpoint/headerseditor.h"
#include "endpoint/importpanel.h"
#include "endpoint/schematree.h"
#include "jsoneditor.h"
#include "model/projectloader.h"
#include "secretstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace StudioTest;
using Ui::Endpoint::EndpointKind;
using Ui::Endpoint::FormField;

namespace EndpointDesignerTest {

// A tiny HTTP/1.1 server on 127.0.0.1: answers every request with `body` and remembers the
// request heads. Runs on the test's thread (the QTRY_ loops keep it serving).
class HttpServer final : public QObject
{
public:
    explicit HttpServer(QByteArray body, QByteArray contentType = "application/json")
        : m_body(std::move(body))
        , m_contentType(std::move(contentType))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_buffers[socket] += socket->readAll();
                    if (!m_buffers[socket].contains("\r\n\r\n"))
                        return;
                    m_requests.append(m_buffers.take(socket));
                    socket->write("HTTP/1.1 200 OK\r\nServer: tst-endpoint\r\nContent-Type: " + m_contentType
                                  + "\r\nContent-Length: " + QByteArray::number(m_body.size())
                                  + "\r\nConnection: close\r\n\r\n" + m_body);
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_listening = m_server.listen(QHostAddress::LocalHost, 0);
    }
    bool isListening() const { return m_listening; }
    QString url(const QString &path = {}) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path);
    }
    const QList<QByteArray> &requests() const { return m_requests; }

private:
    QTcpServer m_server;
    QByteArray m_body;
    QByteArray m_contentType;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QByteArray> m_requests;
    bool m_listening = false;
};

inline QJsonObject parse(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

inline QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson();
}

} // namespace EndpointDesignerTest

using namespace EndpointDesignerTest;

class TestEndpointDesigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
#ifndef CONFLUX_ENDPOINT_KEYRING
    void restFormByKeyClicks();
    void invalidUrlShowsInlineError();
    void formPerKind();
    void testConnectionShowsLatency();
    void refusedPortShowsError();
    void sqlTestAndSchemaView();
    void importDefinition_data();
    void importDefinition();
    void importWsdlInsideProjectIsRelative();
    void importErrorsWriteNothing();
    void importPostmanCollection();
    void importPostmanErrors();
    void passwordWithoutKeychainWritesNothing();
#else
    void passwordGoesIntoKeychain();
    void importPostmanKeepsPasswordInKeychain();
#endif

private:
    // A designer over a JsonEditor holding `document` as endpoints/<id>.json of the project.
    Ui::EndpointDesigner *open(const QJsonObject &document);
    QString artifact(const QString &name) const;
    void shoot(const QString &name, QWidget *scrollTo = nullptr);
    FormField *field(const QString &pointer) const;
    void typeInto(const QString &pointer, const QString &text);
    // The import page with a Postman collection chosen and `location` and `id` typed in, by keys.
    Ui::Endpoint::ImportPanel *choosePostman(const QString &location, const QString &id);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
    std::shared_ptr<const Model::ProjectLoader> m_loader = std::make_shared<Model::ProjectLoader>();
    std::unique_ptr<Ui::SecretStore> m_secrets;
    std::unique_ptr<Ui::JsonEditor> m_editor;
    std::unique_ptr<Ui::EndpointDesigner> m_designer;
};
