// Reading a SOAP endpoint's configuration (docs/connectors/soap.md) into
// SoapConnector::Settings, with one "<JSON pointer>: <problem>" detail per problem.

#include "soapconnector.h"
#include "soapconnector_p.h"

#include <QSet>

#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::SoapDetail {

bool readsIncrementally(const EntitySettings &e)
{
    if (e.operation.isEmpty() || e.cursorField.isEmpty())
        return false;
    QSet<QString> names;
    collectPlaceholders(e.request, &names);
    return !e.cursorParameter.isEmpty() || names.contains(u"cursor"_s);
}

namespace {

class ConfigReader
{
public:
    QStringList problems;

    void problem(const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); }

    std::optional<QString> string(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isString() || value->toString().isEmpty()) {
            problem(base + key.toString(), Tr::tr("must be a non-empty string"));
            return std::nullopt;
        }
        return value->toString();
    }

    std::optional<int> integer(const Data::Object &object, QStringView key, const QString &base, int min, int max)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        const double d = value->toDouble();
        if (!value->isNumber() || d != std::floor(d) || d < min || d > max) {
            problem(base + key.toString(), Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return int(d);
    }

    QStringList names(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return {};
        if (value->isString() && !value->toString().isEmpty())
            return {value->toString()};
        QStringList out;
        bool ok = value->isArray() && value->size() > 0;
        for (const Data::Value &item : value->toArray()) {
            ok = ok && item.isString() && !item.toString().isEmpty();
            out.append(item.toString());
        }
        if (!ok) {
            problem(base + key.toString(), Tr::tr("must be a field name or an array of field names"));
            return {};
        }
        return out;
    }

    std::optional<WriteOperation> writeOperation(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        const QString pointer = base + key.toString();
        if (value->isString() && !value->toString().isEmpty())
            return WriteOperation{value->toString(), Data::Value()};
        if (!value->isObject()) {
            problem(pointer, Tr::tr("must be an operation name or {\"operation\": ..., \"request\": ...}"));
            return std::nullopt;
        }
        const Data::Object &o = value->toObject();
        for (const auto &member : o) {
            if (member.first != "operation"_L1 && member.first != "request"_L1)
                problem(pointer + u'/' + member.first, Tr::tr("is not a setting of a write operation"));
        }
        const std::optional<QString> operation = string(o, u"operation", pointer + u'/');
        if (!operation) {
            if (!o.contains(u"operation"))
                problem(pointer + u"/operation"_s, Tr::tr("is required"));
            return std::nullopt;
        }
        const Data::Value request = o.contains(u"request") ? *o.find(u"request") : Data::Value();
        if (!request.isUndefined() && !request.isObject())
            problem(pointer + u"/request"_s, Tr::tr("must be an object"));
        return WriteOperation{*operation, request};
    }
};

QStringList knownSettings()
{
    return {u"wsdl"_s,           u"service"_s,       u"port"_s,          u"binding"_s,
            u"soap_version"_s,   u"address"_s,       u"page_size"_s,     u"entities"_s,
            u"wsdl_max_size"_s,  u"wsdl_max_imports"_s, u"max_response_bytes"_s,
            u"max_redirects"_s,  u"redirect_hosts"_s, u"circuit_breaker"_s, u"timeout_seconds"_s,
            u"retry_attempts"_s};
}

void readEntity(ConfigReader &in, const Data::Value &value, const QString &base, EntitySettings *out)
{
    if (!value.isObject()) {
        in.problem(base, Tr::tr("must be an object"));
        return;
    }
    const Data::Object &o = value.toObject();
    static const QStringList known{u"name"_s,          u"operation"_s,        u"records_path"_s,
                                   u"request"_s,       u"key"_s,              u"cursor_field"_s,
                                   u"cursor_parameter"_s, u"page_size"_s,     u"write"_s,
                                   u"description"_s};
    for (const auto &member : o) {
        if (!known.contains(member.first) && !member.first.startsWith(u"x-"))
            in.problem(base + u'/' + member.first, Tr::tr("is not a setting of a SOAP entity"));
    }
    const QString b = base + u'/';
    out->name = in.string(o, u"name", b).value_or(QString());
    if (!o.contains(u"name"))
        in.problem(b + u"name"_s, Tr::tr("is required"));
    out->operation = in.string(o, u"operation", b).value_or(QString());
    if (const Data::Value *path = o.find(u"records_path")) {
        if (!path->isString() || (!path->toString().isEmpty() && !path->toString().startsWith(u'/')))
            in.problem(b + u"records_path"_s, Tr::tr("must be a JSON pointer into the answer, such as "
                                                     "/ListOrdersResponse/order (\"\": the whole answer)"));
        else
            out->recordsPath = path->toString();
    }
    if (const Data::Value *request = o.find(u"request")) {
        if (!request->isObject()) {
            in.problem(b + u"request"_s, Tr::tr("must be an object: the members of the request element"));
        } else {
            out->request = *request;
            QSet<QString> names;
            collectPlaceholders(*request, &names);
            static const QStringList variables{u"offset"_s, u"limit"_s, u"page"_s, u"cursor"_s};
            for (const QString &name : std::as_const(names)) {
                if (!variables.contains(name))
                    in.problem(b + u"request"_s, Tr::tr("unknown placeholder {%1} (known: {offset}, {limit}, "
                                                        "{page}, {cursor})")
                                                     .arg(name));
            }
        }
    }
    out->keyFields = in.names(o, u"key", b);
    out->cursorField = in.string(o, u"cursor_field", b).value_or(QString());
    out->cursorParameter = in.string(o, u"cursor_parameter", b).value_or(QString());
    if (!out->cursorParameter.isEmpty() && out->cursorField.isEmpty())
        in.problem(b + u"cursor_parameter"_s, Tr::tr("needs cursor_field: the field of the records it filters on"));
    out->pageSize = in.integer(o, u"page_size", b, 1, 100000).value_or(0);
    if (const Data::Value *write = o.find(u"write")) {
        if (!write->isObject()) {
            in.problem(b + u"write"_s, Tr::tr("must be an object: {\"insert\": ..., \"update\": ..., \"delete\": ...}"));
        } else {
            const Data::Object &w = write->toObject();
            for (const auto &member : w) {
                if (member.first != "insert"_L1 && member.first != "update"_L1 && member.first != "delete"_L1)
                    in.problem(b + u"write/"_s + member.first, Tr::tr("is not insert, update or delete"));
            }
            out->insert = in.writeOperation(w, u"insert", b + u"write/"_s);
            out->update = in.writeOperation(w, u"update", b + u"write/"_s);
            out->remove = in.writeOperation(w, u"delete", b + u"write/"_s);
        }
    }
    if (out->operation.isEmpty() && !out->insert && !out->update && !out->remove)
        in.problem(b + u"operation"_s, Tr::tr("is required (or write operations)"));
}

} // namespace

