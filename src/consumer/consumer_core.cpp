#include "consumer/consumer_core.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>
#include <future>

#include "consumer/retry_delay.hpp"

namespace sqs {

Delivery::State::~State() {
  if (settled.exchange(true)) return;
  // Dropped unsettled (a handler that lost its Delivery): the message is retried.
  if (auto core_alive = core.lock()) core_alive->settle(id, Outcome::retry());
}

namespace detail {
namespace {

constexpr int kMaxVisibility = 43200;  // 12 h
constexpr auto kBreakerRecheck = std::chrono::milliseconds(50);

// Codes of a visibility change or delete whose message is gone: nothing to try again.
bool message_gone(const std::string& code) {
  return code == "ReceiptHandleIsInvalid" || code == "MessageNotInflight" ||
         code == "InvalidParameterValue";
}

std::string random_attempt_id(std::mt19937_64& rng) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (auto& c : id) c = digits[rng() & 15];
  return id;
}

}  // namespace

ConsumerCore::ConsumerCore(const Dispatcher* dispatcher, std::unique_ptr<Dispatcher> owned,
                           Handler handler, ConsumerOptions options, ConsumerHooks hooks)
    : dispatcher_(dispatcher),
      owned_(std::move(owned)),
      handler_(std::move(handler)),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      tick_timer_(io_),
      flush_timer_(io_),
      batch_timer_(io_),
      rng_(std::random_device{}()) {
  for (const auto& ex : dispatcher_->executors()) {
    queues_.emplace_back(ex, options_.ack_linger);
    queues_.back().fifo = ex.queue().is_fifo();
    if (options_.visibility_timeout) queues_.back().visibility = *options_.visibility_timeout;
  }
  snapshot_.queues.resize(queues_.size());
  if (!std::holds_alternative<AsyncHandler>(handler_) && options_.worker_threads > 0) {
    workers_ = std::make_unique<WorkerPool>(options_.worker_threads);
  }
  guard_.emplace(io_.get_executor());
  loop_ = std::thread([this] { io_.run(); });
}

ConsumerCore::~ConsumerCore() {
  shutdown();
}

void ConsumerCore::shutdown() {
  if (!loop_.joinable() || std::this_thread::get_id() == loop_.get_id()) return;
  guard_.reset();
  io_.stop();
  loop_.join();
  workers_.reset();
}

template <class F>
void ConsumerCore::post(F&& f) {
  boost::asio::post(io_, [w = weak_from_this(), f = std::forward<F>(f)]() mutable {
    if (auto self = w.lock()) f();
  });
}

// ---- public API -------------------------------------------------------------------------------

void ConsumerCore::start() {
  post([this] {
    if (phase_ != Phase::created) return;
    phase_ = Phase::running;
    tick();
    poll_all();
    update_counts();
  });
}

void ConsumerCore::pause() {
  post([this] {
    if (phase_ == Phase::running) phase_ = Phase::paused;
    update_counts();
  });
}

void ConsumerCore::resume() {
  post([this] {
    if (phase_ != Phase::paused) return;
    phase_ = Phase::running;
    poll_all();
    update_counts();
  });
}

bool ConsumerCore::running() const {
  std::lock_guard lock(mutex_);
  return shown_phase_ == Phase::running || shown_phase_ == Phase::paused;
}

ConsumerMetrics ConsumerCore::metrics() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void ConsumerCore::settle(std::uint64_t id, Outcome outcome) {
  post([this, id, outcome] { finish(id, outcome); });
}

StopSummary ConsumerCore::stop(std::chrono::milliseconds deadline) {
  const auto until = SteadyClock::now() + deadline;
  post([this] {
    if (phase_ == Phase::stopped) return;
    if (phase_ == Phase::created) {
      phase_ = Phase::stopped;
      update_counts();
      return;
    }
    phase_ = Phase::stopping;
    // Long polls end now (their connections closed), not in up to 20 s.
    if (options_.cancel_receives_on_stop) {
      for (auto& qs : queues_) {
        for (auto& [n, receive] : qs.receives)
          receive.signal->emit(boost::asio::cancellation_type::terminal);
      }
    }
    release_unstarted();
    flush(true);
    update_counts();
  });
  auto wait_quiet = [&](SteadyClock::time_point limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, limit,
                               [&] { return quiet_ || shown_phase_ == Phase::stopped; });
  };
  bool drained = wait_quiet(until);
  if (!drained) {
    // Handlers still running are abandoned: their stop tokens fire, their messages stay as they
    // are (their visibility timeout brings them back), and their late outcomes are ignored.
    post([this] {
      for (auto& [id, e] : in_flight_) {
        e.stop.request_stop();
        if (e.started) ++summary_.abandoned;
      }
      release_unstarted();
      in_flight_.clear();
      for (auto& qs : queues_) qs.in_flight = 0;
      bytes_ = 0;
      flush(true);
      update_counts();
    });
    // The deletes and releases already decided still go out (each bounded by its call timeout).
    wait_quiet(until + std::chrono::seconds(5));
  }
  auto result = std::make_shared<std::promise<StopSummary>>();
  auto future = result->get_future();
  post([this, drained, result] {
    phase_ = Phase::stopped;
    tick_timer_.cancel();
    flush_timer_.cancel();
    for (auto& qs : queues_) {
      if (qs.backoff_timer) qs.backoff_timer->cancel();
    }
    update_counts();
    StopSummary s = summary_;
    s.drained = drained && s.abandoned == 0;
    s.metrics = snapshot_;
    result->set_value(std::move(s));
  });
  if (future.wait_until(until + std::chrono::seconds(10)) != std::future_status::ready) {
    StopSummary s;
    s.drained = false;
    s.metrics = metrics();
    return s;
  }
  return future.get();
}

