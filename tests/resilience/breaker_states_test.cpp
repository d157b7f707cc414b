// The state machine of the Go design, on a manual clock.
#include <gtest/gtest.h>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

TEST(CircuitState, Names) {
  EXPECT_EQ(to_string(CircuitState::closed), "closed");
  EXPECT_EQ(to_string(CircuitState::open), "open");
  EXPECT_EQ(to_string(CircuitState::half_open), "half-open");
  EXPECT_EQ(to_string(CallOutcome::success), "success");
  EXPECT_EQ(to_string(CallOutcome::failure), "failure");
  EXPECT_EQ(to_string(CallOutcome::ignore), "ignore");
}

TEST(CircuitBreakerOptions, DefaultsAreThoseOfTheGoDesign) {
  CircuitBreakerOptions o;
  EXPECT_EQ(o.interval, 1s);
  EXPECT_EQ(o.open_timeout, 0s);
  EXPECT_EQ(o.open_back_off.initial, 500ms);
  EXPECT_DOUBLE_EQ(o.open_back_off.multiplier, 1.5);
  EXPECT_DOUBLE_EQ(o.open_back_off.jitter, 0.5);
  EXPECT_EQ(o.open_back_off.max, 60s);
  EXPECT_EQ(o.half_open_successes, 4);
  EXPECT_EQ(o.half_open_max_probes, 0);
  EXPECT_EQ(o.window.kind, SlidingWindow::Kind::none);
  EXPECT_EQ(o.slow_call_threshold, 0s);
  EXPECT_FALSE(o.fail_on_cancel);
  EXPECT_FALSE(o.fail_on_deadline);
}

using BreakerStates = BreakerTest;

TEST_F(BreakerStates, StartsClosedAndAdmitsCalls) {
  CircuitBreaker b(options());
  EXPECT_EQ(b.state(), kClosed);
  auto permit = b.ready();
  EXPECT_TRUE(permit);
  EXPECT_FALSE(permit.probe());
}

TEST_F(BreakerStates, DefaultTripsAtTenFailures) {
  CircuitBreaker b(options());
  fail(b, 9);
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.counters().failures, 9);
  fail(b);
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(transitions(), (std::vector<Transition>{{kClosed, kOpen}}));
}

TEST_F(BreakerStates, SuccessesDoNotTripAndResetConsecutiveFailures) {
  CircuitBreaker b(options());
  fail(b, 3);
  succeed(b, 2);
  const auto c = b.counters();
  EXPECT_EQ(c, (CircuitBreakerCounters{2, 3, 2, 0}));
  fail(b);
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{2, 4, 0, 1}));
}

TEST_F(BreakerStates, CountersResetEveryIntervalWhileClosed) {
  CircuitBreaker b(options());  // interval 1 s
  fail(b, 9);
  clock_->advance(999ms);
  EXPECT_EQ(b.counters().failures, 9);
  clock_->advance(1ms);
  EXPECT_EQ(b.counters(), CircuitBreakerCounters{});
  fail(b, 9);
  EXPECT_EQ(b.state(), kClosed);
  // Intervals are aligned on the start: 2.5 s later we are in the third interval.
  clock_->advance(2500ms);
  fail(b, 5);
  clock_->advance(499ms);
  fail(b, 4);
  EXPECT_EQ(b.counters().failures, 9);
  clock_->advance(1ms);
  fail(b);
  EXPECT_EQ(b.counters().failures, 1);
  EXPECT_EQ(b.state(), kClosed);
}

TEST_F(BreakerStates, NoIntervalMeansCountersNeverReset) {
  auto o = options();
  o.interval = 0s;
  CircuitBreaker b(o);
  fail(b, 9);
  clock_->advance(1h);
  EXPECT_EQ(b.counters().failures, 9);
  fail(b);
  EXPECT_EQ(b.state(), kOpen);

  o.interval = -1s;
  CircuitBreaker negative(o);
  fail(negative, 5);
  clock_->advance(1h);
  EXPECT_EQ(negative.counters().failures, 5);
}

