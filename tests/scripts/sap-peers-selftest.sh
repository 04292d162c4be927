#!/bin/bash
# Checks with curl that the SAP test peers started by sap-peers-start.sh behave as
# tests/peers/README.md says: OData v4/v2 reads with query options and server-side paging,
# SAP Gateway CSRF handling, writes, SOAP RFC calls (found/not found, RFC_READ_TABLE, a fault,
# commit in a stateful session) and IDoc-XML inbound. Exits non-zero on the first mismatch.
#
#   sap-peers-selftest.sh ENV_FILE
set -Euo pipefail

env_file=${1:?usage: sap-peers-selftest.sh ENV_FILE}
[ -f "$env_file" ] || { echo "selftest: no env file $env_file (run sap-peers-start.sh first)" >&2; exit 1; }
val() {
    local v
    v=$(sed -n "s/^$1=//p" "$env_file")
    [ -n "$v" ] || { echo "selftest: $1 missing in $env_file" >&2; exit 1; }
    printf '%s' "$v"
}
V4=$(val CAP_ODATA_V4_URL); V2=$(val CAP_ODATA_V2_URL)
CAP_AUTH="$(val CAP_USER):$(val CAP_PASSWORD)"
RFC=$(val SOAP_RFC_URL); WSDL=$(val SOAP_WSDL_URL); IDOC=$(val IDOC_URL); IDOC_TEST=$(val IDOC_TEST_URL)
SAP_AUTH="$(val SAP_USER):$(val SAP_PASSWORD)"; CLIENT=$(val SAP_CLIENT)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=0
: > "$work/sapjar"
fail() { echo "selftest: FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }

# request METHOD URL [curl args...]: body in $work/body, headers in $work/head, status in $status
request() {
    local method=$1 url=$2
    shift 2
    status=$(curl -s -X "$method" -o "$work/body" -D "$work/head" -w '%{http_code}' --max-time 20 "$@" "$url") \
        || fail "$method $url: curl failed"
}
expect_status() {
    [ "$status" = "$1" ] || fail "$2: expected HTTP $1, got $status: $(head -c 600 "$work/body")"
}
header() { tr -d '\r' < "$work/head" | sed -n "s/^$1: *//Ip" | tail -1; }
# json_check 'JS expression over d' what: evaluates against the JSON body, must be true
json_check() {
    node -e '
        const fs = require("fs");
        let d;
        try { d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
        catch (e) { console.error("not JSON: " + fs.readFileSync(process.argv[1], "utf8").slice(0, 400)); process.exit(1); }
        let r;
        try { r = (new Function("d", "return (" + process.argv[2] + ");"))(d); } catch (e) { console.error(e.message); process.exit(1); }
        if (!r) { console.error("false: " + process.argv[2] + "\n" + JSON.stringify(d).slice(0, 800)); process.exit(1); }
    ' "$work/body" "$1" || fail "$2"
}
body_has() { grep -q -- "$1" "$work/body" || fail "$2: body lacks $1: $(head -c 800 "$work/body")"; }
body_lacks() { if grep -q -- "$1" "$work/body"; then fail "$2: body has $1"; fi; }

# ---- OData v4 -------------------------------------------------------------------------
request GET "$V4\$metadata"
expect_status 401 "v4 \$metadata without logon"
[ -n "$(header WWW-Authenticate)" ] || fail "401 without WWW-Authenticate"
ok "OData v4 without Basic logon: 401"

request GET "$V4\$metadata" -u "$CAP_AUTH"
expect_status 200 "v4 \$metadata"
body_has 'EntityType Name="SalesOrders"' "v4 \$metadata"
ok "OData v4 \$metadata"

request GET "$V4"'SalesOrders?$filter=Currency%20eq%20%27EUR%27%20and%20NetAmount%20gt%201000&$select=SalesOrder,NetAmount,OrderDate&$expand=Items($select=ItemNo,Material),SoldToParty($select=BusinessPartnerName)&$orderby=NetAmount%20desc&$top=3&$skip=1&$count=true' -u "$CAP_AUTH"
expect_status 200 "v4 query"
json_check 'd.value.length === 3 && d["@odata.count"] > 4 && d.value.every(o => o.NetAmount > 1000 && o.Items.length > 0 && o.SoldToParty.BusinessPartnerName && o.Currency === undefined) && d.value[0].NetAmount >= d.value[1].NetAmount && d.value[1].NetAmount >= d.value[2].NetAmount' "v4 \$filter/\$select/\$expand/\$orderby/\$top/\$skip/\$count"
ok "OData v4 \$filter \$select \$expand \$orderby \$top \$skip \$count"

request GET "$V4"'SalesOrders?$filter=LastChangeDateTime%20gt%202024-11-01T00:00:00Z%20and%20OrderDate%20ge%202024-06-01&$orderby=LastChangeDateTime&$select=SalesOrder,LastChangeDateTime' -u "$CAP_AUTH"
expect_status 200 "v4 timestamp filter"
json_check 'd.value.length > 0 && d.value.every(o => o.LastChangeDateTime > "2024-11-01")' "v4 filter on Timestamp"
ok "OData v4 filter on Timestamp/Date"

# server-side paging: 30 business partners in pages of 10 with @odata.nextLink
pages=0; total=0; next='BusinessPartners?$select=BusinessPartner'
while [ -n "$next" ]; do
    request GET "$V4$next" -u "$CAP_AUTH"
    expect_status 200 "v4 page $pages"
    n=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(d.value.length)' "$work/body")
    next=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(d["@odata.nextLink"]||"")' "$work/body")
    pages=$((pages + 1)); total=$((total + n))
    [ "$pages" -le 10 ] || fail "v4 paging does not end"
    if [ -n "$next" ]; then [ "$n" = 10 ] || fail "v4 page $pages has $n rows, expected 10"; fi
done
[ "$total" -ge 30 ] && [ "$pages" -ge 3 ] || fail "v4 paging: $total rows in $pages pages"
ok "OData v4 server paging: $total rows in $pages pages via @odata.nextLink"

# ---- OData v2 -------------------------------------------------------------------------
request GET "$V2\$metadata" -u "$CAP_AUTH"
expect_status 200 "v2 \$metadata"
body_has 'm:HasStream\|DataServiceVersion=' "v2 \$metadata"
ok "OData v2 \$metadata"

request GET "$V2"'SalesOrders?$filter=Currency%20eq%20%27EUR%27%20and%20OrderDate%20ge%20datetime%272024-06-01T00:00:00%27&$select=SalesOrder,NetAmount,OrderDate,SoldToParty/BusinessPartnerName&$expand=SoldToParty,Items&$orderby=NetAmount%20desc&$top=2&$skip=1&$inlinecount=allpages' -u "$CAP_AUTH" -H 'Accept: application/json'
expect_status 200 "v2 query"
json_check 'd.d.results.length === 2 && Number(d.d.__count) > 2 && d.d.results.every(o => /^\/Date\(\d+/.test(o.OrderDate) && typeof o.NetAmount === "string" && o.SoldToParty.BusinessPartnerName && o.Items.results.length > 0) && Number(d.d.results[0].NetAmount) >= Number(d.d.results[1].NetAmount)' "v2 query options"
ok "OData v2 {d:{results}} with /Date()/, \$filter \$select \$expand \$orderby \$top \$skip \$inlinecount"

request GET "$V2"'BusinessPartners?$format=json' -u "$CAP_AUTH"
expect_status 200 "v2 paging"
json_check 'd.d.results.length === 10 && /\$skiptoken=10/.test(d.d.__next) && /^\/Date\(\d+\+0000\)\/$/.test(d.d.results[0].CreatedAt)' "v2 server paging __next"
next_url=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).d.__next)' "$work/body")
request GET "$next_url" -u "$CAP_AUTH"
expect_status 200 "v2 __next"
json_check 'd.d.results.length === 10 && d.d.results[0].BusinessPartner === "0001000011"' "v2 second page"
ok "OData v2 server paging via __next"

