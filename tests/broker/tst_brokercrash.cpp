// kill -9 reliability of the embedded broker. broker_crash_child publishes to and consumes
// from an EmbeddedBroker with several threads and is killed with SIGKILL after a random
// 10-150 ms, again and again on the same database. After every kill the checker reads the
// child's journal (format in broker_crash_child.cpp) and the database with raw sqlite3, and
// opens a fresh EmbeddedBroker on a copy of it. At the end a broker in this process drains
// every queue, as the last "run".
//
// The journal is written before and after each broker call, never fsynced, so a kill can
// leave exactly these questions open, and the checker answers them from the database at
// the next check (nothing else writes to it in between):
//   S without P  (killed between publish and confirm): committed iff the message is stored
//                or was handed out (a D line); otherwise it is "dead" and must never appear.
//   K without A  (killed around an ack): committed iff the message is no longer stored.
//   a missing D  (killed between receive and journal): the message was not acked (K comes
//                after D), so it is simply still stored.
// With those resolved, every message is stored, acked or dead, and the checker asserts:
//   1. PRAGMA integrity_check is "ok" after every kill.
//   2. The stored messages are exactly the ones the model says are stored: every confirmed
//      publish is stored until acked, no acked message is stored, nothing unknown or dead
//      is stored, nothing is stored twice, each in its own queue (poison: or its DLQ).
//   3. A publishBatch is all or none.
//   4. Exactly-once (queue "eo", consumer group "billing"): the processed records are
//      exactly the acked ids (written atomically with the ack); an id is never stored and
//      processed at once, never stored twice; a publisher retry of an id that was stored is
//      reported as a duplicate (the dedup record survived the kill) and a retry of a dead
//      one is not; a processed id is never handed out again (the effect happens once).
//   5. Delivery counts: the first delivery of a message in a run has the stored count + 1
//      (leases do not survive; the count does), a redelivery in the same run (after a nack)
//      the previous count + 1. The count is written behind the delivery (embeddedbroker.h),
//      so after a kill the stored count is never below the one at the previous check, and
//      equals the last delivery's once a commit submitted after it returned (an ack whose K
//      line follows the D line); it is at most one above (a receive whose D line the kill
//      prevented).
//   6. FIFO (4 groups, 2 consumers): a group's delivered sequence numbers never go back,
//      across all runs; a run starts each group at its oldest stored message; no message of
//      a group is handed out while another one of it is in flight; every stored message of
//      a group is newer than its newest acked one.
//   7. Delayed messages are delivered at or after their due time, also when published
//      before a kill and delivered after the restart.
//   8. Poison (a consumer that dies holding the lease, every run): redelivered after each
//      restart with a growing count, never delivered more than max_delivery_attempts
//      times, and in the dead-letter queue ("max_retries_exceeded") in the end.
//   9. A fresh EmbeddedBroker sees the same messages as sqlite3 (browse), none in flight,
//      FIFO groups in order.
//
// CONFLUX_CRASH_ITERATIONS sets the number of kills of the mixed loop (default 100),
// CONFLUX_CRASH_SEED the random seed (printed at the start); with CONFLUX_CRASH_KEEP set the
// databases and journals are kept for a look.

#include "broker_crash_queues.h"

#include "broker/embeddedbroker.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <algorithm>
#include <map>

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;

namespace {

enum class Status : quint8 { Started, Stored, Acked, Dead };

struct Tracked
{
    QByteArray queue, group, batch;
    qint64 seq = 0, due = 0;
    int publishedRun = 0;
    Status status = Status::Started;
    bool retry = false;           // the current S is a publisher retry
    bool awaitingConfirm = false; // S without P in the current run
    bool expectDuplicate = false; // ... of an id that was committed
    bool ackPending = false;      // K without A in the current run
    int storedCount = 0;          // delivery_count at the last check
    int lastDelivery = 0;         // count of the last D in the current run
    qint64 deliveryLine = 0;      // journal line of that D
    qint64 ackLine = 0;           // journal line of the pending K
    int deliveries = 0;
    int lastDeliveryRun = 0;
    int lowestCount = 0, highestCount = 0; // of all its deliveries
};

struct Row
{
    QByteArray queue, originalQueue;
    int count = 0;
    int reason = 0;
};

struct Totals
{
    int runs = 0, ready = 0;
    QHash<QByteArray, int> confirmed, delivered, acked;
    int deliveredAfterKill = 0, redeliveredAfterKill = 0, fifoResumed = 0, delayedAcrossKill = 0;
    int eoRetries = 0, eoDuplicatesConfirmed = 0, eoRedelivered = 0;
};

// The checker's model of the broker's content, driven by the journal.
class CrashModel
{
public:
    explicit CrashModel(QString journalPath) : m_journalPath(std::move(journalPath)) {}

