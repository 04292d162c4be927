#include "sapidoc.h"

#include "connectors/httpclient.h"
#include "data/xml.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"
#include "sap/saprfc.h"
#include "tr_p.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>

#include <array>
#include <atomic>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

// EDI_DC40, the control record of IDoc XML, in its field order.
constexpr std::array<QLatin1StringView, 36> kControlFields{{
    "TABNAM"_L1, "MANDT"_L1,  "DOCNUM"_L1, "DOCREL"_L1, "STATUS"_L1, "DIRECT"_L1, "OUTMOD"_L1, "EXPRSS"_L1, "TEST"_L1,
    "IDOCTYP"_L1, "CIMTYP"_L1, "MESTYP"_L1, "MESCOD"_L1, "MESFCT"_L1, "STD"_L1,    "STDVRS"_L1, "STDMES"_L1,
    "SNDPOR"_L1, "SNDPRT"_L1, "SNDPFC"_L1, "SNDPRN"_L1, "SNDSAD"_L1, "SNDLAD"_L1, "RCVPOR"_L1, "RCVPRT"_L1,
    "RCVPFC"_L1, "RCVPRN"_L1, "RCVSAD"_L1, "RCVLAD"_L1, "CREDAT"_L1, "CRETIM"_L1, "REFINT"_L1, "REFGRP"_L1,
    "REFMES"_L1, "ARCKEY"_L1, "SERIAL"_L1,
}};

bool isControlField(QStringView name)
{
    for (const QLatin1StringView field : kControlFields) {
        if (name == field)
            return true;
    }
    return false;
}

QStringView localName(QStringView name)
{
    const qsizetype colon = name.indexOf(u':');
    return colon < 0 ? name : name.mid(colon + 1);
}

QString pointerStep(const QString &key)
{
    return u'/' + QString(key).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

bool isSegmentName(const QString &name)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(u"[A-Za-z/][A-Za-z0-9_/]{0,29}"_s));
    return re.match(name).hasMatch();
}

// A field value as IDoc text; nullopt for "leave it out" (null, undefined); a problem for the rest.
std::optional<QString> fieldText(const Data::Value &value, const QString &pointer, QStringList &problems)
{
    switch (value.type()) {
    case Data::Value::Type::Undefined:
    case Data::Value::Type::Null:
        return std::nullopt;
    case Data::Value::Type::String:
        return value.toString();
    case Data::Value::Type::Number:
        return value.hasExactText() ? value.exactText() : QString::number(value.toDouble(), 'g', 17);
    default:
        problems.append(pointer + u": "_s + Tr::tr("must be a string or a number, not %1")
                                                 .arg(QLatin1StringView(value.typeName())));
        return std::nullopt;
    }
}

QString newDocnum()
{
    static std::atomic<quint32> sequence{0};
    const qint64 ms = QDateTime::currentMSecsSinceEpoch() % 10'000'000'000'000LL;
    return QString::number(ms).rightJustified(13, u'0') + QString::number(sequence++ % 1000).rightJustified(3, u'0');
}