// ---- polling ----------------------------------------------------------------------------------

int ConsumerCore::room() const {
  if (options_.max_in_flight_bytes && bytes_ >= *options_.max_in_flight_bytes) return 0;
  return options_.max_in_flight - static_cast<int>(in_flight_.size()) - reserved_;
}

int ConsumerCore::visibility_of(std::size_t q) const {
  return queues_[q].visibility.value_or(30);
}

// The longest a receive of queue q may take by its client's own bounds: its call timeout, or
// every attempt's (the long poll's wait plus the request timeout) and the longest back-offs
// between them. Past twice that, a receive is not slow: it is lost.
std::chrono::milliseconds ConsumerCore::receive_expected(std::size_t q) const {
  const auto& config = queues_[q].executor.queue().client().config();
  const std::chrono::milliseconds wait = std::chrono::seconds(options_.wait_time_seconds);
  if (config.call_timeout) return *config.call_timeout + wait;
  const int attempts = std::max(1, config.retry.max_attempts.value_or(3));
  std::chrono::milliseconds total = attempts * (wait + config.request_timeout);
  auto backoff = std::max(config.retry.base_delay, config.retry.throttling_base_delay);
  for (int retry = 1; retry < attempts; ++retry) {
    total += std::min(backoff, config.retry.max_backoff);
    backoff *= 2;
  }
  return total;
}

void ConsumerCore::poll_all() {
  for (std::size_t q = 0; q < queues_.size(); ++q) poll(q);
}

void ConsumerCore::poll(std::size_t q) {
  if (phase_ != Phase::running) return;
  auto& qs = queues_[q];
  if (qs.backing_off) return;
  if (!qs.visibility) return fetch_visibility(q);
  if (qs.executor.state() == CircuitState::open) {
    // Not polled until its breaker lets a probe through (half-open, on the breaker's time).
    on_poll_error(q, Error::make(ErrorKind::circuit_open, "CircuitOpen", "breaker open"));
    return;
  }
  // A queue's first receive goes out for whatever room there is (a slot that frees is refilled
  // at once); more at the same time only for a full batch: many small receives cost requests
  // (and money) without moving more messages.
  const int full = std::min(10, options_.max_in_flight);
  while (static_cast<int>(qs.receives.size()) < options_.receives_per_queue) {
    const int n = std::min(10, room());
    if (n <= 0 || (!qs.receives.empty() && n < full)) return;
    ReceiveOptions o;
    o.max_messages = n;
    o.wait_time_seconds = options_.wait_time_seconds;
    o.visibility_timeout = options_.visibility_timeout;
    o.attribute_names = options_.attribute_names;
    o.attribute_names.push_back("ApproximateReceiveCount");
    if (qs.fifo) {
      o.attribute_names.push_back("MessageGroupId");
      // A receive retried after an unknown outcome reuses its attempt id: SQS then returns the
      // same messages instead of hiding them for a visibility timeout.
      if (!qs.attempt_id) qs.attempt_id = random_attempt_id(rng_);
      o.receive_request_attempt_id = qs.attempt_id;
    }
    o.message_attribute_names = options_.message_attribute_names;
    const std::uint64_t number = ++next_receive_;
    auto signal = std::make_shared<boost::asio::cancellation_signal>();
    qs.receives[number] = Receive{signal, SteadyClock::now(), n, false};
    reserved_ += n;
    ++qs.metrics.receives;
    auto done = [w = weak_from_this(), q, number](Result<std::vector<Message>> r) mutable {
      if (auto self = w.lock()) {
        self->post([s = self.get(), q, number, r = std::move(r)]() mutable {
          s->on_received(q, number, std::move(r));
        });
      }
    };
    if (options_.receive_function) {
      options_.receive_function(qs.executor, o, signal->slot(), std::move(done));
    } else {
      qs.executor.async_receive(
          o, boost::asio::bind_cancellation_slot(signal->slot(), std::move(done)));
    }
  }
}

