#!/usr/bin/env bash
# Benchmarks/engine-ab.sh — A/B of two builds of the engine's rebuild benchmark, run interleaved.
#
# On this shared machine one run's CPU time swings by a third within an hour, so a change is judged only
# against its baseline measured in turns with it. `save` keeps a release build of EngineBenchmarks (and the
# malloc interposer it links) under a name; `run` alternates the saved builds, each run alone under
# `flock /tmp/crm-cpu.lock`, straight through the benchmark executable (no `swift package` step in between).
#
# Usage:  Benchmarks/engine-ab.sh save NAME                # build the working tree and keep it as NAME
#         Benchmarks/engine-ab.sh run PAIRS NAME_A NAME_B  # PAIRS × (A, B); prints each run and the medians
#
# Environment (optional): AB_DIR (default ${TMPDIR:-/tmp}/crm-engine-ab), FILTER (default
# 'rebuild all views.*'; e.g. 'profile rebuild, customer-360 alone'), BENCH_ENGINE_EVENTS (default 1000000)
# and the other settings of Benchmarks/EngineBenchmarks/EngineWorkload.swift; cached stores are shared with
# engine-compare.sh (set BENCH_ENGINE_CACHE_TAG as it does, or the generator's git tree is used).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(git -C "$BENCH_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$BENCH_DIR/.." && pwd))"
AB_DIR="${AB_DIR:-${TMPDIR:-/tmp}/crm-engine-ab}"
FILTER="${FILTER:-rebuild all views.*}"
export BENCH_ENGINE_EVENTS="${BENCH_ENGINE_EVENTS:-1000000}"
if [[ -z "${BENCH_ENGINE_CACHE_TAG:-}" ]]; then
    BENCH_ENGINE_CACHE_TAG="gen-$(git -C "$REPO_ROOT" rev-parse --short HEAD:Sources/CRMDataGenerator 2>/dev/null || echo none)"
fi
export BENCH_ENGINE_CACHE_TAG BENCH_ITERATIONS=1

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

case "${1:-}" in
save)
    [[ $# -eq 2 ]] || usage
    name="$2"
    flock /tmp/crm-cpu.lock swift build -c release --package-path "$BENCH_DIR" --product EngineBenchmarks >&2
    bin="$(swift build -c release --package-path "$BENCH_DIR" --show-bin-path)"
    mkdir -p "$AB_DIR/$name"
    cp "$bin/EngineBenchmarks" "$bin/libMallocInterposerSwift.so" "$AB_DIR/$name/"
    echo "saved $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet || echo '+changes') as $AB_DIR/$name"
    ;;
run)
    [[ $# -eq 4 ]] || usage
    pairs="$2"; shift 2
    for name in "$@"; do [[ -x "$AB_DIR/$name/EngineBenchmarks" ]] || { echo "no saved build $name in $AB_DIR" >&2; exit 1; }; done
    results="$AB_DIR/results-$(date -u +%Y%m%dT%H%M%S).jsonl"
    echo "filter '$FILTER', $BENCH_ENGINE_EVENTS events, $pairs pairs; raw lines in $results"
    for ((i = 1; i <= pairs; i++)); do
        for name in "$@"; do
            out="$AB_DIR/$name/run.jsonl"; rm -f "$out"
            load="$(cut -d' ' -f1 /proc/loadavg)"
            BENCH_RESULTS="$out" LD_LIBRARY_PATH="$AB_DIR/$name" flock /tmp/crm-cpu.lock \
                "$AB_DIR/$name/EngineBenchmarks" --filter "$FILTER" > "$AB_DIR/$name/run.log" 2>&1 \
                || { echo "$name failed; see $AB_DIR/$name/run.log" >&2; exit 1; }
            python3 - "$out" "$name" "$load" "$results" <<'EOF'
import json, sys
path, name, load, results = sys.argv[1:]
with open(path) as f, open(results, "a") as r:
    for line in f:
        d = json.loads(line); d["build"] = name; r.write(json.dumps(d) + "\n")
        print(f"{name:>12}  {d['eventsPerSecond']:9.0f} events/s  {d['cpuSeconds']:6.1f} CPU s  {d['seconds']:6.1f} s wall"
              f"  heap {d['peakAnonBytes'] / 2**20:5.1f} MiB  views {d['viewBytes'] >> 20} MiB  load {load}")
EOF
        done
    done
    python3 - "$results" <<'EOF'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    d = json.loads(line); runs.setdefault(d["build"], []).append(d)
for name, rs in runs.items():
    print(f"median {name:>12}: {statistics.median(r['eventsPerSecond'] for r in rs):9.0f} events/s"
          f"  {statistics.median(r['cpuSeconds'] for r in rs):6.1f} CPU s  ({len(rs)} runs)")
EOF
    ;;
*) usage ;;
esac
