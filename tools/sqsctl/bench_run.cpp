#include "bench_run.hpp"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <random>

namespace sqsctl::bench {
namespace {

using std::chrono::milliseconds;

// Sends that fail (every queue refused) are tried again after 50 ms, doubling up to 1 s.
milliseconds retry_delay(unsigned attempt) {
  return std::min(milliseconds(1000), milliseconds(25 << std::min(attempt, 6u)));
}

// The start function of an injected failure: completes, later (never inline), with a
// transport error, without touching the network.
template <class R>
auto injected_failure(std::size_t index, double error_rate) {
  return [e = FaultInjector::injected_error(index, error_rate)](
             const sqs::Queue& queue, sqs::detail::UniqueFunction<void(sqs::Result<R>)> done) {
    queue.client().defer([done = std::move(done), e]() mutable { done(e); });
  };
}

}  // namespace

// One of the C sends in flight: it takes the next message, sends it until it is sent (or given
// up), then takes the next.
struct BenchRun::SendSlot {
  explicit SendSlot(boost::asio::io_context& io) : timer(io) {}
  std::size_t sequence = 0;
  unsigned attempts = 0;
  std::optional<Clock::time_point> failing_since;  // first failure of this message
  boost::asio::steady_timer timer;                 // the pause before a retry
};

struct BenchRun::Receiver {
  Receiver(boost::asio::io_context& io, std::size_t q) : queue(q), timer(io) {}
  std::size_t queue;
  unsigned failures = 0;  // in a row
  boost::asio::steady_timer timer;
};

template <class Handler>
auto BenchRun::on_run_thread(Handler&& handler) {
  return boost::asio::bind_executor(io_, std::forward<Handler>(handler));
}

BenchRun::BenchRun(boost::asio::io_context& io, const sqs::Dispatcher& dispatcher,
                   std::vector<BenchQueue> queues, const BenchConfig& config,
                   ProgressDisplay& progress, bool fifo)
    : io_(io),
      dispatcher_(dispatcher),
      queues_(std::move(queues)),
      config_(config),
      progress_(progress),
      fifo_(fifo),
      faults_(queues_.size(), std::random_device{}()),
      tracker_(BodyCodec(BodyCodec::new_run_id()), config.no_send ? 0 : config.count,
               queues_.size(), config.no_send),
      inbox_(std::make_shared<TransitionInbox>()),
      transitions_(queues_.size()),
      ticker_(io),
      grace_(io),
      signals_(io, SIGINT, SIGTERM) {
  receive_options_.max_messages = 10;
  receive_options_.wait_time_seconds = config.wait_seconds;
  receive_options_.visibility_timeout = config.visibility_timeout;
  failover_.round_robin = config.round_robin;
}

BenchRun::~BenchRun() = default;

BenchRun::TransitionHook BenchRun::transition_hook() {
  // Holds the inbox and the executor, never `this`: a hook still running on another thread
  // after the run is over touches nothing that is gone.
  return [inbox = inbox_, executor = io_.get_executor(), self = this](
             std::size_t index, const sqs::Queue&, sqs::CircuitState from, sqs::CircuitState to) {
    {
      std::lock_guard lock(inbox->mutex);
      inbox->entries.push_back({index, from, to, Clock::now()});
    }
    boost::asio::post(executor, [self] { self->show_transitions(); });
  };
}

double BenchRun::seconds_since_start(Clock::time_point t) const {
  return std::chrono::duration<double>(t - start_).count();
}

// ---- sending ----

sqs::SendOptions BenchRun::send_options(std::size_t sequence) const {
  sqs::SendOptions options;
  if (fifo_) {
    // Many groups, so that FIFO ordering does not serialise the run; the body's identity as the
    // deduplication id, so that a retried send is not delivered twice.
    options.group_id = "bench-" + std::to_string(sequence % 64);
    options.deduplication_id = tracker_.codec().run_id() + "-" + std::to_string(sequence);
  }
  return options;
}

bool BenchRun::worth_another_queue(const sqs::Executor& executor, const sqs::Error& error) const {
  return error.kind == sqs::ErrorKind::circuit_open ||
         executor.breaker().classify(error) == sqs::CallOutcome::failure;
}

void BenchRun::next_message(SendSlot& slot) {
  if (stopping_ || next_sequence_ >= config_.count) return;
  slot.sequence = next_sequence_++;
  slot.attempts = 0;
  slot.failing_since.reset();
  if (config_.rate > 0) {
    // Paced: message n leaves no earlier than n / rate seconds after the start.
    auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(slot.sequence / config_.rate));
    if (Clock::now() < due) {
      slot.timer.expires_at(due);
      slot.timer.async_wait([this, &slot](boost::system::error_code ec) {
        if (!ec) send(slot);
      });
      return;
    }
  }
  send(slot);
}

