// Sliding windows (instead of the fixed interval) and the slow-call rule.
#include <gtest/gtest.h>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

using BreakerWindow = BreakerTest;

TEST_F(BreakerWindow, CountWindowKeepsTheLastNCalls) {
  auto o = options();
  o.window = SlidingWindow::last_calls(5);
  o.should_trip = trip_on_failure_rate(5, 0.6);
  CircuitBreaker b(o);
  fail(b, 2);
  succeed(b, 3);
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{3, 2, 3, 0}));
  succeed(b, 2);  // the two failures leave the window
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{5, 0, 5, 0}));
  clock_->advance(1h);  // no interval reset with a window
  EXPECT_EQ(b.counters().successes, 5);
  fail(b, 2);  // 2 / 5
  EXPECT_EQ(b.state(), kClosed);
  fail(b);  // 3 / 5 = 60 %
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerWindow, CountWindowOfOne) {
  auto o = options();
  o.window = SlidingWindow::last_calls(1);
  o.should_trip = trip_on_failures(2);
  CircuitBreaker b(o);
  fail(b, 5);
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.counters().failures, 1);
  EXPECT_EQ(b.counters().consecutive_failures, 5);  // consecutive counts are not windowed
}

TEST_F(BreakerWindow, TimeWindowForgetsOldCalls) {
  auto o = options();
  o.window = SlidingWindow::last(10s, 10);  // 1 s buckets
  CircuitBreaker b(o);
  fail(b, 6);  // bucket 0
  clock_->advance(5s);
  fail(b, 3);  // bucket 5
  EXPECT_EQ(b.counters().failures, 9);
  clock_->advance(4999ms);  // 9.999 s: bucket 9, both still in
  EXPECT_EQ(b.counters().failures, 9);
  clock_->advance(1ms);  // 10 s: bucket 0 leaves
  EXPECT_EQ(b.counters().failures, 3);
  fail(b, 6);
  EXPECT_EQ(b.state(), kClosed);
  fail(b);
  EXPECT_EQ(b.state(), kOpen);
}

TEST_F(BreakerWindow, TimeWindowEmptiesAfterALongPause) {
  auto o = options();
  o.window = SlidingWindow::last(2s, 4);
  CircuitBreaker b(o);
  fail(b, 5);
  succeed(b, 5);
  clock_->advance(1h);
  EXPECT_EQ(b.counters().failures, 0);
  EXPECT_EQ(b.counters().successes, 0);
  fail(b);
  EXPECT_EQ(b.counters().failures, 1);
}

TEST_F(BreakerWindow, WindowStartsEmptyAfterClosing) {
  auto o = options();
  o.window = SlidingWindow::last_calls(100);
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  succeed(b, 4);
  ASSERT_EQ(b.state(), kClosed);
  EXPECT_EQ(b.counters(), CircuitBreakerCounters{});
  fail(b, 9);
  EXPECT_EQ(b.state(), kClosed);
}

TEST_F(BreakerWindow, SlowSuccessCountsAsFailure) {
  auto o = options();
  o.slow_call_threshold = 2s;
  o.should_trip = trip_on_failures(2);
  o.interval = 0s;
  CircuitBreaker b(o);
  auto quick = b.ready();
  clock_->advance(2s);  // exactly the threshold: not slow
  b.done(std::move(quick), CallOutcome::success);
  EXPECT_EQ(b.counters().successes, 1);

  auto slow = b.ready();
  clock_->advance(2001ms);
  b.done(std::move(slow), CallOutcome::success);
  EXPECT_EQ(b.counters().failures, 1);
  EXPECT_EQ(b.metrics().slow_calls, 1u);

  auto slow_ignored = b.ready();  // a slow call that is ignored stays ignored
  clock_->advance(5s);
  b.done(std::move(slow_ignored), CallOutcome::ignore);
  EXPECT_EQ(b.metrics().ignored, 1u);

  auto slow2 = b.ready();
  clock_->advance(3s);
  b.done(std::move(slow2), CallOutcome::success);
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(b.metrics().failures, 2u);
}

TEST_F(BreakerWindow, SlowProbeReopens) {
  auto o = options();
  o.slow_call_threshold = 1s;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  auto probe = b.ready();
  ASSERT_TRUE(probe.probe());
  clock_->advance(1500ms);
  b.done(std::move(probe), CallOutcome::success);
  EXPECT_EQ(b.state(), kOpen);
}

}  // namespace
}  // namespace sqs::test