void ConsumerCore::fetch_visibility(std::size_t q) {
  auto& qs = queues_[q];
  if (qs.fetching) return;
  qs.fetching = true;
  qs.executor.queue().async_attributes(
      {"VisibilityTimeout"}, [w = weak_from_this(), q](Result<StringMap> r) mutable {
        auto self = w.lock();
        if (!self) return;
        self->post([s = self.get(), q, r = std::move(r)]() mutable {
          auto& qs = s->queues_[q];
          qs.fetching = false;
          if (!r) return s->on_poll_error(q, r.error());
          int v = 30;
          if (auto it = r->find("VisibilityTimeout"); it != r->end()) {
            try {
              v = std::stoi(it->second);
            } catch (const std::exception&) {
            }
          }
          qs.visibility = v;
          s->poll(q);
        });
      });
}

void ConsumerCore::on_received(std::size_t q, std::uint64_t number,
                               Result<std::vector<Message>> r) {
  auto& qs = queues_[q];
  auto it = qs.receives.find(number);
  if (it == qs.receives.end()) return;
  const bool abandoned = it->second.abandoned;
  const int asked_of_receive = it->second.asked;
  reserved_ -= it->second.asked;
  qs.receives.erase(it);
  if (!r) {
    // FIFO: a receive that may have taken messages is repeated with the same attempt id.
    if (!r.error().maybe_processed) qs.attempt_id.reset();
    if (phase_ == Phase::running && !abandoned) on_poll_error(q, r.error());
  } else {
    qs.attempt_id.reset();
    qs.backoff = std::chrono::milliseconds::zero();
    if (r->empty()) ++qs.metrics.empty_receives;
    qs.metrics.received += r->size();
    qs.metrics.last_receive = std::chrono::system_clock::now();
    const std::size_t count = r->size();
    // A server that answers more than asked (no SQS does) must not break the budget: the excess
    // is made visible again.
    const std::size_t asked = static_cast<std::size_t>(asked_of_receive);
    for (std::size_t i = 0; i < r->size(); ++i) {
      if (i < asked) {
        admit_message(q, std::move((*r)[i]));
      } else {
        qs.changes.add({(*r)[i].receipt_handle, 0, 0, Change::Why::release}, SteadyClock::now());
        ++qs.metrics.released;
      }
    }
    if (count > 0 && hooks_.on_received) hooks_.on_received(q, count);
    // Short polls (wait 0) of an empty queue answer at once: without a pause they would spin.
    if (count == 0 && options_.wait_time_seconds == 0 && phase_ == Phase::running) {
      hold_polls(q, options_.poll_backoff_min);
    }
  }
  poll(q);
  schedule_flush();
  update_counts();
}

void ConsumerCore::on_poll_error(std::size_t q, const Error& e) {
  auto& qs = queues_[q];
  std::chrono::milliseconds delay;
  if (e.kind == ErrorKind::circuit_open || e.kind == ErrorKind::bulkhead_full) {
    delay = kBreakerRecheck;  // a refusal costs nothing: look again soon
  } else {
    ++qs.metrics.poll_errors;
    if (hooks_.on_poll_error) hooks_.on_poll_error(q, e);
    qs.backoff =
        next_poll_backoff(qs.backoff, options_.poll_backoff_min, options_.poll_backoff_max, rng_);
    delay = qs.backoff;
  }
  hold_polls(q, delay);
}

