#!/bin/bash
# Stops the node that rabbitmq-start.sh started, and its epmd, by PID, and removes the
# node's folder.
#
#   rabbitmq-stop.sh ENV_FILE
set -euo pipefail

env_file=${1:?usage: rabbitmq-stop.sh ENV_FILE}
if [ ! -f "$env_file" ]; then
    echo "rabbitmq-stop: $env_file does not exist; nothing to stop"
    exit 0
fi

# Read the file as data (KEY=value lines), not as code.
value() { sed -n "s/^$1=//p" "$env_file" | head -n 1; }
dir=$(value CONFLUX_RABBITMQ_DIR)
pid=$(value CONFLUX_RABBITMQ_PID)
epmd_pid=$(value CONFLUX_RABBITMQ_EPMD_PID)
port=$(value RABBITMQ_PORT)

# Sends TERM to `pid` if it is still the process named `comm`, waits up to `tenths`/10
# seconds, then KILLs it.
stop_pid() {
    local pid=$1 comm=$2 tenths=$3
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    echo "rabbitmq-stop: $comm (pid $pid) still shutting down after $((tenths / 10)) s; killed it"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    return 1
}

status=0
# The Erlang VM shuts the broker down on TERM; the data is throw-away, so a slow shutdown
# (many quorum queues) is cut short.
stop_pid "$pid" beam.smp 30 || status=1
stop_pid "$epmd_pid" epmd 20 || status=1

# Only ever delete a folder that rabbitmq-start.sh made.
case "$(basename "${dir:-/}")" in
    conflux-rabbitmq.*) rm -rf "$dir" ;;
    *) echo "rabbitmq-stop: not removing unexpected folder '$dir'" >&2; status=1 ;;
esac
rm -f "$env_file"
if [ "$status" -eq 0 ]; then
    echo "rabbitmq-stop: stopped the node on 127.0.0.1:$port and its epmd"
fi
exit "$status"
