// The producer's engine. Everything it decides runs on one thread of its own (an io_context):
// sends, the clients' completions and flush/close requests are posted to it, so its state needs
// no lock; other threads read a metrics snapshot under a mutex.
//
// Lanes: one per way batches leave. Over a dispatcher of standard queues (or with fifo_failover)
// one lane sends through the dispatcher's failover; FIFO queues without it get one lane per
// queue (a group always goes to the same one, through its executor). Each lane has its batch
// buffer (batching/batch_buffer.hpp), its batches in flight, and its entries waiting out a
// retry back-off. FIFO: a group with an entry in flight or backing off has none in a new batch,
// and an entry put back keeps its place (before the group's later ones).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "batching/batch_buffer.hpp"
#include "sqs/producer.hpp"

namespace sqs::detail {

struct ProducerCore : std::enable_shared_from_this<ProducerCore> {
  using SteadyClock = std::chrono::steady_clock;

  ProducerCore(const Dispatcher* dispatcher, std::unique_ptr<Dispatcher> owned,
               ProducerOptions options);
  ~ProducerCore();

  // What a batch's answer says of one entry (neither ok nor failure: SQS did not answer for it).
  struct EntryOutcome {
    bool ok = false;
    std::string message_id;
    std::optional<std::string> sequence_number;
    std::size_t queue_index = 0;
    std::optional<BatchFailure> failure;
  };

  // ---- any thread ----
  void send(std::string body, SendOptions options, Producer::Handler done);
  void flush(UniqueFunction<void(Result<Empty>)> done);
  ProducerCloseSummary close(std::chrono::milliseconds deadline);
  ProducerMetrics metrics() const;
  void shutdown();  // joins the loop (after close)
  bool on_loop_thread() const { return std::this_thread::get_id() == loop_.get_id(); }

 private:
  struct Entry {
    std::string body;
    SendOptions options;
    std::size_t bytes = 0;
    std::uint64_t order = 0;     // its place in its lane (kept when put back)
    std::uint64_t sequence = 0;  // admission order, over the whole producer (for flush)
    int attempts = 0;
    bool maybe_sent = false;
    SteadyClock::time_point added{};
    Producer::Handler done;
  };
  struct Lane {
    std::optional<std::size_t> queue;  // FIFO lane: the queue; unset: the failover lane
    BatchBuffer<Entry> buffer;
    int in_flight = 0;
    std::multimap<SteadyClock::time_point, Entry> backing_off;
    std::unordered_map<std::string, int> busy_groups;  // FIFO: in flight or backing off
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::optional<SteadyClock::time_point> timer_at;
    explicit Lane(BatchLimits limits) : buffer(limits) {}
  };
  enum class Phase { open, closing, closed };

  template <class F>
  void post(F&& f);
  void admit(Entry entry);
  void enqueue(Entry entry);
  std::size_t lane_of(const Entry& entry) const;
  void pump(std::size_t lane);
  void send_batch(std::size_t lane, std::vector<Entry> batch, bool by_linger);
  void on_batch(std::size_t lane, std::vector<Entry> batch, Result<std::vector<EntryOutcome>> r);
  void retry_or_fail(std::size_t lane, Entry entry, Error error, bool retryable);
  void complete(Entry& entry, Result<ProducerResult> result);
  void release_group(Lane& lane, const Entry& entry);
  void hold_group(Lane& lane, const Entry& entry);
  void arm_timer(std::size_t lane);
  void admit_waiting();
  bool has_room(std::size_t bytes) const;
  void check_flushes();
  void deliver();  // the completions made ready, after the snapshot is up to date
  void count_for_flushes(const Entry& entry);
  void give_up_buffered(const std::string& why);
  void update_snapshot();
  std::chrono::milliseconds backoff(int attempts);

  const Dispatcher* dispatcher_;
  std::unique_ptr<Dispatcher> owned_;
  ProducerOptions options_;
  bool fifo_ = false;

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::vector<Lane> lanes_;
  std::deque<Entry> waiting_;  // for room (when_full = wait), in order
  std::size_t buffered_ = 0, buffered_bytes_ = 0;
  bool flushing_ = false;  // batches go without waiting for their linger
  struct FlushWaiter {
    std::uint64_t mark = 0;     // messages up to this sequence...
    std::size_t remaining = 0;  // ...of which this many are not complete yet
    UniqueFunction<void(Result<Empty>)> done;
  };
  std::vector<FlushWaiter> flush_waiters_;
  std::uint64_t next_sequence_ = 0;
  std::vector<std::pair<Producer::Handler, Result<ProducerResult>>> ready_;
  std::vector<UniqueFunction<void(Result<Empty>)>> flushed_;
  bool delivery_posted_ = false;
  Phase phase_ = Phase::open;
  std::mt19937_64 rng_;
  ProducerMetrics counters_;
  std::size_t abandoned_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  ProducerMetrics snapshot_;
  bool idle_ = true;  // nothing buffered nor waiting (for close)
  bool closed_ = false;
  bool closing_ = false;
  int batches_in_flight_ = 0;
  std::thread loop_;  // (last: started once everything above exists)
};

}  // namespace sqs::detail
