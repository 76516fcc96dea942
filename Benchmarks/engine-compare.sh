#!/usr/bin/env bash
# Benchmarks/engine-compare.sh — the engine's view rebuild and customer-360 query (issue 6), beside raw
# LMDB's full scan and the Python eventsourcing replay-and-fold, measured back to back.
#
# Builds shared/bench/lmdb_limit.c and the EngineBenchmarks target, installs the Python peer into
# Benchmarks/.venv-peer when it is missing, generates (once, cached) the histories the benchmarks replay,
# then runs one right after the other: lmdb_limit (its row d, the full cursor scan), the Python peer's
# `bench_eventsourcing.py sqlite` (its row c, replay + decode + fold), our fold of the same kind (info), our rebuild of every view from
# BENCH_ENGINE_EVENTS generated events, our customer-360 queries over BENCH_ENGINE_CUSTOMERS customers, and
# the rebuild again over ENGINE_LARGE_EVENTS events (peak memory must stay flat). Prints one table with
# the ratios and PASS/MISS against the goals: rebuild ≥ 5 × the Python fold, customer-360 p99 < 1 ms, peak
# anonymous memory at the large size ≤ 1.25 × the one at the default size.
#
# Usage:  Benchmarks/engine-compare.sh                                  # 1M + 3M events, 100k customers
#         BENCH_ENGINE_EVENTS=100000 ENGINE_LARGE_EVENTS=0 BENCH_ENGINE_CUSTOMERS=5000 \
#           BENCH_ENGINE_C360_EVENTS=200000 Benchmarks/engine-compare.sh   # a quick check
#
# Environment (all optional):
#   SHARED_BENCH          directory holding lmdb_limit.c and bench_eventsourcing.py (default <repo>/../shared/bench)
#   BENCH_ENGINE_EVENTS   events of the rebuild (default 1000000); lmdb_limit runs with -n of the same
#   ENGINE_LARGE_EVENTS   events of the second rebuild, for the memory check (default 3000000; 0 skips it)
#   ENGINE_LARGE_ITERATIONS  iterations of that rebuild (default 1: at today's rate one takes minutes)
#   BENCH_ENGINE_CUSTOMERS, BENCH_ENGINE_C360_EVENTS, BENCH_ENGINE_QUERIES, BENCH_ENGINE_SEED, BENCH_ITERATIONS:
#                         see Benchmarks/EngineBenchmarks/EngineWorkload.swift
#   BENCH_ENGINE_CACHE    where generated stores are kept across runs (default ${TMPDIR:-/tmp}/crm-engine-bench-cache);
#                         names carry the git tree id of Sources/CRMDataGenerator, so a changed generator
#                         regenerates; delete the cache when the domain's event formats change
#   RAW_RUNS, PEER_RUNS   runs of lmdb_limit and of the Python peer (default 3 each)
#   PEER_AGGREGATES       aggregates of the Python peer (default 5000: 100k events in its log)
#   LOAD_MAX, LOAD_WAIT   wait up to LOAD_WAIT seconds (default 600) for the 1-minute load average to drop
#                         below LOAD_MAX (default 1.0) before measuring; the loads are printed either way
#   RESULTS_DIR           where raw outputs and the table are kept (default Benchmarks/results/engine-latest)
#
# Exits non-zero only when something fails to build or run; a missed goal prints MISS and exits 0.
set -euo pipefail

# One compound command, parsed before it runs: editing this file during a run cannot break the run.
{
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(git -C "$BENCH_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$BENCH_DIR/.." && pwd))"
SHARED_BENCH="${SHARED_BENCH:-$REPO_ROOT/../shared/bench}"

