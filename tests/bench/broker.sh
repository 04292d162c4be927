#!/bin/bash
# The broker benchmark: Conflux's embedded broker against redis-server (streams, AOF with
# appendfsync everysec) and against raw SQLite (the physical limit of its design), with
# 200-byte payloads, on the same machine in one run.
#   bash tests/bench/broker.sh BENCH_BROKER_BINARY [MESSAGES] [ROUNDS]
# Prints each round, then the medians in messages/s and the ratios, and Conflux's peak
# memory. Installs redis-server and redis-tools (apt-get, as root) when missing; starts its
# own redis-server on a free port of 127.0.0.1 in a temporary folder and stops it by PID.
#
# What each figure is:
#   conflux publish   publishAsync to one at-least-once queue with a window of unconfirmed
#                     messages (as redis-benchmark pipelines), counted on confirm: after the
#                     commit (WAL, synchronous=FULL) reached the disk
#   conflux batch     publishBatch, $batch messages per call (one commit each)
#   conflux pubsub    a producer publishing as above while a consumer receives up to
#                     $max_messages messages per call and acks them with ackAsync (pipelined:
#                     it receives on while up to 4 acks commit; an ack counts when its
#                     callback reports it committed); every message checked to arrive
#                     exactly once; messages/s from first publish to last committed ack
#   redis XADD        redis-benchmark -P 64 XADD (acknowledged before fsync: everysec)
#   redis consume     XREADGROUP COUNT $max_messages + XACK of those ids in one Lua call per
#                     batch (redis-benchmark cannot chain a read and an ack; the script
#                     returns the entries, so the payloads still travel to the client), on
#                     the stream the XADD run filled
#   sqlite insert     prepared inserts, $batch per transaction, WAL, synchronous=FULL
#   sqlite consume    select $batch in delivery order, delete them in one transaction
# Pairs of "then" figures are sequential equivalents, 1/(1/publish + 1/consume): both sides
# need the single writer (SQLite) or the single thread (redis) for both halves.
set -euo pipefail
binary=${1:?usage: broker.sh BENCH_BROKER_BINARY [MESSAGES] [ROUNDS]}
messages=${2:-200000}
rounds=${3:-3}
batch=${CONFLUX_BENCH_BATCH:-1000}
window=${CONFLUX_BENCH_WINDOW:-10000}
max_messages=${CONFLUX_BENCH_MAX_MESSAGES:-500}
consumers=${CONFLUX_BENCH_CONSUMERS:-1}
work=${CONFLUX_BENCH_DIR:-/tmp/conflux-bench}
mkdir -p "$work"

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "broker.sh: redis-server and redis-benchmark are required (as root: apt-get install redis-server redis-tools)" >&2
        exit 1
    fi
    echo "installing redis-server and redis-tools" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends redis-server redis-tools >&2 \
        || { apt-get update >&2 && apt-get install -y --no-install-recommends redis-server redis-tools >&2; }
fi
redis_version=$(redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 20000))
while port_in_use "$port"; do port=$((port + 1)); done

