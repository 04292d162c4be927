#!/bin/bash
# Runs the Postman collection tests/gateway/postman/order-hub.postman_collection.json with
# newman against a real node serving the sample project resources/samples/order-hub
# (CTest test newman_sample_routes, fixture "oidc").
#
#   newman-run.sh CONFLUX_BINARY BUILD_DIR
#
# CONFLUX_TEST_OIDC_ENV names the env file oidc-start.sh wrote (the OAuth2 server's issuer,
# client and resource). The script
#   - installs newman@6 (npm, pinned major) into BUILD_DIR/newman once;
#   - starts the upstream stubs (tests/gateway/postman/upstream.mjs) on free ports of 127.0.0.1;
#   - copies the sample project to a temporary folder and rewrites only addresses in it: the
#     upstream URLs of routes/orders-api.json and routes/partner-soap.json point at the stubs
#     (same paths), and the jwt route's issuer, jwks_url and audience at the OAuth2 server;
#     everything else stays as the sample has it;
#   - creates an API key (conflux apikey create) and starts `conflux run` on the copy, with
#     the gateway and the admin API on free ports, and waits until /ready says ready;
#   - runs newman (reporters cli and junit, the report in BUILD_DIR/test-artifacts/newman.xml)
#     with the addresses, the client credentials and the API key as --env-var values;
#   - stops the node and the stubs by PID when it exits (the logs are kept as
#     BUILD_DIR/test-artifacts/newman-node.log and newman-upstream.log).
# Exits with newman's status; 1 with a message when something could not be set up (a missing
# server is a failure, never a skip).
set -Eeuo pipefail

binary=${1:?usage: newman-run.sh CONFLUX_BINARY BUILD_DIR}
build=${2:?usage: newman-run.sh CONFLUX_BINARY BUILD_DIR}
script_dir=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)
postman_dir=$source_dir/tests/gateway/postman
collection=$postman_dir/order-hub.postman_collection.json
sample=$source_dir/resources/samples/order-hub

fail() {
    echo "newman-run: $*" >&2
    exit 1
}

[ -x "$binary" ] || fail "$binary is not an executable (build the conflux target first)"
command -v node >/dev/null && command -v npm >/dev/null \
    || fail "node and npm are required (as root: apt-get install nodejs npm)"
command -v curl >/dev/null || fail "curl is required (as root: apt-get install curl)"
mkdir -p "$build"
build=$(cd "$build" && pwd)
artifacts=$build/test-artifacts
mkdir -p "$artifacts"

# The OAuth2 server of the oidc fixture.
oidc_env=${CONFLUX_TEST_OIDC_ENV:-}
[ -n "$oidc_env" ] && [ -f "$oidc_env" ] \
    || fail "CONFLUX_TEST_OIDC_ENV does not name the oidc fixture's env file (${oidc_env:-unset}): run through ctest, which starts oidc_start first"
oidc_value() { sed -n "s/^$1=//p" "$oidc_env" | head -n 1; }
issuer=$(oidc_value OIDC_ISSUER)
client_id=$(oidc_value OIDC_CLIENT_ID)
client_secret=$(oidc_value OIDC_CLIENT_SECRET)
resource=$(oidc_value OIDC_RESOURCE)
[ -n "$issuer" ] && [ -n "$client_id" ] && [ -n "$client_secret" ] && [ -n "$resource" ] \
    || fail "$oidc_env lacks OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET or OIDC_RESOURCE"
discovery=$(curl -sf --max-time 10 "$issuer/.well-known/openid-configuration") \
    || fail "the OAuth2 server at $issuer does not answer its discovery document"
discovered() { printf '%s' "$discovery" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s)[process.argv[1]];if(!v)process.exit(1);console.log(v)})" "$1"; }
token_url=$(discovered token_endpoint) || fail "$issuer's discovery document has no token_endpoint"
jwks_url=$(discovered jwks_uri) || fail "$issuer's discovery document has no jwks_uri"

# newman, once, beside the build (as oidc-start.sh installs oidc-provider).
newman_dir=$build/newman
if [ ! -f "$newman_dir/node_modules/newman/package.json" ]; then
    mkdir -p "$newman_dir"
    echo "newman-run: installing newman@6 into $newman_dir" >&2
    npm install --prefix "$newman_dir" --no-audit --no-fund --loglevel=error newman@6 >&2 \
        || fail "npm could not install newman@6"
fi
newman=$newman_dir/node_modules/newman/bin/newman.js
[ -f "$newman" ] || fail "$newman is missing after npm install"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/conflux-newman-XXXXXX")
node_pid=
stub_pid=
# Stops one of our processes by PID: SIGTERM, up to 10 s, then SIGKILL. Says how it ended
# when that was not a clean exit (a node must shut down cleanly on SIGTERM).
stop() {
    local pid=$1 what=$2 code=0
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "newman-run: $what (pid $pid) did not stop within 10 s of SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || code=$?
    if [ "$code" != 0 ]; then
        echo "newman-run: $what (pid $pid) exited with status $code after SIGTERM$([ "$code" -gt 128 ] && echo " (signal $((code - 128)))")" >&2
    fi
}
cleanup() {
    stop "$node_pid" "the node"
    stop "$stub_pid" "the upstream stubs"
    cp "$tmp/node.log" "$artifacts/newman-node.log" 2>/dev/null || true
    cp "$tmp/upstream.log" "$artifacts/newman-upstream.log" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local port=$((20000 + RANDOM % 20000))
    while port_in_use "$port" || [ "$port" = "${1:-}" ]; do port=$((port + 1)); done
    echo "$port"
}

