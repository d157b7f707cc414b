#!/usr/bin/env bash
# The whole test suite: builds (build/) and runs every test with CTest — unit tests, and
# integration tests against real local SQS servers (fauxqs) that the tests start themselves.
#   scripts/test.sh              the suite, then the circuit-breaker, dispatcher,
#                                fault-injection and consumer tests (their stress tests included)
#                                built with ThreadSanitizer (build-tsan/), then a fuzzing smoke run
#   scripts/test.sh --sanitize   then the whole suite built with AddressSanitizer + UBSan
#                                (build-asan/)
#   scripts/test.sh --tsan       then the whole suite built with ThreadSanitizer (build-tsan/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# No test may ever reach an instance metadata service: tests of metadata credentials point
# their endpoint variables at a scripted server on 127.0.0.1.
export AWS_EC2_METADATA_DISABLED=true
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
# The breaker and the dispatcher's load accounting (watchdog, bulkheads, hedged sends) are the
# most concurrent code: their tests always run under TSan too. The multiqueue tests that only
# replay real-time scenarios against fauxqs (TwoRegions, GrayFailure) ran in the suite above.
# So do the fault-injection tests of sends, batches and the dispatcher (calls completing on the
# client's thread while connections break under them; their long polls only wait), and the
# consumer's (its event loop, worker threads, handlers settling from any thread). And the
# credential providers' (refreshes on the caches' own threads, single flight, 1,000 waiters) with
# the client's calls waiting for credentials off its loop. And the producer's (its loop, senders
# on any thread, completions from the clients' threads).
echo "== breaker, dispatcher, fault-injection, consumer, producer and credentials tests under ThreadSanitizer (build-tsan/) ==" >&2
cmake -S . -B build-tsan -DSQS_TSAN=ON -DSQS_BUILD_BENCH=OFF -DSQS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-tsan -j"$JOBS" --target test_resilience test_multiqueue test_faults test_consumer \
  test_producer test_auth test_client
ctest --test-dir build-tsan -R '^resilience$' --output-on-failure --no-tests=error
build-tsan/bin/test_multiqueue --gtest_brief=1 --gtest_filter='-TwoRegions.*:GrayFailure.*'
build-tsan/bin/test_faults --gtest_brief=1 --gtest_filter='-*LongPolls/*'
build-tsan/bin/test_consumer --gtest_brief=1
build-tsan/bin/test_producer --gtest_brief=1
build-tsan/bin/test_auth --gtest_brief=1
build-tsan/bin/test_client --gtest_brief=1 --gtest_filter='AsyncCredentials.*'
for arg in "$@"; do
  case $arg in
    --sanitize)
      echo "== tests under AddressSanitizer + UBSan (build-asan/) ==" >&2
      run_suite build-asan -DSQS_SANITIZE=ON -DSQS_BUILD_BENCH=OFF -DSQS_BUILD_EXAMPLES=OFF ;;
    --tsan)
      echo "== tests under ThreadSanitizer (build-tsan/) ==" >&2
      run_suite build-tsan -DSQS_TSAN=ON -DSQS_BUILD_BENCH=OFF -DSQS_BUILD_EXAMPLES=OFF ;;
    *) echo "usage: scripts/test.sh [--sanitize] [--tsan]" >&2; exit 2 ;;
  esac
done
# ---- fuzzing smoke (issue #8): every fuzz target over its regressions, then 10 s of fuzzing
# each (Clang + libFuzzer in build-fuzz/; a missing clang fails, it is never skipped).
echo "== fuzz targets, 10 s each (build-fuzz/) ==" >&2
FUZZ_JOBS=${FUZZ_JOBS:-$JOBS} ./scripts/fuzz.sh 10
# ----
echo "all tests passed" >&2
