#include "multiqueue/queue_load.hpp"

#include <algorithm>
#include <mutex>

namespace sqs::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The adaptive part only: the fixed ceiling is checked apart (it counts long polls too).
AdaptiveLimitConfig limit_config(const BulkheadOptions& b) {
  AdaptiveLimitConfig c;
  c.adaptive = b.adaptive;
  c.floor = b.min_in_flight;
  c.tolerance = b.tolerance;
  c.margin = b.latency_margin;
  return c;
}

}  // namespace

QueueLoad::QueueLoad(const BulkheadOptions& bulkhead, const InFlightOptions& in_flight,
                     milliseconds request_timeout)
    : options_(in_flight),
      slow_cap_(std::max<duration>(request_timeout / 2, milliseconds(100))),
      ceiling_(bulkhead.max_in_flight),
      limit_(limit_config(bulkhead)) {}

bool QueueLoad::full(bool ordinary) const noexcept {
  if (ceiling_ > 0 && static_cast<std::int64_t>(calls_.size()) >= ceiling_) return true;
  return ordinary && limit_.limited() &&
         static_cast<std::int64_t>(calls_.ordinary_size()) >= limit_.limit();
}

std::optional<std::int64_t> QueueLoad::effective_limit() const noexcept {
  std::optional<std::int64_t> l;
  if (ceiling_ > 0) l = ceiling_;
  if (limit_.limited()) l = l ? std::min(*l, limit_.limit()) : limit_.limit();
  return l;
}

QueueLoad::duration QueueLoad::stall_after() const noexcept {
  if (options_.stall_after.count() <= 0) return duration::max();
  if (latency_.empty()) return std::max<duration>(options_.stall_after, seconds(1));
  return std::max<duration>(options_.stall_after, 4 * latency_.baseline());
}

QueueLoad::duration QueueLoad::slow_threshold() const noexcept {
  if (options_.slow_call_threshold) {
    return options_.slow_call_threshold->count() > 0 ? duration(*options_.slow_call_threshold)
                                                     : duration::max();
  }
  const duration derived = latency_.empty()
                               ? duration(seconds(1))
                               : std::max<duration>(seconds(1), 8 * latency_.baseline());
  return std::min(derived, slow_cap_);
}

bool QueueLoad::stalled_at(time_point now) const noexcept {
  const auto oldest = calls_.oldest_start();
  return oldest && now - *oldest > stall_after();
}

void QueueLoad::publish() noexcept {
  const bool blocked = stalled_ || full(true);
  if (blocked_.load(std::memory_order_relaxed) != blocked) {
    blocked_.store(blocked, std::memory_order_relaxed);
  }
}

std::optional<QueueLoad::Id> QueueLoad::admit(CircuitBreaker::Permit&& permit, duration allowance,
                                              time_point now, std::int64_t& limit,
                                              bool last_resort) {
  std::lock_guard lock(lock_);
  if (full(allowance.count() == 0 && !last_resort)) {
    ++rejected_;
    limit = effective_limit().value_or(0);
    return std::nullopt;
  }
  ++admitted_;
  const Id id = calls_.add(now, allowance, std::move(permit));
  publish();
  return id;
}

QueueLoad::Settled QueueLoad::settle(Id id, time_point now, bool sample) {
  std::lock_guard lock(lock_);
  auto removed = calls_.remove(id);
  Settled out;
  const duration took = now - removed.start;
  if (!removed.counted_slow) {
    out.permit = std::move(removed.permit);
    const auto threshold = slow_threshold();  // duration::max(): no rule (never add to it)
    out.slow = threshold != duration::max() && took - removed.allowance > threshold;
  }
  if (sample && removed.allowance.count() == 0) {
    latency_.add(took, now);
    histogram_.add(took, now);
    limit_.update(latency_, static_cast<std::int64_t>(calls_.ordinary_size()));
  }
  if (stalled_) stalled_ = stalled_at(now);
  publish();
  return out;
}

std::optional<QueueLoad::time_point> QueueLoad::check(time_point now, duration interval,
                                                      std::vector<CircuitBreaker::Permit>& slow) {
  std::lock_guard lock(lock_);
  if (calls_.size() == 0) {
    stalled_ = false;
    publish();
    return std::nullopt;
  }
  const auto oldest = calls_.oldest_start();
  if (oldest) {
    // A hang shows before anything comes back: the oldest call's age so far is a lower bound
    // of its latency.
    latency_.add_outstanding(now - *oldest);
    limit_.update(latency_, static_cast<std::int64_t>(calls_.ordinary_size()));
  }
  stalled_ = stalled_at(now);
  const auto threshold = slow_threshold();
  if (threshold != duration::max()) {
    slow_in_flight_ += calls_.take_overdue(now, threshold, slow);
  }
  publish();
  if (oldest) return now + interval;
  // Only long polls: look again when the first of them becomes overdue (the threshold may
  // move meanwhile: at least every second).
  auto next = now + seconds(1);
  if (threshold != duration::max()) {
    if (auto due = calls_.next_overdue(threshold)) next = std::min(next, *due);
  }
  return std::max(next, now + interval);
}

std::optional<QueueLoad::duration> QueueLoad::percentile(double q, time_point now,
                                                         std::uint64_t min_samples) {
  std::lock_guard lock(lock_);
  return histogram_.percentile(q, now, min_samples);
}

std::int64_t QueueLoad::in_flight() {
  std::lock_guard lock(lock_);
  return static_cast<std::int64_t>(calls_.size());
}

QueueLoadMetrics QueueLoad::metrics(time_point now) {
  QueueLoadMetrics m;
  std::lock_guard lock(lock_);
  m.in_flight = static_cast<std::int64_t>(calls_.size());
  m.limit = effective_limit();
  m.stalled = stalled_;
  if (!latency_.empty()) {
    m.latency = latency_.recent();
    m.baseline_latency = latency_.baseline();
  }
  m.p50 = histogram_.percentile(0.5, now).value_or(duration(0));
  m.p99 = histogram_.percentile(0.99, now).value_or(duration(0));
  m.max = histogram_.max_recent(now);
  const auto threshold = slow_threshold();
  m.slow_call_threshold = threshold == duration::max() ? duration(0) : threshold;
  if (auto oldest = calls_.oldest_start()) m.oldest_call_age = now - *oldest;
  m.calls = admitted_;
  m.bulkhead_rejected = rejected_;
  m.slow_in_flight = slow_in_flight_;
  m.avoided = avoided_.load(std::memory_order_relaxed);
  m.hedges = hedges_.load(std::memory_order_relaxed);
  m.hedge_wins = hedge_wins_.load(std::memory_order_relaxed);
  m.late_copies = late_copies_.load(std::memory_order_relaxed);
  return m;
}

}  // namespace sqs::detail