// The segments of `records` as members of the parent element's value, checked.
void writeSegments(const Data::Value &records, const QString &pointer, Data::Object &parent, QStringList &problems)
{
    if (records.isUndefined() || records.isNull())
        return;
    if (!records.isArray()) {
        problems.append(pointer + u": "_s + Tr::tr("must be an array of segments"));
        return;
    }
    QString previous;
    QSet<QString> seen;
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QString where = pointer + u'/' + QString::number(i);
        const Data::Value &record = records.at(i);
        if (!record.isObject()) {
            problems.append(where + u": "_s + Tr::tr("must be a segment {\"segment\": ..., \"fields\": {...}}"));
            continue;
        }
        const QString name = record[u"segment"].toString();
        if (!isSegmentName(name)) {
            problems.append(where + u"/segment: "_s
                            + (name.isEmpty() ? Tr::tr("is required (the segment type, e.g. \"E1KNA1M\")")
                                              : Tr::tr("\"%1\" is not a segment name").arg(name)));
            continue;
        }
        if (name != previous && seen.contains(name)) {
            problems.append(where + u"/segment: "_s
                            + Tr::tr("%1 appears again after %2: segments of one type must follow each other, "
                                     "as the IDoc type defines them")
                                  .arg(name, previous));
            continue;
        }
        const bool seenBefore = seen.contains(name);
        seen.insert(name);
        previous = name;

        Data::Object segment;
        segment.append(u"@SEGMENT"_s, Data::Value(u"1"_s));
        const Data::Value &fields = record[u"fields"];
        if (!fields.isUndefined() && !fields.isNull() && !fields.isObject()) {
            problems.append(where + u"/fields: "_s + Tr::tr("must be an object of field names and values"));
        } else {
            for (const auto &[field, value] : fields.toObject()) {
                const QString fieldPointer = where + u"/fields"_s + pointerStep(field);
                if (!isSegmentName(field)) {
                    problems.append(fieldPointer + u": "_s + Tr::tr("\"%1\" is not a field name").arg(field));
                    continue;
                }
                if (std::optional<QString> text = fieldText(value, fieldPointer, problems))
                    segment.insert(rfcXmlName(field), Data::Value(*text));
            }
        }
        writeSegments(record[u"children"], where + u"/children"_s, segment, problems);
        const QString xmlName = rfcXmlName(name);
        Data::Value *existing = parent.find(xmlName);
        if (existing && !seenBefore) {
            // A field or the control record of the same name would merge with the segment.
            problems.append(where + u"/segment: "_s
                            + Tr::tr("%1 is also the name of a field or record beside it").arg(name));
            continue;
        }
        if (existing) {
            if (!existing->isArray())
                *existing = Data::Value(Data::Array{*existing});
            existing->mutableArray().push_back(Data::Value(std::move(segment)));
        } else {
            parent.append(xmlName, Data::Value(std::move(segment)));
        }
    }
}

// Segment values (the codec's shape) → [{"segment", "fields", "children"}], appended to `out`.
Result<void> readSegment(const QString &name, const Data::Value &value, Data::Array &out, const QString &where)
{
    if (value.isArray()) {
        for (const Data::Value &each : value.toArray()) {
            if (Result<void> ok = readSegment(name, each, out, where); !ok)
                return ok;
        }
        return {};
    }
    Data::Object fields;
    Data::Array children;
    for (const auto &[key, member] : value.toObject()) {
        if (key.startsWith(u'@') || key == u"#text")
            continue;
        const QString child = rfcAbapName(localName(key).toString());
        const bool isSegment = member.isObject() || (member.isArray() && member.size() > 0 && member.at(0).isObject());
        if (isSegment) {
            if (Result<void> ok = readSegment(child, member, children, where); !ok)
                return ok;
        } else if (member.isArray()) {
            return makeError("sap_invalid_idoc",
                             Tr::tr("%1: segment %2 has the field %3 more than once").arg(where, name, child));
        } else {
            fields.append(child, Data::Value(member.toString().trimmed()));
        }
    }
    out.push_back(Data::Value(Data::Object{{u"segment"_s, Data::Value(name)},
                                           {u"fields"_s, Data::Value(std::move(fields))},
                                           {u"children"_s, Data::Value(std::move(children))}}));
    return {};
}

QString operationLabel(const Data::Array &idocs)
{
    const QString mestyp = idocs.empty() ? QString() : idocs.front()[u"control_record"][u"MESTYP"].toString();
    return u"IDOC:"_s + mestyp;
}

} // namespace

