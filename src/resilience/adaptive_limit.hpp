// The adaptive limit of a queue's bulkhead: how many ordinary calls may be in flight on it at
// once (the fixed ceiling, BulkheadOptions::max_in_flight, is the owner's: QueueLoad).
//
// In the spirit of Netflix's concurrency-limits (Gradient): while the queue answers as fast as
// it normally does, there is no limit; once its recent latency is degraded
// (LatencyEstimate::degraded), the limit drops to what is in flight scaled by how much slower
// it has become,
//     in_flight × tolerance × baseline / recent      (never below `floor`),
// and it only goes down while the queue stays degraded. When answers are normal again, it
// grows back by a quarter (+1) with each of them, and is lifted altogether once past 256. A
// region that slows down thus keeps at most a few calls of the application waiting on it, and
// gets its full share back within a few dozen answers of recovering. With `adaptive` false
// there is never a limit. No lock: the owner serialises the calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

#include "resilience/latency_estimate.hpp"

namespace sqs::detail {

struct AdaptiveLimitConfig {
  bool adaptive = true;
  std::int64_t floor = 2;  // >= 1
  double tolerance = 2.0;  // >= 1
  std::chrono::nanoseconds margin = std::chrono::milliseconds(50);
};

class AdaptiveLimit {
 public:
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  static constexpr double kLiftAbove = 256;

  explicit AdaptiveLimit(AdaptiveLimitConfig config = {}) noexcept;

  // The latency estimate changed (an answer, or an outstanding call's age); `in_flight` calls
  // are in flight now.
  void update(const LatencyEstimate& latency, std::int64_t in_flight) noexcept;

  // kNone when unlimited.
  std::int64_t limit() const noexcept {
    return shrunk_ ? static_cast<std::int64_t>(limit_) : kNone;
  }
  bool limited() const noexcept { return shrunk_; }
  const AdaptiveLimitConfig& config() const noexcept { return config_; }

 private:
  AdaptiveLimitConfig config_;
  double limit_ = 0;     // while shrunk_ (its floor is the limit)
  bool shrunk_ = false;  // a limit applies
};

}  // namespace sqs::detail
