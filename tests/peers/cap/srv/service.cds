using { sap.sd as sd } from '../db/schema';

// Served as OData v4 at /odata/v4/sales/ and, through the odata-v2-adapter, as OData v2 at
// /odata/v2/sales/. Every request needs an authenticated user (HTTP Basic).
@path: 'sales'
@requires: 'authenticated-user'
service SalesService {
  entity BusinessPartners as projection on sd.BusinessPartners;
  entity SalesOrders      as projection on sd.SalesOrders;
  entity SalesOrderItems  as projection on sd.SalesOrderItems;
}
