// InFlightRegistry: the calls in flight on a queue, their start times, and the watchdog's view
// of them (overdue calls marked once, their breaker permits handed over).
#include "resilience/in_flight_registry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "sqs/circuit_breaker.hpp"
#include "sqs/clock.hpp"

namespace sqs::detail {
namespace {

using namespace std::chrono_literals;
using Id = InFlightRegistry::Id;
using Permit = CircuitBreaker::Permit;

class InFlight : public ::testing::Test {
 protected:
  static CircuitBreakerOptions options(std::shared_ptr<ManualClock> clock) {
    CircuitBreakerOptions o;
    o.clock = std::move(clock);
    o.should_trip = trip_on_failures(1000);  // stays closed: every permit is granted
    return o;
  }

  Permit permit() {
    Permit p = breaker_.ready();
    EXPECT_TRUE(p);
    return p;
  }
  Id add(Clock::time_point start, std::chrono::nanoseconds allowance = 0ns) {
    return registry_.add(start, allowance, permit());
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  const Clock::time_point t0_ = clock_->now();
  CircuitBreaker breaker_{options(clock_)};  // outlives the registry, which may hold permits
  InFlightRegistry registry_;
};

TEST_F(InFlight, StartsEmpty) {
  EXPECT_EQ(registry_.size(), 0u);
  EXPECT_EQ(registry_.oldest_start(), std::nullopt);
  EXPECT_EQ(registry_.next_overdue(1s), std::nullopt);
  std::vector<Permit> out;
  EXPECT_EQ(registry_.take_overdue(t0_ + 1h, 1s, out), 0u);
  EXPECT_TRUE(out.empty());
}

TEST_F(InFlight, RemoveReturnsWhatWasAdded) {
  const Id id = add(t0_ + 3s, 20s);
  EXPECT_EQ(registry_.size(), 1u);
  auto r = registry_.remove(id);
  EXPECT_EQ(registry_.size(), 0u);
  EXPECT_TRUE(r.permit);
  EXPECT_EQ(r.start, t0_ + 3s);
  EXPECT_EQ(r.allowance, 20s);
  EXPECT_FALSE(r.counted_slow);
  breaker_.done(std::move(r.permit), CallOutcome::success);
  EXPECT_EQ(breaker_.metrics().successes, 1u);
}

TEST_F(InFlight, NegativeAllowanceIsAnOrdinaryCall) {
  const Id id = add(t0_, -5s);
  EXPECT_EQ(registry_.oldest_start(), t0_);
  EXPECT_EQ(registry_.remove(id).allowance, 0ns);
}

TEST_F(InFlight, AddAndRemoveManyReusesTheSlab) {
  constexpr int kCalls = 1000;
  std::vector<Id> ids;
  for (int i = 0; i < kCalls; ++i) ids.push_back(add(t0_ + i * 1ms, i % 10 == 0 ? 30s : 0ns));
  EXPECT_EQ(registry_.size(), static_cast<std::size_t>(kCalls));
  EXPECT_EQ(std::set<Id>(ids.begin(), ids.end()).size(), ids.size());  // distinct ids
  std::set<Id> freed;
  for (int i = 0; i < kCalls; i += 2) {
    const auto r = registry_.remove(ids[static_cast<std::size_t>(i)]);
    ASSERT_EQ(r.start, t0_ + i * 1ms) << i;
    ASSERT_TRUE(r.permit) << i;
    freed.insert(ids[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(registry_.size(), static_cast<std::size_t>(kCalls / 2));
  EXPECT_EQ(registry_.oldest_start(), t0_ + 1ms);
  // New calls take the freed slots: no id beyond those already used.
  std::set<Id> reused;
  for (int i = 0; i < kCalls / 2; ++i) reused.insert(add(t0_ + 1s + i * 1ms));
  EXPECT_EQ(reused, freed);
  EXPECT_EQ(registry_.size(), static_cast<std::size_t>(kCalls));
  for (int i = 1; i < kCalls; i += 2) registry_.remove(ids[static_cast<std::size_t>(i)]);
  for (const Id id : reused) registry_.remove(id);
  EXPECT_EQ(registry_.size(), 0u);
  EXPECT_EQ(registry_.oldest_start(), std::nullopt);
  EXPECT_EQ(registry_.next_overdue(1s), std::nullopt);
  // Empty again, and usable: a fresh call is the oldest.
  const Id again = add(t0_ + 5s);
  EXPECT_LT(again, static_cast<Id>(kCalls));
  EXPECT_EQ(registry_.oldest_start(), t0_ + 5s);
  // The permits that were dropped unused counted as "ignore".
  EXPECT_EQ(breaker_.metrics().ignored, static_cast<std::uint64_t>(2 * kCalls - kCalls / 2));
}

TEST_F(InFlight, OldestStartFollowsRemovals) {
  const Id a = add(t0_);
  const Id b = add(t0_ + 1s);
  const Id c = add(t0_ + 2s);
  const Id d = add(t0_ + 3s);
  EXPECT_EQ(registry_.oldest_start(), t0_);
  registry_.remove(b);  // the middle
  EXPECT_EQ(registry_.oldest_start(), t0_);
  registry_.remove(a);  // the head
  EXPECT_EQ(registry_.oldest_start(), t0_ + 2s);
  registry_.remove(d);  // the tail
  EXPECT_EQ(registry_.oldest_start(), t0_ + 2s);
  const Id e = add(t0_ + 4s);  // appended after c
  registry_.remove(c);
  EXPECT_EQ(registry_.oldest_start(), t0_ + 4s);
  registry_.remove(e);
  EXPECT_EQ(registry_.oldest_start(), std::nullopt);
}

TEST_F(InFlight, LongCallsAreNeverTheOldest) {
  const Id poll = add(t0_, 20s);  // a long poll, started first
  EXPECT_EQ(registry_.oldest_start(), std::nullopt);
  const Id call = add(t0_ + 1s);
  EXPECT_EQ(registry_.oldest_start(), t0_ + 1s);
  add(t0_ + 2s, 20s);
  EXPECT_EQ(registry_.oldest_start(), t0_ + 1s);
  registry_.remove(call);
  EXPECT_EQ(registry_.oldest_start(), std::nullopt);
  EXPECT_EQ(registry_.size(), 2u);
  registry_.remove(poll);
  EXPECT_EQ(registry_.size(), 1u);
}

TEST_F(InFlight, TakeOverdueMarksEachCallOnceAndMovesItsPermit) {
  const Id a = add(t0_);
  const Id b = add(t0_ + 1s);
  add(t0_ + 10s);
  const Id poll = add(t0_, 20s);
  std::vector<Permit> out;
  EXPECT_EQ(registry_.take_overdue(t0_ + 5s, 5s, out), 0u);  // exactly the threshold: not yet
  EXPECT_EQ(registry_.take_overdue(t0_ + 6s, 5s, out), 1u);  // a
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0]);
  EXPECT_EQ(registry_.take_overdue(t0_ + 6s, 5s, out), 0u);       // a only once
  EXPECT_EQ(registry_.take_overdue(t0_ + 6500ms, 5s, out), 1u);   // b
  EXPECT_EQ(registry_.size(), 4u);                                // still in flight
  EXPECT_EQ(registry_.oldest_start(), t0_);                       // marked, not removed
  EXPECT_EQ(registry_.take_overdue(t0_ + 25s, 5s, out), 1u);      // the third one, not the poll
  EXPECT_EQ(registry_.take_overdue(t0_ + 25001ms, 5s, out), 1u);  // the poll, past 5 s + 20 s
  EXPECT_EQ(registry_.take_overdue(t0_ + 1h, 5s, out), 0u);
  ASSERT_EQ(out.size(), 4u);
  for (auto& p : out) {
    ASSERT_TRUE(p);
    breaker_.slow(std::move(p));
  }
  const auto m = breaker_.metrics();
  EXPECT_EQ(m.slow_calls, 4u);
  EXPECT_EQ(m.failures, 4u);
  // Their own outcomes later count no more.
  for (const Id id : {a, b, poll}) {
    auto r = registry_.remove(id);
    EXPECT_TRUE(r.counted_slow);
    breaker_.done(std::move(r.permit), CallOutcome::success);
  }
  EXPECT_EQ(breaker_.metrics().successes, 0u);
  EXPECT_EQ(breaker_.metrics().failures, 4u);
}

TEST_F(InFlight, TakeOverdueAppends) {
  add(t0_);
  std::vector<Permit> out;
  out.push_back(Permit{});
  EXPECT_EQ(registry_.take_overdue(t0_ + 2s, 1s, out), 1u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0]);
  EXPECT_TRUE(out[1]);
}

TEST_F(InFlight, LongCallsWithDifferentAllowancesAreEachChecked) {
  add(t0_, 30s);       // due at 35 s
  add(t0_ + 1s, 5s);   // due at 11 s: later in the list, due first
  add(t0_ + 2s, 60s);  // due at 67 s
  std::vector<Permit> out;
  EXPECT_EQ(registry_.take_overdue(t0_ + 11500ms, 5s, out), 1u);
  EXPECT_EQ(registry_.take_overdue(t0_ + 36s, 5s, out), 1u);
  EXPECT_EQ(registry_.take_overdue(t0_ + 68s, 5s, out), 1u);
  EXPECT_EQ(out.size(), 3u);
}

TEST_F(InFlight, OrdinaryCallsAfterAMarkedOneAreStillChecked) {
  const Id a = add(t0_);
  add(t0_ + 1s);
  add(t0_ + 2s);
  std::vector<Permit> out;
  EXPECT_EQ(registry_.take_overdue(t0_ + 5500ms, 5s, out), 1u);
  EXPECT_EQ(registry_.take_overdue(t0_ + 7500ms, 5s, out), 2u);  // past the marked head
  registry_.remove(a);
  EXPECT_EQ(registry_.take_overdue(t0_ + 1h, 5s, out), 0u);
  EXPECT_EQ(out.size(), 3u);
}

TEST_F(InFlight, RemovedOverdueCallReturnsCountedSlowAndAnEmptyPermit) {
  const Id id = add(t0_ + 1s, 2s);
  const Id fine = add(t0_ + 7s);
  std::vector<Permit> out;
  ASSERT_EQ(registry_.take_overdue(t0_ + 9s, 5s, out), 1u);  // 8 s > 5 s + 2 s
  auto r = registry_.remove(id);
  EXPECT_TRUE(r.counted_slow);
  EXPECT_FALSE(r.permit);
  EXPECT_EQ(r.start, t0_ + 1s);
  EXPECT_EQ(r.allowance, 2s);
  auto f = registry_.remove(fine);
  EXPECT_FALSE(f.counted_slow);
  EXPECT_TRUE(f.permit);
  // A slot freed by an overdue call starts afresh.
  const Id reused = add(t0_ + 10s);
  EXPECT_TRUE(reused == id || reused == fine);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 15s);
  EXPECT_EQ(registry_.take_overdue(t0_ + 16s, 5s, out), 1u);
  auto again = registry_.remove(reused);
  EXPECT_TRUE(again.counted_slow);
  EXPECT_FALSE(again.permit);
}

TEST_F(InFlight, NextOverdue) {
  const Id a = add(t0_);
  add(t0_ + 2s);
  const Id poll = add(t0_, 3s);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 5s);
  EXPECT_EQ(registry_.next_overdue(1s), t0_ + 1s);
  std::vector<Permit> out;
  ASSERT_EQ(registry_.take_overdue(t0_ + 5500ms, 5s, out), 1u);  // a
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 7s);               // the second ordinary call
  ASSERT_EQ(registry_.take_overdue(t0_ + 7500ms, 5s, out), 1u);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 8s);  // the long poll: 5 s + 3 s
  ASSERT_EQ(registry_.take_overdue(t0_ + 8500ms, 5s, out), 1u);
  EXPECT_EQ(registry_.next_overdue(5s), std::nullopt);  // everything marked
  registry_.remove(a);
  registry_.remove(poll);
  EXPECT_EQ(registry_.next_overdue(5s), std::nullopt);
  add(t0_ + 9s);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 14s);
}

TEST_F(InFlight, NextOverdueFollowsRemovals) {
  const Id a = add(t0_);
  const Id b = add(t0_ + 2s);
  const Id poll = add(t0_ + 1s, 1s);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 5s);
  registry_.remove(a);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 7s);  // the poll, 1 s + 5 s + 1 s, ties b
  registry_.remove(b);
  EXPECT_EQ(registry_.next_overdue(5s), t0_ + 7s);
  registry_.remove(poll);
  EXPECT_EQ(registry_.next_overdue(5s), std::nullopt);
}

TEST_F(InFlight, PermitsHeldWhenTheRegistryGoesAwayCountAsIgnored) {
  {
    InFlightRegistry r;
    r.add(t0_, 0ns, permit());
    r.add(t0_, 5s, permit());
  }
  const auto m = breaker_.metrics();
  EXPECT_EQ(m.ignored, 2u);
  EXPECT_EQ(m.failures + m.successes, 0u);
}

}  // namespace
}  // namespace sqs::detail