void ConsumerCore::hold_polls(std::size_t q, std::chrono::milliseconds delay) {
  auto& qs = queues_[q];
  if (!qs.backoff_timer) qs.backoff_timer = std::make_unique<boost::asio::steady_timer>(io_);
  qs.backing_off = true;
  qs.backoff_timer->expires_after(delay);
  qs.backoff_timer->async_wait([this, w = weak_from_this(), q](boost::system::error_code ec) {
    auto self = w.lock();
    if (!self) return;
    queues_[q].backing_off = false;
    if (!ec) poll(q);
  });
}

// ---- messages ---------------------------------------------------------------------------------

void ConsumerCore::admit_message(std::size_t q, Message m) {
  auto& qs = queues_[q];
  const auto now = SteadyClock::now();
  if (phase_ != Phase::running && phase_ != Phase::paused) {
    // Received while stopping (a receive that answered before its cancellation): not handled,
    // visible again at once.
    qs.changes.add({m.receipt_handle, 0, 0, Change::Why::release}, now);
    ++summary_.released;
    ++qs.metrics.released;
    return;
  }
  const std::uint64_t id = ++next_id_;
  InFlight e;
  e.queue = q;
  e.receipt_handle = m.receipt_handle;
  if (auto it = m.attributes.find("ApproximateReceiveCount"); it != m.attributes.end()) {
    try {
      e.receive_count = std::max(1, std::stoi(it->second));
    } catch (const std::exception&) {
    }
  }
  if (auto it = m.attributes.find("MessageGroupId"); it != m.attributes.end()) e.group = it->second;
  e.bytes = m.body.size();
  e.received_at = now;
  e.visible_until = now + std::chrono::seconds(visibility_of(q));
  auto state = std::make_shared<Delivery::State>();
  state->core = weak_from_this();
  state->id = id;
  e.message = std::make_shared<const Message>(std::move(m));
  state->message = e.message;
  state->context = MessageContext{q, e.receive_count, now, e.stop.get_token()};
  e.held = std::move(state);
  const std::string group = e.group;
  bytes_ += e.bytes;
  in_flight_.emplace(id, std::move(e));
  ++qs.in_flight;
  if (qs.fifo && !group.empty()) {
    auto waiting = qs.waiting.find(group);
    if (qs.busy.count(group) || (waiting != qs.waiting.end() && !waiting->second.empty())) {
      qs.waiting[group].push_back(id);  // after the group's message in a handler
      return;
    }
    qs.busy.insert(group);
  }
  start_handler(id);
}

void ConsumerCore::start_handler(std::uint64_t id) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  auto& e = it->second;
  e.started = true;
  e.started_at = SteadyClock::now();
  if (std::holds_alternative<BatchHandler>(handler_)) return add_to_batch(std::move(e.held));
  run_handler(std::move(e.held));
}

void ConsumerCore::add_to_batch(std::shared_ptr<Delivery::State> state) {
  batch_.push_back(std::move(state));
  // Full (or no linger): at once; otherwise once the first has waited the linger.
  if (batch_.size() >= options_.batch_size || options_.batch_linger.count() == 0) {
    return dispatch_batch();
  }
  if (batch_.size() == 1) {
    batch_timer_.expires_after(options_.batch_linger);
    batch_timer_.async_wait([this, w = weak_from_this()](boost::system::error_code ec) {
      auto self = w.lock();
      if (self && !ec && !batch_.empty()) dispatch_batch();
    });
  }
}

void ConsumerCore::dispatch_batch() {
  batch_timer_.cancel();
  auto batch = std::move(batch_);
  batch_.clear();
  if (batch.empty()) return;
  if (!workers_) return run_batch(std::move(batch));
  const std::uint64_t first = batch.front()->id;
  std::vector<std::uint64_t> ids;
  for (const auto& s : batch) ids.push_back(s->id);
  batch_members_[first] = std::move(ids);
  workers_->post(first,
                 [this, batch = std::move(batch)]() mutable { run_batch(std::move(batch)); });
}

