// The process-wide timer thread behind every SystemClock.
//
// Lifetime: one TimerThread object, owned jointly by every SystemClock (and so by every breaker
// holding one) and by Clock::system()'s static. The thread is started by the first schedule()
// and ends by itself when no callback remains; the next schedule() joins the finished thread
// and starts a new one. When the last owner goes — usually during static destruction, after
// every breaker — pending callbacks are dropped and the thread is joined. The thread itself
// touches only the shared TimerQueue, never the TimerThread object, so it is safe even when that
// last owner lets go from inside a callback (the thread is then detached and ends on its own).
#include <time.h>

#include <atomic>
#include <thread>

#include "resilience/timer_queue.hpp"
#include "sqs/clock.hpp"

namespace sqs {
namespace detail {

namespace {
std::atomic<bool> g_thread_running{false};
std::atomic<std::uint64_t> g_threads_started{0};

void run_timer_thread(const std::shared_ptr<TimerQueue>& queue) {
  std::unique_lock lock(queue->mutex);
  while (!queue->stop && !queue->tasks.empty()) {
    auto task = queue->pop_due_locked(std::chrono::steady_clock::now()).first;
    if (!task) {
      // A copy: the task (and the map node holding its time) may go while we wait.
      const Clock::time_point next = queue->tasks.begin()->first.first;
      queue->changed.wait_until(lock, next);
      continue;
    }
    lock.unlock();
    task->run();
    task.reset();  // the callback's captures go before the lock is taken again
    lock.lock();
  }
  queue->thread_running = false;
  g_thread_running.store(false, std::memory_order_release);
}
}  // namespace

class TimerThread {
 public:
  TimerThread() : queue_(std::make_shared<TimerQueue>()) {}

  ~TimerThread() {
    std::map<TimerQueue::Key, std::shared_ptr<TimerTask>> dropped;
    {
      std::lock_guard lock(queue_->mutex);
      queue_->stop = true;
      dropped = queue_->take_all_locked();
    }
    queue_->changed.notify_all();
    for (auto& [key, task] : dropped) task->cancel(false);
    if (thread_.joinable()) {
      if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();
      } else {
        thread_.join();
      }
    }
  }

  TimerHandle schedule(Clock::time_point when, std::function<void()> callback) {
    std::thread finished;
    TimerHandle handle;
    bool first = false;
    {
      std::lock_guard lock(queue_->mutex);
      std::tie(handle, first) = queue_->add_locked(when, std::move(callback));
      if (!queue_->thread_running) {
        queue_->thread_running = true;
        g_thread_running.store(true, std::memory_order_release);
        g_threads_started.fetch_add(1, std::memory_order_relaxed);
        finished = std::move(thread_);
        thread_ = std::thread(run_timer_thread, queue_);
        first = false;
      }
    }
    if (first) queue_->changed.notify_all();
    if (finished.joinable()) finished.join();  // it has left its loop: this returns at once
    return handle;
  }

 private:
  std::shared_ptr<TimerQueue> queue_;
  std::thread thread_;
};

namespace {
// Never destroyed (a SystemClock made during static destruction still finds them); they own
// nothing but a weak reference.
std::shared_ptr<TimerThread> shared_timer_thread() {
  static auto* const mutex = new std::mutex;
  static auto* const current = new std::weak_ptr<TimerThread>;
  std::lock_guard lock(*mutex);
  auto thread = current->lock();
  if (!thread) {
    thread = std::make_shared<TimerThread>();
    *current = thread;
  }
  return thread;
}
}  // namespace

}  // namespace detail

SystemClock::SystemClock() : thread_(detail::shared_timer_thread()) {}

SystemClock::~SystemClock() = default;

Clock::time_point SystemClock::coarse_now() const noexcept {
#if defined(CLOCK_MONOTONIC_COARSE)
  // steady_clock is CLOCK_MONOTONIC on Linux; the coarse variant is the same clock as of the
  // last tick, so the two compare.
  static_assert(std::is_same_v<time_point::duration, std::chrono::nanoseconds>);
  timespec ts{};
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0) {
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
#endif
  return now();
}

TimerHandle SystemClock::schedule(time_point when, std::function<void()> callback) {
  return thread_->schedule(when, std::move(callback));
}

bool SystemClock::timer_thread_running() noexcept {
  return detail::g_thread_running.load(std::memory_order_acquire);
}

std::uint64_t SystemClock::timer_threads_started() noexcept {
  return detail::g_threads_started.load(std::memory_order_relaxed);
}

std::shared_ptr<Clock> Clock::system() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace sqs
