#!/usr/bin/env bash
# Clean build time of the library + CLI (no tests, benches, examples) and the stripped size of
# libsqs.a + sqsctl (docs/PERFORMANCE.md). Prints wall, user+sys CPU and the load average before
# and after (the machine is shared: CPU time is the figure that does not depend on the others).
#
# Usage: bench/scripts/measure-build.sh [-j JOBS] [-t BUILD_TYPE] [BUILD_DIR]
#   defaults: -j 2, the project's default build type (RelWithDebInfo), build-load-clean.
#   BUILD_DIR is deleted first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JOBS=2 TYPE=""
while (($#)); do
  case $1 in
    -j) JOBS=$2; shift 2 ;;
    -t) TYPE=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
DIR=${1:-$ROOT/build-load-clean}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
rm -rf "$DIR"
mkdir -p "$DIR"

TYPE_ARG=()
[[ -n $TYPE ]] && TYPE_ARG=(-DCMAKE_BUILD_TYPE="$TYPE")
TARGETS=(sqs)
[[ -f $ROOT/tools/sqsctl/main.cpp ]] && TARGETS+=(sqsctl)

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average before: $(load)"
# Configure + build, both timed (the configure step is part of a clean build).
/usr/bin/time -f 'configure: wall %e s, user %U s, sys %S s' \
  cmake -S "$ROOT" -B "$DIR" "${TYPE_ARG[@]}" -DSQS_BUILD_TESTS=OFF -DSQS_BUILD_BENCH=OFF \
  -DSQS_BUILD_EXAMPLES=OFF > "$DIR/measure-configure.log" 2>&1 || { cat "$DIR/measure-configure.log"; exit 1; }
tail -n 1 "$DIR/measure-configure.log"
/usr/bin/time -f "build -j$JOBS (${TARGETS[*]}): wall %e s, user %U s, sys %S s" \
  cmake --build "$DIR" -j"$JOBS" --target "${TARGETS[@]}" > "$DIR/measure-build.log" 2>&1 ||
  { tail -n 30 "$DIR/measure-build.log"; exit 1; }
tail -n 1 "$DIR/measure-build.log"
echo "load average after: $(load)"

# Stripped copies: the size a user ships.
S=$(mktemp -d /tmp/sqs-load-strip.XXXXXX)
trap 'rm -rf "$S"' EXIT
total=0
# The library: libsqs.so.X.Y.Z (shared, the default) or libsqs.a (-DBUILD_SHARED_LIBS=OFF).
lib=$(find "$DIR/lib" -maxdepth 1 -type f \( -name 'libsqs.so.*' -o -name libsqs.a \) | head -n 1)
for f in ${lib:-$DIR/lib/libsqs} "$DIR/bin/sqsctl"; do
  [[ -f $f ]] || { echo "$(basename "$f"): not built"; continue; }
  cp "$f" "$S/"
  strip --strip-unneeded "$S/$(basename "$f")" 2>/dev/null || strip "$S/$(basename "$f")"
  size=$(stat -c %s "$S/$(basename "$f")")
  total=$((total + size))
  printf '%-10s %9d bytes unstripped, %9d stripped\n' "$(basename "$f")" "$(stat -c %s "$f")" "$size"
done
printf 'stripped total: %d bytes (%.2f MB)\n' "$total" "$(echo "$total / 1048576" | bc -l)"