Result<Data::Value> completeIdoc(const Data::Value &idoc, const IdocDefaults &defaults, const QString &pointer)
{
    QStringList problems;
    if (!idoc.isObject()) {
        return makeError("sap_invalid_idoc",
                         Tr::tr("An IDoc must be an object {\"control_record\": {...}, \"data_records\": [...]}"),
                         {(pointer.isEmpty() ? u"/"_s : pointer) + u": "_s + Tr::tr("is %1").arg(QLatin1StringView(idoc.typeName()))});
    }
    const Data::Value &given = idoc[u"control_record"];
    if (!given.isObject() && !given.isUndefined())
        problems.append(pointer + u"/control_record: "_s + Tr::tr("must be an object of EDI_DC40 fields"));
    QHash<QString, QString> values;
    for (const auto &[key, value] : given.toObject()) {
        const QString where = pointer + u"/control_record"_s + pointerStep(key);
        if (!isControlField(key)) {
            problems.append(where + u": "_s + Tr::tr("\"%1\" is not a field of the control record EDI_DC40").arg(key));
            continue;
        }
        if (std::optional<QString> text = fieldText(value, where, problems))
            values.insert(key, *text);
    }
    const QDateTime created = defaults.created.isValid() ? defaults.created.toUTC() : QDateTime::currentDateTimeUtc();
    auto fill = [&](const QString &field, const QString &value) {
        if (values.value(field).isEmpty() && !value.isEmpty())
            values.insert(field, value);
    };
    fill(u"TABNAM"_s, u"EDI_DC40"_s);
    fill(u"MANDT"_s, defaults.client);
    fill(u"DIRECT"_s, u"2"_s);
    fill(u"IDOCTYP"_s, defaults.idocType);
    fill(u"MESTYP"_s, defaults.messageType);
    fill(u"SNDPRT"_s, u"LS"_s);
    fill(u"RCVPRT"_s, u"LS"_s);
    if (!defaults.systemId.isEmpty()) {
        fill(u"RCVPOR"_s, u"SAP"_s + defaults.systemId);
        if (!defaults.client.isEmpty())
            fill(u"RCVPRN"_s, defaults.systemId + u"CLNT"_s + defaults.client);
    }
    fill(u"CREDAT"_s, created.toString(u"yyyyMMdd"_s));
    fill(u"CRETIM"_s, created.toString(u"HHmmss"_s));
    fill(u"DOCNUM"_s, newDocnum());
    for (const QString &required : {u"IDOCTYP"_s, u"MESTYP"_s, u"SNDPOR"_s, u"SNDPRN"_s, u"RCVPOR"_s, u"RCVPRN"_s}) {
        if (values.value(required).isEmpty())
            problems.append(pointer + u"/control_record/"_s + required + u": "_s + Tr::tr("is required"));
    }
    if (values.value(u"IDOCTYP"_s).size() > 30 || !isSegmentName(values.value(u"IDOCTYP"_s, u"X"_s)))
        problems.append(pointer + u"/control_record/IDOCTYP: "_s + Tr::tr("is not an IDoc type name"));
    if (!values.value(u"CIMTYP"_s).isEmpty() && !isSegmentName(values.value(u"CIMTYP"_s)))
        problems.append(pointer + u"/control_record/CIMTYP: "_s + Tr::tr("is not an IDoc extension name"));
    const QString docnum = values.value(u"DOCNUM"_s);
    static const QRegularExpression digits(QRegularExpression::anchoredPattern(u"[0-9]{1,16}"_s));
    if (!digits.match(docnum).hasMatch())
        problems.append(pointer + u"/control_record/DOCNUM: "_s + Tr::tr("must be up to 16 digits"));

    const Data::Value &records = idoc[u"data_records"];
    if (!records.isArray() || records.size() == 0)
        problems.append(pointer + u"/data_records: "_s + Tr::tr("must be an array of at least one segment"));
    for (const auto &[key, value] : idoc.toObject()) {
        if (key != u"control_record" && key != u"data_records")
            problems.append(pointer + pointerStep(key) + u": "_s + Tr::tr("is not part of an IDoc (control_record, "
                                                                         "data_records)"));
    }
    if (!problems.isEmpty())
        return makeError("sap_invalid_idoc", Tr::tr("The IDoc is not valid"), problems);

    Data::Object control;
    for (const QLatin1StringView field : kControlFields) {
        const QString name(field);
        if (values.contains(name))
            control.append(name, Data::Value(values.value(name)));
    }
    return Data::Value(Data::Object{{u"control_record"_s, Data::Value(std::move(control))},
                                    {u"data_records"_s, records}});
}

