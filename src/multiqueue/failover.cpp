// Failover send: one queue after another until one takes the message(s). The recovery path is
// the normal path: every send starts on a queue picked as dispatch_rr() would.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>

#include "multiqueue/dispatcher_state.hpp"
#include "queue/sync_wait.hpp"

namespace sqs {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The queues to try, in order: the picked one (as dispatch_rr()/dispatch() would: a stalled or
// full queue only when all are), the other available ones that are neither stalled nor full,
// then the available ones that are, then the unavailable ones (their breakers refuse at once
// unless they just went half-open).
std::vector<std::size_t> failover_order(const detail::DispatcherState& state, bool round_robin) {
  const std::size_t n = state.slots.size();
  const std::size_t first = detail::pick_queue(state, round_robin);
  const auto available = state.routing->selector.available();
  auto is_available = [&](std::size_t i) {
    return std::find(available.begin(), available.end(), i) != available.end();
  };
  std::vector<std::size_t> order{first};
  order.reserve(n);
  auto add_if = [&](auto&& wanted) {
    for (std::size_t k = 1; k < n; ++k) {
      const std::size_t i = (first + k) % n;
      if (wanted(i) && std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
    }
  };
  add_if([&](std::size_t i) { return is_available(i) && !state.slots[i]->load.blocked(); });
  add_if(is_available);
  add_if([](std::size_t) { return true; });
  return order;
}

// Refused before anything was sent: by the breaker or the bulkhead.
bool refused(const Error& error) {
  return error.kind == ErrorKind::circuit_open || error.kind == ErrorKind::bulkhead_full;
}

// Whether an error on one queue means "try another": a counted failure or a refusal. The
// caller's own faults (ignored by the breaker) would fail everywhere.
bool worth_another_queue(const CircuitBreaker& breaker, const Error& error) {
  if (refused(error)) return true;
  if (error.kind == ErrorKind::cancelled) return false;
  return breaker.classify(error) == CallOutcome::failure;
}

// One failover send. Without hedging, one queue at a time. With hedging, a copy goes to the
// next queue when the ones in flight have not answered within the hedge delay; the first
// success completes the caller, later ones are reported as late copies. Completions arrive on
// the threads of different clients: the state is guarded by a mutex, and user callbacks run
// outside it.
struct FailoverSend : std::enable_shared_from_this<FailoverSend> {
  std::shared_ptr<detail::DispatcherState> state;
  std::string body;
  SendOptions options;
  std::vector<std::size_t> order;
  SteadyClock::time_point deadline;
  detail::UniqueFunction<void(Result<FailoverSendResult>)> done;
  std::optional<HedgeOptions> hedge;  // set when hedging this send
  std::chrono::nanoseconds hedge_delay{0};

  std::mutex mutex;
  std::size_t next_pos = 0;  // guarded by mutex (as everything below)
  int in_flight = 0;
  int copies_started = 0;  // hedged copies beyond the first send
  bool completed = false;
  std::size_t winner = 0;  // the queue whose success completed the caller
  std::optional<Error> last_error;
  bool maybe_processed = false;  // some queue may have taken the message without saying so
  // The first queue whose bulkhead refused the message (its breaker allowed it): when every
  // queue refused, it is tried once more without its adaptive limit (a slow queue is still
  // better than failing the send while it works).
  std::optional<std::size_t> full_queue;
  bool last_resort_used = false;
  std::vector<SendCopy> copies;
  TimerHandle hedge_timer;
  bool hedge_armed = false;

  // Starts the send on the next queue of the order, or completes with the last error when none
  // is left (or the deadline passed). Lock not held.
  void next() {
    std::unique_lock lock(mutex);
    if (completed) return;
    if (next_pos >= order.size() || (next_pos > 0 && SteadyClock::now() >= deadline)) {
      if (in_flight > 0) return;  // a hedged copy may still succeed
      if (full_queue && !last_resort_used && SteadyClock::now() < deadline) {
        last_resort_used = true;
        ++in_flight;
        if (hedge) copies.push_back({*full_queue, SendCopy::Status::pending});
        const std::size_t q = *full_queue;
        lock.unlock();
        return launch_queue(q, true);
      }
      return complete(lock, last_error ? std::move(*last_error)
                                       : Error::make(ErrorKind::circuit_open, "NoQueueAvailable",
                                                     "no queue could take the message"));
    }
    const std::size_t pos = next_pos++;
    ++in_flight;
    if (hedge) copies.push_back({order[pos], SendCopy::Status::pending});
    lock.unlock();
    launch(pos);
  }

  void launch(std::size_t pos) { launch_queue(order[pos], false); }

  void launch_queue(std::size_t queue, bool last_resort) {
    auto slot = state->slots[queue];
    Executor(slot).start_run<SendMessageResult>(
        // Called before start_run returns: the options are read in place (never written after
        // the send started, so hedged copies on other threads read them safely).
        [b = body, &o = options](const Queue& q, Queue::SendHandler h) mutable {
          q.start_send(std::move(b), o, std::move(h));
        },
        [self = shared_from_this(), slot](Result<SendMessageResult> r) {
          self->on_result(*slot, std::move(r));
        },
        std::chrono::nanoseconds::zero(), last_resort);
    if (hedge) {
      std::unique_lock lock(mutex);
      if (hedge_armed) return;
      hedge_armed = true;  // from the first queue that was actually tried
      lock.unlock();
      arm_hedge();
    }
  }

  void arm_hedge() {
    auto clock = state->routing->clock;
    std::weak_ptr<FailoverSend> weak = weak_from_this();
    auto timer = clock->schedule(clock->now() + hedge_delay, [weak] {
      if (auto self = weak.lock()) self->on_hedge_timer();
    });
    std::lock_guard lock(mutex);
    hedge_timer = timer;
    if (completed) hedge_timer.cancel();
  }

  // On the timer thread: nothing has answered within the hedge delay. The copy is started from
  // the next queue's client thread, not here (the timer thread serves every breaker).
  void on_hedge_timer() {
    std::unique_lock lock(mutex);
    if (completed || copies_started >= hedge->max_copies || next_pos >= order.size()) return;
    ++copies_started;
    const std::size_t pos = next_pos++;
    ++in_flight;
    copies.push_back({order[pos], SendCopy::Status::pending});
    auto slot = state->slots[order[pos]];
    slot->load.count_hedge();
    lock.unlock();
    slot->queue.client().defer([self = shared_from_this(), pos] { self->launch(pos); });
    if (copies_started < hedge->max_copies) arm_hedge();
  }

  void mark(std::size_t queue, SendCopy::Status status) {
    for (auto& c : copies) {
      if (c.queue_index == queue && c.status == SendCopy::Status::pending) {
        c.status = status;
        return;
      }
    }
  }

  void on_result(const detail::QueueSlot& slot, Result<SendMessageResult> r) {
    std::unique_lock lock(mutex);
    --in_flight;
    if (hedge) mark(slot.index, r ? SendCopy::Status::accepted : SendCopy::Status::failed);
    if (completed) {
      if (!r) return;
      // A copy accepted after another queue completed the caller: a second delivery.
      slot.load.count_late_copy();
      LateCopy late{slot.index, winner, r->message_id};
      lock.unlock();
      if (const auto& hook = state->routing->late_copy_hook) hook(late);
      return;
    }
    if (r) {
      winner = slot.index;
      if (hedge && copies.size() > 1) slot.load.count_hedge_win();
      FailoverSendResult result{slot.index,
                                slot.queue.url(),
                                std::move(*r),
                                static_cast<int>(next_pos),
                                hedge.has_value() && copies.size() > 1,
                                copies};
      return complete(lock, std::move(result));
    }
    Error error = std::move(r).error();
    maybe_processed = maybe_processed || error.maybe_processed;
    if (error.kind == ErrorKind::bulkhead_full && !full_queue) full_queue = slot.index;
    if (!worth_another_queue(*slot.breaker, error)) {
      if (in_flight > 0) {  // another copy may still be accepted
        if (!last_error) last_error = std::move(error);
        return;
      }
      return complete(lock, std::move(error));
    }
    last_error = std::move(error);
    // Sequential failover: the next queue once nothing else is in flight. A hedged copy that
    // was refused before sending is replaced at once.
    if (in_flight > 0 && !refused(*last_error)) return;
    lock.unlock();
    next();
  }

  // Lock held; released before the caller's completion runs.
  void complete(std::unique_lock<std::mutex>& lock, Result<FailoverSendResult> result) {
    completed = true;
    // The error of the last queue tried, but the uncertainty of every one.
    if (!result && maybe_processed) result.error().maybe_processed = true;
    auto timer = hedge_timer;
    auto finish = std::move(done);
    lock.unlock();
    timer.cancel();
    finish(std::move(result));
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

  // The entry's latest failure replaces the earlier ones, but keeps their uncertainty: an
  // entry that may have been sent to one queue stays "maybe sent" whatever the next one says.
  void record_failure(std::size_t i, BatchFailure failure) {
    if (last_failure[i] && last_failure[i]->maybe_processed) failure.maybe_processed = true;
    last_failure[i] = std::move(failure);
  }

  void fail_pending(const Error& e) {
    for (std::size_t i : pending) {
      record_failure(i, BatchFailure{i, e.code, e.message, e.sender_fault, e.maybe_processed});
    }
  }

  // As for single sends: once every queue refused, the first whose bulkhead did is tried once
  // more without its adaptive limit.
  std::optional<std::size_t> full_queue;
  bool last_resort_used = false;

  void next() {
    if (pending.empty() || next_pos >= order.size() ||
        (next_pos > 0 && SteadyClock::now() >= deadline)) {
      if (!pending.empty() && full_queue && !last_resort_used && SteadyClock::now() < deadline) {
        last_resort_used = true;
        return launch(state->slots[*full_queue], true);
      }
      return finish();
    }
    launch(state->slots[order[next_pos++]], false);
  }

  void launch(const std::shared_ptr<detail::QueueSlot>& slot, bool last_resort) {
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
        },
        std::chrono::nanoseconds::zero(), last_resort);
  }

  void on_batch(const detail::QueueSlot& slot, Result<BatchSendResult> r) {
    if (!r) {
      if (r.error().kind == ErrorKind::bulkhead_full && !full_queue) full_queue = slot.index;
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
      record_failure(input, BatchFailure{input, std::move(f.code), std::move(f.message),
                                         f.sender_fault, f.maybe_processed});
      if (last_failure[input]->sender_fault) {
        // Another queue would refuse it too.
        result.failed.push_back(std::move(*last_failure[input]));
      } else {
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
  const auto& hedge = failover.hedge ? failover.hedge : state_->routing->hedge;
  const auto& first = *state_->slots[op->order.front()];
  // Never hedged: FIFO queues (a copy in another region would break the group's order and its
  // deduplication), and dispatchers of one queue.
  if (hedge && hedge->enabled && !first.queue.is_fifo() && op->order.size() > 1) {
    try {
      detail::check_hedge(*hedge);
    } catch (const std::invalid_argument& e) {
      Error error = Error::validation("InvalidHedgeOptions", e.what());
      first.queue.client().defer(
          [op, error = std::move(error)]() mutable { op->done(std::move(error)); });
      return;
    }
    op->hedge = hedge;
    std::chrono::nanoseconds delay = hedge->delay;
    if (hedge->percentile) {
      if (auto p = state_->slots[op->order.front()]->load.percentile(
              *hedge->percentile, state_->routing->clock->now(), 20)) {
        delay = std::clamp<std::chrono::nanoseconds>(*p, hedge->min_delay, hedge->max_delay);
      }
    }
    op->hedge_delay = delay;
  }
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
