#!/usr/bin/env bash
# Builds Conflux's libFuzzer target for the HTTP/1.1 request parser with clang and runs it.
#
# Usage: bash tests/fuzz/run-fuzzer.sh [SECONDS] [BUILD_DIR]
#   SECONDS    how long to fuzz; default 60
#   BUILD_DIR  clang build folder, (re)configured here with -DCONFLUX_FUZZ=ON;
#              default <repo>/build-fuzz
# Environment:
#   FUZZ_TARGET  the target to run; default fuzz_httprequestparser (its corpus folder is the
#                name without "fuzz_", its dictionary tests/fuzz/http.dict)
#   FUZZ_ARGS    more libFuzzer flags, e.g. FUZZ_ARGS="-max_len=16384 -only_ascii=1"
#
# Corpus: the seeds in tests/fuzz/corpus/<name>/ are read, never written; inputs the fuzzer
# finds go to BUILD_DIR/fuzz-corpus/<name>/ and are reused by the next run.
# One job, under nice: the machines are small and shared.
#
# ASAN_OPTIONS defaults to malloc_context_size=2: Qt is not built with frame pointers, so
# ASan's fast unwinder records garbage frames past it, each allocation a new stack in ASan's
# never-freed stack depot, and RSS grows ~10 KB per execution until libFuzzer stops at its
# 2 GB limit with a false "out-of-memory". Errors are still caught; run the binary on a crash
# file directly (without this option) for full allocation stacks.
#
# Prints the executions done and the coverage reached. Exit status: 0 when no crash was
# found, 1 when one was (the input is left in BUILD_DIR/fuzz-artifacts/<name>/ as
# crash-*, timeout-*, leak-* or oom-*; reproduce with `BUILD_DIR/tests/fuzz/<target> FILE`,
# minimise with `... -minimize_crash=1 -runs=100000 FILE`; once the bug is fixed, add the
# file to the seed corpus as crash-<short-name> so the replay test keeps it fixed),
# 2 when configuring, building or running failed otherwise.

set -euo pipefail

seconds=${1:-60}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${2:-$repo/build-fuzz}
target=${FUZZ_TARGET:-fuzz_httprequestparser}
name=${target#fuzz_}
dict=$repo/tests/fuzz/http.dict
seeds=$repo/tests/fuzz/corpus/$name

if ! [[ $seconds =~ ^[0-9]+$ ]] || [[ $seconds -eq 0 ]]; then
    echo "run-fuzzer: SECONDS must be a positive whole number, not '$seconds'" >&2
    exit 2
fi
if [[ ! -d $seeds ]]; then
    echo "run-fuzzer: no seed corpus at $seeds" >&2
    exit 2
fi

mkdir -p "$build"
build=$(cd "$build" && pwd)
echo "run-fuzzer: configuring $build (clang, CONFLUX_FUZZ=ON)"
if ! nice cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++ -DCONFLUX_FUZZ=ON -DCONFLUX_WERROR=ON >"$build/fuzz-configure.log" 2>&1; then
    cat "$build/fuzz-configure.log" >&2
    echo "run-fuzzer: configuring failed" >&2
    exit 2
fi
rm -f "$build/fuzz-configure.log"
echo "run-fuzzer: building $target"
if ! nice cmake --build "$build" --target "$target"; then
    echo "run-fuzzer: building failed" >&2
    exit 2
fi

corpus=$build/fuzz-corpus/$name
artifacts=$build/fuzz-artifacts/$name
log=$build/fuzz-$name.log
mkdir -p "$corpus" "$artifacts"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

echo "run-fuzzer: fuzzing $target for ${seconds}s (log: $log)"
status=0
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
ASAN_OPTIONS=${ASAN_OPTIONS-malloc_context_size=2} nice "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -dict="$dict" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_ARGS:-} \
    "$corpus" "$seeds" >"$log" 2>&1 || status=$?

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
coverage=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
echo "run-fuzzer: executions: ${executions:-unknown}"
echo "run-fuzzer: last status: ${coverage:-none}"
echo "run-fuzzer: corpus: $(find "$corpus" -type f | wc -l) inputs in $corpus"

found=$(find "$artifacts" -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \) | sort)
if [[ -n $found ]]; then
    grep -E 'invariant broken|ERROR: |SUMMARY: ' "$log" | head -n 5 >&2 || true
    echo "run-fuzzer: the fuzzer found a crash; input left in:" >&2
    echo "$found" >&2
    exit 1
fi
if [[ $status -ne 0 ]]; then
    tail -n 20 "$log" >&2
    echo "run-fuzzer: the fuzzer exited with status $status without leaving a crash file" >&2
    exit 2
fi
echo "run-fuzzer: no crash found"
