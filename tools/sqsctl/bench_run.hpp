// The engine of `sqsctl bench`: sends N unique messages through the dispatcher's failover send,
// C at a time, each retried until it is sent; an sqs::Consumer over the dispatcher receives from
// EVERY queue (R long polls per queue) and acknowledges what it gets (deletes, batched per
// queue); after the last send, receiving goes on until every sent message came back or the drain
// timeout passed. Each message's send latency is kept (from the moment its send
// starts: when it left its pacing wait, or at once unpaced; retries included). While a fault
// injection runs (the control endpoint), each send first goes to the queue dispatch_rr() picks,
// through its executor, with the injected failure, delay or hang inside the call, so that the
// breaker and the load accounting see it; the failover send takes over after a failure worth
// another queue; the consumer's receives go through the same injection (its receive_function).
// The books are kept on one thread, the io_context's (the clients run on it too): the consumer's
// thread hands what it receives over through a small locked inbox.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_control.hpp"
#include "bench_faults.hpp"
#include "bench_latency.hpp"
#include "bench_options.hpp"
#include "bench_progress.hpp"
#include "bench_report.hpp"
#include "bench_tracker.hpp"
#include "sqs/consumer.hpp"
#include "sqs/multiqueue.hpp"
#include "sqs/producer.hpp"

namespace sqsctl::bench {

struct BenchQueue {
  std::string url;
  std::string region;
  std::string endpoint;
  std::string label;  // for the progress display
  int weight = 1;
};

class BenchRun {
 public:
  using Clock = std::chrono::steady_clock;
  using TransitionHook =
      std::function<void(std::size_t, const sqs::Queue&, sqs::CircuitState, sqs::CircuitState)>;

  // `queues` describes the dispatcher's queues, in its order. All must outlive the run.
  BenchRun(boost::asio::io_context& io, const sqs::Dispatcher& dispatcher,
           std::vector<BenchQueue> queues, const BenchConfig& config, ProgressDisplay& progress,
           bool fifo);
  ~BenchRun();
  BenchRun(const BenchRun&) = delete;
  BenchRun& operator=(const BenchRun&) = delete;

  // For Dispatcher::on_state_change: records the transition (from any thread) and wakes the
  // run's thread to show it. Safe to call after the run is over.
  TransitionHook transition_hook();

  // The control endpoint's answer (on the run's thread).
  ControlAnswer control(const std::string& method, const std::string& target);

  // Runs the io_context until the run is over (SIGINT / SIGTERM end it early).
  BenchReport run();

 private:
  struct SendSlot;
  struct ReceiveCall;
  // What the consumer's thread hands to the run's thread: the messages it received, by queue,
  // and the deletes that failed for good.
  struct Inbox {
    std::mutex mutex;
    std::vector<std::pair<std::size_t, sqs::Message>> messages;
    std::vector<std::size_t> failed_deletes;  // a queue index per failed delete
    bool posted = false;                      // a take_inbox() is on its way
  };
  // Transitions arrive on any thread (the breaker's timer thread, a client's thread): they wait
  // here, under a lock, for the run's thread.
  struct TransitionInbox {
    struct Entry {
      std::size_t queue;
      sqs::CircuitState from, to;
      Clock::time_point at;
    };
    std::mutex mutex;
    std::vector<Entry> entries;
  };

  // Sending.
  void next_message(SendSlot& slot);
  void send(SendSlot& slot);
  void produce(SendSlot& slot, std::string body, sqs::SendOptions options);
  void failover_send(SendSlot& slot, std::string body, sqs::SendOptions options);
  void sent(SendSlot& slot, std::size_t queue);
  void send_failed(SendSlot& slot, const sqs::Error& error);
  void resolve(SendSlot& slot);
  sqs::SendOptions send_options(std::size_t sequence) const;
  bool worth_another_queue(const sqs::Executor& executor, const sqs::Error& error) const;