redis_dir=$(mktemp -d "$work/redis-XXXXXX")
stop_redis() {
    if [ -f "$redis_dir/redis.pid" ]; then
        local pid
        pid=$(cat "$redis_dir/redis.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$redis_dir"
}
trap stop_redis EXIT
redis-server --port "$port" --bind 127.0.0.1 --dir "$redis_dir" --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --save '' --appendonly yes --appendfsync everysec \
    --logfile "$redis_dir/redis.log"
for _ in $(seq 100); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
done
redis-cli -p "$port" ping | grep -q PONG || { echo "redis-server did not start:" >&2; cat "$redis_dir/redis.log" >&2; exit 1; }

payload=$(printf 'x%.0s' $(seq 200))
# One batch: read up to ARGV[1] new entries for group g, ack them, return them.
consume_script="local r = redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', ARGV[1], 'STREAMS', KEYS[1], '>')
if not r then return {} end
local ids = {}
for i, e in ipairs(r[1][2]) do ids[i] = e[1] end
if #ids > 0 then redis.call('XACK', KEYS[1], 'g', unpack(ids)) end
return r[1][2]"

# The requests/s figure from redis-benchmark --csv: the second field of its data line.
rps() { awk -F'","' 'NR > 1 && NF >= 2 { gsub(/"/, "", $2); printf "%.0f\n", $2; exit }'; }
field() { sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"; }
redis_info() { redis-cli -p "$port" XINFO GROUPS "$1" | awk -v k="$2" 'prev == k { print; exit } { prev = $0 }'; }

run_redis() {
    local stream="bench:$1" out xadd length consume_requests consume pending read
    out=$(redis-benchmark -p "$port" -P 64 -c 4 -n "$messages" --csv XADD "$stream" '*' payload "$payload")
    xadd=$(rps <<<"$out")
    # With pipelining, redis-benchmark may send a few more than -n requests.
    length=$(redis-cli -p "$port" XLEN "$stream")
    if [ -z "$xadd" ] || [ "$length" -lt "$messages" ]; then
        echo "redis: XADD gave '${xadd}' requests/s and a stream of $length entries, not $messages" >&2
        echo "$out" >&2
        exit 1
    fi
    redis-cli -p "$port" XGROUP CREATE "$stream" g 0 >/dev/null
    consume_requests=$(( (length + max_messages - 1) / max_messages ))
    out=$(redis-benchmark -p "$port" -P 16 -c 1 -n "$consume_requests" --csv \
              EVAL "$consume_script" 1 "$stream" "$max_messages")
    consume=$(awk -v r="$(rps <<<"$out")" -v n="$length" -v q="$consume_requests" 'BEGIN { printf "%.0f", r * n / q }')
    read=$(redis_info "$stream" entries-read); pending=$(redis_info "$stream" pending)
    if [ "$read" != "$length" ] || [ "$pending" != 0 ]; then
        echo "redis: group read $read of $length entries, $pending still pending" >&2
        exit 1
    fi
    redis-cli -p "$port" DEL "$stream" >/dev/null
    echo "$xadd $consume"
}

run_conflux() {
    "$binary" "$1" "$messages" --dir "$work" --batch "$batch" --window "$window" \
        --consumers "$consumers" --max-messages "$max_messages"
}

declare -A values
add() { values[$1]="${values[$1]:-} $2"; }
load_before=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
    r=$(run_redis "$round")   # not `read < <(...)`: its failure would go unnoticed
    read -r xadd rconsume <<<"$r"
    s=$(run_conflux sqlite)
    p=$(run_conflux publish)
    b=$(run_conflux batch)
    e=$(run_conflux pubsub)
    add redis_xadd "$xadd"; add redis_consume "$rconsume"
    add sqlite_insert "$(field "$s" insertPerSecond)"; add sqlite_consume "$(field "$s" consumePerSecond)"
    add sqlite_insert_cpu "$(field "$s" insertCpuMicrosPerMessage)"
    add sqlite_consume_cpu "$(field "$s" consumeCpuMicrosPerMessage)"
    for part in publish batch pubsub; do
        case $part in publish) j=$p ;; batch) j=$b ;; pubsub) j=$e ;; esac
        add "$part" "$(field "$j" perSecond)"
        add "${part}_cpu" "$(field "$j" cpuMicrosPerMessage)"
        add "${part}_rss" "$(field "$j" peakRssBytes)"
    done
    echo "round $round: conflux publish $(field "$p" perSecond), batch $(field "$b" perSecond)," \
         "pubsub $(field "$e" perSecond); redis XADD $xadd, consume $rconsume;" \
         "sqlite insert $(field "$s" insertPerSecond), consume $(field "$s" consumePerSecond) (messages/s)"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
m() { median "${values[$1]}"; }
seq_rate() { calc "sprintf(\"%.0f\", 1 / (1 / $1 + 1 / $2))"; }
ratio() { calc "sprintf(\"%.2f\", $1 / $2)"; }
mib() { calc "sprintf(\"%.0f\", $1 / 1048576)"; }
target() { calc "($1 >= 100000) ? \"met\" : \"NOT met\""; }
line() { printf '  %-58s %9s%s\n' "$1" "$2" "${3:+  ($3)}"; }
conflux_extra() { echo "$(m "$1_cpu") us CPU/message, peak memory $(mib "$(m "$1_rss")") MiB"; }

publish=$(m publish); batch_rate=$(m batch); pubsub=$(m pubsub)
xadd=$(m redis_xadd); rconsume=$(m redis_consume)
sins=$(m sqlite_insert); scons=$(m sqlite_consume)
redis_then=$(seq_rate "$xadd" "$rconsume"); sqlite_then=$(seq_rate "$sins" "$scons")

printf 'broker benchmark: %s messages of 200 bytes, %s rounds, medians in messages/s (load average %s before, %s after)\n' \
    "$messages" "$rounds" "$load_before" "$load_after"
printf 'durable publish\n'
line "conflux publishAsync, window $window, on confirm" "$publish" "$(conflux_extra publish)"
line "conflux publishBatch, $batch per call" "$batch_rate" "$(conflux_extra batch)"
line "redis $redis_version XADD, -P 64, appendfsync everysec" "$xadd"
line "raw SQLite insert, $batch per transaction, synchronous=FULL" "$sins" "$(m sqlite_insert_cpu) us CPU/message"
printf 'publish + receive + ack\n'
line "conflux pubsub, $consumers consumer(s), receive $max_messages, ackAsync" "$pubsub" "$(conflux_extra pubsub)"
line "redis XREADGROUP COUNT $max_messages + XACK (Lua)" "$rconsume"
line "redis XADD then consume (sequential equivalent)" "$redis_then"
line "raw SQLite select + delete, $batch per transaction" "$scons" "$(m sqlite_consume_cpu) us CPU/message"
line "raw SQLite insert then consume (sequential equivalent)" "$sqlite_then"
printf 'ratios\n'
printf '  conflux publish / redis XADD           %6sx\n' "$(ratio "$publish" "$xadd")"
printf '  conflux publish / raw SQLite insert    %6sx\n' "$(ratio "$publish" "$sins")"
printf '  conflux batch   / raw SQLite insert    %6sx\n' "$(ratio "$batch_rate" "$sins")"
printf '  conflux pubsub  / redis then-consume   %6sx\n' "$(ratio "$pubsub" "$redis_then")"
printf '  conflux pubsub  / raw SQLite then      %6sx\n' "$(ratio "$pubsub" "$sqlite_then")"
printf 'target (at least 100,000 messages/s): publish %s, publish+receive+ack %s\n' \
    "$(target "$publish")" "$(target "$pubsub")"
