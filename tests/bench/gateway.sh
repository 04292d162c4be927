#!/bin/bash
# The API gateway benchmark: the Conflux gateway against nginx as a reverse proxy, both in
# front of the same upstream, on the same machine in one run.
#   bash tests/bench/gateway.sh CONFLUX_BINARY [DURATION_SECONDS] [ROUNDS]
# Prints each run, then a table of medians, the ratios Conflux / nginx proxy and the targets,
# Conflux's peak memory and the load average before and after. Installs wrk and nginx-light
# (apt-get, as root) when missing. Everything runs on free ports of 127.0.0.1 from its own
# temporary folder and is stopped by PID when the script exits.
#
# The servers (three processes; wrk is a fourth, so on a small machine they share the cores
# and the figures to compare are the ratios, not the absolute rates):
#   upstream        nginx, worker_processes auto, answering every GET with the fixed body
#                   {"status":"ok","service":"bench"} (application/json) from `return 200`
#   nginx proxy     a second nginx process (not a second server block in the upstream's, so
#                   that the proxy's workers do not also serve the upstream's requests, as
#                   Conflux's do not): proxy_pass to an upstream block with keepalive 64,
#                   proxy_http_version 1.1 and an empty Connection header (keep-alive to the
#                   upstream); no authentication
#   conflux         `conflux run` on a one-route project: GET /bench to the upstream, with
#                   API-key authentication (X-Api-Key, a key made by `conflux apikey create`)
#                   and a rate limit per key of 100,000,000 requests a second (enabled, never
#                   reached)
# Both nginx servers keep connections open for up to 100,000 requests, the proxy's to the
# upstream too (nginx's default of 1,000 would make wrk and the proxy reconnect during a
# run; Conflux's upstream connections have no such limit). No access logs: nginx's are off
# and so is Conflux's (the project's "gateway": {"access_log": false}); with
# CONFLUX_BENCH_ACCESS_LOG=1 the nginx proxy and Conflux both write one (to files in the
# temporary folder), to see what it costs.
#
# What each figure is (for each of the three targets and each number of connections):
#   requests/s      wrk --latency -t2 -cN for DURATION seconds on GET /bench, after a warm-up
#                   run of $warmup seconds at the same N that is not counted; the median of
#                   the rounds
#   p50, p99        wrk's latency percentiles of that run, in ms (medians of the rounds);
#                   only completed requests have a latency: wrk gives up on a request after
#                   its timeout ($timeout) and counts it under "timeout"
#   errors          over all rounds: responses with a status of 400 or more (wrk's "Non-2xx
#                   or 3xx responses") plus socket errors (connect, read, write, timeout)
# The ratios are Conflux's figure divided by the nginx proxy's at the same N. The targets:
# p99 below 100 ms at 1,000 connections, and requests/s at least 0.7 of the nginx proxy's.
# A missed target is reported, not failed; the script fails when a server does not start or
# answer as expected, or when every request of a wrk run failed.
set -euo pipefail
binary=${1:?usage: gateway.sh CONFLUX_BINARY [DURATION_SECONDS] [ROUNDS]}
duration=${2:-10}
rounds=${3:-3}
warmup=${CONFLUX_BENCH_WARMUP:-2}
timeout=${CONFLUX_BENCH_TIMEOUT:-5s}
connection_counts=(100 1000)
targets=(direct nginx conflux)
access_log=${CONFLUX_BENCH_ACCESS_LOG:-0}
work=${CONFLUX_BENCH_DIR:-/tmp/conflux-bench}
mkdir -p "$work"
body='{"status":"ok","service":"bench"}'

[ -x "$binary" ] || { echo "gateway.sh: $binary is not an executable" >&2; exit 1; }
PATH=$PATH:/usr/sbin:/sbin
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "gateway.sh: wrk, nginx and curl are required (as root: apt-get install wrk nginx-light curl)" >&2
        exit 1
    fi
    echo "installing wrk, nginx-light (or nginx) and curl" >&2
    export DEBIAN_FRONTEND=noninteractive
    install() { apt-get install -y --no-install-recommends wrk "$1" curl >&2; }
    install nginx-light || install nginx \
        || { apt-get update >&2 && { install nginx-light || install nginx; }; }
