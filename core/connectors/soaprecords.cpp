// The SOAP connector's entities: read() calls a list operation page by page (the request
// template's {offset} {limit} {page} {cursor}, records_path, the incremental cursor), write()
// calls an operation per record; and the JSON pointer and template helpers the parts share.

#include "soapconnector.h"
#include "soapconnector_p.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace Internal::SoapDetail {

namespace {

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(u"\\{([A-Za-z_][A-Za-z0-9_.-]*)\\}"_s);
    return pattern;
}

Data::Value valueAt(const Data::Value &root, const QStringList &tokens)
{
    Data::Value current = root;
    for (const QString &token : tokens) {
        if (current.isArray()) {
            bool ok = false;
            const qsizetype index = token.toLongLong(&ok);
            current = ok ? current.at(index) : Data::Value();
        } else {
            current = current[token];
        }
        if (current.isUndefined())
            break;
    }
    return current;
}

void setAt(Data::Value &target, const QStringList &tokens, qsizetype i, const Data::Value &value)
{
    if (i == tokens.size()) {
        target = value;
        return;
    }
    if (!target.isObject())
        target = Data::Value(Data::Object{});
    Data::Object &object = target.mutableObject();
    if (!object.contains(tokens[i]))
        object.insert(tokens[i], Data::Value());
    setAt(*object.find(tokens[i]), tokens, i + 1, value);
}

// Replaces placeholders in a template: a string that is exactly "{name}" becomes the value
// (dropped when undefined), "{name}" inside a longer string its text.
Data::Value substitute(const Data::Value &value, const std::function<Data::Value(const QString &)> &lookup)
{
    if (value.isString()) {
        const QString &text = value.toString();
        const QRegularExpressionMatch whole = placeholderPattern().match(text);
        if (whole.hasMatch() && whole.capturedStart() == 0 && whole.capturedLength() == text.size())
            return lookup(whole.captured(1));
        if (!text.contains(u'{'))
            return value;
        QString out;
        qsizetype last = 0;
        for (const QRegularExpressionMatch &m : placeholderPattern().globalMatch(text)) {
            out += QStringView(text).mid(last, m.capturedStart() - last);
            out += scalarText(lookup(m.captured(1)));
            last = m.capturedEnd();
        }
        out += QStringView(text).mid(last);
        return out;
    }
    if (value.isObject()) {
        Data::Object out;
        for (const auto &[key, member] : value.toObject()) {
            Data::Value v = substitute(member, lookup);
            if (!v.isUndefined())
                out.append(key, std::move(v));
        }
        return out;
    }
    if (value.isArray()) {
        Data::Array out;
        for (const Data::Value &item : value.toArray()) {
            Data::Value v = substitute(item, lookup);
            if (!v.isUndefined())
                out.push_back(std::move(v));
        }
        return out;
    }
    return value;
}

// Compares cursor values: numbers by value, date-times as instants, other text by code points.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    const QString x = scalarText(a);
    const QString y = scalarText(b);
    const QDateTime dx = QDateTime::fromString(x, Qt::ISODateWithMs);
    const QDateTime dy = QDateTime::fromString(y, Qt::ISODateWithMs);
    if (dx.isValid() && dy.isValid() && x.size() > 10 && y.size() > 10)
        return dx < dy ? -1 : dx > dy ? 1 : 0;
    return x.compare(y);
}

} // namespace

// ---- JSON pointers -----------------------------------------------------------------------

QStringList pointerTokens(const QString &pointer)
{
    QStringList tokens;
    if (pointer.isEmpty())
        return tokens;
    const QStringList parts = pointer.mid(1).split(u'/');
    for (QString part : parts)
        tokens.append(part.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s));
    return tokens;
}

