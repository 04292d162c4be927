// Writing to an OData service: records encoded for v2, the CSRF token handshake, the
// single-entity calls of the query API (get, create, update, remove), $batch requests and
// their multipart answers, and ODataConnector::write().

#include "odataconnector_p.h"

#include "base/log.h"
#include "data/json.h"

#include <QUuid>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace ODataInternal;

namespace {

// A record as a v2 service expects it: Edm.DateTime as "/Date(ms)/", Edm.DateTimeOffset as
// "/Date(ms+0000)/", Edm.Time as "PT10H30M00S", Edm.Decimal and Edm.Int64 as strings.
Data::Value encodeV2(const Data::Value &value, const ODataStructuredType *type, const ODataMetadata &metadata, int depth = 0);

Data::Value encodeV2Primitive(const Data::Value &value, QStringView type)
{
    if (isDateTimeType(type) && value.isString() && !value.toString().startsWith(u"/Date(")) {
        if (const std::optional<QDateTime> time = parseDateTime(value.toString())) {
            const QString ms = QString::number(time->toMSecsSinceEpoch());
            return type == u"Edm.DateTime" ? u"/Date(%1)/"_s.arg(ms) : u"/Date(%1+0000)/"_s.arg(ms);
        }
    }
    if (type == u"Edm.Time" && value.isString() && !value.toString().startsWith(u"PT")) {
        const QTime time = QTime::fromString(value.toString(), Qt::ISODateWithMs);
        if (time.isValid()) {
            QString text = u"PT%1H%2M%3"_s.arg(time.hour(), 2, 10, QChar(u'0'))
                               .arg(time.minute(), 2, 10, QChar(u'0'))
                               .arg(time.second(), 2, 10, QChar(u'0'));
            if (time.msec() != 0)
                text += u".%1"_s.arg(time.msec(), 3, 10, QChar(u'0'));
            return text + u'S';
        }
    }
    if ((type == u"Edm.Decimal" || type == u"Edm.Int64") && value.isNumber() && std::isfinite(value.toDouble()))
        return numberText(value);
    return value;
}

Data::Value encodeV2Typed(const Data::Value &value, const QString &typeName, const ODataMetadata &metadata, int depth)
{
    if (typeName.startsWith(u"Collection(") && typeName.endsWith(u')') && value.isArray()) {
        const QString element = typeName.mid(11, typeName.size() - 12);
        Data::Array items;
        for (const Data::Value &item : value.toArray())
            items.push_back(encodeV2Typed(item, element, metadata, depth + 1));
        return Data::Value(std::move(items));
    }
    if (const ODataComplexType *complex = metadata.complexType(typeName))
        return encodeV2(value, complex, metadata, depth + 1);
    return encodeV2Primitive(value, typeName);
}

Data::Value encodeV2(const Data::Value &value, const ODataStructuredType *type, const ODataMetadata &metadata, int depth)
{
    if (!value.isObject() || !type || depth > 64)
        return value;
    Data::Object out;
    for (const auto &[name, member] : value.toObject()) {
        const ODataProperty *property = type->property(name);
        if (!property) {
            for (const ODataProperty *p : metadata.allProperties(*type)) {
                if (p->name == name)
                    property = p;
            }
        }
        if (property) {
            out.append(name, encodeV2Typed(member, property->type, metadata, depth));
            continue;
        }
        const ODataNavigationProperty *navigation = nullptr;
        for (const ODataNavigationProperty *n : metadata.allNavigationProperties(*type)) {
            if (n->name == name)
                navigation = n;
        }
        if (navigation) {
            const ODataEntityType *target = metadata.entityType(navigation->targetType);
            if (member.isArray()) {
                Data::Array items;
                for (const Data::Value &item : member.toArray())
                    items.push_back(encodeV2(item, target, metadata, depth + 1));
                out.append(name, Data::Value(std::move(items)));
            } else {
                out.append(name, encodeV2(member, target, metadata, depth + 1));
            }
            continue;
        }
        out.append(name, member);
    }
    return Data::Value(std::move(out));
}

} // namespace

// ---- entity calls and the CSRF handshake ---------------------------------------------------