Result<QByteArray> buildIdocXml(const Data::Value &idocs, const IdocDefaults &defaults)
{
    const bool several = idocs.isArray();
    if (several && idocs.size() == 0)
        return makeError("sap_invalid_idoc", Tr::tr("There are no IDocs to write"));
    QStringList problems;
    Data::Array idocElements;
    QString rootName;
    const qsizetype count = several ? idocs.size() : 1;
    for (qsizetype i = 0; i < count; ++i) {
        const QString pointer = several ? u'/' + QString::number(i) : QString();
        Result<Data::Value> idoc = completeIdoc(several ? idocs.at(i) : idocs, defaults, pointer);
        if (!idoc) {
            problems.append(idoc.error().details);
            continue;
        }
        const Data::Value &control = (*idoc)[u"control_record"];
        const QString cimtyp = control[u"CIMTYP"].toString();
        const QString type = cimtyp.isEmpty() ? control[u"IDOCTYP"].toString() : cimtyp;
        if (rootName.isEmpty()) {
            rootName = type;
        } else if (type != rootName) {
            problems.append(pointer + u"/control_record/IDOCTYP: "_s
                            + Tr::tr("%1 differs from %2: the IDocs of one document share their type").arg(type, rootName));
            continue;
        }
        Data::Object element;
        element.append(u"@BEGIN"_s, Data::Value(u"1"_s));
        Data::Object dc40;
        dc40.append(u"@SEGMENT"_s, Data::Value(u"1"_s));
        for (const auto &[key, value] : control.toObject())
            dc40.append(key, value);
        element.append(u"EDI_DC40"_s, Data::Value(std::move(dc40)));
        writeSegments((*idoc)[u"data_records"], pointer + u"/data_records"_s, element, problems);
        idocElements.push_back(Data::Value(std::move(element)));
    }
    if (!problems.isEmpty())
        return makeError("sap_invalid_idoc", Tr::tr("The IDoc cannot be written"), problems);
    Data::Object root;
    root.append(u"IDOC"_s, Data::Value(std::move(idocElements)));
    Data::Object document;
    document.append(rfcXmlName(rootName), Data::Value(std::move(root)));
    Result<QByteArray> xml = Data::Xml::write(Data::Value(std::move(document)));
    if (!xml)
        return makeError("sap_invalid_idoc", Tr::tr("The IDoc cannot be written as XML: %1").arg(xml.error().message));
    return xml;
}

Result<Data::Array> parseIdocXml(QByteArrayView xml)
{
    Data::Xml::XmlReadOptions options;
    options.emptyAsNull = false;
    Result<Data::Value> document = Data::Xml::read(xml, options);
    if (!document)
        return makeError("sap_invalid_idoc", Tr::tr("The IDoc XML is not well-formed: %1").arg(document.error().message));
    const Data::Object::Member *root = document->toObject().isEmpty() ? nullptr : &document->toObject().memberAt(0);
    if (root && localName(root->first) == u"Envelope") {
        const Data::Value *body = nullptr;
        for (const auto &member : root->second.toObject()) {
            if (localName(member.first) == u"Body")
                body = &member.second;
        }
        root = nullptr;
        if (body) {
            for (const auto &member : body->toObject()) {
                if (!member.first.startsWith(u'@')) {
                    root = &member;
                    break;
                }
            }
        }
    }
    if (!root)
        return makeError("sap_invalid_idoc", Tr::tr("The document holds no IDoc"));
    const Data::Value *idocs = nullptr;
    for (const auto &[key, value] : root->second.toObject()) {
        if (localName(key) == u"IDOC")
            idocs = &value;
    }
    if (!idocs) {
        return makeError("sap_invalid_idoc",
                         Tr::tr("The IDoc XML document <%1> has no IDOC element").arg(root->first));
    }
    const Data::Array list = idocs->isArray() ? idocs->toArray() : Data::Array{*idocs};
    Data::Array out;
    for (size_t i = 0; i < list.size(); ++i) {
        const QString where = Tr::tr("IDOC #%1").arg(i + 1);
        const Data::Value &idoc = list[i];
        const Data::Object::Member *first = nullptr;
        for (const auto &member : idoc.toObject()) {
            if (!member.first.startsWith(u'@') && member.first != u"#text") {
                first = &member;
                break;
            }
        }
        if (!first || localName(first->first) != u"EDI_DC40" || !first->second.isObject()) {
            return makeError("sap_invalid_idoc",
                             Tr::tr("%1 does not start with the control record EDI_DC40").arg(where));
        }
        Data::Object control;
        for (const auto &[key, value] : first->second.toObject()) {
            if (key.startsWith(u'@') || key == u"#text")
                continue;
            if (!value.isString()) {
                return makeError("sap_invalid_idoc", Tr::tr("%1: the control record's field %2 is not a plain value")
                                                         .arg(where, localName(key).toString()));
            }
            control.append(localName(key).toString(), Data::Value(value.toString().trimmed()));
        }
        Data::Array segments;
        for (const auto &[key, value] : idoc.toObject()) {
            if (key.startsWith(u'@') || key == u"#text" || &value == &first->second)
                continue;
            if (Result<void> ok = readSegment(rfcAbapName(localName(key).toString()), value, segments, where); !ok)
                return ok.error();
        }
        out.push_back(Data::Value(Data::Object{{u"control_record"_s, Data::Value(std::move(control))},
                                               {u"data_records"_s, Data::Value(std::move(segments))}}));
    }
    return out;
}

