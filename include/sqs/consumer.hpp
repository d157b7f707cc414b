// sqs::Consumer — processes the messages of a queue, or of every queue of a Dispatcher (the
// same queue in several regions) in parallel: polling, a concurrency budget shared by all
// regions, handlers (sync on a worker pool or inline, async with a completion), batched
// acknowledgements sent to the region that issued each receipt handle, retries with back-off
// through the visibility timeout, heartbeats that keep slow work invisible, and a graceful
// drain. See docs/CONSUMER.md.
//
//   sqs::Consumer consumer(dispatcher, [](const sqs::Message& m) {
//     process(m.body);
//     return sqs::Outcome::ack();          // deleted (in a batch, from m's own region)
//   }, {.max_in_flight = 256, .worker_threads = 16});
//   consumer.start();
//   ...
//   auto summary = consumer.stop(std::chrono::seconds(30));   // drains
//
// Thread-safe: every member may be called from any thread (not from a handler, for stop()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "sqs/multiqueue.hpp"
#include "sqs/queue.hpp"

#pragma GCC visibility push(default)

namespace sqs {

// What to do with a handled message.
class Outcome {
 public:
  enum class Kind {
    ack,    // done: delete it
    retry,  // failed: visible again after a delay (explicit, else the retry policy's)
    keep,   // leave it as it is: its visibility timeout decides when it comes back
    later,  // the handler settles it later through its Delivery (ack(), retry(), keep())
  };
  Outcome() = default;  // ack
  static Outcome ack() { return Outcome(Kind::ack); }
  static Outcome retry() { return Outcome(Kind::retry); }
  static Outcome retry(std::chrono::seconds delay) { return Outcome(Kind::retry, delay); }
  static Outcome keep() { return Outcome(Kind::keep); }
  static Outcome later() { return Outcome(Kind::later); }

  Kind kind() const noexcept { return kind_; }
  std::optional<std::chrono::seconds> delay() const noexcept { return delay_; }
  friend bool operator==(const Outcome&, const Outcome&) = default;