# The upstream stubs pick their own free ports and say which.
node "$postman_dir/upstream.mjs" "$tmp/ports.json" > "$tmp/upstream.log" 2>&1 &
stub_pid=$!
for _ in $(seq 100); do
    [ -f "$tmp/ports.json" ] && break
    kill -0 "$stub_pid" 2>/dev/null || break
    sleep 0.1
done
[ -f "$tmp/ports.json" ] || { cat "$tmp/upstream.log" >&2; fail "the upstream stubs did not start"; }

# The sample project with its addresses rewritten, and nothing else.
cp -R "$sample" "$tmp/project"
node - "$tmp/project" "$tmp/ports.json" "$issuer" "$jwks_url" "$resource" <<'JS' || fail "could not rewrite the sample project's addresses"
const fs = require('node:fs');
const [project, portsFile, issuer, jwksUrl, audience] = process.argv.slice(2);
const ports = JSON.parse(fs.readFileSync(portsFile, 'utf8'));
const rewrite = (file, change) => {
    const path = `${project}/routes/${file}`;
    const route = JSON.parse(fs.readFileSync(path, 'utf8'));
    change(route, file);
    fs.writeFileSync(path, `${JSON.stringify(route, null, 2)}\n`);
};
// The stub's host and port; the scheme and everything after the authority as written.
const moved = (url, port, where) => {
    if (typeof url !== 'string')
        throw new Error(`${where}: no URL to rewrite (has the sample changed?)`);
    const { protocol, host } = new URL(url);
    const rest = url.slice(url.indexOf(host) + host.length);
    return `${protocol}//127.0.0.1:${port}${rest}`;
};
rewrite('orders-api.json', (route, file) => {
    if (!Array.isArray(route.upstreams) || route.upstreams.length !== 2)
        throw new Error(`${file}: expected two upstreams (has the sample changed?)`);
    route.upstreams[0].url = moved(route.upstreams[0].url, ports['orders-a'], `${file} /upstreams/0/url`);
    route.upstreams[1].url = moved(route.upstreams[1].url, ports['orders-b'], `${file} /upstreams/1/url`);
    if (route.authentication?.type !== 'jwt')
        throw new Error(`${file}: expected jwt authentication (has the sample changed?)`);
    route.authentication.issuer = issuer;
    route.authentication.jwks_url = jwksUrl;
    route.authentication.audience = audience;
});
rewrite('partner-soap.json', (route, file) => {
    route.upstream_url = moved(route.upstream_url, ports.partner, `${file} /upstream_url`);
});
JS

data=$tmp/data
mkdir -p "$data"
api_key=$("$binary" apikey create --data "$data" --name newman 2> "$tmp/apikey.log" | head -n 1) \
    || { cat "$tmp/apikey.log" >&2; fail "conflux apikey create failed"; }
[ -n "$api_key" ] || { cat "$tmp/apikey.log" >&2; fail "conflux apikey create printed no key"; }

gateway_port=$(free_port)
admin_port=$(free_port "$gateway_port")
gateway_url=http://127.0.0.1:$gateway_port
admin_url=http://127.0.0.1:$admin_port
"$binary" run "$tmp/project" --data "$data" --listen "127.0.0.1:$gateway_port" \
    --admin-listen "127.0.0.1:$admin_port" > "$tmp/node.log" 2>&1 &
node_pid=$!
# Ready: the admin API says so, and the gateway serves the routes (a path no route has is 404;
# 503 while the project is not deployed yet).
ready=
for _ in $(seq 300); do
    kill -0 "$node_pid" 2>/dev/null || break
    if curl -sf --max-time 2 "$admin_url/ready" >/dev/null 2>&1 \
        && [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$gateway_url/newman-run-probe")" = 404 ]; then
        ready=1
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    cat "$tmp/node.log" >&2
    fail "the node did not become ready on $gateway_url (admin $admin_url) within 30 s"
fi
echo "newman-run: node pid $node_pid, gateway $gateway_url, admin $admin_url; OAuth2 server $issuer"

status=0
node "$newman" run "$collection" \
    --reporters cli,junit --reporter-junit-export "$artifacts/newman.xml" \
    --color off --timeout-request 20000 \
    --env-var "gatewayUrl=$gateway_url" \
    --env-var "adminUrl=$admin_url" \
    --env-var "tokenUrl=$token_url" \
    --env-var "clientId=$client_id" \
    --env-var "clientSecret=$client_secret" \
    --env-var "resource=$resource" \
    --env-var "apiKey=$api_key" \
    || status=$?
if [ "$status" != 0 ]; then
    echo "newman-run: newman exited with $status; the node's log (last 40 lines):" >&2
    tail -n 40 "$tmp/node.log" >&2 || true
fi
exit "$status"
