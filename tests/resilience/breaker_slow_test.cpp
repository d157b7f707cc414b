// CircuitBreaker::slow(permit): a call still outstanding counted at once as a failure (a slow
// call), as the dispatcher's watchdog does.
#include <gtest/gtest.h>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

using BreakerSlow = BreakerTest;

TEST_F(BreakerSlow, CountsAsAFailureAndAsASlowCall) {
  CircuitBreaker b(options());
  auto permit = b.ready();
  ASSERT_TRUE(permit);
  b.slow(std::move(permit));
  EXPECT_FALSE(permit);  // consumed
  const auto m = b.metrics();
  EXPECT_EQ(m.failures, 1u);
  EXPECT_EQ(m.slow_calls, 1u);
  EXPECT_EQ(m.successes, 0u);
  EXPECT_EQ(m.ignored, 0u);
  EXPECT_EQ(m.stale, 0u);
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{0, 1, 0, 1}));
}

TEST_F(BreakerSlow, ThePermitsOwnOutcomeIsNotCountedAfterwards) {
  CircuitBreaker b(options());
  auto permit = b.ready();
  b.slow(std::move(permit));
  b.done(std::move(permit), CallOutcome::success);  // the call came back after all: no-op
  b.slow(std::move(permit));                        // and twice is once
  const auto m = b.metrics();
  EXPECT_EQ(m.successes, 0u);
  EXPECT_EQ(m.failures, 1u);
  EXPECT_EQ(m.slow_calls, 1u);
  EXPECT_EQ(m.ignored, 0u);
}

TEST_F(BreakerSlow, OrdinaryFailuresAreNotSlowCalls) {
  CircuitBreaker b(options());
  fail(b, 3);
  auto permit = b.ready();
  b.slow(std::move(permit));
  const auto m = b.metrics();
  EXPECT_EQ(m.failures, 4u);
  EXPECT_EQ(m.slow_calls, 1u);
}

TEST_F(BreakerSlow, TripsLikeAFailure) {
  CircuitBreaker b(options());  // default: 10 failures
  for (int i = 0; i < 9; ++i) {
    auto permit = b.ready();
    ASSERT_TRUE(permit);
    b.slow(std::move(permit));
  }
  EXPECT_EQ(b.state(), kClosed);
  auto permit = b.ready();
  b.slow(std::move(permit));
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(transitions(), (std::vector<Transition>{{kClosed, kOpen}}));
  EXPECT_EQ(b.metrics().slow_calls, 10u);
}

TEST_F(BreakerSlow, TripsByTheTripFunctionMixedWithFailures) {
  auto o = options();
  o.should_trip = trip_on_consecutive_failures(3);
  CircuitBreaker b(o);
  auto p1 = b.ready();
  b.slow(std::move(p1));
  fail(b);
  succeed(b);  // breaks the run
  auto p2 = b.ready();
  b.slow(std::move(p2));
  fail(b);
  EXPECT_EQ(b.state(), kClosed);
  auto p3 = b.ready();
  b.slow(std::move(p3));  // third consecutive
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerSlow, TripsByFailureRate) {
  auto o = options();
  o.should_trip = trip_on_failure_rate(4, 0.5);
  CircuitBreaker b(o);
  succeed(b, 2);
  auto p1 = b.ready();
  b.slow(std::move(p1));  // 1 / 3: too few calls
  EXPECT_EQ(b.state(), kClosed);
  auto p2 = b.ready();
  b.slow(std::move(p2));  // 2 / 4
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerSlow, HeldPermitsAreCountedWhateverTheOrder) {
  auto o = options();
  o.should_trip = trip_on_failures(3);
  CircuitBreaker b(o);
  // Three calls in flight at once; the watchdog settles them, while a fourth succeeds.
  auto p1 = b.ready();
  auto p2 = b.ready();
  auto p3 = b.ready();
  succeed(b);
  b.slow(std::move(p2));
  b.slow(std::move(p3));
  EXPECT_EQ(b.state(), kClosed);
  b.slow(std::move(p1));
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerSlow, APermitOfAnOlderEpochIsStale) {
  CircuitBreaker b(options());
  auto old = b.ready();
  trip(b);  // closed -> open: a new epoch
  b.slow(std::move(old));
  auto m = b.metrics();
  EXPECT_EQ(m.stale, 1u);
  EXPECT_EQ(m.failures, 10u);
  EXPECT_EQ(m.slow_calls, 0u);
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerSlow, AStalePermitDoesNotReopenAHalfOpenBreaker) {
  CircuitBreaker b(options());
  auto old = b.ready();
  trip(b);
  clock_->advance(500ms);  // first open period (no jitter)
  ASSERT_EQ(b.state(), kHalfOpen);
  b.slow(std::move(old));
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_EQ(b.metrics().stale, 1u);
  EXPECT_EQ(b.metrics().slow_calls, 0u);
}