Result<void> ODataConnector::Private::fetchCsrfToken(const CancelToken *cancel)
{
    HttpRequest request;
    request.url = settings.serviceRoot;
    request.setHeader("X-CSRF-Token", "Fetch");
    Result<HttpResponse> response = send(request, cancel);
    if (!response)
        return response.error();
    ++csrfFetches;
    if (response->status == 401)
        return statusError(*response, request.method, request.url);
    const QByteArray token = response->header("X-CSRF-Token").trimmed();
    if (!token.isEmpty() && token.compare("Required", Qt::CaseInsensitive) != 0) {
        csrfToken = token;
        Log::addSecretValue(QString::fromLatin1(token));
        return {};
    }
    if (response->isSuccess()) {
        csrfNotNeeded = true; // the service does not use CSRF tokens
        return {};
    }
    Error error = statusError(*response, request.method, request.url);
    error.code = u"csrf_failed"_s;
    error.message = Tr::tr("No CSRF token: ") + error.message;
    return error;
}

Result<HttpResponse> ODataConnector::Private::sendWrite(HttpRequest request, const CancelToken *cancel)
{
    if (!request.body.isEmpty() && request.headers.end() == std::find_if(request.headers.begin(), request.headers.end(), [](const auto &h) {
            return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0;
        }))
        request.setHeader("Content-Type", "application/json");
    for (int attempt = 0;; ++attempt) {
        if (settings.csrf && csrfToken.isEmpty() && !csrfNotNeeded) {
            if (Result<void> fetched = fetchCsrfToken(cancel); !fetched)
                return fetched.error();
        }
        HttpRequest sent = request;
        if (!csrfToken.isEmpty())
            sent.setHeader("X-CSRF-Token", csrfToken);
        Result<HttpResponse> response = send(sent, cancel);
        if (!response)
            return response;
        const bool required = response->status == 403
                              && response->header("X-CSRF-Token").trimmed().compare("Required", Qt::CaseInsensitive) == 0;
        if (!required || !settings.csrf || attempt > 0)
            return response;
        // The token expired or belongs to a session the server forgot: fetch a new one, once.
        csrfToken.clear();
        csrfNotNeeded = false;
    }
}

QByteArray ODataConnector::Private::body(const Data::Value &record, const ODataStructuredType *type) const
{
    if (settings.version == 2 && metadata && type)
        return Data::Json::serialize(encodeV2(record, type, *metadata));
    return Data::Json::serialize(record);
}

Result<QString> ODataConnector::Private::predicate(const ODataEntityType &type, const QStringList &keyFields,
                                                   const Data::Value &key, const QString &entitySetName) const
{
    QStringList parts;
    const bool scalar = !key.isObject();
    if (scalar && keyFields.size() != 1) {
        return makeError("invalid_key", Tr::tr("%1 has the key (%2): give an object with each of them")
                                            .arg(entitySetName, keyFields.join(u", "_s)));
    }
    for (const QString &field : keyFields) {
        const Data::Value &value = scalar ? key : key[field];
        if (value.isUndefined() || value.isNull()) {
            return makeError("invalid_key", Tr::tr("The key field %1 of %2 is missing").arg(field, entitySetName));
        }
        QString edmType = u"Edm.String"_s;
        for (const ODataProperty *property : metadata->allProperties(type)) {
            if (property->name == field)
                edmType = property->type;
        }
        Result<QString> literal = OData::literal(value, edmType, settings.version);
        if (!literal) {
            Error error = literal.error();
            error.message = Tr::tr("Key field %1 of %2: ").arg(field, entitySetName) + error.message;
            return error;
        }
        parts.append(keyFields.size() == 1 && scalar ? *literal : field + u'=' + *literal);
    }
    if (keyFields.size() == 1 && !scalar)
        parts.first() = parts.first().mid(keyFields.first().size() + 1);
    return parts.join(u',');
}

QByteArray ODataConnector::Private::entityPath(const QString &entitySetName, const QString &predicate) const
{
    return encodePathSegment(entitySetName) + '(' + encodePathSegment(predicate) + ')';
}

