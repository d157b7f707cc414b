// The consumer's engine. Everything it decides runs on one thread of its own (an io_context):
// the client threads' completions and the handlers' settlements are posted to it, so its state
// needs no lock. The public API posts there too and waits when it must (stop, metrics).
//
// Budget: a message counts from the receive that asks for it (the receive reserves as many
// slots as it asks messages) until it is settled; a receive is issued whenever a queue has
// fewer than receives_per_queue receives out and there is room for at least one message.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "consumer/ack_buffer.hpp"
#include "consumer/worker_pool.hpp"
#include "sqs/consumer.hpp"

namespace sqs {

// What a Delivery shares: the message, its context, and the way back to the consumer.
struct Delivery::State {
  std::weak_ptr<detail::ConsumerCore> core;
  std::uint64_t id = 0;
  std::shared_ptr<const Message> message;
  MessageContext context;
  std::atomic<bool> settled{false};
  ~State();  // dropped unsettled: retry
};

namespace detail {

using SteadyClock = std::chrono::steady_clock;

struct ConsumerCore : std::enable_shared_from_this<ConsumerCore> {
  using Handler = std::variant<SyncHandler, AsyncHandler, BatchHandler>;

  ConsumerCore(const Dispatcher* dispatcher, std::unique_ptr<Dispatcher> owned, Handler handler,
               ConsumerOptions options, ConsumerHooks hooks);
  ~ConsumerCore();

  // ---- the public API (any thread) ----
  void start();
  void pause();
  void resume();
  StopSummary stop(std::chrono::milliseconds deadline);
  bool running() const;
  ConsumerMetrics metrics() const;
  // A handler settled message `id` (any thread).
  void settle(std::uint64_t id, Outcome outcome);
  // Joins the loop and the workers (from the Consumer's destructor, after stop).
  void shutdown();

 private:
  struct InFlight {
    std::size_t queue = 0;
    std::shared_ptr<const Message> message;
    std::shared_ptr<Delivery::State> held;  // ours, until the handler gets it
    std::string receipt_handle;
    std::string group;  // FIFO: MessageGroupId
    std::size_t bytes = 0;
    int receive_count = 1;
    SteadyClock::time_point received_at{};
    SteadyClock::time_point visible_until{};
    SteadyClock::time_point started_at{};
    std::chrono::seconds extended{0};
    std::stop_source stop;
    bool started = false;
  };
  struct Change {
    std::string receipt_handle;
    int visibility = 0;
    std::uint64_t id = 0;  // the message (0: not tracked any more)
    enum class Why { retry, release, heartbeat } why = Why::retry;
    int attempt = 1;
  };
  struct Delete {
    std::string receipt_handle;
    int attempt = 1;
  };
  struct Receive {
    std::shared_ptr<boost::asio::cancellation_signal> signal;
    SteadyClock::time_point started{};
    int asked = 0;
    bool abandoned = false;  // the watchdog gave up on it
  };
  struct QueueState {
    Executor executor;
    bool fifo = false;
    std::optional<int> visibility;  // seconds; the queue's, fetched at start, or the option
    bool fetching = false;
    std::map<std::uint64_t, Receive> receives;  // out now, by receive number
    std::chrono::milliseconds backoff{0};
    std::unique_ptr<boost::asio::steady_timer> backoff_timer;
    bool backing_off = false;
    std::optional<std::string> attempt_id;  // FIFO: reused after a receive of unknown outcome
    LingerBuffer<Delete> deletes;
    LingerBuffer<Change> changes;
    // FIFO: per group, the messages received and not started yet, in order; and the groups with
    // a message in a handler.
    std::map<std::string, std::deque<std::uint64_t>> waiting;
    std::set<std::string> busy;
    ConsumerQueueMetrics metrics;
    std::size_t in_flight = 0;  // of in_flight_, this queue's (kept as they come and go)
    QueueState(Executor ex, std::chrono::milliseconds linger)
        : executor(std::move(ex)), deletes(linger), changes(linger) {}
  };
  enum class Phase { created, running, paused, stopping, stopped };

  // ---- on the loop ----
  template <class F>
  void post(F&& f);
  void poll_all();
  void poll(std::size_t q);
  void fetch_visibility(std::size_t q);
  void on_received(std::size_t q, std::uint64_t n, Result<std::vector<Message>> r);
  void on_poll_error(std::size_t q, const Error& e);
  void hold_polls(std::size_t q, std::chrono::milliseconds delay);  // no receive until then
  void admit_message(std::size_t q, Message m);
  void start_handler(std::uint64_t id);
  void run_handler(std::shared_ptr<Delivery::State> state);
  void add_to_batch(std::shared_ptr<Delivery::State> state);
  void dispatch_batch();
  void run_batch(std::vector<std::shared_ptr<Delivery::State>> batch);
  void finish(std::uint64_t id, Outcome outcome);
  void release_group_after(std::size_t q, const std::string& group);
  void next_of_group(std::size_t q, const std::string& group);
  std::optional<SteadyClock::time_point> next_flush_due() const;
  void schedule_flush();
  void flush(bool force);
  void send_deletes(std::size_t q, std::vector<Delete> batch);
  void on_deletes(std::size_t q, std::vector<Delete> batch, Result<BatchOutcome> r);
  void send_changes(std::size_t q, std::vector<Change> batch);
  void on_changes(std::size_t q, std::vector<Change> batch, Result<BatchOutcome> r);
  template <class Entry>
  void retry_later(std::size_t q, Entry entry, const std::string& code, const std::string& message,
                   bool retryable);
  void tick();
  void release_unstarted();
  void update_counts();
  int room() const;
  int visibility_of(std::size_t q) const;
  std::chrono::milliseconds receive_expected(std::size_t q) const;

  const Dispatcher* dispatcher_;
  std::unique_ptr<Dispatcher> owned_;
  Handler handler_;
  ConsumerOptions options_;
  ConsumerHooks hooks_;

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread loop_;
  std::unique_ptr<WorkerPool> workers_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer flush_timer_;
  std::optional<SteadyClock::time_point> flush_armed_;
  // Batch handlers: the messages gathered for the next batch, and when the first came.
  std::vector<std::shared_ptr<Delivery::State>> batch_;
  boost::asio::steady_timer batch_timer_;
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> batch_members_;  // by first id

  std::vector<QueueState> queues_;
  std::unordered_map<std::uint64_t, InFlight> in_flight_;
  std::uint64_t next_id_ = 0;
  std::uint64_t next_receive_ = 0;
  int reserved_ = 0;
  std::size_t bytes_ = 0;
  int calls_out_ = 0;  // delete / visibility batches in flight
  Phase phase_ = Phase::created;
  std::mt19937_64 rng_;
  StopSummary summary_;

  // What other threads read: the phase, the metrics, and what stop() waits for.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  ConsumerMetrics snapshot_;
  Phase shown_phase_ = Phase::created;
  bool quiet_ = false;  // stopping and nothing left in flight
};

}  // namespace detail
}  // namespace sqs
