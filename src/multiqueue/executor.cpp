#include "multiqueue/dispatcher_state.hpp"
#include "queue/sync_wait.hpp"

#include <utility>

namespace sqs {

std::size_t Executor::index() const noexcept {
  return slot_->index;
}
const Queue& Executor::queue() const noexcept {
  return slot_->queue;
}
CircuitBreaker& Executor::breaker() const noexcept {
  return *slot_->breaker;
}

// ---- admission and settlement ----

Result<detail::AdmittedCall> Executor::admit_impl(std::chrono::nanoseconds allowance,
                                                  bool last_resort) const {
  detail::QueueSlot& slot = *slot_;
  CircuitBreaker& b = *slot.breaker;
  auto permit = b.ready();
  if (!permit) return b.refusal(permit);
  const auto now = slot.watchdog->clock()->now();
  std::int64_t limit = 0;
  auto id = slot.load.admit(std::move(permit), allowance, now, limit, last_resort);
  if (!id) {
    Error e = Error::make(ErrorKind::bulkhead_full, "BulkheadFull",
                          "queue " + slot.queue.url() + " already has " + std::to_string(limit) +
                              " calls in flight, its bulkhead's limit");
    e.retryable = true;
    return e;
  }
  slot.watchdog->arm(now, allowance.count() == 0);
  return detail::AdmittedCall(slot_.get(), *id);
}

Result<detail::AdmittedCall> Executor::admit(std::chrono::nanoseconds allowance) const {
  return admit_impl(allowance, false);
}

Result<detail::AdmittedCall> Executor::admit_last_resort(std::chrono::nanoseconds allowance) const {
  return admit_impl(allowance, true);
}

namespace detail {
namespace {
// Whether a call's duration says anything of the queue's speed: not when it never reached the
// queue (refused, invalid, unconfigured) or the caller gave up on it.
bool is_latency_sample(const Error* error) noexcept {
  if (error == nullptr) return true;
  switch (error->kind) {
    case ErrorKind::validation:
    case ErrorKind::configuration:
    case ErrorKind::cancelled:
    case ErrorKind::circuit_open:
    case ErrorKind::bulkhead_full:
      return false;
    default:
      return true;
  }
}
}  // namespace

AdmittedCall::AdmittedCall(AdmittedCall&& other) noexcept
    : slot_(std::exchange(other.slot_, nullptr)), id_(other.id_), owner_(std::move(other.owner_)) {}

AdmittedCall& AdmittedCall::operator=(AdmittedCall&& other) noexcept {
  if (this != &other) {
    if (slot_) {
      Error dropped = Error::make(ErrorKind::cancelled, "Cancelled", "call dropped");
      settle(&dropped);
    }
    slot_ = std::exchange(other.slot_, nullptr);
    id_ = other.id_;
    owner_ = std::move(other.owner_);
  }
  return *this;
}

AdmittedCall::~AdmittedCall() {
  if (!slot_) return;
  // Dropped uncalled: neither a success nor a failure of the queue.
  Error dropped = Error::make(ErrorKind::cancelled, "Cancelled", "call dropped");
  settle(&dropped);
}

void AdmittedCall::settle(const Error* error) noexcept {
  if (!slot_) return;
  QueueSlot* slot = std::exchange(slot_, nullptr);
  const auto now = slot->watchdog->clock()->now();
  auto settled = slot->load.settle(id_, now, is_latency_sample(error));
  if (!settled.permit) return;  // counted already, as slow, while in flight
  CircuitBreaker& b = *slot->breaker;
  if (error != nullptr) {
    b.done(std::move(settled.permit), *error);
  } else if (settled.slow) {
    b.slow(std::move(settled.permit));
  } else {
    b.done(std::move(settled.permit), CallOutcome::success);
  }
}

}  // namespace detail

namespace {
// The sync form of an executor call: the async form, waited for.
template <class R, class Start>
Result<R> run_sync(const Executor& ex, Start start, std::chrono::nanoseconds allowance = {}) {
  return detail::sync_wait<R>(ex.queue().client(),
                              [&](detail::UniqueFunction<void(Result<R>)> done) {
                                ex.start_run<R>(std::move(start), std::move(done), allowance);
                              });
}
}  // namespace

Result<SendMessageResult> Executor::send(std::string body, const SendOptions& options) const {
  return run_sync<SendMessageResult>(*this,
                                     [&body, &options](const Queue& q, Queue::SendHandler done) {
                                       q.start_send(std::move(body), options, std::move(done));
                                     });
}
Result<BatchSendResult> Executor::send_batch(const std::vector<OutgoingMessage>& messages) const {
  return run_sync<BatchSendResult>(*this,
                                   [&messages](const Queue& q, Queue::BatchSendHandler done) {
                                     q.start_send_batch(messages, std::move(done));
                                   });
}
Result<std::vector<Message>> Executor::receive(const ReceiveOptions& options) const {
  return run_sync<std::vector<Message>>(
      *this,
      [&options](const Queue& q, Queue::ReceiveHandler done) {
        q.start_receive(options, std::move(done));
      },
      std::chrono::seconds(options.wait_time_seconds.value_or(20)));
}
Result<Empty> Executor::delete_message(std::string receipt_handle) const {
  return run_sync<Empty>(*this, [&receipt_handle](const Queue& q, Queue::EmptyHandler done) {
    q.start_delete_message(std::move(receipt_handle), std::move(done));
  });
}
Result<BatchOutcome> Executor::delete_batch(const std::vector<std::string>& receipt_handles) const {
  return run_sync<BatchOutcome>(
      *this, [&receipt_handles](const Queue& q, Queue::BatchOutcomeHandler done) {
        q.start_delete_batch(receipt_handles, std::move(done));
      });
}
Result<Empty> Executor::change_visibility(std::string receipt_handle,
                                          int visibility_timeout) const {
  return run_sync<Empty>(
      *this, [&receipt_handle, visibility_timeout](const Queue& q, Queue::EmptyHandler done) {
        q.start_change_visibility(std::move(receipt_handle), visibility_timeout, std::move(done));
      });
}
Result<BatchOutcome> Executor::change_visibility_batch(
    const std::vector<VisibilityChange>& changes) const {
  return run_sync<BatchOutcome>(*this, [&changes](const Queue& q, Queue::BatchOutcomeHandler done) {
    q.start_change_visibility_batch(changes, std::move(done));
  });
}
Result<Empty> Executor::purge() const {
  return run_sync<Empty>(
      *this, [](const Queue& q, Queue::EmptyHandler done) { q.start_purge(std::move(done)); });
}
Result<StringMap> Executor::attributes(std::vector<std::string> names) const {
  return run_sync<StringMap>(*this, [&names](const Queue& q, Queue::AttributesHandler done) {
    q.start_attributes(std::move(names), std::move(done));
  });
}

}  // namespace sqs
