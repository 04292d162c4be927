#!/bin/bash
# Starts a real OAuth 2.0 / OpenID Connect authorization server for integration tests
# (CTest fixture "oidc"): oidc-provider from the npm registry, configured by oidc/server.mjs
# with one confidential client allowed the client-credentials grant, issuing RS256 JWT
# access tokens for the resource api://orders.
#
#   oidc-start.sh ENV_FILE
#
# Installs oidc-provider@9 (npm, pinned major) into the folder next to ENV_FILE once, starts
# it on a free port of 127.0.0.1 with a random client secret, waits for its discovery
# document, and writes ENV_FILE as shell assignments:
#   OIDC_ISSUER OIDC_CLIENT_ID OIDC_CLIENT_SECRET OIDC_RESOURCE CONFLUX_OIDC_PID CONFLUX_OIDC_DIR
# oidc-stop.sh ENV_FILE stops it by PID. Node.js and npm are required (as root the script
# installs Debian's nodejs and npm when they are missing); a missing server is an error,
# never a skip.
set -Eeuo pipefail

env_file=${1:?usage: oidc-start.sh ENV_FILE}
script_dir=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "oidc-start: node and npm are required (as root: apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "oidc-start: installing nodejs and npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2 \
        || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >&2; }
fi
if [ -f "$env_file" ]; then
    bash "$script_dir/oidc-stop.sh" "$env_file" || true
fi

dir=$(dirname "$env_file")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ! -f "$dir/node_modules/oidc-provider/package.json" ]; then
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error oidc-provider@9 >&2
fi
cp "$script_dir/oidc/server.mjs" "$dir/server.mjs"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 20000))
while port_in_use "$port"; do port=$((port + 1)); done
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

cd "$dir"
PORT=$port CLIENT_SECRET=$secret nohup node server.mjs > "$dir/server.log" 2>&1 &
pid=$!
issuer="http://127.0.0.1:$port"
for _ in $(seq 100); do
    if curl -sf "$issuer/.well-known/openid-configuration" >/dev/null 2>&1; then
        cat > "$env_file" <<ENV
OIDC_ISSUER=$issuer
OIDC_CLIENT_ID=conflux-test
OIDC_CLIENT_SECRET=$secret
OIDC_RESOURCE=api://orders
CONFLUX_OIDC_PID=$pid
CONFLUX_OIDC_DIR=$dir
ENV
        echo "oidc-start: oidc-provider $(node -p "require('$dir/node_modules/oidc-provider/package.json').version") at $issuer (pid $pid)"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
echo "oidc-start: the server did not come up; its log:" >&2
cat "$dir/server.log" >&2 || true
kill "$pid" 2>/dev/null || true
exit 1