fi
nginx_version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')

# 1,000 connections through a proxy take 2,000 descriptors in it and 1,000 in wrk.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
    echo "gateway.sh: only $(ulimit -n) open files allowed (ulimit -n); 1,000 connections need about 4,096" >&2
    exit 1
fi

dir=$(mktemp -d "$work/gateway-XXXXXX")
pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Listening ports come from outside the ephemeral range: wrk leaves thousands of its client
# ports in TIME_WAIT, and a listener cannot bind to one of those.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
read -r ephemeral_low ephemeral_high </proc/sys/net/ipv4/ip_local_port_range \
    || { ephemeral_low=32768; ephemeral_high=60999; }
if [ "$ephemeral_low" -gt 12000 ]; then
    port_low=10000; port_span=$((ephemeral_low - 10000))
else
    port_low=$((ephemeral_high + 1)); port_span=$((65536 - port_low))
fi
taken=" "   # the ports chosen so far (free_port runs in a subshell: the caller records them)
free_port() {
    local port=$((port_low + RANDOM % port_span))
    while port_in_use "$port" || [[ $taken == *" $port "* ]]; do
        port=$((port_low + (port - port_low + 1) % port_span))
    done
    echo "$port"
}
upstream_port=$(free_port); taken+="$upstream_port "
proxy_port=$(free_port); taken+="$proxy_port "
conflux_port=$(free_port); taken+="$conflux_port "
admin_port=$(free_port); taken+="$admin_port "

# Prints the status code of GET URL with the extra curl arguments, the body to FILE.
status() { curl -s -o "$1" -w '%{http_code}' --max-time 2 "${@:2}" || true; }
# Waits until GET URL answers 200 with the upstream's body while PID lives; fails with LOG.
wait_ready() {
    local name=$1 pid=$2 log=$3 url=$4 code=
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || break
        code=$(status "$dir/probe" "${@:5}" "$url")
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    if [ "$code" != 200 ]; then
        echo "gateway.sh: $name did not answer 200 on $url (last status '${code}'); its log:" >&2
        cat "$log" >&2 || true
        exit 1
    fi
    if [ "$(cat "$dir/probe")" != "$body" ]; then
        echo "gateway.sh: $name answered $url with '$(cat "$dir/probe")', not '$body'" >&2
        exit 1
    fi
}

# nginx: the temporary paths it creates at start (absolute in Debian's build) go into $dir,
# for the modules this build has.
nginx_temp_paths() {
    local flags module
    flags=$(nginx -V 2>&1)
    echo "client_body_temp_path $dir/$1-body;"
    for module in proxy fastcgi uwsgi scgi; do
        [[ $flags == *"--without-http_${module}_module"* ]] || echo "${module}_temp_path $dir/$1-$module;"
    done
}
start_nginx() {
    local name=$1 server=$2 log="access_log off;"
    [ "$name" = upstream ] || [ "$access_log" = 0 ] || log="access_log $dir/$name-access.log;"
    cat >"$dir/$name.conf" <<EOF
worker_processes auto;
daemon off;
pid $dir/$name.pid;
error_log $dir/$name-error.log warn;
events { worker_connections 4096; }
http {
    $log
    keepalive_requests 100000;
    $(nginx_temp_paths "$name")
$server
}
EOF
    nginx -p "$dir" -e "$dir/$name-error.log" -c "$dir/$name.conf" >>"$dir/$name-error.log" 2>&1 &
    pids+=($!)
}

start_nginx upstream "    server {
        listen 127.0.0.1:$upstream_port backlog=4096;
        location / {
            default_type application/json;
            return 200 '$body';
        }
    }"
wait_ready "the upstream nginx" "${pids[-1]}" "$dir/upstream-error.log" "http://127.0.0.1:$upstream_port/bench"

