#include "resilience/outcome_window.hpp"

#include <algorithm>

namespace sqs::detail {

OutcomeWindow::OutcomeWindow(const SlidingWindow& config) : kind_(config.kind) {
  if (kind_ == SlidingWindow::Kind::count) {
    ring_.assign(std::max<std::size_t>(config.calls, 1), 0);
  } else if (kind_ == SlidingWindow::Kind::time) {
    const std::size_t count = std::max<std::size_t>(config.buckets, 1);
    buckets_.assign(count, {});
    bucket_span_ =
        std::max(config.span / static_cast<std::int64_t>(count), std::chrono::nanoseconds(1));
  }
}

void OutcomeWindow::clear(Clock::time_point now) noexcept {
  successes_ = failures_ = 0;
  std::fill(ring_.begin(), ring_.end(), 0);
  next_ = filled_ = 0;
  std::fill(buckets_.begin(), buckets_.end(), Bucket{});
  origin_ = now;
  head_ = 0;
}

void OutcomeWindow::expire(Clock::time_point now) noexcept {
  if (kind_ != SlidingWindow::Kind::time) return;
  const std::int64_t slot = now < origin_ ? 0 : (now - origin_) / bucket_span_;
  if (slot <= head_) return;
  const auto count = static_cast<std::int64_t>(buckets_.size());
  // Every bucket between the newest and `slot` has aged out (at most the whole ring).
  for (std::int64_t s = head_ + 1; s <= slot && s <= head_ + count; ++s) {
    Bucket& b = buckets_[static_cast<std::size_t>(s % count)];
    successes_ -= b.successes;
    failures_ -= b.failures;
    b = {};
  }
  head_ = slot;
}

void OutcomeWindow::add(bool failure, Clock::time_point now) noexcept {
  switch (kind_) {
    case SlidingWindow::Kind::none:
      return;
    case SlidingWindow::Kind::count: {
      if (filled_ == ring_.size()) {
        (ring_[next_] != 0 ? failures_ : successes_) -= 1;
      } else {
        ++filled_;
      }
      ring_[next_] = failure ? 1 : 0;
      next_ = (next_ + 1) % ring_.size();
      break;
    }
    case SlidingWindow::Kind::time: {
      expire(now);
      Bucket& b =
          buckets_[static_cast<std::size_t>(head_ % static_cast<std::int64_t>(buckets_.size()))];
      (failure ? b.failures : b.successes) += 1;
      break;
    }
  }
  (failure ? failures_ : successes_) += 1;
}

}  // namespace sqs::detail
