#include "connectors/edmx.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "metadatatest.h"

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

using Conflux::Test::describe;
using Conflux::Test::errorLine;
using Conflux::Test::flat;
using Conflux::Test::testData;

QStringList names(const Data::SchemaField &field)
{
    QStringList out;
    for (const Data::SchemaField &f : field.fields)
        out.append(f.name);
    return out;
}

const char *v2Head = "<edmx:Edmx Version='1.0' xmlns:edmx='http://schemas.microsoft.com/ado/2007/06/edmx' "
                     "xmlns:m='http://schemas.microsoft.com/ado/2007/08/dataservices/metadata'>\n"
                     "<edmx:DataServices m:DataServiceVersion='2.0'>\n"
                     "<Schema Namespace='S' xmlns='http://schemas.microsoft.com/ado/2008/09/edm'>\n";
const char *v2Tail = "</Schema></edmx:DataServices></edmx:Edmx>\n";
const char *v4Head = "<edmx:Edmx Version='4.0' xmlns:edmx='http://docs.oasis-open.org/odata/ns/edmx'>\n"
                     "<edmx:DataServices>\n"
                     "<Schema Namespace='S' xmlns='http://docs.oasis-open.org/odata/ns/edm'>\n";

// A document from a head (lines 1-3), body lines from line 4 and the tail.
QByteArray doc(const char *head, std::initializer_list<const char *> body, const char *tail = v2Tail)
{
    QByteArray out(head);
    for (const char *line : body)
        out += QByteArray(line) + '\n';
    return out + tail;
}

} // namespace

class TestEdmx : public QObject
{
    Q_OBJECT

private slots:
    void sapV2Model();
    void sapV2EntitySchema();
    void capV4Model();
    void capV4EntitySchema();
    void unknownEntitySet();
    void truncatedAnywhere();
    void errors_data();
    void errors();
};

