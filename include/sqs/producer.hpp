// sqs::Producer — sends messages one at a time from anywhere, and puts them on the wire in
// batches: SendMessageBatch calls of up to 10 entries and the payload limit, sent when full or
// once the oldest message has waited `linger`. Over a Dispatcher, batches go through its breakers
// and failover: while one region works, no message fails. Each message's completion is its
// delivery report (MessageId, sequence number, which queue took it). See docs/PRODUCER.md.
//
//   sqs::Producer producer(dispatcher, {.linger = std::chrono::milliseconds(5)});
//   producer.async_send("hello", {}, [](sqs::Result<sqs::ProducerResult> r) { ... });
//   auto r = producer.send("world");                  // blocks until sent
//   producer.flush();                                 // everything buffered is sent (or failed)
//
// Thread-safe: every member may be called from any thread. Completions run on the completion
// token's associated executor (by default: the producer's own thread; keep them short there).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/async_result.hpp>

#include "sqs/multiqueue.hpp"
#include "sqs/queue.hpp"

#pragma GCC visibility push(default)

namespace sqs {

struct ProducerOptions {
  // How long the oldest buffered message may wait for its batch to fill (0: send what is there
  // at once). A full batch never waits.
  std::chrono::milliseconds linger{5};
  // Entries per SendMessageBatch (1..10).
  std::size_t max_batch_entries = 10;
  // Payload bytes per batch; unset: the client's max_message_bytes (1 MiB, SQS's limit).
  std::optional<std::size_t> max_batch_bytes;
  // Batches in flight at once per queue (per lane: over a dispatcher with failover, in all).
  int max_in_flight_batches = 8;
  // Bounds on what is buffered (waiting, or in a batch in flight).
  std::size_t max_buffered_messages = 100000;
  std::size_t max_buffered_bytes = 256u * 1024 * 1024;
  enum class WhenFull {
    wait,  // async_send's completion waits for room (its message is held, in order); send() blocks
    fail,  // the send fails at once with code "ProducerBufferFull"
  };
  WhenFull when_full = WhenFull::wait;
  // Tries per message, the first included: entries that fail with a retryable error
  // (throttling, internal error, a batch lost to the network or a 5xx) go into a later batch
  // after a back-off, doubling from retry_base_delay up to retry_max_delay, with jitter.
  int max_attempts = 5;
  std::chrono::milliseconds retry_base_delay{100};
  std::chrono::milliseconds retry_max_delay{5000};
  // Over a dispatcher of FIFO queues: false (the default) sends each message group to one queue
  // only (chosen by the group's hash; its breaker may refuse, never another region), because
  // order holds within one queue; true lets batches fail over like standard ones.
  bool fifo_failover = false;
  FailoverOptions failover;  // over a dispatcher: deadline and first-queue choice
};

// A message's delivery report.
struct ProducerResult {
  std::string message_id;
  std::optional<std::string> sequence_number;  // FIFO queues
  std::size_t queue_index = 0;                 // which queue of the dispatcher took it (0: a Queue)
  int attempts = 1;                            // batches it was in
  // It was in an earlier batch that went out without a usable answer: SQS may hold a copy.
  bool possible_duplicate = false;
};

struct ProducerQueueMetrics {
  std::uint64_t sent = 0;  // messages this queue took
};
struct ProducerMetrics {
  std::uint64_t sent = 0, failed = 0;  // completed messages
  std::uint64_t batches = 0;           // SendMessageBatch calls completed
  std::uint64_t batched_entries = 0;   // entries in those calls (average fill: / batches)
  std::uint64_t linger_batches = 0;    // batches sent part-full because their linger was over
  std::uint64_t retries = 0;           // entries put back for another batch
  std::uint64_t waited_for_room = 0;   // sends that waited because the buffer was full
  std::size_t buffered = 0, buffered_bytes = 0;  // now (waiting or in flight)
  std::size_t waiting_for_room = 0;              // now
  std::vector<ProducerQueueMetrics> queues;
  double average_fill() const noexcept {
    return batches == 0 ? 0.0 : static_cast<double>(batched_entries) / static_cast<double>(batches);
  }
};

// What close() leaves behind.
struct ProducerCloseSummary {
  bool flushed = true;        // everything buffered was sent (or failed) before the deadline
  std::size_t abandoned = 0;  // not sent by the deadline: completed with "ProducerClosed"
  ProducerMetrics metrics;
};

namespace detail {
struct ProducerCore;
}

class Producer {
 public:
  using Handler = detail::UniqueFunction<void(Result<ProducerResult>)>;

  // The queue (or dispatcher, and its queues' clients) must outlive the producer. Throws
  // sqs::Exception (validation) for bad options.
  explicit Producer(const Queue& queue, ProducerOptions options = {});
  explicit Producer(const Dispatcher& dispatcher, ProducerOptions options = {});
  // Closes with a 30 s deadline if open (what it cannot send is completed with an error), then
  // waits for the batches in flight. Do not destroy a producer from one of its completions.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Any completion token (callback, use_future, use_awaitable, deferred), signature
  // void(Result<ProducerResult>). The message is checked at once (size, attributes, FIFO group):
  // a bad one completes with its validation error and is never buffered.
  template <class Token>
  auto async_send(std::string body, SendOptions options, Token&& token) {
    return boost::asio::async_initiate<Token, void(Result<ProducerResult>)>(
        [this](auto handler, std::string b, SendOptions o) {
          start_send(std::move(b), std::move(o),
                     detail::bind_handler<ProducerResult>(std::move(handler)));
        },
        token, std::move(body), std::move(options));
  }
  // Blocks until the message is sent (or failed). Never from a completion running on the
  // producer's thread.
  Result<ProducerResult> send(std::string body, SendOptions options = {});

  // Completes once everything buffered when it was called (and waiting for room) is sent or
  // failed; batches go at once, without waiting for their linger.
  template <class Token>
  auto async_flush(Token&& token) {
    return boost::asio::async_initiate<Token, void(Result<Empty>)>(
        [this](auto handler) { start_flush(detail::bind_handler<Empty>(std::move(handler))); },
        token);
  }
  void flush();

  // Flushes, then refuses new sends ("ProducerClosed"). At the deadline, messages not yet in a
  // batch are completed with "ProducerClosed"; batches in flight complete by their client's
  // timeouts.
  ProducerCloseSummary close(std::chrono::milliseconds deadline = std::chrono::seconds(30));

  ProducerMetrics metrics() const;

  // Validates options (the constructor does too): nothing when fine.
  static std::optional<Error> check(const ProducerOptions& options);

  // The type-erased entry points behind the templates.
  void start_send(std::string body, SendOptions options, Handler done);
  void start_flush(detail::UniqueFunction<void(Result<Empty>)> done);

 private:
  std::shared_ptr<detail::ProducerCore> core_;
};

}  // namespace sqs

#pragma GCC visibility pop