Result<Data::Value> ODataConnector::Private::entityCall(const QByteArray &method, const QString &entitySetName,
                                                        const QString &predicate, const Data::Value *record,
                                                        const ODataEntityType *type, const CancelToken *cancel, int *status)
{
    HttpRequest request;
    request.method = method;
    request.url = resolve(predicate.isNull() ? encodePathSegment(entitySetName) : entityPath(entitySetName, predicate));
    if (record)
        request.body = body(*record, type);
    Result<HttpResponse> response = method == "GET" ? send(request, cancel) : sendWrite(request, cancel);
    if (!response)
        return response.error();
    if (status)
        *status = response->status;
    if (!response->isSuccess())
        return statusError(*response, method, withSapClient(request.url));
    if (response->status == 204 || response->body.trimmed().isEmpty())
        return Data::Value::null();
    Result<Answer> answer = decode(*response, withSapClient(request.url), true, type);
    if (!answer)
        return answer.error();
    return answer->records.front();
}

// ---- $batch --------------------------------------------------------------------------------

namespace {

struct BatchOperation
{
    QByteArray method;
    QByteArray relativeUrl;   // below the service root
    QByteArray body;
};

struct BatchAnswer
{
    int status = 0;
    QByteArray body;
    HttpHeaders headers;
};

QByteArray boundaryOf(const QByteArray &contentType)
{
    for (QByteArray part : contentType.split(';')) {
        part = part.trimmed();
        if (part.toLower().startsWith("boundary=")) {
            QByteArray value = part.mid(9).trimmed();
            if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
                value = value.mid(1, value.size() - 2);
            return value;
        }
    }
    return {};
}

// Splits "headers CRLF CRLF body".
std::pair<HttpHeaders, QByteArray> splitEntity(const QByteArray &entity, QByteArray *firstLine = nullptr)
{
    qsizetype end = entity.indexOf("\r\n\r\n");
    qsizetype skip = 4;
    if (end < 0) {
        end = entity.indexOf("\n\n");
        skip = 2;
    }
    const QByteArray head = end < 0 ? entity : entity.left(end);
    const QByteArray rest = end < 0 ? QByteArray() : entity.mid(end + skip);
    HttpHeaders headers;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (i == 0 && firstLine) {
            *firstLine = line;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return {headers, rest};
}

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// The parts between the boundaries of a multipart body.
std::optional<QList<QByteArray>> multipartParts(const QByteArray &body, const QByteArray &boundary)
{
    const QByteArray delimiter = "--" + boundary;
    QList<QByteArray> parts;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0)
        return std::nullopt;
    for (;;) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return parts;
        const qsizetype next = body.indexOf(delimiter, pos);
        if (next < 0)
            return std::nullopt; // cut short: no closing delimiter
        QByteArray part = body.mid(pos, next - pos);
        if (part.startsWith("\r\n"))
            part.remove(0, 2);
        else if (part.startsWith('\n'))
            part.remove(0, 1);
        if (part.endsWith("\r\n"))
            part.chop(2);
        else if (part.endsWith('\n'))
            part.chop(1);
        parts.append(part);
        pos = next;
    }
}

// The answers of a $batch response in order: one per change set (its first operation's answer).
std::optional<std::vector<BatchAnswer>> parseBatch(const QByteArray &body, const QByteArray &contentType, int depth = 0)
{
    const QByteArray boundary = boundaryOf(contentType);
    if (boundary.isEmpty() || depth > 2)
        return std::nullopt;
    const std::optional<QList<QByteArray>> parts = multipartParts(body, boundary);
    if (!parts)
        return std::nullopt;
    std::vector<BatchAnswer> answers;
    for (const QByteArray &part : *parts) {
        auto [headers, content] = splitEntity(part);
        const QByteArray type = headerValue(headers, "Content-Type").toLower();
        if (type.startsWith("multipart/mixed")) {
            std::optional<std::vector<BatchAnswer>> inner = parseBatch(content, headerValue(headers, "Content-Type"), depth + 1);
            if (!inner || inner->empty())
                return std::nullopt;
            answers.push_back(std::move(inner->front()));
            continue;
        }
        QByteArray statusLine;
        auto [innerHeaders, innerBody] = splitEntity(content, &statusLine);
        const QList<QByteArray> words = statusLine.split(' ');
        bool ok = false;
        const int status = words.size() >= 2 ? words.at(1).toInt(&ok) : 0;
        if (!statusLine.startsWith("HTTP/") || !ok)
            return std::nullopt;
        answers.push_back({status, innerBody.trimmed(), innerHeaders});
    }
    return answers;
}

} // namespace

