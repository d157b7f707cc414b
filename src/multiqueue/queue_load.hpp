// What the dispatcher knows of one queue's load: the calls in flight (with their start times
// and breaker permits), a latency estimate, a latency histogram, and the bulkhead's limit. From
// these it tells whether new work should avoid the queue (`blocked()`: stalled, or bulkhead
// full), one atomic read on the dispatch path. Every call is admitted here (after its breaker
// said yes) and settled here; the watchdog checks the calls in flight periodically, counting a
// call outstanding too long as a slow failure at once and feeding a hang into the estimate.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "resilience/adaptive_limit.hpp"
#include "resilience/in_flight_registry.hpp"
#include "resilience/latency_estimate.hpp"
#include "resilience/latency_histogram.hpp"
#include "resilience/spin_lock.hpp"
#include "sqs/multiqueue.hpp"

namespace sqs::detail {

class QueueLoad {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = Clock::time_point;
  using Id = InFlightRegistry::Id;

  QueueLoad(const BulkheadOptions& bulkhead, const InFlightOptions& in_flight,
            std::chrono::milliseconds request_timeout);

  // A call starting at `now`, with its breaker permit. nullopt: refused by the bulkhead (the
  // permit is dropped: "ignore"), `limit` then says the limit.
  // `last_resort`: only the fixed ceiling applies, not the adaptive limit (failover's last try
  // when every other queue refused: a slow queue is still better than none).
  std::optional<Id> admit(CircuitBreaker::Permit&& permit, duration allowance, time_point now,
                          std::int64_t& limit, bool last_resort = false);

  struct Settled {
    CircuitBreaker::Permit permit;  // empty when the watchdog already counted it as slow
    bool slow = false;              // it took longer than the slow-call threshold
  };
  // The call `id` ended at `now`; `sample`: its duration says something of the queue's speed.
  Settled settle(Id id, time_point now, bool sample);

  // The watchdog's check at `now`: stall, slow calls (their permits moved to `slow`), hang
  // estimate. Returns when to check again; nullopt when nothing is in flight.
  std::optional<time_point> check(time_point now, duration interval,
                                  std::vector<CircuitBreaker::Permit>& slow);

  bool blocked() const noexcept { return blocked_.load(std::memory_order_relaxed); }
  void count_avoided() const noexcept { avoided_.fetch_add(1, std::memory_order_relaxed); }
  void count_hedge() const noexcept { hedges_.fetch_add(1, std::memory_order_relaxed); }
  void count_hedge_win() const noexcept { hedge_wins_.fetch_add(1, std::memory_order_relaxed); }
  void count_late_copy() const noexcept { late_copies_.fetch_add(1, std::memory_order_relaxed); }

  // A recent latency percentile (nullopt with fewer than min_samples recent answers).
  std::optional<duration> percentile(double q, time_point now, std::uint64_t min_samples);
  std::int64_t in_flight();
  QueueLoadMetrics metrics(time_point now);

 private:
  // Lock held.
  duration stall_after() const noexcept;
  duration slow_threshold() const noexcept;
  bool stalled_at(time_point now) const noexcept;
  // No room for one more call (an ordinary one, or a long poll, which only the ceiling bounds).
  bool full(bool ordinary) const noexcept;
  std::optional<std::int64_t> effective_limit() const noexcept;
  void publish() noexcept;

  const InFlightOptions options_;
  const duration slow_cap_;     // half the client's request timeout (at least 100 ms)
  const std::int64_t ceiling_;  // BulkheadOptions::max_in_flight (0: none)

  // Read by every dispatch: its own cache line, written only when it changes.
  alignas(64) std::atomic<bool> blocked_{false};
  mutable std::atomic<std::uint64_t> avoided_{0};

  alignas(64) SpinLock lock_;
  InFlightRegistry calls_;
  LatencyEstimate latency_;
  LatencyHistogram histogram_;
  AdaptiveLimit limit_;
  bool stalled_ = false;
  std::uint64_t admitted_ = 0, rejected_ = 0, slow_in_flight_ = 0;
  mutable std::atomic<std::uint64_t> hedges_{0}, hedge_wins_{0}, late_copies_{0};
};

}  // namespace sqs::detail
