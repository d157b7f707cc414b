#include "bench_run.hpp"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
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

// The error of a call whose injected delay or hang was cut short by the end of the run.
sqs::Error ended_error() {
  return sqs::Error::make(sqs::ErrorKind::cancelled, "Cancelled",
                          "the bench ended while the call waited for its injected delay or hang");
}

}  // namespace

// One of the C sends in flight: it takes the next message, sends it until it is sent (or given
// up), then takes the next.
struct BenchRun::SendSlot {
  explicit SendSlot(boost::asio::io_context& io) : timer(io) {}
  std::size_t sequence = 0;
  unsigned attempts = 0;
  std::optional<Clock::time_point> started;        // its send started (its latency counts from)
  std::optional<Clock::time_point> failing_since;  // first failure of this message
  boost::asio::steady_timer timer;                 // the pause before a retry
};

// One receive of the consumer's, as the run's thread sees it: the consumer's completion (called
// once: a cancelled injected call answers at once, its held call ends later, to nothing) and the
// cancellation the consumer's signal is relayed to.
struct BenchRun::ReceiveCall {
  std::function<void(sqs::Result<std::vector<sqs::Message>>)> done;
  boost::asio::cancellation_signal cancel;
  bool completed = false;
  void complete(sqs::Result<std::vector<sqs::Message>> result) {
    if (completed) return;
    completed = true;
    done(std::move(result));
  }
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
      latencies_(queues_.size()),
      inbox_(std::make_shared<TransitionInbox>()),
      transitions_(queues_.size()),
      held_(queues_.size()),
      ticker_(io),
      grace_(io),
      signals_(io, SIGINT, SIGTERM) {
  failover_.round_robin = config.round_robin;
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    scenario_ends_.push_back(std::make_unique<boost::asio::steady_timer>(io));
  }
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
         error.kind == sqs::ErrorKind::bulkhead_full ||
         executor.breaker().classify(error) == sqs::CallOutcome::failure;
}

// ---- fault injection ----

template <class R, class Real>
void BenchRun::start_injected(const sqs::Executor& executor, Real real,
                              std::chrono::nanoseconds allowance,
                              sqs::detail::UniqueFunction<void(sqs::Result<R>)> done) {
  const std::size_t index = executor.index();
  const auto now = FaultInjector::Clock::now();
  const bool hang = faults_.hangs(index, now);
  const auto delay = hang ? std::chrono::nanoseconds(0) : faults_.latency(index, now);
  // Inside the executor's call (admitted by the breaker and the bulkhead, counted in flight):
  // the wait, then the real call or an injected failure. The queue lives as long as the call's
  // completion (it holds the queue's slot).
  executor.start_run<R>(
      [this, index, hang, delay, real = std::move(real)](
          const sqs::Queue& queue,
          sqs::detail::UniqueFunction<void(sqs::Result<R>)> finish) mutable {
        Resume go = [this, index, queue = &queue, real = std::move(real),
                     finish = std::move(finish)](bool proceed) mutable {
          if (!proceed || stopping_) return finish(ended_error());
          if (faults_.should_fail(index)) {
            // Later, never inline, without touching the network.
            const auto& scenario = faults_.scenario(index);
            auto e = FaultInjector::injected_error(index, scenario.error_rate, scenario.error);
            return queue->client().defer(
                [finish = std::move(finish), e = std::move(e)]() mutable { finish(std::move(e)); });
          }
          real(*queue, std::move(finish));
        };
        if (hang) return hold_call(index, std::move(go));
        if (delay.count() > 0) return delay_call(delay, std::move(go));
        go(true);
      },
      std::move(done), allowance);
}

void BenchRun::delay_call(std::chrono::nanoseconds delay, Resume resume) {
  const std::uint64_t id = next_delay_id_++;
  auto& timer = delayed_[id];
  timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(delay);
  timer->async_wait([this, id, resume = std::move(resume)](boost::system::error_code ec) mutable {
    delayed_.erase(id);  // (the timer's wait is over: it may go)
    resume(!ec);
  });
}

