// sqs::Producer: option checks, the blocking forms, and the hand-over to the engine
// (producer_core).
#include <future>

#include "producer/producer_core.hpp"
#include "sqs/producer.hpp"

namespace sqs {
namespace {

Error bad(std::string message) {
  return Error::validation("InvalidProducerOptions", std::move(message));
}

Error on_own_thread(const char* what) {
  return Error::make(ErrorKind::validation, "ProducerDeadlock",
                     std::string(what) +
                         " would wait for the producer's own thread: call it from another thread "
                         "(or use the async form)");
}

std::shared_ptr<detail::ProducerCore> make_core(const Dispatcher* dispatcher,
                                                std::unique_ptr<Dispatcher> owned,
                                                ProducerOptions options) {
  if (auto e = Producer::check(options)) throw Exception(std::move(*e));
  std::size_t fifo = 0;
  for (const auto& ex : dispatcher->executors()) fifo += ex.queue().is_fifo() ? 1 : 0;
  if (fifo != 0 && fifo != dispatcher->size()) {
    throw Exception(bad("the dispatcher mixes FIFO and standard queues"));
  }
  return std::make_shared<detail::ProducerCore>(dispatcher, std::move(owned), std::move(options));
}

}  // namespace

std::optional<Error> Producer::check(const ProducerOptions& o) {
  if (o.linger < std::chrono::milliseconds::zero()) return bad("linger must be >= 0");
  if (o.max_batch_entries < 1 || o.max_batch_entries > 10) {
    return bad("max_batch_entries must be 1..10 (SQS's limit per batch), got " +
               std::to_string(o.max_batch_entries));
  }
  if (o.max_batch_bytes && *o.max_batch_bytes == 0) return bad("max_batch_bytes must be > 0");
  if (o.max_in_flight_batches < 1) return bad("max_in_flight_batches must be >= 1");
  if (o.max_buffered_messages < 1) return bad("max_buffered_messages must be >= 1");
  if (o.max_buffered_bytes < 1) return bad("max_buffered_bytes must be >= 1");
  if (o.max_attempts < 1) return bad("max_attempts must be >= 1");
  if (o.retry_base_delay < std::chrono::milliseconds::zero() ||
      o.retry_max_delay < o.retry_base_delay) {
    return bad("retry delays: 0 <= retry_base_delay <= retry_max_delay");
  }
  return std::nullopt;
}

Producer::Producer(const Queue& queue, ProducerOptions options) {
  // A single queue goes through a dispatcher of its own (one breaker), owned by the engine.
  auto owned = std::make_unique<Dispatcher>(std::vector<DispatcherQueue>{{queue, 1}});
  const Dispatcher* d = owned.get();
  core_ = make_core(d, std::move(owned), std::move(options));
}

Producer::Producer(const Dispatcher& dispatcher, ProducerOptions options)
    : core_(make_core(&dispatcher, nullptr, std::move(options))) {}

Producer::~Producer() {
  if (!core_) return;
  if (core_->on_loop_thread()) {
    // Destroyed from one of its own completions: the engine cannot wait for itself, nor be
    // destroyed under its running loop. What is buffered is sent as usual; the engine ends its
    // loop once idle and stays allocated (a documented misuse costs memory, not a crash).
    new std::shared_ptr<detail::ProducerCore>(core_);
    core_->shutdown();
    return;
  }
  close();
  core_->shutdown();
}

void Producer::start_send(std::string body, SendOptions options, Handler done) {
  core_->send(std::move(body), std::move(options), std::move(done));
}

void Producer::start_flush(detail::UniqueFunction<void(Result<Empty>)> done) {
  core_->flush(std::move(done));
}

Result<ProducerResult> Producer::send(std::string body, SendOptions options) {
  if (core_->on_loop_thread()) return on_own_thread("Producer::send");
  std::promise<Result<ProducerResult>> promise;
  auto future = promise.get_future();
  start_send(std::move(body), std::move(options),
             [&promise](Result<ProducerResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void Producer::flush() {
  if (core_->on_loop_thread()) throw Exception(on_own_thread("Producer::flush"));
  std::promise<void> promise;
  auto future = promise.get_future();
  start_flush([&promise](Result<Empty>) { promise.set_value(); });
  future.get();
}

ProducerCloseSummary Producer::close(std::chrono::milliseconds deadline) {
  if (core_->on_loop_thread()) throw Exception(on_own_thread("Producer::close"));
  return core_->close(deadline);
}

ProducerMetrics Producer::metrics() const {
  return core_->metrics();
}

}  // namespace sqs
