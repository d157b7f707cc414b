// LatencyEstimate: recent() as an EWMA of weight 1/4, baseline() quick to fall and slow (in
// time, not in answers) to rise, censored samples of outstanding calls, and degraded().
#include "resilience/latency_estimate.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sqs::detail {
namespace {

using namespace std::chrono_literals;
using TimePoint = LatencyEstimate::time_point;
using Ns = std::chrono::nanoseconds;

const TimePoint t0 = TimePoint{} + 1h;

double ms(Ns d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Share of the way from `from` to `to` that `value` has gone.
double share(Ns value, Ns from, Ns to) {
  return (ms(value) - ms(from)) / (ms(to) - ms(from));
}

// An estimate whose baseline is `baseline` and whose recent() is `recent` (>= baseline): two
// answers at the same instant, so the baseline cannot rise.
LatencyEstimate with(Ns baseline, Ns recent) {
  LatencyEstimate e;
  e.add(baseline, t0);
  e.add(baseline + 4 * (recent - baseline), t0);
  return e;
}

TEST(LatencyEstimate, StartsEmpty) {
  LatencyEstimate e;
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.samples(), 0u);
  EXPECT_EQ(e.recent(), 0ns);
  EXPECT_EQ(e.baseline(), 0ns);
}

TEST(LatencyEstimate, FirstSampleSetsBoth) {
  LatencyEstimate e;
  e.add(37ms, t0);
  EXPECT_FALSE(e.empty());
  EXPECT_EQ(e.samples(), 1u);
  EXPECT_EQ(e.recent(), 37ms);
  EXPECT_EQ(e.baseline(), 37ms);
}

TEST(LatencyEstimate, FirstSampleSetsBothEvenWhenVerySlow) {  // a far-away region: its own normal
  LatencyEstimate e;
  e.add(2s, t0);
  EXPECT_EQ(e.baseline(), 2s);
  EXPECT_FALSE(e.degraded(2.0, 50ms));
}

TEST(LatencyEstimate, RecentFollowsWithWeightOneQuarter) {
  LatencyEstimate e;
  e.add(10ms, t0);
  e.add(50ms, t0);  // 10 + (50 - 10) / 4
  EXPECT_EQ(e.recent(), 20ms);
  e.add(20ms, t0);
  EXPECT_EQ(e.recent(), 20ms);
  e.add(0ms, t0 + 1ms);  // 20 - 20 / 4
  EXPECT_EQ(e.recent(), 15ms);
  e.add(-5ms, t0 + 2ms);  // a negative latency counts as zero
  EXPECT_EQ(e.recent(), Ns(11'250'000));
  EXPECT_EQ(e.samples(), 5u);
}

TEST(LatencyEstimate, RecentComesBackQuicklyAfterASlowdown) {
  LatencyEstimate e;
  e.add(10ms, t0);
  for (int i = 1; i <= 5; ++i) e.add(1s, t0 + i * 10ms);
  EXPECT_GT(e.recent(), 700ms);
  for (int i = 6; i <= 25; ++i) e.add(10ms, t0 + i * 10ms);
  EXPECT_LT(e.recent(), 15ms);  // 0.75^20 of the gap remains
}

TEST(LatencyEstimate, BaselineFallsByOneTwentiethPerFasterAnswer) {
  LatencyEstimate e;
  e.add(100ms, t0);
  e.add(0ms, t0);  // same instant: a fall does not wait for time
  EXPECT_EQ(e.baseline(), 95ms);
  e.add(95ms, t0);  // equal: no change
  EXPECT_EQ(e.baseline(), 95ms);
}

TEST(LatencyEstimate, BaselineFallsQuicklyToFasterAnswers) {
  LatencyEstimate e;
  e.add(100ms, t0);
  for (int i = 1; i <= 60; ++i) e.add(10ms, t0 + i * 1ms);  // 60 answers within 60 ms
  EXPECT_LT(e.baseline(), 15ms);                            // 90 × 0.95^60 = 4.2 ms above 10
  EXPECT_GT(e.baseline(), 10ms);
}

TEST(LatencyEstimate, BurstOfSlowAnswersAtTheSameInstantBarelyMovesTheBaseline) {
  LatencyEstimate e;
  for (int i = 0; i < 100; ++i) e.add(10ms, t0 + i * 10ms);
  ASSERT_EQ(e.baseline(), 10ms);
  // A stall of 10 s, then 100 slow answers arrive at once.
  const TimePoint burst = t0 + 11s;
  for (int i = 0; i < 100; ++i) e.add(500ms, burst);
  EXPECT_GT(e.recent(), 499ms);
  EXPECT_LT(share(e.baseline(), 10ms, 500ms), 0.05) << ms(e.baseline()) << " ms";
  EXPECT_TRUE(e.degraded(2.0, 50ms));
}

TEST(LatencyEstimate, SlowAnswersSpreadOver60SecondsMoveTheBaselineMostOfTheWay) {
  LatencyEstimate e;
  for (int i = 0; i < 100; ++i) e.add(10ms, t0 + i * 10ms);
  const TimePoint start = t0 + 990ms;
  ASSERT_EQ(e.baseline(), 10ms);
  // The same 100 slow answers as above, one every 600 ms: a lasting change over a minute,
  // twice the 30 s time constant (1 - e^-2 = 86 % of the way).
  for (int i = 1; i <= 100; ++i) e.add(500ms, start + i * 600ms);
  EXPECT_GT(share(e.baseline(), 10ms, 500ms), 0.75) << ms(e.baseline()) << " ms";
}

// The rise depends on the time the slow answers cover, not on how many there are.
TEST(LatencyEstimate, BaselineRiseOverAMinuteAtTenAndAHundredAnswersPerSecond) {
  for (const Ns gap : {Ns(100ms), Ns(10ms)}) {
    LatencyEstimate e;
    e.add(10ms, t0);
    const auto n = static_cast<int>(60s / gap);
    for (int i = 1; i <= n; ++i) e.add(500ms, t0 + i * gap);
    const double s = share(e.baseline(), 10ms, 500ms);
    EXPECT_GT(s, 0.80) << "gap " << ms(gap) << " ms: " << ms(e.baseline()) << " ms";
    EXPECT_LT(s, 0.92) << "gap " << ms(gap) << " ms: " << ms(e.baseline()) << " ms";
  }
}

TEST(LatencyEstimate, BaselineRiseIsSlowOverAFewSeconds) {
  LatencyEstimate e;
  e.add(10ms, t0);
  for (int i = 1; i <= 200; ++i) e.add(500ms, t0 + i * 10ms);  // 2 s of slow answers
  EXPECT_LT(share(e.baseline(), 10ms, 500ms), 0.08) << ms(e.baseline()) << " ms";
  EXPECT_GT(share(e.baseline(), 10ms, 500ms), 0.04) << ms(e.baseline()) << " ms";
  EXPECT_TRUE(e.degraded(2.0, 50ms));
}

TEST(LatencyEstimate, AnswersOutOfOrderDoNotRaiseTheBaseline) {
  LatencyEstimate e;
  e.add(10ms, t0 + 10s);
  for (int i = 0; i < 50; ++i) e.add(500ms, t0);  // received "before" the last one
  EXPECT_EQ(e.baseline(), 10ms);
}

TEST(LatencyEstimate, OutstandingRaisesRecentOnlyWhenLarger) {
  LatencyEstimate e;
  e.add(10ms, t0);
  e.add_outstanding(5ms);
  EXPECT_EQ(e.recent(), 10ms);
  e.add_outstanding(10ms);
  EXPECT_EQ(e.recent(), 10ms);
  e.add_outstanding(50ms);  // 10 + 40 / 4
  EXPECT_EQ(e.recent(), 20ms);
  EXPECT_EQ(e.baseline(), 10ms);  // never the baseline
  EXPECT_EQ(e.samples(), 1u);     // nor a sample
  e.add_outstanding(15ms);
  EXPECT_EQ(e.recent(), 20ms);
}

TEST(LatencyEstimate, OutstandingCallsRaiseRecentUntilDegraded) {
  LatencyEstimate e;
  for (int i = 0; i < 20; ++i) e.add(2ms, t0 + i * 10ms);
  ASSERT_FALSE(e.degraded(2.0, 50ms));
  for (int age_ms = 100; age_ms <= 1000 && !e.degraded(2.0, 50ms); age_ms += 100) {
    e.add_outstanding(std::chrono::milliseconds(age_ms));
  }
  EXPECT_TRUE(e.degraded(2.0, 50ms));
  EXPECT_EQ(e.baseline(), 2ms);
}

TEST(LatencyEstimate, OutstandingOnAnEmptyEstimate) {
  LatencyEstimate e;
  e.add_outstanding(30ms);
  EXPECT_EQ(e.recent(), 30ms);
  e.add_outstanding(20ms);
  EXPECT_EQ(e.recent(), 30ms);  // the largest age so far
  EXPECT_TRUE(e.empty());
  EXPECT_FALSE(e.degraded(1.0, 0ns));  // no baseline to compare with
  e.add(10ms, t0);                     // the first answer still sets both
  EXPECT_EQ(e.recent(), 10ms);
  EXPECT_EQ(e.baseline(), 10ms);
}

TEST(LatencyEstimate, EmptyIsNeverDegraded) {
  LatencyEstimate e;
  EXPECT_FALSE(e.degraded(1.0, 0ns));
  EXPECT_FALSE(e.degraded(0.0, -1s));
}

TEST(LatencyEstimate, EqualRecentAndBaselineIsNotDegraded) {
  LatencyEstimate e;
  e.add(10ms, t0);
  EXPECT_FALSE(e.degraded(1.0, 0ns));
}

TEST(LatencyEstimate, DegradedNeedsTheFactor) {
  // 100 -> 180 ms: 80 ms above the baseline, but only 1.8 times it.
  const LatencyEstimate e = with(100ms, 180ms);
  ASSERT_EQ(e.baseline(), 100ms);
  ASSERT_EQ(e.recent(), 180ms);
  EXPECT_FALSE(e.degraded(2.0, 50ms));
  EXPECT_TRUE(e.degraded(1.5, 50ms));
}

TEST(LatencyEstimate, DegradedNeedsTheMargin) {
  // 10 -> 30 ms: three times the baseline, but only 20 ms above it.
  const LatencyEstimate e = with(10ms, 30ms);
  ASSERT_EQ(e.baseline(), 10ms);
  ASSERT_EQ(e.recent(), 30ms);
  EXPECT_FALSE(e.degraded(2.0, 50ms));
  EXPECT_TRUE(e.degraded(2.0, 10ms));
}

TEST(LatencyEstimate, DegradedWithBoth) {
  const LatencyEstimate e = with(100ms, 250ms);
  EXPECT_TRUE(e.degraded(2.0, 50ms));
  EXPECT_FALSE(e.degraded(3.0, 50ms));
  EXPECT_FALSE(e.degraded(2.0, 200ms));
}

TEST(LatencyEstimate, DegradedBoundariesAreStrict) {
  EXPECT_FALSE(with(100ms, 200ms).degraded(2.0, 50ms));  // exactly twice
  EXPECT_FALSE(with(10ms, 60ms).degraded(2.0, 50ms));    // exactly the margin
  EXPECT_TRUE(with(10ms, 61ms).degraded(2.0, 50ms));
}

}  // namespace
}  // namespace sqs::detail
