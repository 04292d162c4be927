#include "connectors/wsdl.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "metadatatest.h"

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

const QString rfcNamespace = u"urn:sap-com:document:sap:rfc:functions"_s;
const QString xsdNs = u"http://www.w3.org/2001/XMLSchema"_s;

using Conflux::Test::describe;
using Conflux::Test::errorLine;
using Conflux::Test::flat;
using Conflux::Test::testData;

// Lines joined with "\n", so a test can say which line a problem is on.
QByteArray lines(std::initializer_list<const char *> parts)
{
    QByteArray out;
    for (const char *p : parts)
        out += QByteArray(p) + '\n';
    return out;
}

const char *definitionsStart = "<definitions xmlns='http://schemas.xmlsoap.org/wsdl/' xmlns:soap='http://schemas.xmlsoap.org/wsdl/soap/' xmlns:xs='http://www.w3.org/2001/XMLSchema' xmlns:t='urn:t' targetNamespace='urn:t'>";

} // namespace

class TestWsdl : public QObject
{
    Q_OBJECT

private slots:
    void sapRfcStructure();
    void sapRfcTypes();
    void sapRfcMessageSchema();
    void calculatorStructure();
    void calculatorTypes();
    void calculatorMessageSchemas();
    void recursionIsCut();
    void imports();
    void importWithoutLoader();
    void truncatedAnywhere();
    void errors_data();
    void errors();
};

void TestWsdl::sapRfcStructure()
{
    const QUrl base(u"https://s4host.example.com:44300/sap/bc/srt/wsdl/flv_10002A111AD1/bndg_url/sap/bc/srt/rfc/"
                    "sap/zflight/100/zflight_service/zflight_binding?sap-client=100"_s);
    const Result<WsdlDocument> r = parseWsdl(testData("sap_rfc_flight.wsdl"), base);
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const WsdlDocument &doc = *r;
    QCOMPARE(doc.targetNamespace, rfcNamespace);

    QCOMPARE(doc.services.size(), size_t(1));
    const WsdlService &service = doc.services.front();
    QCOMPARE(service.name, u"ZFLIGHT_SERVICE"_s);
    QCOMPARE(service.ports.size(), size_t(2));
    QCOMPARE(service.ports[0].name, u"ZFLIGHT_BINDING"_s);
    QCOMPARE(service.ports[0].soapVersion, SoapVersion::Soap11);
    QCOMPARE(service.ports[0].address,
             QUrl(u"http://s4host.example.com:8000/sap/bc/srt/rfc/sap/zflight/100/zflight_service/zflight_binding"_s));
    QCOMPARE(service.ports[0].binding, (QualifiedName{rfcNamespace, u"ZFLIGHT_BINDING"_s}));
    QCOMPARE(service.ports[1].soapVersion, SoapVersion::Soap12);
    // A relative location resolves against where the WSDL came from.
    QCOMPARE(service.ports[1].address,
             QUrl(u"https://s4host.example.com:44300/sap/bc/srt/rfc/sap/zflight/100/zflight_service/zflight_binding"_s));

    QCOMPARE(doc.bindings.size(), size_t(2));
    QCOMPARE(doc.bindings[0].soapVersion, SoapVersion::Soap11);
    QCOMPARE(doc.bindings[1].soapVersion, SoapVersion::Soap12);
    QCOMPARE(doc.bindings[1].name.name, u"ZFLIGHT_BINDING_soap12"_s);
    QCOMPARE(doc.binding()->name.name, u"ZFLIGHT_BINDING"_s);
    QCOMPARE(doc.binding(u"ZFLIGHT_BINDING_soap12"), &doc.bindings[1]);
    for (const WsdlBinding &b : doc.bindings) {
        QCOMPARE(b.style, SoapStyle::Document);
        QCOMPARE(b.transport, u"http://schemas.xmlsoap.org/soap/http"_s);
        QCOMPARE(b.portType.name, u"ZFLIGHT"_s);
        QCOMPARE(b.operations.size(), size_t(2));
        const WsdlOperation *op = b.operation(u"BAPI_FLIGHT_GETLIST");
        QVERIFY(op);
        QCOMPARE(op->soapAction, u"urn:sap-com:document:sap:rfc:functions:ZFLIGHT:BAPI_FLIGHT_GETLISTRequest"_s);
        QVERIFY(op->input && op->output);
        QCOMPARE(op->input->use, SoapUse::Literal);
        QCOMPARE(op->input->message.name, u"BAPI_FLIGHT_GETLIST"_s);
        QCOMPARE(op->input->parts.size(), size_t(1));
        QCOMPARE(op->input->parts[0].name, u"parameters"_s);
        QCOMPARE(op->input->parts[0].element, (QualifiedName{rfcNamespace, u"BAPI_FLIGHT_GETLIST"_s}));
        QCOMPARE(op->output->parts[0].element.name, u"BAPI_FLIGHT_GETLISTResponse"_s);
        QVERIFY(op->faults.empty());
        QCOMPARE(b.operation(u"BAPI_FLIGHT_GETDETAIL")->documentation, u"Find details about a flight"_s);
    }
    QCOMPARE(doc.messages.size(), size_t(4));
}

