#!/usr/bin/env bash
# Many concurrent long polls from one client (docs/PERFORMANCE.md): starts a fauxqs on
# 127.0.0.1 with an empty queue, runs `sqs-load --op long-poll` RUNS times and prints its JSON
# lines (threads_max and rss_kb_max sampled from /proc/self/status while the polls are out;
# poll_min_s / poll_max_s: return time of the polls; early / late: polls that returned before
# their wait was over / more than 1 s after it).
#
# Usage: bench/scripts/run-long-poll.sh [-c CONCURRENCY] [-w WAIT_SECONDS] [-r RUNS]
#   defaults: 1000 polls in flight, 20 s, 3 runs.
# Env: SQS_LOAD (the sqs-load binary; default build-load/bin, then build/bin).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONC=1000 WAIT=20 RUNS=3
while (($#)); do
  case $1 in
    -c) CONC=$2; shift 2 ;;
    -w) WAIT=$2; shift 2 ;;
    -r) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-long-poll.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
LOAD=${SQS_LOAD:-}
if [[ -z $LOAD ]]; then
  for c in "$ROOT/build-load/bin/sqs-load" "$ROOT/build/bin/sqs-load"; do
    [[ -x $c ]] && { LOAD=$c; break; }
  done
fi
[[ -x ${LOAD:-} ]] || { echo "sqs-load not found: build it or set SQS_LOAD" >&2; exit 1; }

NODE_BIN=$ROOT/emulator/node_modules/.bin/node
[[ -x $NODE_BIN ]] || { echo "fauxqs not installed (scripts/setup.sh or npm ci in emulator/)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/sqs-load-longpoll.XXXXXX)
"$NODE_BIN" --no-warnings "$ROOT/emulator/start.mjs" --port 0 > "$DIR/fauxqs.out" 2> "$DIR/fauxqs.err" &
FAUXQS_PID=$!
trap 'kill "$FAUXQS_PID" 2>/dev/null || true; wait "$FAUXQS_PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do
  [[ -s $DIR/fauxqs.out ]] && break
  kill -0 "$FAUXQS_PID" 2>/dev/null || { cat "$DIR/fauxqs.err" >&2; exit 1; }
  sleep 0.1
done
PORT=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["port"])' < "$DIR/fauxqs.out")
ENDPOINT=http://127.0.0.1:$PORT

# CreateQueue in the JSON protocol (fauxqs does not check signatures).
curl -sS -f -o /dev/null -X POST "$ENDPOINT/" \
  -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: AmazonSQS.CreateQueue' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0' \
  --data '{"QueueName":"long-poll"}'
QUEUE_URL=$ENDPOINT/000000000000/long-poll

echo "fauxqs pid $FAUXQS_PID on $ENDPOINT; $CONC polls of $WAIT s, $RUNS runs" >&2
for ((run = 1; run <= RUNS; run++)); do
  l=$(cut -d' ' -f1 /proc/loadavg)
  json=$("$LOAD" --endpoint "$ENDPOINT" --queue-url "$QUEUE_URL" --op long-poll \
    --concurrency "$CONC" --count "$CONC" --wait-seconds "$WAIT" | tail -n 1) || true
  echo "run $run  load $l  $json"
done