void TestEdmx::sapV2Model()
{
    const Result<ODataMetadata> r = parseODataMetadata(testData("sap_business_partner_v2.xml"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const ODataMetadata &m = *r;
    QCOMPARE(m.version, 2);
    QCOMPARE(m.edmxVersion, u"1.0"_s);
    QCOMPARE(m.dataServiceVersion, u"2.0"_s);
    QCOMPARE(m.schemas.size(), size_t(1));
    QCOMPARE(m.schemas[0].namespaceName, u"API_BUSINESS_PARTNER"_s);
    QCOMPARE(m.containerName, u"API_BUSINESS_PARTNER_Entities"_s);

    QCOMPARE(m.entityTypes.size(), size_t(4));
    QCOMPARE(m.complexTypes.size(), size_t(0));
    const ODataEntityType *bp = m.entityType(u"API_BUSINESS_PARTNER.A_BusinessPartnerType");
    QVERIFY(bp);
    QCOMPARE(bp->name, u"A_BusinessPartnerType"_s);
    QCOMPARE(bp->keys, QStringList{u"BusinessPartner"_s});
    QCOMPARE(bp->annotations.value(u"sap:label"_s), u"Business Partner"_s);
    QCOMPARE(bp->properties.size(), size_t(11));

    const ODataProperty *id = bp->property(u"BusinessPartner");
    QVERIFY(id);
    QCOMPARE(id->type, u"Edm.String"_s);
    QVERIFY(!id->nullable);
    QCOMPARE(id->maxLength, std::optional<int>(10));
    QCOMPARE(id->label(), u"Business Partner"_s);
    QCOMPARE(id->annotations.value(u"sap:display-format"_s), u"UpperCase"_s);
    QVERIFY(!id->isComputed());

    const ODataProperty *fullName = bp->property(u"BusinessPartnerFullName");
    QVERIFY(fullName->nullable);
    QVERIFY(fullName->isComputed());
    QVERIFY(fullName->isImmutable());
    QCOMPARE(fullName->annotations.value(u"sap:creatable"_s), u"false"_s);
    const ODataProperty *category = bp->property(u"BusinessPartnerCategory");
    QVERIFY(!category->isComputed());
    QVERIFY(category->isImmutable());
    const ODataProperty *lastName = bp->property(u"LastName");
    QCOMPARE(lastName->annotations.value(u"sap:filterable"_s), u"true"_s);
    QCOMPARE(lastName->annotations.value(u"sap:sortable"_s), u"true"_s);
    QCOMPARE(bp->property(u"LastChangeDateTime")->annotations.value(u"sap:filterable"_s), u"false"_s);
    QCOMPARE(bp->property(u"BirthDate")->type, u"Edm.DateTime"_s);
    QCOMPARE(bp->property(u"BirthDate")->precision, std::optional<int>(0));

    const ODataEntityType *address = m.entityType(u"API_BUSINESS_PARTNER.A_BusinessPartnerAddressType");
    QVERIFY(address);
    QCOMPARE(address->keys, (QStringList{u"BusinessPartner"_s, u"AddressID"_s}));
    const ODataProperty *latitude = address->property(u"Latitude");
    QCOMPARE(latitude->type, u"Edm.Decimal"_s);
    QCOMPARE(latitude->precision, std::optional<int>(15));
    QCOMPARE(latitude->scale, std::optional<int>(12));
    QVERIFY(!latitude->maxLength);
    QCOMPARE(m.entityType(u"API_BUSINESS_PARTNER.A_AddressEmailAddressType")->keys.size(), 3);

    // Navigation through associations: target, multiplicity and the partner back.
    QCOMPARE(bp->navigationProperties.size(), size_t(2));
    const ODataNavigationProperty *toAddress = bp->navigationProperty(u"to_BusinessPartnerAddress");
    QVERIFY(toAddress);
    QCOMPARE(toAddress->targetType, u"API_BUSINESS_PARTNER.A_BusinessPartnerAddressType"_s);
    QCOMPARE(toAddress->relationship, u"API_BUSINESS_PARTNER.assoc_BP_Address"_s);
    QCOMPARE(toAddress->multiplicity, u"*"_s);
    QVERIFY(toAddress->collection);
    QCOMPARE(toAddress->partner, u"to_BusinessPartner"_s);
    const ODataNavigationProperty *back = address->navigationProperty(u"to_BusinessPartner");
    QCOMPARE(back->targetType, u"API_BUSINESS_PARTNER.A_BusinessPartnerType"_s);
    QCOMPARE(back->multiplicity, u"1"_s);
    QVERIFY(!back->collection);
    QVERIFY(!back->nullable);
    QCOMPARE(back->partner, u"to_BusinessPartnerAddress"_s);
    const ODataNavigationProperty *toCustomer = bp->navigationProperty(u"to_Customer");
    QCOMPARE(toCustomer->targetType, u"API_BUSINESS_PARTNER.A_CustomerType"_s);
    QCOMPARE(toCustomer->multiplicity, u"0..1"_s);
    QVERIFY(!toCustomer->collection);
    QVERIFY(toCustomer->nullable);
    QCOMPARE(toCustomer->partner, QString());

    // Entity sets with SAP's capability flags.
    QCOMPARE(m.entitySets.size(), size_t(4));
    const ODataEntitySet *bps = m.entitySet(u"A_BusinessPartner");
    QVERIFY(bps);
    QCOMPARE(bps->entityType, u"API_BUSINESS_PARTNER.A_BusinessPartnerType"_s);
    QVERIFY(bps->creatable && bps->updatable && bps->deletable && bps->pageable && bps->addressable);
    QVERIFY(bps->searchable);
    const ODataEntitySet *addresses = m.entitySet(u"A_BusinessPartnerAddress");
    QVERIFY(addresses->creatable && addresses->updatable && !addresses->deletable && !addresses->searchable);
    QVERIFY(!m.entitySet(u"A_AddressEmailAddress")->pageable);
    const ODataEntitySet *customers = m.entitySet(u"A_Customer");
    QVERIFY(!customers->creatable && customers->updatable && !customers->deletable && !customers->addressable);

    // Function imports with parameters and HTTP method.
    QCOMPARE(m.operations.size(), size_t(2));
    const ODataOperation *block = m.operation(u"BlockBusinessPartner");
    QVERIFY(block);
    QCOMPARE(block->kind, ODataOperation::Kind::FunctionImport);
    QCOMPARE(block->httpMethod, u"POST"_s);
    QCOMPARE(block->returnType, u"API_BUSINESS_PARTNER.A_BusinessPartnerType"_s);
    QCOMPARE(block->entitySet, u"A_BusinessPartner"_s);
    QCOMPARE(block->annotations.value(u"sap:action-for"_s), u"API_BUSINESS_PARTNER.A_BusinessPartnerType"_s);
    QCOMPARE(block->parameters.size(), size_t(2));
    QCOMPARE(block->parameters[0].name, u"BusinessPartner"_s);
    QCOMPARE(block->parameters[0].mode, u"In"_s);
    QCOMPARE(block->parameters[0].maxLength, std::optional<int>(10));
    QCOMPARE(block->parameters[1].maxLength, std::optional<int>(2));
    const ODataOperation *email = m.operation(u"GetDefaultEmail");
    QCOMPARE(email->httpMethod, u"GET"_s);
    QCOMPARE(email->returnType, u"Collection(API_BUSINESS_PARTNER.A_AddressEmailAddressType)"_s);
}

void TestEdmx::sapV2EntitySchema()
{
    const Result<ODataMetadata> r = parseODataMetadata(testData("sap_business_partner_v2.xml"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));

    const Result<Data::SchemaField> flatSchema = entitySchema(*r, u"A_BusinessPartner"_s, 0);
    QVERIFY2(flatSchema, flatSchema ? "" : qPrintable(describe(flatSchema.error())));
    QCOMPARE(flat(*flatSchema), (QStringList{
                                    u"BusinessPartner:string"_s,
                                    u"BusinessPartnerCategory:string|null?"_s,
                                    u"BusinessPartnerFullName:string|null?"_s,
                                    u"FirstName:string|null?"_s,
                                    u"LastName:string|null?"_s,
                                    u"BirthDate:string|null?@date-time"_s,
                                    u"IsNaturalPerson:string|null?"_s,
                                    u"BusinessPartnerIsBlocked:boolean|null?"_s,
                                    u"CreationDate:string|null?@date-time"_s,
                                    u"LastChangeDateTime:string|null?@date-time"_s,
                                    u"BusinessPartnerUUID:string|null?@uuid"_s,
                                }));
    QCOMPARE(flatSchema->types, Data::SchemaTypes(Data::SchemaType::Object));

    const Result<Data::SchemaField> one = entitySchema(*r, u"A_BusinessPartner"_s, 1);
    QVERIFY(one);
    QCOMPARE(names(*one).mid(11), (QStringList{u"to_BusinessPartnerAddress"_s, u"to_Customer"_s}));
    const Data::SchemaField *addresses = one->find(u"to_BusinessPartnerAddress");
    QVERIFY(addresses);
    QCOMPARE(addresses->typeNames(), QStringList{u"array"_s});
    QVERIFY(addresses->item());
    QCOMPARE(names(*addresses->item()), (QStringList{u"BusinessPartner"_s, u"AddressID"_s, u"ValidityStartDate"_s,
                                                     u"CityName"_s, u"PostalCode"_s, u"Country"_s, u"Latitude"_s}));
    QCOMPARE(one->find(u"to_BusinessPartnerAddress[]/Latitude")->typeNames(), (QStringList{u"number"_s, u"null"_s}));
    QVERIFY(!one->find(u"to_BusinessPartnerAddress[]/to_EmailAddress"));   // beyond expandDepth
    const Data::SchemaField *customer = one->find(u"to_Customer");
    QCOMPARE(customer->typeNames(), (QStringList{u"object"_s, u"null"_s}));
    QCOMPARE(one->find(u"to_Customer/NumberOfEmployees")->typeNames(), (QStringList{u"integer"_s, u"null"_s}));
    QCOMPARE(one->find(u"to_Customer/Customer")->path, u"to_Customer/Customer"_s);

    const Result<Data::SchemaField> two = entitySchema(*r, u"A_BusinessPartner"_s, 2);
    QVERIFY(two);
    const Data::SchemaField *email = two->find(u"to_BusinessPartnerAddress[]/to_EmailAddress[]/EmailAddress");
    QVERIFY(email);
    QCOMPARE(email->path, u"to_BusinessPartnerAddress[]/to_EmailAddress[]/EmailAddress"_s);
    // The to-one way back is there too, one level deep only.
    QVERIFY(two->find(u"to_BusinessPartnerAddress[]/to_BusinessPartner/LastName"));
    QVERIFY(!two->find(u"to_BusinessPartnerAddress[]/to_BusinessPartner/to_Customer"));
}

void TestEdmx::capV4Model()
{
    const Result<ODataMetadata> r = parseODataMetadata(testData("cap_bookshop_v4.xml"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
    const ODataMetadata &m = *r;
    QCOMPARE(m.version, 4);
    QCOMPARE(m.edmxVersion, u"4.0"_s);
    QCOMPARE(m.schemas.size(), size_t(1));
    QCOMPARE(m.schemas[0].alias, u"self"_s);
    QCOMPARE(m.qualify(u"self.Books"), u"CatalogService.Books"_s);
    QCOMPARE(m.qualify(u"Collection(self.Books)"), u"Collection(CatalogService.Books)"_s);

    QCOMPARE(m.entityTypes.size(), size_t(5));
    QCOMPARE(m.complexTypes.size(), size_t(2));
    QCOMPARE(m.enumTypes.size(), size_t(1));
    const ODataEnumType *format = m.enumType(u"self.Format");
    QVERIFY(format);
    QCOMPARE(format->qualifiedName, u"CatalogService.Format"_s);
    QCOMPARE(format->underlyingType, u"Edm.Byte"_s);
    QCOMPARE(format->members.size(), size_t(3));
    QCOMPARE(format->members[1].name, u"paperback"_s);
    QCOMPARE(format->members[1].value, 2);
    QCOMPARE(format->members[2].value, 3);   // implicit: the previous one plus one

    const ODataEntityType *books = m.entityType(u"CatalogService.Books");
    QVERIFY(books);
    QCOMPARE(books->keys, QStringList{u"ID"_s});
    QCOMPARE(books->properties.size(), size_t(13));
    QCOMPARE(books->property(u"format")->type, u"CatalogService.Format"_s);   // alias replaced
    QCOMPARE(books->property(u"price")->type, u"CatalogService.Price"_s);
    QVERIFY(books->property(u"tags")->isCollection());
    QCOMPARE(books->property(u"title")->maxLength, std::optional<int>(111));
    QVERIFY(!books->property(u"title")->nullable);
    QCOMPARE(m.complexType(u"CatalogService.Price")->property(u"amount")->scale, std::optional<int>(2));

    // Annotations from <Annotations Target=...>, full vocabulary names turned into aliases.
    const ODataProperty *createdAt = books->property(u"createdAt");
    QVERIFY(createdAt->isComputed());
    QVERIFY(createdAt->isImmutable());
    QCOMPARE(createdAt->label(), u"Created On"_s);
    QCOMPARE(createdAt->annotations.value(u"UI.HiddenFilter"_s), u"true"_s);
    const ODataProperty *modifiedAt = books->property(u"modifiedAt");
    QCOMPARE(modifiedAt->annotations.value(u"Core.Computed"_s), u"true"_s);
    QVERIFY(modifiedAt->isComputed());
    QVERIFY(!modifiedAt->isImmutable());
    QCOMPARE(modifiedAt->label(), u"Changed On"_s);
    QCOMPARE(books->property(u"title")->label(), u"Title"_s);
    QVERIFY(!books->property(u"title")->isComputed());

    const ODataNavigationProperty *author = books->navigationProperty(u"author");
    QVERIFY(author);
    QCOMPARE(author->targetType, u"CatalogService.Authors"_s);
    QVERIFY(!author->collection);
    QCOMPARE(author->multiplicity, u"0..1"_s);
    QCOMPARE(author->partner, u"books"_s);
    const ODataNavigationProperty *authorBooks = m.entityType(u"CatalogService.Authors")->navigationProperty(u"books");
    QVERIFY(authorBooks->collection);
    QCOMPARE(authorBooks->multiplicity, u"*"_s);
    QCOMPARE(authorBooks->targetType, u"CatalogService.Books"_s);
    const ODataEntityType *genres = m.entityType(u"CatalogService.Genres");
    QCOMPARE(genres->navigationProperty(u"children")->targetType, u"CatalogService.Genres"_s);
    QCOMPARE(genres->navigationProperty(u"children")->partner, u"parent"_s);

    // A derived type inherits the key and the properties.
    const ODataEntityType *ebooks = m.entityType(u"CatalogService.EBooks");
    QVERIFY(ebooks);
    QCOMPARE(ebooks->baseType, u"CatalogService.Books"_s);
    QCOMPARE(ebooks->keys, QStringList{u"ID"_s});
    QCOMPARE(ebooks->properties.size(), size_t(1));
    QCOMPARE(m.allProperties(*ebooks).size(), size_t(14));
    QCOMPARE(m.allProperties(*ebooks).back()->name, u"fileSizeBytes"_s);
    QCOMPARE(m.allNavigationProperties(*ebooks).size(), size_t(2));

    QCOMPARE(m.entitySets.size(), size_t(4));
    const ODataEntitySet *bookSet = m.entitySet(u"Books");
    QCOMPARE(bookSet->entityType, u"CatalogService.Books"_s);
    QVERIFY(!bookSet->creatable);
    QVERIFY(bookSet->updatable);
    QVERIFY(!bookSet->deletable);
    QCOMPARE(bookSet->navigationBindings.value(u"author"_s), u"Authors"_s);
    QCOMPARE(bookSet->annotations.value(u"Capabilities.DeleteRestrictions/Deletable"_s), u"false"_s);
    const ODataEntitySet *authors = m.entitySet(u"Authors");
    QCOMPARE(authors->entityType, u"CatalogService.Authors"_s);   // "self." resolved
    QVERIFY(authors->creatable && authors->deletable);
    const ODataEntitySet *settings = m.entitySet(u"Settings");
    QVERIFY(settings && settings->isSingleton);
    QCOMPARE(settings->entityType, u"CatalogService.Settings"_s);

    // Actions, functions and their imports.
    QCOMPARE(m.operations.size(), size_t(5));
    const ODataOperation *submit = m.operation(u"CatalogService.EntityContainer/submitOrder");
    QVERIFY(submit);
    QCOMPARE(submit->kind, ODataOperation::Kind::ActionImport);
    QCOMPARE(submit->operation, u"CatalogService.submitOrder"_s);
    QCOMPARE(submit->httpMethod, u"POST"_s);
    QCOMPARE(submit->returnType, u"CatalogService.Books"_s);
    QCOMPARE(submit->parameters.size(), size_t(2));
    QCOMPARE(submit->parameters[1].name, u"quantity"_s);
    QVERIFY(!submit->parameters[1].nullable);
    const ODataOperation *stock = m.operation(u"stockFor");
    QCOMPARE(stock->kind, ODataOperation::Kind::FunctionImport);
    QCOMPARE(stock->httpMethod, u"GET"_s);
    QCOMPARE(stock->returnType, u"Edm.Int32"_s);
    const ODataOperation *review = m.operation(u"CatalogService.addReview");
    QVERIFY(review);
    QCOMPARE(review->kind, ODataOperation::Kind::Action);
    QVERIFY(review->isBound);
    QCOMPARE(review->parameters.size(), size_t(3));
    QCOMPARE(review->parameters[0].type, u"CatalogService.Books"_s);
    QCOMPARE(review->parameters[2].maxLength, std::optional<int>(1000));
    QCOMPARE(m.operation(u"CatalogService.submitOrder")->kind, ODataOperation::Kind::Action);
}

void TestEdmx::capV4EntitySchema()
{
    const Result<ODataMetadata> r = parseODataMetadata(testData("cap_bookshop_v4.xml"));
    QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));

    const Result<Data::SchemaField> books = entitySchema(*r, u"Books"_s, 1);
    QVERIFY2(books, books ? "" : qPrintable(describe(books.error())));
    QCOMPARE(flat(*books), (QStringList{
                               u"ID:integer"_s,
                               u"createdAt:string|null?@date-time"_s,
                               u"modifiedAt:string|null?@date-time"_s,
                               u"title:string"_s,
                               u"descr:string|null?"_s,
                               u"published:string|null?@date"_s,
                               u"format:string|null?"_s,
                               u"price:object|null?"_s,
                               u"price/amount:number|null?"_s,
                               u"price/currency_code:string|null?"_s,
                               u"dimensions:object"_s,
                               u"dimensions/heightMm:integer|null?"_s,
                               u"dimensions/widthMm:integer|null?"_s,
                               u"tags:array"_s,
                               u"tags[]:string"_s,
                               u"stock:integer|null?"_s,
                               u"author_ID:string|null?@uuid"_s,
                               u"genre_ID:integer|null?"_s,
                               u"author:object|null?"_s,
                               u"author/ID:string@uuid"_s,
                               u"author/name:string|null?"_s,
                               u"author/dateOfBirth:string|null?@date"_s,
                               u"author/alarmAt:string|null?@time"_s,
                               u"genre:object|null?"_s,
                               u"genre/ID:integer"_s,
                               u"genre/name:string|null?"_s,
                           }));

    // Self-referencing navigation stops at the expand depth.
    const Result<Data::SchemaField> genres = entitySchema(*r, u"Genres"_s, 3);
    QVERIFY(genres);
    QVERIFY(genres->find(u"children[]/children[]/children[]/name"));
    QVERIFY(genres->find(u"parent/children[]/parent/ID"));
    QVERIFY(!genres->find(u"children[]/children[]/children[]/children"));
    QCOMPARE(genres->find(u"children")->typeNames(), QStringList{u"array"_s});

    const Result<Data::SchemaField> settings = entitySchema(*r, u"Settings"_s, 0);
    QVERIFY(settings);
    QCOMPARE(flat(*settings), (QStringList{u"ID:string"_s, u"maxOrderQuantity:integer|null?"_s}));
}

void TestEdmx::unknownEntitySet()
{
    const Result<ODataMetadata> r = parseODataMetadata(testData("cap_bookshop_v4.xml"));
    QVERIFY(r);
    const Result<Data::SchemaField> s = entitySchema(*r, u"Bookz"_s, 0);
    QVERIFY(!s);
    QCOMPARE(s.error().code, u"edmx_unknown_entity_set"_s);
    QVERIFY(s.error().message.contains(u"Bookz"));
}

void TestEdmx::truncatedAnywhere()
{
    // Every prefix of a valid document is an error with a line, never a crash.
    for (const char *name : {"sap_business_partner_v2.xml", "cap_bookshop_v4.xml"}) {
        const QByteArray whole = testData(name);
        const qsizetype end = whole.lastIndexOf('>') + 1;
        for (qsizetype cut = 0; cut < end; cut += 37) {
            const auto r = parseODataMetadata(whole.left(cut));
            QVERIFY2(!r, qPrintable(u"%1 cut at %2 parsed"_s.arg(QLatin1String(name)).arg(cut)));
            QVERIFY2(cut == 0 || errorLine(r.error()) > 0, qPrintable(describe(r.error())));
        }
        QVERIFY(parseODataMetadata(whole.left(end)));
    }
}

void TestEdmx::errors_data()
{
    QTest::addColumn<QByteArray>("xml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("fragment");

    const QByteArray v2 = testData("sap_business_partner_v2.xml");
    qsizetype cut = 0;
    for (int i = 0; i < 40; ++i)
        cut = v2.indexOf('\n', cut) + 1;
    QTest::addRow("truncated") << v2.left(cut + 30) << u"xml_syntax"_s << 41 << u"not well-formed"_s;
    QTest::addRow("mismatched tag") << doc(v2Head, {"<EntityType Name='A'>", "</ComplexType>"})
                                    << u"xml_syntax"_s << 5 << u"not well-formed"_s;
    QTest::addRow("empty") << QByteArray() << u"metadata_empty"_s << -1 << u"empty"_s;
    QTest::addRow("html login page")
        << QByteArray("<!DOCTYPE html>\n<html><head><title>SAP NetWeaver Logon</title></head><body>"
                      "<form method='post'/></body></html>")
        << u"metadata_html"_s << 1 << u"SAP NetWeaver Logon"_s;
    QTest::addRow("html without doctype")
        << QByteArray("\r\n\r\n  <HTML><BODY>Please sign in<br></BODY></HTML>")
        << u"metadata_html"_s << 3 << u"login or error page"_s;
    QTest::addRow("atom feed")
        << QByteArray("<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'/>")
        << u"edmx_not_edmx"_s << 2 << u"<feed>"_s;
    QTest::addRow("odata error")
        << QByteArray("<?xml version='1.0'?>\n<error xmlns='http://schemas.microsoft.com/ado/2007/08/dataservices/metadata'>"
                      "<code>/IWFND/MED/170</code><message xml:lang='en'>No service found for namespace '', name "
                      "'API_BP', version '0001'</message></error>")
        << u"edmx_not_edmx"_s << 2 << u"No service found for namespace"_s;
    QTest::addRow("wsdl")
        << QByteArray("<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'/>") << u"edmx_not_edmx"_s << 1 << u"WSDL"_s;
    QTest::addRow("edmx in wrong namespace")
        << QByteArray("<Edmx Version='4.0' xmlns='urn:nothing'/>") << u"edmx_not_edmx"_s << 1 << u"urn:nothing"_s;
    QTest::addRow("unknown version")
        << QByteArray("<edmx:Edmx Version='3.0' xmlns:edmx='http://docs.oasis-open.org/odata/ns/edmx'/>")
        << u"edmx_version"_s << 1 << u"Version=\"3.0\""_s;
    QTest::addRow("no data services")
        << QByteArray("<edmx:Edmx Version='4.0' xmlns:edmx='http://docs.oasis-open.org/odata/ns/edmx'>\n</edmx:Edmx>")
        << u"edmx_invalid"_s << 1 << u"DataServices"_s;
    QTest::addRow("doctype")
        << QByteArray("<?xml version='1.0'?>\n<!DOCTYPE edmx:Edmx [<!ENTITY e 'x'>]>\n<edmx:Edmx/>")
        << u"xml_doctype"_s << 2 << u"DOCTYPE"_s;
    QTest::addRow("unknown key property")
        << doc(v2Head, {"<EntityType Name='A'>", "<Key>", "<PropertyRef Name='Id'/>", "</Key>",
                        "<Property Name='ID' Type='Edm.String' Nullable='false'/>", "</EntityType>"})
        << u"edmx_unresolved"_s << 6 << u"key property \"Id\""_s;
    QTest::addRow("entity set of unknown type")
        << doc(v2Head, {"<EntityType Name='A'><Key><PropertyRef Name='ID'/></Key>",
                        "<Property Name='ID' Type='Edm.String' Nullable='false'/></EntityType>",
                        "<EntityContainer Name='C'>", "<EntitySet Name='As' EntityType='S.A'/>",
                        "<EntitySet Name='Bs' EntityType='S.B'/>", "</EntityContainer>"})
        << u"edmx_unresolved"_s << 8 << u"entity set \"Bs\" is of entity type \"S.B\""_s;
    QTest::addRow("unknown association")
        << doc(v2Head, {"<EntityType Name='A'><Key><PropertyRef Name='ID'/></Key>",
                        "<Property Name='ID' Type='Edm.String' Nullable='false'/>",
                        "<NavigationProperty Name='to_B' Relationship='S.assoc_A_B' FromRole='A' ToRole='B'/>",
                        "</EntityType>"})
        << u"edmx_unresolved"_s << 6 << u"association \"S.assoc_A_B\""_s;
    QTest::addRow("unknown role")
        << doc(v2Head, {"<EntityType Name='A'><Key><PropertyRef Name='ID'/></Key>",
                        "<Property Name='ID' Type='Edm.String' Nullable='false'/>",
                        "<NavigationProperty Name='to_A' Relationship='S.assoc' FromRole='From' ToRole='Too'/>",
                        "</EntityType>", "<Association Name='assoc'><End Type='S.A' Multiplicity='1' Role='From'/>",
                        "<End Type='S.A' Multiplicity='*' Role='To'/></Association>"})
        << u"edmx_unresolved"_s << 6 << u"ToRole=\"Too\""_s;
    QTest::addRow("navigation to unknown type")
        << doc(v4Head, {"<EntityType Name='A'><Key><PropertyRef Name='ID'/></Key>",
                        "<Property Name='ID' Type='Edm.Int32' Nullable='false'/>",
                        "<NavigationProperty Name='b' Type='Collection(S.B)'/>", "</EntityType>"})
        << u"edmx_unresolved"_s << 6 << u"\"S.B\""_s;
    QTest::addRow("property of unknown complex type")
        << doc(v4Head, {"<ComplexType Name='C'>", "<Property Name='where' Type='S.Address'/>", "</ComplexType>"})
        << u"edmx_unresolved"_s << 5 << u"\"S.Address\""_s;
    QTest::addRow("circular base type")
        << doc(v4Head, {"<EntityType Name='A' BaseType='S.B'/>", "<EntityType Name='B' BaseType='S.A'>",
                        "<Key><PropertyRef Name='ID'/></Key><Property Name='ID' Type='Edm.Int32'/></EntityType>"})
        << u"edmx_circular"_s << 4 << u"derived from itself"_s;
    QTest::addRow("unknown base type")
        << doc(v4Head, {"<ComplexType Name='A'/>", "<ComplexType Name='B' BaseType='S.Missing'/>"})
        << u"edmx_unresolved"_s << 5 << u"\"S.Missing\""_s;
    QTest::addRow("bad max length")
        << doc(v4Head, {"<ComplexType Name='A'>", "<Property Name='p' Type='Edm.String' MaxLength='ten'/>",
                        "</ComplexType>"})
        << u"edmx_invalid"_s << 5 << u"MaxLength=\"ten\""_s;
    QTest::addRow("property without type")
        << doc(v4Head, {"<ComplexType Name='A'>", "<Property Name='p'/>", "</ComplexType>"})
        << u"edmx_invalid"_s << 5 << u"Type="_s;
    QTest::addRow("import of unknown action")
        << doc(v4Head, {"<EntityContainer Name='C'>", "<ActionImport Name='go' Action='S.go'/>", "</EntityContainer>"})
        << u"edmx_unresolved"_s << 5 << u"\"S.go\""_s;
}

void TestEdmx::errors()
{
    QFETCH(QByteArray, xml);
    QFETCH(QString, code);
    QFETCH(int, line);
    QFETCH(QString, fragment);
    const Result<ODataMetadata> r = parseODataMetadata(xml);
    QVERIFY2(!r, "parsed without an error");
    QVERIFY2(r.error().code == code, qPrintable(describe(r.error())));
    QVERIFY2(r.error().message.contains(fragment), qPrintable(describe(r.error())));
    if (line > 0)
        QVERIFY2(errorLine(r.error()) == line, qPrintable(describe(r.error())));
}

QTEST_GUILESS_MAIN(TestEdmx)
#include "tst_edmx.moc"
