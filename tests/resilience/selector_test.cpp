#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "multiqueue/selector.hpp"
#include "sqs/circuit_breaker.hpp"

namespace sqs::detail {
namespace {

using V = std::vector<std::size_t>;

V rr_take(const Selector& s, std::size_t n) {
  V out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(s.rr());
  return out;
}

TEST(Selector, RoundRobinOverAllWhenAllAvailable) {
  Selector s({1, 5, 2}, 7);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.available(), (V{0, 1, 2}));
  EXPECT_EQ(rr_take(s, 8), (V{0, 1, 2, 1, 2, 1, 1, 1}));
}

TEST(Selector, UnavailableQueueLeavesTheRotationAndComesBack) {
  Selector s({1, 5, 2}, 7);
  s.set_available(1, false);
  EXPECT_FALSE(s.is_available(1));
  EXPECT_EQ(s.available(), (V{0, 2}));
  EXPECT_EQ(rr_take(s, 3), (V{0, 2, 2}));
  for (int i = 0; i < 1000; ++i) EXPECT_NE(s.random(), 1u);
  s.set_available(1, true);
  EXPECT_EQ(s.available_count(), 3u);
  const V cycle = rr_take(s, 8);
  EXPECT_EQ(std::count(cycle.begin(), cycle.end(), 1u), 5);
}

TEST(Selector, NoneAvailableFallsBackToAnyQueue) {
  Selector s({1, 1, 1}, 11);
  for (std::size_t i = 0; i < 3; ++i) s.set_available(i, false);
  EXPECT_EQ(s.available_count(), 0u);
  std::map<std::size_t, int> rr, random;
  for (int i = 0; i < 3000; ++i) {
    ++rr[s.rr()];
    ++random[s.random()];
  }
  for (std::size_t q = 0; q < 3; ++q) {  // every queue still gets picked
    EXPECT_GT(rr[q], 800) << q;
    EXPECT_GT(random[q], 800) << q;
  }
}

TEST(Selector, RandomIsUniformAmongAvailableWithAFixedSeed) {
  Selector s({1, 9, 1, 1}, 12345);  // weights do not bias random()
  s.set_available(3, false);
  constexpr int kDraws = 90000;
  std::map<std::size_t, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[s.random()];
  EXPECT_EQ(counts.count(3), 0u);
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_NEAR(counts[q], kDraws / 3, kDraws / 3 * 0.03) << q;
  }
  Selector same({1, 9, 1, 1}, 12345);
  same.set_available(3, false);
  Selector again({1, 9, 1, 1}, 12345);
  again.set_available(3, false);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(same.random(), again.random());
}

TEST(Selector, InvalidConfigurations) {
  EXPECT_THROW(Selector({}), std::invalid_argument);
  EXPECT_THROW(Selector({1, 0}), std::invalid_argument);
  Selector s({1});
  EXPECT_THROW(s.set_available(1, false), std::out_of_range);
}

TEST(Selector, FollowsBreakerTransitions) {
  // The dispatcher's wiring: a queue is out while its breaker is open.
  auto clock = std::make_shared<ManualClock>();
  Selector s({1, 1}, 3);
  std::vector<std::unique_ptr<CircuitBreaker>> breakers;
  for (std::size_t q = 0; q < 2; ++q) {
    CircuitBreakerOptions o;
    o.clock = clock;
    o.open_back_off.jitter = 0;
    o.on_state_change = [&s, q](CircuitState, CircuitState to) {
      s.set_available(q, to != CircuitState::open);
    };
    breakers.push_back(std::make_unique<CircuitBreaker>(o));
  }
  for (int i = 0; i < 10; ++i) breakers[1]->done(breakers[1]->ready(), CallOutcome::failure);
  EXPECT_EQ(s.available(), (V{0}));
  EXPECT_EQ(rr_take(s, 3), (V{0, 0, 0}));
  clock->advance(std::chrono::milliseconds(500));  // half-open: back in, to be probed
  EXPECT_EQ(s.available(), (V{0, 1}));
  breakers[1]->done(breakers[1]->ready(), CallOutcome::failure);  // the probe fails
  EXPECT_EQ(s.available(), (V{0}));
  clock->advance(std::chrono::milliseconds(750));
  for (int i = 0; i < 4; ++i) breakers[1]->done(breakers[1]->ready(), CallOutcome::success);
  EXPECT_EQ(breakers[1]->state(), CircuitState::closed);
  EXPECT_EQ(s.available(), (V{0, 1}));
}

TEST(Selector, ReadsRaceUpdatesSafely) {
  Selector s({1, 2, 3, 4});
  std::atomic<bool> stop{false};
  std::atomic<bool> bad{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        if (s.rr() >= 4 || s.random() >= 4) bad = true;
      }
    });
  }
  for (int i = 0; i < 20000; ++i)
    s.set_available(static_cast<std::size_t>(i % 4), (i / 4) % 2 == 0);
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_FALSE(bad);
}

}  // namespace
}  // namespace sqs::detail
