#include "producer/producer_core.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <functional>

namespace sqs::detail {
namespace {

// One outcome per entry of a batch of `entries`, from the answer of a queue
// (BatchSendResult) or of the failover (FailoverBatchResult); `queue_of(success)` says which
// queue took an entry.
template <class Answer, class QueueOf>
std::vector<ProducerCore::EntryOutcome> outcomes_of(Answer& answer, std::size_t entries,
                                                    QueueOf&& queue_of) {
  std::vector<ProducerCore::EntryOutcome> out(entries);
  for (auto& s : answer.successful) {
    if (s.index >= entries) continue;
    out[s.index] = {true, std::move(s.message_id), std::move(s.sequence_number), queue_of(s),
                    std::nullopt};
  }
  for (auto& f : answer.failed) {
    if (f.index < entries) out[f.index].failure = std::move(f);
  }
  return out;
}

Error closed_error() {
  return Error::make(ErrorKind::cancelled, "ProducerClosed",
                     "the producer is closed: the message was not sent");
}

// A failure that another batch may not meet: throttling, a server error, the network, a region
// that is down (its breaker open) — not the message's own fault.
bool retryable(const Error& e) {
  if (e.kind == ErrorKind::validation || e.kind == ErrorKind::cancelled ||
      e.kind == ErrorKind::configuration) {
    return false;
  }
  if (e.kind == ErrorKind::circuit_open || e.kind == ErrorKind::bulkhead_full) return true;
  return e.retryable || e.throttling || !e.sender_fault;
}

}  // namespace

template <class F>
void ProducerCore::post(F&& f) {
  boost::asio::post(io_, [w = weak_from_this(), f = std::forward<F>(f)]() mutable {
    if (auto self = w.lock()) f();
  });
}

ProducerCore::ProducerCore(const Dispatcher* dispatcher, std::unique_ptr<Dispatcher> owned,
                           ProducerOptions options)
    : dispatcher_(dispatcher),
      owned_(std::move(owned)),
      options_(std::move(options)),
      guard_(io_.get_executor()),
      rng_(std::random_device{}()) {
  fifo_ = dispatcher_->executor(0).queue().is_fifo();
  BatchLimits limits;
  limits.max_entries = options_.max_batch_entries;
  limits.max_bytes = options_.max_batch_bytes.value_or(
      dispatcher_->executor(0).queue().client().config().max_message_bytes);
  limits.linger = options_.linger;
  // (One queue: its executor directly; failover would only add a copy of every batch.)
  if ((fifo_ && !options_.fifo_failover) || dispatcher_->size() == 1) {
    for (std::size_t q = 0; q < dispatcher_->size(); ++q) {
      lanes_.emplace_back(limits);
      lanes_.back().queue = q;
    }
  } else {
    lanes_.emplace_back(limits);
  }
  for (auto& lane : lanes_) lane.timer = std::make_unique<boost::asio::steady_timer>(io_);
  counters_.queues.resize(dispatcher_->size());
  snapshot_.queues.resize(dispatcher_->size());
  loop_ = std::thread([this] { io_.run(); });
}

ProducerCore::~ProducerCore() {
  shutdown();
}

void ProducerCore::shutdown() {
  if (!loop_.joinable()) return;
  if (on_loop_thread()) {
    post([this] { guard_.reset(); });
    loop_.detach();
    return;
  }
  // Batches still in flight complete (by their clients' timeouts) before the loop goes.
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ && batches_in_flight_ == 0; });
  }
  post([this] {
    guard_.reset();
    for (auto& lane : lanes_) lane.timer->cancel();
  });
  loop_.join();
}

// ---- sending ----------------------------------------------------------------------------------

