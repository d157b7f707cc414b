#!/usr/bin/env bash
# The main job (README command 1, after scripts/setup.sh): the same queue in two regions, used
# all the time, with a circuit breaker per region — and a regional outage that costs nothing.
#
# Builds sqsctl, starts two local SQS servers (fauxqs, regions us-east-1 and eu-west-1, each
# persisting to its own data directory), creates the queue "demo" in both and runs
# `sqsctl bench` over them: 20,000 unique messages sent through the failover dispatcher, received
# from both regions in parallel. A third of the way in, region 1's server is killed (SIGKILL); it
# is restarted DEMO_DOWNTIME seconds later on the same port and data directory. The summary at the
# end shows that nothing was lost, that region 1's breaker went closed -> open -> half-open ->
# closed, and that the traffic moved to region 2 and back.
#
# Breaker settings (documented in the summary too): trip=consecutive:3 (three failures in a row
# open it: a dead region is caught within a few calls), interval=1s (counters of the closed state
# start again every second), open-timeout=2s (a fixed open period, easier to follow than the
# default exponential back-off: every 2 s a few probe calls test the region), half-open-successes=4
# (four probes in a row must succeed before the region takes its full share again).
#
# The sends are paced at DEMO_RATE messages a second (1000): unpaced, an idle machine moves the
# 20,000 messages in about ten seconds and the outage would be over before anyone sees it; a
# busy machine simply goes slower. (Throughput is `sqsctl bench` without --rate.)
#
# Environment: DEMO_COUNT (20000), DEMO_RATE (1000; 0: unpaced), DEMO_CONCURRENCY (64),
# DEMO_DOWNTIME (5 seconds), DEMO_BUILD_DIR (build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NODE=emulator/node_modules/.bin/node
if [[ ! -x $NODE ]]; then
  echo "demo: the local SQS server is not installed: run ./scripts/setup.sh first" >&2
  exit 1
fi
COUNT=${DEMO_COUNT:-20000}
RATE=${DEMO_RATE:-1000}
CONCURRENCY=${DEMO_CONCURRENCY:-64}
DOWNTIME=${DEMO_DOWNTIME:-5}
BREAKER="trip=consecutive:3,interval=1s,open-timeout=2s,half-open-successes=4"

BUILD=${DEMO_BUILD_DIR:-build}
echo "== building sqsctl ($BUILD/) ==" >&2
cmake -S . -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target sqsctl >/dev/null
SQSCTL=$BUILD/bin/sqsctl

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-demo} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/aws-cpp-sqs-demo.XXXXXX")
declare -A server_pid=()
cleanup() {
  { for pid in "${server_pid[@]}"; do kill -9 "$pid" || true; done
    [[ -n ${bench_pid:-} ]] && kill "$bench_pid" || true
    wait; } 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }

# start_server NAME REGION PORT: starts (or restarts) a server on PORT (0: a free one) with the
# data directory of NAME, and waits until it listens; sets server_port[NAME].
declare -A server_port=()
start_server() {
  local name=$1 region=$2 port=$3 out="$work/$1.out"
  mkdir -p "$work/$name-data"
  : >"$out"
  "$NODE" --no-warnings emulator/start.mjs --exit-with-parent --port "$port" --region "$region" \
    --data-dir "$work/$name-data" >"$out" 2>"$work/$name.err" &
  server_pid[$name]=$!
  for _ in $(seq 300); do
    grep -q '"port"' "$out" && break
    kill -0 "${server_pid[$name]}" 2>/dev/null || { cat "$work/$name.err" >&2; return 1; }
    sleep 0.05
  done
  server_port[$name]=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out")
  [[ -n ${server_port[$name]} ]]
}