 private:
  explicit Outcome(Kind k, std::optional<std::chrono::seconds> d = {}) : kind_(k), delay_(d) {}
  Kind kind_ = Kind::ack;
  std::optional<std::chrono::seconds> delay_;
};

enum class AckMode {
  on_success,  // the handler's Outcome decides (ack deletes, retry makes visible again...)
  always,      // every handled message is deleted, whatever the outcome (and if it threw)
  manual,      // nothing until the application settles the Delivery (outcomes are "later")
};

// Retries through the visibility timeout: a message whose handler asked for a retry (or threw)
// becomes visible again after initial * multiplier^(receives - 1), capped, with full jitter
// (a random delay between half and all of it). ApproximateReceiveCount counts the receives.
struct RetryPolicy {
  bool enabled = true;  // false: a retried message is visible again at once
  std::chrono::seconds initial{1};
  double multiplier = 2.0;
  std::chrono::seconds max{900};  // SQS's largest visibility change is 12 h; 15 min is plenty
  bool jitter = true;
};

// Keeps a message invisible while its handler runs: when less than `threshold` of its
// visibility timeout is left, it is extended by `extend_by` (ChangeMessageVisibilityBatch, per
// queue), never past 12 h after its receive (SQS's limit) nor past `max_extension` in total.
// When an extension fails because the message is gone (its handle expired or another consumer
// took it), the handler's stop token is triggered.
struct HeartbeatOptions {
  bool enabled = true;
  std::optional<std::chrono::seconds> extend_by;  // unset: the visibility timeout in force
  std::optional<std::chrono::seconds> threshold;  // unset: half the visibility timeout
  std::chrono::seconds max_extension{std::chrono::hours(12)};
};

// Makes one receive for the consumer (see ConsumerOptions::receive_function).
using ReceiveFunction = std::function<void(const Executor& executor, const ReceiveOptions& options,
                                           boost::asio::cancellation_slot cancel,
                                           std::function<void(Result<std::vector<Message>>)> done)>;

struct ConsumerOptions {
  // Messages in handlers at once, across every queue (received and not yet settled). A receive
  // asks for at most the room left (up to 10), and is issued as soon as there is room for one.
  int max_in_flight = 64;
  // Optional bound on the bytes (bodies) of the messages in flight.
  std::optional<std::size_t> max_in_flight_bytes;
  // Receives in flight per queue at once (each a long poll of up to 10 messages).
  int receives_per_queue = 1;
  int wait_time_seconds = 20;  // long poll (0..20); 0: an empty answer pauses for poll_backoff_min
  std::optional<int> visibility_timeout;     // 0..43200; unset: the queue's
  std::vector<std::string> attribute_names;  // system attributes to receive (plus those needed)
  std::vector<std::string> message_attribute_names{"All"};
  AckMode ack_mode = AckMode::on_success;
  // Deletes are sent in DeleteMessageBatch calls per queue: when 10 are waiting, or when the
  // oldest has waited this long.
  std::chrono::milliseconds ack_linger{50};
  // A delete (or visibility change) batch that fails is tried again this many times in all,
  // with back-off, then reported (hooks.on_ack) and abandoned: the message comes back.
  int ack_attempts = 4;
  RetryPolicy retry;
  HeartbeatOptions heartbeat;
  // Batch handlers: a batch goes to the handler when this many messages wait (1..100), or when
  // the oldest has waited batch_linger.
  std::size_t batch_size = 10;
  std::chrono::milliseconds batch_linger{50};
  // Sync handlers: run on a pool of this many threads the consumer owns (for blocking work);
  // 0 runs them inline on the consumer's event loop (for non-blocking work only).
  std::size_t worker_threads = 4;
  // A handler that has not finished after this long has its stop token triggered (cooperative:
  // the message stays in flight until the handler returns). Unset: no limit.
  std::optional<std::chrono::milliseconds> handler_timeout;
  // A Dispatcher of FIFO queues is refused unless this is true: order holds within one queue
  // only, so the application must send each message group to one queue (region) only.
  bool fifo_across_queues = false;
  // Poll errors back off per queue, exponentially with jitter, between these.
  std::chrono::milliseconds poll_backoff_min{100};
  std::chrono::milliseconds poll_backoff_max{30000};
  // true: stop() cancels the long polls in flight at once. false: they end by their wait (at
  // most wait_time_seconds), and what they bring is made visible again at once — for servers
  // that hand messages to a long poll whose connection was closed (fauxqs does): those would
  // stay hidden for a visibility timeout.
  bool cancel_receives_on_stop = true;
  // Advanced: makes each receive in place of the default,
  //   executor.async_receive(options, boost::asio::bind_cancellation_slot(cancel, done)),
  // to trace receives, inject faults or test. Called on the consumer's thread; it must call
  // `done` exactly once (from any thread, never inline), and should complete early (with any
  // error) once `cancel` is emitted: the consumer emits it, on its thread, when it stops and when
  // its watchdog gives up a receive that is long overdue. Empty: the default.
  ReceiveFunction receive_function;
};

// What a handler gets besides the message.
struct MessageContext {
  std::size_t queue_index = 0;  // which queue of the dispatcher (0 for a single queue)
  int receive_count = 1;        // ApproximateReceiveCount
  std::chrono::steady_clock::time_point received_at{};
  std::stop_token stop_token;  // triggered by stop's deadline, handler_timeout, a lost message
};

namespace detail {
struct ConsumerCore;
}

// A message in a handler's hands: settle it exactly once (later settlements are ignored). A
// Delivery dropped unsettled settles as retry. Copyable (copies share the settlement); any
// thread.
class Delivery {
 public:
  const Message& message() const noexcept;
  const MessageContext& context() const noexcept;
  void settle(Outcome outcome) const;
  void ack() const { settle(Outcome::ack()); }
  void retry() const { settle(Outcome::retry()); }
  void retry(std::chrono::seconds delay) const { settle(Outcome::retry(delay)); }
  void keep() const { settle(Outcome::keep()); }

