#!/usr/bin/env bash
# Issue #10's performance check: the canned sqs-load figures (docs/PERFORMANCE.md) with
# credentials from a refreshing provider as with static ones. A tiny container-credentials
# endpoint (python3, 127.0.0.1 only) answers the ECS JSON (AccessKeyId, SecretAccessKey, Token,
# Expiration = now + LIFETIME); sqs-load runs each op RUNS times against the canned SQS endpoint
# with, in turn:
#   static       explicit keys in ClientConfig (what run-canned.sh measures)
#   environment  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN through the
#                default chain; the session token is the container's, so that these two sign
#                the same headers and differ only by where the credentials come from
#   container    AWS_CONTAINER_CREDENTIALS_FULL_URI through the default chain (no keys in the
#                environment): the refreshing cache, as on ECS / EKS Pod Identity
# and prints a table of medians (msgs/s, client CPU µs per message) and the endpoint's fetches.
#
# Usage: bench/scripts/run-credentials.sh [-r RUNS] [-p PORT] [-l LIFETIME_S] [--quick]
#   -r RUNS        rounds (default 3); each figure is the median of its RUNS runs
#   -p PORT        port of the canned nginx (default 8900); reused if it already answers there
#                  (and then left running), else started under its own prefix and stopped
#   -l SECONDS     lifetime of the container credentials (default 300: 5-minute credentials;
#                  e.g. 6 makes the cache refresh in the background every 3 s during each run)
#   --quick        counts divided by 5 (a smoke test, not a measurement)
# Env: SQS_LOAD (default build-cred/bin, build-load/bin, then build/bin), SQS_BENCH_KIT
#      (default ../shared/bench next to the repo), CLIENT_CPU / SERVER_CPU (taskset cores of
#      sqs-load / of nginx and the credentials endpoint when this script starts them; 0 / 1),
#      RESULTS (JSON lines of every run; default a temp file).
set -euo pipefail
export AWS_EC2_METADATA_DISABLED=true  # never ask an instance metadata service for anything

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KIT=${SQS_BENCH_KIT:-$(cd "$ROOT/.." && pwd)/shared/bench}
RUNS=3 PORT=8900 LIFETIME=300 SCALE=1
while (($#)); do
  case $1 in
    -r) RUNS=$2; shift 2 ;;
    -p) PORT=$2; shift 2 ;;
    -l) LIFETIME=$2; shift 2 ;;
    --quick) SCALE=5; shift ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-credentials.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $LIFETIME =~ ^[0-9]+$ ]] && ((LIFETIME >= 2)) || { echo "-l: seconds >= 2" >&2; exit 2; }

LOAD=${SQS_LOAD:-}
if [[ -z $LOAD ]]; then
  for c in "$ROOT/build-cred/bin/sqs-load" "$ROOT/build-load/bin/sqs-load" "$ROOT/build/bin/sqs-load"; do
    [[ -x $c ]] && { LOAD=$c; break; }
  done
