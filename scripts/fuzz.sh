#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, Clang + ASan + UBSan, in build-fuzz/) and runs each of
# them: first over the inputs that once crashed it (fuzz/regressions/<target>/, every one must
# pass), then fuzzing for SECONDS from its seed corpus (fuzz/corpus/<target>/, copied into a
# working corpus under build-fuzz/ so that the repository's stays as it is) with its dictionary.
# Prints a summary table; exits 1 if any target crashed, leaked, timed out or ran out of memory
# (the input that did it is saved, its path printed). See docs/RELIABILITY.md#fuzzing.
#   scripts/fuzz.sh [SECONDS]   SECONDS per target, default 60
# Environment:
#   FUZZ_JOBS=N        targets run at once (default 1; each one is single-threaded)
#   FUZZ_TARGETS="a b" only these targets (default: all, see TARGETS below)
#   FUZZ_FRESH=1       start the working corpora again from the seeds (default: keep them, so
#                      that what earlier runs found is fuzzed further)
#   FUZZ_RSS_MB=N      memory limit per target (default 2048)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
esac
SECONDS_PER_TARGET=${1:-60}
if ! [[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || ((SECONDS_PER_TARGET < 1)); then
  echo "fuzz.sh: SECONDS must be a positive number of seconds, got '$SECONDS_PER_TARGET'" >&2
  usage >&2
  exit 2
fi
JOBS=${FUZZ_JOBS:-1}
RSS_MB=${FUZZ_RSS_MB:-2048}
BUILD=build-fuzz

# Target -> -max_len: a little over the largest input that makes sense (a ReceiveMessage answer
# of several messages; an HTTP answer with its headers; URLs are short). Keep the list in step
# with fuzz/CMakeLists.txt.
declare -A MAX_LEN=(
  [decode_results]=16384 [decode_error]=4096 [response_reader]=8192 [shared_config]=4096
  [batch_input]=4096 [message_attributes]=4096 [urls]=512 [sigv4]=4096 [base64]=2048
  [utf8]=4096
)
TARGETS=(decode_results decode_error response_reader shared_config batch_input
  message_attributes urls sigv4 base64 utf8)
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a TARGETS <<<"$FUZZ_TARGETS"
  for t in "${TARGETS[@]}"; do
    [[ -n ${MAX_LEN[$t]:-} ]] || { echo "fuzz.sh: unknown target '$t' (known: ${!MAX_LEN[*]})" >&2; exit 2; }
  done
fi

# No Clang, no fuzzing: that is a failure, never a silent skip.
for tool in clang clang++; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fuzz.sh: $tool not found: install the Debian packages clang and libclang-rt-14-dev (scripts/setup.sh does)" >&2
    exit 1
  fi
done

start=$(date +%s)
if ! grep -qs '^SQS_BUILD_FUZZERS:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  echo "== configuring $BUILD/ (clang, libFuzzer + ASan + UBSan) ==" >&2
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DSQS_BUILD_FUZZERS=ON -DSQS_BUILD_TESTS=OFF \
    -DSQS_BUILD_BENCH=OFF -DSQS_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >/dev/null
fi
echo "== building the fuzz targets ($BUILD/bin/fuzz_*) ==" >&2
cmake --build "$BUILD" -j"${JOBS_BUILD:-2}" --target fuzzers
built=$(date +%s)

WORK=$BUILD/fuzz-work
mkdir -p "$WORK"

# One target: regressions, then fuzzing. Writes $WORK/<target>/result (one line of the table).
run_target() {
  local t=$1 dir=$WORK/$1
  local bin=$BUILD/bin/fuzz_$t log=$dir/fuzz.log
  [[ ${FUZZ_FRESH:-0} == 1 ]] && rm -rf "$dir/corpus" "$dir/artifacts"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -f "$dir/result" "$log" "$dir/regressions.log"

  local regressions=()
  if [[ -d fuzz/regressions/$t ]]; then
    mapfile -t regressions < <(find "fuzz/regressions/$t" -type f | sort)
  fi
  if ((${#regressions[@]})); then
    if ! "$bin" -runs=0 -rss_limit_mb="$RSS_MB" -timeout=10 "${regressions[@]}" \
      >"$dir/regressions.log" 2>&1; then
      printf '%s|0|-|-|-|-|-|REGRESSION FAILED (see %s)\n' "$t" "$dir/regressions.log" >"$dir/result"
      return
    fi
  fi

  cp -n fuzz/corpus/"$t"/* "$dir/corpus/" 2>/dev/null || true
  local dict=()
  [[ -f fuzz/dict/$t.dict ]] && dict=(-dict="fuzz/dict/$t.dict")
  local status=0 began=$SECONDS
  "$bin" "$dir/corpus" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" \
    -max_len="${MAX_LEN[$t]}" -rss_limit_mb="$RSS_MB" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" >"$log" 2>&1 || status=$?

  local execs rate cov ft result artifact
  # (libFuzzer's final statistics, and its last status line: "#N DONE cov: C ft: F corp: ...")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(sed -n 's/^#[0-9].* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
  ft=$(sed -n 's/^#[0-9].* ft: \([0-9]*\).*/\1/p' "$log" | tail -1)
  artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
  if ((status == 0)); then
    result=ok
  elif grep -aq 'ERROR: LeakSanitizer' "$log"; then
    result="LEAK: $artifact"
  elif grep -aq 'ERROR: libFuzzer: timeout' "$log"; then
    result="TIMEOUT: $artifact"
  elif grep -aqE 'out-of-memory|ERROR: libFuzzer: (malloc|out-of-memory)' "$log"; then
    result="OUT OF MEMORY: $artifact"
  else
    result="CRASH: ${artifact:-no input saved, see $log}"
  fi
  printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$t" "$((SECONDS - began))" "${execs:--}" "${rate:--}" \
    "$(find "$dir/corpus" -type f | wc -l)" "${cov:--}" "${ft:--}" "$result" >"$dir/result"
}

echo "== fuzzing ${#TARGETS[@]} targets, ${SECONDS_PER_TARGET} s each, $JOBS at a time ==" >&2
running=0
for t in "${TARGETS[@]}"; do
  if ((running >= JOBS)); then
    wait -n || true
    running=$((running - 1))
  fi
  echo "   $t" >&2
  run_target "$t" &
  running=$((running + 1))
done
wait

failed=0
{
  echo "target|seconds|execs|execs/s|corpus|cov|ft|result"
  for t in "${TARGETS[@]}"; do
    if [[ -f $WORK/$t/result ]]; then
      cat "$WORK/$t/result"
    else
      echo "$t|-|-|-|-|-|-|NO RESULT (see $WORK/$t/)"
    fi
  done
} >"$WORK/summary.txt"
column -t -s '|' "$WORK/summary.txt"
if grep -v '^target|' "$WORK/summary.txt" | grep -vq '|ok$'; then failed=1; fi
end=$(date +%s)
echo "fuzz.sh: build $((built - start)) s, fuzzing $((end - built)) s; logs and working corpora in $WORK/" >&2
if ((failed)); then
  echo "fuzz.sh: FAILED. Reproduce with: $BUILD/bin/fuzz_<target> <the input above>" >&2
  exit 1
fi
echo "fuzz.sh: every target ok" >&2