// ---- writes --------------------------------------------------------------------------------

namespace {

class Writer
{
public:
    Writer(ODataConnector::Private &d, const WriteRequest &request, const ODataEntitySet &set, const ODataEntityType &type)
        : d(d), m_request(request), m_set(set), m_type(type)
    {
        m_keyFields = request.keyFields.isEmpty() ? type.keys : request.keyFields;
    }

    Result<WriteSummary> run()
    {
        if (Result<void> allowed = checkAllowed(); !allowed)
            return allowed.error();
        const qsizetype total = qsizetype(m_request.records.size());
        const int batch = d.settings.batchSize;
        for (qsizetype start = 0; start < total; start += batch) {
            if (m_request.cancel && m_request.cancel->isCancelled()) {
                return makeError("cancelled", Tr::tr("Writing to %1 was cancelled after %n record(s)", nullptr, int(start))
                                                  .arg(m_set.name));
            }
            const qsizetype end = std::min<qsizetype>(total, start + batch);
            Result<void> done = batch > 1 ? writeBatch(start, end) : writeOne(start);
            if (!done)
                return done.error();
        }
        return m_summary;
    }

private:
    Result<void> checkAllowed() const
    {
        const bool ok = m_request.mode == WriteMode::Insert   ? m_set.creatable
                        : m_request.mode == WriteMode::Delete ? m_set.deletable
                                                              : m_set.creatable && m_set.updatable;
        if (!ok) {
            return makeError("unsupported", Tr::tr("The OData service does not allow %1 on %2 (its $metadata says so)")
                                                .arg(m_request.mode == WriteMode::Insert   ? u"inserts"_s
                                                     : m_request.mode == WriteMode::Delete ? u"deletes"_s
                                                                                           : u"upserts"_s,
                                                     m_set.name));
        }
        return {};
    }

    qint64 written() const { return m_summary.inserted + m_summary.updated + m_summary.deleted + m_summary.unchanged; }

    Error recordError(qsizetype index, const QString &predicate, Error error) const
    {
        const QString key = predicate.isEmpty() ? Tr::tr("no key") : Tr::tr("key (%1)").arg(predicate);
        error.message = Tr::tr("Record %1 (%2) of %3: %4 (%n record(s) written before it)", nullptr, int(written()))
                            .arg(index)
                            .arg(key, m_set.name, error.message);
        return error;
    }

    Result<QString> recordKey(qsizetype index)
    {
        const Data::Value &record = m_request.records[size_t(index)];
        if (!record.isObject())
            return recordError(index, {}, makeError("invalid_request", Tr::tr("a record must be an object, not %1")
                                                                          .arg(QString::fromLatin1(record.typeName()))));
        if (m_request.mode == WriteMode::Insert)
            return QString();
        Result<QString> predicate = d.predicate(m_type, m_keyFields, record, m_set.name);
        if (!predicate)
            return recordError(index, {}, predicate.error());
        return predicate;
    }

    Result<void> writeOne(qsizetype index)
    {
        Result<QString> predicate = recordKey(index);
        if (!predicate)
            return predicate.error();
        const Data::Value &record = m_request.records[size_t(index)];
        int status = 0;
        switch (m_request.mode) {
        case WriteMode::Insert: {
            Result<Data::Value> created = d.entityCall("POST", m_set.name, QString(), &record, &m_type, m_request.cancel);
            if (!created)
                return recordError(index, keyText(record), created.error());
            ++m_summary.inserted;
            return {};
        }
        case WriteMode::Upsert: {
            Result<Data::Value> updated = d.entityCall(d.settings.updateMethod, m_set.name, *predicate, &record, &m_type,
                                                       m_request.cancel, &status);
            if (updated) {
                ++(status == 201 ? m_summary.inserted : m_summary.updated);
                return {};
            }
            if (status != 404)
                return recordError(index, *predicate, updated.error());
            Result<Data::Value> created = d.entityCall("POST", m_set.name, QString(), &record, &m_type, m_request.cancel);
            if (!created)
                return recordError(index, *predicate, created.error());
            ++m_summary.inserted;
            return {};
        }
        case WriteMode::Delete: {
            Result<Data::Value> removed = d.entityCall("DELETE", m_set.name, *predicate, nullptr, &m_type,
                                                       m_request.cancel, &status);
            if (removed)
                ++m_summary.deleted;
            else if (status == 404)
                ++m_summary.unchanged; // already gone
            else
                return recordError(index, *predicate, removed.error());
            return {};
        }
        }
        return {};
    }