export BENCH_ENGINE_EVENTS="${BENCH_ENGINE_EVENTS:-1000000}"
ENGINE_LARGE_EVENTS="${ENGINE_LARGE_EVENTS:-3000000}"
ENGINE_LARGE_ITERATIONS="${ENGINE_LARGE_ITERATIONS:-1}"
export BENCH_ENGINE_CUSTOMERS="${BENCH_ENGINE_CUSTOMERS:-100000}"
export BENCH_ENGINE_C360_EVENTS="${BENCH_ENGINE_C360_EVENTS:-3000000}"
export BENCH_ITERATIONS="${BENCH_ITERATIONS:-3}"
export BENCH_ENGINE_CACHE="${BENCH_ENGINE_CACHE:-${TMPDIR:-/tmp}/crm-engine-bench-cache}"
if [[ -z "${BENCH_ENGINE_CACHE_TAG:-}" ]]; then
    BENCH_ENGINE_CACHE_TAG="gen-$(git -C "$REPO_ROOT" rev-parse --short HEAD:Sources/CRMDataGenerator 2>/dev/null || echo none)"
fi
export BENCH_ENGINE_CACHE_TAG
RAW_RUNS="${RAW_RUNS:-3}"
PEER_RUNS="${PEER_RUNS:-3}"
PEER_AGGREGATES="${PEER_AGGREGATES:-5000}"
LOAD_MAX="${LOAD_MAX:-1.0}"
LOAD_WAIT="${LOAD_WAIT:-600}"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/engine-latest}"
VENV="$BENCH_DIR/.venv-peer"  # ignored by git (.venv*/)

for file in lmdb_limit.c bench_eventsourcing.py; do
    if [[ ! -f "$SHARED_BENCH/$file" ]]; then
        echo "engine-compare.sh: no $file in $SHARED_BENCH (set SHARED_BENCH)" >&2
        exit 2
    fi
