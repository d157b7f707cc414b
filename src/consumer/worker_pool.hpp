// The threads that run sync handlers: a queue of tasks, each with the id of its message, so
// that a stop can take back those not started yet (their messages are released at once
// instead of waiting for a thread).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sqs::detail {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();  // runs nothing more, waits for the tasks running now
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::uint64_t id, std::function<void()> task);
  // The ids of the tasks not started yet, removed from the queue.
  std::vector<std::uint64_t> take_unstarted();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<std::uint64_t, std::function<void()>>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sqs::detail