TEST_F(BreakerStates, TripOnConsecutiveFailures) {
  auto o = options();
  o.should_trip = trip_on_consecutive_failures(3);
  CircuitBreaker b(o);
  fail(b, 2);
  succeed(b);
  fail(b, 2);
  EXPECT_EQ(b.state(), kClosed);
  fail(b);
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerStates, TripOnFailureRateNeedsMinimumCalls) {
  auto o = options();
  o.should_trip = trip_on_failure_rate(10, 0.5);
  CircuitBreaker b(o);
  fail(b, 5);  // 100 % but only 5 calls
  EXPECT_EQ(b.state(), kClosed);
  succeed(b, 5);
  EXPECT_EQ(b.state(), kClosed);  // trip is asked on failures only
  fail(b);                        // 6 / 11 >= 0.5
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerStates, TripFunctions) {
  EXPECT_FALSE(trip_on_failures(2)({0, 1, 0, 1}));
  EXPECT_TRUE(trip_on_failures(2)({0, 2, 0, 1}));
  EXPECT_FALSE(trip_on_consecutive_failures(2)({0, 5, 0, 1}));
  EXPECT_TRUE(trip_on_consecutive_failures(2)({0, 5, 0, 2}));
  EXPECT_FALSE(trip_on_failure_rate(4, 0.5)({1, 2, 0, 0}));  // 3 calls < 4
  EXPECT_FALSE(trip_on_failure_rate(4, 0.5)({3, 2, 0, 0}));  // 40 %
  EXPECT_TRUE(trip_on_failure_rate(4, 0.5)({2, 2, 0, 0}));   // 50 %
  EXPECT_FALSE(trip_on_failure_rate(0, 0.5)({0, 0, 0, 0}));  // no calls, no rate
}

TEST_F(BreakerStates, OpenRefusesWithCircuitOpenError) {
  CircuitBreaker b(options());
  trip(b);
  auto permit = b.ready();
  EXPECT_FALSE(permit);
  const Error e = b.refusal(permit);
  EXPECT_EQ(e.kind, ErrorKind::circuit_open);
  EXPECT_EQ(e.code, "CircuitOpen");
  EXPECT_EQ(b.metrics().rejected, 1u);
}

TEST_F(BreakerStates, MovesToHalfOpenOnTimeWithNoCalls) {
  CircuitBreaker b(options());
  trip(b);
  EXPECT_EQ(b.metrics().half_open_at, clock_->now() + 500ms);
  clock_->advance(499ms);
  EXPECT_EQ(b.state(), kOpen);
  clock_->advance(1ms);  // nobody calls: the clock's timer does it, and the hook says so
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_EQ(transitions(), (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kHalfOpen}}));
}

TEST_F(BreakerStates, HalfOpenClosesAfterFourConsecutiveSuccesses) {
  CircuitBreaker b(options());
  trip(b);
  clock_->advance(500ms);
  for (int i = 0; i < 3; ++i) {
    auto permit = b.ready();
    ASSERT_TRUE(permit);
    EXPECT_TRUE(permit.probe());
    b.done(std::move(permit), CallOutcome::success);
    EXPECT_EQ(b.state(), kHalfOpen);
  }
  succeed(b);
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.counters(), CircuitBreakerCounters{});  // a fresh start
  EXPECT_EQ(transitions().back(), (Transition{kHalfOpen, kClosed}));
}

TEST_F(BreakerStates, HalfOpenSuccessesNeededIsConfigurable) {
  auto o = options();
  o.half_open_successes = 1;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  succeed(b);
  EXPECT_EQ(b.state(), kClosed);

  o.half_open_successes = 0;  // as in Go: the default, 4
  CircuitBreaker zero(o);
  trip(zero);
  clock_->advance(500ms);
  succeed(zero, 3);
  EXPECT_EQ(zero.state(), kHalfOpen);
  succeed(zero);
  EXPECT_EQ(zero.state(), kClosed);
}