void ProducerCore::send(std::string body, SendOptions options, Producer::Handler done) {
  // Checked here, on the caller's thread, by the queue's own rules: a bad message is refused
  // before it is buffered. (The body moves into the checked request and back.)
  auto request = dispatcher_->executor(0).queue().make_send(std::move(body), options);
  std::optional<Error> check;
  if (request) {
    body = std::move(request->message_body);
  } else {
    check = std::move(request).error();
  }
  Entry e;
  e.bytes = message_size(body, options.attributes);
  e.body = std::move(body);
  e.options = std::move(options);
  e.done = std::move(done);
  if (!check && on_loop_thread() && phase_ == Phase::open) {
    // From a completion, on the producer's own thread (the way a steady sender runs): straight
    // in, without a post. (Completions it makes ready run once the current event is over.)
    e.sequence = ++next_sequence_;
    admit(std::move(e));
    if (!ready_.empty() && !delivery_posted_) {
      delivery_posted_ = true;
      post([this] {
        delivery_posted_ = false;
        deliver();
      });
    }
    return;
  }
  post([this, e = std::move(e), check = std::move(check)]() mutable {
    if (check) {
      Error error = std::move(*check);
      return e.done(std::move(error));
    }
    if (phase_ != Phase::open) return e.done(closed_error());
    e.sequence = ++next_sequence_;
    admit(std::move(e));
    deliver();
  });
}

// Room for one more message of `bytes` (an empty buffer takes any message: one as big as the
// byte bound must still go).
bool ProducerCore::has_room(std::size_t bytes) const {
  return buffered_ == 0 || (buffered_ + 1 <= options_.max_buffered_messages &&
                            buffered_bytes_ + bytes <= options_.max_buffered_bytes);
}

void ProducerCore::admit(Entry entry) {
  if (has_room(entry.bytes) && waiting_.empty()) return enqueue(std::move(entry));
  if (options_.when_full == ProducerOptions::WhenFull::fail) {
    ++counters_.failed;
    if (entry.done) {
      ready_.emplace_back(
          std::move(entry.done),
          Error::make(ErrorKind::validation, "ProducerBufferFull",
                      "the producer's buffer is full (" + std::to_string(buffered_) +
                          " messages, " + std::to_string(buffered_bytes_) +
                          " bytes): the message was not sent"));
    }
    return;
  }
  ++counters_.waited_for_room;
  waiting_.push_back(std::move(entry));
}

void ProducerCore::admit_waiting() {
  while (!waiting_.empty()) {
    if (!has_room(waiting_.front().bytes)) return;
    Entry next = std::move(waiting_.front());
    waiting_.pop_front();
    enqueue(std::move(next));
  }
}

std::size_t ProducerCore::lane_of(const Entry& entry) const {
  if (lanes_.size() == 1) return 0;
  return std::hash<std::string>{}(entry.options.group_id.value_or("")) % lanes_.size();
}

void ProducerCore::enqueue(Entry entry) {
  ++buffered_;
  buffered_bytes_ += entry.bytes;
  const std::size_t l = lane_of(entry);
  auto& lane = lanes_[l];
  const auto now = SteadyClock::now();
  entry.order = lane.buffer.next_order();
  entry.added = now;
  const std::size_t bytes = entry.bytes;
  const std::uint64_t order = entry.order;
  lane.buffer.add(std::move(entry), now, bytes, order);
  pump(l);
}

void ProducerCore::pump(std::size_t l) {
  auto& lane = lanes_[l];
  const auto now = SteadyClock::now();
  const bool force = flushing_ || phase_ != Phase::open || options_.linger.count() == 0;
  while (lane.in_flight < options_.max_in_flight_batches && !lane.buffer.empty()) {
    const bool full = lane.buffer.size() >= lane.buffer.limits().max_entries ||
                      lane.buffer.bytes() >= lane.buffer.limits().max_bytes;
    auto batch = lane.buffer.take(now, force, [&](const Entry& e) {
      return !fifo_ || !e.options.group_id || !lane.busy_groups.count(*e.options.group_id);
    });
    if (batch.empty()) break;
    send_batch(l, std::move(batch), !full && !force);
  }
  arm_timer(l);
}

