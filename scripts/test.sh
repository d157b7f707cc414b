#!/usr/bin/env bash
# The whole test suite: builds (build/) and runs every test with CTest — unit tests, and
# integration tests against real local SQS servers (fauxqs) that the tests start themselves —
# then builds again with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and runs the
# suite there too. SQS_TEST_SANITIZE=0 skips the sanitizer pass (quicker local runs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh

JOBS=${JOBS:-2}
run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DSQS_BUILD_BENCH=ON -DSQS_BUILD_EXAMPLES=ON "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS"
  ctest --test-dir "$dir" -j"$JOBS" --output-on-failure --no-tests=error
}

echo "== tests (build/) ==" >&2
run_suite build
if [[ ${SQS_TEST_SANITIZE:-1} != 0 ]]; then
  echo "== tests under AddressSanitizer + UBSan (build-asan/) ==" >&2
  run_suite build-asan -DSQS_SANITIZE=ON -DSQS_BUILD_BENCH=OFF
fi
echo "all tests passed" >&2