QString pointerAppend(const QString &pointer, QString token)
{
    return pointer + u'/' + token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

const Data::SchemaField *schemaAt(const Data::SchemaField &root, const QStringList &tokens)
{
    const Data::SchemaField *current = &root;
    for (const QString &token : tokens) {
        if (current->isRepeated() && current->item()) {
            bool ok = false;
            token.toLongLong(&ok);
            current = current->item();
            if (ok)
                continue;
        }
        current = current->field(token);
        if (!current)
            return nullptr;
    }
    return current;
}

void rebase(Data::SchemaField &field, const QString &path)
{
    field.path = path;
    for (Data::SchemaField &child : field.fields)
        rebase(child, path.isEmpty() ? child.name : path + u'/' + child.name);
    for (Data::SchemaField &item : field.items)
        rebase(item, path + u"[]"_s);
}

// ---- templates -----------------------------------------------------------------------------

QString scalarText(const Data::Value &value)
{
    switch (value.type()) {
    case Data::Value::Type::String:
        return value.toString();
    case Data::Value::Type::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case Data::Value::Type::Number: {
        if (value.hasExactText())
            return value.exactText();
        const double d = value.toDouble();
        if (d == std::floor(d) && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 17);
    }
    default:
        return QString();
    }
}

void collectPlaceholders(const Data::Value &value, QSet<QString> *names)
{
    if (value.isString()) {
        for (const QRegularExpressionMatch &m : placeholderPattern().globalMatch(value.toString()))
            names->insert(m.captured(1));
    } else if (value.isObject()) {
        for (const auto &member : value.toObject())
            collectPlaceholders(member.second, names);
    } else if (value.isArray()) {
        for (const Data::Value &item : value.toArray())
            collectPlaceholders(item, names);
    }
}

} // namespace Internal::SoapDetail

using namespace Internal::SoapDetail;

// ---- entities ------------------------------------------------------------------------------