fi
[[ -x ${LOAD:-} ]] || { echo "sqs-load not found: build it (cmake --build BUILD --target sqs-load) or set SQS_LOAD" >&2; exit 1; }
"$LOAD" --help | grep -q -- --credentials || { echo "$LOAD has no --credentials option: rebuild it" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 not found (the credentials endpoint needs it)" >&2; exit 1; }

CLIENT_CPU=${CLIENT_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
ENDPOINT=http://127.0.0.1:$PORT
QUEUE_URL=$ENDPOINT/000000000000/bench
RESULTS=${RESULTS:-$(mktemp /tmp/sqs-cred-results.XXXXXX)}
: > "$RESULTS"
WORK=$(mktemp -d /tmp/sqs-cred-bench.XXXXXX)

STARTED_NGINX=0
CRED_PID=
cleanup() {
  [[ -n $CRED_PID ]] && kill "$CRED_PID" 2>/dev/null || true
  if ((STARTED_NGINX)); then "$KIT/canned/stop.sh" >/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if "$KIT/canned/verify.sh" "$PORT" >/dev/null 2>&1; then
  echo "canned endpoint already answering on $ENDPOINT: reusing it (left running)" >&2
else
  export SQS_BENCH_CANNED_PREFIX=${SQS_BENCH_CANNED_PREFIX:-/tmp/sqs-cred-canned-${USER:-$(id -un)}}
  NGINX_PID=$("$KIT/canned/start.sh" "$PORT")
  STARTED_NGINX=1
  "$KIT/canned/verify.sh" "$PORT" >/dev/null
  for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID"); do taskset -a -p -c "$SERVER_CPU" "$p" >/dev/null; done
fi

# A session token of a real STS token's size (they run to about 1 KB): signed into every request.
SESSION_TOKEN=$(python3 -c 'print("IQoJb3JpZ2luX2VjEXAMPLE" + "x" * 1000)')
export SESSION_TOKEN
# The container credentials endpoint: 127.0.0.1, a free port (written to $WORK/port), each
# answer counted in $WORK/fetches. It checks the Authorization header as ECS / EKS would.
taskset -c "$SERVER_CPU" python3 - "$WORK" "$LIFETIME" <<'PY' &
import datetime, http.server, json, os, sys, threading
work, lifetime = sys.argv[1], int(sys.argv[2])
lock, fetches = threading.Lock(), [0]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path != "/creds" or self.headers.get("Authorization") != "bench-auth-token":
            body, status = b'{"message":"no"}', 403
        else:
            exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
            with lock:
                fetches[0] += 1
                n = fetches[0]
                with open(os.path.join(work, "fetches"), "w") as f:
                    f.write(str(n))
            body = json.dumps({"AccessKeyId": f"ASIABENCH{n:08d}",
                               "SecretAccessKey": "benchSecretKeyEXAMPLEEXAMPLEEXAMPLE00",
                               "Token": os.environ["SESSION_TOKEN"], "RoleArn": "arn:aws:iam::1:role/bench",
                               "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")}).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(work, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
server.serve_forever()
PY
CRED_PID=$!
for _ in $(seq 50); do [[ -s $WORK/port ]] && break; sleep 0.1; done
[[ -s $WORK/port ]] || { echo "the credentials endpoint did not start" >&2; exit 1; }
CRED_URI=http://127.0.0.1:$(cat "$WORK/port")/creds
fetches() { cat "$WORK/fetches" 2>/dev/null || echo 0; }

PIN=(taskset -c "$CLIENT_CPU")
load1() { cut -d' ' -f1 /proc/loadavg; }

# Every run starts from an environment without any AWS credential setting.
CLEAN=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE
       -u AWS_WEB_IDENTITY_TOKEN_FILE -u AWS_ROLE_ARN -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
       -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN
       -u AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
       AWS_CONFIG_FILE=/nonexistent/sqs-bench-config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/sqs-bench-credentials
       AWS_EC2_METADATA_DISABLED=true)
run_load() {  # CREDENTIALS OP COUNT CONCURRENCY
  local how=$1; shift
  local cmd=("${CLEAN[@]}")
  case $how in
    static) cmd+=("${PIN[@]}" "$LOAD" --credentials static) ;;
    environment) cmd+=(AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
                       AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
                       AWS_SESSION_TOKEN="$SESSION_TOKEN"
                       "${PIN[@]}" "$LOAD" --credentials chain) ;;
    container) cmd+=(AWS_CONTAINER_CREDENTIALS_FULL_URI="$CRED_URI"
                     AWS_CONTAINER_AUTHORIZATION_TOKEN=bench-auth-token
                     "${PIN[@]}" "$LOAD" --credentials chain) ;;
  esac
  "${cmd[@]}" --endpoint "$ENDPOINT" --queue-url "$QUEUE_URL" --op "$1" --count "$2" \
    --concurrency "$3" --body-bytes 1024 | tail -n 1
}

record() {  # NAME CREDENTIALS RUN LOAD FETCHES JSON
  python3 -c 'import json,sys; d=json.loads(sys.argv[6]); d.update(name=sys.argv[1], credentials=sys.argv[2], run=int(sys.argv[3]), load1=float(sys.argv[4]), cred_fetches=int(sys.argv[5])); print(json.dumps(d))' \
    "$@" >> "$RESULTS"
}

# name | op count concurrency: the counts of run-canned.sh.
CASES=(
  "send c=16|send $((200000 / SCALE)) 16"
  "send-batch c=4|send-batch $((500000 / SCALE)) 4"
  "recv-delete-batch c=16|recv-delete-batch $((500000 / SCALE)) 16"
)
echo "sqs-load: $LOAD; client on CPU $CLIENT_CPU; container credentials of ${LIFETIME} s from $CRED_URI;" \
  "$RUNS rounds; results in $RESULTS" >&2
for ((run = 1; run <= RUNS; run++)); do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name args <<<"$c"
    for how in static environment container; do
      l=$(load1)
      before=$(fetches)
      # shellcheck disable=SC2086
      json=$(run_load "$how" $args || true)
      [[ $json == \{* ]] || { echo "run $run $how $name: no result line" >&2; continue; }
      record "$name" "$how" "$run" "$l" "$(( $(fetches) - before ))" "$json"
      echo "run $run  $how  $name  load $l  fetches $(( $(fetches) - before ))  $json" >&2
    done
  done
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["name"], r["credentials"]), []).append(r)
med = lambda rs, k: statistics.median(r[k] for r in rs)
loads = lambda rs: "/".join(f"{r['load1']:.1f}" for r in rs)
print("| op | credentials | msgs/s | CPU µs/msg | peak RSS MB | errors | credential fetches | runs | load avg |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
base = {}
for (name, how), rs in groups.items():
    rate, cpu = med(rs, "msgs_per_s"), med(rs, "cpu_us_per_msg")
    if how == "static":
        base[name] = (rate, cpu)
    delta = ""
    if how != "static" and name in base:
        delta = f" ({(rate / base[name][0] - 1) * 100:+.1f} %)"
        cpu_delta = f" ({cpu - base[name][1]:+.1f})"
    else:
        cpu_delta = ""
    print(f"| {name} | {how} | {rate:,.0f}{delta} | {cpu:.1f}{cpu_delta} | "
          f"{med(rs, 'max_rss_kb') / 1024:.1f} | {sum(r['errors'] for r in rs)} | "
          f"{'/'.join(str(r['cred_fetches']) for r in rs) if how == 'container' else '-'} | "
          f"{len(rs)} | {loads(rs)} |")
PY
