// Failover send: one queue after another until one takes the message(s). The recovery path is
// the normal path: every send starts on a queue picked as dispatch_rr() would.
#include <algorithm>
#include <chrono>

#include "multiqueue/dispatcher_state.hpp"
#include "queue/sync_wait.hpp"

namespace sqs {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The queues to try, in order: the picked one, the other available ones after it, then the
// unavailable ones (their breakers refuse at once unless they just went half-open).
std::vector<std::size_t> failover_order(const detail::DispatcherState& state, bool round_robin) {
  std::size_t n = state.slots.size();
  std::size_t first = round_robin ? state.routing->selector.rr() : state.routing->selector.random();
  auto available = state.routing->selector.available();
  std::vector<std::size_t> order{first};
  for (std::size_t k = 1; k < n; ++k) {
    std::size_t i = (first + k) % n;
    if (std::find(available.begin(), available.end(), i) != available.end()) order.push_back(i);
  }
  for (std::size_t k = 1; k < n; ++k) {
    std::size_t i = (first + k) % n;
    if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
  }
  return order;
}

// Whether an error on one queue means "try another": a counted failure or an open circuit.
// The caller's own faults (ignored by the breaker) would fail everywhere.
bool worth_another_queue(const CircuitBreaker& breaker, const Error& error) {
  if (error.kind == ErrorKind::circuit_open) return true;
  if (error.kind == ErrorKind::cancelled) return false;
  return breaker.classify(error) == CallOutcome::failure;
}

struct FailoverSend : std::enable_shared_from_this<FailoverSend> {
  std::shared_ptr<detail::DispatcherState> state;
  std::string body;
  SendOptions options;
  std::vector<std::size_t> order;
  std::size_t next_pos = 0;
  SteadyClock::time_point deadline;
  std::optional<Error> last_error;
  detail::UniqueFunction<void(Result<FailoverSendResult>)> done;

  void next() {
    if (next_pos >= order.size() || (next_pos > 0 && SteadyClock::now() >= deadline)) {
      return done(last_error ? std::move(*last_error)
                             : Error::make(ErrorKind::circuit_open, "NoQueueAvailable",
                                           "no queue could take the message"));
    }
    auto slot = state->slots[order[next_pos++]];
    Executor ex = Executor(slot);
    ex.start_run<SendMessageResult>(
        [b = body, &o = options](const Queue& q, Queue::SendHandler h) mutable {
          q.start_send(std::move(b), o, std::move(h));
        },
        [self = shared_from_this(), slot](Result<SendMessageResult> r) {
          if (r) {
            return self->done(FailoverSendResult{slot->index, slot->queue.url(), std::move(*r),
                                                 static_cast<int>(self->next_pos)});
          }
          if (!worth_another_queue(*slot->breaker, r.error()))
            return self->done(std::move(r).error());
          self->last_error = std::move(r).error();
          self->next();
        });
  }
};

struct FailoverBatch : std::enable_shared_from_this<FailoverBatch> {
  std::shared_ptr<detail::DispatcherState> state;
  std::vector<OutgoingMessage> messages;
  std::vector<std::size_t> pending;  // input indices not yet taken by any queue
  std::vector<std::optional<BatchFailure>> last_failure;  // per input index
  FailoverBatchResult result;
  std::vector<std::size_t> order;
  std::size_t next_pos = 0;
  SteadyClock::time_point deadline;
  detail::UniqueFunction<void(Result<FailoverBatchResult>)> done;

