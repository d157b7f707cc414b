// The queue of scheduled callbacks behind both clocks: ordered by (due time, scheduling order),
// shared between the clock and its tasks so that a task cancelled after its clock is gone is
// harmless. The timer thread's state lives here too, so that thread never touches the
// (possibly destroyed) object that started it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "sqs/clock.hpp"

namespace sqs::detail {

struct TimerQueue : std::enable_shared_from_this<TimerQueue> {
  using Key = std::pair<Clock::time_point, std::uint64_t>;

  std::mutex mutex;
  std::condition_variable changed;  // a task was added, removed, or stop was asked
  std::map<Key, std::shared_ptr<TimerTask>> tasks;
  std::uint64_t next_seq = 0;
  // Timer thread state (SystemClock only), guarded by `mutex`.
  bool stop = false;
  bool thread_running = false;

  // Requires `mutex` held. Returns the handle and whether the task is now the first due.
  std::pair<TimerHandle, bool> add_locked(Clock::time_point when, std::function<void()> callback);
  // Removes the first task if it is due at or before `now` (null if none), with its due time;
  // requires `mutex` held.
  std::pair<std::shared_ptr<TimerTask>, Clock::time_point> pop_due_locked(Clock::time_point now);
  // Takes every task out (they are not cancelled); requires `mutex` held.
  std::map<Key, std::shared_ptr<TimerTask>> take_all_locked();
  void remove(const Key& key) noexcept;
};

}  // namespace sqs::detail
