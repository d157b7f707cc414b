#!/usr/bin/env bash
# Soak test (issue #8): `sqsctl bench` over two regions for MINUTES minutes, at a moderate paced
# rate, while a schedule rotates through faults, one region at a time; then checks that nothing
# was lost, no send failed, and the process's memory and open file descriptors stayed flat.
#
# Two local SQS servers (fauxqs, us-east-1 and eu-west-1, each persisting to its own data
# directory, as in scripts/demo.sh: a server killed with SIGKILL and restarted on the same
# directory still has every message it acknowledged; the directories are on /dev/shm when it
# exists, so that the disk's fsync latency is not what the run measures) hold the queue "soak".
# `sqsctl bench` sends
# SOAK_RATE messages a second for MINUTES minutes through the failover dispatcher (the demo's
# breaker settings) and receives them from both regions. After a quiet warm-up (SOAK_WARMUP s),
# fault events follow one another, alternating between the regions, each once both breakers are
# closed again after the previous one and SOAK_GAP s of quiet have passed:
#   errors      every call to the region fails (transport error, client-side)   for 10 s
#   503         half of its calls get an HTTP 503 ServiceUnavailable answer      for 10 s
#   throttling  30 % of its calls get a ThrottlingException answer               for 10 s
#   latency     +400 ms before each of its calls                                 for 15 s
#   hang        its calls are held, then let go                                  for 8 s
#   kill        its server is killed (SIGKILL), restarted 5 s later (same port and data)
#   freeze      its server is stopped (SIGSTOP) for 8 s, then continued (SIGCONT)
# (the first five through the bench's control endpoint: inside the region's executor, so that its
# breaker and load accounting see them). The last SOAK_TAIL s are quiet again. Every SOAK_SAMPLE
# s the bench process's resident memory (VmRSS), peak (VmHWM), open file descriptors
# (/proc/PID/fd), threads and the bench's own per-message books (status "books_bytes": ~12 bytes
# per message sent, which grow by design) go to samples.csv in the work directory.
#
# Checks (exit status 1 if any fails):
#   - the bench's own verdict: lost 0 and send errors 0 (its exit status), every message sent;
#   - every fault event recovered: both breakers closed again within SOAK_RECOVERY s;
#   - memory flat: RSS minus the books at the end (the last sample before the drain) at most
#     that at the start (the first sample after the warm-up) + SOAK_RSS_PCT % + SOAK_RSS_MIB MiB;
#   - no growth of open file descriptors: end at most start + SOAK_FD_SLACK; and the same for the
#     descriptors other than the clients' connections (status "connections"), which tells a leak
#     from connections kept open by a pool;
#   - the run ended in time (the bench is killed after MINUTES + 3 minutes).
# Output: one line per fault event, then a summary. The work directory (kept; its path is
# printed) holds samples.csv, events.csv, bench.json (the bench's final JSON), bench.err (its
# progress, a line a second, and the breaker transitions) and the servers' logs.
#
# Environment: SOAK_RATE (200 messages/s), SOAK_CONCURRENCY (64), SOAK_WARMUP (60 s),
# SOAK_TAIL (70 s: longer than the client's 50 s idle-connection timeout), SOAK_GAP (10 s),
# SOAK_SAMPLE (5 s), SOAK_RECOVERY (60 s), SOAK_RSS_PCT (10), SOAK_RSS_MIB (4), SOAK_FD_SLACK (4),
# SOAK_BREAKER (the demo's; "default": the library's), SOAK_BENCH_ARGS (more bench options),
# SOAK_BUILD_DIR (build), SOAK_BUILD (1; 0: use the binaries there as they are), SOAK_WORK (the
# work directory; default a new one under $TMPDIR), SOAK_DATA (where the servers' data
# directories go; default /dev/shm, else the work directory). See docs/RELIABILITY.md, "Soak".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_EC2_METADATA_DISABLED=true

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  echo "Usage: scripts/soak.sh MINUTES   (at least SOAK_WARMUP + SOAK_TAIL + 60 s of it)"
}
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  '' ) usage >&2; exit 2 ;;
esac
if [[ $# -ne 1 || ! $1 =~ ^[0-9]+$ ]]; then
  echo "soak: MINUTES must be a whole number of minutes, got '$*'" >&2; exit 2
fi
MINUTES=$1
RATE=${SOAK_RATE:-200}
CONCURRENCY=${SOAK_CONCURRENCY:-64}
WARMUP=${SOAK_WARMUP:-60}
TAIL=${SOAK_TAIL:-70}
GAP=${SOAK_GAP:-10}
SAMPLE=${SOAK_SAMPLE:-5}
RECOVERY=${SOAK_RECOVERY:-60}
RSS_PCT=${SOAK_RSS_PCT:-10}
RSS_MIB=${SOAK_RSS_MIB:-4}
FD_SLACK=${SOAK_FD_SLACK:-4}
BREAKER=${SOAK_BREAKER:-trip=consecutive:3,interval=1s,open-timeout=2s,half-open-successes=4}
TOTAL=$((MINUTES * 60))
COUNT=$((RATE * TOTAL))
if ((TOTAL < WARMUP + TAIL + 60)); then
  echo "soak: $MINUTES minute(s) leave no time for faults after a ${WARMUP}s warm-up and" \
       "before a ${TAIL}s quiet tail (set SOAK_WARMUP / SOAK_TAIL lower for a short run)" >&2
  exit 2
fi
options=()
[[ $BREAKER != default ]] && options+=(--breaker "$BREAKER")
read -r -a extra <<<"${SOAK_BENCH_ARGS:-}"
options+=("${extra[@]}")

NODE=emulator/node_modules/.bin/node
if [[ ! -x $NODE ]]; then
  echo "soak: the local SQS server is not installed: run ./scripts/setup.sh first" >&2
  exit 1
fi
BUILD=${SOAK_BUILD_DIR:-build}
if [[ ${SOAK_BUILD:-1} != 0 ]]; then
  echo "== building sqsctl ($BUILD/) ==" >&2
  cmake -S . -B "$BUILD" >/dev/null
  cmake --build "$BUILD" -j2 --target sqsctl sqs >/dev/null
fi

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-soak} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-soak}
work=${SOAK_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/aws-cpp-sqs-soak.XXXXXX")}
mkdir -p "$work/bin"
# A copy of the binaries: a rebuild of $BUILD during the run changes nothing under the bench.
cp "$BUILD/bin/sqsctl" "$work/bin/"
[[ -e $BUILD/lib/libsqs.so.0 ]] && cp -L "$BUILD/lib/libsqs.so.0" "$work/bin/"
SQSCTL=$work/bin/sqsctl
# The servers' data (SQLite, written through on every send, receive and delete) on tmpfs when
# there is one: a SIGKILL loses nothing written to a file either way (the kernel has it), and
# the run does not measure the disk's fsync latency (which other work on the machine can make
# hundreds of milliseconds) instead of the client.
data_root=${SOAK_DATA:-}
if [[ -z $data_root ]]; then
  if [[ -d /dev/shm && -w /dev/shm ]]; then data_root=/dev/shm; else data_root=$work; fi
fi
data=$(mktemp -d "$data_root/aws-cpp-sqs-soak-data.XXXXXX")
export LD_LIBRARY_PATH=$work/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

declare -A server_pid=() server_port=()
bench_pid="" sampler_pid=""
cleanup() {
  disown -a 2>/dev/null || true
  { [[ -n $sampler_pid ]] && kill "$sampler_pid"
    [[ -n $bench_pid ]] && kill -9 "$bench_pid"
    for pid in "${server_pid[@]}"; do kill -CONT "$pid"; kill -9 "$pid"; done
    wait; } 2>/dev/null || true
  if [[ -n ${data:-} ]]; then rm -rf "$data"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%d", a - b }'; }

# start_server NAME REGION PORT: as in scripts/demo.sh (port 0: a free one; the same data
# directory on a restart); waits until it listens; sets server_pid[NAME] and server_port[NAME].
start_server() {
  local name=$1 region=$2 port=$3 out="$work/$1.out"
  mkdir -p "$data/$name"
  : >"$out"
  "$NODE" --no-warnings emulator/start.mjs --exit-with-parent --port "$port" --region "$region" \
    --data-dir "$data/$name" >"$out" 2>>"$work/$name.err" &
  server_pid[$name]=$!
  for _ in $(seq 300); do
    grep -q '"port"' "$out" && break
    kill -0 "${server_pid[$name]}" 2>/dev/null || return 1
    sleep 0.05
  done
  server_port[$name]=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out")
  [[ -n ${server_port[$name]} ]]
}
# A restart on the same port, tried a few times (the old socket may linger a moment).
restart_server() {
  for _ in 1 2 3 4 5; do
    start_server "$1" "$2" "${server_port[$1]}" && return 0
    sleep 1
  done
  return 1
}
free_port() {
  "$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The bench's status from its control endpoint (empty once it is gone), a mark, an injection.
status() { curl -s --max-time 2 "http://127.0.0.1:$CONTROL/" 2>/dev/null || true; }
mark() { curl -s --max-time 2 "http://127.0.0.1:$CONTROL/?mark=$1" >/dev/null 2>&1 || true; }
inject() {
  [[ $(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CONTROL/?$1" \
       2>/dev/null) == 200 ]]
}
# The breaker states in a status, "closed closed"; a top-level number.
states() { grep -o '"state":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//' || true; }
number() { grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2 || true; }
# The open connections of the queues' clients (one client per region here), summed.
connections() { grep -o '"connections":[0-9]*' | cut -d: -f2 | awk '{ n += $1 } END { print n + 0 }' || true; }
bench_alive() { [[ -n $bench_pid ]] && kill -0 "$bench_pid" 2>/dev/null; }

# Every SAMPLE seconds while the bench runs: its memory, descriptors, books and progress.
sampler() {
  local s rss hwm threads fds
  echo "elapsed_s,phase,rss_kib,hwm_kib,fds,threads,books_bytes,sent,received,draining,states,connections" \
    >"$work/samples.csv"
  while kill -0 "$bench_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$bench_pid/status" 2>/dev/null) || break
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$bench_pid/status" 2>/dev/null) || break
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$bench_pid/status" 2>/dev/null) || break
    fds=$(find "/proc/$bench_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    s=$(status)
    if [[ -n $s && -n $rss ]]; then
      echo "$(grep -o '"elapsed_s":[0-9.]*' <<<"$s" | cut -d: -f2),$(cat "$work/phase"),$rss,$hwm,$fds,$threads,$(number books_bytes <<<"$s"),$(number sent <<<"$s"),$(number received <<<"$s"),$(grep -q '"draining":true' <<<"$s" && echo 1 || echo 0),$(states <<<"$s"),$(connections <<<"$s")" \
        >>"$work/samples.csv"
    fi
    sleep "$SAMPLE"
  done
}

# wait_for SECONDS: waits SECONDS (less if the bench ends).
wait_for() {
  local until
  until=$(awk -v a="$(now)" -v d="$1" 'BEGIN { printf "%.3f", a + d }')
  while bench_alive && awk -v a="$(now)" -v u="$until" 'BEGIN { exit !(a < u) }'; do sleep 0.2; done
}
# Waits (up to RECOVERY s) until both breakers are closed; prints the seconds it took, or
# nothing if they did not close in time.
recovered_after() {
  local from t
  from=$(now)
  while bench_alive; do
    t=$(awk -v a="$(now)" -v b="$from" 'BEGIN { printf "%.1f", a - b }')
    [[ $(status | states) == "closed closed" ]] && { echo "$t"; return 0; }
    awk -v t="$t" -v r="$RECOVERY" 'BEGIN { exit !(t >= r) }' && return 0
    sleep 0.2
  done
}
# path FROM_LINE INDEX: the breaker transitions of queue INDEX the bench logged (bench.err)
# after line FROM_LINE, as "closed -> open -> half-open -> closed" (empty: none).
path() {
  tail -n +"$(($1 + 1))" "$work/bench.err" | grep -o "\[$2\] [^ ]*: breaker [a-z-]* -> [a-z-]*" |
    awk '{ if (NR == 1) p = $4; p = p " -> " $6 } END { print p }' || true
}
# summary PATH: "stayed closed", or "opened N times (M transitions), closed" from a path.
summary() {
  [[ -z $1 ]] && { echo "stayed closed"; return; }
  awk -F' -> ' '{ for (i = 2; i <= NF; i++) if ($i == "open") o++
                  printf "opened %d time%s (%d transitions), now %s", o, o == 1 ? "" : "s", NF - 1, $NF }' <<<"$1"
}
set_phase() { echo "$1" >"$work/phase.new" && mv "$work/phase.new" "$work/phase"; }

start_server r1 us-east-1 0
start_server r2 eu-west-1 0
E1="http://127.0.0.1:${server_port[r1]}"
E2="http://127.0.0.1:${server_port[r2]}"
"$SQSCTL" --endpoint "$E1" --region us-east-1 create-queue soak >/dev/null
"$SQSCTL" --endpoint "$E2" --region eu-west-1 create-queue soak >/dev/null
CONTROL=$(free_port)
set_phase warmup
echo "== soak: ${MINUTES} min, $COUNT messages at ${RATE}/s over us-east-1 ($E1) and eu-west-1" \
     "($E2); work directory $work ==" >&2

T0=$(now)
"$SQSCTL" bench \
  --queue "soak,endpoint=$E1,region=us-east-1" \
  --queue "soak,endpoint=$E2,region=eu-west-1" \
  --count "$COUNT" --rate "$RATE" --concurrency "$CONCURRENCY" \
  "${options[@]}" --control "127.0.0.1:$CONTROL" >"$work/bench.json" 2>"$work/bench.err" &
bench_pid=$!
for _ in $(seq 100); do [[ -n $(status) ]] && break; bench_alive || break; sleep 0.1; done
sampler &
sampler_pid=$!

# The fault schedule.
names=(errors 503 throttling latency hang kill freeze)
lengths=(10 10 10 15 8 5 8)
region_names=(us-east-1 eu-west-1)
echo "event,type,region,start_s,end_s,breaker,other_breaker,recovered_s" >"$work/events.csv"
failed_events=0 n=0
wait_for "$WARMUP"
set_phase quiet
mark quiet
while bench_alive; do
  type=$((n % ${#names[@]})) r=$((n % 2))
  name=${names[$type]} length=${lengths[$type]}
  # Room for the event, its recovery and a gap before the quiet tail?
  (($(elapsed) + length + 15 + TAIL <= TOTAL)) || break
  n=$((n + 1)) server=r$((r + 1)) ok=1 other=$((1 - r))
  log_from=$(wc -l <"$work/bench.err")
  set_phase "e$n-$name-r$((r + 1))"
  mark "e$n-$name-r$((r + 1))"
  start=$(elapsed)
  case $name in
    errors) inject "index=$r&duration=${length}s&error_rate=1" || ok=0
            what="every call fails (transport error) for ${length}s" ;;
    503) inject "index=$r&duration=${length}s&error_rate=0.5&error=503" || ok=0
         what="50% of calls answered 503 for ${length}s" ;;
    throttling) inject "index=$r&duration=${length}s&error_rate=0.3&error=throttling" || ok=0
                what="30% of calls throttled for ${length}s" ;;
    latency) inject "index=$r&duration=${length}s&latency=400ms" || ok=0
             what="+400ms per call for ${length}s" ;;
    hang) inject "index=$r&duration=${length}s&hang=1" || ok=0
          what="calls held for ${length}s" ;;
    kill) { kill -9 "${server_pid[$server]}"; wait "${server_pid[$server]}"; } 2>/dev/null || true
          what="server killed (SIGKILL), restarted ${length}s later" ;;
    freeze) kill -STOP "${server_pid[$server]}"
            what="server frozen (SIGSTOP) for ${length}s, then SIGCONT" ;;
  esac
  [[ $ok == 1 ]] || what+=" (THE CONTROL ENDPOINT REFUSED IT)"
  wait_for "$length"
  case $name in
    kill) restart_server "$server" "${region_names[$r]}" || { ok=0; what+=" (RESTART FAILED)"; } ;;
    freeze) kill -CONT "${server_pid[$server]}" ;;
  esac
  end=$(elapsed)
  took=$(recovered_after)
  bench_alive || break
  mine=$(path "$log_from" "$r") theirs=$(path "$log_from" "$other")
  breaker="breaker $(summary "$mine")"
  [[ -n $theirs ]] && breaker+="; region $((other + 1))'s breaker too: $(summary "$theirs")"
  if [[ $ok == 1 && -n $took ]]; then
    printf '[%5ss] #%-3s %-10s region %s: %s; %s; both closed %ss after\n' \
      "$start" "$n" "$name" "$((r + 1))" "$what" "$breaker" "$took"
  else
    failed_events=$((failed_events + 1))
    printf '[%5ss] #%-3s %-10s region %s: %s; %s; NOT RECOVERED (%ss)\n' \
      "$start" "$n" "$name" "$((r + 1))" "$what" "$breaker" "$RECOVERY"
  fi
  echo "$n,$name,$((r + 1)),$start,$end,$mine,$theirs,${took:-}" >>"$work/events.csv"
  set_phase quiet
  mark quiet
  wait_for "$GAP"