  // Fault injection: the call `real` (a start function for Executor::start_run) on `executor`,
  // with the injected delay, hang or failure of its queue inside it. `allowance`: the long poll's.
  template <class R, class Real>
  void start_injected(const sqs::Executor& executor, Real real, std::chrono::nanoseconds allowance,
                      sqs::detail::UniqueFunction<void(sqs::Result<R>)> done);
  // A call waiting for its injected delay or hang: resume(true) goes ahead, resume(false)
  // completes it as cancelled (the run is ending).
  using Resume = sqs::detail::UniqueFunction<void(bool)>;
  void delay_call(std::chrono::nanoseconds delay, Resume resume);
  void hold_call(std::size_t queue, Resume resume);
  void release_held(std::size_t queue, bool go);
  void arm_scenario_end(std::size_t queue);
  void end_injections();  // at the end of the run: every waiting call completes (cancelled)

  // Receiving: the consumer, its receive function (on the consumer's thread, then the run's),
  // and what it received (on the run's thread).
  void start_consumer();
  void receive(const sqs::Executor& executor, const sqs::ReceiveOptions& options,
               boost::asio::cancellation_slot cancel,
               std::function<void(sqs::Result<std::vector<sqs::Message>>)> done);
  void start_receive(const sqs::Executor& executor, const sqs::ReceiveOptions& options,
                     const std::shared_ptr<ReceiveCall>& call);
  void hand_over(std::unique_lock<std::mutex> lock);
  void take_inbox();
  void stop_consumer();

  // Ending.
  void tick();
  void check_finished();
  void finish(bool aborted);
  void call_done();  // one call fewer in flight
  void stop_if_idle();

  // (bench_run_status.cpp)
  void show_transitions();
  ProgressSnapshot snapshot() const;
  void describe_injection(const InjectionRequest& request);
  boost::json::object status_json() const;
  BenchReport make_report() const;
  double seconds_since_start(Clock::time_point t) const;

  template <class Handler>
  auto on_run_thread(Handler&& handler);

  boost::asio::io_context& io_;
  const sqs::Dispatcher& dispatcher_;
  std::vector<BenchQueue> queues_;
  const BenchConfig& config_;
  ProgressDisplay& progress_;
  bool fifo_;
  FaultInjector faults_;
  Tracker tracker_;
  LatencyBook latencies_;
  std::vector<std::pair<std::string, double>> marks_;  // (name, seconds since start)
  sqs::FailoverOptions failover_;
  std::shared_ptr<TransitionInbox> inbox_;
  std::vector<std::vector<Transition>> transitions_;  // per queue

  Clock::time_point start_{};
  double started_unix_s_ = 0;

  std::vector<std::unique_ptr<SendSlot>> slots_;
  std::size_t next_sequence_ = 0;
  std::size_t sends_resolved_ = 0;
  std::optional<Clock::time_point> sends_done_at_;
  std::uint64_t send_retries_ = 0;
  Clock::time_point last_send_ok_{};
  std::string last_send_error_;

  std::unique_ptr<sqs::Producer> producer_;  // --producer
  sqs::ProducerMetrics producer_metrics_;
  std::unique_ptr<sqs::Consumer> consumer_;
  std::shared_ptr<Inbox> inbox_received_;
  std::thread consumer_stopper_;  // stop() waits: never on the run's thread, which it needs
  bool consumer_stopped_ = true;  // (no consumer yet, or its stop has returned)
  Clock::time_point last_receive_{};

  // Calls waiting for their injected delay (by id) or hang (by queue), and per queue a timer for
  // the end of its scenario (which releases the held calls).
  std::map<std::uint64_t, std::unique_ptr<boost::asio::steady_timer>> delayed_;
  std::uint64_t next_delay_id_ = 0;
  std::vector<std::vector<Resume>> held_;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> scenario_ends_;

  std::size_t calls_in_flight_ = 0;
  bool stopping_ = false;
  bool aborted_ = false;
  bool closed_ = false;  // run() has returned
  std::optional<Clock::time_point> finished_at_;
  boost::asio::steady_timer ticker_;
  boost::asio::steady_timer grace_;
  boost::asio::signal_set signals_;
};

}  // namespace sqsctl::bench
