// Selector::rr(blocked, avoided) and random(blocked, avoided): picks that avoid blocked (e.g.
// stalled) queues while an unblocked available one exists; WeightedRoundRobin::take()/at().
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "multiqueue/selector.hpp"
#include "multiqueue/weighted_round_robin.hpp"

namespace sqs::detail {
namespace {

using V = std::vector<std::size_t>;
using Set = std::set<std::size_t>;

// Picks n times with rr(blocked, avoided), recording what `avoided` was told.
struct Picks {
  V picks;
  V avoided;
};
Picks rr_blocked(const Selector& s, std::size_t n, const Set& blocked) {
  Picks out;
  for (std::size_t i = 0; i < n; ++i) {
    out.picks.push_back(s.rr([&](std::size_t q) { return blocked.contains(q); },
                             [&](std::size_t q) { out.avoided.push_back(q); }));
  }
  return out;
}
Picks random_blocked(const Selector& s, std::size_t n, const Set& blocked) {
  Picks out;
  for (std::size_t i = 0; i < n; ++i) {
    out.picks.push_back(s.random([&](std::size_t q) { return blocked.contains(q); },
                                 [&](std::size_t q) { out.avoided.push_back(q); }));
  }
  return out;
}

V repeat(const V& cycle, int times) {
  V out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), cycle.begin(), cycle.end());
  return out;
}

const V kCycle152{0, 1, 2, 1, 2, 1, 1, 1};  // weights 1, 5, 2: q1 q2 q3 q2 q3 q2 q2 q2

TEST(SelectorBlocked, NothingBlockedIsExactlyRr) {
  Selector s({1, 5, 2}, 7);
  const Picks p = rr_blocked(s, 24, {});
  EXPECT_EQ(p.picks, repeat(kCycle152, 3));
  EXPECT_TRUE(p.avoided.empty());
}

TEST(SelectorBlocked, SharesTheRotationWithRr) {
  Selector s({1, 5, 2}, 7);
  V picks;
  for (int i = 0; i < 12; ++i) {
    picks.push_back(s.rr());
    picks.push_back(s.rr([](std::size_t) { return false; }, [](std::size_t) { FAIL(); }));
  }
  EXPECT_EQ(picks, repeat(kCycle152, 3));
}

std::map<std::size_t, int> count(const V& picks) {
  std::map<std::size_t, int> c;
  for (const auto q : picks) ++c[q];
  return c;
}

TEST(SelectorBlocked, ABlockedQueuesPicksAreSharedByTheOthersWeights) {
  Selector s({1, 5, 2}, 7);
  const Picks p = rr_blocked(s, 24000, {1});
  auto c = count(p.picks);
  EXPECT_EQ(c.count(1), 0u);
  // q1's own 3000 picks plus a third (weight 1 of 1 + 2) of q2's 15000: 8000; q3 16000.
  EXPECT_NEAR(c[0], 8000, 400);
  EXPECT_NEAR(c[2], 16000, 400);
  EXPECT_EQ(p.avoided, V(15000, 1));  // told of every pick that went elsewhere
}

TEST(SelectorBlocked, BlockingTheFirstQueue) {
  Selector s({1, 5, 2}, 7);
  const Picks p = rr_blocked(s, 16000, {0});
  auto c = count(p.picks);
  EXPECT_EQ(c.count(0), 0u);
  EXPECT_NEAR(c[1], 10000 + 2000 * 5 / 7, 300);
  EXPECT_NEAR(c[2], 4000 + 2000 * 2 / 7, 300);
  EXPECT_EQ(p.avoided, V(2000, 0));
}

TEST(SelectorBlocked, TwoOfThreeBlocked) {
  Selector s({1, 5, 2}, 7);
  const Picks p = rr_blocked(s, 40, {0, 1});
  EXPECT_EQ(p.picks, V(40, 2));
  EXPECT_EQ(p.avoided.size(), 30u);  // 6 of every 8 picks
  for (const auto q : p.avoided) EXPECT_TRUE(q == 0 || q == 1) << q;
}

