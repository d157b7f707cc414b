#include "multiqueue/dispatcher_state.hpp"
#include "queue/sync_wait.hpp"

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

namespace {
// The sync form of an executor call: the async form, waited for.
template <class R, class Start>
Result<R> run_sync(const Executor& ex, Start start) {
  return detail::sync_wait<R>(ex.queue().client(),
                              [&](detail::UniqueFunction<void(Result<R>)> done) {
                                ex.start_run<R>(std::move(start), std::move(done));
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
  return run_sync<std::vector<Message>>(*this,
                                        [&options](const Queue& q, Queue::ReceiveHandler done) {
                                          q.start_receive(options, std::move(done));
                                        });
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