// On a worker thread (or the loop, inline): one call of the batch handler, one settlement each.
void ConsumerCore::run_batch(std::vector<std::shared_ptr<Delivery::State>> batch) {
  const auto& handler = std::get<BatchHandler>(handler_);
  std::vector<BatchItem> items;
  items.reserve(batch.size());
  for (const auto& s : batch) items.push_back({*s->message, s->context});
  std::vector<Outcome> outcomes;
  try {
    outcomes = handler(std::span<const BatchItem>(items));
  } catch (const std::exception& ex) {
    if (hooks_.on_handler_error) hooks_.on_handler_error(*batch.front()->message, ex.what());
    outcomes.assign(batch.size(), Outcome::retry());
  } catch (...) {
    outcomes.assign(batch.size(), Outcome::retry());
  }
  if (outcomes.size() != batch.size()) {
    if (hooks_.on_handler_error) {
      hooks_.on_handler_error(*batch.front()->message,
                              "the batch handler returned " + std::to_string(outcomes.size()) +
                                  " outcomes for " + std::to_string(batch.size()) +
                                  " messages: the missing ones are retried");
    }
    outcomes.resize(batch.size(), Outcome::retry());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Outcome o = outcomes[i].kind() == Outcome::Kind::later ? Outcome::keep() : outcomes[i];
    if (!batch[i]->settled.exchange(true)) settle(batch[i]->id, o);
  }
}

void ConsumerCore::run_handler(std::shared_ptr<Delivery::State> state) {
  const std::uint64_t id = state->id;
  if (auto* async = std::get_if<AsyncHandler>(&handler_)) {
    try {
      (*async)(Delivery(std::move(state)));
    } catch (const std::exception& ex) {
      if (hooks_.on_handler_error) hooks_.on_handler_error(*in_flight_.at(id).message, ex.what());
      ++queues_[in_flight_.at(id).queue].metrics.handler_errors;
      settle(id, Outcome::retry());
    } catch (...) {
      settle(id, Outcome::retry());
    }
    return;
  }
  const auto& sync = std::get<SyncHandler>(handler_);
  auto run = [this, &sync, state = std::move(state)]() mutable {
    Outcome outcome = Outcome::retry();
    try {
      outcome = sync(*state->message, state->context);
    } catch (const std::exception& ex) {
      if (hooks_.on_handler_error) hooks_.on_handler_error(*state->message, ex.what());
      outcome = Outcome::retry();
    } catch (...) {
      if (hooks_.on_handler_error) hooks_.on_handler_error(*state->message, "unknown exception");
      outcome = Outcome::retry();
    }
    // A sync handler cannot settle later: "later" leaves the message as it is.
    if (outcome.kind() == Outcome::Kind::later) outcome = Outcome::keep();
    if (!state->settled.exchange(true)) settle(state->id, outcome);
  };
  if (workers_) {
    workers_->post(id, std::move(run));
  } else {
    run();
  }
}

void ConsumerCore::finish(std::uint64_t id, Outcome outcome) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;  // abandoned by a stop, or released
  InFlight e = std::move(it->second);
  in_flight_.erase(it);
  --queues_[e.queue].in_flight;
  batch_members_.erase(id);  // (keyed by a batch's first message: its task has run)
  bytes_ -= std::min(bytes_, e.bytes);
  auto& qs = queues_[e.queue];
  const auto now = SteadyClock::now();
  if (options_.ack_mode == AckMode::always) outcome = Outcome::ack();
  if (outcome.kind() == Outcome::Kind::later) outcome = Outcome::keep();
  ++qs.metrics.handled;
  switch (outcome.kind()) {
    case Outcome::Kind::ack:
      qs.deletes.add({e.receipt_handle, 1}, now);
      break;
    case Outcome::Kind::retry: {
      auto delay =
          outcome.delay() ? *outcome.delay() : retry_delay(options_.retry, e.receive_count, rng_);
      const int seconds = static_cast<int>(std::clamp<long long>(delay.count(), 0, kMaxVisibility));
      qs.changes.add({e.receipt_handle, seconds, 0, Change::Why::retry}, now);
      ++qs.metrics.retried;
      break;
    }
    case Outcome::Kind::keep:
    case Outcome::Kind::later:
      ++qs.metrics.kept;
      break;
  }
  if (hooks_.on_handled && e.message) {
    const MessageContext context{e.queue, e.receive_count, e.received_at, e.stop.get_token()};
    hooks_.on_handled(*e.message, context, outcome, now - e.started_at);
  }
  if (qs.fifo && !e.group.empty()) {
    qs.busy.erase(e.group);
    if (outcome.kind() == Outcome::Kind::ack) {
      next_of_group(e.queue, e.group);
    } else {
      // The group's later messages must not overtake this one: SQS delivers them again, in
      // order, after it.
      release_group_after(e.queue, e.group);
    }
  }
  schedule_flush();
  poll_all();
  update_counts();
}