TEST_F(BreakerStates, AnyFailureInHalfOpenReopens) {
  CircuitBreaker b(options());
  trip(b);
  clock_->advance(500ms);
  succeed(b, 3);
  fail(b);
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(transitions(),
            (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kHalfOpen}, {kHalfOpen, kOpen}}));
}

TEST_F(BreakerStates, HalfOpenCapsConcurrentProbes) {
  CircuitBreaker b(options());  // cap = half_open_successes = 4
  trip(b);
  clock_->advance(500ms);
  std::vector<CircuitBreaker::Permit> probes;
  for (int i = 0; i < 4; ++i) {
    probes.push_back(b.ready());
    ASSERT_TRUE(probes.back());
  }
  auto over = b.ready();
  EXPECT_FALSE(over);
  EXPECT_EQ(b.refusal(over).kind, ErrorKind::circuit_open);
  EXPECT_NE(b.refusal(over).message.find("probe"), std::string::npos);
  EXPECT_EQ(b.metrics().probes_in_flight, 4);
  // An ignored probe frees its slot without counting.
  b.done(std::move(probes[0]), CallOutcome::ignore);
  auto again = b.ready();
  EXPECT_TRUE(again);
  EXPECT_EQ(b.counters().successes, 0);
}

TEST_F(BreakerStates, ProbeCapIsConfigurable) {
  auto o = options();
  o.half_open_max_probes = 1;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  auto first = b.ready();
  ASSERT_TRUE(first);
  EXPECT_FALSE(b.ready());
  b.done(std::move(first), CallOutcome::success);
  succeed(b, 3);
  EXPECT_EQ(b.state(), kClosed);
}

TEST_F(BreakerStates, AbandonedPermitIsIgnoredAndFreesItsProbeSlot) {
  auto o = options();
  o.half_open_max_probes = 1;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  {
    auto dropped = b.ready();
    ASSERT_TRUE(dropped);
  }  // e.g. an exception unwound past it
  EXPECT_EQ(b.metrics().probes_in_flight, 0);
  EXPECT_EQ(b.metrics().ignored, 1u);
  EXPECT_TRUE(b.ready());
}

TEST_F(BreakerStates, OutcomesFromBeforeAStateChangeAreNotCounted) {
  CircuitBreaker b(options());
  auto slow_call = b.ready();  // admitted while closed
  trip(b);
  clock_->advance(500ms);
  ASSERT_EQ(b.state(), kHalfOpen);
  // It fails now (say a long poll timing out): that says nothing of the probes.
  b.done(std::move(slow_call), CallOutcome::failure);
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_EQ(b.metrics().stale, 1u);
}

TEST_F(BreakerStates, DonePermitIsSpent) {
  CircuitBreaker b(options());
  auto permit = b.ready();
  b.done(std::move(permit), CallOutcome::failure);
  b.done(std::move(permit), CallOutcome::failure);  // NOLINT: deliberately reused
  EXPECT_EQ(b.counters().failures, 1);
  CircuitBreaker::Permit refused;
  b.done(std::move(refused), CallOutcome::failure);
  EXPECT_EQ(b.counters().failures, 1);
}

TEST_F(BreakerStates, IgnoreAndCountAsSuccess) {
  auto o = options();
  o.classify = [](const Error& e) {
    if (e.code == "Benign") return CallOutcome::success;
    if (e.code == "NotMine") return CallOutcome::ignore;
    return CallOutcome::failure;
  };
  CircuitBreaker b(o);
  for (int i = 0; i < 20; ++i) {
    b.done(b.ready(), Error::make(ErrorKind::service, "NotMine", ""));
  }
  EXPECT_EQ(b.counters(), CircuitBreakerCounters{});
  EXPECT_EQ(b.metrics().ignored, 20u);
  fail(b, 3);
  b.done(b.ready(), Error::make(ErrorKind::service, "Benign", ""));
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{1, 3, 1, 0}));
}

TEST_F(BreakerStates, ForceOpenHoldsOpenUntilCleared) {
  CircuitBreaker b(options());
  b.force_open();
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_TRUE(b.metrics().forced);
  EXPECT_FALSE(b.metrics().half_open_at);
  clock_->advance(1h);
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_FALSE(b.ready());
  b.clear();  // probe at once
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_FALSE(b.metrics().forced);
  EXPECT_EQ(transitions(), (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kHalfOpen}}));
}