    QStringList violations;
    Totals totals;

    void violation(const QString &text)
    {
        if (violations.size() < 40)
            violations.append(u"run %1: %2"_s.arg(m_run).arg(text));
    }

    void beginRun(int run)
    {
        m_run = run;
        ++totals.runs;
    }

    // Applies the journal lines the last run appended.
    void readJournal()
    {
        QFile file(m_journalPath);
        if (!file.open(QIODevice::ReadOnly))
            return; // killed before it was created
        file.seek(m_offset);
        const QByteArray data = file.readAll();
        qsizetype start = 0;
        for (;;) {
            const qsizetype end = data.indexOf('\n', start);
            if (end < 0)
                break;
            apply(data.mid(start, end - start).split('\t'));
            start = end + 1;
        }
        if (start != data.size())
            violation(u"half a line at the end of the journal: \"%1\""_s.arg(QString::fromUtf8(data.mid(start))));
        m_offset += data.size();
    }

    void apply(const QList<QByteArray> &f)
    {
        static const QHash<QByteArray, int> arity{{"R", 3}, {"S", 8}, {"P", 4}, {"D", 6}, {"K", 3}, {"A", 3}};
        ++m_line;
        if (f.isEmpty() || (f[0] != "E" && arity.value(f[0], -1) != f.size())) {
            violation(u"bad journal line: %1"_s.arg(QString::fromUtf8(f.join('\t'))));
            return;
        }
        const QByteArray &tag = f[0];
        if (tag == "E") {
            violation(u"the child saw: %1"_s.arg(QString::fromUtf8(f.mid(1).join(' '))));
        } else if (tag == "R") {
            ++totals.ready;
        } else if (tag == "S") {
            started(f);
        } else {
            auto it = m_tracked.find(f[2]);
            if (it == m_tracked.end() || it->queue != f[1]) {
                violation(u"%1 line for %2 in %3, never published there"_s.arg(QString::fromLatin1(tag),
                                                                                  QString::fromLatin1(f[2]),
                                                                                  QString::fromLatin1(f[1])));
                return;
            }
            m_touched.insert(f[2]);
            if (tag == "P")
                confirmed(f[2], *it, f[3] == "1");
            else if (tag == "D")
                delivered(f[2], *it, f[3].toInt(), f[4].toLongLong());
            else if (tag == "K")
                ackStarted(f[2], *it);
            else
                ackReturned(f[2], *it);
        }
    }