void TestWsdl::sapRfcTypes()
{
    const Result<WsdlDocument> r = parseWsdl(testData("sap_rfc_flight.wsdl"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const XsdSchemaSet &types = r->types;
    QCOMPARE(types.targetNamespaces, QStringList{rfcNamespace});
    QCOMPARE(types.elements.size(), size_t(4));

    const XsdSimpleType *char3 = types.simpleType({rfcNamespace, u"char3"_s});
    QVERIFY(char3);
    QCOMPARE(char3->builtin, (QualifiedName{xsdNs, u"string"_s}));
    QCOMPARE(char3->facets.maxLength, std::optional<qint64>(3));
    QVERIFY(!char3->facets.totalDigits);

    const XsdSimpleType *curr = types.simpleType({rfcNamespace, u"curr12.4"_s});
    QVERIFY(curr);
    QCOMPARE(curr->builtin.name, u"decimal"_s);
    QCOMPARE(curr->facets.totalDigits, std::optional<int>(12));
    QCOMPARE(curr->facets.fractionDigits, std::optional<int>(4));

    const XsdSimpleType *date = types.simpleType({rfcNamespace, u"date10"_s});
    QVERIFY(date);
    QCOMPARE(date->facets.patterns, QStringList{u"\\d\\d\\d\\d-\\d\\d-\\d\\d"_s});
    QCOMPARE(date->facets.maxLength, std::optional<qint64>(10));

    // A type used before its definition in the document resolves.
    const XsdComplexType *ret = types.complexType({rfcNamespace, u"BAPIRET2"_s});
    QVERIFY(ret);
    QCOMPARE(ret->elements.size(), size_t(5));
    QCOMPARE(ret->elements[2].name, u"NUMBER"_s);
    QCOMPARE(ret->elements[2].type.kind, XsdTypeRef::Kind::Simple);
    QCOMPARE(types.simpleTypes[size_t(ret->elements[2].type.index)].name.name, u"numeric3"_s);
    QCOMPARE(ret->elements[4].type.kind, XsdTypeRef::Kind::Builtin);
    QCOMPARE(ret->elements[4].type.name.name, u"int"_s);

    const XsdComplexType *table = types.complexType({rfcNamespace, u"TABLE_OF_BAPIRET2"_s});
    QVERIFY(table);
    QCOMPARE(table->elements.size(), size_t(1));
    QCOMPARE(table->elements[0].name, u"item"_s);
    QCOMPARE(table->elements[0].minOccurs, 0);
    QCOMPARE(table->elements[0].maxOccurs, -1);
    QVERIFY(table->elements[0].isRepeated());
    // Local elements are unqualified (no elementFormDefault).
    QCOMPARE(table->elements[0].namespaceUri, QString());

    const XsdElement *request = types.element({rfcNamespace, u"BAPI_FLIGHT_GETLIST"_s});
    QVERIFY(request);
    QCOMPARE(request->type.kind, XsdTypeRef::Kind::Complex);
    QVERIFY(request->type.name.isEmpty());   // anonymous
    QCOMPARE(types.complexTypes[size_t(request->type.index)].elements.size(), size_t(5));
}

void TestWsdl::sapRfcMessageSchema()
{
    const Result<WsdlDocument> r = parseWsdl(testData("sap_rfc_flight.wsdl"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const WsdlOperation *detail = r->binding()->operation(u"BAPI_FLIGHT_GETDETAIL");
    QVERIFY(detail);

    const Result<Data::SchemaField> out = messageSchema(*r, *detail, WsdlMessageRole::Output);
    QVERIFY2(out, out ? "" : qPrintable(describe(out.error())));
    QCOMPARE(flat(*out), (QStringList{
                             u"BAPI_FLIGHT_GETDETAILResponse:object"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA:object"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/AIRLINEID:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/AIRLINE:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/CONNECTID:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/FLIGHTDATE:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/DEPTIME:string@time"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/PRICE:number"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/FLIGHT_DATA/CURR:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN:object"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item:array?"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]:object"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]/TYPE:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]/ID:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]/NUMBER:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]/MESSAGE:string"_s,
                             u"BAPI_FLIGHT_GETDETAILResponse/RETURN/item[]/ROW:integer"_s,
                         }));

    const WsdlOperation *list = r->binding(u"ZFLIGHT_BINDING_soap12")->operation(u"BAPI_FLIGHT_GETLIST");
    const Result<Data::SchemaField> in = messageSchema(*r, *list, WsdlMessageRole::Input);
    QVERIFY2(in, in ? "" : qPrintable(describe(in.error())));
    QCOMPARE(in->types, Data::SchemaTypes(Data::SchemaType::Object));
    QCOMPARE(in->fields.size(), size_t(1));
    const Data::SchemaField *airline = in->find(u"BAPI_FLIGHT_GETLIST/AIRLINE");
    QVERIFY(airline);
    QVERIFY(airline->optional);
    QCOMPARE(airline->typeNames(), QStringList{u"string"_s});
    const Data::SchemaField *price = in->find(u"BAPI_FLIGHT_GETLIST/FLIGHT_LIST/item[]/PRICE");
    QVERIFY(price);
    QCOMPARE(price->typeNames(), QStringList{u"number"_s});
    QCOMPARE(in->find(u"BAPI_FLIGHT_GETLIST/FLIGHT_LIST/item")->typeNames(), QStringList{u"array"_s});
    QCOMPARE(in->find(u"BAPI_FLIGHT_GETLIST/DATE_RANGE/item[]/LOW")->path,
             u"BAPI_FLIGHT_GETLIST/DATE_RANGE/item[]/LOW"_s);
    QCOMPARE(in->find(u"BAPI_FLIGHT_GETLIST/MAX_ROWS")->typeNames(), QStringList{u"integer"_s});
}