TEST_F(BreakerStates, ForceOpenWhileOpenCancelsTheHalfOpenTimer) {
  CircuitBreaker b(options());
  trip(b);
  b.force_open();
  clock_->advance(1h);
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(clock_->pending(), 0u);
}

TEST_F(BreakerStates, ForceClosedNeverTripsUntilCleared) {
  CircuitBreaker b(options());
  trip(b);
  b.force_closed();
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(clock_->pending(), 0u);  // the open timer went with the open state
  fail(b, 100);
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_TRUE(b.metrics().forced);
  b.clear();
  EXPECT_EQ(b.state(), kClosed);
  clock_->advance(1s);  // a new interval
  fail(b, 10);
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerStates, ClearWithoutForcingDoesNothing) {
  CircuitBreaker b(options());
  fail(b, 3);
  b.clear();
  EXPECT_EQ(b.counters().failures, 3);
  EXPECT_TRUE(transitions().empty());
}

TEST_F(BreakerStates, ResetClosesWithFreshCountersAndEndsForcing) {
  CircuitBreaker b(options());
  fail(b, 4);
  b.reset();
  EXPECT_EQ(b.counters(), CircuitBreakerCounters{});
  EXPECT_TRUE(transitions().empty());  // closed -> closed is no change
  b.force_open();
  b.reset();
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_FALSE(b.metrics().forced);
  EXPECT_EQ(transitions(), (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kClosed}}));
}

TEST_F(BreakerStates, MetricsSnapshot) {
  CircuitBreaker b(options());
  const auto created = clock_->now();
  auto m = b.metrics();
  EXPECT_EQ(m.state, kClosed);
  EXPECT_EQ(m.transitions, 0u);
  EXPECT_EQ(m.last_transition, created);

  succeed(b, 2);
  b.done(b.ready(), CallOutcome::ignore);
  clock_->advance(10ms);
  trip(b);
  EXPECT_FALSE(b.ready());
  m = b.metrics();
  EXPECT_EQ(m.state, kOpen);
  EXPECT_EQ(m.transitions, 1u);
  EXPECT_EQ(m.last_transition, created + 10ms);
  EXPECT_EQ(m.half_open_at, created + 10ms + 500ms);
  EXPECT_EQ(m.last_open_timeout, 500ms);
  EXPECT_EQ(m.successes, 2u);
  EXPECT_EQ(m.failures, 10u);
  EXPECT_EQ(m.ignored, 1u);
  EXPECT_EQ(m.rejected, 1u);
  EXPECT_EQ(m.counters, CircuitBreakerCounters{});  // a new state period
}

TEST_F(BreakerStates, ReadyAfterTheOpenPeriodMovesToHalfOpenEvenIfTheTimerIsLate) {
  // A clock that never fires its timers: ready() must still notice the open period is over.
  struct LazyClock : Clock {
    ManualClock inner;
    time_point now() const noexcept override { return inner.now(); }
    TimerHandle schedule(time_point, std::function<void()>) override { return {}; }
  };
  auto lazy = std::make_shared<LazyClock>();
  auto o = options();
  o.clock = lazy;
  CircuitBreaker b(o);
  trip(b);
  lazy->inner.advance(499ms);
  EXPECT_FALSE(b.ready());
  lazy->inner.advance(1ms);
  EXPECT_TRUE(b.ready());
  EXPECT_EQ(b.state(), kHalfOpen);
}

TEST_F(BreakerStates, DestroyingABreakerCancelsItsTimer) {
  {
    CircuitBreaker b(options());
    trip(b);
    EXPECT_EQ(clock_->pending(), 1u);
  }
  EXPECT_EQ(clock_->pending(), 0u);
  clock_->advance(1h);  // nothing runs on the destroyed breaker (ASan would tell)
}

}  // namespace
}  // namespace sqs::test