    // The database after a kill: resolves what the kill left open, then compares.
    void check(const QString &databasePath)
    {
        sqlite3 *db = nullptr;
        if (sqlite3_open_v2(QFile::encodeName(databasePath).constData(), &db, SQLITE_OPEN_READWRITE, nullptr)
            != SQLITE_OK) {
            violation(u"sqlite3 cannot open the database: %1"_s.arg(QString::fromUtf8(sqlite3_errmsg(db))));
            sqlite3_close(db);
            return;
        }
        QHash<QByteArray, Row> rows;
        QSet<QByteArray> processed;
        if (!readDatabase(db, rows, processed)) {
            sqlite3_close(db);
            return;
        }
        sqlite3_close(db);

        // What the kill left open.
        std::map<QByteArray, std::pair<int, int>> batches; // committed, members
        for (const QByteArray &id : std::as_const(m_touched)) {
            Tracked &t = m_tracked[id];
            if (t.status == Status::Started)
                setStatus(id, t, rows.contains(id) ? Status::Stored : Status::Dead);
            // The publisher does not know: it will send it again.
            if (t.awaitingConfirm && t.queue == "eo")
                m_unconfirmedEo.append(id);
            t.awaitingConfirm = t.retry = t.expectDuplicate = false;
            if (t.ackPending) {
                t.ackPending = false;
                if (!rows.contains(id))
                    setAcked(id, t);
            }
            if (t.batch != "-" && t.publishedRun == m_run) {
                auto &[committed, members] = batches[t.batch];
                committed += t.status != Status::Dead;
                ++members;
            }
        }
        for (const auto &[batch, counts] : batches) {
            if (counts.first != 0 && counts.first != counts.second)
                violation(u"batch %1: %2 of %3 messages stored"_s.arg(QString::fromLatin1(batch))
                              .arg(counts.first)
                              .arg(counts.second));
        }

        // Everything stored is expected, and as expected.
        m_fifoHead.clear();
        for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
            const QByteArray &id = it.key();
            const Row &row = it.value();
            auto t = m_tracked.find(id);
            if (t == m_tracked.end()) {
                violation(u"%1 is stored in %2 but was never published"_s.arg(QString::fromLatin1(id),
                                                                                QString::fromLatin1(row.queue)));
                continue;
            }
            if (t->status != Status::Stored) {
                violation(u"%1 is stored in %2 but was %3"_s.arg(QString::fromLatin1(id), QString::fromLatin1(row.queue),
                                                                  t->status == Status::Acked ? u"acked"_s
                                                                                             : u"never committed"_s));
                continue;
            }
            const bool deadLettered = t->queue == "poison" && row.queue == "poison-dlq";
            if (row.queue != t->queue && !deadLettered) {
                violation(u"%1 is stored in %2, published to %3"_s.arg(QString::fromLatin1(id),
                                                                        QString::fromLatin1(row.queue),
                                                                        QString::fromLatin1(t->queue)));
            }
            if (deadLettered) {
                if (row.reason != int(DeadLetterReason::MaxRetriesExceeded) || row.originalQueue != "poison")
                    violation(u"dead letter %1 has reason %2, original queue %3"_s.arg(QString::fromLatin1(id))
                                  .arg(row.reason)
                                  .arg(QString::fromLatin1(row.originalQueue)));
                t->storedCount = 0;
                continue;
            }
            // A delivery count is written behind the delivery: it is durable once a commit
            // submitted after it returned (an ack whose K line follows the D line). The kill
            // may also have hit between a receive and its D line: one more.
            const int last = t->lastDelivery > 0 ? t->lastDelivery : t->storedCount;
            const int durable = t->lastDelivery > 0 && m_provenLine > t->deliveryLine ? t->lastDelivery
                                                                                       : t->storedCount;
            if (row.count < durable || row.count > last + 1)
                violation(u"%1: stored delivery count %2, last delivery %3, stored before %4"_s
                              .arg(QString::fromLatin1(id))
                              .arg(row.count)
                              .arg(t->lastDelivery)
                              .arg(t->storedCount));
            t->storedCount = row.count;
            if (t->queue == "fifo") {
                if (t->seq <= m_fifoAcked.value(t->group, 0))
                    violation(u"%1 (group %2 #%3) is stored, but #%4 of its group was acked"_s
                                  .arg(QString::fromLatin1(id), QString::fromLatin1(t->group))
                                  .arg(t->seq)
                                  .arg(m_fifoAcked.value(t->group)));
                qint64 &head = m_fifoHead[t->group];
                head = head == 0 ? t->seq : std::min(head, t->seq);
            }
        }
        for (const QByteArray &id : std::as_const(m_stored)) {
            if (!rows.contains(id))
                violation(u"%1 (%2) was committed and not acked, but is gone"_s.arg(
                    QString::fromLatin1(id), QString::fromLatin1(m_tracked.value(id).queue)));
        }
        // Exactly-once: processed records are the acked ids, no more, no less.
        for (const QByteArray &id : std::as_const(processed)) {
            if (m_tracked.value(id).status != Status::Acked)
                violation(u"%1 has a processed record but was not acked"_s.arg(QString::fromLatin1(id)));
        }
        if (processed.size() != m_eoAcked)
            violation(u"%1 processed records for %2 acked exactly-once messages"_s.arg(processed.size()).arg(m_eoAcked));

        for (const QByteArray &id : std::as_const(m_touched))
            m_tracked[id].lastDelivery = 0;
        m_touched.clear();
        m_fifoInFlight.clear();
        m_fifoStarted.clear();
    }

    // What the next mixed run must publish again, and where its FIFO groups continue.
    QByteArray state(QRandomGenerator &rng)
    {
        QByteArray out;
        for (const QByteArray &id : std::as_const(m_unconfirmedEo))
            out += "eo-retry\t" + id + '\n';
        m_unconfirmedEo.clear();
        // And a few that were confirmed: they must come back as duplicates.
        for (int i = 0; i < 3 && !m_confirmedEo.isEmpty(); ++i)
            out += "eo-retry\t" + m_confirmedEo.at(rng.bounded(qsizetype(m_confirmedEo.size()))) + '\n';
        for (auto it = m_fifoNext.cbegin(); it != m_fifoNext.cend(); ++it)
            out += "fifo-next\t" + it.key() + '\t' + QByteArray::number(it.value()) + '\n';
        return out;
    }

