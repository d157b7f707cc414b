// What a Dispatcher and its Executors share: one slot per queue (queue, weight, breaker) and
// the selector of available queues that the breakers' transitions drive.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "multiqueue/selector.hpp"
#include "sqs/multiqueue.hpp"

namespace sqs::detail {

struct QueueSlot {
  QueueSlot(std::size_t i, Queue q, int w) : index(i), queue(std::move(q)), weight(w) {}
  std::size_t index;
  Queue queue;
  int weight;
  std::unique_ptr<CircuitBreaker> breaker;  // set once, right after construction
};

using StateHook = std::function<void(std::size_t, const Queue&, CircuitState, CircuitState)>;

struct DispatcherState {
  DispatcherState(std::vector<std::uint32_t> weights, std::uint64_t seed)
      : selector(std::move(weights), seed) {}

  std::vector<std::shared_ptr<QueueSlot>> slots;
  Selector selector;

  std::mutex hook_mutex;
  StateHook hook;  // guarded by hook_mutex; copied out before being called

  StateHook current_hook() {
    std::lock_guard<std::mutex> lock(hook_mutex);
    return hook;
  }
};

}  // namespace sqs::detail