void BenchRun::send(SendSlot& slot) {
  if (stopping_) return;  // interrupted: this message is not sent
  std::string body = tracker_.codec().encode(slot.sequence, config_.message_bytes);
  sqs::SendOptions options = send_options(slot.sequence);
  if (!faults_.any_active()) return failover_send(slot, std::move(body), std::move(options));

  // An injection runs: the first try goes to the queue the dispatcher picks, through its
  // executor, so that an injected failure there is counted by its breaker; then, as after any
  // failure, the failover send takes over (from the next queue in the rotation).
  sqs::Executor executor = config_.round_robin ? dispatcher_.dispatch_rr() : dispatcher_.dispatch();
  std::size_t index = executor.index();
  ++calls_in_flight_;
  if (faults_.should_fail(index)) {
    executor.async_run<sqs::SendMessageResult>(
        injected_failure<sqs::SendMessageResult>(index, faults_.scenario(index).error_rate),
        on_run_thread([this, &slot, body = std::move(body),
                       options = std::move(options)](sqs::Result<sqs::SendMessageResult>) mutable {
          call_done();
          ++send_retries_;
          failover_send(slot, std::move(body), std::move(options));
        }));
    return;
  }
  executor.async_send(body, options,
                      on_run_thread([this, &slot, executor, body,
                                     options](sqs::Result<sqs::SendMessageResult> result) mutable {
                        call_done();
                        if (result) return sent(slot, executor.index());
                        if (!worth_another_queue(executor, result.error()))
                          return send_failed(slot, result.error());
                        ++send_retries_;
                        failover_send(slot, std::move(body), std::move(options));
                      }));
}

void BenchRun::failover_send(SendSlot& slot, std::string body, sqs::SendOptions options) {
  if (stopping_) return;
  ++calls_in_flight_;
  dispatcher_.async_send(std::move(body), options, failover_,
                         on_run_thread([this, &slot](sqs::Result<sqs::FailoverSendResult> result) {
                           call_done();
                           if (result) return sent(slot, result->queue_index);
                           send_failed(slot, result.error());
                         }));
}

void BenchRun::sent(SendSlot& slot, std::size_t queue) {
  last_send_ok_ = Clock::now();
  tracker_.sent(slot.sequence, queue);
  resolve(slot);
}

void BenchRun::send_failed(SendSlot& slot, const sqs::Error& error) {
  if (stopping_) return;
  auto now = Clock::now();
  if (!slot.failing_since) slot.failing_since = now;
  // Another queue, or the same one later, may take it: try again, unless the error says it
  // never will (the message itself is refused), or it kept failing for a whole drain timeout,
  // or no send at all succeeded for that long (every region is down: the rest of the run gives
  // up at once rather than one drain timeout per message).
  bool retryable = worth_another_queue(dispatcher_.executor(0), error);
  if (!retryable || now - *slot.failing_since >= config_.drain_timeout ||
      now - last_send_ok_ >= config_.drain_timeout) {
    tracker_.send_failed();
    last_send_error_ = error.to_string();
    return resolve(slot);
  }
  ++send_retries_;
  slot.timer.expires_after(retry_delay(slot.attempts++));
  slot.timer.async_wait([this, &slot](boost::system::error_code ec) {
    if (!ec) send(slot);
  });
}

void BenchRun::resolve(SendSlot& slot) {
  if (++sends_resolved_ == config_.count) {
    sends_done_at_ = Clock::now();
    check_finished();
  }
  next_message(slot);
}

// ---- receiving ----

void BenchRun::poll(Receiver& receiver) {
  if (stopping_) return;
  sqs::Executor executor = dispatcher_.executor(receiver.queue);
  auto done = on_run_thread([this, &receiver](sqs::Result<std::vector<sqs::Message>> result) {
    call_done();
    on_receive(receiver, std::move(result));
  });
  ++calls_in_flight_;
  if (faults_.should_fail(receiver.queue)) {
    executor.async_run<std::vector<sqs::Message>>(
        injected_failure<std::vector<sqs::Message>>(receiver.queue,
                                                    faults_.scenario(receiver.queue).error_rate),
        std::move(done));
    return;
  }
  executor.async_receive(receive_options_, std::move(done));
}

