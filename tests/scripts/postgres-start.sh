#!/bin/bash
# Starts a throw-away PostgreSQL server for integration tests (CTest fixture "postgres").
#
#   postgres-start.sh ENV_FILE
#
# Creates a fresh cluster in a new temporary folder, listening on a free port on 127.0.0.1
# only (plus a Unix socket inside that folder), with fsync off, creates the database
# conflux_test, and writes ENV_FILE with the connection facts as shell assignments:
#   PGHOST PGPORT PGUSER PGDATABASE  (libpq's names: `set -a; . ENV_FILE; set +a; psql` works)
#   CONFLUX_PG_DIR CONFLUX_PG_DATA CONFLUX_PG_PID CONFLUX_PG_BIN CONFLUX_PG_RUNAS
# postgres-stop.sh ENV_FILE stops the server and removes the folder.
#
# initdb and pg_ctl refuse to run as root; as root the server runs as the user `postgres`.
# A missing PostgreSQL installation is an error, never a skip.
set -Eeuo pipefail

env_file=${1:?usage: postgres-start.sh ENV_FILE}
pg_bin=${CONFLUX_PG_BIN:-}
if [ -z "$pg_bin" ]; then
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && pg_bin=$candidate
    done
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
    echo "postgres-start: PostgreSQL server binaries (initdb, pg_ctl) not found in" \
         "${pg_bin:-/usr/lib/postgresql/*/bin}; install them with: apt-get install postgresql" >&2
    exit 1
fi

script_dir=$(cd "$(dirname "$0")" && pwd)
# A server left over by an interrupted run is stopped first.
if [ -f "$env_file" ]; then
    bash "$script_dir/postgres-stop.sh" "$env_file" || true
fi

run_as=()
run_as_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "postgres-start: running as root, but there is no user 'postgres' to run the server" \
             "(initdb refuses root); install the postgresql package" >&2
        exit 1
    fi
    run_as=(runuser -u postgres --)
    run_as_user=postgres
fi

# synchronous_commit off is fast, but a crash (pg_ctl -m immediate) loses the last commits:
# tests that kill the server set CONFLUX_PG_SYNC_COMMIT=on.
sync_commit=${CONFLUX_PG_SYNC_COMMIT:-off}
dir=$(mktemp -d "${TMPDIR:-/tmp}/conflux-pg.XXXXXX")
cleanup_on_error() {
    echo "postgres-start: failed; server log:" >&2
    cat "$dir/server.log" >&2 2>/dev/null || true
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup_on_error ERR
chmod 700 "$dir"
if [ ${#run_as[@]} -gt 0 ]; then
    chown postgres: "$dir"
fi

"${run_as[@]}" "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; false; }

port_is_taken() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=
for _ in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    port_is_taken "$port" && continue
    if "${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=$sync_commit -c full_page_writes=off" \
        start >/dev/null; then
        started=1
        break
    fi
    # Lost a race for the port: try another one; anything else is fatal.
    grep -q "could not bind\|Address already in use" "$dir/server.log" || false
done
[ -n "$started" ] || { echo "postgres-start: no free port found" >&2; false; }

for _ in $(seq 1 100); do
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 0.1
done
"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port"
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres conflux_test

pid=$(head -n 1 "$dir/data/postmaster.pid")
mkdir -p "$(dirname "$env_file")"
cat >"$env_file.tmp" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=postgres
PGDATABASE=conflux_test
CONFLUX_PG_DIR=$dir
CONFLUX_PG_DATA=$dir/data
CONFLUX_PG_PID=$pid
CONFLUX_PG_BIN=$pg_bin
CONFLUX_PG_SYNC_COMMIT=$sync_commit
CONFLUX_PG_RUNAS=$run_as_user
ENV
mv "$env_file.tmp" "$env_file"
trap - ERR
echo "postgres-start: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" \
     "(pid $pid, data $dir/data), database conflux_test; facts in $env_file"
