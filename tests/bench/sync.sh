#!/bin/bash
# The sync benchmark: a SQLite table synced into a real PostgreSQL server by Conflux's sync
# engine (full load, then an incremental sync of 1% changed rows), and the same SQLite file
# loaded by pgloader (Debian's package) as the anchor, on the same machine in one run.
#   bash tests/bench/sync.sh BENCH_SYNC_BINARY [ROWS] [ROUNDS]
# Defaults: 1,000,000 rows, 3 rounds. Prints each round, then the medians, the ratio and the
# targets. Installs pgloader (apt-get, as root) when missing; starts its own PostgreSQL with
# tests/scripts/postgres-start.sh in a temporary folder and stops it on exit.
#
# The data: `bench_sync generate` writes the table customers (integer primary key, name,
# e-mail, country (5% NULL), orders, a numeric balance, a boolean, an ISO 8601 updated_at with
# an index) with deterministic content. The target table is created before each load with the
# same columns in PostgreSQL types, its primary key and the index on updated_at (bench_sync
# target-schema), for Conflux and for pgloader alike: both load into a table that has its
# primary key and index in place (pgloader runs with "data only", so it neither drops nor
# rebuilds them).
#
# What each figure is (wall clock of the whole process, start to exit, for both sides):
#   conflux full        SyncRunner::run() of a job with cursor_field updated_at, key id, upsert,
#                       batch_size $batch, into the empty table: reads the SQLite table in
#                       cursor order, writes each batch in one transaction, checkpoints;
#                       rows/s = rows / seconds
#   pgloader            pgloader loading the same file into a fresh database (its defaults:
#                       COPY, 4 workers); rows/s = rows / seconds
#   conflux incremental after `bench_sync touch` changed 1% of the rows (a later updated_at),
#                       the next run of the same job: reads the changed rows after the
#                       checkpoint and upserts them; seconds
#   conflux mapped      the same full load and incremental sync through a mapping of renames
#                       and functions (uppercase, lowercase, a default by condition, $round,
#                       a condition) into customers_mapped, reported separately
#   where the time went the full load's split, from timers around the connector calls:
#                       source (waiting for the SQLite read, which runs ahead on a thread of
#                       its own), target (inside the PostgreSQL writes), runner (the rest:
#                       mapping, batching, checkpoints)
#   peak memory         of the Conflux process of the full load: the largest anonymous RSS
#                       (heap, stacks; sampled), and VmHWM, which also counts the pages of
#                       the SQLite file that the read maps
# After each load and each incremental sync, `bench_sync verify` compares the target with the
# SQLite file (row count, sums over every column, timestamp range); a difference fails the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scripts=$(cd "$here/../scripts" && pwd)
binary=${1:?usage: sync.sh BENCH_SYNC_BINARY [ROWS] [ROUNDS]}
rows=${2:-1000000}
rounds=${3:-3}
batch=${CONFLUX_BENCH_BATCH:-5000}
percent=1
work=${CONFLUX_BENCH_DIR:-/tmp/conflux-bench}
mkdir -p "$work"

if ! command -v pgloader >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "sync.sh: pgloader is required (as root: apt-get install pgloader)" >&2
        exit 1
    fi
    echo "installing pgloader" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends pgloader >&2 \
        || { apt-get update >&2 && apt-get install -y --no-install-recommends pgloader >&2; }
fi
pgloader_version=$(pgloader --version | sed -n '1s/.*version "\([^"]*\)".*/\1/p')

