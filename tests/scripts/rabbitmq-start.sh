#!/bin/bash
# Starts a throw-away RabbitMQ node for integration tests (CTest fixture "rabbitmq").
#
#   rabbitmq-start.sh ENV_FILE
#
# Creates a fresh node (its own HOME, Erlang cookie, Mnesia folder, logs and epmd) in a new
# folder next to ENV_FILE, listening on free ports on 127.0.0.1 only, with one
# administrator user that has a random password, and writes ENV_FILE with the connection
# facts as shell assignments:
#   RABBITMQ_HOST RABBITMQ_PORT RABBITMQ_USER RABBITMQ_PASSWORD RABBITMQ_VHOST
#   CONFLUX_RABBITMQ_DIR CONFLUX_RABBITMQ_NODE CONFLUX_RABBITMQ_PID CONFLUX_RABBITMQ_EPMD_PID
#   CONFLUX_RABBITMQ_EPMD_PORT CONFLUX_RABBITMQ_DIST_PORT
# rabbitmq-stop.sh ENV_FILE stops the node and its epmd (by PID) and removes the folder.
#
# The Debian wrapper /usr/sbin/rabbitmq-server switches to the rabbitmq user and writes to
# /var/lib/rabbitmq; this script runs the server script under /usr/lib/rabbitmq directly.
# A missing RabbitMQ installation is an error, never a skip.
set -Eeuo pipefail

env_file=${1:?usage: rabbitmq-start.sh ENV_FILE}
rmq_bin=${CONFLUX_RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
if [ ! -x "$rmq_bin/rabbitmq-server" ] || [ ! -x "$rmq_bin/rabbitmqctl" ]; then
    echo "rabbitmq-start: RabbitMQ server scripts (rabbitmq-server, rabbitmqctl) not found in" \
         "$rmq_bin; install them with: apt-get install rabbitmq-server" >&2
    exit 1
fi
epmd_bin=$(command -v epmd || true)
if [ -z "$epmd_bin" ]; then
    echo "rabbitmq-start: epmd (Erlang's port mapper) not found; install it with:" \
         "apt-get install rabbitmq-server (it depends on erlang-base)" >&2
    exit 1
fi

script_dir=$(cd "$(dirname "$0")" && pwd)
# A node left over by an interrupted run is stopped first.
if [ -f "$env_file" ]; then
    bash "$script_dir/rabbitmq-stop.sh" "$env_file" || true
fi

base=$(dirname "$env_file")
mkdir -p "$base"
dir=$(mktemp -d "$base/conflux-rabbitmq.XXXXXX")
epmd_pid=
cleanup_on_error() {
    echo "rabbitmq-start: failed; node log:" >&2
    tail -n 40 "$dir"/log/*.log >&2 2>/dev/null || true
    tail -n 20 "$dir/server.out" >&2 2>/dev/null || true
    local pid
    pid=$(cat "$dir/rabbitmq.pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    if [ -n "$epmd_pid" ]; then kill -KILL "$epmd_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup_on_error ERR
chmod 700 "$dir"

port_is_taken() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 25000 ))
        port_is_taken "$p" || port_is_taken "$((p + 1))" || { echo "$p"; return 0; }
    done
    echo "rabbitmq-start: no free port found" >&2
    return 1
}

# Its own epmd, started here so that its PID is known (an epmd the node starts by itself
# daemonizes and outlives the node).
for _ in $(seq 1 10); do
    epmd_port=$(free_port)
    "$epmd_bin" -address 127.0.0.1 -port "$epmd_port" >"$dir/epmd.out" 2>&1 &
    epmd_pid=$!
    for _ in $(seq 1 50); do
        port_is_taken "$epmd_port" && break
        kill -0 "$epmd_pid" 2>/dev/null || break
        sleep 0.02
    done
    port_is_taken "$epmd_port" && kill -0 "$epmd_pid" 2>/dev/null && break
    kill -KILL "$epmd_pid" 2>/dev/null || true
    epmd_pid=
done
[ -n "$epmd_pid" ] || { echo "rabbitmq-start: could not start epmd:" >&2; cat "$dir/epmd.out" >&2; false; }

amqp_port=$(free_port)
dist_port=$(free_port)
node="conflux-test-$amqp_port@localhost"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$dir/.erlang.cookie"
chmod 400 "$dir/.erlang.cookie"
: >"$dir/rabbitmq-env.conf"
echo "[]." >"$dir/enabled_plugins"
cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
default_vhost = /
default_user = conflux
default_pass = $password
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
log.file.level = info
CONF

# Everything the server and rabbitmqctl need to find this node and only this node.
node_env=(
    HOME="$dir"
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$dir/mnesia"
    RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    RABBITMQ_NODENAME="$node"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$amqp_port"
    RABBITMQ_DIST_PORT="$dist_port"
    RABBITMQ_CTL_DIST_PORT_MIN="$((dist_port + 1))"
    RABBITMQ_CTL_DIST_PORT_MAX="$((dist_port + 1))"
    ERL_EPMD_PORT="$epmd_port"
    ERL_EPMD_ADDRESS=127.0.0.1
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
)

env "${node_env[@]}" "$rmq_bin/rabbitmq-server" -detached >"$dir/server.out" 2>&1
# The pid file appears once the Erlang VM runs; await_startup then waits for the broker.
for _ in $(seq 1 300); do
    [ -s "$dir/rabbitmq.pid" ] && break
    sleep 0.05
done
[ -s "$dir/rabbitmq.pid" ] || { echo "rabbitmq-start: the node wrote no pid file within 15 s" >&2; false; }
pid=$(cat "$dir/rabbitmq.pid")
if ! env "${node_env[@]}" "$rmq_bin/rabbitmqctl" -n "$node" await_startup --timeout 90 \
    >"$dir/await.out" 2>&1; then
    cat "$dir/await.out" >&2
    false
fi
port_is_taken "$amqp_port" || { echo "rabbitmq-start: nothing listens on 127.0.0.1:$amqp_port" >&2; false; }

cat >"$env_file.tmp" <<ENV
RABBITMQ_HOST=127.0.0.1
RABBITMQ_PORT=$amqp_port
RABBITMQ_USER=conflux
RABBITMQ_PASSWORD=$password
RABBITMQ_VHOST=/
CONFLUX_RABBITMQ_DIR=$dir
CONFLUX_RABBITMQ_NODE=$node
CONFLUX_RABBITMQ_PID=$pid
CONFLUX_RABBITMQ_EPMD_PID=$epmd_pid
CONFLUX_RABBITMQ_EPMD_PORT=$epmd_port
CONFLUX_RABBITMQ_DIST_PORT=$dist_port
ENV
chmod 600 "$env_file.tmp"
mv "$env_file.tmp" "$env_file"
trap - ERR
version=$(sed -n 's/.*rabbitmq_server-\([0-9.]*\).*/\1/p' <<<"$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-* 2>/dev/null)" | head -n 1)
echo "rabbitmq-start: RabbitMQ ${version:-?} node $node on 127.0.0.1:$amqp_port" \
     "(pid $pid, epmd pid $epmd_pid on port $epmd_port, folder $dir); facts in $env_file"
