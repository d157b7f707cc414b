// sqs::Consumer and sqs::Delivery: the public face of the engine (consumer_core.cpp).
#include <stdexcept>

#include "consumer/consumer_core.hpp"

namespace sqs {

const Message& Delivery::message() const noexcept {
  return *state_->message;
}

const MessageContext& Delivery::context() const noexcept {
  return state_->context;
}

void Delivery::settle(Outcome outcome) const {
  if (state_->settled.exchange(true)) return;  // settled once; later calls are ignored
  if (auto core = state_->core.lock()) core->settle(state_->id, outcome);
}

std::optional<Error> Consumer::check(const ConsumerOptions& o) {
  auto bad = [](std::string what) {
    return Error::validation("InvalidConsumerOptions", std::move(what));
  };
  if (o.max_in_flight < 1) return bad("max_in_flight must be at least 1");
  if (o.max_in_flight_bytes && *o.max_in_flight_bytes == 0) {
    return bad("max_in_flight_bytes must be more than 0 when set");
  }
  if (o.receives_per_queue < 1 || o.receives_per_queue > 100) {
    return bad("receives_per_queue must be 1..100");
  }
  if (o.wait_time_seconds < 0 || o.wait_time_seconds > 20) {
    return bad("wait_time_seconds must be 0..20");
  }
  if (o.visibility_timeout && (*o.visibility_timeout < 0 || *o.visibility_timeout > 43200)) {
    return bad("visibility_timeout must be 0..43200 seconds");
  }
  if (o.ack_linger < std::chrono::milliseconds::zero() || o.ack_linger > std::chrono::seconds(10)) {
    return bad("ack_linger must be 0..10 s");
  }
  if (o.ack_attempts < 1 || o.ack_attempts > 10) return bad("ack_attempts must be 1..10");
  if (o.retry.initial < std::chrono::seconds::zero() || o.retry.max < o.retry.initial ||
      o.retry.max > std::chrono::hours(12) || !(o.retry.multiplier >= 1.0)) {
    return bad("retry: 0 <= initial <= max <= 12 h and multiplier >= 1");
  }
  const auto& hb = o.heartbeat;
  if ((hb.extend_by && (hb.extend_by->count() < 1 || hb.extend_by->count() > 43200)) ||
      (hb.threshold && hb.threshold->count() < 1) || hb.max_extension.count() < 0) {
    return bad("heartbeat: extend_by must be 1..43200 s, threshold at least 1 s");
  }
  if (o.worker_threads > 1024) return bad("worker_threads must be at most 1024");
  if (o.batch_size < 1 || o.batch_size > 100) return bad("batch_size must be 1..100");
  if (o.batch_linger < std::chrono::milliseconds::zero() ||
      o.batch_linger > std::chrono::seconds(60)) {
    return bad("batch_linger must be 0..60 s");
  }
  if (o.handler_timeout && *o.handler_timeout <= std::chrono::milliseconds::zero()) {
    return bad("handler_timeout must be more than 0 when set");
  }
  if (o.poll_backoff_min <= std::chrono::milliseconds::zero() ||
      o.poll_backoff_max < o.poll_backoff_min) {
    return bad("poll back-off: 0 < poll_backoff_min <= poll_backoff_max");
  }
  return std::nullopt;
}

namespace {

using Handler = detail::ConsumerCore::Handler;

std::shared_ptr<detail::ConsumerCore> make_core(const Dispatcher* dispatcher,
                                                std::unique_ptr<Dispatcher> owned, Handler handler,
                                                ConsumerOptions options, ConsumerHooks hooks) {
  if (auto e = Consumer::check(options)) throw Exception(std::move(*e));
  const bool sync = !std::holds_alternative<AsyncHandler>(handler);
  const bool empty = std::visit([](const auto& h) { return !h; }, handler);
  if (empty) throw Exception(Error::validation("InvalidConsumerOptions", "the handler is empty"));
  if (sync && options.ack_mode == AckMode::manual) {
    throw Exception(Error::validation(
        "InvalidConsumerOptions",
        "manual acknowledgement needs an async handler: it settles its Delivery later"));
  }
  std::size_t fifo = 0;
  for (const auto& ex : dispatcher->executors()) fifo += ex.queue().is_fifo() ? 1 : 0;
  if (fifo > 0 && std::holds_alternative<BatchHandler>(handler)) {
    throw Exception(Error::validation(
        "InvalidConsumerOptions",
        "batch handlers are not for FIFO queues (a batch would mix a group's order with "
        "others'); use a per-message handler, which keeps each group in order"));
  }
  if (fifo > 0 && dispatcher->size() > 1 && !options.fifo_across_queues) {
    throw Exception(Error::validation(
        "InvalidConsumerOptions",
        "a Dispatcher of FIFO queues keeps order within each queue only: send each message "
        "group to one queue, and set fifo_across_queues = true to say so"));
  }
  return std::make_shared<detail::ConsumerCore>(dispatcher, std::move(owned), std::move(handler),
                                                std::move(options), std::move(hooks));
}

// A single queue is polled through a dispatcher of its own (one breaker), owned by the core.
std::shared_ptr<detail::ConsumerCore> make_core(const Queue& queue, Handler handler,
                                                ConsumerOptions options, ConsumerHooks hooks) {
  auto owned = std::make_unique<Dispatcher>(std::vector<DispatcherQueue>{{queue, 1}});
  const Dispatcher* d = owned.get();
  return make_core(d, std::move(owned), std::move(handler), std::move(options), std::move(hooks));
}

}  // namespace

Consumer::Consumer(const Queue& queue, SyncHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(queue, std::move(handler), std::move(options), std::move(hooks))) {}
Consumer::Consumer(const Queue& queue, AsyncHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(queue, std::move(handler), std::move(options), std::move(hooks))) {}
Consumer::Consumer(const Queue& queue, BatchHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(queue, std::move(handler), std::move(options), std::move(hooks))) {}
Consumer::Consumer(const Dispatcher& dispatcher, SyncHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(&dispatcher, nullptr, std::move(handler), std::move(options),
                      std::move(hooks))) {}
Consumer::Consumer(const Dispatcher& dispatcher, AsyncHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(&dispatcher, nullptr, std::move(handler), std::move(options),
                      std::move(hooks))) {}
Consumer::Consumer(const Dispatcher& dispatcher, BatchHandler handler, ConsumerOptions options,
                   ConsumerHooks hooks)
    : core_(make_core(&dispatcher, nullptr, std::move(handler), std::move(options),
                      std::move(hooks))) {}

Consumer::~Consumer() {
  if (!core_) return;
  core_->stop(std::chrono::seconds(30));  // at once when not running
  core_->shutdown();
}

void Consumer::start() {
  core_->start();
}
void Consumer::pause() {
  core_->pause();
}
void Consumer::resume() {
  core_->resume();
}
StopSummary Consumer::stop(std::chrono::milliseconds deadline) {
  return core_->stop(deadline);
}
bool Consumer::running() const {
  return core_->running();
}
ConsumerMetrics Consumer::metrics() const {
  return core_->metrics();
}

}  // namespace sqs
