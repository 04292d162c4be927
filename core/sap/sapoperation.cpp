#include "sapoperation.h"

#include "tr_p.h"

#include <QRegularExpression>

#include <array>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

constexpr std::array<std::pair<QLatin1StringView, SapOperationType>, 4> kTypes{{
    {"bapi"_L1, SapOperationType::Bapi},
    {"rfc"_L1, SapOperationType::Rfc},
    {"idoc"_L1, SapOperationType::Idoc},
    {"odata"_L1, SapOperationType::OData},
}};

const QRegularExpression &idPattern()
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(u"[a-z0-9][a-z0-9._-]{0,63}"_s));
    return re;
}

} // namespace

QString operationTypeName(SapOperationType type)
{
    for (const auto &[name, value] : kTypes) {
        if (value == type)
            return name;
    }
    return {};
}

Result<SapOperation> parseSapOperation(const Data::Value &document, const QString &source)
{
    const QString where = source.isEmpty() ? Tr::tr("the SAP operation") : source;
    if (!document.isObject())
        return makeError("invalid_sap_operation", Tr::tr("%1 is not a JSON object").arg(where));
    const Data::Object &o = document.toObject();
    QStringList problems;
    auto problem = [&](const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); };
    auto string = [&](QStringView key, bool required) -> QString {
        const QString pointer = u'/' + key.toString();
        const Data::Value *value = o.find(key);
        if (!value) {
            if (required)
                problem(pointer, Tr::tr("is required"));
            return {};
        }
        if (!value->isString() || value->toString().isEmpty()) {
            problem(pointer, Tr::tr("must be a non-empty string"));
            return {};
        }
        return value->toString();
    };
    auto reference = [&](QStringView key, bool required) -> QString {
        const QString id = string(key, required);
        if (!id.isEmpty() && !idPattern().match(id).hasMatch()) {
            problem(u'/' + key.toString(), Tr::tr("\"%1\" is not a document id (lowercase letters, digits, "
                                                  "'.', '_', '-')")
                                               .arg(id));
            return {};
        }
        return id;
    };

    SapOperation op;
    if (document[u"kind"].toString() != "SapOperation"_L1)
        problem(u"/kind"_s, Tr::tr("must be \"SapOperation\""));
    op.id = reference(u"id", true);
    op.name = string(u"name", true);
    if (const Data::Value *description = o.find(u"description"); description && description->isString())
        op.description = description->toString();
    op.connection = reference(u"connection", true);
    op.inputMapping = reference(u"input_mapping", false);
    op.outputMapping = reference(u"output_mapping", false);
    if (o.find(u"operation_id"))
        problem(u"/operation_id"_s, Tr::tr("is called \"id\" in an SAP operation document"));
    if (o.find(u"bapi_name"))
        problem(u"/bapi_name"_s, Tr::tr("is called \"function_name\" in an SAP operation document"));
    if (o.find(u"pattern"))
        problem(u"/pattern"_s, Tr::tr("is called \"operation_type\" (bapi, rfc, idoc or odata) in an SAP operation "
                                      "document"));

    const QString type = string(u"operation_type", true);
    bool typeKnown = false;
    for (const auto &[name, value] : kTypes) {
        if (type == name) {
            op.type = value;
            typeKnown = true;
        }
    }
    if (!type.isEmpty() && !typeKnown) {
        problem(u"/operation_type"_s, Tr::tr("unknown operation type \"%1\" (expected bapi, rfc, idoc or odata; "
                                             "REST and SOAP services are endpoints)")
                                          .arg(type));
    }

    const bool callsFunction = typeKnown && (op.type == SapOperationType::Bapi || op.type == SapOperationType::Rfc);
    op.functionName = string(u"function_name", callsFunction);
    static const QRegularExpression functionPattern(QRegularExpression::anchoredPattern(u"[A-Z/][A-Z0-9_/]*"_s));
    if (!op.functionName.isEmpty() && !functionPattern.match(op.functionName).hasMatch()) {
        problem(u"/function_name"_s, Tr::tr("\"%1\" is not a function module name (capitals, digits, '_' and "
                                            "'/' namespaces, e.g. \"BAPI_CUSTOMER_CREATEFROMDATA1\")")
                                         .arg(op.functionName));
    }
    const bool isIdoc = typeKnown && op.type == SapOperationType::Idoc;
    op.idocType = string(u"idoc_type", isIdoc);
    op.messageType = string(u"message_type", isIdoc);
    const bool isOData = typeKnown && op.type == SapOperationType::OData;
    op.service = string(u"service", isOData);
    op.entitySet = string(u"entity_set", isOData);
    op.method = string(u"method", false);
    if (!op.method.isEmpty()) {
        static const QStringList methods{u"GET"_s, u"POST"_s, u"PUT"_s, u"PATCH"_s, u"MERGE"_s, u"DELETE"_s};
        if (!methods.contains(op.method))
            problem(u"/method"_s, Tr::tr("must be GET, POST, PUT, PATCH, MERGE or DELETE"));
    }
    if (const Data::Value *parameters = o.find(u"parameters")) {
        if (!parameters->isObject())
            problem(u"/parameters"_s, Tr::tr("must be an object of parameter names and values"));
        else
            op.parameters = parameters->toObject();
    }
    if (const Data::Value *commit = o.find(u"commit")) {
        if (!commit->isBool())
            problem(u"/commit"_s, Tr::tr("must be true or false"));
        else
            op.commit = commit->toBool();
        if (op.commit && typeKnown && !callsFunction)
            problem(u"/commit"_s, Tr::tr("only bapi and rfc operations commit"));
    }

    if (!problems.isEmpty())
        return makeError("invalid_sap_operation", Tr::tr("%1 is not a valid SAP operation").arg(where), problems);
    return op;
}

} // namespace Conflux::Sap
