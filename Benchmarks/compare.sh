#!/usr/bin/env bash
# Benchmarks/compare.sh — our event store against the raw-LMDB limit, measured back to back.
#
# Builds shared/bench/lmdb_limit.c and our benchmark package, then runs the C benchmark and our
# benchmarks one right after the other (these machines are shared and fsync latency swings by 10x within
# minutes: only ratios from the same run mean anything), and prints one table: our figure | the raw-LMDB
# row and its figure | ratio | the pass threshold, PASS or MISS.
#
# Usage:  Benchmarks/compare.sh                      # the full 1M-event comparison (~5-8 min + builds)
#         BENCH_EVENTS=100000 Benchmarks/compare.sh  # a quick check
#
# Environment (all optional):
#   SHARED_BENCH   directory holding lmdb_limit.c   (default: <repo root>/../shared/bench)
#   BENCH_EVENTS   events per run                    (default 1000000; C: -n)
#   BENCH_PAYLOAD  payload bytes                     (default 200;     C: -s)
#   BENCH_BATCH    events per append / transaction   (default 1000;    C: -b)
#   BENCH_SINGLE   one-event durable commits         (default 2000;    C: -c)
#   RAW_RUNS       runs of the C benchmark           (default 3;       C: -r)
#   BENCH_ITERATIONS, BENCH_WRITERS, BENCH_WRITER_EVENTS, BENCH_READS, BENCH_TMPDIR: see
#                  Benchmarks/EventStoreBenchmarks/Workload.swift
#   RESULTS_DIR    where the raw outputs and the table are kept (default Benchmarks/results/latest)
#
# Exits non-zero only when something fails to build or run; a missed threshold prints MISS and exits 0.
set -euo pipefail

# The whole script is one compound command, parsed before it runs: editing this file while it runs
# (bash otherwise reads scripts lazily) cannot break a run in progress.
{
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(git -C "$BENCH_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$BENCH_DIR/.." && pwd))"
SHARED_BENCH="${SHARED_BENCH:-$REPO_ROOT/../shared/bench}"

export BENCH_EVENTS="${BENCH_EVENTS:-1000000}"
export BENCH_PAYLOAD="${BENCH_PAYLOAD:-200}"
export BENCH_BATCH="${BENCH_BATCH:-1000}"
export BENCH_SINGLE="${BENCH_SINGLE:-2000}"
RAW_RUNS="${RAW_RUNS:-3}"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/latest}"

if [[ ! -f "$SHARED_BENCH/lmdb_limit.c" ]]; then
    echo "compare.sh: no lmdb_limit.c in $SHARED_BENCH (set SHARED_BENCH)" >&2
    exit 2
