#!/bin/bash
# Starts a throw-away MariaDB server for integration tests (CTest fixture "mariadb").
#
#   mariadb-start.sh ENV_FILE
#
# Creates a fresh data folder (mariadb-install-db) in a new folder next to ENV_FILE, starts
# mariadbd on a free port of 127.0.0.1 only (plus a Unix socket for the administrator), with
# InnoDB and utf8mb4, creates the database conflux_test and the user conflux with a random
# password that may use it (from 127.0.0.1 only), gives the administrator root@localhost a
# random password too, and writes ENV_FILE (mode 600) with the facts as KEY=value lines:
#   MARIADB_HOST MARIADB_PORT MARIADB_USER MARIADB_PASSWORD MARIADB_DATABASE MARIADB_VERSION
#   CONFLUX_MARIADB_DIR CONFLUX_MARIADB_PID CONFLUX_MARIADB_SOCKET CONFLUX_MARIADB_ADMIN_PASSWORD
# mariadb-stop.sh ENV_FILE shuts the server down and removes the folder.
#
# mariadbd refuses to run as root unless told to: as root it runs with --user=root (the data
# folder is root's); as anyone else, as that user. A missing MariaDB installation is an error,
# never a skip.
set -Eeuo pipefail

env_file=${1:?usage: mariadb-start.sh ENV_FILE}
mariadbd_bin=${CONFLUX_MARIADBD:-$(command -v mariadbd || echo /usr/sbin/mariadbd)}
install_db=$(command -v mariadb-install-db || true)
client=$(command -v mariadb || true)
admin=$(command -v mariadb-admin || true)
if [ ! -x "$mariadbd_bin" ] || [ -z "$install_db" ] || [ -z "$client" ] || [ -z "$admin" ]; then
    echo "mariadb-start: the MariaDB server (mariadbd, mariadb-install-db, mariadb," \
         "mariadb-admin) is not installed; install it with: apt-get install mariadb-server" >&2
    exit 1
fi

script_dir=$(cd "$(dirname "$0")" && pwd)
# A server left over by an interrupted run is stopped first.
if [ -f "$env_file" ]; then
    bash "$script_dir/mariadb-stop.sh" "$env_file" || true
fi

base=$(dirname "$env_file")
mkdir -p "$base"
base=$(cd "$base" && pwd)
dir=$(mktemp -d "$base/conflux-mariadb.XXXXXX")
chmod 700 "$dir"
# A Unix socket path has at most 107 bytes; a deep build folder gets a short one in /tmp.
socket_dir=$dir
if [ ${#dir} -gt 90 ]; then
    socket_dir=$(mktemp -d "${TMPDIR:-/tmp}/conflux-mariadb-sock.XXXXXX")
    chmod 700 "$socket_dir"
fi
socket=$socket_dir/mariadb.sock

cleanup_on_error() {
    echo "mariadb-start: failed; server log:" >&2
    tail -n 40 "$dir/error.log" >&2 2>/dev/null || true
    local pid
    pid=$(cat "$dir/mariadb.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    if [ "$socket_dir" != "$dir" ]; then rm -rf "$socket_dir"; fi
    rm -rf "$dir"
}
trap cleanup_on_error ERR

run_as=()
if [ "$(id -u)" -eq 0 ]; then
    run_as=(--user=root)
fi

"$install_db" --no-defaults "${run_as[@]}" --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; false; }

port_is_taken() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

admin_ping() {
    "$admin" --no-defaults --protocol=socket --socket="$socket" --user=root \
        --connect-timeout=2 ping >/dev/null 2>&1
}

started=
pid=
for _ in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    port_is_taken "$port" && continue
    : >"$dir/error.log"
    # Detached from ctest's process group and output; the pid file says which process it is.
    setsid "$mariadbd_bin" --no-defaults "${run_as[@]}" \
        --datadir="$dir/data" --pid-file="$dir/mariadb.pid" --log-error="$dir/error.log" \
        --socket="$socket" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
        --tmpdir="$dir" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        --default-storage-engine=InnoDB --innodb-buffer-pool-size=64M \
        --innodb-flush-log-at-trx-commit=2 --skip-log-bin --max-connections=100 \
        </dev/null >>"$dir/error.log" 2>&1 &
    launched=$!
    for _ in $(seq 1 600); do
        if admin_ping; then
            started=1
            break
        fi
        kill -0 "$launched" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$started" ] && break
    if kill -0 "$launched" 2>/dev/null; then
        echo "mariadb-start: mariadbd did not answer within 60 s" >&2
        kill -KILL "$launched" 2>/dev/null || true
        false
    fi
    # Lost a race for the port: try another one; anything else is fatal.
    grep -q "Address already in use\|Can't start server: Bind" "$dir/error.log" || false
done
[ -n "$started" ] || { echo "mariadb-start: no free port found" >&2; false; }
for _ in $(seq 1 50); do
    [ -s "$dir/mariadb.pid" ] && break
    sleep 0.1
done
pid=$(cat "$dir/mariadb.pid")

random_password() {
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24
}
password=$(random_password)
admin_password=$(random_password)
# root keeps only root@localhost (the socket), with a password; mariadb-install-db also made
# password-less root accounts for 127.0.0.1, ::1 and the host name. The test user may connect
# over TCP from 127.0.0.1 only and use its own database.
"$client" --no-defaults --protocol=socket --socket="$socket" --user=root --batch <<SQL
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$admin_password';
CREATE DATABASE conflux_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'conflux'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON conflux_test.* TO 'conflux'@'127.0.0.1';
SQL
version=$("$mariadbd_bin" --version | sed -n 's/.*Ver \([0-9.]*\).*/\1/p')

umask 077
cat >"$env_file.tmp" <<ENV
MARIADB_HOST=127.0.0.1
MARIADB_PORT=$port
MARIADB_USER=conflux
MARIADB_PASSWORD=$password
MARIADB_DATABASE=conflux_test
MARIADB_VERSION=$version
CONFLUX_MARIADB_DIR=$dir
CONFLUX_MARIADB_PID=$pid
CONFLUX_MARIADB_SOCKET=$socket
CONFLUX_MARIADB_ADMIN_PASSWORD=$admin_password
ENV
mv "$env_file.tmp" "$env_file"
trap - ERR
echo "mariadb-start: MariaDB $version on 127.0.0.1:$port (pid $pid, data $dir/data)," \
     "database conflux_test, user conflux; facts in $env_file"