void BenchRun::on_receive(Receiver& receiver, sqs::Result<std::vector<sqs::Message>> result) {
  if (!result) {
    if (stopping_) return;
    bool refused = result.error().kind == sqs::ErrorKind::circuit_open;
    if (!refused) tracker_.receive_error(receiver.queue);
    // The breaker is open: look again soon (it lets calls through once half-open). Any other
    // failure: back off, up to a second.
    receiver.timer.expires_after(refused ? milliseconds(200) : retry_delay(++receiver.failures));
    receiver.timer.async_wait([this, &receiver](boost::system::error_code ec) {
      if (!ec) poll(receiver);
    });
    return;
  }
  receiver.failures = 0;
  tracker_.receive_answered(receiver.queue);
  if (!result->empty()) {
    last_receive_ = Clock::now();
    std::vector<std::string> handles;
    handles.reserve(result->size());
    for (auto& message : *result) {
      tracker_.received(message, receiver.queue);
      handles.push_back(std::move(message.receipt_handle));
    }
    delete_messages(receiver.queue, std::move(handles));
    check_finished();
  }
  poll(receiver);
}

void BenchRun::delete_messages(std::size_t queue, std::vector<std::string> handles) {
  // Straight to the queue, not through its breaker: a delete acknowledges a message this queue
  // just delivered (its receipt handle is good nowhere else), and refusing it would only bring
  // the message back as a duplicate.
  ++calls_in_flight_;
  std::size_t n = handles.size();
  dispatcher_.executor(queue).queue().async_delete_batch(
      handles, on_run_thread([this, queue, n](sqs::Result<sqs::BatchOutcome> result) {
        call_done();
        if (!result) {
          tracker_.delete_errors(queue, n);
        } else if (!result->failed.empty()) {
          tracker_.delete_errors(queue, result->failed.size());
        }
      }));
}

// ---- ending ----

void BenchRun::tick() {
  show_transitions();
  check_finished();
  if (stopping_) return;
  progress_.update(snapshot());
  ticker_.expires_after(milliseconds(500));
  ticker_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void BenchRun::check_finished() {
  if (stopping_) return;
  auto now = Clock::now();
  if (config_.no_send) {
    // Receive only: until nothing came for a whole drain timeout.
    if (now - last_receive_ >= config_.drain_timeout) finish(false);
    return;
  }
  if (!sends_done_at_) return;
  if (tracker_.all_sent_received() || now - *sends_done_at_ >= config_.drain_timeout) {
    finish(false);
  }
}

void BenchRun::finish(bool aborted) {
  if (stopping_) return;
  stopping_ = true;
  aborted_ = aborted;
  finished_at_ = Clock::now();
  ticker_.cancel();
  for (auto& receiver : receivers_) receiver->timer.cancel();
  for (auto& slot : slots_) slot->timer.cancel();
  // Calls in flight (long polls, deletes) are waited for, so that nothing received is left
  // undeleted; but not forever (a frozen server never answers).
  grace_.expires_after(std::chrono::seconds(config_.wait_seconds + 2));
  grace_.async_wait([this](boost::system::error_code ec) {
    if (!ec) io_.stop();
  });
  stop_if_idle();
}

void BenchRun::call_done() {
  --calls_in_flight_;
  stop_if_idle();  // the handler still runs to its end; nothing new starts once stopping
}

void BenchRun::stop_if_idle() {
  // Once run() has returned, the loop belongs to whoever winds the clients down.
  if (stopping_ && !closed_ && calls_in_flight_ == 0) io_.stop();
}

// ---- the run ----

BenchReport BenchRun::run() {
  start_ = Clock::now();
  started_unix_s_ =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  last_receive_ = start_;
  last_send_ok_ = start_;
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) finish(true);
  });

  for (std::size_t q = 0; q < queues_.size(); ++q) {
    for (std::size_t r = 0; r < config_.receivers; ++r) {
      receivers_.push_back(std::make_unique<Receiver>(io_, q));
    }
  }
  if (!config_.no_send) {
    for (std::size_t i = 0; i < std::min(config_.concurrency, config_.count); ++i) {
      slots_.push_back(std::make_unique<SendSlot>(io_));
    }
  }
  for (auto& receiver : receivers_) poll(*receiver);
  for (auto& slot : slots_) next_message(*slot);
  tick();
  io_.run();
  show_transitions();
  closed_ = true;
  // Nothing of the run may stay pending on the loop (calls in flight complete later, to nothing).
  stopping_ = true;
  signals_.cancel();
  grace_.cancel();
  ticker_.cancel();
  for (auto& receiver : receivers_) receiver->timer.cancel();
  for (auto& slot : slots_) slot->timer.cancel();
  progress_.finish(snapshot());

  return make_report();
}

}  // namespace sqsctl::bench
