#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "multiqueue/weighted_round_robin.hpp"

namespace sqs::detail {
namespace {

std::vector<std::size_t> take(const WeightedRoundRobin& rr, std::size_t n) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(rr.next());
  return out;
}

using V = std::vector<std::size_t>;

TEST(WeightedRoundRobin, OneFiveTwo) {
  WeightedRoundRobin rr({{1, 1}, {2, 5}, {3, 2}});  // q1 q2 q3
  EXPECT_EQ(rr.cycle(), (V{1, 2, 3, 2, 3, 2, 2, 2}));
  EXPECT_EQ(take(rr, 16), (V{1, 2, 3, 2, 3, 2, 2, 2, 1, 2, 3, 2, 3, 2, 2, 2}));
}

TEST(WeightedRoundRobin, LargestWeightLast) {  // the Go version's bug: the last weight ignored
  WeightedRoundRobin rr({{0, 1}, {1, 2}, {2, 4}});
  EXPECT_EQ(rr.cycle(), (V{0, 1, 2, 1, 2, 2, 2}));
}

TEST(WeightedRoundRobin, LargestWeightFirst) {
  WeightedRoundRobin rr({{0, 3}, {1, 1}, {2, 2}});
  EXPECT_EQ(rr.cycle(), (V{0, 1, 2, 0, 2, 0}));
}

TEST(WeightedRoundRobin, LargestWeightInTheMiddle) {
  WeightedRoundRobin rr({{0, 1}, {1, 3}, {2, 1}});
  EXPECT_EQ(rr.cycle(), (V{0, 1, 2, 1, 1}));
}

TEST(WeightedRoundRobin, EqualWeightsArePlainRoundRobin) {
  WeightedRoundRobin rr({{4, 1}, {7, 1}});
  EXPECT_EQ(take(rr, 5), (V{4, 7, 4, 7, 4}));
  WeightedRoundRobin one({{9, 3}});
  EXPECT_EQ(take(one, 3), (V{9, 9, 9}));
}

TEST(WeightedRoundRobin, EmptyAndInvalid) {
  WeightedRoundRobin empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_TRUE(WeightedRoundRobin(std::vector<WeightedIndex>{}).empty());
  EXPECT_THROW(WeightedRoundRobin({{0, 1}, {1, 0}}), std::invalid_argument);
}

TEST(WeightedRoundRobin, ConcurrentCallersShareOneSequence) {
  WeightedRoundRobin rr({{0, 1}, {1, 5}, {2, 2}});
  constexpr int kPerThread = 8000;  // a whole number of cycles in all
  std::vector<std::map<std::size_t, int>> counts(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ++counts[t][rr.next()];
    });
  }
  for (auto& t : threads) t.join();
  std::map<std::size_t, int> total;
  for (auto& c : counts) {
    for (auto [k, v] : c) total[k] += v;
  }
  EXPECT_EQ(total[0], 4 * kPerThread / 8);
  EXPECT_EQ(total[1], 4 * kPerThread * 5 / 8);
  EXPECT_EQ(total[2], 4 * kPerThread * 2 / 8);
}

}  // namespace
}  // namespace sqs::detail