dir=$(mktemp -d "$work/sync-XXXXXX")
env_file="$dir/pg.env"
cleanup() {
    bash "$scripts/postgres-stop.sh" "$env_file" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$scripts/postgres-start.sh" "$env_file" >&2
value() { sed -n "s/^$1=//p" "$env_file" | head -n 1; }
port=$(value PGPORT)
pg_bin=$(value CONFLUX_PG_BIN)
pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')
psql=("$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
url() { echo "postgresql://postgres@127.0.0.1:$port/$1"; }
fresh_database() { # dropped again after use
    "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$1"
    "$binary" target-schema | "${psql[@]}" -d "$1"
}

now() { date +%s%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
field() { sed -n "s/.*\"$2\":\"\{0,1\}\([-0-9.a-zA-Z]*\).*/\1/p" <<<"$1"; }
expect() { # JSON, field, value, what
    if [ "$(field "$1" "$2")" != "$3" ]; then
        echo "sync.sh: $4: $2 is $(field "$1" "$2"), not $3: $1" >&2
        exit 1
    fi
}

source_db="$dir/source.db"
start=$(now)
"$binary" generate "$source_db" "$rows" >/dev/null
echo "generated $rows rows in $(elapsed "$start" "$(now)") s ($(du -m "$source_db" | cut -f1) MB)" >&2

# One Conflux job (plain or --mapped): full load, touch, incremental; echoes the full load's
# seconds and JSON, the incremental sync's seconds and JSON, and the rows touched, a line each.
run_conflux() {
    local round=$1 mode=$2 table db copy state out start full inc full_json touched
    db="conflux_${mode}_$round"
    copy="$dir/$mode-$round.db"
    state="$dir/state-$mode-$round.db"
    table=customers
    local extra=()
    if [ "$mode" = mapped ]; then table=customers_mapped; extra=(--mapped); fi
    fresh_database "$db"
    cp "$source_db" "$copy"
    start=$(now)
    full_json=$("$binary" sync "$copy" "$(url "$db")" "$state" --batch "$batch" "${extra[@]}" \
                    2>"$dir/$mode-$round.log") || { cat "$dir/$mode-$round.log" >&2; exit 1; }
    full=$(elapsed "$start" "$(now)")
    expect "$full_json" read "$rows" "conflux $mode full load"
    expect "$full_json" written "$rows" "conflux $mode full load"
    "$binary" verify "$copy" "$(url "$db")" "$table" >/dev/null
    out=$("$binary" touch "$copy" "$percent")
    touched=$(field "$out" touched)
    start=$(now)
    out=$("$binary" sync "$copy" "$(url "$db")" "$state" --batch "$batch" "${extra[@]}" \
              2>>"$dir/$mode-$round.log") || { cat "$dir/$mode-$round.log" >&2; exit 1; }
    inc=$(elapsed "$start" "$(now)")
    expect "$out" read "$touched" "conflux $mode incremental sync"
    expect "$out" written "$touched" "conflux $mode incremental sync"
    "$binary" verify "$copy" "$(url "$db")" "$table" >/dev/null
    "$pg_bin/dropdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    rm -f "$copy" "$state"*
    printf '%s\n%s\n%s\n%s\n%s\n' "$full" "$full_json" "$inc" "$out" "$touched"
}

run_pgloader() {
    local round=$1 db="pgloader_$round" start seconds
    fresh_database "$db"
    cat >"$dir/load-$round.load" <<LOAD
LOAD DATABASE
    FROM sqlite://$source_db
    INTO $(url "$db")
    WITH data only, no truncate, reset no sequences
    INCLUDING ONLY TABLE NAMES LIKE 'customers';
LOAD
    start=$(now)
    if ! pgloader --no-ssl-cert-verification --root-dir "$dir/pgloader" \
        --logfile "$dir/pgloader-$round.log" "$dir/load-$round.load" >"$dir/pgloader-$round.out" 2>&1; then
        echo "sync.sh: pgloader failed:" >&2
        cat "$dir/pgloader-$round.out" >&2
        exit 1
    fi
    seconds=$(elapsed "$start" "$(now)")
    "$binary" verify "$source_db" "$(url "$db")" customers >/dev/null \
        || { cat "$dir/pgloader-$round.out" >&2; exit 1; }
    "$pg_bin/dropdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    echo "$seconds"
}

declare -A values
add() { values[$1]="${values[$1]:-} $2"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
fixed() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
load_before=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
    # Into files rather than $(...) or <(...): a failure inside must stop the script (set -e).
    run_conflux "$round" plain >"$dir/plain.out"
    run_conflux "$round" mapped >"$dir/mapped.out"
    mapfile -t c <"$dir/plain.out"
    mapfile -t m <"$dir/mapped.out"
    touched_rows=${c[4]}
    run_pgloader "$round" >"$dir/pgloader.out"
    p=$(cat "$dir/pgloader.out")
    add full "$(rate "$rows" "${c[0]}")"; add full_seconds "${c[0]}"
    add run_rate "$(field "${c[1]}" recordsPerSecond)"
    add source "$(field "${c[1]}" sourceSeconds)"; add target "$(field "${c[1]}" targetSeconds)"
    add runner "$(field "${c[1]}" runnerSeconds)"; add rss "$(field "${c[1]}" peakRssBytes)"
    add anon "$(field "${c[1]}" peakAnonymousBytes)"
    add incremental "${c[2]}"
    add mapped "$(rate "$rows" "${m[0]}")"; add mapped_incremental "${m[2]}"
    add mapped_rss "$(field "${m[1]}" peakRssBytes)"; add mapped_anon "$(field "${m[1]}" peakAnonymousBytes)"
    add pgloader "$(rate "$rows" "$p")"; add pgloader_seconds "$p"
    echo "round $round: conflux full ${c[0]} s ($(rate "$rows" "${c[0]}") rows/s; source" \
         "$(fixed "$(field "${c[1]}" sourceSeconds)") s, target $(fixed "$(field "${c[1]}" targetSeconds)") s," \
         "runner $(fixed "$(field "${c[1]}" runnerSeconds)") s), incremental ${c[2]} s; mapped full ${m[0]} s" \
         "($(rate "$rows" "${m[0]}") rows/s), incremental ${m[2]} s; pgloader $p s ($(rate "$rows" "$p") rows/s)"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
m() { median "${values[$1]}"; }
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
mib() { calc "sprintf(\"%.0f\", $1 / 1048576)"; }
full=$(m full); pgl=$(m pgloader); inc=$(m incremental)
printf 'sync benchmark: %s rows, %s changed (%s%%), batch_size %s, %s rounds, medians; PostgreSQL %s, pgloader %s (load average %s before, %s after)\n' \
    "$rows" "$touched_rows" "$percent" "$batch" "$rounds" "$pg_version" "$pgloader_version" "$load_before" "$load_after"
line() { printf '  %-50s %12s%s\n' "$1" "$2" "${3:+  ($3)}"; }
line "conflux full load (rows/s)" "$full" \
     "$(m full_seconds) s; in the run $(m run_rate) rows/s: source $(fixed "$(m source)") s, target $(fixed "$(m target)") s, runner $(fixed "$(m runner)") s; peak memory $(mib "$(m anon)") MiB, $(mib "$(m rss)") MiB with the mapped source file"
line "pgloader (rows/s)" "$pgl" "$(m pgloader_seconds) s"
line "ratio conflux / pgloader" "$(calc "sprintf(\"%.2fx\", $full / $pgl)")"
line "conflux incremental, $touched_rows rows (s)" "$inc"
line "conflux full load with mapping (rows/s)" "$(m mapped)" \
     "peak memory $(mib "$(m mapped_anon)") MiB, $(mib "$(m mapped_rss)") MiB with the mapped source file"
line "conflux incremental with mapping, $touched_rows rows (s)" "$(m mapped_incremental)"
printf 'targets: full load at least as fast as pgloader: %s; incremental of %s rows under 2 s: %s\n' \
    "$(calc "($full >= $pgl) ? \"met\" : \"NOT met\"")" "$touched_rows" \
    "$(calc "($inc < 2) ? \"met\" : \"NOT met\"")"
