#!/bin/bash
# Stops the server of postgres-start.sh abruptly (pg_ctl -m immediate: connections drop, as
# when the machine goes away), waits, and starts it again on the same port and folder. Start
# that server with CONFLUX_PG_SYNC_COMMIT=on, or the crash loses its last commits.
#
#   postgres-restart.sh ENV_FILE [DOWN_SECONDS]
set -euo pipefail

env_file=${1:?usage: postgres-restart.sh ENV_FILE [DOWN_SECONDS]}
down=${2:-2}
value() { sed -n "s/^$1=//p" "$env_file" | head -n 1; }
dir=$(value CONFLUX_PG_DIR)
data=$(value CONFLUX_PG_DATA)
pg_bin=$(value CONFLUX_PG_BIN)
run_as_user=$(value CONFLUX_PG_RUNAS)
port=$(value PGPORT)
sync_commit=$(value CONFLUX_PG_SYNC_COMMIT)
run_as=()
if [ "$(id -u)" -eq 0 ] && [ "$run_as_user" != root ]; then
    run_as=(runuser -u "$run_as_user" --)
fi

"${run_as[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null
sleep "$down"
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=${sync_commit:-off} -c full_page_writes=off" \
    start >/dev/null
# The new postmaster's pid, for postgres-stop.sh.
pid=$(head -n 1 "$data/postmaster.pid")
sed -i "s/^CONFLUX_PG_PID=.*/CONFLUX_PG_PID=$pid/" "$env_file"
