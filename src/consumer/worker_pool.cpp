#include "consumer/worker_pool.hpp"

namespace sqs::detail {

WorkerPool::WorkerPool(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    tasks_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::post(std::uint64_t id, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.emplace_back(id, std::move(task));
  }
  ready_.notify_one();
}

std::vector<std::uint64_t> WorkerPool::take_unstarted() {
  std::vector<std::uint64_t> ids;
  std::lock_guard lock(mutex_);
  ids.reserve(tasks_.size());
  for (const auto& [id, task] : tasks_) ids.push_back(id);
  tasks_.clear();
  return ids;
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front().second);
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace sqs::detail