// ---- SapIdocClient -------------------------------------------------------------------------

SapIdocClient::SapIdocClient(std::shared_ptr<SapPool> pool) : m_pool(std::move(pool)) { }

SapIdocClient::~SapIdocClient() = default;

Result<IdocSendResult> SapIdocClient::send(const Data::Value &idocs, IdocDefaults defaults,
                                           const Connectors::CancelToken *cancel)
{
    const SapConnection &connection = m_pool->connection();
    if (defaults.client.isEmpty())
        defaults.client = connection.client;
    if (defaults.systemId.isEmpty())
        defaults.systemId = connection.systemId;
    if (!defaults.created.isValid())
        defaults.created = QDateTime::currentDateTimeUtc();

    IdocSendResult result;
    // Complete once, so that the DOCNUMs written are the ones returned.
    const qsizetype count = idocs.isArray() ? idocs.size() : 1;
    QStringList problems;
    for (qsizetype i = 0; i < count; ++i) {
        Result<Data::Value> idoc = completeIdoc(idocs.isArray() ? idocs.at(i) : idocs, defaults,
                                                idocs.isArray() ? u'/' + QString::number(i) : QString());
        if (!idoc)
            problems.append(idoc.error().details);
        else
            result.idocs.push_back(std::move(*idoc));
    }
    if (!problems.isEmpty() || result.idocs.empty())
        return makeError("sap_invalid_idoc", Tr::tr("The IDoc is not valid"), problems);
    Result<QByteArray> xml = buildIdocXml(Data::Value(result.idocs), defaults);
    if (!xml)
        return xml.error();

    Result<SapPool::Lease> lease = m_pool->acquire(cancel);
    if (!lease)
        return lease.error();
    const QString operation = operationLabel(result.idocs);
    QElapsedTimer timer;
    timer.start();
    auto finish = [&](Result<IdocSendResult> outcome) {
        m_pool->recordCall(operation, outcome ? u"ok"_s : outcome.error().code, double(timer.nsecsElapsed()) / 1e9);
        return outcome;
    };
    Connectors::HttpRequest request;
    request.method = "POST";
    request.url = m_pool->url(u"/sap/bc/idoc_xml"_s);
    request.body = *xml;
    request.setHeader("Content-Type", "application/xml; charset=utf-8");
    Result<Connectors::HttpResponse> response = lease->client().send(request, cancel);
    const QString what = Tr::tr("IDoc inbound");
    if (!response) {
        Error error = response.error();
        error.message = what + u": "_s + error.message;
        return finish(error);
    }
    if (response->status == 400) {
        return finish(makeError("sap_idoc_rejected", Tr::tr("%1 of %2 refused the IDoc: %3")
                                                         .arg(what, connection.describe(),
                                                              QString::fromUtf8(response->body).trimmed())));
    }
    if (!response->isSuccess())
        return finish(m_pool->httpError(what, response->status, response->describe()));
    static const QRegularExpression number(QRegularExpression::anchoredPattern(u"[0-9]{16}"_s));
    for (const QByteArray &line : response->body.split('\n')) {
        const QString text = QString::fromUtf8(line).trimmed();
        if (number.match(text).hasMatch())
            result.idocNumbers.append(text);
    }
    return finish(result);
}

Result<IdocSendResult> SapIdocClient::run(const SapOperation &operation, const Data::Value &idocs,
                                          const Connectors::CancelToken *cancel)
{
    if (operation.type != SapOperationType::Idoc) {
        return makeError("sap_unsupported", Tr::tr("SAP operation %1 is of type %2, not idoc")
                                                .arg(operation.id, operationTypeName(operation.type)));
    }
    IdocDefaults defaults;
    defaults.idocType = operation.idocType;
    defaults.messageType = operation.messageType;
    return send(idocs, defaults, cancel);
}

} // namespace Conflux::Sap
