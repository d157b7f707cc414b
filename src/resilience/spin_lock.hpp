// The lock of the breaker's few-nanosecond critical sections: spin briefly, then sleep.
// std::mutex sends a thread that finds it taken straight to sleep in the kernel (microseconds
// to wake); the holder is nearly always done within tens of nanoseconds, so spinning first is
// far cheaper. If the holder was preempted, the waiter sleeps on a futex (std::atomic::wait)
// rather than burning the core, and unlock() wakes it — only then paying for a system call.
#pragma once

#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace sqs::detail {

class SpinLock {
 public:
  void lock() noexcept {
    int expected = kFree;
    if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return;
    }
    for (int i = 0; i < kSpins; ++i) {
      pause();
      expected = kFree;
      if (state_.load(std::memory_order_relaxed) == kFree &&
          state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return;
      }
    }
    // Announce a sleeper (so unlock() wakes someone), then sleep until the lock is free. Having
    // marked the lock kContended, we keep it so: another sleeper may remain.
    while (state_.exchange(kContended, std::memory_order_acquire) != kFree) {
      state_.wait(kContended, std::memory_order_relaxed);
    }
  }

  bool try_lock() noexcept {
    int expected = kFree;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  void unlock() noexcept {
    if (state_.exchange(kFree, std::memory_order_release) == kContended) state_.notify_one();
  }

 private:
  static constexpr int kFree = 0;
  static constexpr int kLocked = 1;
  static constexpr int kContended = 2;  // locked, and someone may be asleep waiting
  static constexpr int kSpins = 100;

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  std::atomic<int> state_{kFree};
};

}  // namespace sqs::detail
