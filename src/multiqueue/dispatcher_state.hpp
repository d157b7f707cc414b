// What a Dispatcher and its Executors share: one slot per queue (queue, weight, breaker), an
// executor per slot built once (dispatching hands out references to them: no reference count
// touched per dispatch), and the routing state that the breakers' transitions drive.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "multiqueue/queue_load.hpp"
#include "multiqueue/selector.hpp"
#include "multiqueue/watchdog.hpp"
#include "sqs/multiqueue.hpp"

namespace sqs::detail {

struct QueueSlot {
  QueueSlot(std::size_t i, Queue q, int w, const BulkheadOptions& bulkhead,
            const InFlightOptions& in_flight, std::shared_ptr<Watchdog> dog)
      : index(i),
        queue(std::move(q)),
        weight(w),
        load(bulkhead, in_flight, queue.client().config().request_timeout),
        watchdog(std::move(dog)) {}
  std::size_t index;
  Queue queue;
  int weight;
  QueueLoad load;
  std::shared_ptr<Watchdog> watchdog;  // shared by the dispatcher's slots
  // Set once, right after construction. Declared last, so destroyed first: its destructor waits
  // for a hook running on the timer thread, which reads `index` and `queue`.
  std::unique_ptr<CircuitBreaker> breaker;
};

using StateHook = std::function<void(std::size_t, const Queue&, CircuitState, CircuitState)>;

// The available set and the user's hook. Every breaker's hook holds it strongly: it owns no
// breaker, so a hook that outlives the dispatcher (on the timer thread, or completing a call in
// flight) never destroys the breaker it runs in, and finds nothing freed.
struct Routing {
  Routing(std::vector<std::uint32_t> weights, std::uint64_t seed)
      : selector(std::move(weights), seed) {}

  Selector selector;

  std::mutex hook_mutex;
  StateHook hook;  // guarded by hook_mutex; copied out before being called; cleared by ~Dispatcher
  std::function<void(const LateCopy&)> late_copy_hook;  // set once, at construction
  std::optional<HedgeOptions> hedge;                    // the dispatcher's default
  std::shared_ptr<Clock> clock;                         // the breakers' (hedge timers)

  StateHook current_hook() {
    std::lock_guard<std::mutex> lock(hook_mutex);
    return hook;
  }
  void set_hook(StateHook h) {
    std::lock_guard<std::mutex> lock(hook_mutex);
    hook = std::move(h);
  }
};

struct DispatcherState {
  std::shared_ptr<Routing> routing;
  std::vector<std::shared_ptr<QueueSlot>> slots;
  std::vector<Executor> executors;  // executors[i] holds slots[i]
};

// The queue dispatch_rr() (round_robin) or dispatch() would pick: the rotation over the
// available queues, avoiding stalled or full ones while another is neither.
std::size_t pick_queue(const DispatcherState& state, bool round_robin) noexcept;
// std::invalid_argument on options that make no sense.
void check_hedge(const HedgeOptions& hedge);

}  // namespace sqs::detail
