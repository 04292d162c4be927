#!/bin/bash
# Stops the SAP test peers sap-peers-start.sh started (by their PIDs) and removes ENV_FILE.
# The npm installation next to it is kept for the next run.
set -uo pipefail
env_file=${1:?usage: sap-peers-stop.sh ENV_FILE}
[ -f "$env_file" ] || exit 0
# Running = exists and is not a zombie: the peers were detached from the start script, and in
# some containers init reaps orphans only after seconds.
running() {
    local state
    state=$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
    if [ -n "$state" ]; then [ "$state" != Z ]; else kill -0 "$1" 2>/dev/null; fi
}
for key in CONFLUX_SAP_CAP_PID CONFLUX_SAP_SOAP_PID CONFLUX_GRAPHQL_PID CONFLUX_SOAPSVC_PID; do
    pid=$(sed -n "s/^$key=//p" "$env_file")
    if [ -n "$pid" ] && running "$pid"; then
        kill "$pid"
        for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
        if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
done
rm -f "$env_file"
