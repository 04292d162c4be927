#!/bin/bash
# Starts the connector test peers for integration tests (CTest fixture "sap_peers"), each on a
# free port of 127.0.0.1, described in tests/peers/README.md:
#   - an SAP CAP service (tests/peers/cap) as OData v4 and OData v2, with HTTP Basic logon
#     and SAP Gateway's CSRF protection;
#   - an SAP SOAP RFC service, IDoc-XML inbound and /test/idocs (tests/peers/soaprfc);
#   - a GraphQL server (tests/peers/graphql) and a SOAP 1.1/1.2 order service (tests/peers/soapsvc).
#
#   sap-peers-start.sh ENV_FILE
#
# Installs the exact npm packages of tests/package.json / package-lock.json with `npm ci`
# into the folder next to ENV_FILE (again only when the lock file changed), copies the peers
# there, starts them with random passwords, waits until both OData $metadata documents answer
# 200 with Basic logon, the WSDL answers and a real SOAP call of BAPI_VENDOR_GETDETAIL returns
# the vendor, and writes ENV_FILE as KEY=value lines:
#   CAP_ODATA_V4_URL CAP_ODATA_V2_URL CAP_USER CAP_PASSWORD
#   SOAP_RFC_URL SOAP_WSDL_URL IDOC_URL IDOC_TEST_URL SAP_USER SAP_PASSWORD SAP_CLIENT
#   GRAPHQL_BASE_URL GRAPHQL_TOKEN SOAPSVC_BASE_URL
#   CONFLUX_SAP_CAP_PID CONFLUX_SAP_SOAP_PID CONFLUX_GRAPHQL_PID CONFLUX_SOAPSVC_PID CONFLUX_SAP_PEERS_DIR
# sap-peers-stop.sh ENV_FILE stops them by PID. Node.js (>= 20.19) and npm are required (as
# root the script installs Debian's nodejs and npm when they are missing); a peer that does
# not come up is an error with its log, never a skip.
set -Eeuo pipefail

env_file=${1:?usage: sap-peers-start.sh ENV_FILE}
script_dir=$(cd "$(dirname "$0")" && pwd)
tests_dir=$(cd "$script_dir/.." && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "sap-peers-start: node and npm are required (as root: apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "sap-peers-start: installing nodejs and npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2 \
        || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2; }
fi
if [ -f "$env_file" ]; then
    bash "$script_dir/sap-peers-stop.sh" "$env_file" || true
fi

dir=$(dirname "$env_file")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# npm packages: exactly the locked versions, reinstalled only when the lock changes.
cp "$tests_dir/package.json" "$tests_dir/package-lock.json" "$dir/"
if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.conflux-installed-lock" 2>/dev/null; then
    echo "sap-peers-start: npm ci in $dir (first run compiles better-sqlite3; takes a minute)" >&2
    started=$(date +%s)
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
        echo "sap-peers-start: npm ci failed in $dir" >&2
        exit 1
    fi
    cp "$dir/package-lock.json" "$dir/node_modules/.conflux-installed-lock"
    echo "sap-peers-start: npm ci took $(( $(date +%s) - started )) s" >&2
fi
rm -rf "$dir/peers"
mkdir -p "$dir/peers"
cp -r "$tests_dir/peers/cap" "$tests_dir/peers/soaprfc" "$dir/peers/"
# Further peers (a GraphQL server, a SOAP 1.1/1.2 order service): each a server.js that
# listens on $PORT of 127.0.0.1 and answers GET /ready with 200 once it serves.
extra_peers=(graphql soapsvc)
for peer in "${extra_peers[@]}"; do
    cp -r "$tests_dir/peers/$peer" "$dir/peers/"
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local p=$((20000 + RANDOM % 20000))
    while port_in_use "$p" || [ "$p" = "${1:-}" ]; do p=$((p + 1)); done
    echo "$p"
}
random_secret() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

cap_port=$(free_port)
soap_port=$(free_port "$cap_port")
cap_user=conflux
cap_password=$(random_secret)
sap_user=CONFLUX_RFC
sap_password=$(random_secret)
sap_client=100

PORT=$cap_port CAP_USER=$cap_user CAP_PASSWORD=$cap_password \
    nohup node "$dir/peers/cap/server.js" > "$dir/cap.log" 2>&1 &
cap_pid=$!
PORT=$soap_port SAP_USER=$sap_user SAP_PASSWORD=$sap_password SAP_CLIENT=$sap_client \
    nohup node "$dir/peers/soaprfc/server.js" > "$dir/soaprfc.log" 2>&1 &
soap_pid=$!
declare -A extra_port extra_pid
graphql_token=$(random_secret)
taken="$cap_port $soap_port"
for peer in "${extra_peers[@]}"; do
    p=$(free_port)
    while [[ " $taken " == *" $p "* ]]; do p=$(free_port); done
    taken="$taken $p"
    extra_port[$peer]=$p
    PORT=$p GRAPHQL_TOKEN=$graphql_token nohup node "$dir/peers/$peer/server.js" > "$dir/$peer.log" 2>&1 &
    extra_pid[$peer]=$!
