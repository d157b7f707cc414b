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
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "sqs/circuit_breaker.hpp"
#include "sqs/queue.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

class Executor;

namespace detail {
struct DispatcherState;
struct QueueSlot;  // a queue, its weight, its breaker, its load

// One call admitted on a queue (by its breaker, then its bulkhead), in flight until settled.
// Move-only; settled exactly once: one destroyed unsettled (a callback dropped uncalled) is
// settled as "ignore", so that no call stays in flight forever.
class AdmittedCall {
 public:
  AdmittedCall() = default;
  AdmittedCall(AdmittedCall&& other) noexcept;
  AdmittedCall& operator=(AdmittedCall&& other) noexcept;
  ~AdmittedCall();

  // The call ended: with `error`, or successfully when it is null.
  void settle(const Error* error) noexcept;
  // For calls that outlive their caller (async): hold the queue's slot alive until settled.
  void keep_alive(std::shared_ptr<QueueSlot> owner) noexcept { owner_ = std::move(owner); }

 private:
  friend class sqs::Executor;
  AdmittedCall(QueueSlot* slot, std::uint32_t id) noexcept : slot_(slot), id_(id) {}
  // Not owning: whoever holds the call holds the slot alive (the sync run() its executor, an
  // async call's callback a copy of it), so that a sync call touches no reference count.
  QueueSlot* slot_ = nullptr;
  std::uint32_t id_ = 0;
  std::shared_ptr<QueueSlot> owner_;  // destroyed after the destructor's settle
};
}  // namespace detail

// A queue whose calls pass through that queue's circuit breaker and bulkhead: while the breaker
// is open a call fails fast with ErrorKind::circuit_open, and while the bulkhead is full with
// ErrorKind::bulkhead_full, both without touching the network; every outcome is recorded
// (validation errors and sender faults are ignored by default), and every call is counted in
// flight until it ends (the dispatcher's view of the queue's load and latency). A copy holds
// the queue and its breaker alive (one shared reference count).
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

  // Runs f(queue) -> Result<T> under the breaker and the bulkhead (sync).
  template <class F>
  auto run(F&& f) const {
    using R = std::remove_cvref_t<std::invoke_result_t<F&&, const Queue&>>;
    auto call = admit();
    if (!call) return R(std::move(call).error());
    R result = std::invoke(std::forward<F>(f), queue());
    call->settle(result.has_value() ? nullptr : &result.error());
    return result;
  }

  // The accounting behind every call: the breaker's permission, then the bulkhead's; the call
  // is then in flight until the AdmittedCall is settled. `allowance`: how much longer than an
  // ordinary call this one may take by design (a long poll's wait), so that it is neither
  // "stalled" nor "slow" for that long. Fails with circuit_open or bulkhead_full.
  Result<detail::AdmittedCall> admit(std::chrono::nanoseconds allowance = {}) const;
  // The same, for the failover's last try once every queue refused: the breaker and the fixed
  // ceiling (max_in_flight) still apply, the adaptive limit does not.
  Result<detail::AdmittedCall> admit_last_resort(std::chrono::nanoseconds allowance = {}) const;

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
      detail::UniqueFunction<void(Result<R>)> done, std::chrono::nanoseconds allowance = {},
      bool last_resort = false) const;

  // Internal: executors come from a Dispatcher.
  explicit Executor(std::shared_ptr<detail::QueueSlot> slot) noexcept : slot_(std::move(slot)) {}

 private:
  Result<detail::AdmittedCall> admit_impl(std::chrono::nanoseconds allowance,
                                          bool last_resort) const;
  std::shared_ptr<detail::QueueSlot> slot_;
};

// A bound on the calls in flight on one queue (long polls included), so that a queue that hangs
// can never hold all of the application's concurrency. A call over the limit fails at once with
// ErrorKind::bulkhead_full (code "BulkheadFull"), without touching the network; failover sends
// move on to the next queue, and dispatch()/dispatch_rr() avoid a full queue.
struct BulkheadOptions {
  // Fixed ceiling of calls in flight on the queue. 0: none.
  int max_in_flight = 0;
  // Adaptive limit (in the spirit of Netflix's concurrency-limits): while the queue answers as
  // fast as it normally does, only the ceiling applies. Once its recent latency exceeds both
  // `tolerance` x its baseline latency and baseline + `latency_margin`, the limit drops to the
  // calls in flight scaled by that slowdown (never below `min_in_flight`), and stays down while
  // the queue is slow; answers at normal speed lift it again (by a quarter with each answer, and
  // altogether once past 256). A call outstanding longer than the estimate counts toward it
  // before it answers, so a hang lowers the limit within a few checks.
  // The adaptive limit bounds ordinary calls only: long polls (whose duration is their wait)
  // count toward max_in_flight but never take the room the adaptive limit leaves, so a queue's
  // receivers cannot shut its sends out.
  bool adaptive = true;
  int min_in_flight = 2;   // >= 1: a slow queue keeps being probed by real traffic
  double tolerance = 2.0;  // >= 1
  // Slower by less than this is never "degraded" (a busy client's own event loop adds tens
  // of milliseconds under load: that is no reason to refuse calls).
  std::chrono::milliseconds latency_margin{100};
};