TEST(SelectorBlocked, AllBlockedGivesThePlainPick) {
  Selector s({1, 5, 2}, 7);
  const Picks p = rr_blocked(s, 24, {0, 1, 2});
  EXPECT_EQ(p.picks, repeat(kCycle152, 3));
  EXPECT_TRUE(p.avoided.empty());
}

TEST(SelectorBlocked, OnlyAvailableQueuesCount) {
  Selector s({1, 5, 2}, 7);
  s.set_available(1, false);  // rotation: q1 q3 q3
  // The unavailable queue being "unblocked" does not make it a candidate.
  const Picks all = rr_blocked(s, 9, {0, 2});
  EXPECT_EQ(all.picks, repeat(V{0, 2, 2}, 3));
  EXPECT_TRUE(all.avoided.empty());
  // Blocking the unavailable queue changes nothing.
  const Picks none = rr_blocked(s, 9, {1});
  EXPECT_EQ(none.picks, repeat(V{0, 2, 2}, 3));
  EXPECT_TRUE(none.avoided.empty());
  const Picks one = rr_blocked(s, 9, {2});
  EXPECT_EQ(one.picks, V(9, 0));
  EXPECT_EQ(one.avoided, V(6, 2));
}

TEST(SelectorBlocked, SingleQueueBlockedIsStillPicked) {
  Selector s({3}, 7);
  const Picks p = rr_blocked(s, 5, {0});
  EXPECT_EQ(p.picks, V(5, 0));
  EXPECT_TRUE(p.avoided.empty());
  const Picks r = random_blocked(s, 5, {0});
  EXPECT_EQ(r.picks, V(5, 0));
  EXPECT_TRUE(r.avoided.empty());
}

TEST(SelectorBlocked, NoneAvailableFallsBackToAnyQueue) {
  Selector s({1, 1, 1}, 11);
  for (std::size_t q = 0; q < 3; ++q) s.set_available(q, false);
  std::map<std::size_t, int> rr, random;
  for (int i = 0; i < 3000; ++i) {
    ++rr[s.rr([](std::size_t) { return true; }, [](std::size_t) { FAIL(); })];
    ++random[s.random([](std::size_t) { return true; }, [](std::size_t) { FAIL(); })];
  }
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_GT(rr[q], 800) << q;
    EXPECT_GT(random[q], 800) << q;
  }
}

TEST(SelectorBlocked, RecoveredQueueGetsItsPicksBack) {
  Selector s({1, 5, 2}, 7);
  Set blocked{1};
  const Picks before = rr_blocked(s, 8, blocked);
  EXPECT_EQ(std::count(before.picks.begin(), before.picks.end(), 1u), 0);
  blocked.clear();
  const Picks after = rr_blocked(s, 8, blocked);
  EXPECT_EQ(after.picks, kCycle152);
}

TEST(SelectorBlocked, RandomNothingBlockedIsExactlyRandom) {
  Selector plain({1, 9, 1, 1}, 12345);
  Selector twin({1, 9, 1, 1}, 12345);
  const Picks p = random_blocked(twin, 1000, {});
  for (std::size_t i = 0; i < p.picks.size(); ++i) ASSERT_EQ(p.picks[i], plain.random()) << i;
  EXPECT_TRUE(p.avoided.empty());
}

TEST(SelectorBlocked, RandomAllBlockedIsThePlainPick) {
  Selector plain({1, 1, 1}, 99);
  Selector twin({1, 1, 1}, 99);
  const Picks p = random_blocked(twin, 1000, {0, 1, 2});
  for (std::size_t i = 0; i < p.picks.size(); ++i) ASSERT_EQ(p.picks[i], plain.random()) << i;
  EXPECT_TRUE(p.avoided.empty());
}

TEST(SelectorBlocked, RandomNeverReturnsABlockedQueueWhileAnotherIsAvailable) {
  Selector s({1, 1, 1, 1, 1}, 4242);
  const Picks p = random_blocked(s, 20000, {1, 3});
  std::map<std::size_t, int> counts;
  for (const auto q : p.picks) ++counts[q];
  EXPECT_EQ(counts.count(1), 0u);
  EXPECT_EQ(counts.count(3), 0u);
  for (const std::size_t q : {0u, 2u, 4u}) EXPECT_GT(counts[q], 3000) << q;
  for (const auto q : p.avoided) ASSERT_TRUE(q == 1 || q == 3) << q;
  // Two in five plain picks were blocked queues.
  EXPECT_NEAR(static_cast<double>(p.avoided.size()), 20000 * 0.4, 20000 * 0.4 * 0.05);
}