void ProducerCore::hold_group(Lane& lane, const Entry& entry) {
  if (fifo_ && entry.options.group_id) ++lane.busy_groups[*entry.options.group_id];
}

void ProducerCore::release_group(Lane& lane, const Entry& entry) {
  if (!fifo_ || !entry.options.group_id) return;
  auto it = lane.busy_groups.find(*entry.options.group_id);
  if (it != lane.busy_groups.end() && --it->second <= 0) lane.busy_groups.erase(it);
}

void ProducerCore::send_batch(std::size_t l, std::vector<Entry> batch, bool by_linger) {
  auto& lane = lanes_[l];
  ++lane.in_flight;
  if (by_linger) ++counters_.linger_batches;
  // The bodies and options move into the batch's messages and back when it completes: the
  // request is the only copy (and a retry still has them).
  struct InFlightBatch {
    std::vector<Entry> entries;
    std::vector<OutgoingMessage> messages;
  };
  auto shared = std::make_shared<InFlightBatch>();
  shared->messages.reserve(batch.size());
  for (auto& e : batch) {
    ++e.attempts;
    hold_group(lane, e);
    shared->messages.push_back({std::move(e.body), std::move(e.options)});
  }
  shared->entries = std::move(batch);
  auto back = [w = weak_from_this(), l, shared](Result<std::vector<EntryOutcome>> r) mutable {
    auto self = w.lock();
    if (!self) return;
    self->post([s = self.get(), l, shared, r = std::move(r)]() mutable {
      for (std::size_t i = 0; i < shared->entries.size(); ++i) {
        shared->entries[i].body = std::move(shared->messages[i].body);
        shared->entries[i].options = std::move(shared->messages[i].options);
      }
      s->on_batch(l, std::move(shared->entries), std::move(r));
    });
  };
  const std::size_t entries = shared->messages.size();
  if (!lane.queue) {
    dispatcher_->start_send_batch(
        shared->messages, options_.failover,
        [back = std::move(back), entries](Result<FailoverBatchResult> r) mutable {
          if (!r) return back(std::move(r).error());
          back(outcomes_of(*r, entries,
                           [](const FailoverBatchSuccess& s) { return s.queue_index; }));
        });
    return;
  }
  const std::size_t q = *lane.queue;
  dispatcher_->executor(q).start_run<BatchSendResult>(
      [shared](const Queue& queue, Queue::BatchSendHandler done) {
        queue.start_send_batch(shared->messages, std::move(done));
      },
      [back = std::move(back), q, entries](Result<BatchSendResult> r) mutable {
        if (!r) return back(std::move(r).error());
        back(outcomes_of(*r, entries, [q](const BatchSendSuccess&) { return q; }));
      });
}

void ProducerCore::on_batch(std::size_t l, std::vector<Entry> batch,
                            Result<std::vector<EntryOutcome>> r) {
  auto& lane = lanes_[l];
  --lane.in_flight;
  ++counters_.batches;
  counters_.batched_entries += batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Entry& e = batch[i];
    release_group(lane, e);
    if (!r) {
      const Error& error = r.error();
      e.maybe_sent = e.maybe_sent || error.maybe_processed;
      retry_or_fail(l, std::move(e), error, retryable(error));
      continue;
    }
    EntryOutcome* o = i < r->size() ? &(*r)[i] : nullptr;
    if (o && o->ok) {
      ProducerResult result;
      result.message_id = std::move(o->message_id);
      result.sequence_number = std::move(o->sequence_number);
      result.queue_index = o->queue_index;
      result.attempts = e.attempts;
      result.possible_duplicate = e.maybe_sent;
      ++counters_.sent;
      if (o->queue_index < counters_.queues.size()) ++counters_.queues[o->queue_index].sent;
      complete(e, std::move(result));
      continue;
    }
    BatchFailure f = o && o->failure
                         ? std::move(*o->failure)
                         : BatchFailure{i, "MissingResult", "SQS did not answer for the entry"};
    e.maybe_sent = e.maybe_sent || f.maybe_processed;
    Error error =
        Error::make(f.sender_fault ? ErrorKind::validation : ErrorKind::service, f.code, f.message);
    error.sender_fault = f.sender_fault;
    retry_or_fail(l, std::move(e), std::move(error), !f.sender_fault);
  }
  for (std::size_t k = 0; k < lanes_.size(); ++k) pump(k);
  admit_waiting();
  deliver();
}

