// Recent latencies of a queue, for percentiles: the hedge delay of an adaptive hedged send and
// the p50/p99 of the dispatcher's metrics. Log-linear buckets (eight per power of two, so a
// percentile is known to within 12.5 %), from 1 µs to over a minute, in two generations: a
// percentile covers the current period and the one before it (10 s each by default), so old
// answers fade out. No lock: the owner serialises the calls.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace sqs::detail {

class LatencyHistogram {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::steady_clock::time_point;

  explicit LatencyHistogram(duration period = std::chrono::seconds(10)) noexcept
      : period_(period) {}

  void add(duration latency, time_point now) noexcept;
  // The latency under which a share q (0..1) of the recent samples fall (the upper edge of its
  // bucket); nullopt with fewer than `min_samples` recent samples.
  std::optional<duration> percentile(double q, time_point now,
                                     std::uint64_t min_samples = 1) const noexcept;
  std::uint64_t recent_samples(time_point now) const noexcept;
  duration max_recent(time_point now) const noexcept;

  static constexpr std::size_t kBuckets = 256;
  static std::size_t bucket_of(duration latency) noexcept;
  static duration upper_edge(std::size_t bucket) noexcept;

 private:
  struct Generation {
    std::array<std::uint32_t, kBuckets> counts{};
    std::uint64_t total = 0;
    duration max{0};
    time_point start{};
  };
  void rotate(time_point now) noexcept;
  // The generations that are still recent at `now` (the previous one only if within a period).
  bool previous_counts(time_point now) const noexcept;

  duration period_;
  Generation current_, previous_;
};

}  // namespace sqs::detail
