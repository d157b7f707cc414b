#include "multiqueue/watchdog.hpp"

#include <algorithm>
#include <optional>

#include "multiqueue/dispatcher_state.hpp"

namespace sqs::detail {

Watchdog::Watchdog(std::shared_ptr<Clock> clock, std::chrono::nanoseconds interval)
    : clock_(std::move(clock)), interval_(interval) {}

Watchdog::~Watchdog() {
  TimerHandle timer;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    timer = timer_;
  }
  timer.cancel_and_wait();  // a check running on the timer thread (never this one's own wait)
}

void Watchdog::watch(const std::shared_ptr<QueueSlot>& slot) {
  slots_.push_back(slot);
}

void Watchdog::arm_slow() noexcept {
  bool expected = false;
  if (!armed_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return;
  try {
    schedule(clock_->now() + interval_);
  } catch (...) {
    armed_.store(false, std::memory_order_release);  // out of memory: the next call tries again
  }
}

void Watchdog::bring_forward(Clock::time_point when) noexcept {
  try {
    schedule(when);
  } catch (...) {
    // Out of memory: the pending check still runs, later.
  }
}

void Watchdog::schedule(Clock::time_point when) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  const auto due = when.time_since_epoch().count();
  if (timer_.pending() && next_at_.load(std::memory_order_relaxed) <= due) return;
  timer_.cancel();  // a later one (a check running now is not pending: it reschedules itself)
  std::weak_ptr<Watchdog> weak = weak_from_this();
  timer_ = clock_->schedule(when, [weak] {
    if (auto self = weak.lock()) self->check();
  });
  next_at_.store(due, std::memory_order_relaxed);
}

void Watchdog::check() noexcept {
  const auto now = clock_->now();
  std::optional<Clock::time_point> next;
  std::vector<CircuitBreaker::Permit> slow;
  for (const auto& weak : slots_) {
    auto slot = weak.lock();
    if (!slot) continue;
    if (auto due = slot->load.check(now, interval_, slow))
      next = next ? std::min(*next, *due) : *due;
    // Outside the queue's lock: the breaker may run its state hooks.
    for (auto& permit : slow) slot->breaker->slow(std::move(permit));
    slow.clear();
  }
  try {
    if (next) return schedule(*next);
    // Nothing in flight: disarm, then look once more, since a call admitted meanwhile saw the
    // watchdog armed and scheduled nothing.
    armed_.store(false, std::memory_order_release);
    for (const auto& weak : slots_) {
      auto slot = weak.lock();
      if (slot && slot->load.in_flight() > 0) return arm();
    }
  } catch (...) {
    armed_.store(false, std::memory_order_release);
  }
}

}  // namespace sqs::detail