void ConsumerCore::next_of_group(std::size_t q, const std::string& group) {
  auto& qs = queues_[q];
  auto it = qs.waiting.find(group);
  if (it == qs.waiting.end()) return;
  while (!it->second.empty()) {
    const std::uint64_t id = it->second.front();
    it->second.pop_front();
    if (!in_flight_.count(id)) continue;
    qs.busy.insert(group);
    if (it->second.empty()) qs.waiting.erase(it);
    start_handler(id);
    return;
  }
  qs.waiting.erase(it);
}

void ConsumerCore::release_group_after(std::size_t q, const std::string& group) {
  auto& qs = queues_[q];
  auto it = qs.waiting.find(group);
  if (it == qs.waiting.end()) return;
  const auto now = SteadyClock::now();
  for (std::uint64_t id : it->second) {
    auto m = in_flight_.find(id);
    if (m == in_flight_.end()) continue;
    qs.changes.add({m->second.receipt_handle, 0, 0, Change::Why::release}, now);
    bytes_ -= std::min(bytes_, m->second.bytes);
    in_flight_.erase(m);
    --qs.in_flight;
    ++qs.metrics.released;
  }
  qs.waiting.erase(it);
}

void ConsumerCore::release_unstarted() {
  const auto now = SteadyClock::now();
  std::vector<std::uint64_t> ids;
  if (workers_) {
    for (std::uint64_t id : workers_->take_unstarted()) {
      if (auto b = batch_members_.find(id); b != batch_members_.end()) {
        ids.insert(ids.end(), b->second.begin(), b->second.end());
      } else {
        ids.push_back(id);
      }
    }
  }
  // A batch still gathering has not started either.
  for (const auto& s : batch_) ids.push_back(s->id);
  batch_.clear();
  batch_timer_.cancel();
  for (auto& qs : queues_) {
    for (auto& [group, waiting] : qs.waiting) ids.insert(ids.end(), waiting.begin(), waiting.end());
    qs.waiting.clear();
  }
  for (std::uint64_t id : ids) {
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) continue;
    auto& qs = queues_[it->second.queue];
    qs.changes.add({it->second.receipt_handle, 0, 0, Change::Why::release}, now);
    bytes_ -= std::min(bytes_, it->second.bytes);
    ++qs.metrics.released;
    ++summary_.released;
    in_flight_.erase(it);
    --qs.in_flight;
  }
}

// ---- acknowledgements -------------------------------------------------------------------------

std::optional<SteadyClock::time_point> ConsumerCore::next_flush_due() const {
  std::optional<SteadyClock::time_point> due;
  for (const auto& qs : queues_) {
    for (auto d : {qs.deletes.due(), qs.changes.due()}) {
      if (d && (!due || *d < *due)) due = d;
    }
  }
  return due;
}

void ConsumerCore::schedule_flush() {
  const auto due = next_flush_due();
  if (!due) return;
  const auto now = SteadyClock::now();
  if (*due <= now) return flush(false);
  if (flush_armed_ && *flush_armed_ <= *due) return;
  flush_armed_ = *due;
  flush_timer_.expires_at(*due);
  flush_timer_.async_wait([this, w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!self || ec) return;
    flush_armed_.reset();
    flush(false);
  });
}

void ConsumerCore::flush(bool force) {
  const auto now = SteadyClock::now();
  for (std::size_t q = 0; q < queues_.size(); ++q) {
    auto& qs = queues_[q];
    for (auto batch = qs.deletes.take(now, force); !batch.empty();
         batch = qs.deletes.take(now, force)) {
      send_deletes(q, std::move(batch));
    }
    for (auto batch = qs.changes.take(now, force); !batch.empty();
         batch = qs.changes.take(now, force)) {
      send_changes(q, std::move(batch));
    }
  }
  if (!force) {
    // What is left is not due yet: the timer is armed for it again.
    flush_armed_.reset();
    flush_timer_.cancel();
    schedule_flush();
  }
}

void ConsumerCore::send_deletes(std::size_t q, std::vector<Delete> batch) {
  std::vector<std::string> handles;
  handles.reserve(batch.size());
  for (const auto& d : batch) handles.push_back(d.receipt_handle);
  ++calls_out_;
  queues_[q].executor.async_delete_batch(
      handles, [w = weak_from_this(), q, batch = std::move(batch)](Result<BatchOutcome> r) mutable {
        if (auto self = w.lock()) {
          self->post([s = self.get(), q, batch = std::move(batch), r = std::move(r)]() mutable {
            s->on_deletes(q, std::move(batch), std::move(r));
          });
        }
      });
}