void TestWsdl::calculatorStructure()
{
    const QUrl base(u"https://calc.example.com/services/calculator?wsdl"_s);
    const Result<WsdlDocument> r = parseWsdl(testData("calculator_soap12.wsdl"), base);
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const WsdlDocument &doc = *r;
    QCOMPARE(doc.name, u"Calculator"_s);
    QCOMPARE(doc.services.size(), size_t(1));
    QCOMPARE(doc.services[0].documentation, u"Arithmetic as a service"_s);
    QCOMPARE(doc.services[0].ports.size(), size_t(2));
    QCOMPARE(doc.services[0].ports[0].address, QUrl(u"https://calc.example.com/soap12"_s));
    QCOMPARE(doc.services[0].ports[0].soapVersion, SoapVersion::Soap12);
    QCOMPARE(doc.services[0].ports[1].address, QUrl(u"https://calc.example.com/services/legacy"_s));
    QCOMPARE(doc.services[0].ports[1].soapVersion, SoapVersion::Soap11);

    QCOMPARE(doc.bindings.size(), size_t(2));
    const WsdlBinding *soap12 = doc.binding(u"CalculatorSoap12Binding");
    QVERIFY(soap12);
    QCOMPARE(soap12->soapVersion, SoapVersion::Soap12);
    QCOMPARE(soap12->style, SoapStyle::Document);
    const WsdlOperation *evaluate = soap12->operation(u"Evaluate");
    QVERIFY(evaluate);
    QCOMPARE(evaluate->soapAction, u"http://example.com/calculator/Evaluate"_s);
    QCOMPARE(evaluate->documentation, u"Evaluates an expression tree."_s);
    QCOMPARE(evaluate->faults.size(), size_t(1));
    QCOMPARE(evaluate->faults[0].name, u"CalculationFault"_s);
    QCOMPARE(evaluate->faults[0].message.name, u"CalculationFault"_s);
    QCOMPARE(evaluate->faults[0].parts.size(), size_t(1));
    QCOMPARE(evaluate->faults[0].parts[0].element,
             (QualifiedName{u"http://example.com/calculator/types"_s, u"CalculationFault"_s}));
    const WsdlOperation *reset = soap12->operation(u"Reset");
    QVERIFY(reset && reset->input);
    QVERIFY(!reset->output);   // one-way

    const WsdlBinding *legacy = doc.binding(u"LegacyCalculatorBinding");
    QVERIFY(legacy);
    QCOMPARE(legacy->soapVersion, SoapVersion::Soap11);
    QCOMPARE(legacy->style, SoapStyle::Rpc);
    const WsdlOperation *add = legacy->operation(u"Add");
    QVERIFY(add);
    QCOMPARE(add->style, SoapStyle::Rpc);
    QCOMPARE(add->soapAction, u"urn:Add"_s);
    QCOMPARE(add->input->namespaceUri, u"http://example.com/calculator/legacy"_s);
    QCOMPARE(add->input->parts.size(), size_t(2));
    QCOMPARE(add->input->parts[1].type, (QualifiedName{xsdNs, u"int"_s}));
}

