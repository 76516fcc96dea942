#!/usr/bin/env bash
# HTTP load on loopback with wrk (issue 8): GET /health (the ceiling of server + wrk on this machine),
# GET customer 360 (random customers) and POST dispatch-task (durable: each request a new task through
# group commit), 64 connections each. Prints requests/s and p99 for each, the ratios to the goals
# (customer 360 >= 50 % of /health; >= 5,000 durable POST/s), and the machine load before and after.
#
#   Benchmarks/http-load.sh                 # defaults: 20 s per run, 2 wrk threads, 64 connections
#   DURATION=30s THREADS=2 CONNECTIONS=64 PORT=18080 Benchmarks/http-load.sh
#   SERVE_ARGS="--customer-cache 0" Benchmarks/http-load.sh   # customer 360 without the in-memory caches
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
SWIFT=${SWIFT:-swift}

if ! command -v wrk >/dev/null 2>&1; then
    echo "Installing wrk (Debian package)…"
    if [ "$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq wrk
    else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi
fi

echo "Building crm (release)…"
$SWIFT build -c release --product crm >/dev/null
CRM="$($SWIFT build -c release --show-bin-path)/crm"

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A fresh store seeded with the demo generator (a year of a few hundred customers); its administrator's
# token is printed once on standard output.
# shellcheck disable=SC2086
"$CRM" serve --data "$WORK/data" --port "$PORT" --demo --log-level warning ${SERVE_ARGS:-} >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
TOKEN=$(sed -n 's/^Administrator token (shown once): //p' "$WORK/serve.out")
[ -n "$TOKEN" ] || { echo "no token from crm serve --demo" >&2; cat "$WORK/serve.err" >&2; exit 1; }
EVENTS=$(curl -fsS "http://127.0.0.1:$PORT/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["head"])')

# Every customer id (paged), for random customer 360 reads.
python3 - "$PORT" "$TOKEN" "$WORK/customers.lua" <<'PY'
import json, sys, urllib.request
port, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
ids, after = [], None
while True:
    url = f"http://127.0.0.1:{port}/v1/customers?limit=500" + (f"&after={after}" if after else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req))
    ids += [item["id"].lower() for item in page["items"]]
    after = page.get("after")
    if not after: break
with open(out, "w") as f:
    f.write("ids = {" + ",".join('"%s"' % i for i in ids) + "}\n")
print(len(ids))
PY
CUSTOMERS=$(python3 -c "import re;print(len(re.findall('\"', open('$WORK/customers.lua').read()))//2)")
# An active employee to dispatch the tasks to: the engine refuses an assignee who is no active employee.
ASSIGNEE=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/employees?limit=500" \
    | python3 -c 'import json,sys; print(next(e["id"].lower() for e in json.load(sys.stdin)["items"] if e.get("active", True)))')

cat >>"$WORK/customers.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
math.randomseed(42)
request = function()
    return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)])
end
LUA
cat >"$WORK/dispatch.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "Load test follow-up", "dueAt": "2027-01-04T09:00:00Z", "assignee": "$ASSIGNEE", "kind": "followUp"}'
LUA
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local non2xx = summary.errors.status
    io.write(string.format("RESULT %.1f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
                           latency:percentile(99) / 1000, summary.requests, non2xx))
end
LUA
cat "$WORK/report.lua" >>"$WORK/customers.lua"
cat "$WORK/report.lua" >>"$WORK/dispatch.lua"

run() {  # name, script args…
    local name=$1; shift
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
    local line
    line=$(echo "$out" | grep '^RESULT' || true)
    if [ -z "$line" ]; then echo "$out"; return 1; fi
    echo "$name $line"
}

LOAD_BEFORE=$(cat /proc/loadavg)
echo "Store: $EVENTS events, $CUSTOMERS customers. wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per run."
echo "Load before: $LOAD_BEFORE"
HEALTH=$(run health -s "$WORK/report.lua" "http://127.0.0.1:$PORT/health")
C360=$(run customer360 -s "$WORK/customers.lua" "http://127.0.0.1:$PORT/")
DISPATCH=$(run dispatch -s "$WORK/dispatch.lua" "http://127.0.0.1:$PORT/v1/tasks")
LOAD_AFTER=$(cat /proc/loadavg)

python3 - "$HEALTH" "$C360" "$DISPATCH" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" <<'PY'
import sys
rows = [a.split() for a in sys.argv[1:4]]
print()
print("| run | requests/s | p99 ms | requests | non-2xx |")
print("|---|---|---|---|---|")
for name, _, rps, p99, n, bad in rows:
    print(f"| {name} | {float(rps):,.0f} | {float(p99):.2f} | {int(n):,} | {bad} |")
health, c360, dispatch = (float(r[2]) for r in rows)
refused = int(rows[2][5])
ratio = c360 / health if health else 0
print()
print(f"customer 360 / health = {ratio:.0%} (goal >= 50 %): {'met' if ratio >= 0.5 else 'NOT met'}")
# Refused requests write nothing: a run with any is no measure of durable writes.
met = dispatch >= 5000 and refused == 0
print(f"durable POST dispatch-task = {dispatch:,.0f}/s (goal >= 5,000/s): {'met' if met else 'NOT met'}"
      + (f" ({refused:,} answered non-2xx: not a measure of writes)" if refused else ""))
print(f"load average before: {sys.argv[4]}; after: {sys.argv[5]}; cores: {sys.argv[6]}")
PY