  void finish() {
    for (std::size_t i : pending) {
      result.failed.push_back(
          last_failure[i]
              ? *last_failure[i]
              : BatchFailure{i, "NoQueueAvailable", "no queue could take the message", false});
    }
    std::sort(result.successful.begin(), result.successful.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    std::sort(result.failed.begin(), result.failed.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    done(std::move(result));
  }

  void fail_pending(const Error& e) {
    for (std::size_t i : pending)
      last_failure[i] = BatchFailure{i, e.code, e.message, e.sender_fault};
  }

  void next() {
    if (pending.empty() || next_pos >= order.size() ||
        (next_pos > 0 && SteadyClock::now() >= deadline)) {
      return finish();
    }
    auto slot = state->slots[order[next_pos++]];
    std::vector<OutgoingMessage> batch;
    batch.reserve(pending.size());
    for (std::size_t i : pending) batch.push_back(messages[i]);
    Executor ex = Executor(slot);
    ex.start_run<BatchSendResult>(
        [batch = std::move(batch)](const Queue& q, Queue::BatchSendHandler h) {
          q.start_send_batch(batch, std::move(h));
        },
        [self = shared_from_this(), slot](Result<BatchSendResult> r) {
          self->on_batch(*slot, std::move(r));
        });
  }

  void on_batch(const detail::QueueSlot& slot, Result<BatchSendResult> r) {
    if (!r) {
      fail_pending(r.error());
      if (!worth_another_queue(*slot.breaker, r.error())) {
        // The caller's fault (or cancelled): final for every pending entry.
        for (std::size_t i : pending) result.failed.push_back(*last_failure[i]);
        pending.clear();
        return finish();
      }
      return next();
    }
    std::vector<std::size_t> still;
    for (auto& s : r->successful) {
      std::size_t input = pending[s.index];
      result.successful.push_back(
          {input, slot.index, std::move(s.message_id), std::move(s.sequence_number)});
    }
    for (auto& f : r->failed) {
      std::size_t input = pending[f.index];
      BatchFailure failure{input, std::move(f.code), std::move(f.message), f.sender_fault};
      if (failure.sender_fault) {
        result.failed.push_back(std::move(failure));  // another queue would refuse it too
      } else {
        last_failure[input] = std::move(failure);
        still.push_back(input);
      }
    }
    std::sort(still.begin(), still.end());
    pending = std::move(still);
    next();
  }
};

}  // namespace

void Dispatcher::start_send(std::string body, SendOptions options, FailoverOptions failover,
                            detail::UniqueFunction<void(Result<FailoverSendResult>)> done) const {
  auto op = std::make_shared<FailoverSend>();
  op->state = state_;
  op->body = std::move(body);
  op->options = std::move(options);
  op->order = failover_order(*state_, failover.round_robin);
  op->deadline = SteadyClock::now() + failover.deadline;
  op->done = std::move(done);
  op->next();
}

void Dispatcher::start_send_batch(
    std::vector<OutgoingMessage> messages, FailoverOptions failover,
    detail::UniqueFunction<void(Result<FailoverBatchResult>)> done) const {
  auto op = std::make_shared<FailoverBatch>();
  op->state = state_;
  op->pending.resize(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) op->pending[i] = i;
  op->last_failure.resize(messages.size());
  op->messages = std::move(messages);
  op->order = failover_order(*state_, failover.round_robin);
  op->deadline = SteadyClock::now() + failover.deadline;
  op->done = std::move(done);
  // A batch the queue layer rejects (0 or > 10 entries, a bad entry) fails as a whole, before
  // anything is sent: validated against the first queue, as every queue has the same rules.
  auto check = state_->slots[op->order.front()]->queue.make_send_batch(op->messages);
  if (!check) {
    auto error = std::move(check).error();
    auto complete = [op, e = std::move(error)]() mutable { op->done(std::move(e)); };
    state_->slots.front()->queue.client().defer(std::move(complete));
    return;
  }
  op->next();
}

namespace {
// sync_wait refuses to block the event-loop thread of the client it waits on; a failover call
// may wait on any queue's client, so every one is checked. Returns that client, or the first.
const Client& client_to_wait_on(const detail::DispatcherState& state) {
  for (const auto& slot : state.slots) {
    if (slot->queue.client().in_event_loop_thread()) return slot->queue.client();
  }
  return state.slots.front()->queue.client();
}
}  // namespace

Result<FailoverSendResult> Dispatcher::send(std::string body, const SendOptions& options,
                                            const FailoverOptions& failover) const {
  return detail::sync_wait<FailoverSendResult>(
      client_to_wait_on(*state_),
      [&](detail::UniqueFunction<void(Result<FailoverSendResult>)> done) {
        start_send(std::move(body), options, failover, std::move(done));
      });
}

Result<FailoverBatchResult> Dispatcher::send_batch(const std::vector<OutgoingMessage>& messages,
                                                   const FailoverOptions& failover) const {
  return detail::sync_wait<FailoverBatchResult>(
      client_to_wait_on(*state_),
      [&](detail::UniqueFunction<void(Result<FailoverBatchResult>)> done) {
        start_send_batch(messages, failover, std::move(done));
      });
}

}  // namespace sqs
