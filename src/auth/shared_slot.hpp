// A shared_ptr that threads load and replace concurrently: what the credential caches hand out on
// the hot path. A spin lock around copying the pointer (one reference-count increment), not
// std::atomic<std::shared_ptr>: libstdc++ 12's releases its internal lock with relaxed order
// after reading, which ThreadSanitizer rightly reports as a race against a concurrent store.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

namespace sqs::auth {

template <class T>
class SharedSlot {
 public:
  std::shared_ptr<T> load() const noexcept {
    lock();
    std::shared_ptr<T> copy = value_;
    unlock();
    return copy;
  }
  void store(std::shared_ptr<T> value) noexcept {
    lock();
    value_.swap(value);
    unlock();
    // The previous value is released here, outside the lock.
  }

 private:
  void lock() const noexcept {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() const noexcept { locked_.store(false, std::memory_order_release); }

  mutable std::atomic<bool> locked_{false};
  std::shared_ptr<T> value_;
};

}  // namespace sqs::auth