TEST(SelectorBlocked, RandomWithSomeUnavailable) {
  Selector s({1, 1, 1, 1}, 77);
  s.set_available(0, false);
  const Picks p = random_blocked(s, 5000, {2, 3});
  EXPECT_EQ(p.picks, V(5000, 1));  // the only available unblocked queue
  for (const auto q : p.avoided) ASSERT_TRUE(q == 2 || q == 3) << q;
  EXPECT_NEAR(static_cast<double>(p.avoided.size()), 5000 * 2.0 / 3, 5000 * 2.0 / 3 * 0.05);
  const Picks unavailable_blocked = random_blocked(s, 3000, {0});  // blocks nothing available
  EXPECT_TRUE(unavailable_blocked.avoided.empty());
  for (const auto q : unavailable_blocked.picks) ASSERT_NE(q, 0u);
}

TEST(SelectorBlocked, RandomSpreadsABlockedQueuesPicksUniformly) {
  // With q1 of {q0, q1, q2} blocked, its picks go to q0 and q2 alike.
  Selector s({1, 1, 1}, 5);
  const Picks p = random_blocked(s, 30000, {1});
  auto c = count(p.picks);
  EXPECT_EQ(c.count(1), 0u);
  EXPECT_NEAR(c[0], 15000, 600);
  EXPECT_NEAR(c[2], 15000, 600);
}

// Every position of the rotation is taken once, whatever the interleaving.
TEST(SelectorBlocked, ConcurrentPicksAvoidTheBlockedQueue) {
  Selector s({1, 5, 2}, 7);
  constexpr int kThreads = 4;
  constexpr int kPicks = 10000;  // 40000 picks: 5000 whole cycles
  std::atomic<int> avoided{0};
  std::vector<std::map<std::size_t, int>> counts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPicks; ++i) {
        ++counts[static_cast<std::size_t>(t)]
                [s.rr([](std::size_t q) { return q == 1; }, [&](std::size_t) { ++avoided; })];
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<std::size_t, int> total;
  for (const auto& c : counts) {
    for (const auto& [q, n] : c) total[q] += n;
  }
  EXPECT_EQ(total.count(1), 0u);
  EXPECT_EQ(total[0] + total[2], 40000);
  EXPECT_NEAR(total[0], 40000 / 3, 800);  // shared by weight: 1 : 2
  EXPECT_EQ(avoided.load(), 5000 * 5);    // every q2 position of the 5000 cycles
}

TEST(WeightedRoundRobinTakeAt, TakeCountsPositionsAndAtWraps) {
  WeightedRoundRobin rr({{1, 1}, {2, 5}, {3, 2}});
  EXPECT_EQ(rr.take(), 0u);
  EXPECT_EQ(rr.take(), 1u);
  EXPECT_EQ(rr.take(), 2u);
  for (std::uint64_t p = 0; p < 24; ++p) {
    EXPECT_EQ(rr.at(p), rr.cycle()[p % 8]) << p;
  }
  EXPECT_EQ(rr.at(8'000'000'003ull), rr.cycle()[3]);
  EXPECT_EQ(rr.take(), 3u);  // at() does not move the rotation
}

TEST(WeightedRoundRobinTakeAt, NextContinuesAfterTake) {
  WeightedRoundRobin rr({{1, 1}, {2, 5}, {3, 2}});
  (void)rr.take();
  (void)rr.take();
  EXPECT_EQ(rr.next(), 3u);  // position 2: q3
  EXPECT_EQ(rr.take(), 3u);
  EXPECT_EQ(rr.next(), 3u);  // position 4: q3
  EXPECT_EQ(rr.next(), 2u);  // position 5: q2
}

}  // namespace
}  // namespace sqs::detail
