// The same queue in several regions, used all the time, with a circuit breaker per queue, so
// that a regional SQS outage costs the application nothing (MISSION.md, part 2).
//
//   sqs::Dispatcher dispatcher({{queue_eu, 1}, {queue_us, 1}});
//   dispatcher.dispatch_rr().send("hello");          // one queue, through its breaker
//   dispatcher.send("hello");                        // failover: tries queues until one takes it
//   for (auto& ex : dispatcher.executors()) ...      // receive from EVERY queue, in parallel
//
// A queue whose breaker opens leaves the available set (new work stops going there); when the
// breaker goes half-open (on time, even if nobody calls) it comes back and its probe calls
// decide whether it closes. With no queue available, the dispatcher still answers, with a queue
// picked at random from all of them. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sqs/circuit_breaker.hpp"
#include "sqs/queue.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

namespace detail {
struct DispatcherState;
struct QueueSlot;  // a queue, its weight, its breaker
}  // namespace detail

// A queue whose calls pass through that queue's circuit breaker: while the breaker is open a
// call fails fast with ErrorKind::circuit_open without touching the network; every outcome is
// recorded (validation errors and sender faults are ignored by default). A copy holds the queue
// and its breaker alive (one shared reference count).
class Executor {
 public:
  std::size_t index() const noexcept;  // position of the queue in the dispatcher
  const Queue& queue() const noexcept;
  CircuitBreaker& breaker() const noexcept;
  CircuitState state() const noexcept { return breaker().state(); }

  // ---- sync (block the calling thread) ----
  Result<SendMessageResult> send(std::string body, const SendOptions& options = {}) const;
  Result<BatchSendResult> send_batch(const std::vector<OutgoingMessage>& messages) const;
  Result<std::vector<Message>> receive(const ReceiveOptions& options = {}) const;
  Result<Empty> delete_message(std::string receipt_handle) const;
  Result<BatchOutcome> delete_batch(const std::vector<std::string>& receipt_handles) const;
  Result<Empty> change_visibility(std::string receipt_handle, int visibility_timeout) const;
  Result<BatchOutcome> change_visibility_batch(const std::vector<VisibilityChange>& changes) const;
  Result<Empty> purge() const;
  Result<StringMap> attributes(std::vector<std::string> names = {}) const;

  // Runs f(queue) -> Result<T> under the breaker (sync).
  template <class F>
  auto run(F&& f) const {
    return breaker().run([&] { return f(queue()); });
  }

  // ---- async: any completion token, signature void(Result<R>) ----
  template <class Token>
  auto async_send(std::string body, const SendOptions& options, Token&& token) const;
  template <class Token>
  auto async_send_batch(const std::vector<OutgoingMessage>& messages, Token&& token) const;
  template <class Token>
  auto async_receive(const ReceiveOptions& options, Token&& token) const;
  template <class Token>
  auto async_delete_message(std::string receipt_handle, Token&& token) const;
  template <class Token>
  auto async_delete_batch(const std::vector<std::string>& receipt_handles, Token&& token) const;
  template <class Token>
  auto async_change_visibility(std::string receipt_handle, int visibility_timeout,
                               Token&& token) const;

  // Generic async "run this under the breaker": start(queue, done) starts any asynchronous work
  // and calls done(Result<R>) exactly once; the outcome is recorded, then the result is
  // delivered to the token. Refused at once (circuit_open) while the breaker is open.
  template <class R, class Start, class Token>
  auto async_run(Start&& start, Token&& token) const;

  // Type-erased core of every async form.
  template <class R>
  void start_run(
      detail::UniqueFunction<void(const Queue&, detail::UniqueFunction<void(Result<R>)>)> start,
      detail::UniqueFunction<void(Result<R>)> done) const;

  // Internal: executors come from a Dispatcher.
  explicit Executor(std::shared_ptr<detail::QueueSlot> slot) noexcept : slot_(std::move(slot)) {}

 private:
  std::shared_ptr<detail::QueueSlot> slot_;
};

struct DispatcherQueue {
  Queue queue;
  int weight = 1;  // > 0
};

