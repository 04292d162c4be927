#!/bin/bash
# The mapping benchmark: Conflux against the reference JSONata implementation (the jsonata
# npm package on Node), same input, same expression, same machine, in one run.
#   bash tests/bench/mapping.sh BENCH_MAPPING_BINARY [RECORDS] [ROUNDS]
# Prints each round, then the medians of records/s for both, their ratio and Conflux's
# peak memory. Installs jsonata@2 into $CONFLUX_BENCH_DIR (default: /tmp/conflux-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=${1:?usage: mapping.sh BENCH_MAPPING_BINARY [RECORDS] [ROUNDS]}
records=${2:-100000}
rounds=${3:-5}
work=${CONFLUX_BENCH_DIR:-/tmp/conflux-bench}
mkdir -p "$work"

command -v node >/dev/null || { echo "mapping.sh: node is required (apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -f "$work/node_modules/jsonata/package.json" ]; then
    echo "installing jsonata@2 (the reference implementation) into $work" >&2
    npm install --prefix "$work" --no-audit --no-fund --loglevel=error jsonata@2 >&2
fi
reference_version=$(node -p "require('$work/node_modules/jsonata/package.json').version")

input="$work/orders-$records.ndjson"
[ -f "$input" ] || node "$here/mapping-generate.js" "$input" "$records"
expression="$here/mapping-expression.jsonata"

# Both sides must produce the same output; compare the checksums of the first round.
conflux_rates=(); reference_rates=(); conflux_rss=()
for round in $(seq 1 "$rounds"); do
    c=$("$binary" "$input" "$expression")
    r=$(node "$here/mapping-reference.js" "$work/node_modules" "$input" "$expression")
    crate=$(node -p "const j=$c; (j.records/j.seconds).toFixed(0)")
    rrate=$(node -p "const j=$r; (j.records/j.seconds).toFixed(0)")
    cbytes=$(node -p "($c).outputBytes"); rbytes=$(node -p "($r).outputBytes")
    if [ "$cbytes" != "$rbytes" ]; then
        echo "output differs: Conflux wrote $cbytes bytes, the reference $rbytes" >&2
        exit 1
    fi
    conflux_rates+=("$crate"); reference_rates+=("$rrate"); conflux_rss+=("$(node -p "($c).peakRssBytes")")
    echo "round $round: conflux $crate records/s, jsonata-js $rrate records/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cm=$(median "${conflux_rates[@]}"); rm_=$(median "${reference_rates[@]}"); rss=$(median "${conflux_rss[@]}")
echo "mapping benchmark: $records records, $rounds rounds, medians"
echo "  conflux:            $cm records/s (peak memory $((rss / 1024 / 1024)) MiB)"
echo "  jsonata-js $reference_version: $rm_ records/s"
echo "  ratio:              $(node -p "($cm/$rm_).toFixed(1)")x (target: at least 10x)"