done
set_phase tail
mark tail

# Until the bench is done (sends, drain, report), or past its deadline.
deadline=$((TOTAL + 180))
while bench_alive && (($(elapsed) < deadline)); do sleep 1; done
late=0
if bench_alive; then
  late=1
  echo "soak: the bench did not finish within $((deadline / 60)) minutes: killed" >&2
  kill -9 "$bench_pid" 2>/dev/null || true
fi
bench_status=0
wait "$bench_pid" 2>/dev/null || bench_status=$?
bench_pid=""
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
tail -n 1 "$work/bench.json" >"$work/result.json" || true

# The summary and the checks.
WORK=$work BENCH_STATUS=$bench_status LATE=$late FAILED_EVENTS=$failed_events EVENTS=$n \
  WARMUP=$WARMUP TOTAL=$TOTAL COUNT=$COUNT RATE=$RATE RSS_PCT=$RSS_PCT RSS_MIB=$RSS_MIB \
  FD_SLACK=$FD_SLACK MINUTES=$MINUTES "$NODE" -e '
const fs = require("fs");
const env = process.env;
const work = env.WORK;
let r = null;
try { r = JSON.parse(fs.readFileSync(`${work}/result.json`, "utf8")); } catch (e) {}
const rows = fs.readFileSync(`${work}/samples.csv`, "utf8").trim().split("\n").slice(1)
  .map((l) => l.split(",")).map((c) => ({ t: +c[0], phase: c[1], rss: +c[2], hwm: +c[3], fds: +c[4],
    threads: +c[5], books: +c[6], sent: +c[7], draining: c[9] === "1", conns: +c[11] }));