    // For messages about inserts: the key fields the record has.
    QString keyText(const Data::Value &record) const
    {
        Result<QString> predicate = d.predicate(m_type, m_keyFields, record, m_set.name);
        return predicate ? *predicate : QString();
    }

    Result<void> writeBatch(qsizetype start, qsizetype end)
    {
        std::vector<BatchOperation> operations;
        QStringList predicates;
        for (qsizetype i = start; i < end; ++i) {
            Result<QString> predicate = recordKey(i);
            if (!predicate)
                return predicate.error();
            const Data::Value &record = m_request.records[size_t(i)];
            BatchOperation operation;
            switch (m_request.mode) {
            case WriteMode::Insert:
                operation = {"POST", encodePathSegment(m_set.name), d.body(record, &m_type)};
                predicates.append(keyText(record));
                break;
            case WriteMode::Upsert:
                operation = {d.settings.updateMethod, d.entityPath(m_set.name, *predicate), d.body(record, &m_type)};
                predicates.append(*predicate);
                break;
            case WriteMode::Delete:
                operation = {"DELETE", d.entityPath(m_set.name, *predicate), {}};
                predicates.append(*predicate);
                break;
            }
            operations.push_back(std::move(operation));
        }
        Result<std::vector<BatchAnswer>> answers = sendBatch(operations);
        if (!answers)
            return recordError(start, predicates.value(0), answers.error());
        std::vector<qsizetype> toCreate;
        std::optional<Error> failure;
        for (size_t j = 0; j < answers->size(); ++j) {
            const BatchAnswer &answer = (*answers)[j];
            const qsizetype index = start + qsizetype(j);
            const bool ok = answer.status >= 200 && answer.status < 300;
            if (m_request.mode == WriteMode::Insert && ok) {
                ++m_summary.inserted;
            } else if (m_request.mode == WriteMode::Upsert && ok) {
                ++(answer.status == 201 ? m_summary.inserted : m_summary.updated);
            } else if (m_request.mode == WriteMode::Upsert && answer.status == 404) {
                toCreate.push_back(index);
            } else if (m_request.mode == WriteMode::Delete && (ok || answer.status == 404)) {
                ++(ok ? m_summary.deleted : m_summary.unchanged);
            } else if (!failure) {
                failure = recordError(index, predicates.value(qsizetype(j)), answerError(answer, operations[j]));
            }
        }
        if (failure)
            return *failure;
        if (!toCreate.empty()) {
            std::vector<BatchOperation> creates;
            for (const qsizetype index : toCreate)
                creates.push_back({"POST", encodePathSegment(m_set.name), d.body(m_request.records[size_t(index)], &m_type)});
            for (size_t done = 0; done < creates.size();) {
                const std::vector<BatchOperation> rest(creates.begin() + qsizetype(done), creates.end());
                Result<std::vector<BatchAnswer>> created = sendBatch(rest);
                if (!created)
                    return recordError(toCreate[done], predicates.value(toCreate[done] - start), created.error());
                for (const BatchAnswer &answer : *created) {
                    if (answer.status < 200 || answer.status >= 300) {
                        return recordError(toCreate[done], predicates.value(toCreate[done] - start),
                                           answerError(answer, creates[done]));
                    }
                    ++m_summary.inserted;
                    ++done;
                }
            }
        }
        // A service that stops at the first failed change set (SAP CAP without
        // odata.continue-on-error) answers fewer: send the rest again.
        if (qsizetype(answers->size()) < end - start)
            return writeBatch(start + qsizetype(answers->size()), end);
        return {};
    }

