// AdaptiveLimit: unlimited while healthy, in_flight × tolerance × baseline / recent (never
// below the floor, only downwards) while degraded, +25 % + 1 per healthy update afterwards,
// lifted past 256; adaptive = false. (The fixed ceiling is QueueLoad's: tests/multiqueue.)
#include "resilience/adaptive_limit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "resilience/latency_estimate.hpp"

namespace sqs::detail {
namespace {

using namespace std::chrono_literals;
using TimePoint = LatencyEstimate::time_point;
using Ns = std::chrono::nanoseconds;

const TimePoint t0 = TimePoint{} + 1h;
constexpr std::int64_t kNone = AdaptiveLimit::kNone;

// An estimate with this baseline and recent() (two answers at the same instant).
LatencyEstimate with(Ns baseline, Ns recent) {
  LatencyEstimate e;
  e.add(baseline, t0);
  e.add(baseline + 4 * (recent - baseline), t0);
  return e;
}

LatencyEstimate healthy() {
  LatencyEstimate e;
  e.add(10ms, t0);
  return e;
}

// Baseline 10 ms, recent 100 ms: ten times slower, baseline / recent = 0.1.
LatencyEstimate ten_times_slower() {
  return with(10ms, 100ms);
}

TEST(AdaptiveLimit, DefaultConfig) {
  AdaptiveLimit l;
  EXPECT_EQ(l.limit(), kNone);
  EXPECT_FALSE(l.limited());
  EXPECT_TRUE(l.config().adaptive);
  EXPECT_EQ(l.config().floor, 2);
  EXPECT_EQ(l.config().tolerance, 2.0);
  EXPECT_EQ(l.config().margin, 50ms);
}

TEST(AdaptiveLimit, ConfigIsClamped) {
  AdaptiveLimit l({.floor = 0, .tolerance = 0.5});
  EXPECT_EQ(l.config().floor, 1);
  EXPECT_EQ(l.config().tolerance, 1.0);
  l.update(ten_times_slower(), 0);
  EXPECT_EQ(l.limit(), 1);
}

TEST(AdaptiveLimit, NoLimitWhileHealthy) {
  AdaptiveLimit l;
  LatencyEstimate e;
  l.update(e, 100);  // no samples yet
  EXPECT_EQ(l.limit(), kNone);
  for (int i = 0; i < 1000; ++i) {
    e.add(std::chrono::milliseconds(5 + i % 7), t0 + i * 10ms);
    l.update(e, 1000);
    ASSERT_EQ(l.limit(), kNone) << i;
  }
  EXPECT_FALSE(l.limited());
}

TEST(AdaptiveLimit, SlowerButWithinToleranceIsNotLimited) {
  AdaptiveLimit l;
  l.update(with(100ms, 180ms), 50);  // 1.8 × baseline
  EXPECT_EQ(l.limit(), kNone);
  l.update(with(10ms, 30ms), 50);  // 3 ×, but only 20 ms above
  EXPECT_EQ(l.limit(), kNone);
}

TEST(AdaptiveLimit, DegradedScalesInFlight) {
  for (const std::int64_t n : {50, 100, 500, 1000}) {
    AdaptiveLimit l;
    l.update(ten_times_slower(), n);
    EXPECT_TRUE(l.limited());
    EXPECT_NEAR(static_cast<double>(l.limit()), static_cast<double>(n) * 2.0 * 0.1, 1.0) << n;
  }
  AdaptiveLimit tolerant({.tolerance = 4.0});
  tolerant.update(with(10ms, 200ms), 100);  // 100 × 4 × 10 / 200
  EXPECT_NEAR(static_cast<double>(tolerant.limit()), 20.0, 1.0);
}

TEST(AdaptiveLimit, NeverBelowTheFloor) {
  AdaptiveLimit l;
  l.update(ten_times_slower(), 5);  // 5 × 0.2 = 1
  EXPECT_EQ(l.limit(), 2);
  l.update(ten_times_slower(), 0);
  EXPECT_EQ(l.limit(), 2);
  AdaptiveLimit seven({.floor = 7});
  seven.update(with(10ms, 1s), 100);  // 100 × 2 × 0.01 = 2
  EXPECT_EQ(seven.limit(), 7);
}

TEST(AdaptiveLimit, OnlyGoesDownWhileDegraded) {
  AdaptiveLimit l;
  l.update(ten_times_slower(), 50);
  const std::int64_t first = l.limit();
  EXPECT_NEAR(static_cast<double>(first), 10.0, 1.0);
  l.update(ten_times_slower(), 500);  // more in flight: would be 100
  EXPECT_EQ(l.limit(), first);
  l.update(with(10ms, 70ms), 500);  // less slow: would be 142
  EXPECT_EQ(l.limit(), first);
  l.update(ten_times_slower(), 25);  // 5
  EXPECT_NEAR(static_cast<double>(l.limit()), 5.0, 1.0);
  EXPECT_LT(l.limit(), first);
  const std::int64_t second = l.limit();
  l.update(ten_times_slower(), 1000);
  EXPECT_EQ(l.limit(), second);
}

TEST(AdaptiveLimit, RecoveryGrowsByAQuarterPlusOneThenLifts) {
  AdaptiveLimit l;
  l.update(ten_times_slower(), 0);
  ASSERT_EQ(l.limit(), 2);
  // 2 -> 3.5 -> 5.375 -> 7.72 -> ... each healthy update: × 1.25 + 1.
  const std::vector<std::int64_t> expected{3,  5,  7,  10, 14,  18,  24,  31,
                                           40, 51, 65, 83, 105, 132, 166, 209};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    l.update(healthy(), 1000);
    ASSERT_EQ(l.limit(), expected[i]) << "healthy update " << i + 1;
  }
  l.update(healthy(), 1000);  // 262 > 256: lifted altogether
  EXPECT_EQ(l.limit(), kNone);
  EXPECT_FALSE(l.limited());
  l.update(healthy(), 1000);
  EXPECT_EQ(l.limit(), kNone);
}

TEST(AdaptiveLimit, DegradedAgainDuringRecoveryGoesDownFromWhereItWas) {
  AdaptiveLimit l;
  l.update(ten_times_slower(), 50);  // 10
  for (int i = 0; i < 3; ++i) l.update(healthy(), 50);
  const std::int64_t grown = l.limit();  // 10 -> 13.5 -> 17.9 -> 23.3
  EXPECT_GT(grown, 20);
  EXPECT_LT(grown, 30);
  l.update(ten_times_slower(), 1000);  // would be 200: stays, since still limited
  EXPECT_EQ(l.limit(), grown);
  l.update(ten_times_slower(), 50);
  EXPECT_NEAR(static_cast<double>(l.limit()), 10.0, 1.0);
}

TEST(AdaptiveLimit, DegradedAfterTheLiftStartsAfresh) {
  AdaptiveLimit l;
  l.update(ten_times_slower(), 0);
  while (l.limited()) l.update(healthy(), 0);
  l.update(ten_times_slower(), 500);
  EXPECT_NEAR(static_cast<double>(l.limit()), 100.0, 1.0);
}

TEST(AdaptiveLimit, NonAdaptiveNeverLimits) {
  AdaptiveLimit none({.adaptive = false});
  for (const auto& e : {ten_times_slower(), healthy(), with(1ms, 10s), with(10ms, 30ms)}) {
    for (const std::int64_t n : {0, 1, 50, 1000}) {
      none.update(e, n);
      ASSERT_EQ(none.limit(), kNone);
    }
  }
  EXPECT_FALSE(none.limited());
}

// Healthy at 2 ms (100 answers a second), then a brownout where every answer takes 2 s, then
// back to 2 ms: the limit drops to the floor at once and is lifted within a few dozen answers.
TEST(AdaptiveLimit, BrownoutScenario) {
  LatencyEstimate e;
  AdaptiveLimit l;
  TimePoint t = t0;
  for (int i = 0; i < 200; ++i) {
    t += 10ms;
    e.add(2ms, t);
    l.update(e, 4);
    ASSERT_EQ(l.limit(), kNone) << "healthy answer " << i;
  }
  // The first slow answer already limits; 40 calls are piling up behind the slow ones.
  t += 100ms;
  e.add(2s, t);
  l.update(e, 40);
  EXPECT_EQ(l.limit(), 2);
  for (int i = 1; i < 20; ++i) {  // 2 s of answers that took 2 s
    t += 100ms;
    e.add(2s, t);
    l.update(e, 40);
    ASSERT_EQ(l.limit(), 2) << "slow answer " << i;
  }
  EXPECT_LT(e.baseline(), 200ms);  // a brownout is not the new normal
  // Back to 2 ms: the limit stays at the floor while recent() comes down, then grows back.
  int answers = 0;
  std::int64_t previous = l.limit();
  while (l.limited() && answers < 1000) {
    t += 10ms;
    e.add(2ms, t);
    l.update(e, std::min<std::int64_t>(l.limit(), 50));
    ++answers;
    ASSERT_GE(l.limit(), previous) << "answer " << answers;  // recovering: never down
    previous = l.limit();
  }
  EXPECT_FALSE(l.limited());
  EXPECT_GE(answers, 17) << "lifted too soon";  // 2 -> 256 needs 17 healthy updates
  EXPECT_LE(answers, 40) << "lifted too late";
}

// A hang: no call comes back, but the age of the oldest one (add_outstanding) limits the queue.
TEST(AdaptiveLimit, OutstandingCallsLimitBeforeAnyAnswer) {
  LatencyEstimate e;
  AdaptiveLimit l;
  TimePoint t = t0;
  for (int i = 0; i < 200; ++i) {
    t += 10ms;
    e.add(2ms, t);
    l.update(e, 4);
  }
  ASSERT_FALSE(l.limited());
  for (int age_ms = 100; age_ms <= 500; age_ms += 100) {
    e.add_outstanding(std::chrono::milliseconds(age_ms));
    l.update(e, 50);
  }
  EXPECT_EQ(l.limit(), 2);
}

}  // namespace
}  // namespace sqs::detail
