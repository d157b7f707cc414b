// Interleaved weighted round-robin over a fixed set of indices: per cycle, for round
// r = 1..max_weight, every index whose weight is >= r, in the order given. Weights 1, 5, 2 give
// q1 q2 q3 q2 q3 q2 q2 q2. (The Go version looked for the largest weight without the last
// queue; here every weight counts, wherever it is.)
//
// The cycle is computed once; next() is one relaxed atomic increment into it, safe from any
// number of threads. Memory: 4 bytes per unit of total weight.
//
// Header-only: it sits on the hot path of every dispatch_rr(), and its tests live in the
// resilience test binary, which does not link the multiqueue layer.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace sqs::detail {

struct WeightedIndex {
  std::size_t index = 0;
  std::uint32_t weight = 1;
};

class WeightedRoundRobin {
 public:
  WeightedRoundRobin() = default;

  // Weights must be >= 1 (std::invalid_argument otherwise).
  explicit WeightedRoundRobin(const std::vector<WeightedIndex>& entries) {
    std::uint32_t max_weight = 0;
    std::size_t total = 0;
    for (const auto& e : entries) {
      if (e.weight == 0) throw std::invalid_argument("weighted round-robin: weight 0");
      max_weight = std::max(max_weight, e.weight);
      total += e.weight;
    }
    cycle_.reserve(total);
    for (std::uint32_t round = 1; round <= max_weight; ++round) {
      for (const auto& e : entries) {
        if (e.weight >= round) cycle_.push_back(e.index);
      }
    }
  }

  WeightedRoundRobin(const WeightedRoundRobin&) = delete;
  WeightedRoundRobin& operator=(const WeightedRoundRobin&) = delete;

  bool empty() const noexcept { return cycle_.empty(); }
  const std::vector<std::size_t>& cycle() const noexcept { return cycle_; }

  // Precondition: !empty().
  std::size_t next() const noexcept { return at(take()); }

  // The position of the next pick (advances the rotation), and the index at any position: a
  // caller that must skip the pick (the queue is stalled) looks at the positions after it.
  std::uint64_t take() const noexcept { return counter_.fetch_add(1, std::memory_order_relaxed); }
  std::size_t at(std::uint64_t position) const noexcept {
    return cycle_[static_cast<std::size_t>(position % cycle_.size())];
  }

 private:
  std::vector<std::size_t> cycle_;
  // Its own cache line: written by every next(), while cycle_ is only read.
  alignas(64) mutable std::atomic<std::uint64_t> counter_{0};
};

}  // namespace sqs::detail