// How the dispatcher watches the calls in flight on each queue, so that a queue that hangs or
// slows down is steered around long before any call times out.
struct InFlightOptions {
  // A call outstanding longer than this counts as a failure for its queue's breaker at that
  // moment, not when it finally times out (a long poll: longer than its WaitTimeSeconds plus
  // this). Its own outcome then no longer counts. Unset: derived from what the queue's answers
  // show, max(1 s, 8 x the queue's baseline latency), capped at half the client's
  // request_timeout (at least 100 ms). Zero: no such rule.
  std::optional<std::chrono::milliseconds> slow_call_threshold;
  // A queue whose oldest call in flight (long polls aside) has been outstanding longer than
  // max(stall_after, 4 x its baseline latency) is "stalled": new work avoids it until that call
  // returns. 1 s while the queue has not answered anything yet. Zero: never stalled.
  std::chrono::milliseconds stall_after{50};
  // How often the calls in flight are checked, while there are any (a timer of the breakers'
  // clock; nothing runs while nothing is in flight).
  std::chrono::milliseconds check_interval{10};
};

// Hedged sends (opt-in; never on FIFO queues): when the queue a failover send went to has not
// answered after the hedge delay, the same message is also sent to the next available queue;
// the first success completes the caller. A copy that succeeds later is a second delivery of
// the same message (SQS's at-least-once delivery already allows duplicates; consumers must be
// idempotent): FailoverSendResult says which queues had a copy, the dispatcher's on_late_copy
// hook and its metrics report late successes.
struct HedgeOptions {
  bool enabled = true;  // false: no hedging for this call, whatever the dispatcher's default
  // Fixed delay, or the fallback of an adaptive one until enough sends were seen.
  std::chrono::milliseconds delay{100};
  // Adaptive: the delay is this percentile (0..1, e.g. 0.95) of the latencies the first queue
  // answered with recently, clamped to [min_delay, max_delay]; `delay` until it answered 20.
  std::optional<double> percentile;
  std::chrono::milliseconds min_delay{5};
  std::chrono::milliseconds max_delay{2000};
  int max_copies = 1;  // extra copies at most (each after a further delay)
};

struct DispatcherQueue {
  Queue queue;
  int weight = 1;                           // > 0
  std::optional<BulkheadOptions> bulkhead;  // this queue's own; unset: DispatcherOptions'
};

// A copy of a hedged send that succeeded after the caller was completed by another queue.
struct LateCopy {
  std::size_t queue_index = 0;   // the queue that accepted the copy late
  std::size_t winner_index = 0;  // the queue whose answer completed the caller
  std::string message_id;
};

struct DispatcherOptions {
  // Template of every queue's breaker (its on_state_change is chained, not replaced).
  CircuitBreakerOptions breaker;
  BulkheadOptions bulkhead;
  InFlightOptions in_flight;
  // Hedging of every failover send (send(), async_send()) unless its FailoverOptions say
  // otherwise. Unset: none.
  std::optional<HedgeOptions> hedge;
  // Called (on a client's thread) for every late success of a hedged copy.
  std::function<void(const LateCopy&)> on_late_copy;
  // Called on every breaker transition with (queue index, queue, from, to), outside any lock.
  std::function<void(std::size_t index, const Queue& queue, CircuitState from, CircuitState to)>
      on_state_change;
  // Seed of the random choices (dispatch(), the fallback when nothing is available).
  std::optional<std::uint64_t> seed;
};

// One queue a failover send went to, and what was known of it when the caller was completed.
struct SendCopy {
  enum class Status : std::uint8_t { accepted, failed, pending };
  std::size_t queue_index = 0;
  Status status = Status::pending;
};

// Which queue took a failover send.
struct FailoverSendResult {
  std::size_t queue_index = 0;
  std::string queue_url;
  SendMessageResult result;
  int queues_tried = 1;
  // Hedged sends: every queue that was sent the message, in order (the accepting one among
  // them). A copy still `pending` may yet be accepted too: a possible duplicate. Empty when the
  // send was not hedged.
  bool hedged = false;
  std::vector<SendCopy> copies;
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
  // Hedging of this send (send() only; batches are never hedged). Unset: the dispatcher's.
  std::optional<HedgeOptions> hedge;
};

// What the dispatcher sees of a queue's load (a snapshot).
struct QueueLoadMetrics {
  std::int64_t in_flight = 0;  // calls in flight now (long polls included)
  // The bulkhead's limit now (the smaller of the ceiling and the adaptive limit); unset: none.
  std::optional<std::int64_t> limit;
  bool stalled = false;                 // its oldest call is overdue: new work avoids it
  std::chrono::nanoseconds latency{0};  // recent latency estimate (EWMA); 0: no answer yet
  std::chrono::nanoseconds baseline_latency{0};
  // Recent answers (the last 10-20 s; long polls aside), to within 12.5 %. 0: none.
  std::chrono::nanoseconds p50{0}, p99{0}, max{0};
  std::chrono::nanoseconds slow_call_threshold{0};  // the one in force now (0: none)
  std::chrono::nanoseconds oldest_call_age{0};      // long polls aside
  // Lifetime totals.
  std::uint64_t calls = 0;              // admitted
  std::uint64_t bulkhead_rejected = 0;  // refused by the bulkhead
  std::uint64_t slow_in_flight = 0;     // counted as slow while still outstanding
  std::uint64_t avoided = 0;            // picks that went elsewhere because it was stalled/full
  std::uint64_t hedges = 0;             // hedged copies sent to this queue
  std::uint64_t hedge_wins = 0;         // ...that completed the caller
  std::uint64_t late_copies = 0;        // copies it accepted after another queue had won
};

struct QueueMetrics {
  std::size_t index = 0;
  std::string queue_url;
  int weight = 1;
  bool available = true;
  CircuitBreakerMetrics breaker;
  QueueLoadMetrics load;
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

  // Both avoid a queue that is stalled (its calls stop coming back) or whose bulkhead is full,
  // as long as another available queue is neither: the pick that would have gone there goes to
  // the next such queue instead. While every queue is healthy, they are exactly as described.

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
