// Time, and callbacks at a given time, behind an interface: the circuit breaker asks a Clock
// what time it is and to wake it when an open period ends. Production code uses SystemClock
// (steady_clock, one shared timer thread for the whole process); tests use ManualClock, where
// time moves only when the test says so and every timing test is instant and deterministic.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

namespace detail {
struct TimerQueue;
class TimerThread;
}  // namespace detail

// One callback scheduled on a clock. Shared by the clock (which runs it) and the handles
// (which may cancel it). A clock implementation derives from it to learn of cancellations.
class TimerTask {
 public:
  explicit TimerTask(std::function<void()> callback);
  virtual ~TimerTask();
  TimerTask(const TimerTask&) = delete;
  TimerTask& operator=(const TimerTask&) = delete;

  // For clocks, when the task is due: runs the callback unless it was cancelled (false then).
  // The callback must not throw (it runs on a thread nobody can catch on).
  bool run() noexcept;

  // Prevents the callback from running if it has not started; true if it was prevented.
  // With `wait`, a callback already running on another thread is waited for, so that nothing
  // it touches may be freed before it returns; a callback cancelling itself never waits.
  bool cancel(bool wait) noexcept;

  bool pending() const noexcept;   // neither started nor cancelled
  bool finished() const noexcept;  // ran to the end, or was cancelled

 protected:
  // Called once after a cancellation, with no lock held: a clock drops the task from its queue.
  virtual void on_cancelled() noexcept {}

 private:
  enum class Status : std::uint8_t { pending, running, finished, cancelled };
  mutable std::mutex mutex_;
  std::condition_variable done_;
  Status status_ = Status::pending;
  std::thread::id runner_;
  std::function<void()> callback_;
};

// What Clock::schedule returns. Copyable; destroying it does not cancel the callback.
class TimerHandle {
 public:
  TimerHandle() = default;
  explicit TimerHandle(std::shared_ptr<TimerTask> task) noexcept : task_(std::move(task)) {}

  // True if the callback will now never run. Never blocks on the callback.
  bool cancel() noexcept { return task_ && task_->cancel(false); }
  // As cancel(), and if the callback is running on another thread, waits until it returns.
  bool cancel_and_wait() noexcept { return task_ && task_->cancel(true); }
  bool pending() const noexcept { return task_ && task_->pending(); }
  bool finished() const noexcept { return !task_ || task_->finished(); }

 private:
  std::shared_ptr<TimerTask> task_;
};

class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  virtual time_point now() const noexcept = 0;

  // A cheaper reading that may lag now() by a few milliseconds (never run ahead of it), for
  // bookkeeping where that does not matter, such as the breaker's counter intervals: it is
  // read on every call. Default: now().
  virtual time_point coarse_now() const noexcept { return now(); }

  // Runs `callback` once, at `when` or as soon as possible after it (at once if it is past).
  // Never runs it on the calling thread before schedule() returns, so the caller may hold
  // its own locks while scheduling. Callbacks due at the same time run in scheduling order.
  virtual TimerHandle schedule(time_point when, std::function<void()> callback) = 0;

  TimerHandle schedule_after(duration delay, std::function<void()> callback) {
    return schedule(now() + delay, std::move(callback));
  }

  // The process-wide SystemClock.
  static std::shared_ptr<Clock> system();
};

// std::chrono::steady_clock. Every SystemClock in the process shares ONE timer thread, started
// when a callback is first scheduled, ended as soon as no callback remains (and started again
// by the next schedule), and joined when the last SystemClock goes away — at the latest during
// static destruction, since Clock::system() holds one. A clock, and the breakers holding it,
// keep the timer thread's state alive, so destruction order between statics does not matter;
// callbacks still pending when the last clock goes away are dropped, never run. (A clock that is
// never destroyed keeps the thread until the process ends, which simply stops it.)
class SystemClock final : public Clock {
 public:
  SystemClock();
  ~SystemClock() override;

  time_point now() const noexcept override { return std::chrono::steady_clock::now(); }
  // CLOCK_MONOTONIC_COARSE where there is one (Linux): a few ns instead of tens, to within a
  // scheduler tick.
  time_point coarse_now() const noexcept override;
  TimerHandle schedule(time_point when, std::function<void()> callback) override;

  // Introspection, for tests and diagnostics.
  static bool timer_thread_running() noexcept;
  static std::uint64_t timer_threads_started() noexcept;

 private:
  std::shared_ptr<detail::TimerThread> thread_;
};

// A clock for tests: time starts at `start` and moves only through advance(). Callbacks run
// synchronously inside advance(), on the caller's thread, in time order; a callback may
// schedule more, and those run too if they fall due within the same advance().
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{} + std::chrono::hours(1));
  ~ManualClock() override;

  time_point now() const noexcept override {
    return time_point(duration(now_.load(std::memory_order_acquire)));
  }
  TimerHandle schedule(time_point when, std::function<void()> callback) override;

  void advance(duration by) { advance_to(now() + by); }
  void advance_to(time_point when);

  std::size_t pending() const;  // callbacks scheduled and not yet run or cancelled
  std::optional<time_point> next_due() const;

 private:
  std::atomic<duration::rep> now_;
  std::shared_ptr<detail::TimerQueue> queue_;
};

using FakeClock = ManualClock;

}  // namespace sqs

#pragma GCC visibility pop
