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
  // A call was admitted at `now`: make sure a check is scheduled, and, for an ordinary call
  // (not a long poll), no later than one interval from now (while only long polls are in
  // flight, checks are rare). Two relaxed loads when that is so already.
  void arm(Clock::time_point now, bool ordinary) noexcept {
    if (!armed_.load(std::memory_order_relaxed)) return arm_slow();
    if (ordinary &&
        next_at_.load(std::memory_order_relaxed) > (now + interval_).time_since_epoch().count()) {
      bring_forward(now + interval_);
    }
  }
  void arm() noexcept {
    if (!armed_.load(std::memory_order_relaxed)) arm_slow();
  }
  const std::shared_ptr<Clock>& clock() const noexcept { return clock_; }

 private:
  void arm_slow() noexcept;
  void bring_forward(Clock::time_point when) noexcept;
  // Makes sure a check runs at `when` or earlier: keeps a pending one that is due no later,
  // else replaces it.
  void schedule(Clock::time_point when);
  void check() noexcept;

  const std::shared_ptr<Clock> clock_;
  const std::chrono::nanoseconds interval_;
  std::vector<std::weak_ptr<QueueSlot>> slots_;  // set before any call
  std::atomic<bool> armed_{false};
  std::atomic<Clock::duration::rep> next_at_{0};  // when the pending check is due
  std::mutex mutex_;
  TimerHandle timer_;  // guarded by mutex_
  bool stopped_ = false;
};

}  // namespace sqs::detail
