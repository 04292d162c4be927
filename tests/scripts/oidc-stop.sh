#!/bin/bash
# Stops the authorization server oidc-start.sh started (by its PID) and removes ENV_FILE.
# The npm installation next to it is kept for the next run.
set -uo pipefail
env_file=${1:?usage: oidc-stop.sh ENV_FILE}
[ -f "$env_file" ] || exit 0
pid=$(sed -n 's/^CONFLUX_OIDC_PID=//p' "$env_file")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$env_file"
