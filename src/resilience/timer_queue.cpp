#include "resilience/timer_queue.hpp"

namespace sqs::detail {
namespace {

// A task that, when cancelled, leaves its queue at once: a cancelled 60 s back-off timer must
// not keep the timer thread alive for a minute.
class QueuedTask final : public TimerTask {
 public:
  QueuedTask(std::function<void()> callback, std::weak_ptr<TimerQueue> queue, TimerQueue::Key key)
      : TimerTask(std::move(callback)), queue_(std::move(queue)), key_(key) {}

 private:
  void on_cancelled() noexcept override {
    if (auto queue = queue_.lock()) queue->remove(key_);
  }
  std::weak_ptr<TimerQueue> queue_;
  TimerQueue::Key key_;
};

}  // namespace

std::pair<TimerHandle, bool> TimerQueue::add_locked(Clock::time_point when,
                                                    std::function<void()> callback) {
  const Key key{when, next_seq++};
  auto task = std::make_shared<QueuedTask>(std::move(callback), weak_from_this(), key);
  const auto it = tasks.emplace(key, task).first;
  return {TimerHandle(std::move(task)), it == tasks.begin()};
}

std::pair<std::shared_ptr<TimerTask>, Clock::time_point> TimerQueue::pop_due_locked(
    Clock::time_point now) {
  if (tasks.empty() || tasks.begin()->first.first > now) return {nullptr, now};
  const auto due = tasks.begin()->first.first;
  auto task = std::move(tasks.begin()->second);
  tasks.erase(tasks.begin());
  return {std::move(task), due};
}

std::map<TimerQueue::Key, std::shared_ptr<TimerTask>> TimerQueue::take_all_locked() {
  return std::exchange(tasks, {});
}

void TimerQueue::remove(const Key& key) noexcept {
  std::shared_ptr<TimerTask> removed;  // released after the lock: it may be the last owner
  {
    std::lock_guard lock(mutex);
    const auto it = tasks.find(key);
    if (it == tasks.end()) return;
    removed = std::move(it->second);
    tasks.erase(it);
  }
  changed.notify_all();
}

}  // namespace sqs::detail