TEST_F(BreakerSlow, APermitFromBeforeAResetIsStale) {
  CircuitBreaker b(options());
  auto old = b.ready();
  b.reset();  // closed -> closed, new epoch
  b.slow(std::move(old));
  EXPECT_EQ(b.metrics().stale, 1u);
  EXPECT_EQ(b.counters().failures, 0);
}

TEST_F(BreakerSlow, ASlowProbeReopens) {
  CircuitBreaker b(options());
  trip(b);
  clock_->advance(500ms);
  ASSERT_EQ(b.state(), kHalfOpen);
  auto probe = b.ready();
  ASSERT_TRUE(probe);
  ASSERT_TRUE(probe.probe());
  EXPECT_EQ(b.metrics().probes_in_flight, 1);
  b.slow(std::move(probe));
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(b.metrics().probes_in_flight, 0);
  EXPECT_EQ(b.metrics().slow_calls, 1u);
  EXPECT_EQ(transitions(),
            (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kHalfOpen}, {kHalfOpen, kOpen}}));
  EXPECT_EQ(b.metrics().last_open_timeout, 750ms);  // the back-off goes on
}

TEST_F(BreakerSlow, ARefusedPermitIsANoOp) {
  CircuitBreaker b(options());
  trip(b);
  auto refused = b.ready();
  ASSERT_FALSE(refused);
  const auto before = b.metrics();
  b.slow(std::move(refused));
  CircuitBreaker::Permit empty;
  b.slow(std::move(empty));
  const auto after = b.metrics();
  EXPECT_EQ(after.failures, before.failures);
  EXPECT_EQ(after.slow_calls, before.slow_calls);
  EXPECT_EQ(after.stale, before.stale);
  EXPECT_EQ(after.ignored, before.ignored);
  EXPECT_EQ(after.rejected, before.rejected);
  EXPECT_EQ(after.counters, before.counters);
  EXPECT_EQ(after.transitions, before.transitions);
  EXPECT_EQ(after.state, kOpen);
}

TEST_F(BreakerSlow, ARefusedProbeIsANoOp) {
  auto o = options();
  o.half_open_max_probes = 1;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  auto probe = b.ready();
  ASSERT_TRUE(probe);
  auto refused = b.ready();
  ASSERT_FALSE(refused);
  b.slow(std::move(refused));
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_EQ(b.metrics().probes_in_flight, 1);
  EXPECT_EQ(b.metrics().slow_calls, 0u);
}

TEST_F(BreakerSlow, AnotherBreakersPermitIsSettledThere) {
  CircuitBreaker a(options());
  CircuitBreaker b(options());
  auto permit = a.ready();
  b.slow(std::move(permit));
  EXPECT_EQ(a.metrics().slow_calls, 1u);
  EXPECT_EQ(a.metrics().failures, 1u);
  EXPECT_EQ(b.metrics().slow_calls, 0u);
  EXPECT_EQ(b.metrics().failures, 0u);
}

TEST_F(BreakerSlow, WorksWithTheSlowCallRule) {
  auto o = options();
  o.slow_call_threshold = 1s;
  o.interval = 0s;  // no counter reset while the clock moves
  o.should_trip = trip_on_failures(2);
  CircuitBreaker b(o);
  auto watched = b.ready();  // the watchdog settles it before it reaches the threshold
  b.slow(std::move(watched));
  auto late = b.ready();
  clock_->advance(2s);
  b.done(std::move(late), CallOutcome::success);  // slow by the rule
  EXPECT_EQ(b.metrics().slow_calls, 2u);
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerSlow, CountsInTheCurrentIntervalOnly) {
  auto o = options();
  o.interval = 1s;
  o.should_trip = trip_on_failures(2);
  CircuitBreaker b(o);
  auto p1 = b.ready();
  b.slow(std::move(p1));
  clock_->advance(1s);  // the counters start again
  auto p2 = b.ready();
  b.slow(std::move(p2));
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.counters().failures, 1);
  EXPECT_EQ(b.metrics().slow_calls, 2u);
}

TEST_F(BreakerSlow, ForcedClosedCountsButNeverTrips) {
  auto o = options();
  o.should_trip = trip_on_failures(1);
  CircuitBreaker b(o);
  b.force_closed();
  auto permit = b.ready();
  b.slow(std::move(permit));
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.metrics().slow_calls, 1u);
}

}  // namespace
}  // namespace sqs::test
