#!/usr/bin/env bash
# `sqsctl bench` over one local SQS server (fauxqs) and over two (docs/PERFORMANCE.md, issue #3:
# two servers must move at least 1.5x the messages per second of one). Starts two fauxqs
# servers, creates the queue in both, warms them up, then RUNS rounds of: the bench over server 1
# alone, and over both; prints each run's JSON summary and the ratios of the median rates: messages
# moved end to end (count / elapsed_s: sent, received and deleted) and the send rate alone.
#
# Usage: bench/scripts/run-regions.sh [-r RUNS] [-n COUNT] [-c CONCURRENCY] [-R RECEIVERS] [-P]
#   defaults: 3 rounds of 20,000 messages, the bench's defaults for concurrency and receivers;
#   -P sends through sqs::Producer (`sqsctl bench --producer`).
# Env: SQSCTL (default build/bin/sqsctl).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=3 COUNT=20000 EXTRA=()
while (($#)); do
  case $1 in
    -r) RUNS=$2; shift 2 ;;
    -n) COUNT=$2; shift 2 ;;
    -c) EXTRA+=(--concurrency "$2"); shift 2 ;;
    -R) EXTRA+=(--receivers "$2"); shift 2 ;;
    -P) EXTRA+=(--producer); shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-regions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
SQSCTL=${SQSCTL:-$ROOT/build/bin/sqsctl}
NODE=$ROOT/emulator/node_modules/.bin/node
[[ -x $SQSCTL ]] || { echo "no $SQSCTL: build it first" >&2; exit 1; }
[[ -x $NODE ]] || { echo "the emulator is not installed: run scripts/setup.sh" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-bench} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-bench}
export AWS_EC2_METADATA_DISABLED=true  # never ask an instance metadata service for anything

work=$(mktemp -d "${TMPDIR:-/tmp}/sqs-regions.XXXXXX")
pids=()
trap '{ kill "${pids[@]}"; wait; } 2>/dev/null || true; rm -rf "$work"' EXIT
start() {  # start NAME REGION: sets E_NAME to the endpoint (not in a subshell: pids must stay)
  "$NODE" --no-warnings "$ROOT/emulator/start.mjs" --exit-with-parent --port 0 --region "$2" >"$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q '"port"' "$work/$1.out" && break; sleep 0.05; done
  printf -v "E_$1" 'http://127.0.0.1:%s' "$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/$1.out")"
}
start r1 us-east-1
start r2 eu-west-1
E1=$E_r1 E2=$E_r2
"$SQSCTL" --endpoint "$E1" --region us-east-1 create-queue bench >/dev/null
"$SQSCTL" --endpoint "$E2" --region eu-west-1 create-queue bench >/dev/null
Q1="bench,endpoint=$E1,region=us-east-1"
Q2="bench,endpoint=$E2,region=eu-west-1"

# Warm-up, not counted: node's JIT and SQLite's caches make a fresh server's first ten thousand
# messages markedly slower, and the one-server run would otherwise pay for both.
"$SQSCTL" bench --queue "$Q1" --queue "$Q2" --count "$COUNT" "${EXTRA[@]}" >/dev/null 2>&1

one=() two=() one_moved=() two_moved=()
rate() { grep -o '"send_msgs_per_s":[0-9.]*' | cut -d: -f2; }
# Messages moved end to end per second: sent, received and deleted, over the whole run.
moved() {
  local unique elapsed
  unique=$(grep -o '"unique":[0-9]*' <<<"$1" | head -n 1 | cut -d: -f2)
  elapsed=$(grep -o '"elapsed_s":[0-9.]*' <<<"$1" | head -n 1 | cut -d: -f2)
  echo "scale=1; $unique / $elapsed" | bc -l
}
for round in $(seq "$RUNS"); do
  for servers in 1 2; do
    queues=(--queue "$Q1")
    ((servers == 2)) && queues+=(--queue "$Q2")
    out=$("$SQSCTL" bench "${queues[@]}" --count "$COUNT" "${EXTRA[@]}" 2>/dev/null | tail -n 1)
    r=$(rate <<<"$out") m=$(moved "$out")
    echo "round $round, $servers server(s), load $(cut -d' ' -f1 /proc/loadavg), moved $m msgs/s: $out"
    if ((servers == 1)); then one+=("$r") one_moved+=("$m"); else two+=("$r") two_moved+=("$m"); fi
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1=$(median "${one_moved[@]}") m2=$(median "${two_moved[@]}")
echo "median moved (sent + received, count / elapsed_s): one server $m1 msgs/s, two servers $m2 msgs/s, ratio $(echo "scale=2; $m2 / $m1" | bc -l) (target >= 1.5)"
m1=$(median "${one[@]}") m2=$(median "${two[@]}")
echo "median send rate (send_msgs_per_s): one server $m1 msgs/s, two servers $m2 msgs/s, ratio $(echo "scale=2; $m2 / $m1" | bc -l)"
