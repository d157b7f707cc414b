// How long the breaker stays open.
#include <gtest/gtest.h>

#include <cmath>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

using BreakerBackOff = BreakerTest;

// Trips the breaker from closed or half-open, returns the open period it chose, and lets it
// reach half-open again.
std::chrono::nanoseconds reopen(CircuitBreaker& b, ManualClock& clock) {
  if (b.state() == CircuitState::closed) {
    for (int i = 0; i < 10; ++i) b.done(b.ready(), CallOutcome::failure);
  } else {
    b.done(b.ready(), CallOutcome::failure);
  }
  EXPECT_EQ(b.state(), CircuitState::open);
  const auto period = b.metrics().last_open_timeout;
  clock.advance(period);
  EXPECT_EQ(b.state(), CircuitState::half_open);
  return period;
}

TEST_F(BreakerBackOff, GrowsByOneAndAHalfUpToTheCap) {
  CircuitBreaker b(options());  // no jitter
  std::vector<std::chrono::nanoseconds> periods;
  for (int i = 0; i < 14; ++i) periods.push_back(reopen(b, *clock_));
  EXPECT_EQ(periods[0], 500ms);
  EXPECT_EQ(periods[1], 750ms);
  EXPECT_EQ(periods[2], 1125ms);
  EXPECT_EQ(periods[3], 1687500us);
  for (std::size_t i = 1; i < periods.size(); ++i) {
    const double expected = std::min(0.5e9 * std::pow(1.5, static_cast<double>(i)), 60e9);
    EXPECT_NEAR(static_cast<double>(periods[i].count()), expected, 1.0) << i;
  }
  EXPECT_EQ(periods.back(), 60s);  // 0.5 * 1.5^13 = 97 s, capped
}

TEST_F(BreakerBackOff, NeverGivesUp) {
  CircuitBreaker b(options());
  for (int i = 0; i < 40; ++i) reopen(b, *clock_);  // hours of outage
  EXPECT_EQ(b.metrics().last_open_timeout, 60s);
  EXPECT_EQ(b.state(), kHalfOpen);
}

TEST_F(BreakerBackOff, ResetsWhenTheBreakerCloses) {
  CircuitBreaker b(options());
  reopen(b, *clock_);
  reopen(b, *clock_);
  EXPECT_EQ(reopen(b, *clock_), 1125ms);
  succeed(b, 4);
  ASSERT_EQ(b.state(), kClosed);
  EXPECT_EQ(reopen(b, *clock_), 500ms);
}

TEST_F(BreakerBackOff, ResetAlsoResetsIt) {
  CircuitBreaker b(options());
  reopen(b, *clock_);
  reopen(b, *clock_);
  b.reset();
  EXPECT_EQ(reopen(b, *clock_), 500ms);
}

TEST_F(BreakerBackOff, JitterStaysWithinBounds) {
  auto o = options();
  o.open_back_off.jitter = 0.5;
  CircuitBreaker b(o);
  double base = 0.5e9;
  double lowest_ratio = 2;
  double highest_ratio = 0;
  for (int i = 0; i < 200; ++i) {
    const double period = static_cast<double>(reopen(b, *clock_).count());
    const double ratio = period / base;
    EXPECT_GE(ratio, 0.5 - 1e-9) << i;
    EXPECT_LE(ratio, 1.5 + 1e-9) << i;
    lowest_ratio = std::min(lowest_ratio, ratio);
    highest_ratio = std::max(highest_ratio, ratio);
    base = std::min(base * 1.5, 60e9);
  }
  // The jitter really spreads (200 draws from a fixed seed).
  EXPECT_LT(lowest_ratio, 0.6);
  EXPECT_GT(highest_ratio, 1.4);
}

TEST_F(BreakerBackOff, SameSeedSameJitter) {
  auto o = options();
  o.open_back_off.jitter = 0.5;
  o.on_state_change = nullptr;
  CircuitBreaker a(o), b(o);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(reopen(a, *clock_), reopen(b, *clock_));
}

TEST_F(BreakerBackOff, CustomBackOff) {
  auto o = options();
  o.open_back_off.initial = 1s;
  o.open_back_off.multiplier = 2;
  o.open_back_off.max = 3s;
  CircuitBreaker b(o);
  EXPECT_EQ(reopen(b, *clock_), 1s);
  EXPECT_EQ(reopen(b, *clock_), 2s);
  EXPECT_EQ(reopen(b, *clock_), 3s);
  EXPECT_EQ(reopen(b, *clock_), 3s);
}

TEST_F(BreakerBackOff, FixedOpenTimeoutReplacesTheBackOff) {
  auto o = options();
  o.open_timeout = 7s;
  o.open_back_off.jitter = 0.5;  // unused
  CircuitBreaker b(o);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(reopen(b, *clock_), 7s);
}

}  // namespace
}  // namespace sqs::test
