#include "sqs/clock.hpp"

namespace sqs {

TimerTask::TimerTask(std::function<void()> callback) : callback_(std::move(callback)) {}

TimerTask::~TimerTask() = default;

bool TimerTask::run() noexcept {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    if (status_ != Status::pending) return false;
    status_ = Status::running;
    runner_ = std::this_thread::get_id();
    callback = std::move(callback_);
  }
  callback();
  callback = nullptr;  // what the callback captured goes before anyone waiting is released
  {
    std::lock_guard lock(mutex_);
    status_ = Status::finished;
  }
  done_.notify_all();
  return true;
}

bool TimerTask::cancel(bool wait) noexcept {
  std::function<void()> dropped;  // destroyed outside the lock: it may own anything
  {
    std::unique_lock lock(mutex_);
    if (status_ == Status::running) {
      if (wait && runner_ != std::this_thread::get_id()) {
        done_.wait(lock, [this] { return status_ != Status::running; });
      }
      return false;
    }
    if (status_ != Status::pending) return false;
    status_ = Status::cancelled;
    dropped = std::move(callback_);
  }
  on_cancelled();
  return true;
}

bool TimerTask::pending() const noexcept {
  std::lock_guard lock(mutex_);
  return status_ == Status::pending;
}

bool TimerTask::finished() const noexcept {
  std::lock_guard lock(mutex_);
  return status_ == Status::finished || status_ == Status::cancelled;
}

}  // namespace sqs
