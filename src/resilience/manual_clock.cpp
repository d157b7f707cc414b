#include "resilience/timer_queue.hpp"
#include "sqs/clock.hpp"

namespace sqs {

ManualClock::ManualClock(time_point start)
    : now_(start.time_since_epoch().count()), queue_(std::make_shared<detail::TimerQueue>()) {}

// Pending callbacks die with the clock: nothing could ever make them due.
ManualClock::~ManualClock() {
  std::map<detail::TimerQueue::Key, std::shared_ptr<TimerTask>> tasks;
  {
    std::lock_guard lock(queue_->mutex);
    tasks = queue_->take_all_locked();
  }
  for (auto& [key, task] : tasks) task->cancel(false);
}

TimerHandle ManualClock::schedule(time_point when, std::function<void()> callback) {
  std::lock_guard lock(queue_->mutex);
  return queue_->add_locked(when, std::move(callback)).first;
}

void ManualClock::advance_to(time_point when) {
  for (;;) {
    std::shared_ptr<TimerTask> task;
    {
      std::lock_guard lock(queue_->mutex);
      auto [due_task, due] = queue_->pop_due_locked(when);
      // Time moves to each callback's due time before it runs: it sees the time it asked for.
      // It never moves back (a callback scheduled in the past runs "now").
      if (due > now()) now_.store(due.time_since_epoch().count(), std::memory_order_release);
      if (!due_task) return;
      task = std::move(due_task);
    }
    task->run();
  }
}

std::size_t ManualClock::pending() const {
  std::lock_guard lock(queue_->mutex);
  return queue_->tasks.size();
}

std::optional<Clock::time_point> ManualClock::next_due() const {
  std::lock_guard lock(queue_->mutex);
  if (queue_->tasks.empty()) return std::nullopt;
  return queue_->tasks.begin()->first.first;
}

}  // namespace sqs