start_nginx proxy "    upstream bench_upstream {
        server 127.0.0.1:$upstream_port;
        keepalive 64;
        keepalive_requests 100000;
    }
    server {
        listen 127.0.0.1:$proxy_port backlog=4096;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
wait_ready "the nginx proxy" "${pids[-1]}" "$dir/proxy-error.log" "http://127.0.0.1:$proxy_port/bench"

project="$dir/project"; data="$dir/data"
mkdir -p "$project/routes" "$data"
cat >"$project/project.json" <<EOF
{"kind":"Project","schemaVersion":1,"id":"bench","name":"Bench",
 "gateway":{"access_log":$([ "$access_log" = 0 ] && echo false || echo true)}}
EOF
cat >"$project/routes/bench.json" <<EOF
{"kind":"Route","schemaVersion":1,"id":"bench","name":"Bench",
 "path":"/bench","method":"GET","upstream_url":"http://127.0.0.1:$upstream_port/bench",
 "authentication":{"type":"api_key","header":"X-Api-Key"},
 "rate_limit":{"requests":100000000,"window_seconds":1,"key":"api_key"}}
EOF
if ! created=$("$binary" apikey create --data "$data" --name bench 2>"$dir/apikey.log"); then
    echo "gateway.sh: conflux apikey create failed:" >&2
    cat "$dir/apikey.log" >&2
    exit 1
fi
key=${created%%$'\n'*}
[ -n "$key" ] || { echo "gateway.sh: conflux apikey create printed no key" >&2; exit 1; }
"$binary" run "$project" --data "$data" --listen "127.0.0.1:$conflux_port" \
    --admin-listen "127.0.0.1:$admin_port" >"$dir/conflux.log" 2>&1 &
conflux_pid=$!
pids+=("$conflux_pid")
wait_ready conflux "$conflux_pid" "$dir/conflux.log" "http://127.0.0.1:$conflux_port/bench" -H "X-Api-Key: $key"
# Without the key the route must refuse: otherwise this run would not measure authentication.
code=$(status /dev/null "http://127.0.0.1:$conflux_port/bench")
if [ "$code" = 200 ]; then
    echo "gateway.sh: conflux answered 200 without an API key: authentication is not enabled" >&2
    exit 1
fi
conflux_version=$("$binary" --version | awk '{ print $NF }')

url() {
    case $1 in
        direct) echo "http://127.0.0.1:$upstream_port/bench" ;;
        nginx) echo "http://127.0.0.1:$proxy_port/bench" ;;
        conflux) echo "http://127.0.0.1:$conflux_port/bench" ;;
    esac
}

