#!/usr/bin/env bash
# sqs::Consumer (through `sqsctl consume`) over one local SQS server (fauxqs) and over two
# (docs/PERFORMANCE.md, issue #9: the client must not be the bottleneck). Starts two fauxqs
# servers, creates the queue in both, then RUNS rounds of: COUNT messages put in server 1 and
# consumed from it alone; COUNT messages split over both and consumed from both at once. Each run
# reports the rate (messages handled and deleted per second), the CPU seconds of the consumer
# process and of the servers, and the consumer's share of all of it.
#
# Usage: bench/scripts/run-consumer-regions.sh [-r RUNS] [-n COUNT] [-m MAX_IN_FLIGHT]
#   defaults: 3 rounds of 20,000 messages, --max-in-flight 200.
# Env: SQSCTL (default build/bin/sqsctl).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=3 COUNT=20000 MAX_IN_FLIGHT=200
while (($#)); do
  case $1 in
    -r) RUNS=$2; shift 2 ;;
    -n) COUNT=$2; shift 2 ;;
    -m) MAX_IN_FLIGHT=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-consumer-regions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
SQSCTL=${SQSCTL:-$ROOT/build/bin/sqsctl}
NODE=$ROOT/emulator/node_modules/.bin/node
[[ -x $SQSCTL ]] || { echo "no $SQSCTL: build it first" >&2; exit 1; }
[[ -x $NODE ]] || { echo "the emulator is not installed: run scripts/setup.sh" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-bench} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-bench}
export AWS_EC2_METADATA_DISABLED=true  # never ask an instance metadata service for anything

work=$(mktemp -d "${TMPDIR:-/tmp}/sqs-consumer-regions.XXXXXX")
pids=()
trap '{ kill "${pids[@]}"; wait; } 2>/dev/null || true; rm -rf "$work"' EXIT
start() {  # start NAME REGION: sets E_NAME and P_NAME (not in a subshell: pids must stay)
  "$NODE" --no-warnings "$ROOT/emulator/start.mjs" --exit-with-parent --port 0 --region "$2" >"$work/$1.out" 2>&1 &
  pids+=($!)
  printf -v "P_$1" '%s' "$!"
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

# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }
fill() {  # fill ENDPOINT REGION N
  seq "$3" | awk '{printf "{\"Body\":\"message %d of the consumer benchmark, a hundred bytes or so of payload...........\"}\n", $1}' |
    "$SQSCTL" --endpoint "$1" --region "$2" send-batch --concurrency 16 bench >/dev/null
}
# Warm-up, not counted (node's JIT and SQLite's caches).
fill "$E1" us-east-1 5000
fill "$E2" eu-west-1 5000
"$SQSCTL" consume "$Q1" "$Q2" --count 10000 --max-in-flight "$MAX_IN_FLIGHT" --wait-seconds 1 >/dev/null 2>&1
sleep 2

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rates1=() rates2=() shares1=() shares2=()
TIMEFORMAT='%R %U %S'
for round in $(seq "$RUNS"); do
  for servers in 1 2; do
    specs=("$Q1")
    if ((servers == 1)); then
      fill "$E1" us-east-1 "$COUNT"
    else
      fill "$E1" us-east-1 $((COUNT / 2))
      fill "$E2" eu-west-1 $((COUNT - COUNT / 2))
      specs+=("$Q2")
    fi
    s1=$(cpu_of "$P_r1") s2=$(cpu_of "$P_r2")
    { time "$SQSCTL" consume "${specs[@]}" --count "$COUNT" --max-in-flight "$MAX_IN_FLIGHT" \
        --wait-seconds 1 >/dev/null 2>"$work/consume.err"; } 2>"$work/time"
    read -r wall user sys <"$work/time"
    # The long polls the consumer cancelled when it stopped may still wait on the servers' side
    # (fauxqs does not notice a closed connection): past their 1 s wait they are gone, and cannot
    # take messages of the next fill (which would then hide for a visibility timeout).
    sleep 2
    server_cpu=$(echo "$(cpu_of "$P_r1") - $s1 + $(cpu_of "$P_r2") - $s2" | bc -l)
    client_cpu=$(echo "$user + $sys" | bc -l)
    rate=$(echo "scale=1; $COUNT / $wall" | bc -l)
    share=$(echo "scale=1; 100 * $client_cpu / ($client_cpu + $server_cpu)" | bc -l)
    per_msg=$(echo "scale=1; 1000000 * $client_cpu / $COUNT" | bc -l)
    printf 'round %s, %s server(s): %s msgs/s, wall %s s, consumer CPU %.2f s (%s us/msg), servers CPU %.2f s, consumer share %s%%\n' \
      "$round" "$servers" "$rate" "$wall" "$client_cpu" "$per_msg" "$server_cpu" "$share"
    if ((servers == 1)); then rates1+=("$rate") shares1+=("$share"); else rates2+=("$rate") shares2+=("$share"); fi
  done
done
r1=$(median "${rates1[@]}") r2=$(median "${rates2[@]}")
echo "median: one server $r1 msgs/s (consumer share of the CPU $(median "${shares1[@]}")%), two servers $r2 msgs/s (share $(median "${shares2[@]}")%), ratio $(echo "scale=2; $r2 / $r1" | bc -l)"