# ---- CSRF and writes ------------------------------------------------------------------
bp=$(printf '0009%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 )))
request POST "${V4}BusinessPartners" -u "$CAP_AUTH" -H 'Content-Type: application/json' \
    -d "{\"BusinessPartner\":\"$bp\",\"BusinessPartnerName\":\"Selftest\"}"
expect_status 403 "POST without CSRF token"
[ "$(header X-CSRF-Token)" = Required ] || fail "403 without X-CSRF-Token: Required"
ok "POST without CSRF token: 403 X-CSRF-Token: Required"

jar="$work/cookies"
request GET "$V4" -u "$CAP_AUTH" -H 'X-CSRF-Token: Fetch' -c "$jar"
expect_status 200 "CSRF fetch"
token=$(header X-CSRF-Token)
[ -n "$token" ] && [ "$token" != Required ] || fail "no CSRF token fetched"
grep -q SAP_SESSIONID "$jar" || fail "CSRF fetch set no session cookie"
ok "X-CSRF-Token: Fetch gives a token and a session cookie"

request POST "${V4}BusinessPartners" -u "$CAP_AUTH" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
    -d "{\"BusinessPartner\":\"$bp\",\"BusinessPartnerName\":\"Selftest\"}"
expect_status 403 "POST with token but without the session cookie"
ok "token without session cookie: 403"

request POST "${V4}BusinessPartners" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
    -d "{\"BusinessPartner\":\"$bp\",\"BusinessPartnerName\":\"Selftest\",\"Country\":\"DE\"}"
expect_status 201 "POST with token and cookie"
json_check "d.BusinessPartner === '$bp' && d.ChangedAt" "POST answer"
ok "POST with token and cookie: 201"

request PATCH "${V4}BusinessPartners('$bp')" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token" \
    -H 'Content-Type: application/json' -d '{"CityName":"Bonn"}'
expect_status 200 "PATCH"
request MERGE "${V2}BusinessPartners('$bp')" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token" \
    -H 'Content-Type: application/json' -d '{"PostalCode":"53111"}'
[ "$status" = 204 ] || [ "$status" = 200 ] || fail "v2 MERGE: HTTP $status $(head -c 400 "$work/body")"
request GET "${V4}BusinessPartners('$bp')" -u "$CAP_AUTH"
json_check 'd.CityName === "Bonn" && d.PostalCode === "53111"' "PATCH/MERGE result"
ok "PATCH (v4) and MERGE (v2) with token"

so="9$(printf '%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 )))"
request POST "${V2}SalesOrders" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token" -H 'Accept: application/json' \
    -H 'Content-Type: application/json' \
    -d "{\"SalesOrder\":\"$so\",\"SoldToParty_BusinessPartner\":\"$bp\",\"NetAmount\":\"21.00\",\"Currency\":\"EUR\",\"OrderDate\":\"/Date(1735689600000)/\",\"Items\":[{\"ItemNo\":\"000010\",\"Material\":\"TG11\",\"Quantity\":\"2.000\",\"Unit\":\"PC\",\"NetAmount\":\"21.00\"}]}"
expect_status 201 "v2 deep POST SalesOrders"
json_check "d.d.SalesOrder === '$so' && d.d.Items.results.length === 1" "v2 deep insert answer"
request DELETE "${V4}SalesOrders('$so')" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token"
expect_status 204 "DELETE SalesOrders"
request DELETE "${V4}BusinessPartners('$bp')" -u "$CAP_AUTH" -H "X-CSRF-Token: $token"
expect_status 403 "DELETE without cookie"
request DELETE "${V4}BusinessPartners('$bp')" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token"
expect_status 204 "DELETE BusinessPartners"
ok "v2 deep POST 201, DELETE 204 (403 without cookie)"

printf -- '--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET BusinessPartners?$top=1 HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n--b1--\r\n' > "$work/batch"
request POST "${V2}\$batch" -u "$CAP_AUTH" -H 'Content-Type: multipart/mixed; boundary=b1' --data-binary @"$work/batch"
expect_status 403 "v2 \$batch without token"
request POST "${V2}\$batch" -u "$CAP_AUTH" -b "$jar" -H "X-CSRF-Token: $token" -H 'Content-Type: multipart/mixed; boundary=b1' --data-binary @"$work/batch"
expect_status 202 "v2 \$batch with token"
body_has '0001000001' "v2 \$batch answer"
ok "v2 \$batch: 403 without token, 202 with"

# ---- SOAP RFC -------------------------------------------------------------------------
soap() { # soap BODY-XML [query]
    printf '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:sap-com:document:sap:rfc:functions"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1" > "$work/req"
    request POST "$RFC${2:-?sap-client=$CLIENT}" -u "$SAP_AUTH" -H 'Content-Type: text/xml; charset=utf-8' \
        -b "$work/sapjar" -c "$work/sapjar" --data-binary @"$work/req"
}
request GET "$WSDL"
expect_status 401 "WSDL without logon"
request GET "$WSDL" -u "$SAP_AUTH"
expect_status 200 "WSDL"
body_has 'targetNamespace="urn:sap-com:document:sap:rfc:functions"' "WSDL"
body_has "$RFC" "WSDL address"
ok "WSDL (401 without logon)"

soap '<urn:BAPI_VENDOR_GETDETAIL><COMPANYCODE>1000</COMPANYCODE><VENDORNO>100005</VENDORNO></urn:BAPI_VENDOR_GETDETAIL>'
expect_status 200 "BAPI_VENDOR_GETDETAIL"
body_has '<NAME>Omega Electronics Ltd</NAME>' "vendor found"
body_has '<COMP_CODE>1000</COMP_CODE>' "vendor company data"
body_has '<RETURN><TYPE></TYPE>' "vendor found RETURN"
ok "BAPI_VENDOR_GETDETAIL found"

soap '<urn:BAPI_VENDOR_GETDETAIL><VENDORNO>0000999999</VENDORNO></urn:BAPI_VENDOR_GETDETAIL>'
expect_status 200 "BAPI_VENDOR_GETDETAIL unknown"
body_has '<TYPE>E</TYPE>' "unknown vendor RETURN"
body_lacks 'Fault' "unknown vendor"
ok "BAPI_VENDOR_GETDETAIL not found: RETURN TYPE E, no fault"

soap "<urn:RFC_READ_TABLE><DELIMITER>|</DELIMITER><FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item><item><FIELDNAME>NAME1</FIELDNAME></item><item><FIELDNAME>LAND1</FIELDNAME></item></FIELDS><OPTIONS><item><TEXT>LAND1 EQ 'DE' AND</TEXT></item><item><TEXT>ORT01 NE 'Bremen'</TEXT></item></OPTIONS><QUERY_TABLE>LFA1</QUERY_TABLE><ROWCOUNT>2</ROWCOUNT><ROWSKIPS>1</ROWSKIPS></urn:RFC_READ_TABLE>"
expect_status 200 "RFC_READ_TABLE"
[ "$(grep -o '<WA>' "$work/body" | wc -l)" = 2 ] || fail "RFC_READ_TABLE ROWCOUNT 2: $(cat "$work/body")"
body_has '<WA>0000100011|Hoffmann Chemie GmbH               |DE</WA>' "RFC_READ_TABLE row"
body_has '<FIELDNAME>LAND1</FIELDNAME><OFFSET>000047</OFFSET><LENGTH>000003</LENGTH>' "RFC_READ_TABLE FIELDS"
ok "RFC_READ_TABLE with FIELDS, OPTIONS (AND), ROWSKIPS, ROWCOUNT"

soap "<urn:RFC_READ_TABLE><QUERY_TABLE>MARA</QUERY_TABLE><OPTIONS><item><TEXT>MTART EQ 'ROH'</TEXT></item></OPTIONS></urn:RFC_READ_TABLE>"
expect_status 200 "RFC_READ_TABLE MARA"
[ "$(grep -o '<WA>' "$work/body" | wc -l)" = 4 ] || fail "MARA MTART EQ 'ROH' should give 4 rows: $(cat "$work/body")"
ok "RFC_READ_TABLE MARA, all fields"

soap '<urn:RFC_READ_TABLE><QUERY_TABLE>ZNOTHERE</QUERY_TABLE></urn:RFC_READ_TABLE>'
expect_status 500 "RFC_READ_TABLE unknown table"
body_has '<faultstring>TABLE_NOT_AVAILABLE</faultstring>' "unknown table fault"
ok "RFC_READ_TABLE unknown table: SOAP fault TABLE_NOT_AVAILABLE"

soap '<urn:Z_DOES_NOT_EXIST><X>1</X></urn:Z_DOES_NOT_EXIST>'
expect_status 500 "unknown function module"
body_has '<faultstring>function module Z_DOES_NOT_EXIST is not available' "unknown function module fault"
ok "unknown function module: SOAP fault"

create='<urn:BAPI_CUSTOMER_CREATEFROMDATA1><PI_COPYREFERENCE><SALESORG>1000</SALESORG></PI_COPYREFERENCE><PI_PERSONALDATA><FIRSTNAME>Grace</FIRSTNAME><LASTNAME>Hopper</LASTNAME><CITY>Selftestville</CITY><COUNTRY>US</COUNTRY></PI_PERSONALDATA></urn:BAPI_CUSTOMER_CREATEFROMDATA1>'
read_kna1="<urn:RFC_READ_TABLE><DELIMITER>;</DELIMITER><FIELDS><item><FIELDNAME>KUNNR</FIELDNAME></item><item><FIELDNAME>NAME1</FIELDNAME></item></FIELDS><OPTIONS><item><TEXT>ORT01 EQ 'Selftestville'</TEXT></item></OPTIONS><QUERY_TABLE>KNA1</QUERY_TABLE></urn:RFC_READ_TABLE>"
: > "$work/sapjar"
soap "$read_kna1"
before=$(grep -o '<WA>' "$work/body" | wc -l)
soap "$create"   # no session: discarded after the call
soap '<urn:BAPI_TRANSACTION_COMMIT><WAIT>X</WAIT></urn:BAPI_TRANSACTION_COMMIT>'
soap "$read_kna1"
[ "$(grep -o '<WA>' "$work/body" | wc -l)" = "$before" ] || fail "a create without session must not persist"
soap "$create" "?sap-client=$CLIENT&sap-sessioncmd=open"
expect_status 200 "create in session"
customer=$(sed -n 's/.*<CUSTOMERNO>\([0-9]*\)<.*/\1/p' "$work/body")
[ -n "$customer" ] || fail "no CUSTOMERNO: $(cat "$work/body")"
grep -q SAP_SESSIONID "$work/sapjar" || fail "sap-sessioncmd=open set no session cookie"
soap "$read_kna1"
body_lacks "$customer" "customer visible before commit"
soap '<urn:BAPI_TRANSACTION_COMMIT><WAIT>X</WAIT></urn:BAPI_TRANSACTION_COMMIT>'
expect_status 200 "commit"
soap "$read_kna1" "?sap-client=$CLIENT&sap-sessioncmd=close"
body_has "<WA>$customer;Grace Hopper</WA>" "customer after commit"
ok "BAPI_CUSTOMER_CREATEFROMDATA1 visible only after BAPI_TRANSACTION_COMMIT in the session"

request POST "$RFC" -H 'Content-Type: text/xml' --data-binary @"$work/req"
expect_status 401 "SOAP without logon"
ok "SOAP without logon: 401"

# ---- IDoc XML inbound -----------------------------------------------------------------
mark="SELFTEST$RANDOM"
cat > "$work/idoc.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ORDERS05>
  <IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1">
      <TABNAM>EDI_DC40</TABNAM><DOCNUM>1</DOCNUM><DIRECT>2</DIRECT>
      <IDOCTYP>ORDERS05</IDOCTYP><MESTYP>ORDERS</MESTYP>
      <SNDPOR>CONFLUX</SNDPOR><SNDPRT>LS</SNDPRT><SNDPRN>$mark</SNDPRN>
      <RCVPOR>SAPCFX</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>CFXCLNT$CLIENT</RCVPRN>
    </EDI_DC40>
    <E1EDK01 SEGMENT="1"><CURCY>EUR</CURCY><BELNR>PO-4711</BELNR></E1EDK01>
    <E1EDP01 SEGMENT="1"><POSEX>000010</POSEX><MENGE>5</MENGE>
      <E1EDP19 SEGMENT="1"><QUALF>002</QUALF><IDTNR>TG11</IDTNR></E1EDP19>
    </E1EDP01>
  </IDOC>
</ORDERS05>
XML
request POST "$IDOC?sap-client=$CLIENT" -u "$SAP_AUTH" -H 'Content-Type: application/xml' --data-binary @"$work/idoc.xml"
expect_status 200 "IDoc POST"
docnum=$(tr -d '\r\n' < "$work/body")
[[ "$docnum" =~ ^[0-9]{16}$ ]] || fail "IDoc answer is not a 16-digit IDoc number: $docnum"
request GET "$IDOC_TEST"
expect_status 200 "GET /test/idocs"
json_check "d.some(i => i.docnum === '$docnum' && i.sndprn === '$mark' && i.mestyp === 'ORDERS' && i.segments[1].children[0].fields.IDTNR === 'TG11')" "received IDoc"
ok "IDoc POST: 200 with IDoc number $docnum, visible in /test/idocs"

printf '<ORDERS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><IDOCTYP>ORDERS05</IDOCTYP></IDOC></ORDERS05>' > "$work/bad.xml"
request POST "$IDOC" -u "$SAP_AUTH" -H 'Content-Type: application/xml' --data-binary @"$work/bad.xml"
expect_status 400 "malformed IDoc"
body_has 'line' "malformed IDoc message"
printf '<ORDERS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40><E1EDK01 SEGMENT="1"/></IDOC></ORDERS05>' > "$work/bad.xml"
request POST "$IDOC" -u "$SAP_AUTH" -H 'Content-Type: application/xml' --data-binary @"$work/bad.xml"
expect_status 400 "IDoc without MESTYP"
body_has 'MESTYP' "IDoc without MESTYP message"
ok "malformed IDoc / IDoc without MESTYP: 400 with a message"

echo "selftest: all $checks checks passed"
