#include "saprfc.h"

#include "data/xml.h"
#include "tr_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

QStringView localName(QStringView name)
{
    const qsizetype colon = name.indexOf(u':');
    return colon < 0 ? name : name.mid(colon + 1);
}

bool isAbapName(QStringView name)
{
    if (name.isEmpty() || name.size() > 61)
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (!((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_' || u == '/'))
            return false;
    }
    return true;
}

QString pointerStep(const QString &key)
{
    return u'/' + QString(key).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

// A parameter value in the XML codec's shape (docs/formats/xml.md).
Result<Data::Value> toXmlValue(const Data::Value &value, const QString &pointer)
{
    switch (value.type()) {
    case Data::Value::Type::Undefined:
    case Data::Value::Type::Null:
    case Data::Value::Type::String:
    case Data::Value::Type::Number:
        return value;
    case Data::Value::Type::Bool:
        return value.toBool() ? Data::Value(u"X"_s) : Data::Value(QString());
    case Data::Value::Type::Function:
        return makeError("sap_invalid_parameters", Tr::tr("%1: a function cannot be an RFC parameter").arg(pointer));
    case Data::Value::Type::Array: {
        if (value.size() == 0)
            return Data::Value(nullptr);
        Data::Array items;
        items.reserve(size_t(value.size()));
        for (qsizetype i = 0; i < value.size(); ++i) {
            Result<Data::Value> item = toXmlValue(value.at(i), pointer + u'/' + QString::number(i));
            if (!item)
                return item.error();
            items.push_back(Data::Value(std::move(*item)));
        }
        Data::Object table;
        table.append(u"item"_s, Data::Value(std::move(items)));
        return Data::Value(std::move(table));
    }
    case Data::Value::Type::Object: {
        Data::Object out;
        out.reserve(value.size());
        for (const auto &[key, member] : value.toObject()) {
            const QString where = pointer + pointerStep(key);
            if (!isAbapName(key)) {
                return makeError("sap_invalid_parameters",
                                 Tr::tr("%1: \"%2\" is not an ABAP parameter or field name (letters, digits, '_', "
                                        "'/')")
                                     .arg(where, key));
            }
            Result<Data::Value> converted = toXmlValue(member, where);
            if (!converted)
                return converted.error();
            out.append(rfcXmlName(key), std::move(*converted));
        }
        return Data::Value(std::move(out));
    }
    }
    return value;
}

Data::Value fromXmlValue(const Data::Value &value)
{
    if (value.isNull())
        return Data::Value(QString());
    if (value.isArray()) {
        Data::Array items;
        for (const Data::Value &item : value.toArray())
            items.push_back(fromXmlValue(item));
        return Data::Value(std::move(items));
    }
    if (!value.isObject())
        return value;
    const Data::Object &object = value.toObject();
    const Data::Value *onlyItem = nullptr;
    int elements = 0;
    for (const auto &[key, member] : object) {
        if (key.startsWith(u'@') || key == u"#text")
            continue;
        ++elements;
        if (localName(key) == u"item")
            onlyItem = &member;
    }
    if (elements == 1 && onlyItem) {
        Data::Array rows;
        if (onlyItem->isArray()) {
            for (const Data::Value &row : onlyItem->toArray())
                rows.push_back(fromXmlValue(row));
        } else {
            rows.push_back(fromXmlValue(*onlyItem));
        }
        return Data::Value(std::move(rows));
    }
    Data::Object out;
    out.reserve(elements);
    for (const auto &[key, member] : object) {
        if (key.startsWith(u'@') || key == u"#text")
            continue;
        out.insert(rfcAbapName(localName(key).toString()), fromXmlValue(member));
    }
    return Data::Value(std::move(out));
}

// The first element member of an XML object value (attributes and text skipped).
const Data::Object::Member *firstElement(const Data::Value &value)
{
    for (const auto &member : value.toObject()) {
        if (!member.first.startsWith(u'@') && member.first != u"#text")
            return &member;
    }
    return nullptr;
}

const Data::Value *childByLocalName(const Data::Value &value, QStringView name)
{
    for (const auto &[key, member] : value.toObject()) {
        if (!key.startsWith(u'@') && localName(key) == name)
            return &member;
    }
    return nullptr;
}

QString textOf(const Data::Value *value)
{
    if (!value)
        return {};
    if (value->isString())
        return value->toString().trimmed();
    if (value->isObject()) {
        if (const Data::Value *text = value->toObject().find(u"#text"))
            return text->toString().trimmed();
    }
    return {};
}

Error faultError(const QString &function, const Data::Value &fault)
{
    const QString faultCode = textOf(childByLocalName(fault, u"faultcode"));
    const QString faultString = textOf(childByLocalName(fault, u"faultstring"));
    QString exception;
    QString exceptionText;
    if (const Data::Value *detail = childByLocalName(fault, u"detail"); detail && detail->isObject()) {
        for (const auto &[key, member] : detail->toObject()) {
            const QStringView name = localName(key);
            if (name.endsWith(u".Exception") || name == u"Exception") {
                exception = textOf(childByLocalName(member, u"Name"));
                exceptionText = textOf(childByLocalName(member, u"Text"));
                break;
            }
        }
    }
    QStringList details;
    details.append(u"faultcode: "_s + faultCode);
    details.append(u"faultstring: "_s + faultString);
    if (!exception.isEmpty())
        details.append(u"exception: "_s + exception);
    if (!exceptionText.isEmpty())
        details.append(u"text: "_s + exceptionText);
    QString message;
    if (!exception.isEmpty()) {
        message = exceptionText.isEmpty()
            ? Tr::tr("%1 raised the exception %2").arg(function, exception)
            : Tr::tr("%1 raised the exception %2: %3").arg(function, exception, exceptionText);
    } else {
        message = Tr::tr("SAP answered the call of %1 with a SOAP fault (%2): %3").arg(function, faultCode, faultString);
    }
    Error error = makeError("sap_rfc_fault", message);
    error.details = details;
    return error;
}

} // namespace

QString rfcXmlName(const QString &abapName)
{
    return QString(abapName).replace(u'/', u"_-"_s);
}

QString rfcAbapName(const QString &xmlName)
{
    return QString(xmlName).replace(u"_-"_s, u"/"_s);
}

QStringList rfcTableParameters(const Data::Value &parameters)
{
    QStringList tables;
    for (const auto &[key, value] : parameters.toObject()) {
        if (value.isArray())
            tables.append(key);
    }
    return tables;
}

Result<QByteArray> buildRfcRequest(const QString &function, const Data::Value &parameters)
{
    if (!isAbapName(function) || function.contains(u"//"_s)) {
        return makeError("sap_invalid_parameters",
                         Tr::tr("\"%1\" is not a function module name").arg(function));
    }
    if (!parameters.isObject() && !parameters.isNull() && !parameters.isUndefined()) {
        return makeError("sap_invalid_parameters",
                         Tr::tr("The parameters of %1 must be an object of parameter names and values, not %2")
                             .arg(function, QLatin1StringView(parameters.typeName())));
    }
    Result<Data::Value> params = toXmlValue(parameters.isObject() ? parameters : Data::Value(Data::Object()), QString());
    if (!params)
        return params.error();
    Data::Object call = params->toObject();
    Data::Object withNamespace;
    withNamespace.append(u"@xmlns:urn"_s, Data::Value(QString(kRfcNamespace)));
    for (const auto &[key, value] : call)
        withNamespace.append(key, value);
    Data::Object body;
    body.append(u"urn:"_s + rfcXmlName(function), Data::Value(std::move(withNamespace)));
    Data::Object envelope;
    envelope.append(u"@xmlns:soap-env"_s, Data::Value(QString(kSoapEnvelopeNamespace)));
    envelope.append(u"soap-env:Header"_s, Data::Value(nullptr));
    envelope.append(u"soap-env:Body"_s, Data::Value(std::move(body)));
    Data::Object document;
    document.append(u"soap-env:Envelope"_s, Data::Value(std::move(envelope)));
    Result<QByteArray> xml = Data::Xml::write(Data::Value(std::move(document)));
    if (!xml) {
        return makeError("sap_invalid_parameters",
                         Tr::tr("The parameters of %1 cannot be written as XML: %2")
                             .arg(function, xml.error().message));
    }
    return xml;
}

Result<Data::Value> parseRfcResponse(const QString &function, QByteArrayView body, const QStringList &tables)
{
    Data::Xml::XmlReadOptions options;
    options.emptyAsNull = false;
    Result<Data::Value> document = Data::Xml::read(body, options);
    if (!document) {
        return makeError("sap_invalid_response",
                         Tr::tr("The answer to %1 is not well-formed XML: %2").arg(function, document.error().message));
    }
    const Data::Object::Member *root = firstElement(*document);
    if (!root || localName(root->first) != u"Envelope") {
        return makeError("sap_invalid_response",
                         Tr::tr("The answer to %1 is not a SOAP envelope but <%2>")
                             .arg(function, root ? root->first : QString()));
    }
    const Data::Value *soapBody = childByLocalName(root->second, u"Body");
    if (!soapBody)
        return makeError("sap_invalid_response", Tr::tr("The SOAP answer to %1 has no Body").arg(function));
    const Data::Object::Member *payload = firstElement(*soapBody);
    if (!payload)
        return makeError("sap_invalid_response", Tr::tr("The SOAP answer to %1 has an empty Body").arg(function));
    if (localName(payload->first) == u"Fault")
        return faultError(function, payload->second);
    const QString expected = rfcXmlName(function) + u".Response"_s;
    if (localName(payload->first) != expected) {
        return makeError("sap_invalid_response", Tr::tr("The SOAP answer to %1 holds <%2>, not <%3>")
                                                     .arg(function, payload->first, expected));
    }
    Data::Object result;
    if (payload->second.isObject()) {
        for (const auto &[key, value] : payload->second.toObject()) {
            if (key.startsWith(u'@') || key == u"#text")
                continue;
            const QString name = rfcAbapName(localName(key).toString());
            if (value.isString() && value.toString().isEmpty() && tables.contains(name))
                result.insert(name, Data::Value(Data::Array()));
            else
                result.insert(name, fromXmlValue(value));
        }
    }
    return Data::Value(std::move(result));
}

QString SapMessage::toString() const
{
    QString head = type;
    if (!id.isEmpty())
        head += u' ' + id;
    if (!number.isEmpty())
        head += u' ' + number;
    return text.isEmpty() ? head : head + u": "_s + text;
}

QList<SapMessage> returnMessages(const Data::Value &response, QStringView parameter)
{
    QList<SapMessage> messages;
    const Data::Value &ret = response[parameter];
    auto add = [&](const Data::Value &line) {
        if (!line.isObject())
            return;
        SapMessage m;
        m.type = line[u"TYPE"].toString().trimmed().toUpper();
        if (m.type.isEmpty())
            return; // an initial line: no message
        m.id = line[u"ID"].toString().trimmed();
        if (m.id.isEmpty())
            m.id = line[u"CODE"].toString().trimmed(); // BAPIRETURN
        m.number = line[u"NUMBER"].toString().trimmed();
        m.text = line[u"MESSAGE"].toString().trimmed();
        m.line = line;
        messages.append(m);
    };
    if (ret.isArray()) {
        for (const Data::Value &line : ret.toArray())
            add(line);
    } else {
        add(ret);
    }
    return messages;
}

Result<void> checkReturnMessages(const QString &function, const QList<SapMessage> &messages)
{
    QStringList errors;
    const SapMessage *first = nullptr;
    for (const SapMessage &m : messages) {
        if (!m.isError())
            continue;
        if (!first)
            first = &m;
        errors.append(m.toString());
    }
    if (!first)
        return {};
    QString reference = first->type;
    if (!first->id.isEmpty())
        reference += u' ' + first->id;
    if (!first->number.isEmpty())
        reference += u' ' + first->number;
    const QString text = first->text.isEmpty() ? Tr::tr("(no message text)") : first->text;
    return makeError("sap_bapi_error", Tr::tr("%1 failed: %2 (%3)").arg(function, text, reference), errors);
}

} // namespace Conflux::Sap
