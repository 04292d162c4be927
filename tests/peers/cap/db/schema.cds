// A small SAP Sales & Distribution style model for Conflux's OData integration tests.
// Field names follow the SAP S/4HANA APIs (API_BUSINESS_PARTNER, API_SALES_ORDER_SRV).
namespace sap.sd;

entity BusinessPartners {
  key BusinessPartner         : String(10);
      BusinessPartnerName     : String(81) not null;
      BusinessPartnerCategory : String(1); // 1 = person, 2 = organization
      Country                 : String(3);
      CityName                : String(40);
      PostalCode              : String(10);
      Industry                : String(10);
      CreditLimit             : Decimal(15, 2);
      IsBlocked               : Boolean default false;
      CreatedAt               : DateTime  @cds.on.insert: $now;
      ChangedAt               : Timestamp @cds.on.insert: $now  @cds.on.update: $now;
      SalesOrders             : Association to many SalesOrders
                                  on SalesOrders.SoldToParty = $self;
}

entity SalesOrders {
  key SalesOrder         : String(10);
      SalesOrderType     : String(4) default 'OR';
      SoldToParty        : Association to BusinessPartners;
      PurchaseOrderByCustomer : String(35);
      NetAmount          : Decimal(15, 2);
      Currency           : String(5);
      OrderDate          : Date;
      OverallStatus      : String(1) default 'A'; // A open, B in process, C completed
      LastChangeDateTime : Timestamp @cds.on.insert: $now  @cds.on.update: $now;
      Items              : Composition of many SalesOrderItems
                             on Items.up_ = $self;
}

entity SalesOrderItems {
  key up_       : Association to SalesOrders;
  key ItemNo    : String(6);
      Material  : String(40);
      Quantity  : Decimal(13, 3);
      Unit      : String(3);
      NetAmount : Decimal(15, 2);
}