    qint64 storedCount() const { return m_stored.size(); }
    qint64 latestDue() const
    {
        qint64 latest = 0;
        for (const QByteArray &id : m_stored)
            latest = std::max(latest, m_tracked.value(id).due);
        return latest;
    }
    QList<QByteArray> ids(const QByteArray &queue) const
    {
        QList<QByteArray> out;
        for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it) {
            if (it->queue == queue)
                out.append(it.key());
        }
        return out;
    }
    Tracked tracked(const QByteArray &id) const { return m_tracked.value(id); }

private:
    void setStatus(const QByteArray &id, Tracked &t, Status status)
    {
        if (t.status == Status::Stored)
            m_stored.remove(id);
        t.status = status;
        if (status == Status::Stored)
            m_stored.insert(id);
    }

    void setAcked(const QByteArray &id, Tracked &t)
    {
        setStatus(id, t, Status::Acked);
        ++totals.acked[t.queue];
        if (t.queue == "eo")
            ++m_eoAcked;
        if (t.queue == "fifo")
            m_fifoAcked[t.group] = std::max(m_fifoAcked.value(t.group), t.seq);
    }

    void started(const QList<QByteArray> &f)
    {
        const QByteArray &id = f[2];
        const bool retry = f[7] == "1";
        m_touched.insert(id);
        auto it = m_tracked.find(id);
        if (it != m_tracked.end()) {
            if (!retry || it->queue != f[1]) {
                violation(u"id %1 published twice"_s.arg(QString::fromLatin1(id)));
                return;
            }
            ++totals.eoRetries;
            it->retry = true;
            it->awaitingConfirm = true;
            it->expectDuplicate = it->status == Status::Stored || it->status == Status::Acked;
            if (it->status == Status::Dead) {
                setStatus(id, *it, Status::Started);
                it->publishedRun = m_run;
                it->storedCount = 0;
            }
            return;
        }
        if (retry)
            violation(u"retry of %1, which was never published"_s.arg(QString::fromLatin1(id)));
        Tracked t;
        t.queue = f[1];
        t.group = f[3];
        t.seq = f[4].toLongLong();
        t.due = f[5].toLongLong();
        t.batch = f[6];
        t.publishedRun = m_run;
        t.awaitingConfirm = true;
        m_tracked.insert(id, t);
        if (t.queue == "fifo")
            m_fifoNext[t.group] = std::max(m_fifoNext.value(t.group, 1), t.seq + 1);
    }

    void confirmed(const QByteArray &id, Tracked &t, bool duplicate)
    {
        if (!duplicate)
            ++totals.confirmed[t.queue];
        if (t.expectDuplicate && !duplicate)
            violation(u"%1 was stored before, yet its retry was stored again (the dedup record is gone)"_s.arg(
                QString::fromLatin1(id)));
        else if (duplicate && !t.expectDuplicate)
            violation(u"%1 reported as a duplicate, but it was %2"_s.arg(QString::fromLatin1(id),
                                                                         t.retry ? u"never committed before"_s
                                                                                 : u"published only once"_s));
        else if (duplicate)
            ++totals.eoDuplicatesConfirmed;
        if (!t.expectDuplicate && t.status == Status::Started)
            setStatus(id, t, Status::Stored);
        t.expectDuplicate = t.retry = t.awaitingConfirm = false;
        if (t.queue == "eo" && !m_confirmedEoSet.contains(id)) {
            m_confirmedEoSet.insert(id);
            m_confirmedEo.append(id);
        }
    }

    void delivered(const QByteArray &id, Tracked &t, int count, qint64 now)
    {
        const QString name = QString::fromLatin1(id);
        if (t.status == Status::Acked) {
            violation(u"%1 was delivered again after it was acked%2"_s.arg(
                name, t.queue == "eo" ? u" (exactly-once: processed twice)"_s : QString()));
        } else if (t.status == Status::Dead) {
            violation(u"%1 was delivered, but it was not stored at the kill after its publish"_s.arg(name));
        } else if (t.status == Status::Started) {
            setStatus(id, t, Status::Stored); // committed; its P line comes later or was lost
        }
        const int expected = t.lastDelivery > 0 ? t.lastDelivery + 1 : t.storedCount + 1;
        if (count != expected)
            violation(u"%1 delivered with count %2, expected %3"_s.arg(name).arg(count).arg(expected));
        if (t.queue == "poison" && count > CrashTest::poisonMaxDeliveries)
            violation(u"%1 delivered %2 times, max_delivery_attempts is %3"_s.arg(name)
                          .arg(count)
                          .arg(CrashTest::poisonMaxDeliveries));
        if (t.due > 0 && now < t.due)
            violation(u"%1 delivered %2 ms before its due time"_s.arg(name).arg(t.due - now));
        if (t.queue == "fifo")
            fifoDelivered(id, t);
        if (m_run > t.publishedRun && t.deliveries == 0) {
            ++totals.deliveredAfterKill;
            totals.delayedAcrossKill += t.due > 0;
        }
        if (t.deliveries > 0 && m_run > t.lastDeliveryRun)
            ++totals.redeliveredAfterKill; // its lease died with the child
        t.lastDeliveryRun = m_run;
        if (t.queue == "eo" && t.deliveries > 0)
            ++totals.eoRedelivered;
        ++totals.delivered[t.queue];
        ++t.deliveries;
        t.lastDelivery = count;
        t.deliveryLine = m_line;
        t.lowestCount = t.deliveries == 1 ? count : std::min(t.lowestCount, count);
        t.highestCount = std::max(t.highestCount, count);
    }

    void fifoDelivered(const QByteArray &id, const Tracked &t)
    {
        const QString name = QString::fromLatin1(id);
        const QString group = QString::fromLatin1(t.group);
        if (t.seq < m_fifoLast.value(t.group))
            violation(u"group %1 went back from #%2 to #%3 (%4)"_s.arg(group).arg(m_fifoLast.value(t.group)).arg(t.seq).arg(name));
        m_fifoLast[t.group] = t.seq;
        if (!m_fifoStarted.contains(t.group)) {
            m_fifoStarted.insert(t.group);
            const qint64 head = m_fifoHead.value(t.group);
            if (head > 0 && t.seq != head)
                violation(u"group %1 resumed at #%2, its oldest stored message is #%3"_s.arg(group).arg(t.seq).arg(head));
            else if (head > 0)
                ++totals.fifoResumed;
        }
        const QByteArray inFlight = m_fifoInFlight.value(t.group);
        if (!inFlight.isEmpty() && inFlight != id)
            violation(u"%1 of group %2 handed out while %3 was in flight"_s.arg(name, group, QString::fromLatin1(inFlight)));
        m_fifoInFlight[t.group] = id;
    }

    void ackStarted(const QByteArray &id, Tracked &t)
    {
        if (t.status != Status::Stored)
            violation(u"%1 acked but not delivered"_s.arg(QString::fromLatin1(id)));
        t.ackPending = true;
        t.ackLine = m_line;
        if (t.queue == "fifo" && m_fifoInFlight.value(t.group) == id)
            m_fifoInFlight.remove(t.group);
    }

    void ackReturned(const QByteArray &id, Tracked &t)
    {
        if (!t.ackPending || t.status != Status::Stored) {
            violation(u"ack of %1 returned, but it was not being acked"_s.arg(QString::fromLatin1(id)));
            return;
        }
        t.ackPending = false;
        m_provenLine = std::max(m_provenLine, t.ackLine);
        setAcked(id, t);
    }

    bool readDatabase(sqlite3 *db, QHash<QByteArray, Row> &rows, QSet<QByteArray> &processed)
    {
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
        QByteArray integrity;
        while (s && sqlite3_step(s) == SQLITE_ROW)
            integrity += reinterpret_cast<const char *>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        if (integrity != "ok") {
            violation(u"PRAGMA integrity_check: %1"_s.arg(QString::fromUtf8(integrity)));
            return false;
        }
        // A kill while the first broker created the schema leaves some tables missing (the
        // next open creates them): they are empty.
        QSet<QByteArray> tables;
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &s, nullptr);
        while (s && sqlite3_step(s) == SQLITE_ROW)
            tables.insert(reinterpret_cast<const char *>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
        auto text = [](sqlite3_stmt *st, int i) {
            return QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(st, i)), sqlite3_column_bytes(st, i));
        };
        if (!tables.contains("messages"))
            return true;
        if (sqlite3_prepare_v2(db, "SELECT message_id, queue, delivery_count, dlq_reason, original_queue FROM messages",
                               -1, &s, nullptr)
            != SQLITE_OK) {
            violation(u"cannot read the messages: %1"_s.arg(QString::fromUtf8(sqlite3_errmsg(db))));
            return false;
        }
        while (sqlite3_step(s) == SQLITE_ROW) {
            const QByteArray id = text(s, 0);
            if (rows.contains(id))
                violation(u"%1 is stored twice"_s.arg(QString::fromLatin1(id)));
            rows.insert(id, Row{text(s, 1), text(s, 4), sqlite3_column_int(s, 2), sqlite3_column_int(s, 3)});
        }
        sqlite3_finalize(s);
        if (!tables.contains("processed"))
            return true;
        if (sqlite3_prepare_v2(db, "SELECT message_id, queue, consumer_group FROM processed", -1, &s, nullptr)
            != SQLITE_OK) {
            violation(u"cannot read the processed records: %1"_s.arg(QString::fromUtf8(sqlite3_errmsg(db))));
            return false;
        }
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (text(s, 1) != "eo" || text(s, 2) != "billing")
                violation(u"unexpected processed record %1/%2"_s.arg(QString::fromLatin1(text(s, 1)),
                                                                      QString::fromLatin1(text(s, 2))));
            processed.insert(text(s, 0));
        }
        sqlite3_finalize(s);
        return true;
    }

    QString m_journalPath;
    qint64 m_offset = 0;
    qint64 m_line = 0;       // journal lines read
    qint64 m_provenLine = 0; // everything submitted before this line is committed
    int m_run = 0;
    QHash<QByteArray, Tracked> m_tracked;
    QSet<QByteArray> m_stored;  // status Stored
    QSet<QByteArray> m_touched; // ids with a line in the current run
    qint64 m_eoAcked = 0;
    QList<QByteArray> m_unconfirmedEo;
    QList<QByteArray> m_confirmedEo;
    QSet<QByteArray> m_confirmedEoSet;
    QHash<QByteArray, qint64> m_fifoNext, m_fifoLast, m_fifoAcked, m_fifoHead;
    QHash<QByteArray, QByteArray> m_fifoInFlight;
    QSet<QByteArray> m_fifoStarted;
};

} // namespace

