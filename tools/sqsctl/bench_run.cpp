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
      latencies_(queues_.size()),
      inbox_(std::make_shared<TransitionInbox>()),
      transitions_(queues_.size()),
      held_(queues_.size()),
      ticker_(io),
      grace_(io),
      signals_(io, SIGINT, SIGTERM) {
  receive_options_.max_messages = 10;
  receive_options_.wait_time_seconds = config.wait_seconds;
  receive_options_.visibility_timeout = config.visibility_timeout;
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

void BenchRun::poll(Receiver& receiver) {
  if (stopping_) return;
  const sqs::Executor& executor = dispatcher_.executor(receiver.queue);
  ++calls_in_flight_;
  if (faults_.any_active() && faults_.active(receiver.queue)) {
    // As a send: the injected failure, delay or hang inside the executor's call.
    start_injected<std::vector<sqs::Message>>(
        executor,
        [o = receive_options_](const sqs::Queue& q, sqs::Queue::ReceiveHandler done) {
          q.start_receive(o, std::move(done));
        },
        std::chrono::seconds(receive_options_.wait_time_seconds.value_or(20)),
        [this, &receiver](sqs::Result<std::vector<sqs::Message>> result) {
          call_done();
          on_receive(receiver, std::move(result));
        });
    return;
  }
  executor.async_receive(
      receive_options_,
      on_run_thread([this, &receiver](sqs::Result<std::vector<sqs::Message>> result) {
        call_done();
        on_receive(receiver, std::move(result));
      }));
}

void BenchRun::on_receive(Receiver& receiver, sqs::Result<std::vector<sqs::Message>> result) {
  if (!result) {
    if (stopping_) return;
    bool refused = result.error().kind == sqs::ErrorKind::circuit_open ||
                   result.error().kind == sqs::ErrorKind::bulkhead_full;
    if (!refused) tracker_.receive_error(receiver.queue);
    // The breaker is open, or the bulkhead full: look again soon (it lets calls through once
    // half-open, or once calls in flight end). Any other failure: back off, up to a second.
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
    std::uint64_t ours = 0;
    for (auto& message : *result) {
      std::uint64_t foreign = tracker_.foreign();
      tracker_.received(message, receiver.queue);
      if (tracker_.foreign() == foreign) ++ours;
      handles.push_back(std::move(message.receipt_handle));
    }
    latencies_.received(receiver.queue, seconds_since_start(last_receive_), ours);
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
  end_injections();  // (a delayed call's handler runs when the clients wind down)
  progress_.finish(snapshot());

  return make_report();
}

}  // namespace sqsctl::bench