fi
command -v python3 >/dev/null || { echo "compare.sh: python3 is required" >&2; exit 2; }
command -v pkg-config >/dev/null || { echo "compare.sh: pkg-config is required" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/crm-compare.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
OUT="$WORK/out"  # this run's outputs; copied to RESULTS_DIR at the end
mkdir -p "$OUT"

# One measuring run at a time on this machine: two runs at once (or a run beside a build) disturb each
# other's figures, and they would share RESULTS_DIR.
if command -v flock >/dev/null; then
    LOCK_FILE="${COMPARE_LOCK:-${TMPDIR:-/tmp}/crm-engine-compare.lock}"
    exec 9>"$LOCK_FILE"
    if ! flock -n 9; then
        echo "compare.sh: another compare.sh run holds $LOCK_FILE; waiting for it to finish" >&2
        flock 9
    fi
fi

step() { printf '\n== %s (%s)\n' "$1" "$(date '+%H:%M:%S')" >&2; }

# 1. Build both sides first, so the two measurements run back to back.
step "building lmdb_limit.c"
# shellcheck disable=SC2046  # pkg-config's flags must split into words
cc -O2 -o "$WORK/lmdb_limit" "$SHARED_BENCH/lmdb_limit.c" $(pkg-config --cflags --libs lmdb)

# Runs "$@" from the repository root with its output in $1's log; retries (twice) only when SwiftPM
# reports that a source file changed under it (others may be editing the main package meanwhile).
swiftpm() {
    local log="$1"
    shift
    local attempt
    for attempt in 1 2 3; do
        if (cd "$REPO_ROOT" && "$@") >"$log" 2>&1; then
            return 0
        fi
        if ! grep -q 'was modified during the build' "$log"; then
            break
        fi
        echo "compare.sh: sources changed during the build; retrying ($attempt)" >&2
        sleep 10
    done
    tail -n 60 "$log" >&2
    return 1
}

step "building the benchmark package (release)"
if ! swiftpm "$WORK/build.log" swift package --package-path "$BENCH_DIR" benchmark list; then
    echo "compare.sh: building the benchmarks failed" >&2
    exit 1
fi

# 2. The raw-LMDB limit.
step "running lmdb_limit -n $BENCH_EVENTS -s $BENCH_PAYLOAD -b $BENCH_BATCH -c $BENCH_SINGLE -r $RAW_RUNS"
mkdir -p "$WORK/raw-db"
"$WORK/lmdb_limit" -n "$BENCH_EVENTS" -s "$BENCH_PAYLOAD" -b "$BENCH_BATCH" -c "$BENCH_SINGLE" -r "$RAW_RUNS" \
    -d "$WORK/raw-db" >"$OUT/raw-lmdb.txt"
rm -rf "$WORK/raw-db"

# 3. Ours, right after.
step "running our benchmarks (N=$BENCH_EVENTS)"
export BENCH_RESULTS="$OUT/ours.jsonl"
export BENCH_TMPDIR="${BENCH_TMPDIR:-$WORK}"
if ! swiftpm "$WORK/run.log" swift package --package-path "$BENCH_DIR" benchmark --target EventStoreBenchmarks \
    --format jmh --path "$WORK/jmh" --no-progress; then
    echo "compare.sh: the benchmark run failed" >&2
    exit 1
fi
cp "$WORK"/jmh/*.jmh.json "$OUT"/ 2>/dev/null || true

# The disk's fsync rate right after our run too (a tiny lmdb_limit run: its row f), to judge whether the
# durable figures of both sides met the same disk.
step "disk probe after our run"
mkdir -p "$WORK/probe-db"
"$WORK/lmdb_limit" -n 10000 -s "$BENCH_PAYLOAD" -b "$BENCH_BATCH" -c 100 -r 1 -d "$WORK/probe-db" \
    >"$OUT/probe-after.txt" 2>/dev/null
rm -rf "$WORK/probe-db"

# 4. One table.
step "comparing"
python3 - "$OUT" <<'PY' | tee "$OUT/table.txt"
import glob, json, os, re, statistics, sys

results = sys.argv[1]
env = os.environ

# --- raw LMDB: "<label> <unit> <min> <median> <max>" per metric -------------------------------------
raw, raw_header, raw_lines = {}, "", {}
with open(os.path.join(results, "raw-lmdb.txt")) as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("LMDB "):
            raw_header = line
            continue
        parts = line.rsplit(None, 4)
        if len(parts) != 5 or parts[0] == "metric":
            continue
        label, unit, lo, med, hi = parts
        raw[label.strip()] = (float(med), float(lo), float(hi), unit)
        raw_lines[label.strip()] = line

def raw_row(prefix):
    for label, value in raw.items():
        if label.startswith(prefix):
            return label, value
    sys.exit(f"compare.sh: no raw-LMDB row starting with {prefix!r}")

# --- ours: the benchmark tool's JMH export (custom metric events/s, one raw value per iteration) ----
KEYS = [  # (key, benchmark-name pattern)
    ("a4", r"^append_batched_durable,_UUIDv7_ids$"),
    ("a3", r"^append_batched_durable,_random_ids$"),
    ("b4", r"^append_batched_noSync,_UUIDv7_ids$"),
    ("b3", r"^append_batched_noSync,_random_ids$"),
    ("d", r"^scan_all_events,_lending$"),
    ("c1", r"^append_single_durable,_1_writer$"),
    ("cN", r"^append_single_durable,_\d+_concurrent_writers$"),
    ("e", r"^read_stream,_random_streams,_readStream$"),
    ("e_lend", r"^read_stream,_random_streams,_lending_forEachEvent$"),
]
ours = {}
for path in glob.glob(os.path.join(results, "*.jmh.json")):
    for element in json.load(open(path)):
        name = element["benchmark"].split("EventStoreBenchmarks.", 1)[-1]
        metric = element.get("secondaryMetrics", {}).get("events/s")
        if not metric:
            continue
        values = [v for run in metric.get("rawData", []) for v in run]
        for key, pattern in KEYS:
            if re.match(pattern, name) and values:
                ours[key] = values
# The benchmarks also log each iteration as a JSON line: the fallback, and exact (unrounded) values.
jsonl = os.path.join(results, "ours.jsonl")
if os.path.exists(jsonl):
    logged = {}
    for line in open(jsonl):
        if line.strip():
            record = json.loads(line)
            logged.setdefault(record["key"], []).append(record["eventsPerSecond"])
    for key, values in logged.items():
        ours.setdefault(key, values)

def med(key):
    values = ours.get(key)
    return statistics.median(values) if values else None

def span(key):
    values = ours.get(key)
    return f"{fmt(min(values))}–{fmt(max(values))}" if values else "—"

def fmt(x):
    if x is None:
        return "—"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"

rows = []
def compare(work, key, raw_prefix, short, threshold=None):
    label, (raw_med, _, _, unit) = raw_row(raw_prefix)
    ours_med = med(key)
    ratio = ours_med / raw_med if ours_med is not None and raw_med else None
    verdict, rule = "info", ""
    if threshold is not None:
        rule = f"≥ {threshold:g} × {short}"
        verdict = "—" if ratio is None else ("PASS" if ratio >= threshold else "MISS")
    rows.append((work, fmt(ours_med), span(key), f"{short}: {fmt(raw_med)} {unit}",
                 "—" if ratio is None else f"{ratio:.2f}×", rule, verdict))

compare("batched append, durable, UUIDv7 ids", "a4", "a4 ", "a4", 0.5)
compare("batched append, durable, random ids", "a3", "a3 ", "a3", 0.5)
compare("batched append, noSync, UUIDv7 ids", "b4", "b4 ", "b4")
compare("batched append, noSync, random ids", "b3", "b3 ", "b3")
compare("full scan, lending, all fields + payload", "d", "d  full cursor scan (warm", "d", 0.25)
compare("one-event durable appends, 1 writer", "c1", "c  single-event commit, durable", "c")

# Group commit: concurrent one-event appenders against our own single writer.
c1, cN = med("c1"), med("cN")
ratio = cN / c1 if c1 and cN else None
writers = env.get("BENCH_WRITERS", "64")
rows.append((f"one-event durable appends, {writers} writers", fmt(cN), span("cN"), f"ours 1 writer: {fmt(c1)} events/s",
             "—" if ratio is None else f"{ratio:.1f}×", "≥ 10 × ours 1 writer",
             "—" if ratio is None else ("PASS" if ratio >= 10 else "MISS")))
compare("stream reads (10 events), readStream", "e", "e  random point reads", "e")
compare("stream reads (10 events), lending", "e_lend", "e  random point reads", "e")

headers = ("work (ours)", "ours events/s", "ours min–max", "raw LMDB row: median", "ratio", "threshold", "result")
widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
def line(cells):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

iterations = env.get("BENCH_ITERATIONS", "3")
print(f"crm-engine vs raw LMDB, same run. {raw_header}")
print(f"ours: N={env['BENCH_EVENTS']} events, {env['BENCH_PAYLOAD']} B payloads, {env['BENCH_BATCH']} per append, "
      f"10 per stream, random stream ids; median of {iterations} iterations per benchmark; raw: median of its runs.")
print(line(headers))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print(line(row))
print()
f_label, _ = raw_row("f ")
print("disk probe, raw-LMDB run: " + raw_lines[f_label].strip())
probe = os.path.join(results, "probe-after.txt")
if os.path.exists(probe):
    for probe_line in open(probe):
        if probe_line.startswith("f "):
            print("disk probe, after ours:   " + probe_line.strip())
print("(durable figures are comparable only between runs whose disk probe agrees)")
PY

# 5. The payload codec against Foundation's JSONDecoder on the same event, same run (issue: ≥ 5×).
step "running the payload codec benchmark"
rm -f "$OUT/codec.jsonl"
if ! BENCH_RESULTS="$OUT/codec.jsonl" swiftpm "$WORK/codec.log" swift package --package-path "$BENCH_DIR" benchmark \
    --target PayloadCodecBenchmarks --no-progress; then
    echo "compare.sh: the codec benchmark failed" >&2
    exit 1
fi
python3 - "$OUT/codec.jsonl" <<'PY' | tee -a "$OUT/table.txt"
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.strip():
        record = json.loads(line)
        runs.setdefault(record["key"], []).append(record["decodesPerSecond"])
binary, json_ = statistics.median(runs.get("codec_binary", [0])), statistics.median(runs.get("codec_json", [0]))
ratio = binary / json_ if json_ else 0
print()
print("| payload decode (CustomerEdited, 2 changes) | decodes/s | ratio | threshold | result |")
print("|---|---|---|---|---|")
print(f"| binary codec from a raw pointer | {binary / 1e3:.0f}k | {ratio:.1f}× JSONDecoder | ≥ 5× | {'PASS' if ratio >= 5 else 'MISS'} |")
print(f"| Foundation JSONDecoder, same event | {json_ / 1e3:.0f}k | | | |")
PY
mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS_DIR"/raw-lmdb.txt "$RESULTS_DIR"/probe-after.txt "$RESULTS_DIR"/ours.jsonl \
    "$RESULTS_DIR"/codec.jsonl "$RESULTS_DIR"/*.jmh.json "$RESULTS_DIR"/table.txt
cp "$OUT"/* "$RESULTS_DIR"/
echo "(kept in $RESULTS_DIR)" >&2
exit 0
}
