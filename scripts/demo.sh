#!/usr/bin/env bash
# The main job (README command 1, after scripts/setup.sh): the same queue in two regions, used
# all the time, with a circuit breaker per region — and regional trouble that costs nothing.
#
# Builds sqsctl, starts two local SQS servers (fauxqs, regions us-east-1 and eu-west-1, each
# persisting to its own data directory), creates the queue "demo" in both and runs
# `sqsctl bench` over them: 40,000 unique messages sent through the failover dispatcher, received
# from both regions in parallel, in two acts.
#  1. A quarter of the way in, region 1's server is killed (SIGKILL: a region that vanishes,
#     connections refused); it is restarted DEMO_DOWNTIME seconds later on the same port and data
#     directory.
#  2. Three fifths of the way in (once region 1 has recovered), region 2's server is frozen
#     (SIGSTOP: a region that hangs, connections accepted and never answered) for DEMO_FREEZE
#     seconds, then thawed (SIGCONT) while traffic goes on.
# The summary at the end shows that nothing was lost, region 1's breaker going closed -> open ->
# half-open -> closed and the traffic moving to region 2 and back; then, for the freeze, the send
# rate and the send latency (p99 per second) during it next to the healthy figures, and how soon
# region 2's breaker opened (from the bench's final JSON: its per-second timeline and the
# breakers' transitions).
#
# Breaker settings (documented in the summary too): trip=consecutive:3 (three failures in a row
# open it: a dead region is caught within a few calls), interval=1s (counters of the closed state
# start again every second), open-timeout=2s (a fixed open period, easier to follow than the
# default exponential back-off: every 2 s a few probe calls test the region), half-open-successes=4
# (four probes in a row must succeed before the region takes its full share again).
# DEMO_BREAKER=default runs with the library's default breaker instead (no --breaker).
# A frozen region's calls do not fail, they hang: the dispatcher steers new sends around a queue
# whose calls stop coming back (stalled) within tens of milliseconds, and counts a call
# outstanding past the slow-call threshold (1 s here) as a failure at once, long before the
# client's request timeout (10 s).
#
# The sends are paced at DEMO_RATE messages a second (1000): unpaced, an idle machine moves the
# messages in seconds and the outages would be over before anyone sees them; a busy machine
# simply goes slower. (Throughput is `sqsctl bench` without --rate.)
#
# Environment: DEMO_COUNT (40000; 20000 without the second act), DEMO_RATE (1000; 0: unpaced),
# DEMO_CONCURRENCY (64), DEMO_DOWNTIME (5 seconds), DEMO_FREEZE (10 seconds; 0: no second act),
# DEMO_BREAKER (the --breaker settings above; "default": none), DEMO_HEDGE (a --hedge value such
# as 100ms or p95; empty: no hedging), DEMO_BENCH_ARGS (more `sqsctl bench` options, e.g.
# "--max-in-flight 64 --no-adaptive-bulkhead"), DEMO_BUILD_DIR (build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_EC2_METADATA_DISABLED=true

NODE=emulator/node_modules/.bin/node
if [[ ! -x $NODE ]]; then
  echo "demo: the local SQS server is not installed: run ./scripts/setup.sh first" >&2
  exit 1
fi
FREEZE=${DEMO_FREEZE:-10}
if [[ $FREEZE == 0 ]]; then COUNT=${DEMO_COUNT:-20000}; else COUNT=${DEMO_COUNT:-40000}; fi
RATE=${DEMO_RATE:-1000}
CONCURRENCY=${DEMO_CONCURRENCY:-64}
DOWNTIME=${DEMO_DOWNTIME:-5}
BREAKER=${DEMO_BREAKER:-trip=consecutive:3,interval=1s,open-timeout=2s,half-open-successes=4}
HEDGE=${DEMO_HEDGE:-}
options=()
[[ $BREAKER != default ]] && options+=(--breaker "$BREAKER")
[[ -n $HEDGE ]] && options+=(--hedge "$HEDGE")
read -r -a extra <<<"${DEMO_BENCH_ARGS:-}"
options+=("${extra[@]}")