void BenchRun::hold_call(std::size_t queue, Resume resume) {
  held_.at(queue).push_back(std::move(resume));
}

void BenchRun::release_held(std::size_t queue, bool go) {
  std::vector<Resume> held;
  held.swap(held_.at(queue));
  for (auto& resume : held) resume(go);
}

void BenchRun::arm_scenario_end(std::size_t queue) {
  auto& timer = *scenario_ends_.at(queue);
  timer.cancel();
  if (!faults_.hangs(queue)) return release_held(queue, true);  // (no hang, or no longer)
  timer.expires_at(faults_.scenario(queue).until);
  timer.async_wait([this, queue](boost::system::error_code ec) {
    if (!ec && !faults_.hangs(queue)) release_held(queue, true);
  });
}

void BenchRun::end_injections() {
  for (auto& timer : scenario_ends_) timer->cancel();
  // Their handlers complete the calls, as cancelled, from the loop.
  for (auto& [id, timer] : delayed_) timer->cancel();
  for (std::size_t q = 0; q < held_.size(); ++q) release_held(q, false);
}

void BenchRun::next_message(SendSlot& slot) {
  if (stopping_ || next_sequence_ >= config_.count) return;
  slot.sequence = next_sequence_++;
  slot.attempts = 0;
  slot.started.reset();
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
  if (!slot.started) slot.started = Clock::now();
  std::string body = tracker_.codec().encode(slot.sequence, config_.message_bytes);
  sqs::SendOptions options = send_options(slot.sequence);
  if (producer_) return produce(slot, std::move(body), std::move(options));
  if (!faults_.any_active()) return failover_send(slot, std::move(body), std::move(options));

  // An injection runs: the first try goes to the queue the dispatcher picks (it avoids a stalled
  // or full queue by itself), through its executor, with the injected failure, delay or hang
  // inside the call, so that its breaker and its load accounting see them; then, after a failure
  // worth another queue, the failover send takes over (from the next queue in the rotation).
  const sqs::Executor& executor =
      config_.round_robin ? dispatcher_.dispatch_rr() : dispatcher_.dispatch();
  const std::size_t index = executor.index();
  ++calls_in_flight_;
  start_injected<sqs::SendMessageResult>(
      executor,
      [body, options](const sqs::Queue& q, sqs::Queue::SendHandler done) mutable {
        q.start_send(std::move(body), options, std::move(done));
      },
      {},
      [this, &slot, index, body, options](sqs::Result<sqs::SendMessageResult> result) mutable {
        call_done();
        if (result) return sent(slot, index);
        if (!worth_another_queue(dispatcher_.executor(index), result.error())) {
          return send_failed(slot, result.error());
        }
        ++send_retries_;
        failover_send(slot, std::move(body), std::move(options));
      });
}