# From wrk's output: requests/s, p50 ms, p99 ms, requests, error responses, socket errors.
parse_wrk() {
    awk '
        function ms(v,  n) {
            n = v + 0
            if (v ~ /us$/) return n / 1000
            if (v ~ /ms$/) return n
            if (v ~ /s$/) return n * 1000
            if (v ~ /m$/) return n * 60000
            if (v ~ /h$/) return n * 3600000
            return n
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        $2 == "requests" && $3 == "in" { requests = $1 }
        /^ *Socket errors:/ { gsub(/,/, ""); socket = $4 + $6 + $8 + $10 }
        /^ *Non-2xx or 3xx responses:/ { responses = $NF }
        $1 == "Requests/sec:" { rps = $2 }
        END { printf "%s %.3f %.3f %d %d %d\n", rps == "" ? "-" : rps, p50, p99, requests, responses, socket }'
}

run_wrk() {
    local target=$1 connections=$2 seconds=$3 extra=()
    [ "$target" != conflux ] || extra=(-H "X-Api-Key: $key")
    wrk --latency -t2 -c"$connections" -d"${seconds}s" --timeout "$timeout" "${extra[@]}" "$(url "$target")"
}

declare -A rps p50 p99 errors
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
    for connections in "${connection_counts[@]}"; do
        for target in "${targets[@]}"; do
            run_wrk "$target" "$connections" "$warmup" >/dev/null || true
            if ! out=$(run_wrk "$target" "$connections" "$duration" 2>&1); then
                echo "gateway.sh: wrk failed on $target at $connections connections:" >&2
                echo "$out" >&2
                exit 1
            fi
            read -r r a b requests responses socket <<<"$(parse_wrk <<<"$out")"
            if [ "$r" = - ] || [ "$requests" = 0 ] || [ "$responses" -ge "$requests" ]; then
                echo "gateway.sh: every request to $target at $connections connections failed:" >&2
                echo "$out" >&2
                extra=(); [ "$target" != conflux ] || extra=(-H "X-Api-Key: $key")
                echo "one more request now: status $(status "$dir/probe" "${extra[@]}" "$(url "$target")"), body: $(head -c 500 "$dir/probe")" >&2
                [ "$target" != conflux ] || tail -n 50 "$dir/conflux.log" >&2
                exit 1
            fi
            k="$target/$connections"
            rps[$k]+=" $r"; p50[$k]+=" $a"; p99[$k]+=" $b"
            errors[$k]=$(( ${errors[$k]:-0} + responses + socket ))
            printf 'round %s: %-7s %4s connections  %10.0f requests/s  p50 %8.2f ms  p99 %8.2f ms  %s error responses, %s socket errors\n' \
                "$round" "$target" "$connections" "$r" "$a" "$b" "$responses" "$socket"
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
peak_rss_kib=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$conflux_pid/status" 2>/dev/null || true)

median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
ratio() { calc "sprintf(\"%.2f\", $1 / $2)"; }
verdict() { calc "($1) ? \"PASS\" : \"MISS\""; }
label() {
    case $1 in
        direct) echo "direct to the upstream" ;;
        nginx) echo "nginx $nginx_version proxy" ;;
        conflux) echo "conflux $conflux_version" ;;
    esac
}

printf 'gateway benchmark: %s s per run after a %s s warm-up, %s rounds, wrk -t2, medians (load average %s before, %s after)\n' \
    "$duration" "$warmup" "$rounds" "$load_before" "$load_after"
printf '  %-26s %11s %12s %10s %10s %8s\n' target connections requests/s "p50 ms" "p99 ms" errors
for connections in "${connection_counts[@]}"; do
    for target in "${targets[@]}"; do
        k="$target/$connections"
        printf '  %-26s %11s %12.0f %10.2f %10.2f %8s\n' "$(label "$target")" "$connections" \
            "$(median "${rps[$k]}")" "$(median "${p50[$k]}")" "$(median "${p99[$k]}")" "${errors[$k]}"
    done
done
printf 'ratios conflux / nginx proxy\n'
for connections in "${connection_counts[@]}"; do
    printf '  %4s connections: requests/s %6sx, p99 %6sx\n' "$connections" \
        "$(ratio "$(median "${rps[conflux/$connections]}")" "$(median "${rps[nginx/$connections]}")")" \
        "$(ratio "$(median "${p99[conflux/$connections]}")" "$(median "${p99[nginx/$connections]}")")"
done
printf 'targets\n'
p99_1000=$(median "${p99[conflux/1000]}")
printf '  p99 below 100 ms at 1000 connections:         %8.2f ms  %s\n' "$p99_1000" "$(verdict "$p99_1000 < 100")"
for connections in "${connection_counts[@]}"; do
    c=$(median "${rps[conflux/$connections]}"); n=$(median "${rps[nginx/$connections]}")
    printf '  requests/s at least 0.7x nginx at %4s conns: %8sx     %s\n' "$connections" \
        "$(ratio "$c" "$n")" "$(verdict "$c >= 0.7 * $n")"
done
if [ -n "$peak_rss_kib" ]; then
    printf 'conflux peak memory (VmHWM): %s MiB\n' "$(calc "sprintf(\"%.1f\", $peak_rss_kib / 1024)")"
else
    echo "conflux peak memory: unknown, the process had ended (see the runs above)"
fi