const checks = [];
const check = (ok, text) => { checks.push(ok); console.log(`  ${ok ? "ok  " : "FAIL"}  ${text}`); };
const mib = (kib) => (kib / 1024).toFixed(1) + " MiB";
console.log("Summary");
if (r) {
  const transitions = r.queues.reduce((n, q) => n + q.transitions.length, 0);
  console.log(`  ${r.sent} of ${env.COUNT} messages sent in ${r.send_elapsed_s.toFixed(0)} s ` +
              `(${Math.round(r.send_msgs_per_s)}/s, paced at ${env.RATE}/s), ${r.received} received, ` +
              `${r.unique} unique, ${r.duplicates} duplicates; send retries ${r.send_retries}; ` +
              `send latency p50 ${r.send_latency_ms.p50} ms, p99 ${r.send_latency_ms.p99} ms, max ${r.send_latency_ms.max} ms`);
  r.queues.forEach((q, i) => console.log(`  region ${i + 1} (${q.region}): sent ${q.sent}, received ${q.received}, ` +
      `receive errors ${q.receive_errors}, delete errors ${q.delete_errors}, breaker transitions ${q.transitions.length} ` +
      `(opened ${q.transitions.filter((x) => x.to === "open").length} times), now ${q.state}`));
  // The worst send p99 of the phases of each kind of fault.
  const worst = {};
  for (const p of r.phases || []) {
    const m = /^e\d+-([a-z0-9]+)-r\d$/.exec(p.name);
    const kind = m ? m[1] : p.name;
    if (!p.send_latency_ms || kind === "tail") continue;
    worst[kind] = Math.max(worst[kind] ?? 0, p.send_latency_ms.p99);
  }
  console.log("  worst send p99 by phase kind: " +
              Object.entries(worst).map(([k, v]) => `${k} ${v} ms`).join(", "));
  console.log(`  fault events ${env.EVENTS}, breaker transitions ${transitions}`);
  check(Number(env.BENCH_STATUS) === 0 && r.lost === 0 && r.send_errors === 0 && r.sent === Number(env.COUNT),
        `lost ${r.lost}, send errors ${r.send_errors}, sent ${r.sent}/${env.COUNT} (bench exit status ${env.BENCH_STATUS})` +
        (r.last_send_error ? `; last send error: ${r.last_send_error}` : ""));
} else {
  check(false, `no final JSON from the bench (exit status ${env.BENCH_STATUS}; see ${work}/bench.err)`);
}
check(Number(env.FAILED_EVENTS) === 0 && Number(env.EVENTS) > 0,
      `fault events recovered (both breakers closed again): ${Number(env.EVENTS) - Number(env.FAILED_EVENTS)} of ${env.EVENTS}`);
