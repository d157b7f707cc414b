// The dispatcher's watchdog: while calls are in flight on any of its queues, it checks them
// every InFlightOptions::check_interval on the breakers' clock (the shared timer thread, or a
// test's ManualClock): a queue whose oldest call is overdue becomes stalled (dispatch avoids
// it), a call outstanding past the slow-call threshold is counted as a failure by its breaker
// at once, and a hang feeds the latency estimate (and so the adaptive bulkhead). Nothing is
// scheduled while nothing is in flight: an idle application has no timer ticking for it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "sqs/clock.hpp"

namespace sqs::detail {

struct QueueSlot;

class Watchdog : public std::enable_shared_from_this<Watchdog> {
 public:
  Watchdog(std::shared_ptr<Clock> clock, std::chrono::nanoseconds interval);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void watch(const std::shared_ptr<QueueSlot>& slot);
  // A call was admitted: make sure a check is scheduled. One relaxed load when one is.
  void arm() noexcept {
    if (!armed_.load(std::memory_order_relaxed)) arm_slow();
  }
  const std::shared_ptr<Clock>& clock() const noexcept { return clock_; }

 private:
  void arm_slow() noexcept;
  void schedule(Clock::time_point when);
  void check() noexcept;

  const std::shared_ptr<Clock> clock_;
  const std::chrono::nanoseconds interval_;
  std::vector<std::weak_ptr<QueueSlot>> slots_;  // set before any call
  std::atomic<bool> armed_{false};
  std::mutex mutex_;
  TimerHandle timer_;  // guarded by mutex_
  bool stopped_ = false;
};

}  // namespace sqs::detail