  struct State;
  explicit Delivery(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}

 private:
  std::shared_ptr<State> state_;
};

using SyncHandler = std::function<Outcome(const Message&, const MessageContext&)>;
using AsyncHandler = std::function<void(Delivery)>;

// A batch handler gets up to batch_size messages at once (gathered from several receives, of
// one queue or several) and returns one Outcome per message, in order: partial failures, as
// with Lambda's ReportBatchItemFailures. Run like a sync handler (worker pool or inline).
struct BatchItem {
  const Message& message;
  const MessageContext& context;
};
using BatchHandler = std::function<std::vector<Outcome>(std::span<const BatchItem>)>;

struct ConsumerQueueMetrics {
  std::uint64_t received = 0, handled = 0, acked = 0, retried = 0, kept = 0, released = 0,
                extended = 0, ack_failures = 0, handler_errors = 0;
  std::uint64_t receives = 0, empty_receives = 0, poll_errors = 0, watchdog_restarts = 0;
  std::size_t in_flight = 0;
  std::optional<std::chrono::system_clock::time_point> last_receive;  // last successful one
};
struct ConsumerMetrics {
  ConsumerQueueMetrics total;
  std::vector<ConsumerQueueMetrics> queues;
};

// What stop() leaves behind.
struct StopSummary {
  bool drained = true;           // every handler finished before the deadline
  std::size_t abandoned = 0;     // handlers still running at the deadline (not acknowledged)
  std::size_t released = 0;      // received, never handed to a handler, made visible again
  std::size_t acks_flushed = 0;  // deletes sent during the stop
  std::size_t acks_failed = 0;   // deletes that failed (those messages will come back)
  ConsumerMetrics metrics;
};

// Observability (each optional; called on the consumer's threads, outside its locks: keep them
// short).
struct ConsumerHooks {
  std::function<void(std::size_t queue, std::size_t count)> on_received;
  std::function<void(const Message&, const MessageContext&, Outcome, std::chrono::nanoseconds)>
      on_handled;
  // A delete or visibility batch's entry that failed for good (null error: it succeeded).
  std::function<void(std::size_t queue, const std::string& receipt_handle, const Error* error)>
      on_ack;
  std::function<void(std::size_t queue, const std::string& message_id, std::chrono::seconds)>
      on_extended;
  std::function<void(std::size_t queue, const Error&)> on_poll_error;
  std::function<void(const Message&, const std::string& what)> on_handler_error;
  std::function<void(std::size_t queue)> on_watchdog_restart;
};

class Consumer {
 public:
  // One queue (polled through a breaker of its own), or every queue of a dispatcher. The
  // dispatcher (and the queue's client) must outlive the consumer. Throws sqs::Exception
  // (validation error) for bad options.
  Consumer(const Queue& queue, SyncHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  Consumer(const Queue& queue, AsyncHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  Consumer(const Dispatcher& dispatcher, SyncHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  Consumer(const Dispatcher& dispatcher, AsyncHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  // Batches (not on FIFO queues: a batch would mix a group's order with others').
  Consumer(const Queue& queue, BatchHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  Consumer(const Dispatcher& dispatcher, BatchHandler handler, ConsumerOptions options = {},
           ConsumerHooks hooks = {});
  // Stops with the default deadline (30 s) if running.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void start();
  // No new receives while paused (handlers in flight go on); resume() polls again.
  void pause();
  void resume();
  // Graceful drain: no new receives; long polls in flight cancelled at once; messages not yet
  // handed to a handler made visible again; handlers in flight finish until `deadline` (then
  // their stop tokens fire and they are abandoned: not acknowledged); pending deletes flushed.
  StopSummary stop(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  bool running() const;

  ConsumerMetrics metrics() const;

  // Validates options (the constructor does too): nothing when fine.
  static std::optional<Error> check(const ConsumerOptions& options);

 private:
  std::shared_ptr<detail::ConsumerCore> core_;
};

}  // namespace sqs

#pragma GCC visibility pop