done
command -v python3 >/dev/null || { echo "engine-compare.sh: python3 is required" >&2; exit 2; }
command -v pkg-config >/dev/null || { echo "engine-compare.sh: pkg-config is required" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/crm-engine-compare.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
OUT="$WORK/out"
mkdir -p "$OUT" "$BENCH_ENGINE_CACHE"
export BENCH_TMPDIR="${BENCH_TMPDIR:-$WORK}"

# One measuring run at a time on this machine, shared with compare.sh: two runs at once disturb each
# other's figures.
if command -v flock >/dev/null; then
    LOCK_FILE="${COMPARE_LOCK:-${TMPDIR:-/tmp}/crm-engine-compare.lock}"
    exec 9>"$LOCK_FILE"
    if ! flock -n 9; then
        echo "engine-compare.sh: another measuring run holds $LOCK_FILE; waiting for it to finish" >&2
        flock 9
    fi
fi

step() { printf '\n== %s (%s)\n' "$1" "$(date '+%H:%M:%S')" >&2; }
load_note() { printf '%s %s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)" >>"$OUT/load.txt"; }

# Runs "$@" from the repository root with its output in $1's log; retries (twice) only when SwiftPM
# reports that a source file changed under it (others may be editing the main package meanwhile).
swiftpm() {
    local log="$1"
    shift
    local attempt
    for attempt in 1 2 3; do
        # The benchmark plugin reports a failed build ("Benchmark failed to run due to build error") and
        # still exits 0: look for it too.
        if (cd "$REPO_ROOT" && "$@") >"$log" 2>&1 && ! grep -q 'failed to run due to build error' "$log"; then
            return 0
        fi
        # Others edit the main package meanwhile: a file changed under SwiftPM, or a half-edited source
        # that does not compile yet. Retry after a pause.
        if ! grep -q 'was modified during the build\|failed to run due to build error' "$log"; then
            break
        fi
        echo "engine-compare.sh: the build failed or sources changed during it; retrying in 60 s ($attempt)" >&2
        grep -m 3 'error:' "$log" >&2 || true
        sleep 60
    done
    tail -n 60 "$log" >&2
    return 1
}

bench() {  # bench LOG FILTER [env assignments...]: runs EngineBenchmarks benchmarks matching FILTER
    local log="$1" filter="$2"
    shift 2
    swiftpm "$log" env "$@" swift package --package-path "$BENCH_DIR" benchmark --target EngineBenchmarks \
        --filter "$filter" --format jmh --path "$WORK/jmh" --no-progress
}

# 1. Build everything first, so the measurements run back to back.
step "building lmdb_limit.c"
# shellcheck disable=SC2046  # pkg-config's flags must split into words
cc -O2 -o "$WORK/lmdb_limit" "$SHARED_BENCH/lmdb_limit.c" $(pkg-config --cflags --libs lmdb)

step "building EngineBenchmarks (release)"
mkdir -p "$WORK/jmh"
if ! swiftpm "$WORK/build.log" swift package --package-path "$BENCH_DIR" benchmark list --target EngineBenchmarks; then
    echo "engine-compare.sh: building the benchmarks failed" >&2
    exit 1
fi

if ! "$VENV/bin/python" -c 'import eventsourcing' 2>/dev/null; then
    step "installing the Python peer into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q eventsourcing
fi

# 2. The generated histories (slow the first time, ~36k events/s; cached in $BENCH_ENGINE_CACHE).
step "preparing the generated stores in $BENCH_ENGINE_CACHE"
bench "$WORK/prepare.log" 'prepare.*' || { echo "engine-compare.sh: preparing the stores failed" >&2; exit 1; }
if [[ "$ENGINE_LARGE_EVENTS" != 0 ]]; then
    bench "$WORK/prepare-large.log" 'prepare rebuild.*' BENCH_ENGINE_EVENTS="$ENGINE_LARGE_EVENTS" \
        || { echo "engine-compare.sh: preparing the large store failed" >&2; exit 1; }
fi
grep -h '^generat\|^building the views' "$WORK"/prepare*.log >&2 || true
rm -f "$WORK"/jmh/*

# 3. Wait for a quiet machine (others compile here at times), then measure back to back.
waited=0
while awk -v max="$LOAD_MAX" '{ exit !($1 >= max) }' /proc/loadavg 2>/dev/null && ((waited < LOAD_WAIT)); do
    ((waited == 0)) && echo "engine-compare.sh: load $(cut -d' ' -f1 /proc/loadavg) ≥ $LOAD_MAX; waiting up to ${LOAD_WAIT}s" >&2
    sleep 15
    waited=$((waited + 15))
done
load_note "start"
ps -eo pcpu,etime,comm --sort=-pcpu | head -n 6 >"$OUT/top-start.txt"

step "running lmdb_limit -n $BENCH_ENGINE_EVENTS -r $RAW_RUNS (row d: full scan)"
mkdir -p "$WORK/raw-db"
"$WORK/lmdb_limit" -n "$BENCH_ENGINE_EVENTS" -s 200 -b 1000 -c 2000 -r "$RAW_RUNS" -d "$WORK/raw-db" >"$OUT/raw-lmdb.txt"
rm -rf "$WORK/raw-db"
load_note "after-raw"

step "running the Python peer: bench_eventsourcing.py sqlite --aggregates $PEER_AGGREGATES --runs $PEER_RUNS (row c)"
"$VENV/bin/python" "$SHARED_BENCH/bench_eventsourcing.py" sqlite --aggregates "$PEER_AGGREGATES" --runs "$PEER_RUNS" \
    >"$OUT/python-peer.txt"
load_note "after-python"

export BENCH_RESULTS="$OUT/ours.jsonl"
step "running our rebuild of all views ($BENCH_ENGINE_EVENTS events) and the customer-360 queries"
bench "$WORK/run.log" 'rebuild all views.*|replay and fold.*|customer-360.*' || { echo "engine-compare.sh: the benchmark run failed" >&2; exit 1; }
load_note "after-ours"
if [[ "$ENGINE_LARGE_EVENTS" != 0 ]]; then
    step "running our rebuild of all views ($ENGINE_LARGE_EVENTS events)"
    bench "$WORK/run-large.log" 'rebuild all views.*' BENCH_ENGINE_EVENTS="$ENGINE_LARGE_EVENTS" BENCH_ITERATIONS="$ENGINE_LARGE_ITERATIONS" \
        || { echo "engine-compare.sh: the large run failed" >&2; exit 1; }
    load_note "after-large"
fi
cp "$WORK"/jmh/*.jmh.json "$OUT"/ 2>/dev/null || true
# Kept before the table is made, so a failing table step loses no measurement.
mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS_DIR"/*
cp "$OUT"/* "$RESULTS_DIR"/

# 4. One table (python3 "the table step" below can be rerun alone on RESULTS_DIR).
step "comparing"
python3 - "$RESULTS_DIR" "$ENGINE_LARGE_EVENTS" <<'PY' | tee "$RESULTS_DIR/table.txt"
import json, os, statistics, sys

results, large = sys.argv[1], int(sys.argv[2])
env = os.environ
default_events = int(env["BENCH_ENGINE_EVENTS"])

def rows_of(path, header_prefix):
    rows, header = {}, ""
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith(header_prefix):
            header = line
        parts = line.rsplit(None, 3)
        if len(parts) == 4:
            try:
                rows[parts[0].strip()] = (float(parts[1]), float(parts[2]), float(parts[3]))
            except ValueError:
                pass
    return rows, header

raw, raw_header = rows_of(os.path.join(results, "raw-lmdb.txt"), "LMDB ")
raw_d = next(((lo, med, hi) for label, (lo, med, hi) in
              ((k.rsplit(None, 1)[0], v) for k, v in raw.items()) if label.startswith("d  full cursor scan (warm")), None)
if raw_d is None:
    sys.exit("engine-compare.sh: no row d in the lmdb_limit output")
# The peer's lines: "<label> <min> <median> <max>   (note)" - strip the trailing note of the header only.
peer, peer_header = rows_of(os.path.join(results, "python-peer.txt"), "eventsourcing ")
peer_c = peer.get("c  replay + decode + fold")
if peer_c is None:
    sys.exit("engine-compare.sh: no row c in the Python peer's output")

ours = {}
for line in open(os.path.join(results, "ours.jsonl")):
    if line.strip():
        record = json.loads(line)
        ours.setdefault((record["key"], record.get("events")), []).append(record)

def fmt(x, unit=""):
    if x is None:
        return "—"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M{unit}"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k{unit}"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k{unit}"
    return f"{x:.0f}{unit}"

def mib(b):
    return f"{b / 2**20:.0f} MiB"

def ms(s):
    return f"{s * 1e3:.3f} ms"

table = []
def rebuild_runs(events):
    if ("rebuild", events) in ours:
        return ours[("rebuild", events)]
    # The generator may stop a few events short of its target (3,000,000 → 2,999,989): the nearest size within 0.1 %.
    sizes = [e for (k, e) in ours if k == "rebuild" and e is not None and e != default_events and abs(e - events) <= events // 1000]
    return ours[("rebuild", min(sizes, key=lambda e: abs(e - events)))] if sizes else None

def rebuild_row(events, goal):
    runs = rebuild_runs(events)
    if not runs:
        return None
    rates = [r["eventsPerSecond"] for r in runs]
    med = statistics.median(rates)
    to_raw, to_peer = med / raw_d[1], med / peer_c[1]
    verdict = ("PASS" if to_peer >= 5 else "MISS") if goal else "info"
    table.append((f"rebuild all views, {runs[0]['events']:_} events", fmt(med), f"{fmt(min(rates))}–{fmt(max(rates))}",
                  f"{to_raw:.3f}× d ({fmt(raw_d[1])})", f"{to_peer:.2f}× c ({fmt(peer_c[1])})", "≥ 5× c", verdict))
    return runs

small = rebuild_row(default_events, True)
big = rebuild_row(large, True) if large else None

# Like for like with the peer's row c (not the goal, which is about the views): our log read in order,
# each event decoded with its envelope and counted per stream, one thread, no view written.
folds = [r for (k, e), rs in ours.items() if k == "fold" and e == default_events for r in rs]
if folds:
    rates = [r["eventsPerSecond"] for r in folds]
    med = statistics.median(rates)
    table.append((f"replay + decode + fold (count per stream), {folds[0]['events']:_} events: the peer's row c on our log",
                  fmt(med), f"{fmt(min(rates))}–{fmt(max(rates))}", f"{med / raw_d[1]:.3f}× d ({fmt(raw_d[1])})",
                  f"{med / peer_c[1]:.2f}× c ({fmt(peer_c[1])})", "—", "info"))

headers = ("work", "ours events/s (median)", "ours min–max", "vs raw LMDB scan", "vs Python fold", "goal", "result")
widths = [max(len(str(r[i])) for r in table + [headers]) for i in range(len(headers))]
def line(cells, w):
    return "| " + " | ".join(str(c).ljust(x) for c, x in zip(cells, w)) + " |"

print(f"crm-engine rebuild vs raw LMDB and Python eventsourcing, same run.")
print(f"raw:    {raw_header}  (row d: median of {env.get('RAW_RUNS', '3')} runs, {fmt(raw_d[0])}–{fmt(raw_d[2])})")
print(f"python: {peer_header}  (row c: {fmt(peer_c[0])}–{fmt(peer_c[2])})")
print(f"ours:   ProjectionRunner.build of CRMViews.all ({len((small or big or [{}])[0].get('projections', []))} views) over a generated history, "
      f"{env['BENCH_ITERATIONS']} iterations, a fresh views directory each")
print(line(headers, widths))
print("|" + "|".join("-" * (x + 2) for x in widths) + "|")
for row in table:
    print(line(row, widths))

# Memory: the sampled peaks of the measured rebuild (median over iterations), and the process's ru_maxrss.
print()
mem_rows = []
anon = {}
for label, runs in (("default", small), ("large", big)):
    if not runs:
        continue
    events = runs[0]["events"]
    med = lambda k: statistics.median(r[k] for r in runs)
    anon[label] = med("peakAnonBytes")
    mem_rows.append((f"{events:_}", mib(med("peakRSSBytes")), mib(med("peakAnonBytes")), mib(med("peakFileBytes")),
                     mib(max(r["processMaxRSSBytes"] for r in runs)), mib(med("viewBytes"))))
mem_headers = ("events replayed", "peak RSS (sampled)", "peak RssAnon", "peak RssFile (LMDB maps)", "process ru_maxrss", "views on disk")
mw = [max(len(str(r[i])) for r in mem_rows + [mem_headers]) for i in range(len(mem_headers))]
print(line(mem_headers, mw))
print("|" + "|".join("-" * (x + 2) for x in mw) + "|")
for row in mem_rows:
    print(line(row, mw))
if "default" in anon and "large" in anon:
    growth = anon["large"] / anon["default"]
    print(f"peak anonymous memory, large / default: {growth:.2f}×  (goal: flat, ≤ 1.25×)  {'PASS' if growth <= 1.25 else 'MISS'}")

# Customer 360.
print()
q_headers = ("customer-360 query", "customers", "queries/s", "p50", "p90", "p99", "p99.9", "max", "goal", "result")
q_rows = []
for key, label in (("c360_view", "view read (ProjectionRunner.read)"), ("c360_engine", "engine query as administrator")):
    runs = [r for (k, _), rs in ours.items() if k == key for r in rs]
    if not runs:
        continue
    med = lambda k: statistics.median(r[k] for r in runs)
    p99 = med("p99")
    q_rows.append((label, f"{runs[0]['customers']:_}", fmt(med("queriesPerSecond")), ms(med("p50")), ms(med("p90")),
                   ms(p99), ms(med("p999")), ms(max(r["max"] for r in runs)), "p99 < 1 ms", "PASS" if p99 < 1e-3 else "MISS"))
qw = [max(len(str(r[i])) for r in q_rows + [q_headers]) for i in range(len(q_headers))]
print(line(q_headers, qw))
print("|" + "|".join("-" * (x + 2) for x in qw) + "|")
for row in q_rows:
    print(line(row, qw))
print(f"(median over {env['BENCH_ITERATIONS']} iterations of {env.get('BENCH_ENGINE_QUERIES', '20000')} random customers each; "
      f"found: {', '.join(str(r['found']) for rs in ours.values() for r in rs if r['key'].startswith('c360'))})")
print()
print("load averages (1, 5, 15 min):")
for load_line in open(os.path.join(results, "load.txt")):
    print("  " + load_line.rstrip())
PY

echo "(kept in $RESULTS_DIR)" >&2
exit 0
}
