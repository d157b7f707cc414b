#include "resilience/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sqs::detail {

// Bucket 0: under 1024 ns. Then, for 2^e <= v < 2^(e+1) (e >= 10), eight buckets of 2^(e-3):
// a bucket's upper edge is at most 12.5 % above any value in it.
std::size_t LatencyHistogram::bucket_of(duration latency) noexcept {
  const auto v = static_cast<std::uint64_t>(std::max<duration::rep>(0, latency.count()));
  if (v < 1024) return 0;
  const int e = std::bit_width(v) - 1;
  const std::size_t sub = (v >> (e - 3)) & 7;
  const std::size_t b = 1 + static_cast<std::size_t>(e - 10) * 8 + sub;
  return std::min(b, kBuckets - 1);
}

LatencyHistogram::duration LatencyHistogram::upper_edge(std::size_t bucket) noexcept {
  if (bucket == 0) return duration(1024);
  const std::size_t e = (bucket - 1) / 8 + 10;
  const std::size_t sub = (bucket - 1) % 8;
  return duration(static_cast<duration::rep>((8 + sub + 1) << (e - 3)));
}

// Generations start on period boundaries (counted from the first sample), so that a sample
// counts for less than two periods, and for at least one.
void LatencyHistogram::rotate(time_point now) noexcept {
  if (current_.total == 0 && current_.start == time_point{}) {
    current_.start = now;
    return;
  }
  if (now - current_.start < period_) return;
  const auto periods = (now - current_.start) / period_;
  const auto start = current_.start + periods * period_;
  previous_ = periods == 1 ? current_ : Generation{};
  current_ = Generation{};
  current_.start = start;
}

void LatencyHistogram::add(duration latency, time_point now) noexcept {
  rotate(now);
  ++current_.counts[bucket_of(latency)];
  ++current_.total;
  current_.max = std::max(current_.max, latency);
}

bool LatencyHistogram::previous_counts(time_point now) const noexcept {
  return previous_.total > 0 && now - current_.start < period_;
}

std::uint64_t LatencyHistogram::recent_samples(time_point now) const noexcept {
  if (now - current_.start >= 2 * period_) return 0;
  return current_.total + (previous_counts(now) ? previous_.total : 0);
}

LatencyHistogram::duration LatencyHistogram::max_recent(time_point now) const noexcept {
  if (now - current_.start >= 2 * period_) return duration(0);
  return std::max(current_.max, previous_counts(now) ? previous_.max : duration(0));
}

std::optional<LatencyHistogram::duration> LatencyHistogram::percentile(
    double q, time_point now, std::uint64_t min_samples) const noexcept {
  const std::uint64_t total = recent_samples(now);
  if (total == 0 || total < min_samples) return std::nullopt;
  const bool with_previous = previous_counts(now);
  const auto rank =
      static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += current_.counts[b] + (with_previous ? previous_.counts[b] : 0);
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      return std::min(upper_edge(b), max_recent(now));
    }
  }
  return max_recent(now);
}

}  // namespace sqs::detail