Result<ReadSummary> SoapConnector::read(const ReadRequest &request, const PageSink &sink)
{
    Result<const EntitySettings *> found = entity(request.entity);
    if (!found)
        return found.error();
    const EntitySettings &e = **found;
    if (e.operation.isEmpty())
        return makeError("unsupported", Tr::tr("Entity %1 has no read operation").arg(e.name));
    if (Result<void> loaded = load(request.cancel, false); !loaded)
        return loaded.error();
    if (!request.filter.isUndefined() && !request.filter.isNull() && !request.filter.isObject())
        return makeError("invalid_request", Tr::tr("The filter of a SOAP read is an object of request members"));

    // A records_path the answer cannot have would read nothing, silently: refuse it.
    if (!e.recordsPath.isEmpty()) {
        const WsdlOperation *op = m_binding->operation(e.operation);
        if (op && op->output) {
            Result<Data::SchemaField> schema = messageSchema(*m_wsdl, *op, WsdlMessageRole::Output);
            if (schema && !schemaAt(*schema, pointerTokens(e.recordsPath))) {
                QStringList members;
                for (const Data::SchemaField &f : schema->fields)
                    members.append(u'/' + f.name);
                return makeError("invalid_endpoint",
                                 Tr::tr("Entity %1: records_path %2 is not in the answer of %3 (it starts with %4)")
                                     .arg(e.name, e.recordsPath, op->name, members.join(u", "_s)));
            }
        }
    }
    QSet<QString> variables;
    collectPlaceholders(e.request, &variables);
    const bool paged = variables.contains(u"offset"_s) || variables.contains(u"page"_s);
    const bool limited = variables.contains(u"limit"_s);
    const bool incremental = !request.cursorField.isEmpty();
    if (incremental) {
        if (request.cursorField != e.cursorField)
            return makeError("unsupported", Tr::tr("Entity %1 reads incrementally by %2, not by %3")
                                                .arg(e.name, e.cursorField.isEmpty() ? Tr::tr("nothing") : e.cursorField,
                                                     request.cursorField));
        if (e.cursorParameter.isEmpty() && !variables.contains(u"cursor"_s))
            return makeError("unsupported", Tr::tr("Entity %1 has no cursor_parameter or {cursor} in its request: "
                                                   "the server cannot be asked for changes only")
                                                .arg(e.name));
    }
    const int pageSize = request.pageSize > 0 ? request.pageSize : e.pageSize > 0 ? e.pageSize : m_settings.pageSize;
    const QStringList recordTokens = pointerTokens(e.recordsPath);
    const QString cursorField = incremental ? request.cursorField : e.cursorField;
    const Data::Value cursor = incremental && !request.cursorAfter.isNull() ? request.cursorAfter : Data::Value();

    ReadSummary summary;
    qint64 offset = 0;
    qint64 page = 1;
    std::vector<Data::Value> previous;
    while (true) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(e.name));
        Data::Value body = substitute(e.request.isUndefined() ? Data::Value(Data::Object{}) : e.request,
                                      [&](const QString &name) -> Data::Value {
                                          if (name == "offset"_L1)
                                              return Data::Value(offset);
                                          if (name == "limit"_L1)
                                              return Data::Value(pageSize);
                                          if (name == "page"_L1)
                                              return Data::Value(page);
                                          if (name == "cursor"_L1)
                                              return cursor;
                                          return Data::Value();
                                      });
        if (request.filter.isObject()) {
            for (const auto &[key, value] : request.filter.toObject())
                body.mutableObject().insert(key, value);
        }
        if (!e.cursorParameter.isEmpty() && !cursor.isUndefined()) {
            const QStringList tokens = e.cursorParameter.startsWith(u'/') ? pointerTokens(e.cursorParameter)
                                                                          : QStringList{e.cursorParameter};
            setAt(body, tokens, 0, cursor);
        }
        Result<Data::Value> answer = call(e.operation, body, request.cancel);
        if (!answer)
            return answer.error();
        const Data::Value at = valueAt(*answer, recordTokens);
        std::vector<Data::Value> records;
        if (at.isArray())
            records = at.toArray();
        else if (!at.isUndefined() && !at.isNull())
            records.push_back(at);
        const qsizetype received = qsizetype(records.size());
        if (paged && received > 0 && records == previous)
            return makeError("paging_stuck", Tr::tr("Reading %1: the server answered page %2 with the records of the "
                                                    "page before; does %3 honour the paging of the request?")
                                                 .arg(e.name)
                                                 .arg(page)
                                                 .arg(e.operation));
        previous = records;
        for (Data::Value &record : records) {
            if (!cursorField.isEmpty()) {
                const Data::Value c = record[cursorField];
                if (!c.isUndefined() && !c.isNull() && (summary.lastCursor.isUndefined() || summary.lastCursor.isNull()
                                                        || compareCursor(c, summary.lastCursor) > 0))
                    summary.lastCursor = c;
            }
            if (!request.fields.isEmpty() && record.isObject()) {
                Data::Object projected;
                for (const QString &field : request.fields) {
                    const Data::Value v = record[field];
                    if (!v.isUndefined())
                        projected.append(field, v);
                }
                record = Data::Value(std::move(projected));
            }
        }
        bool done = false;
        if (request.limit >= 0 && summary.records + qint64(records.size()) >= request.limit) {
            records.resize(size_t(request.limit - summary.records));
            done = true;
            summary.stoppedEarly = true;
        }
        if (!records.empty()) {
            summary.records += qint64(records.size());
            ++summary.pages;
            if (!sink(std::move(records))) {
                summary.stoppedEarly = true;
                break;
            }
        }
        if (done || !paged || received == 0 || (limited && received < pageSize))
            break;
        offset += received;
        ++page;
    }
    return summary;
}

