#!/bin/bash
# Stops the server that postgres-start.sh started and removes its temporary folder.
#
#   postgres-stop.sh ENV_FILE
set -euo pipefail

env_file=${1:?usage: postgres-stop.sh ENV_FILE}
if [ ! -f "$env_file" ]; then
    echo "postgres-stop: $env_file does not exist; nothing to stop"
    exit 0
fi

# Read the file as data (KEY=value lines), not as code.
value() { sed -n "s/^$1=//p" "$env_file" | head -n 1; }
dir=$(value CONFLUX_PG_DIR)
data=$(value CONFLUX_PG_DATA)
pid=$(value CONFLUX_PG_PID)
pg_bin=$(value CONFLUX_PG_BIN)
run_as_user=$(value CONFLUX_PG_RUNAS)
port=$(value PGPORT)

run_as=()
if [ "$(id -u)" -eq 0 ] && [ "$run_as_user" != root ]; then
    run_as=(runuser -u "$run_as_user" --)
fi

status=0
if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
    if ! "${run_as[@]}" "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null; then
        echo "postgres-stop: pg_ctl stop failed; killing pid $pid" >&2
        status=1
    fi
fi
# Whatever pg_ctl did, make sure that postmaster (and only it) is gone.
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
    && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
fi

# Only ever delete a folder that postgres-start.sh made.
case "$(basename "${dir:-/}")" in
    conflux-pg.*) rm -rf "$dir" ;;
    *) echo "postgres-stop: not removing unexpected folder '$dir'" >&2; status=1 ;;
esac
rm -f "$env_file"
if [ "$status" -eq 0 ]; then
    echo "postgres-stop: stopped the server on 127.0.0.1:$port"
fi
exit "$status"