std::chrono::milliseconds ProducerCore::backoff(int attempts) {
  const double base = static_cast<double>(options_.retry_base_delay.count()) *
                      std::pow(2.0, std::max(0, attempts - 1));
  const double capped = std::min(base, static_cast<double>(options_.retry_max_delay.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(capped * jitter(rng_)));
}

void ProducerCore::retry_or_fail(std::size_t l, Entry entry, Error error, bool may_retry) {
  if (may_retry && entry.attempts < options_.max_attempts && phase_ != Phase::closed) {
    auto& lane = lanes_[l];
    ++counters_.retries;
    hold_group(lane, entry);  // later messages of its group wait for it
    lane.backing_off.emplace(SteadyClock::now() + backoff(entry.attempts), std::move(entry));
    return;
  }
  if (entry.maybe_sent) error.maybe_processed = true;
  ++counters_.failed;
  complete(entry, std::move(error));
}

void ProducerCore::complete(Entry& entry, Result<ProducerResult> result) {
  --buffered_;
  buffered_bytes_ -= std::min(buffered_bytes_, entry.bytes);
  count_for_flushes(entry);
  if (entry.done) ready_.emplace_back(std::move(entry.done), std::move(result));
}

void ProducerCore::deliver() {
  // Completions run after the metrics say what they report.
  check_flushes();
  update_snapshot();
  std::vector<std::pair<Producer::Handler, Result<ProducerResult>>> ready;
  ready.swap(ready_);
  std::vector<UniqueFunction<void(Result<Empty>)>> flushed;
  flushed.swap(flushed_);
  for (auto& [done, result] : ready) done(std::move(result));
  for (auto& done : flushed) done(Empty{});
}

void ProducerCore::count_for_flushes(const Entry& entry) {
  // Each waiter counts down the messages that were there when it asked.
  for (auto& w : flush_waiters_) {
    if (entry.sequence <= w.mark && w.remaining > 0) --w.remaining;
  }
}

void ProducerCore::arm_timer(std::size_t l) {
  auto& lane = lanes_[l];
  const auto now = SteadyClock::now();
  std::optional<SteadyClock::time_point> at;
  if (auto due = lane.buffer.due(); due && *due > now) at = due;
  if (!lane.backing_off.empty()) {
    const auto b = lane.backing_off.begin()->first;
    if (!at || b < *at) at = b;
  }
  if (!at) {
    if (lane.timer_at) lane.timer->cancel();
    lane.timer_at.reset();
    return;
  }
  if (lane.timer_at && *lane.timer_at == *at) return;
  lane.timer_at = at;
  lane.timer->expires_at(*at);
  lane.timer->async_wait([this, w = weak_from_this(), l](boost::system::error_code ec) {
    auto self = w.lock();
    if (!self || ec) return;
    auto& lane = lanes_[l];
    lane.timer_at.reset();
    const auto now = SteadyClock::now();
    // Entries whose back-off is over go back to their place.
    while (!lane.backing_off.empty() && lane.backing_off.begin()->first <= now) {
      Entry e = std::move(lane.backing_off.begin()->second);
      lane.backing_off.erase(lane.backing_off.begin());
      release_group(lane, e);
      const std::size_t bytes = e.bytes;
      const std::uint64_t order = e.order;
      const auto added = e.added;
      lane.buffer.add(std::move(e), added, bytes, order);
    }
    pump(l);
    deliver();
  });
}

// ---- flush, close, metrics ---------------------------------------------------------------------

void ProducerCore::flush(UniqueFunction<void(Result<Empty>)> done) {
  post([this, done = std::move(done)]() mutable {
    const std::size_t outstanding = buffered_ + waiting_.size();
    if (outstanding == 0) return done(Empty{});
    flush_waiters_.push_back({next_sequence_, outstanding, std::move(done)});
    flushing_ = true;
    for (std::size_t l = 0; l < lanes_.size(); ++l) pump(l);
    deliver();
  });
}

void ProducerCore::check_flushes() {
  if (flush_waiters_.empty()) return;
  std::vector<UniqueFunction<void(Result<Empty>)>> ready;
  auto it = std::remove_if(flush_waiters_.begin(), flush_waiters_.end(), [&](FlushWaiter& w) {
    if (w.remaining > 0) return false;
    ready.push_back(std::move(w.done));
    return true;
  });
  flush_waiters_.erase(it, flush_waiters_.end());
  flushing_ = !flush_waiters_.empty();
  for (auto& done : ready) flushed_.push_back(std::move(done));
}

void ProducerCore::give_up_buffered(const std::string& why) {
  auto error_for = [&](const Entry& e) {
    Error error = Error::make(ErrorKind::cancelled, "ProducerClosed", why);
    if (e.maybe_sent) error.maybe_processed = true;
    ++counters_.failed;
    ++abandoned_;
    return error;
  };
  // Waiting for room: never buffered.
  std::deque<Entry> waiting;
  waiting.swap(waiting_);
  for (auto& e : waiting) {
    count_for_flushes(e);
    if (e.done) ready_.emplace_back(std::move(e.done), error_for(e));
  }
  std::vector<Entry> gone;
  for (auto& lane : lanes_) {
    for (auto& e : lane.buffer.take_all()) gone.push_back(std::move(e));
    for (auto& [at, e] : lane.backing_off) {
      release_group(lane, e);
      gone.push_back(std::move(e));
    }
    lane.backing_off.clear();
    lane.timer->cancel();
    lane.timer_at.reset();
  }
  for (auto& e : gone) complete(e, error_for(e));
}

ProducerCloseSummary ProducerCore::close(std::chrono::milliseconds deadline) {
  const auto until = SteadyClock::now() + deadline;
  post([this] {
    if (phase_ != Phase::open) return;
    phase_ = Phase::closing;
    flushing_ = true;
    for (std::size_t l = 0; l < lanes_.size(); ++l) pump(l);
    deliver();
  });
  bool flushed = false;
  {
    // (closing_: the close above has run, after every send posted before it.)
    std::unique_lock lock(mutex_);
    flushed = changed_.wait_until(lock, until, [&] { return closing_ && idle_; });
  }
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  ProducerCloseSummary summary;
  post([&, flushed] {
    if (!flushed) {
      give_up_buffered(
          "the producer was closed before the message could be sent (close "
          "deadline)");
    }
    phase_ = Phase::closed;
    deliver();
    std::lock_guard lock(m);
    summary.flushed = abandoned_ == 0;
    summary.abandoned = abandoned_;
    summary.metrics = counters_;
    summary.metrics.buffered = buffered_;
    done = true;
    cv.notify_all();
  });
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return done; });
  return summary;
}

ProducerMetrics ProducerCore::metrics() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void ProducerCore::update_snapshot() {
  std::lock_guard lock(mutex_);
  snapshot_ = counters_;
  snapshot_.buffered = buffered_;
  snapshot_.buffered_bytes = buffered_bytes_;
  snapshot_.waiting_for_room = waiting_.size();
  idle_ = buffered_ == 0 && waiting_.empty();
  closed_ = phase_ == Phase::closed;
  closing_ = phase_ != Phase::open;
  batches_in_flight_ = 0;
  for (const auto& lane : lanes_) batches_in_flight_ += lane.in_flight;
  changed_.notify_all();
}

}  // namespace sqs::detail