# A free loopback port for the bench's control endpoint.
free_port() {
  "$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The bench's status (the control endpoint answers it on any GET); empty once the bench is gone.
status() { curl -s --max-time 2 "http://127.0.0.1:$CONTROL/" 2>/dev/null || true; }
# The first value of a key in JSON on stdin (top-level "sent" comes before the queues' ones, and
# the first "state" is region 1's).
field() { grep -o "\"$1\":[^,}]*" | head -n 1 | cut -d: -f2 | tr -d '"'; }

start_server r1 us-east-1 0
start_server r2 eu-west-1 0
E1="http://127.0.0.1:${server_port[r1]}"
E2="http://127.0.0.1:${server_port[r2]}"
echo "region 1: us-east-1 on $E1, region 2: eu-west-1 on $E2 (data under $work)" >&2
$SQSCTL --endpoint "$E1" --region us-east-1 create-queue demo >/dev/null
$SQSCTL --endpoint "$E2" --region eu-west-1 create-queue demo >/dev/null
CONTROL=$(free_port)

echo "== sqsctl bench: $COUNT messages over both regions; region 1 dies a third of the way in ==" >&2
$SQSCTL bench \
  --queue "demo,endpoint=$E1,region=us-east-1" \
  --queue "demo,endpoint=$E2,region=eu-west-1" \
  --count "$COUNT" --rate "$RATE" --concurrency "$CONCURRENCY" \
  --breaker "$BREAKER" --control "127.0.0.1:$CONTROL" >"$work/bench.out" &
bench_pid=$!

# A third of the way in: kill region 1 (SIGKILL, as a region that vanishes), and note the
# per-region counts at that moment.
third=$((COUNT / 3))
kill_at="" restart_at="" at_kill="" at_restart="" at_closed=""
while kill -0 "$bench_pid" 2>/dev/null; do
  s=$(status)
  if [[ -n $s && $(field sent <<<"$s") -ge $third ]]; then
    # (The braces take bash's "Killed" notice away with the rest of the noise.)
    { kill -9 "${server_pid[r1]}"; kill_at=$(now); wait "${server_pid[r1]}"; } 2>/dev/null || true
    at_kill=$s
    break
  fi
  sleep 0.1
done

if [[ -n $kill_at ]]; then
  sleep "$DOWNTIME"
  at_restart=$(status)
  start_server r1 us-east-1 "${server_port[r1]}"
  restart_at=$(now)
  # Until region 1's breaker has closed again: the end of the outage, as the clients saw it.
  while kill -0 "$bench_pid" 2>/dev/null; do
    s=$(status)
    if [[ -n $s && $(field state <<<"$s") == closed ]]; then at_closed=$s; break; fi
    sleep 0.1
  done
fi

status_code=0
wait "$bench_pid" || status_code=$?
bench_pid=""
result=$(tail -n 1 "$work/bench.out")
echo
echo "$result"
echo

# A human summary, from the JSON above and the moments the demo noted.
KILL_AT=$kill_at RESTART_AT=$restart_at AT_KILL=$at_kill AT_RESTART=$at_restart AT_CLOSED=$at_closed \
  BREAKER=$BREAKER DOWNTIME=$DOWNTIME RATE=$RATE RESULT=$result "$NODE" -e '
const r = JSON.parse(process.env.RESULT);
const snap = (name) => (process.env[name] ? JSON.parse(process.env[name]) : null);
const t = (unix) => (unix ? Number(unix) - r.started_unix_s : null);
const f = (x) => x.toFixed(2) + " s";
const names = r.queues.map((q, i) => `region ${i + 1} (${q.region})`);
console.log("Summary");
const paced = Number(process.env.RATE) > 0 ? `, paced at ${process.env.RATE}/s at most` : "";
console.log(`  ${r.sent} messages sent in ${f(r.elapsed_s)} (${Math.round(r.send_msgs_per_s)} msgs/s${paced}), ` +
            `${r.received} received, ${r.unique} unique, ${r.duplicates} duplicates, ` +
            `LOST ${r.lost}, send errors ${r.send_errors}`);
r.queues.forEach((q, i) =>
  console.log(`  ${names[i]}: sent ${q.sent}, received ${q.received}, breaker now ${q.state}`));
const kill = t(process.env.KILL_AT), restart = t(process.env.RESTART_AT);
if (kill !== null) {
  console.log(`  region 1 killed at ${f(kill)}, restarted at ${f(restart)} ` +
              `(down ${f(restart - kill)}); breaker ${process.env.BREAKER}`);
}
r.queues.forEach((q, i) => {
  if (!q.transitions.length) return;
  console.log(`  ${names[i]} breaker: closed` +
              q.transitions.map((x) => ` -> ${x.to} (${f(x.at_s)})`).join(""));
});
const q0 = r.queues[0];
const opened = q0.transitions.find((x) => x.to === "open" && kill !== null && x.at_s >= kill - 0.5);
if (opened) {
  console.log(`  kill -> breaker open: ${Math.round((opened.at_s - kill) * 1000)} ms`);
}
const closed = [...q0.transitions].reverse().find((x) => x.to === "closed");
if (closed && restart !== null) {
  console.log(`  restart -> breaker closed: ${Math.round((closed.at_s - restart) * 1000)} ms`);
}
// Where the sends went, phase by phase (per-region counts noted at the kill and once the breaker
// had closed again).
const counts = (s) => (s ? s.queues.map((q) => q.sent) : null);
const phases = [["before the kill", [0, 0], counts(snap("AT_KILL"))],
                ["outage (kill -> breaker closed)", counts(snap("AT_KILL")), counts(snap("AT_CLOSED"))],
                ["after recovery", counts(snap("AT_CLOSED")), r.queues.map((q) => q.sent)]];
console.log("  traffic (sends per region):");
for (const [label, from, to] of phases) {
  if (!from || !to) continue;
  const d = to.map((x, i) => x - from[i]);
  const total = d.reduce((a, b) => a + b, 0) || 1;
  console.log(`    ${label.padEnd(33)} ` +
              d.map((x, i) => `${names[i]} ${String(x).padStart(6)} (${Math.round(100 * x / total)}%)`).join("   "));
}
const seq = q0.transitions.map((x) => x.to);
const recovered = kill !== null && seq.includes("open") && seq.includes("half-open") && seq[seq.length - 1] === "closed";
console.log(r.lost === 0 && r.send_errors === 0 && (kill === null || recovered)
  ? "demo OK: nothing lost; region 1 went closed -> open -> half-open -> closed and took its share back"
  : "demo FAILED");
process.exitCode = r.lost === 0 && r.send_errors === 0 && (kill === null || recovered) ? 0 : 1;
' || status_code=1
exit "$status_code"