Result<WriteSummary> SoapConnector::write(const WriteRequest &request)
{
    Result<const EntitySettings *> found = entity(request.entity);
    if (!found)
        return found.error();
    const EntitySettings &e = **found;
    if (Result<void> loaded = load(request.cancel, false); !loaded)
        return loaded.error();
    const QStringList keys = request.keyFields.isEmpty() ? e.keyFields : request.keyFields;
    const auto hasKey = [&](const Data::Value &record) {
        return !keys.isEmpty() && std::all_of(keys.begin(), keys.end(), [&](const QString &k) {
            return !record[k].isUndefined() && !record[k].isNull();
        });
    };
    // The request of a write operation without a template: the record, wrapped in the input
    // element's only child when that child is a structure (CreateOrder/order); deletes send
    // the key fields only.
    const auto defaultRequest = [&](const WsdlOperation &op, const Data::Value &record, bool keysOnly) {
        Data::Value content = record;
        if (keysOnly && !keys.isEmpty()) {
            Data::Object k;
            for (const QString &key : keys)
                k.append(key, record[key]);
            content = Data::Value(std::move(k));
        }
        if (!op.input || op.input->parts.size() != 1 || op.input->parts.front().element.isEmpty())
            return content;
        const XsdElement *element = m_wsdl->types.element(op.input->parts.front().element);
        if (!element || element->type.kind != XsdTypeRef::Kind::Complex)
            return content;
        std::vector<const XsdElement *> children;
        for (const int i : contentChain(m_wsdl->types, element->type.index)) {
            for (const XsdElement &c : m_wsdl->types.complexTypes[size_t(i)].elements)
                children.push_back(&c);
        }
        if (children.size() == 1 && children.front()->type.kind == XsdTypeRef::Kind::Complex
            && !(content.isObject() && content.size() == 1 && content.toObject().contains(children.front()->name)))
            return Data::Value(Data::Object{{children.front()->name, content}});
        return content;
    };

    WriteSummary summary;
    for (size_t i = 0; i < request.records.size(); ++i) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Writing %1 was cancelled after %2 records").arg(e.name).arg(i));
        const Data::Value &record = request.records[i];
        const std::optional<WriteOperation> *chosen = nullptr;
        qint64 *counter = nullptr;
        switch (request.mode) {
        case WriteMode::Insert:
            chosen = &e.insert;
            counter = &summary.inserted;
            break;
        case WriteMode::Upsert:
            if (hasKey(record) && e.update) {
                chosen = &e.update;
                counter = &summary.updated;
            } else {
                chosen = &e.insert;
                counter = &summary.inserted;
            }
            break;
        case WriteMode::Delete:
            chosen = &e.remove;
            counter = &summary.deleted;
            if (!hasKey(record))
                return makeError("invalid_request", Tr::tr("Record %1 of the delete from %2 has no value for its key "
                                                           "(%3)")
                                                        .arg(i)
                                                        .arg(e.name, keys.join(u", "_s)));
            break;
        }
        if (!chosen->has_value())
            return makeError("unsupported", Tr::tr("Entity %1 has no %2 operation (configuration write)")
                                                .arg(e.name, request.mode == WriteMode::Delete ? u"delete"_s
                                                             : chosen == &e.update        ? u"update"_s
                                                                                          : u"insert"_s));
        const WriteOperation &w = **chosen;
        const WsdlOperation *op = m_binding->operation(w.operation);
        if (!op)
            return makeError("unknown_operation", Tr::tr("Entity %1: binding %2 has no operation \"%3\"")
                                                      .arg(e.name, m_binding->name.name, w.operation));
        const Data::Value body = w.request.isUndefined()
                                     ? defaultRequest(*op, record, request.mode == WriteMode::Delete)
                                     : substitute(w.request, [&](const QString &name) -> Data::Value {
                                           return name == "record"_L1 ? record : record[name];
                                       });
        Result<Data::Value> answer = call(w.operation, body, request.cancel);
        if (!answer) {
            Error error = answer.error();
            error.message = Tr::tr("Record %1 of %2 (%3 written before it): %4")
                                .arg(i)
                                .arg(e.name)
                                .arg(summary.inserted + summary.updated + summary.deleted)
                                .arg(error.message);
            return error;
        }
        ++*counter;
    }
    return summary;
}

} // namespace Conflux::Connectors
