#!/bin/bash
# Shuts down the server that mariadb-start.sh started and removes its folder.
#
#   mariadb-stop.sh ENV_FILE
set -euo pipefail

env_file=${1:?usage: mariadb-stop.sh ENV_FILE}
if [ ! -f "$env_file" ]; then
    echo "mariadb-stop: $env_file does not exist; nothing to stop"
    exit 0
fi

# Read the file as data (KEY=value lines), not as code.
value() { sed -n "s/^$1=//p" "$env_file" | head -n 1; }
dir=$(value CONFLUX_MARIADB_DIR)
pid=$(value CONFLUX_MARIADB_PID)
socket=$(value CONFLUX_MARIADB_SOCKET)
admin_password=$(value CONFLUX_MARIADB_ADMIN_PASSWORD)
port=$(value MARIADB_PORT)

is_ours() {
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ]
}

status=0
if is_ours; then
    # A clean shutdown (InnoDB flushed); SIGTERM does the same when the client cannot connect.
    if ! MYSQL_PWD=$admin_password mariadb-admin --no-defaults --protocol=socket \
        --socket="$socket" --user=root --connect-timeout=5 shutdown >/dev/null 2>&1; then
        kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 300); do is_ours || break; sleep 0.1; done
    if is_ours; then
        echo "mariadb-stop: mariadbd (pid $pid) did not stop within 30 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        status=1
    fi
fi

# Only ever delete folders that mariadb-start.sh made.
case "$(basename "${dir:-/}")" in
    conflux-mariadb.*) rm -rf "$dir" ;;
    *) echo "mariadb-stop: not removing unexpected folder '$dir'" >&2; status=1 ;;
esac
socket_dir=$(dirname "${socket:-/}")
case "$(basename "$socket_dir")" in
    conflux-mariadb-sock.*) rm -rf "$socket_dir" ;;
esac
rm -f "$env_file"
if [ "$status" -eq 0 ]; then
    echo "mariadb-stop: stopped the server on 127.0.0.1:$port"
fi
exit "$status"
