// Successes and failures of the last N calls, or of the last T seconds (in buckets of T/B: a
// call leaves the window between T - T/B and T after it was recorded).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "sqs/circuit_breaker.hpp"

namespace sqs::detail {

class OutcomeWindow {
 public:
  explicit OutcomeWindow(const SlidingWindow& config);

  bool enabled() const noexcept { return kind_ != SlidingWindow::Kind::none; }
  bool timed() const noexcept { return kind_ == SlidingWindow::Kind::time; }

  void clear(Clock::time_point now) noexcept;
  void add(bool failure, Clock::time_point now) noexcept;
  // Drops what has aged out of a time window (nothing for a count window).
  void expire(Clock::time_point now) noexcept;

  std::int64_t successes() const noexcept { return successes_; }
  std::int64_t failures() const noexcept { return failures_; }

 private:
  struct Bucket {
    std::int64_t successes = 0;
    std::int64_t failures = 0;
  };

  SlidingWindow::Kind kind_;
  std::int64_t successes_ = 0;
  std::int64_t failures_ = 0;
  // Count window: a ring of outcomes (1 = failure).
  std::vector<std::uint8_t> ring_;
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  // Time window: a ring of buckets; head_ is the absolute number of the newest bucket.
  std::vector<Bucket> buckets_;
  std::chrono::nanoseconds bucket_span_{1};
  Clock::time_point origin_{};
  std::int64_t head_ = 0;
};

}  // namespace sqs::detail