    Error answerError(const BatchAnswer &answer, const BatchOperation &operation) const
    {
        HttpResponse response;
        response.status = answer.status;
        response.headers = answer.headers;
        response.body = answer.body;
        return d.statusError(response, operation.method, d.resolve(operation.relativeUrl));
    }

    // One $batch request with one change set per operation.
    Result<std::vector<BatchAnswer>> sendBatch(const std::vector<BatchOperation> &operations)
    {
        const QByteArray id = QUuid::createUuid().toByteArray(QUuid::Id128);
        const QByteArray boundary = "batch_" + id;
        QByteArray body;
        for (size_t i = 0; i < operations.size(); ++i) {
            const BatchOperation &operation = operations[i];
            const QByteArray changeset = "changeset_" + id + '_' + QByteArray::number(qulonglong(i));
            body += "--" + boundary + "\r\nContent-Type: multipart/mixed; boundary=" + changeset + "\r\n\r\n";
            body += "--" + changeset + "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                    "Content-ID: " + QByteArray::number(qulonglong(i + 1)) + "\r\n\r\n";
            body += operation.method + ' ' + operation.relativeUrl + " HTTP/1.1\r\nAccept: application/json\r\n";
            if (!operation.body.isEmpty()) {
                body += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(operation.body.size())
                        + "\r\n\r\n" + operation.body + "\r\n";
            } else {
                body += "\r\n";
            }
            body += "--" + changeset + "--\r\n";
        }
        body += "--" + boundary + "--\r\n";
        HttpRequest request;
        request.method = "POST";
        request.url = d.resolve("$batch");
        request.body = body;
        request.setHeader("Content-Type", "multipart/mixed; boundary=" + boundary);
        request.setHeader("Accept", "multipart/mixed");
        // every change set on its own: one record's failure does not stop the others
        request.setHeader("Prefer", "odata.continue-on-error");
        Result<HttpResponse> response = d.sendWrite(request, m_request.cancel);
        if (!response)
            return response.error();
        const QUrl url = d.withSapClient(request.url);
        if (!response->isSuccess())
            return d.statusError(*response, request.method, url);
        std::optional<std::vector<BatchAnswer>> answers = parseBatch(response->body, response->header("Content-Type"));
        if (!answers || answers->empty() || answers->size() > operations.size()) {
            return makeError("malformed_response",
                             Tr::tr("%1: the $batch answer is not a multipart/mixed body with an answer for each of the "
                                    "%2 change sets")
                                 .arg(d.where(request.method, url))
                                 .arg(operations.size()));
        }
        return std::move(*answers);
    }

    ODataConnector::Private &d;
    const WriteRequest &m_request;
    const ODataEntitySet &m_set;
    const ODataEntityType &m_type;
    QStringList m_keyFields;
    WriteSummary m_summary;
};

} // namespace

Result<WriteSummary> ODataConnector::write(const WriteRequest &request)
{
    auto found = d->entitySet(request.entity, request.cancel);
    if (!found)
        return found.error();
    if (request.records.empty())
        return WriteSummary{};
    return Writer(*d, request, *found->first, *found->second).run();
}

Result<QString> ODataConnector::keyPredicate(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    return d->predicate(*found->second, found->second->keys, key, entitySet);
}

Result<Data::Value> ODataConnector::get(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall("GET", entitySet, *predicate, nullptr, found->second, cancel);
}

Result<Data::Value> ODataConnector::create(const QString &entitySet, const Data::Value &body, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    if (!body.isObject())
        return makeError("invalid_request", Tr::tr("The body of an OData create is an object"));
    return d->entityCall("POST", entitySet, QString(), &body, found->second, cancel);
}

Result<Data::Value> ODataConnector::update(const QString &entitySet, const Data::Value &key, const Data::Value &body,
                                           const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    if (!body.isObject())
        return makeError("invalid_request", Tr::tr("The body of an OData update is an object"));
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall(d->settings.updateMethod, entitySet, *predicate, &body, found->second, cancel);
}

Result<Data::Value> ODataConnector::remove(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall("DELETE", entitySet, *predicate, nullptr, found->second, cancel);
}

} // namespace Conflux::Connectors