template <class Entry>
void ConsumerCore::retry_later(std::size_t q, Entry entry, const std::string& code,
                               const std::string& message, bool retryable) {
  constexpr bool is_delete = std::is_same_v<Entry, Delete>;
  auto& qs = queues_[q];
  if (!retryable || entry.attempt >= options_.ack_attempts) {
    ++qs.metrics.ack_failures;
    if (is_delete) ++summary_.acks_failed;
    if (hooks_.on_ack) {
      Error e = Error::make(ErrorKind::service, code, message);
      hooks_.on_ack(q, entry.receipt_handle, &e);
    }
    return;
  }
  // 200 ms, 800 ms, 3.2 s...: a region that is briefly down gets its acknowledgements later.
  const auto delay = std::chrono::milliseconds(200) * (1 << (2 * (entry.attempt - 1)));
  ++entry.attempt;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  ++calls_out_;  // counted as out while it waits: a stop waits for it (within its deadline)
  timer->async_wait([this, w = weak_from_this(), timer, q,
                     entry = std::move(entry)](boost::system::error_code) mutable {
    auto self = w.lock();
    if (!self) return;
    --calls_out_;
    const auto now = SteadyClock::now();
    if constexpr (is_delete) {
      queues_[q].deletes.add(std::move(entry), now);
    } else {
      queues_[q].changes.add(std::move(entry), now);
    }
    schedule_flush();
    update_counts();
  });
}

void ConsumerCore::on_deletes(std::size_t q, std::vector<Delete> batch, Result<BatchOutcome> r) {
  --calls_out_;
  auto& qs = queues_[q];
  const bool stopping = phase_ == Phase::stopping || phase_ == Phase::stopped;
  if (stopping) summary_.acks_flushed += batch.size();
  if (!r) {
    const auto& e = r.error();
    for (auto& d : batch) retry_later(q, std::move(d), e.code, e.message, !e.sender_fault);
  } else {
    for (std::size_t i : r->successful) {
      ++qs.metrics.acked;
      if (hooks_.on_ack) hooks_.on_ack(q, batch.at(i).receipt_handle, nullptr);
    }
    for (const auto& f : r->failed) {
      retry_later(q, std::move(batch.at(f.index)), f.code, f.message,
                  !f.sender_fault && !message_gone(f.code));
    }
  }
  schedule_flush();
  update_counts();
}

void ConsumerCore::send_changes(std::size_t q, std::vector<Change> batch) {
  std::vector<VisibilityChange> changes;
  changes.reserve(batch.size());
  for (const auto& c : batch) changes.push_back({c.receipt_handle, c.visibility});
  ++calls_out_;
  queues_[q].executor.async_run<BatchOutcome>(
      [changes = std::move(changes)](const Queue& queue, Queue::BatchOutcomeHandler done) {
        queue.start_change_visibility_batch(changes, std::move(done));
      },
      [w = weak_from_this(), q, batch = std::move(batch)](Result<BatchOutcome> r) mutable {
        if (auto self = w.lock()) {
          self->post([s = self.get(), q, batch = std::move(batch), r = std::move(r)]() mutable {
            s->on_changes(q, std::move(batch), std::move(r));
          });
        }
      });
}

void ConsumerCore::on_changes(std::size_t q, std::vector<Change> batch, Result<BatchOutcome> r) {
  --calls_out_;
  auto gone = [&](const Change& c) {
    // A heartbeat for a message that is gone: its handler's work is lost, tell it.
    if (c.why != Change::Why::heartbeat) return;
    if (auto it = in_flight_.find(c.id); it != in_flight_.end()) it->second.stop.request_stop();
  };
  if (!r) {
    const auto& e = r.error();
    for (auto& c : batch) {
      // A heartbeat is not sent again: the next tick sends a fresh one if still needed.
      if (c.why == Change::Why::heartbeat) continue;
      retry_later(q, std::move(c), e.code, e.message, !e.sender_fault);
    }
  } else {
    for (const auto& f : r->failed) {
      auto& c = batch.at(f.index);
      if (message_gone(f.code)) gone(c);
      if (c.why == Change::Why::heartbeat) continue;
      retry_later(q, std::move(c), f.code, f.message, !f.sender_fault && !message_gone(f.code));
    }
  }
  schedule_flush();
  update_counts();
}