check(env.LATE === "0", "the bench finished in time");
const running = rows.filter((x) => !x.draining && x.t <= Number(env.TOTAL));
const start = running.find((x) => x.t >= Number(env.WARMUP)), end = running[running.length - 1];
if (start && end && end.t > start.t) {
  const adj = (x) => x.rss - x.books / 1024;
  const limit = adj(start) * (1 + Number(env.RSS_PCT) / 100) + Number(env.RSS_MIB) * 1024;
  const max = rows.reduce((m, x) => (x.rss > m.rss ? x : m), rows[0]);
  console.log(`  RSS: start (${start.t.toFixed(0)} s) ${mib(start.rss)}, end (${end.t.toFixed(0)} s) ${mib(end.rss)}, ` +
              `max ${mib(max.rss)} (${max.t.toFixed(0)} s, ${max.phase}), peak (VmHWM) ${mib(rows[rows.length - 1].hwm)}; ` +
              `books of the bench ${mib(start.books / 1024)} -> ${mib(end.books / 1024)}`);
  check(adj(end) <= limit, `RSS flat: RSS minus the books ${mib(adj(start))} -> ${mib(adj(end))} ` +
        `(limit: start + ${env.RSS_PCT}% + ${env.RSS_MIB} MiB = ${mib(limit)})`);
  const maxFds = Math.max(...rows.map((x) => x.fds)), maxConns = Math.max(...rows.map((x) => x.conns));
  check(end.fds <= start.fds + Number(env.FD_SLACK),
        `open fds: start ${start.fds}, end ${end.fds}, max ${maxFds} (limit: start + ${env.FD_SLACK}); ` +
        `of which client connections: start ${start.conns}, end ${end.conns}, max ${maxConns}`);
  // A descriptor leaked outside the connection pools (sockets the pools lost track of, files,
  // timers) shows here even when the pools keep more connections than they did at the start.
  const other = (x) => x.fds - x.conns;
  check(other(end) <= other(start) + Number(env.FD_SLACK),
        `fds other than client connections: start ${other(start)}, end ${other(end)} ` +
        `(limit: start + ${env.FD_SLACK})`);
  console.log(`  threads: start ${start.threads}, end ${end.threads}; ${rows.length} samples in ${work}/samples.csv`);
} else {
  check(false, `not enough samples after the warm-up in ${work}/samples.csv`);
}
const ok = checks.every(Boolean);
console.log(ok ? `soak OK (${env.MINUTES} min)` : `soak FAILED (work directory ${work})`);
process.exitCode = ok ? 0 : 1;
'
