#!/usr/bin/env bash
# The comparison of docs/PERFORMANCE.md on the canned SQS endpoint (../shared/bench): starts
# its nginx, then, RUNS rounds of: wrk (the limit), sqs-load (this library) and the Node SDK
# peer (bench.mjs) for each op; prints a table of medians with the load average of each figure.
#
# Usage: bench/scripts/run-canned.sh [-r RUNS] [-p PORT] [-d WRK_SECONDS] [--no-node] [--quick]
#   -r RUNS       rounds (default 3); each figure is the median of its RUNS runs
#   -p PORT       port of the canned nginx (default 8900)
#   -d SECONDS    duration of each wrk run (default 10)
#   --no-node     skip the Node SDK peer
#   --quick       counts / durations divided by 5 (a smoke test, not a measurement)
# Env: SQS_LOAD (the sqs-load binary; default build-load/bin, then build/bin),
#      SQS_BENCH_KIT (default ../shared/bench next to the repo), CLIENT_CPU / SERVER_CPU (cores
#      the clients and nginx are pinned to with taskset; default 0 / 1),
#      SQS_BENCH_CANNED_PREFIX (nginx runtime dir; default /tmp/sqs-load-canned-$USER),
#      RESULTS (JSON lines of every run; default a temp file, printed at the end).
set -euo pipefail
export AWS_EC2_METADATA_DISABLED=true  # never ask an instance metadata service for anything

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIT=${SQS_BENCH_KIT:-$(cd "$ROOT/.." && pwd)/shared/bench}
RUNS=3 PORT=8900 WRK_S=10 NODE=1 SCALE=1
while (($#)); do
  case $1 in
    -r) RUNS=$2; shift 2 ;;
    -p) PORT=$2; shift 2 ;;
    -d) WRK_S=$2; shift 2 ;;
    --no-node) NODE=0; shift ;;
    --quick) SCALE=5; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-canned.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

LOAD=${SQS_LOAD:-}
if [[ -z $LOAD ]]; then
  for c in "$ROOT/build-load/bin/sqs-load" "$ROOT/build/bin/sqs-load"; do
    [[ -x $c ]] && { LOAD=$c; break; }
  done
fi
[[ -x ${LOAD:-} ]] || { echo "sqs-load not found: build it (cmake --build BUILD --target sqs-load) or set SQS_LOAD" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }
if ((NODE)) && [[ ! -d /tmp/sqs-bench-node/node_modules/@aws-sdk/client-sqs && -z ${NODE_PATH:-} ]]; then
  echo "Node SDK peer not installed (see $KIT/README.md); skipping it" >&2
  NODE=0
fi

CLIENT_CPU=${CLIENT_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
export SQS_BENCH_CANNED_PREFIX=${SQS_BENCH_CANNED_PREFIX:-/tmp/sqs-load-canned-${USER:-$(id -un)}}
ENDPOINT=http://127.0.0.1:$PORT
QUEUE_URL=$ENDPOINT/000000000000/bench
RESULTS=${RESULTS:-$(mktemp /tmp/sqs-load-results.XXXXXX)}
: > "$RESULTS"

NGINX_PID=$("$KIT/canned/start.sh" "$PORT")
trap '"$KIT/canned/stop.sh" >/dev/null || true' EXIT
"$KIT/canned/verify.sh" "$PORT" >/dev/null
# nginx (master and its one worker) on SERVER_CPU, every client on CLIENT_CPU.
for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID"); do taskset -a -p -c "$SERVER_CPU" "$p" >/dev/null; done
PIN=(taskset -c "$CLIENT_CPU")

load1() { cut -d' ' -f1 /proc/loadavg; }

# Appends one result line: the tool's JSON line plus name, client, run and load average.
record() {  # NAME CLIENT RUN LOAD JSON
  python3 -c 'import json,sys; d=json.loads(sys.argv[5]); d.update(name=sys.argv[1], client=sys.argv[2], run=int(sys.argv[3]), load1=float(sys.argv[4])); print(json.dumps(d))' \
    "$@" >> "$RESULTS"
}

# wrk as a client: same JSON fields as sqs-load; CPU and peak RSS of the wrk process from
# getrusage(RUSAGE_CHILDREN).
run_wrk() {  # CONNECTIONS
  python3 - "$1" "$WRK_S" "$KIT/canned/send.lua" "$ENDPOINT/" "${PIN[@]}" <<'PY'
import json, resource, subprocess, sys
conns, secs, script, url, pin = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
out = subprocess.run(pin + ["wrk", "-t1", f"-c{conns}", f"-d{secs}s", "-s", script, url],
                     capture_output=True, text=True, check=True).stdout
w = json.loads([l for l in out.splitlines() if l.startswith('{"tool":"wrk"')][-1])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
errors = w["non2xx"] + w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]
print(json.dumps({"op": "send", "count": w["requests"], "concurrency": int(conns),
  "wall_s": w["duration_s"], "msgs_per_s": w["req_per_s"], "cpu_user_s": round(ru.ru_utime, 3),
  "cpu_sys_s": round(ru.ru_stime, 3), "cpu_us_per_msg": round(cpu / w["requests"] * 1e6, 1),
  "max_rss_kb": ru.ru_maxrss, "errors": errors}))
PY
}