done

cap_base="http://127.0.0.1:$cap_port"
soap_base="http://127.0.0.1:$soap_port"
v4_url="$cap_base/odata/v4/sales/"
v2_url="$cap_base/odata/v2/sales/"
rfc_url="$soap_base/sap/bc/soap/rfc"
wsdl_url="$rfc_url?wsdl"

status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" 2>/dev/null || true; }
vendor_call() {
    curl -s --max-time 5 -u "$sap_user:$sap_password" -H 'Content-Type: text/xml; charset=utf-8' \
        -H 'SOAPAction: "urn:sap-com:document:sap:rfc:functions:BAPI_VENDOR_GETDETAIL"' \
        --data-binary '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:sap-com:document:sap:rfc:functions"><soapenv:Body><urn:BAPI_VENDOR_GETDETAIL><VENDORNO>0000100001</VENDORNO></urn:BAPI_VENDOR_GETDETAIL></soapenv:Body></soapenv:Envelope>' \
        "$rfc_url?sap-client=$sap_client" 2>/dev/null || true
}

fail() {
    echo "sap-peers-start: $1" >&2
    echo "---- CAP peer log ($dir/cap.log):" >&2
    cat "$dir/cap.log" >&2 || true
    echo "---- SOAP RFC peer log ($dir/soaprfc.log):" >&2
    cat "$dir/soaprfc.log" >&2 || true
    for peer in "${extra_peers[@]}"; do
        echo "---- $peer peer log ($dir/$peer.log):" >&2
        cat "$dir/$peer.log" >&2 || true
        kill "${extra_pid[$peer]}" 2>/dev/null || true
    done
    kill "$cap_pid" "$soap_pid" 2>/dev/null || true
    exit 1
}

ready=""
for _ in $(seq 300); do
    if ! kill -0 "$cap_pid" 2>/dev/null; then fail "the CAP peer exited"; fi
    if ! kill -0 "$soap_pid" 2>/dev/null; then fail "the SOAP RFC peer exited"; fi
    if [ "$(status_of -u "$cap_user:$cap_password" "$v4_url\$metadata")" = 200 ] \
        && [ "$(status_of -u "$cap_user:$cap_password" "$v2_url\$metadata")" = 200 ] \
        && [ "$(status_of -u "$sap_user:$sap_password" "$wsdl_url")" = 200 ] \
        && vendor_call | grep -q '<NAME>Schulz Stahlhandel GmbH</NAME>'; then
        ready=yes
        for peer in "${extra_peers[@]}"; do
            kill -0 "${extra_pid[$peer]}" 2>/dev/null || fail "the $peer peer exited"
            [ "$(status_of "http://127.0.0.1:${extra_port[$peer]}/ready")" = 200 ] || ready=""
        done
        [ -n "$ready" ] && break
    fi
    sleep 0.2
done
[ -n "$ready" ] || fail "the peers did not answer within 60 s (OData v4/v2 \$metadata, WSDL, BAPI_VENDOR_GETDETAIL, /ready of ${extra_peers[*]})"

cat > "$env_file" <<ENV
CAP_ODATA_V4_URL=$v4_url
CAP_ODATA_V2_URL=$v2_url
CAP_USER=$cap_user
CAP_PASSWORD=$cap_password
SOAP_RFC_URL=$rfc_url
SOAP_WSDL_URL=$wsdl_url
IDOC_URL=$soap_base/sap/bc/idoc_xml
IDOC_TEST_URL=$soap_base/test/idocs
SAP_USER=$sap_user
SAP_PASSWORD=$sap_password
SAP_CLIENT=$sap_client
CONFLUX_SAP_CAP_PID=$cap_pid
CONFLUX_SAP_SOAP_PID=$soap_pid
CONFLUX_SAP_PEERS_DIR=$dir
ENV
for peer in "${extra_peers[@]}"; do
    key=$(echo "$peer" | tr '[:lower:]' '[:upper:]')
    echo "${key}_BASE_URL=http://127.0.0.1:${extra_port[$peer]}/" >> "$env_file"
    echo "CONFLUX_${key}_PID=${extra_pid[$peer]}" >> "$env_file"
done
echo "GRAPHQL_TOKEN=$graphql_token" >> "$env_file"
cds_version=$(node -p "require('$dir/node_modules/@sap/cds/package.json').version")
soap_version=$(node -p "require('$dir/node_modules/soap/package.json').version")
echo "sap-peers-start: CAP (@sap/cds $cds_version) at $cap_base (pid $cap_pid)," \
    "SOAP RFC (soap $soap_version) at $soap_base (pid $soap_pid)"