BUILD=${DEMO_BUILD_DIR:-build}
echo "== building sqsctl ($BUILD/) ==" >&2
cmake -S . -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target sqsctl >/dev/null
SQSCTL=$BUILD/bin/sqsctl

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-demo} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/aws-cpp-sqs-demo.XXXXXX")
declare -A server_pid=()
cleanup() {
  # Our own background jobs are killed on purpose: no "Killed" notices for them.
  disown -a 2>/dev/null || true
  { for pid in "${server_pid[@]}"; do kill -CONT "$pid"; kill -9 "$pid" || true; done
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
# Region 2's breaker state in a status.
state2() { grep -o '"state":"[^"]*"' | sed -n 2p | cut -d'"' -f4; }
# Starts a phase of the run named $1 (the final JSON gives each phase's exact send latency).
mark() { curl -s --max-time 2 "http://127.0.0.1:$CONTROL/?mark=$1" >/dev/null 2>&1 || true; }
# Waits (while the bench runs) until it has sent at least $1 messages; prints that status.
wait_sent() {
  local s
  while kill -0 "$bench_pid" 2>/dev/null; do
    s=$(status)
    if [[ -n $s && $(field sent <<<"$s") -ge $1 ]]; then echo "$s"; return 0; fi
    sleep 0.1
  done
  return 1
}

start_server r1 us-east-1 0
start_server r2 eu-west-1 0
E1="http://127.0.0.1:${server_port[r1]}"
E2="http://127.0.0.1:${server_port[r2]}"
echo "region 1: us-east-1 on $E1, region 2: eu-west-1 on $E2 (data under $work)" >&2
$SQSCTL --endpoint "$E1" --region us-east-1 create-queue demo >/dev/null
$SQSCTL --endpoint "$E2" --region eu-west-1 create-queue demo >/dev/null
CONTROL=$(free_port)

acts="region 1 dies a quarter of the way in"
[[ $FREEZE != 0 ]] && acts+=", region 2 freezes for ${FREEZE}s three fifths of the way in"
echo "== sqsctl bench: $COUNT messages over both regions; $acts ==" >&2
$SQSCTL bench \
  --queue "demo,endpoint=$E1,region=us-east-1" \
  --queue "demo,endpoint=$E2,region=eu-west-1" \
  --count "$COUNT" --rate "$RATE" --concurrency "$CONCURRENCY" \
  "${options[@]}" --control "127.0.0.1:$CONTROL" >"$work/bench.out" &
bench_pid=$!

# Act 1, a quarter of the way in: kill region 1 (SIGKILL, as a region that vanishes), and note
# the per-region counts at that moment.
kill_at="" restart_at="" at_kill="" at_restart="" at_closed=""
freeze_at="" thaw_at="" at_freeze="" at_thaw=""
wait_sent 1 >/dev/null && mark healthy
if at_kill=$(wait_sent $((COUNT / 4))); then
  # (The braces take bash's "Killed" notice away with the rest of the noise.)
  mark outage  # (first: a send started after the mark may meet the dead region)
  { kill -9 "${server_pid[r1]}"; kill_at=$(now); wait "${server_pid[r1]}"; } 2>/dev/null || true
  sleep "$DOWNTIME"
  at_restart=$(status)
  start_server r1 us-east-1 "${server_port[r1]}"
  restart_at=$(now)
  # Until region 1's breaker has closed again: the end of the outage, as the clients saw it.
  while kill -0 "$bench_pid" 2>/dev/null; do
    s=$(status)
    if [[ -n $s && $(field state <<<"$s") == closed ]]; then at_closed=$s; mark recovered; break; fi
    sleep 0.1
  done
fi

# Act 2, three fifths of the way in (and after act 1): freeze region 2 for FREEZE seconds.
if [[ $FREEZE != 0 && -n $at_closed ]] && at_freeze=$(wait_sent $((COUNT * 3 / 5))); then
  mark freeze
  kill -STOP "${server_pid[r2]}"
  freeze_at=$(now)
  sleep "$FREEZE"
  at_thaw=$(status)
  kill -CONT "${server_pid[r2]}"
  thaw_at=$(now)
  mark thawed
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
  FREEZE_AT=$freeze_at THAW_AT=$thaw_at AT_FREEZE=$at_freeze AT_THAW=$at_thaw \
  BREAKER=$BREAKER DOWNTIME=$DOWNTIME RATE=$RATE CONCURRENCY=$CONCURRENCY RESULT=$result "$NODE" -e '
const r = JSON.parse(process.env.RESULT);
const snap = (name) => (process.env[name] ? JSON.parse(process.env[name]) : null);
const t = (unix) => (unix ? Number(unix) - r.started_unix_s : null);
const f = (x) => x.toFixed(2) + " s";
const ms = (x) => (x >= 1000 ? (x / 1000).toFixed(2) + " s" : x.toFixed(x < 10 ? 2 : 0) + " ms");
const names = r.queues.map((q, i) => `region ${i + 1} (${q.region})`);
const rate = Number(process.env.RATE);
console.log("Summary");
const paced = rate > 0 ? `, paced at ${rate}/s at most` : "";
console.log(`  ${r.sent} messages sent in ${f(r.elapsed_s)} (${Math.round(r.send_msgs_per_s)} msgs/s${paced}), ` +
            `${r.received} received, ${r.unique} unique, ${r.duplicates} duplicates, ` +
            `LOST ${r.lost}, send errors ${r.send_errors}`);
const lat = (l) => `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`;
console.log(`  send latency over the whole run: ${lat(r.send_latency_ms)}`);
r.queues.forEach((q, i) =>
  console.log(`  ${names[i]}: sent ${q.sent}, received ${q.received}, breaker now ${q.state}; ` +
              `send latency ${lat(q.send_latency_ms)}` +
              (q.hedges ? `; hedged copies ${q.hedges} (won ${q.hedge_wins}, late ${q.late_copies})` : "")));
console.log(`  breaker ${process.env.BREAKER === "default" ? "default (" + r.breaker + ")" : process.env.BREAKER}; ${r.load}`);
r.queues.forEach((q, i) => {
  if (!q.transitions.length) return;
  console.log(`  ${names[i]} breaker: closed` +
              q.transitions.map((x) => ` -> ${x.to} (${f(x.at_s)})`).join(""));
});

// Act 1: the kill.
const kill = t(process.env.KILL_AT), restart = t(process.env.RESTART_AT);
const q0 = r.queues[0], q1 = r.queues[1];
if (kill !== null) {
  console.log(`  act 1: region 1 killed at ${f(kill)}, restarted at ${f(restart)} (down ${f(restart - kill)})`);
  const opened = q0.transitions.find((x) => x.to === "open" && x.at_s >= kill - 0.5);
  if (opened) console.log(`    kill -> breaker open: ${Math.round((opened.at_s - kill) * 1000)} ms`);
  const closed = [...q0.transitions].reverse().find((x) => x.to === "closed");
  if (closed && restart !== null) {
    console.log(`    restart -> breaker closed: ${Math.round((closed.at_s - restart) * 1000)} ms`);
  }
}

// Act 2: the freeze, second by second from the timeline (entries t cover [t, t+1) s; "sent"
// counts the sends that completed in that second, send_p99_ms is over the sends that started
// in it). Healthy seconds: before the kill, and from region 1 closing again to the freeze.
const freeze = t(process.env.FREEZE_AT), thaw = t(process.env.THAW_AT);
const seconds = (from, to) => r.timeline.filter((e) => e.t >= Math.ceil(from) && e.t + 1 <= Math.floor(to));
const sum = (a) => a.reduce((x, y) => x + y, 0);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : 0; };
const window = (entries) => {
  const p99 = entries.filter((e) => e.started > 0).map((e) => e.send_p99_ms);
  return {
    n: entries.length,
    rate: entries.length ? sum(entries.map((e) => sum(e.sent))) / entries.length : 0,
    median: median(p99), worst: p99.length ? Math.max(...p99) : 0,
    max: Math.max(0, ...entries.filter((e) => e.started > 0).map((e) => e.send_max_ms)),
    perQueue: r.queues.map((_, i) => sum(entries.map((e) => e.sent[i]))),
  };
};
const closedAt = (() => {
  const c = kill === null ? null : q0.transitions.find((x) => x.to === "closed" && x.at_s > kill);
  return c ? c.at_s : null;
})();
let freezeOk = true;
if (freeze !== null) {
  const healthy = [...seconds(1, kill ?? r.elapsed_s), ...(closedAt !== null ? seconds(closedAt + 1, freeze) : [])];
  // The rate over the seconds wholly within the freeze; the latency over every second the
  // freeze touches (its first one holds the sends that were on their way to region 2).
  const h = window(healthy), z = window(seconds(freeze, thaw));
  const touched = window(r.timeline.filter((e) => e.t + 1 > freeze && e.t < thaw));
  const share = (x) => (rate > 0 ? ` (${Math.round(100 * x / rate)}% of the paced rate)` : "");
  console.log(`  act 2: region 2 frozen (SIGSTOP) at ${f(freeze)}, thawed (SIGCONT) at ${f(thaw)} (frozen ${f(thaw - freeze)})`);
  console.log(`    send rate:             healthy ${Math.round(h.rate)}/s${share(h.rate)}, ` +
              `during the freeze ${Math.round(z.rate)}/s${share(z.rate)}`);
  // Exact, over the sends that started in each phase (marked through the control endpoint).
  const phase = (name) => (r.phases || []).find((p) => p.name === name && p.send_latency_ms);
  const ph = phase("healthy") || phase("recovered"), pz = phase("freeze");
  if (ph && pz) {
    console.log(`    send latency:          healthy ${lat(ph.send_latency_ms)}; ` +
                `during the freeze ${lat(pz.send_latency_ms)} (${pz.started} sends started in it)`);
  }
  console.log(`    send p99 per second:   healthy median ${ms(h.median)}, worst ${ms(h.worst)}; ` +
              `during the freeze median ${ms(touched.median)}, worst ${ms(touched.worst)} ` +
              `(slowest send ${ms(touched.max)}, healthy ${ms(h.max)})`);
  const zsum = sum(z.perQueue) || 1;
  console.log(`    sends during the freeze: ` +
              z.perQueue.map((x, i) => `${names[i]} ${x} (${Math.round(100 * x / zsum)}%)`).join("   "));
  const opened = q1.transitions.find((x) => x.to === "open" && x.at_s >= freeze - 0.1);
  console.log(opened
    ? `    freeze -> region 2 breaker open: ${Math.round((opened.at_s - freeze) * 1000)} ms`
    : `    region 2 breaker did not open during the freeze (new sends avoided it as stalled)`);
  const slow = q1.slow_in_flight;
  console.log(`    region 2: ${slow} calls counted slow while in flight, ${q1.avoided} picks steered away, ` +
              `${q1.bulkhead_rejected} refused by its bulkhead`);
  const thawed = snap("AT_THAW");
  if (thawed) {
    console.log(`    region 2 at the thaw: ${thawed.queues[1].in_flight} calls in flight (its receivers ` +
                `long polls included), of ${process.env.CONCURRENCY} send slots`);
  }
  freezeOk = rate <= 0 || z.rate >= 0.5 * rate;
  if (!freezeOk) {
    console.log(`    (the sends caught in region 2 before the dispatcher saw it stall wait for the thaw, ` +
                `each holding a send slot: DEMO_HEDGE sends a copy of each to region 1 instead)`);
  }
}
// Where the sends went, phase by phase (per-region counts noted by the demo along the way).
const counts = (s) => (s ? s.queues.map((q) => q.sent) : null);
const phases = [["before the kill", [0, 0], counts(snap("AT_KILL"))],
                ["outage (kill -> breaker closed)", counts(snap("AT_KILL")), counts(snap("AT_CLOSED"))],
                ["after recovery", counts(snap("AT_CLOSED")), counts(snap("AT_FREEZE")) ?? r.queues.map((q) => q.sent)],
                ["freeze (SIGSTOP -> SIGCONT)", counts(snap("AT_FREEZE")), counts(snap("AT_THAW"))],
                ["after the thaw", counts(snap("AT_THAW")), r.queues.map((q) => q.sent)]];
console.log("  traffic (sends per region):");
for (const [label, from, to] of phases) {
  if (!from || !to) continue;
  const d = to.map((x, i) => x - from[i]);
  const total = d.reduce((a, b) => a + b, 0) || 1;
  console.log(`    ${label.padEnd(33)} ` +
              d.map((x, i) => `${names[i]} ${String(x).padStart(6)} (${Math.round(100 * x / total)}%)`).join("   "));
}
// A queue whose bulkhead refused calls by the thousand and still has a limit at the end.
r.queues.forEach((q, i) => {
  if (q.bulkhead_limit === null || q.bulkhead_rejected < 1000) return;
  console.log(`  note: the adaptive bulkhead of ${names[i]} ended at a limit of ${q.bulkhead_limit} calls in flight ` +
              `(latency estimate ${ms(q.latency_estimate_ms)}) after refusing ${q.bulkhead_rejected} calls: ` +
              `with the long polls of the receivers holding that many, sends find no room, and only answers to sends lift it`);
});
const seq = q0.transitions.map((x) => x.to);
const recovered = kill !== null && seq.includes("open") && seq.includes("half-open") && seq[seq.length - 1] === "closed";
const ok = r.lost === 0 && r.send_errors === 0 && (kill === null || recovered) && freezeOk;
console.log(ok
  ? "demo OK: nothing lost; region 1 went closed -> open -> half-open -> closed and took its share back" +
    (freeze !== null ? "; while region 2 was frozen the sends went on" : "")
  : "demo FAILED" + (freezeOk ? "" : " (the sends slowed down below half the paced rate during the freeze)"));
process.exitCode = ok ? 0 : 1;
' || status_code=1
exit "$status_code"