class TestBrokerCrash : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    quint32 m_seed = 0;

    // Starts the child, lets it run, kills it. False (with a message) when it ended on its own.
    bool runAndKill(const QStringList &arguments, int runMs, bool waitForReady, QString &problem)
    {
        QProcess child;
        child.setProgram(QStringLiteral(CONFLUX_CRASH_CHILD));
        child.setArguments(arguments);
        child.start();
        if (!child.waitForStarted(10000)) {
            problem = u"cannot start %1: %2"_s.arg(child.program(), child.errorString());
            return false;
        }
        if (waitForReady) {
            QElapsedTimer timer;
            timer.start();
            while (!child.canReadLine() && child.state() == QProcess::Running && timer.elapsed() < 20000)
                child.waitForReadyRead(100);
        }
        if (child.waitForFinished(runMs)) {
            problem = u"the child ended on its own (exit code %1): %2"_s.arg(child.exitCode())
                          .arg(QString::fromLocal8Bit(child.readAllStandardError()));
            return false;
        }
        child.kill(); // SIGKILL
        child.waitForFinished(10000);
        if (child.exitStatus() != QProcess::CrashExit) {
            problem = u"the child was not killed (exit code %1)"_s.arg(child.exitCode());
            return false;
        }
        return true;
    }

    // A fresh broker on a copy of the database sees what sqlite3 sees.
    void checkWithFreshBroker(const QString &path, const QList<QueueConfig> &queues, CrashModel &model)
    {
        const QString copy = m_dir.filePath(u"copy.db"_s);
        for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s})
            QFile::remove(copy + suffix);
        for (const QString &suffix : {u""_s, u"-wal"_s}) {
            if (QFile::exists(path + suffix) && !QFile::copy(path + suffix, copy + suffix)) {
                model.violation(u"cannot copy the database"_s);
                return;
            }
        }
        EmbeddedBroker broker({copy});
        if (auto opened = broker.open(); !opened) {
            model.violation(u"a fresh broker cannot open the database: %1"_s.arg(opened.error().toString()));
            return;
        }
        for (const QueueConfig &config : queues) {
            if (auto declared = broker.declareQueue(config); !declared)
                model.violation(u"declare %1: %2"_s.arg(config.name, declared.error().toString()));
        }
        auto stats = broker.stats();
        if (!stats) {
            model.violation(u"stats: %1"_s.arg(stats.error().toString()));
            return;
        }
        qint64 total = 0;
        for (const QueueStats &s : std::as_const(*stats)) {
            auto browsed = broker.browse(s.name, 0, 1000000);
            if (!browsed) {
                model.violation(u"browse %1: %2"_s.arg(s.name, browsed.error().toString()));
                continue;
            }
            if (s.inFlight != 0 || s.depth + s.delayed != browsed->size())
                model.violation(u"fresh broker, %1: depth %2, delayed %3, in flight %4, browse %5"_s.arg(s.name)
                                    .arg(s.depth)
                                    .arg(s.delayed)
                                    .arg(s.inFlight)
                                    .arg(browsed->size()));
            total += browsed->size();
            QHash<QString, qint64> lastSeq;
            for (const Message &m : std::as_const(*browsed)) {
                const Tracked t = model.tracked(m.messageId.toLatin1());
                if (t.queue.isEmpty() || t.status != Status::Stored) {
                    model.violation(u"fresh broker shows %1 in %2, not stored"_s.arg(m.messageId, s.name));
                    continue;
                }
                if (s.name == u"fifo"_s) {
                    if (t.seq <= lastSeq.value(m.groupId))
                        model.violation(u"fresh broker: group %1 out of order at %2"_s.arg(m.groupId, m.messageId));
                    lastSeq[m.groupId] = t.seq;
                }
            }
        }
        if (total != model.storedCount())
            model.violation(u"a fresh broker holds %1 messages, sqlite3 %2"_s.arg(total).arg(model.storedCount()));
    }

    // Receives and acks everything, as the last run of the model, then checks the database
    // is empty.
    void drain(const QString &path, const QList<QueueConfig> &queues, CrashModel &model, int run)
    {
        model.beginRun(run);
        {
            EmbeddedBroker broker({path});
            QVERIFY(broker.open());
            for (const QueueConfig &config : queues)
                QVERIFY(broker.declareQueue(config));
            QElapsedTimer timer;
            timer.start();
            const qint64 latestDue = model.latestDue();
            while (timer.elapsed() < 20000) {
                int received = 0;
                for (const QueueConfig &config : queues) {
                    ReceiveOptions options;
                    options.maxMessages = 100;
                    auto got = broker.receive(config.name, options);
                    QVERIFY(got);
                    if (got->isEmpty())
                        continue;
                    received += int(got->size());
                    const QByteArray queue = config.name.toLatin1();
                    const QByteArray now = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
                    QStringList handles;
                    for (const Delivery &d : std::as_const(*got)) {
                        const QByteArray id = d.message.messageId.toLatin1();
                        model.apply({"D", queue, id, QByteArray::number(d.message.deliveryCount), now, "drain"});
                        model.apply({"K", queue, id});
                        handles.append(d.receiptHandle);
                    }
                    auto acked = broker.ack(config.name, handles,
                                            AckOptions{config.name == u"eo"_s ? u"billing"_s : QString()});
                    QVERIFY(acked);
                    QCOMPARE(acked->settled, handles.size());
                    for (const Delivery &d : std::as_const(*got))
                        model.apply({"A", queue, d.message.messageId.toLatin1()});
                }
                if (received == 0 && QDateTime::currentMSecsSinceEpoch() > latestDue + 100)
                    break;
                if (received == 0)
                    QThread::msleep(20);
            }
        }
        model.check(path);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(CONFLUX_CRASH_CHILD)), CONFLUX_CRASH_CHILD);
        const QByteArray seed = qgetenv("CONFLUX_CRASH_SEED");
        m_seed = seed.isEmpty() ? QRandomGenerator::global()->generate() : seed.toUInt();
        qInfo("CONFLUX_CRASH_SEED=%u", m_seed);
        if (qEnvironmentVariableIsSet("CONFLUX_CRASH_KEEP")) {
            m_dir.setAutoRemove(false);
            qInfo("databases and journals kept in %s", qPrintable(m_dir.path()));
        }
    }

    void killLoopKeepsEveryConfirmedMessage()
    {
        const int iterations = qEnvironmentVariableIsSet("CONFLUX_CRASH_ITERATIONS")
                                   ? qEnvironmentVariableIntValue("CONFLUX_CRASH_ITERATIONS")
                                   : 100;
        const QString db = m_dir.filePath(u"mixed.db"_s);
        const QString journal = m_dir.filePath(u"mixed.journal"_s);
        const QString state = m_dir.filePath(u"mixed.state"_s);
        QRandomGenerator rng(m_seed);
        CrashModel model(journal);
        QElapsedTimer timer;
        timer.start();
        for (int run = 1; run <= iterations; ++run) {
            {
                QFile file(state);
                QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
                file.write(model.state(rng));
            }
            model.beginRun(run);
            QString problem;
            const int runMs = 10 + int(rng.bounded(141));
            const bool killed = runAndKill({u"mixed"_s, db, journal, QString::number(run), state}, runMs, false, problem);
            model.readJournal();
            QVERIFY2(killed, qPrintable(problem + u"\n"_s + model.violations.join(u'\n')));
            model.check(db);
            checkWithFreshBroker(db, CrashTest::mixedQueues(), model);
            QVERIFY2(model.violations.isEmpty(),
                     qPrintable(u"seed %1, after kill %2:\n"_s.arg(m_seed).arg(run) + model.violations.join(u'\n')));
        }
        const qint64 storedAtEnd = model.storedCount();
        drain(db, CrashTest::mixedQueues(), model, iterations + 1);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(model.violations.isEmpty(),
                 qPrintable(u"seed %1, final drain:\n"_s.arg(m_seed) + model.violations.join(u'\n')));
        QCOMPARE(model.storedCount(), 0);

        const Totals &t = model.totals;
        qInfo("%d kills in %lld ms (%d runs got the broker open); %lld messages left for the final drain",
              iterations, qint64(timer.elapsed()), t.ready, storedAtEnd);
        for (const char *queue : {"alo", "eo", "fifo", "delayed"}) {
            qInfo("%-8s confirmed %6d  delivered %6d  acked %6d", queue, t.confirmed.value(queue),
                  t.delivered.value(queue), t.acked.value(queue));
        }
        qInfo("first delivered after a kill %d (delayed ones %d); leases lost to a kill and redelivered %d; "
              "FIFO groups resumed at their head %d",
              t.deliveredAfterKill, t.delayedAcrossKill, t.redeliveredAfterKill, t.fifoResumed);
        qInfo("exactly-once: %d publisher retries (%d confirmed as duplicates), %d redeliveries, each processed once",
              t.eoRetries, t.eoDuplicatesConfirmed, t.eoRedelivered);
        // The run did something worth checking.
        QVERIFY(t.ready >= iterations / 4);
        for (const char *queue : {"alo", "eo", "fifo", "delayed"})
            QVERIFY2(t.acked.value(queue) > 0, queue);
        QVERIFY(t.delayedAcrossKill > 0);
        QVERIFY(t.eoDuplicatesConfirmed > 0);
        QVERIFY(t.redeliveredAfterKill > 0);
    }

    void killedLeaseHolderRedeliversThenDeadLetters()
    {
        const QString db = m_dir.filePath(u"poison.db"_s);
        const QString journal = m_dir.filePath(u"poison.journal"_s);
        const QString state = m_dir.filePath(u"poison.state"_s);
        QRandomGenerator rng(m_seed + 1);
        CrashModel model(journal);
        const int iterations = 15;
        for (int run = 1; run <= iterations; ++run) {
            {
                QFile file(state);
                QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
                file.write(run == 1 ? "poison-publish\t3\n" : run == 5 ? "poison-publish\t2\n" : "");
            }
            model.beginRun(run);
            QString problem;
            // Killed soon after it is up: sometimes before it took the messages, sometimes
            // before their delivery count was written, mostly while it holds the leases.
            const bool killed = runAndKill({u"poison"_s, db, journal, QString::number(run), state},
                                           int(rng.bounded(60)), true, problem);
            model.readJournal();
            QVERIFY2(killed, qPrintable(problem + u"\n"_s + model.violations.join(u'\n')));
            model.check(db);
            checkWithFreshBroker(db, CrashTest::poisonQueues(), model);
            QVERIFY2(model.violations.isEmpty(),
                     qPrintable(u"seed %1, after kill %2:\n"_s.arg(m_seed).arg(run) + model.violations.join(u'\n')));
        }
        const QList<QByteArray> poison = model.ids("poison");
        QCOMPARE(poison.size(), 5);
        for (const QByteArray &id : poison)
            QVERIFY2(model.tracked(id).highestCount > model.tracked(id).lowestCount, id.constData()); // redelivered, count grew
        // All five in the dead-letter queue by now.
        sqlite3 *handle = nullptr;
        QCOMPARE(sqlite3_open_v2(QFile::encodeName(db).constData(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(handle,
                           "SELECT count(*) FROM messages WHERE queue='poison-dlq' AND original_queue='poison'"
                           " AND dlq_reason=1",
                           -1, &s, nullptr);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        const int inDlq = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        sqlite3_close(handle);
        qInfo("%d poison messages, %d in the dead-letter queue after %d kills", int(poison.size()), inDlq, iterations);
        QCOMPARE(inDlq, 5);
    }
};

QTEST_GUILESS_MAIN(TestBrokerCrash)
#include "tst_brokercrash.moc"