void TestWsdl::calculatorTypes()
{
    const Result<WsdlDocument> r = parseWsdl(testData("calculator_soap12.wsdl"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const XsdSchemaSet &types = r->types;
    const QString common = u"http://example.com/common"_s;
    const QString calc = u"http://example.com/calculator/types"_s;
    QCOMPARE(types.targetNamespaces, (QStringList{common, calc}));

    const XsdSimpleType *op = types.simpleType({common, u"Operator"_s});
    QVERIFY(op);
    QCOMPARE(op->builtin.name, u"token"_s);
    QCOMPARE(op->facets.enumeration, (QStringList{u"add"_s, u"subtract"_s, u"multiply"_s, u"divide"_s}));

    // Facets inherit along the base chain; the nearest restriction wins.
    const XsdSimpleType *code = types.simpleType({common, u"Code"_s});
    QVERIFY(code);
    QCOMPARE(code->builtin.name, u"string"_s);
    QCOMPARE(code->facets.length, std::optional<qint64>(4));
    QCOMPARE(code->facets.minLength, std::optional<qint64>(1));
    QCOMPARE(code->facets.maxLength, std::optional<qint64>(40));
    QCOMPARE(code->facets.patterns, QStringList{u"[A-Z]{2}[0-9]{2}"_s});

    const XsdComplexType *amount = types.complexType({common, u"Amount"_s});
    QVERIFY(amount);
    QVERIFY(amount->simpleContent);
    QCOMPARE(amount->base.name.name, u"decimal"_s);
    QCOMPARE(amount->attributes.size(), size_t(2));
    QVERIFY(amount->attributes[0].required);
    QVERIFY(!amount->attributes[1].required);

    const XsdElement *evaluate = types.element({calc, u"Evaluate"_s});
    QVERIFY(evaluate);
    const XsdComplexType &anonymous = types.complexTypes[size_t(evaluate->type.index)];
    QCOMPARE(anonymous.derivation, XsdComplexType::Derivation::Extension);
    QCOMPARE(anonymous.base.name, (QualifiedName{calc, u"BaseRequest"_s}));
    QCOMPARE(anonymous.elements.size(), size_t(3));
    QCOMPARE(anonymous.elements[0].namespaceUri, calc);   // elementFormDefault="qualified"
    const XsdElement &rounding = anonymous.elements[1];
    QCOMPARE(rounding.type.kind, XsdTypeRef::Kind::Simple);
    QCOMPARE(types.simpleTypes[size_t(rounding.type.index)].facets.maxInclusive, u"10"_s);
    const XsdElement &trace = anonymous.elements[2];
    QCOMPARE(trace.ref, (QualifiedName{common, u"Trace"_s}));
    QCOMPARE(trace.name, u"Trace"_s);
    QCOMPARE(trace.namespaceUri, common);
    QCOMPARE(trace.minOccurs, 0);

    // Choice members are optional, group references are flattened in place.
    const XsdComplexType *expression = types.complexType({calc, u"Expression"_s});
    QVERIFY(expression);
    QCOMPARE(expression->elements.size(), size_t(3));
    for (const XsdElement &e : expression->elements)
        QVERIFY2(e.isOptional(), qPrintable(e.name));
    QCOMPARE(expression->elements[2].maxOccurs, -1);
    const XsdComplexType *base = types.complexType({calc, u"BaseRequest"_s});
    QCOMPARE(base->elements.size(), size_t(2));
    QCOMPARE(base->elements[1].name, u"requestedAt"_s);
    QCOMPARE(base->attributes.size(), size_t(1));
    QCOMPARE(base->attributes[0].name, u"correlationId"_s);
}

void TestWsdl::calculatorMessageSchemas()
{
    const Result<WsdlDocument> r = parseWsdl(testData("calculator_soap12.wsdl"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const WsdlOperation &evaluate = *r->binding(u"CalculatorSoap12Binding")->operation(u"Evaluate");

    QStringList cut;
    MessageSchemaOptions options;
    options.cutPaths = &cut;
    const Result<Data::SchemaField> in = messageSchema(*r, evaluate, WsdlMessageRole::Input, {}, options);
    QVERIFY2(in, in ? "" : qPrintable(describe(in.error())));
    QCOMPARE(flat(*in), (QStringList{
                            u"Evaluate:object"_s,
                            u"Evaluate/@correlationId:string?"_s,
                            u"Evaluate/requestedBy:string?"_s,
                            u"Evaluate/requestedAt:string?@date-time"_s,
                            u"Evaluate/expression:object"_s,
                            u"Evaluate/expression/value:number?"_s,
                            u"Evaluate/expression/operator:string?"_s,
                            u"Evaluate/expression/operand:array?"_s,
                            u"Evaluate/expression/operand[]:object"_s,
                            u"Evaluate/expression/operand[]/value:number?"_s,
                            u"Evaluate/expression/operand[]/operator:string?"_s,
                            u"Evaluate/expression/operand[]/operand:array?"_s,
                            u"Evaluate/expression/operand[]/operand[]:object"_s,
                            u"Evaluate/rounding:integer?"_s,
                            u"Evaluate/Trace:string?"_s,
                        }));
    QCOMPARE(cut, QStringList{u"Evaluate/expression/operand[]/operand[]"_s});

    const Result<Data::SchemaField> out = messageSchema(*r, evaluate, WsdlMessageRole::Output);
    QVERIFY2(out, out ? "" : qPrintable(describe(out.error())));
    QCOMPARE(flat(*out), (QStringList{
                             u"EvaluateResponse:object"_s,
                             u"EvaluateResponse/result:object"_s,
                             u"EvaluateResponse/result/@unit:string"_s,
                             u"EvaluateResponse/result/@precision:integer?"_s,
                             u"EvaluateResponse/result/#text:number?"_s,
                             u"EvaluateResponse/evaluatedOn:string@date"_s,
                             u"EvaluateResponse/warnings:array?"_s,
                             u"EvaluateResponse/warnings[]:string|null"_s,
                             u"EvaluateResponse/code:string|null"_s,
                         }));

    const Result<Data::SchemaField> fault = messageSchema(*r, evaluate, WsdlMessageRole::Fault, u"CalculationFault"_s);
    QVERIFY2(fault, fault ? "" : qPrintable(describe(fault.error())));
    QCOMPARE(flat(*fault), (QStringList{u"CalculationFault:object"_s, u"CalculationFault/reason:string"_s,
                                        u"CalculationFault/position:integer?"_s}));
    const Result<Data::SchemaField> noFault = messageSchema(*r, evaluate, WsdlMessageRole::Fault, u"Overflow"_s);
    QVERIFY(!noFault);
    QCOMPARE(noFault.error().code, u"wsdl_no_message"_s);
    QVERIFY(noFault.error().message.contains(u"Overflow"));

    const WsdlOperation &reset = *r->binding(u"CalculatorSoap12Binding")->operation(u"Reset");
    const Result<Data::SchemaField> resetIn = messageSchema(*r, reset, WsdlMessageRole::Input);
    QVERIFY(resetIn);
    QCOMPARE(flat(*resetIn), QStringList{u"Reset:object"_s});
    const Result<Data::SchemaField> resetOut = messageSchema(*r, reset, WsdlMessageRole::Output);
    QVERIFY(!resetOut);
    QCOMPARE(resetOut.error().code, u"wsdl_no_message"_s);
    QVERIFY(resetOut.error().message.contains(u"one-way"));

    // rpc style: a wrapper named after the operation, one accessor per part.
    const WsdlOperation &add = *r->binding(u"LegacyCalculatorBinding")->operation(u"Add");
    const Result<Data::SchemaField> addIn = messageSchema(*r, add, WsdlMessageRole::Input);
    QVERIFY(addIn);
    QCOMPARE(flat(*addIn), (QStringList{u"Add:object"_s, u"Add/a:integer"_s, u"Add/b:integer"_s}));
    const Result<Data::SchemaField> addOut = messageSchema(*r, add, WsdlMessageRole::Output);
    QVERIFY(addOut);
    QCOMPARE(flat(*addOut), (QStringList{u"AddResponse:object"_s, u"AddResponse/sum:integer"_s}));
}

void TestWsdl::recursionIsCut()
{
    // A type that contains itself directly and through another type, with no bound in the
    // document: the tree stops at maxRecursion expansions per path.
    const QByteArray wsdl = lines({
        "<?xml version='1.0'?>",
        definitionsStart,
        "<types><xs:schema targetNamespace='urn:t'>",
        "<xs:complexType name='Node'><xs:sequence><xs:element name='name' type='xs:string'/>",
        "<xs:element name='child' type='t:Node' minOccurs='0' maxOccurs='unbounded'/>",
        "<xs:element name='link' type='t:Link' minOccurs='0'/></xs:sequence></xs:complexType>",
        "<xs:complexType name='Link'><xs:sequence><xs:element name='target' type='t:Node'/></xs:sequence></xs:complexType>",
        "<xs:element name='Tree' type='t:Node'/></xs:schema></types>",
        "<message name='m'><part name='p' element='t:Tree'/></message>",
        "<portType name='pt'><operation name='Get'><input message='t:m'/></operation></portType>",
        "<binding name='b' type='t:pt'><soap:binding style='document' transport='http://schemas.xmlsoap.org/soap/http'/>",
        "<operation name='Get'><soap:operation soapAction='urn:get'/><input><soap:body use='literal'/></input></operation></binding>",
        "</definitions>",
    });
    const Result<WsdlDocument> r = parseWsdl(wsdl);
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const WsdlOperation &get = *r->binding()->operation(u"Get");

    QStringList cut;
    MessageSchemaOptions once;
    once.maxRecursion = 1;
    once.cutPaths = &cut;
    const Result<Data::SchemaField> shallow = messageSchema(*r, get, WsdlMessageRole::Input, {}, once);
    QVERIFY(shallow);
    QCOMPARE(flat(*shallow), (QStringList{u"Tree:object"_s, u"Tree/name:string"_s, u"Tree/child:array?"_s,
                                          u"Tree/child[]:object"_s, u"Tree/link:object?"_s,
                                          u"Tree/link/target:object"_s}));
    QCOMPARE(cut, (QStringList{u"Tree/child[]"_s, u"Tree/link/target"_s}));

    cut.clear();
    MessageSchemaOptions twice;
    twice.cutPaths = &cut;
    const Result<Data::SchemaField> deeper = messageSchema(*r, get, WsdlMessageRole::Input, {}, twice);
    QVERIFY(deeper);
    QVERIFY(deeper->find(u"Tree/child[]/child[]/name") == nullptr);
    QVERIFY(deeper->find(u"Tree/child[]/link/target") != nullptr);
    QVERIFY(deeper->find(u"Tree/child[]/link/target/name") == nullptr);
    QVERIFY(deeper->find(u"Tree/link/target/child[]/name") == nullptr);
    QVERIFY(cut.contains(u"Tree/child[]/child[]"_s));
    QCOMPARE(cut.size(), 4);   // child[]/child[], child[]/link/target, link/target/child[], link/target/link/target
}

void TestWsdl::imports()
{
    const QByteArray wsdl = lines({
        definitionsStart,
        "<types><xs:schema targetNamespace='urn:t' xmlns:o='urn:other'>",
        "<xs:import namespace='urn:other' schemaLocation='xsd/other.xsd'/>",
        "<xs:include schemaLocation='xsd/local.xsd'/>",
        "<xs:element name='Req'><xs:complexType><xs:sequence><xs:element name='o' type='o:Thing'/>",
        "<xs:element name='l' type='t:Local'/></xs:sequence></xs:complexType></xs:element>",
        "</xs:schema></types>",
        "<message name='m'><part name='p' element='t:Req'/></message>",
        "<portType name='pt'><operation name='Do'><input message='t:m'/></operation></portType>",
        "<binding name='b' type='t:pt'><soap:binding style='document' transport='http://schemas.xmlsoap.org/soap/http'/>",
        "<operation name='Do'><soap:operation soapAction='urn:do'/><input><soap:body use='literal'/></input></operation></binding>",
        "</definitions>",
    });
    QList<QUrl> requested;
    const WsdlLoader loader = [&](const QUrl &url) -> Result<QByteArray> {
        requested.append(url);
        const QString path = url.path();
        if (path.endsWith(u"/xsd/other.xsd"))
            return QByteArray("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:other'>"
                              "<xs:include schemaLocation='more.xsd'/>"
                              "<xs:complexType name='Thing'><xs:sequence><xs:element name='size' type='xs:int'/>"
                              "<xs:element name='more' type='o:More' xmlns:o='urn:other'/></xs:sequence></xs:complexType></xs:schema>");
        if (path.endsWith(u"/xsd/more.xsd"))   // includes other.xsd back: read once
            return QByteArray("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"
                              "<xs:include schemaLocation='other.xsd'/>"
                              "<xs:simpleType name='More'><xs:restriction base='xs:date'/></xs:simpleType></xs:schema>");
        if (path.endsWith(u"/xsd/local.xsd"))   // no targetNamespace: takes the includer's
            return QByteArray("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"
                              "<xs:simpleType name='Local'><xs:restriction base='xs:boolean'/></xs:simpleType></xs:schema>");
        return makeError("not_found", u"404 Not Found"_s);
    };
    const Result<WsdlDocument> r = parseWsdl(wsdl, QUrl(u"http://host/svc/service.wsdl"_s), loader);
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    QCOMPARE(requested, (QList<QUrl>{QUrl(u"http://host/svc/xsd/other.xsd"_s), QUrl(u"http://host/svc/xsd/more.xsd"_s),
                                     QUrl(u"http://host/svc/xsd/local.xsd"_s)}));
    QCOMPARE(r->importedLocations.size(), 3);
    QVERIFY(r->types.simpleType({u"urn:other"_s, u"More"_s}));
    QVERIFY(r->types.simpleType({u"urn:t"_s, u"Local"_s}));
    QCOMPARE(r->types.complexType({u"urn:other"_s, u"Thing"_s})->document, u"http://host/svc/xsd/other.xsd"_s);
    const Result<Data::SchemaField> in = messageSchema(*r, *r->binding()->operation(u"Do"), WsdlMessageRole::Input);
    QVERIFY(in);
    QCOMPARE(flat(*in), (QStringList{u"Req:object"_s, u"Req/o:object"_s, u"Req/o/size:integer"_s,
                                     u"Req/o/more:string@date"_s, u"Req/l:boolean"_s}));

    // A loader failure names the document and where it was imported.
    const WsdlLoader failing = [](const QUrl &) -> Result<QByteArray> {
        return makeError("http_error", u"HTTP 401 Unauthorized"_s);
    };
    const Result<WsdlDocument> failed = parseWsdl(wsdl, QUrl(u"http://host/svc/service.wsdl"_s), failing);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, u"wsdl_import"_s);
    QCOMPARE(errorLine(failed.error()), 3);
    QVERIFY2(failed.error().message.contains(u"http://host/svc/xsd/other.xsd"), qPrintable(failed.error().message));
    QVERIFY2(failed.error().message.contains(u"401"), qPrintable(failed.error().message));

    // An error inside an imported document names that document.
    const WsdlLoader broken = [](const QUrl &url) -> Result<QByteArray> {
        if (url.path().endsWith(u"other.xsd"))
            return QByteArray("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"urn:other\">\n"
                              "<xs:element name=\"x\" type=\"xs:string\">\n</xs:schema>");
        return QByteArray("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>");
    };
    const Result<WsdlDocument> brokenResult = parseWsdl(wsdl, QUrl(u"http://host/svc/service.wsdl"_s), broken);
    QVERIFY(!brokenResult);
    QCOMPARE(brokenResult.error().code, u"xml_syntax"_s);
    QCOMPARE(errorLine(brokenResult.error()), 3);
    QVERIFY2(brokenResult.error().message.contains(u"of http://host/svc/xsd/other.xsd"),
             qPrintable(brokenResult.error().message));
}

void TestWsdl::importWithoutLoader()
{
    const QByteArray wsdl = lines({
        definitionsStart,
        "<types>",
        "<xs:schema targetNamespace='urn:t'>",
        "  <xs:import namespace='urn:other' schemaLocation='https://example.com/schemas/other.xsd'/>",
        "</xs:schema></types>",
        "</definitions>",
    });
    const Result<WsdlDocument> r = parseWsdl(wsdl);
    QVERIFY(!r);
    QCOMPARE(r.error().code, u"wsdl_import"_s);
    QCOMPARE(errorLine(r.error()), 4);
    QVERIFY2(r.error().message.contains(u"https://example.com/schemas/other.xsd"), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(u"loader"), qPrintable(r.error().message));
}

void TestWsdl::truncatedAnywhere()
{
    // Every prefix of a valid document is an error with a line, never a crash.
    for (const char *name : {"sap_rfc_flight.wsdl", "calculator_soap12.wsdl"}) {
        const QByteArray whole = testData(name);
        const qsizetype end = whole.lastIndexOf('>') + 1;
        for (qsizetype cut = 0; cut < end; cut += 37) {
            const auto r = parseWsdl(whole.left(cut));
            QVERIFY2(!r, qPrintable(u"%1 cut at %2 parsed"_s.arg(QLatin1String(name)).arg(cut)));
            QVERIFY2(cut == 0 || errorLine(r.error()) > 0, qPrintable(describe(r.error())));
        }
        QVERIFY(parseWsdl(whole.left(end)));
    }
}

void TestWsdl::errors_data()
{
    QTest::addColumn<QByteArray>("wsdl");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("fragment");

    const QByteArray rfc = testData("sap_rfc_flight.wsdl");
    // Cut in the middle of line 120 (a complexType): the reader stops at the end of the input.
    qsizetype cut = 0;
    for (int i = 0; i < 119; ++i)
        cut = rfc.indexOf('\n', cut) + 1;
    QTest::addRow("truncated") << rfc.left(cut + 12) << u"xml_syntax"_s << 120 << u"not well-formed"_s;
    QTest::addRow("empty") << QByteArray(" \n ") << u"metadata_empty"_s << -1 << u"empty"_s;
    QTest::addRow("html login page")
        << QByteArray("\n<!DOCTYPE html>\n<html><head><title>Logon - SAP Web Application Server</title></head>"
                      "<body><form/></body></html>")
        << u"metadata_html"_s << 2 << u"Logon - SAP Web Application Server"_s;
    QTest::addRow("xhtml error page")
        << QByteArray("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>500 "
                      "Internal Server Error</title></head><body/></html>")
        << u"metadata_html"_s << 2 << u"login or error page"_s;
    QTest::addRow("schema as root")
        << QByteArray("<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>")
        << u"wsdl_not_wsdl"_s << 2 << u"XML Schema"_s;
    QTest::addRow("soap fault as root")
        << QByteArray("<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/soap/envelope/\"><env:Body><env:Fault/>"
                      "</env:Body></env:Envelope>")
        << u"wsdl_not_wsdl"_s << 1 << u"SOAP message"_s;
    QTest::addRow("wsdl 2.0")
        << QByteArray("<description xmlns=\"http://www.w3.org/ns/wsdl\" targetNamespace=\"urn:x\"/>")
        << u"wsdl_unsupported"_s << 1 << u"WSDL 2.0"_s;
    QTest::addRow("doctype")
        << QByteArray("<?xml version=\"1.0\"?>\n<!DOCTYPE definitions [<!ENTITY x \"y\">]>\n<definitions "
                      "xmlns=\"http://schemas.xmlsoap.org/wsdl/\"/>")
        << u"xml_doctype"_s << 2 << u"DOCTYPE"_s;
    QTest::addRow("dangling type reference")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:complexType name='A'><xs:sequence>",
                  "<xs:element name='b' type='t:Missing'/>",
                  "</xs:sequence></xs:complexType></xs:schema></types></definitions>"})
        << u"wsdl_unresolved"_s << 4 << u"\"Missing\" in namespace urn:t"_s;
    QTest::addRow("dangling element reference")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:complexType name='A'><xs:sequence>", "<xs:element ref='t:Nothing'/>",
                  "</xs:sequence></xs:complexType></xs:schema></types></definitions>"})
        << u"wsdl_unresolved"_s << 4 << u"Nothing"_s;
    QTest::addRow("dangling base type")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:simpleType name='S'><xs:restriction base='xs:strng'/></xs:simpleType>",
                  "<xs:simpleType name='T'><xs:restriction base='t:Gone'/></xs:simpleType>",
                  "</xs:schema></types></definitions>"})
        << u"wsdl_unresolved"_s << 4 << u"\"Gone\""_s;
    QTest::addRow("undeclared prefix")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:element name='e' type='nope:Type'/>", "</xs:schema></types></definitions>"})
        << u"wsdl_invalid"_s << 3 << u"undeclared namespace prefix"_s;
    QTest::addRow("bad maxOccurs")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:complexType name='A'><xs:sequence>", "<xs:element name='e' type='xs:int' maxOccurs='many'/>",
                  "</xs:sequence></xs:complexType></xs:schema></types></definitions>"})
        << u"wsdl_invalid"_s << 4 << u"maxOccurs=\"many\""_s;
    QTest::addRow("circular derivation")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:complexType name='A'><xs:complexContent><xs:extension base='t:B'/></xs:complexContent></xs:complexType>",
                  "<xs:complexType name='B'><xs:complexContent><xs:extension base='t:A'/></xs:complexContent></xs:complexType>",
                  "</xs:schema></types></definitions>"})
        << u"xsd_circular"_s << 3 << u"derived from itself"_s;
    QTest::addRow("circular simple type")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:simpleType name='S'>", "<xs:restriction base='t:S'/></xs:simpleType>",
                  "</xs:schema></types></definitions>"})
        << u"xsd_circular"_s << 3 << u"\"S\""_s;
    QTest::addRow("group that contains itself")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'>",
                  "<xs:group name='G'><xs:sequence><xs:group ref='t:G'/></xs:sequence></xs:group>",
                  "<xs:complexType name='A'><xs:sequence><xs:group ref='t:G'/></xs:sequence></xs:complexType>",
                  "</xs:schema></types></definitions>"})
        << u"xsd_circular"_s << 3 << u"group"_s;
    QTest::addRow("part of unknown element")
        << lines({definitionsStart, "<types><xs:schema targetNamespace='urn:t'/></types>",
                  "<message name='m'>", "  <part name='p' element='t:Req'/>", "</message></definitions>"})
        << u"wsdl_unresolved"_s << 4 << u"element \"Req\""_s;
    QTest::addRow("unknown message")
        << lines({definitionsStart, "<portType name='pt'><operation name='Do'>", "<input message='t:nope'/>",
                  "</operation></portType>",
                  "<binding name='b' type='t:pt'><operation name='Do'/></binding></definitions>"})
        << u"wsdl_unresolved"_s << 3 << u"message \"nope\""_s;
    QTest::addRow("unknown port type")
        << lines({definitionsStart, "<binding name='b' type='t:missing'>",
                  "<soap:binding style='document'/></binding></definitions>"})
        << u"wsdl_unresolved"_s << 2 << u"port type \"missing\""_s;
    QTest::addRow("operation not in port type")
        << lines({definitionsStart, "<portType name='pt'/>", "<binding name='b' type='t:pt'>",
                  "<operation name='Ghost'/></binding></definitions>"})
        << u"wsdl_unresolved"_s << 4 << u"\"Ghost\""_s;
    QTest::addRow("unknown binding")
        << lines({definitionsStart, "<service name='s'>", "<port name='p' binding='t:none'>",
                  "<soap:address location='http://x/'/></port></service></definitions>"})
        << u"wsdl_unresolved"_s << 3 << u"binding \"none\""_s;
}

void TestWsdl::errors()
{
    QFETCH(QByteArray, wsdl);
    QFETCH(QString, code);
    QFETCH(int, line);
    QFETCH(QString, fragment);
    const Result<WsdlDocument> r = parseWsdl(wsdl);
    QVERIFY2(!r, "parsed without an error");
    QVERIFY2(r.error().code == code, qPrintable(describe(r.error())));
    QVERIFY2(r.error().message.contains(fragment), qPrintable(describe(r.error())));
    if (line > 0)
        QVERIFY2(errorLine(r.error()) == line, qPrintable(describe(r.error())));
}

QTEST_GUILESS_MAIN(TestWsdl)
#include "tst_wsdl.moc"
