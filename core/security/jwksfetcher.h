#pragma once

#include "security/jwk.h"

#include <QDateTime>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <atomic>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Conflux::Security {

// Keeps a JwkSetStore filled from an authorization server's JWKS endpoint (the route's
// configured `jwks_url` — never a URL taken from a token).
//
// - Fetches at start(), then again when the answer's Cache-Control max-age says (clamped to
//   [minRefreshMs, maxRefreshMs]; defaultRefreshMs without one).
// - A fetch that fails (network, timeout, status other than 200, more than maxBytes, not a
//   valid JWK Set) keeps the keys it has and is retried after retryMs, doubling up to
//   minRefreshMs; lastError() says why.
// - Key rotation: a verifier that meets a kid the set does not have calls requestRefresh();
//   at most one such fetch per unknownKidCooldownMs, and never two at once, so tokens with
//   made-up kids cannot make Conflux hammer the server.
//
// Threading: a QObject living in the thread that created it (it needs that thread's event
// loop); requestRefresh(), keyCount(), lastError() and lastFetched() may be called from any
// thread.
class JwksFetcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JwksFetcher)

public:
    struct Options
    {
        QUrl url;
        qint64 defaultRefreshMs = 3600 * 1000;
        qint64 minRefreshMs = 60 * 1000;
        qint64 maxRefreshMs = 24 * 3600 * 1000;
        qint64 unknownKidCooldownMs = 60 * 1000;
        qint64 retryMs = 5000;
        int timeoutMs = 10000;
        qint64 maxBytes = 512 * 1024;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    };

    JwksFetcher(Options options, std::shared_ptr<JwkSetStore> store, QObject *parent = nullptr);
    ~JwksFetcher() override;

    void start();
    // Asks for a fetch now because a token named an unknown kid. Returns false when the
    // cooldown or a fetch in progress makes it wait.
    bool requestRefresh();

    const std::shared_ptr<JwkSetStore> &store() const { return m_store; }
    int keyCount() const { return m_keyCount; }
    QString lastError() const;
    QDateTime lastFetched() const;

Q_SIGNALS:
    // After every fetch, with its outcome; keys were replaced only when `ok`.
    void fetched(bool ok);

private:
    void fetch();
    void finished(QNetworkReply *reply);
    void schedule(qint64 ms);

    Options m_options;
    std::shared_ptr<JwkSetStore> m_store;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    qint64 m_nextRetryMs = 0;
    std::atomic<bool> m_inFlight{false};
    std::atomic<qint64> m_lastKidRefresh{0};
    std::atomic<int> m_keyCount{0};
    mutable QMutex m_mutex; // guards the two below
    QString m_lastError;
    QDateTime m_lastFetched;
};

} // namespace Conflux::Security