struct DispatcherOptions {
  // Template of every queue's breaker (its on_state_change is chained, not replaced).
  CircuitBreakerOptions breaker;
  // Called on every breaker transition with (queue index, queue, from, to), outside any lock.
  std::function<void(std::size_t index, const Queue& queue, CircuitState from, CircuitState to)>
      on_state_change;
  // Seed of the random choices (dispatch(), the fallback when nothing is available).
  std::optional<std::uint64_t> seed;
};

// Which queue took a failover send.
struct FailoverSendResult {
  std::size_t queue_index = 0;
  std::string queue_url;
  SendMessageResult result;
  int queues_tried = 1;
};
struct FailoverBatchSuccess {
  std::size_t index;        // position in the input
  std::size_t queue_index;  // which queue took it
  std::string message_id;
  std::optional<std::string> sequence_number;
};
struct FailoverBatchResult {
  std::vector<FailoverBatchSuccess> successful;  // sorted by index
  std::vector<BatchFailure> failed;              // sorted by index: every queue refused them
  bool all_succeeded() const noexcept { return failed.empty(); }
};

struct FailoverOptions {
  // Give up trying further queues after this long (the call in flight still completes).
  std::chrono::milliseconds deadline{30000};
  // Use round-robin (true) or a random available queue (false) to pick the first queue.
  bool round_robin = true;
};

struct QueueMetrics {
  std::size_t index = 0;
  std::string queue_url;
  int weight = 1;
  bool available = true;
  CircuitBreakerMetrics breaker;
};

class Dispatcher {
 public:
  explicit Dispatcher(std::vector<DispatcherQueue> queues, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  std::size_t size() const noexcept;

  // Executors are built once, with the dispatcher: these return references to them, valid as
  // long as the Dispatcher lives. Dispatching touches no shared reference count (two threads
  // dispatching would contend on it). To keep an executor beyond the Dispatcher, copy it: a copy
  // holds its queue and breaker alive (and async calls in flight hold them by themselves).

  // A random available queue (random among all when none is available).
  const Executor& dispatch() const noexcept;
  // Interleaved weighted round-robin over the available queues (weights 1,5,2 give, per cycle:
  // q1 q2 q3 q2 q3 q2 q2 q2); random among all when none is available.
  const Executor& dispatch_rr() const noexcept;
  // An executor for every registered queue, in registration order (for receiving: poll every
  // queue, never one at random).
  const std::vector<Executor>& executors() const noexcept;
  const Executor& executor(std::size_t index) const;  // std::out_of_range past size()
  // Indices of the queues currently available.
  std::vector<std::size_t> available() const;

  // Replaces the transition hook of the options (thread-safe).
  void on_state_change(
      std::function<void(std::size_t index, const Queue& queue, CircuitState from, CircuitState to)>
          hook);

  // ---- failover send: tries an available queue; on a counted failure or an open circuit, the
  // next; until one accepts, every queue was tried, or the deadline passed. Errors that are the
  // caller's fault (validation, sender faults) are returned at once: another region would refuse
  // them too. While at least one region works, a caller sees no failed send.
  Result<FailoverSendResult> send(std::string body, const SendOptions& options = {},
                                  const FailoverOptions& failover = {}) const;
  // Batch (1-10 entries): entries that failed on one queue for a reason that is not the
  // sender's fault are sent again, as a batch, to the next queue.
  Result<FailoverBatchResult> send_batch(const std::vector<OutgoingMessage>& messages,
                                         const FailoverOptions& failover = {}) const;
  template <class Token>
  auto async_send(std::string body, const SendOptions& options, const FailoverOptions& failover,
                  Token&& token) const;
  template <class Token>
  auto async_send_batch(const std::vector<OutgoingMessage>& messages,
                        const FailoverOptions& failover, Token&& token) const;

  void start_send(std::string body, SendOptions options, FailoverOptions failover,
                  detail::UniqueFunction<void(Result<FailoverSendResult>)> done) const;
  void start_send_batch(std::vector<OutgoingMessage> messages, FailoverOptions failover,
                        detail::UniqueFunction<void(Result<FailoverBatchResult>)> done) const;

  // A snapshot per queue: breaker state, counters, transitions, time of the last one.
  std::vector<QueueMetrics> metrics() const;

 private:
  std::shared_ptr<detail::DispatcherState> state_;
};

}  // namespace sqs

#include "sqs/impl/multiqueue.ipp"

#pragma GCC visibility pop