Result<Settings> readSettings(const EndpointSpec &endpoint)
{
    Settings s;
    ConfigReader in;
    if (endpoint.protocol != Protocol::Soap)
        in.problem(u"/protocol"_s, Tr::tr("must be soap, not %1").arg(protocolName(endpoint.protocol)));
    const Data::Object &config = endpoint.configuration;
    const QString base = u"/configuration/"_s;
    for (const auto &member : config) {
        if (!knownSettings().contains(member.first) && !member.first.startsWith(u"x-"))
            in.problem(base + member.first, Tr::tr("is not a setting of the SOAP connector"));
    }
    s.wsdl = in.string(config, u"wsdl", base).value_or(QString());
    s.service = in.string(config, u"service", base).value_or(QString());
    s.port = in.string(config, u"port", base).value_or(QString());
    s.binding = in.string(config, u"binding", base).value_or(QString());
    if (const Data::Value *version = config.find(u"soap_version")) {
        const QString v = version->isNumber() ? scalarText(*version) : version->toString();
        if (v == "1.1"_L1)
            s.soapVersion = SoapVersion::Soap11;
        else if (v == "1.2"_L1)
            s.soapVersion = SoapVersion::Soap12;
        else
            in.problem(base + u"soap_version"_s, Tr::tr("must be \"1.1\" or \"1.2\""));
    }
    if (const std::optional<QString> address = in.string(config, u"address", base)) {
        if (*address == "wsdl"_L1) {
            s.addressSource = SoapConnector::AddressSource::Wsdl;
        } else if (*address == "endpoint"_L1) {
            s.addressSource = SoapConnector::AddressSource::Endpoint;
        } else {
            s.addressSource = SoapConnector::AddressSource::Url;
            const QUrl url = endpoint.url.resolved(QUrl(*address));
            if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
                in.problem(base + u"address"_s, Tr::tr("must be \"wsdl\", \"endpoint\" or an http(s) URL (absolute, "
                                                       "or relative to the endpoint's url)"));
            s.address = url;
        }
    }
    if (s.wsdl.isEmpty() && !endpoint.url.isValid())
        in.problem(u"/url"_s, Tr::tr("is required unless configuration/wsdl names the WSDL"));
    s.pageSize = in.integer(config, u"page_size", base, 1, 100000).value_or(s.pageSize);
    s.wsdlLimits.maxSize = in.integer(config, u"wsdl_max_size", base, 1024, 1 << 30).value_or(int(s.wsdlLimits.maxSize));
    s.wsdlLimits.maxImports = in.integer(config, u"wsdl_max_imports", base, 0, 1000).value_or(s.wsdlLimits.maxImports);
    if (const Data::Value *entities = config.find(u"entities")) {
        if (!entities->isArray()) {
            in.problem(base + u"entities"_s, Tr::tr("must be an array of entity objects"));
        } else {
            QSet<QString> names;
            for (qsizetype i = 0; i < entities->size(); ++i) {
                EntitySettings e;
                const QString at = base + u"entities/"_s + QString::number(i);
                readEntity(in, entities->at(i), at, &e);
                if (!e.name.isEmpty() && names.contains(e.name))
                    in.problem(at + u"/name"_s, Tr::tr("\"%1\" is the name of an earlier entity").arg(e.name));
                names.insert(e.name);
                s.entities.push_back(std::move(e));
            }
        }
    }
    if (!in.problems.isEmpty())
        return makeError("invalid_endpoint", Tr::tr("The SOAP endpoint %1 is not configured correctly").arg(endpoint.id),
                         in.problems);
    return s;
}

} // namespace Conflux::Connectors::Internal::SoapDetail