// --producer: one send per message; the producer batches them and fails over.
void BenchRun::produce(SendSlot& slot, std::string body, sqs::SendOptions options) {
  ++calls_in_flight_;
  producer_->async_send(std::move(body), std::move(options),
                        on_run_thread([this, &slot](sqs::Result<sqs::ProducerResult> result) {
                          call_done();
                          if (result) return sent(slot, result->queue_index);
                          send_failed(slot, result.error());
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
  if (!tracker_.is_sent(slot.sequence)) {
    latencies_.sent(queue, seconds_since_start(slot.started.value_or(last_send_ok_)),
                    seconds_since_start(last_send_ok_));
  }
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

void BenchRun::start_consumer() {
  inbox_received_ = std::make_shared<Inbox>();
  sqs::ConsumerOptions options;
  // Room for every long poll to ask for 10, twice over: the budget never holds a receive back
  // (the handler settles at once).
  options.max_in_flight =
      static_cast<int>(std::max<std::size_t>(64, 20 * config_.receivers * queues_.size()));
  options.receives_per_queue = static_cast<int>(config_.receivers);
  options.wait_time_seconds = config_.wait_seconds;
  options.visibility_timeout = config_.visibility_timeout;
  options.message_attribute_names = {};
  options.ack_mode = sqs::AckMode::always;
  options.retry.enabled = false;
  options.heartbeat.enabled = false;
  options.worker_threads = 0;  // the handler only hands the message over
  // The bench's FIFO messages go to any region; it checks delivery, not order across regions.
  options.fifo_across_queues = true;
  // A region back from an outage is polled again within a second.
  options.poll_backoff_max = milliseconds(1000);
  // At the end, long polls end by their (short) wait rather than being cut: a server that hands
  // messages to a cut poll would hide them from the next run for a visibility timeout.
  options.cancel_receives_on_stop = false;
  options.receive_function = [this](const sqs::Executor& executor,
                                    const sqs::ReceiveOptions& receive_options,
                                    boost::asio::cancellation_slot cancel, auto done) {
    receive(executor, receive_options, cancel, std::move(done));
  };
  sqs::ConsumerHooks hooks;
  hooks.on_ack = [inbox = inbox_received_, this](std::size_t queue, const std::string&,
                                                 const sqs::Error* error) {
    if (error == nullptr) return;
    std::unique_lock lock(inbox->mutex);
    inbox->failed_deletes.push_back(queue);
    hand_over(std::move(lock));
  };
  consumer_ = std::make_unique<sqs::Consumer>(
      dispatcher_,
      [inbox = inbox_received_, this](const sqs::Message& message,
                                      const sqs::MessageContext& context) {
        std::unique_lock lock(inbox->mutex);
        inbox->messages.emplace_back(context.queue_index, message);
        hand_over(std::move(lock));
        return sqs::Outcome::ack();
      },
      std::move(options), std::move(hooks));
  consumer_stopped_ = false;
  consumer_->start();
}

// On the consumer's thread: one post to the run's thread per batch of news, not per message.
void BenchRun::hand_over(std::unique_lock<std::mutex> lock) {
  if (inbox_received_->posted) return;
  inbox_received_->posted = true;
  lock.unlock();
  boost::asio::post(io_, [this] { take_inbox(); });
}

void BenchRun::take_inbox() {
  std::vector<std::pair<std::size_t, sqs::Message>> messages;
  std::vector<std::size_t> failed;
  {
    std::lock_guard lock(inbox_received_->mutex);
    messages.swap(inbox_received_->messages);
    failed.swap(inbox_received_->failed_deletes);
    inbox_received_->posted = false;
  }
  for (std::size_t queue : failed) tracker_.delete_errors(queue, 1);
  if (messages.empty()) return;
  last_receive_ = Clock::now();
  std::vector<std::uint64_t> ours(queues_.size(), 0);
  for (const auto& [queue, message] : messages) {
    std::uint64_t foreign = tracker_.foreign();
    tracker_.received(message, queue);
    if (tracker_.foreign() == foreign) ++ours[queue];
  }
  for (std::size_t q = 0; q < ours.size(); ++q) {
    if (ours[q] > 0) latencies_.received(q, seconds_since_start(last_receive_), ours[q]);
  }
  check_finished();
}

// The consumer's receive function, on the consumer's thread: the call is made on the run's
// thread, where the books and the fault injection live; the consumer's cancellation (its stop,
// its watchdog) is relayed there.
void BenchRun::receive(const sqs::Executor& executor, const sqs::ReceiveOptions& options,
                       boost::asio::cancellation_slot cancel,
                       std::function<void(sqs::Result<std::vector<sqs::Message>>)> done) {
  auto call = std::make_shared<ReceiveCall>();
  call->done = std::move(done);
  cancel.assign([call, run = io_.get_executor()](boost::asio::cancellation_type type) {
    boost::asio::post(run, [call, type] { call->cancel.emit(type); });
  });
  boost::asio::post(io_,
                    [this, &executor, options, call] { start_receive(executor, options, call); });
}

void BenchRun::start_receive(const sqs::Executor& executor, const sqs::ReceiveOptions& options,
                             const std::shared_ptr<ReceiveCall>& call) {
  if (stopping_) return call->complete(ended_error());
  const std::size_t queue = executor.index();
  ++calls_in_flight_;
  auto finish = [this, queue, call](sqs::Result<std::vector<sqs::Message>> result) {
    call_done();
    if (call->completed) return;
    if (result) {
      tracker_.receive_answered(queue);
    } else if (!stopping_ && result.error().kind != sqs::ErrorKind::circuit_open &&
               result.error().kind != sqs::ErrorKind::bulkhead_full) {
      tracker_.receive_error(queue);
    }
    call->complete(std::move(result));
  };
  if (faults_.any_active() && faults_.active(queue)) {
    // As a send: the injected failure, delay or hang inside the executor's call. Cancelled, it
    // answers the consumer at once; the held call itself ends with its scenario.
    call->cancel.slot().assign(
        [call](boost::asio::cancellation_type) { call->complete(ended_error()); });
    start_injected<std::vector<sqs::Message>>(
        executor,
        [options](const sqs::Queue& q, sqs::Queue::ReceiveHandler done) {
          q.start_receive(options, std::move(done));
        },
        std::chrono::seconds(options.wait_time_seconds.value_or(20)), std::move(finish));
    return;
  }
  executor.async_receive(options, boost::asio::bind_cancellation_slot(
                                      call->cancel.slot(), on_run_thread(std::move(finish))));
}

void BenchRun::stop_consumer() {
  if (!consumer_ || consumer_stopper_.joinable()) return;
  // Stopping waits for the consumer's last deletes, which this thread's clients send: it waits on
  // a thread of its own, and tells this one when it is done. Its deadline is the run's grace.
  const auto deadline = std::chrono::seconds(config_.wait_seconds + 2);
  consumer_stopper_ = std::thread([this, deadline] {
    consumer_->stop(deadline);
    boost::asio::post(io_, [this] {
      consumer_stopped_ = true;
      stop_if_idle();
    });
  });
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
  for (auto& slot : slots_) slot->timer.cancel();
  // The consumer drains: its long polls cancelled, what it received and did not hand over made
  // visible again, its deletes flushed. Calls in flight are waited for, so that nothing received
  // is left undeleted; but not forever (a frozen server never answers).
  stop_consumer();
  grace_.expires_after(std::chrono::seconds(config_.wait_seconds + 2));
  grace_.async_wait([this](boost::system::error_code ec) {
    if (!ec) io_.stop();
  });
  // Calls waiting for an injected delay or hang are not waited for: they end now.
  end_injections();
  stop_if_idle();
}

void BenchRun::call_done() {
  --calls_in_flight_;
  stop_if_idle();  // the handler still runs to its end; nothing new starts once stopping
}

void BenchRun::stop_if_idle() {
  // Once run() has returned, the loop belongs to whoever winds the clients down.
  if (stopping_ && !closed_ && calls_in_flight_ == 0 && consumer_stopped_) io_.stop();
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

  if (!config_.no_send) {
    for (std::size_t i = 0; i < std::min(config_.concurrency, config_.count); ++i) {
      slots_.push_back(std::make_unique<SendSlot>(io_));
    }
  }
  if (config_.producer && !config_.no_send) {
    sqs::ProducerOptions o;
    o.linger = config_.linger;
    o.fifo_failover = true;  // (the bench's FIFO messages may go to any region)
    o.failover = failover_;
    o.max_attempts = 1;  // the bench retries a failed send itself, as without --producer
    producer_ = std::make_unique<sqs::Producer>(dispatcher_, o);
  }
  start_consumer();
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
  for (auto& slot : slots_) slot->timer.cancel();
  end_injections();  // (a delayed call's handler runs when the clients wind down)
  // The consumer's stop is bounded by its deadline; then nothing calls into the run any more.
  stop_consumer();
  if (consumer_stopper_.joinable()) consumer_stopper_.join();
  if (producer_) {
    // Sends in flight complete (their completions wait on this loop, run again by the clients'
    // wind-down); nothing buffered remains: every slot's send was answered or the run ended.
    producer_metrics_ = producer_->metrics();
  }
  consumer_.reset();
  take_inbox();  // (what it handed over last)
  progress_.finish(snapshot());

  return make_report();
}

}  // namespace sqsctl::bench