// ---- the periodic check: heartbeats, handler timeouts, the watchdog ---------------------------

void ConsumerCore::tick() {
  if (phase_ == Phase::stopped) return;
  const auto now = SteadyClock::now();
  const auto& hb = options_.heartbeat;
  std::chrono::milliseconds period{1000};
  for (auto& [id, e] : in_flight_) {
    if (!e.started) continue;
    if (options_.handler_timeout && now - e.started_at >= *options_.handler_timeout) {
      e.stop.request_stop();
    }
    if (!hb.enabled) continue;
    const std::chrono::seconds visibility(visibility_of(e.queue));
    const auto threshold = hb.threshold.value_or(visibility / 2);
    if (e.visible_until - now > threshold) continue;
    auto extend = hb.extend_by.value_or(visibility);
    // Never past 12 h after the receive, nor past max_extension in all.
    const auto left_12h = std::chrono::duration_cast<std::chrono::seconds>(
        e.received_at + std::chrono::hours(12) - now);
    extend = std::min({extend, left_12h, hb.max_extension - e.extended});
    if (extend <= std::chrono::seconds::zero()) continue;
    queues_[e.queue].changes.add(
        {e.receipt_handle, static_cast<int>(extend.count()), id, Change::Why::heartbeat}, now);
    e.extended += extend;
    e.visible_until = now + extend;
    ++queues_[e.queue].metrics.extended;
    if (hooks_.on_extended) hooks_.on_extended(e.queue, e.message->message_id, extend);
  }
  // Small visibility timeouts need a finer check.
  for (std::size_t q = 0; q < queues_.size(); ++q) {
    const auto v = std::chrono::seconds(visibility_of(q));
    const auto t = hb.threshold.value_or(v / 2);
    period = std::min(period,
                      std::max<std::chrono::milliseconds>(std::chrono::milliseconds(100), t / 4));
  }
  if (options_.handler_timeout) {
    period = std::min(period, std::max<std::chrono::milliseconds>(std::chrono::milliseconds(10),
                                                                  *options_.handler_timeout / 4));
  }
  // The watchdog: a receive out for twice its expected time is given up (cancelled) and
  // replaced.
  for (std::size_t q = 0; q < queues_.size(); ++q) {
    const auto limit = 2 * receive_expected(q);
    for (auto& [n, receive] : queues_[q].receives) {
      if (receive.abandoned || now - receive.started < limit) continue;
      receive.abandoned = true;
      ++queues_[q].metrics.watchdog_restarts;
      if (hooks_.on_watchdog_restart) hooks_.on_watchdog_restart(q);
      receive.signal->emit(boost::asio::cancellation_type::terminal);
    }
  }
  schedule_flush();
  update_counts();
  tick_timer_.expires_after(period);
  tick_timer_.async_wait([this, w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!self || ec) return;
    tick();
  });
}

// ---- what other threads see -------------------------------------------------------------------

void ConsumerCore::update_counts() {
  bool receives_out = false;
  for (const auto& qs : queues_) receives_out = receives_out || !qs.receives.empty();
  std::lock_guard lock(mutex_);
  ConsumerQueueMetrics total;
  for (std::size_t q = 0; q < queues_.size(); ++q) {
    auto m = queues_[q].metrics;
    m.in_flight = queues_[q].in_flight;
    snapshot_.queues[q] = m;
    total.received += m.received;
    total.handled += m.handled;
    total.acked += m.acked;
    total.retried += m.retried;
    total.kept += m.kept;
    total.released += m.released;
    total.extended += m.extended;
    total.ack_failures += m.ack_failures;
    total.handler_errors += m.handler_errors;
    total.receives += m.receives;
    total.empty_receives += m.empty_receives;
    total.poll_errors += m.poll_errors;
    total.watchdog_restarts += m.watchdog_restarts;
    total.in_flight += m.in_flight;
    if (m.last_receive && (!total.last_receive || *m.last_receive > *total.last_receive)) {
      total.last_receive = m.last_receive;
    }
  }
  snapshot_.total = total;
  shown_phase_ = phase_;
  bool pending_acks = false;
  for (const auto& qs : queues_)
    pending_acks = pending_acks || !qs.deletes.empty() || !qs.changes.empty();
  quiet_ = in_flight_.empty() && !receives_out && calls_out_ == 0 && !pending_acks;
  changed_.notify_all();
}

}  // namespace detail
}  // namespace sqs