run_load() {  # OP COUNT CONCURRENCY
  "${PIN[@]}" "$LOAD" --endpoint "$ENDPOINT" --queue-url "$QUEUE_URL" --op "$1" --count "$2" \
    --concurrency "$3" --body-bytes 1024 | tail -n 1
}
run_node() {  # OP COUNT CONCURRENCY
  NODE_NO_WARNINGS=1 "${PIN[@]}" node "$KIT/node-sdk/bench.mjs" --endpoint "$ENDPOINT" --queue-url "$QUEUE_URL" \
    --op "$1" --count "$2" --concurrency "$3" | tail -n 1
}

# name | client | command. Counts make each sqs-load run last a few seconds.
CASES=(
  "send c=1|wrk|run_wrk 1"
  "send c=16|wrk|run_wrk 16"
  "send c=1|sqs-load|run_load send $((30000 / SCALE)) 1"
  "send c=16|sqs-load|run_load send $((200000 / SCALE)) 16"
  "send-batch c=4|sqs-load|run_load send-batch $((500000 / SCALE)) 4"
  "send-batch c=16|sqs-load|run_load send-batch $((500000 / SCALE)) 16"
  "recv-delete c=16|sqs-load|run_load recv-delete $((200000 / SCALE)) 16"
  "recv-delete-batch c=16|sqs-load|run_load recv-delete-batch $((500000 / SCALE)) 16"
)
if ((NODE)); then
  CASES+=(
    "send c=1|node-sdk|run_node send $((4000 / SCALE)) 1"
    "send c=16|node-sdk|run_node send $((10000 / SCALE)) 16"
    "send-batch c=4|node-sdk|run_node send-batch $((50000 / SCALE)) 4"
    "recv-delete c=16|node-sdk|run_node recv-delete $((10000 / SCALE)) 16"
  )
fi
((SCALE > 1)) && WRK_S=$(( (WRK_S + SCALE - 1) / SCALE ))

echo "sqs-load: $LOAD; clients on CPU $CLIENT_CPU, nginx (pid $NGINX_PID) on CPU $SERVER_CPU;" \
  "$RUNS rounds; results in $RESULTS" >&2
for ((run = 1; run <= RUNS; run++)); do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name client cmd <<<"$c"
    l=$(load1)
    # A failed run (non-zero exit: errors) still prints its line, which shows the errors.
    json=$($cmd || true)
    [[ $json == \{* ]] || { echo "run $run $client $name: no result line" >&2; continue; }
    record "$name" "$client" "$run" "$l" "$json"
    echo "run $run  $client  $name  load $l  $json" >&2
  done
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["name"], r["client"]), []).append(r)
med = lambda rs, k: statistics.median(r[k] for r in rs if r[k] is not None) if any(r[k] is not None for r in rs) else None
table = {}
print(f"| op | client | msgs/s | CPU µs/msg | peak RSS MB | errors | runs | load avg |")
print(f"|---|---|---:|---:|---:|---:|---:|---|")
for (name, client), rs in groups.items():
    m = {k: med(rs, k) for k in ("msgs_per_s", "cpu_us_per_msg", "max_rss_kb", "load1")}
    table[(name, client)] = m
    loads = "/".join(f"{r['load1']:.1f}" for r in rs)
    print(f"| {name} | {client} | {m['msgs_per_s']:,.0f} | {m['cpu_us_per_msg']:.1f} | "
          f"{m['max_rss_kb'] / 1024:.1f} | {sum(r['errors'] for r in rs)} | {len(rs)} | {loads} |")

def get(name, client, k):
    return table.get((name, client), {}).get(k)
print()
print("Targets (medians):")
def check(label, value, limit, better):
    if value is None:
        print(f"  {label}: not measured"); return
    ok = value <= limit if better == "le" else value >= limit
    sign = "≤" if better == "le" else "≥"
    print(f"  {label}: {value:.1f} (target {sign} {limit}) {'MET' if ok else 'MISSED'}")
check("send c=16 CPU µs/msg", get("send c=16", "sqs-load", "cpu_us_per_msg"), 25, "le")
for c, pct in (("16", 50), ("1", 70)):
    a, w = get(f"send c={c}", "sqs-load", "msgs_per_s"), get(f"send c={c}", "wrk", "msgs_per_s")
    check(f"send c={c} rate, % of wrk (ratio of medians)", a / w * 100 if a and w else None, pct, "ge")
    # The same ratio round by round (wrk and sqs-load a few seconds apart, similar load).
    by_run = {}
    for r in rows:
        if r["name"] == f"send c={c}" and r["client"] in ("wrk", "sqs-load"):
            by_run.setdefault(r["run"], {})[r["client"]] = r["msgs_per_s"]
    ratios = [v["sqs-load"] / v["wrk"] * 100 for v in by_run.values() if len(v) == 2 and v["wrk"]]
    check(f"send c={c} rate, % of wrk (median of per-round ratios)",
          statistics.median(ratios) if ratios else None, pct, "ge")
check("send-batch c=4 CPU µs/msg", get("send-batch c=4", "sqs-load", "cpu_us_per_msg"), 8, "le")
check("send-batch c=16 CPU µs/msg", get("send-batch c=16", "sqs-load", "cpu_us_per_msg"), 8, "le")
check("recv-delete c=16 CPU µs/msg", get("recv-delete c=16", "sqs-load", "cpu_us_per_msg"), 25, "le")
check("recv-delete-batch c=16 CPU µs/msg", get("recv-delete-batch c=16", "sqs-load", "cpu_us_per_msg"), 10, "le")
rss = max((m["max_rss_kb"] for (n, c), m in table.items() if c == "sqs-load"), default=None)
check("sqs-load peak RSS MB (max over ops)", rss / 1024 if rss else None, 15, "le")
PY
