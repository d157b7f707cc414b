// The breaker's state machine. Everything mutable lives in Core, behind one spin lock; the
// state word (epoch + mode) is published in an atomic so that ready() on a closed breaker needs
// no lock. Every state change bumps the epoch: a permit remembers the epoch it was admitted in,
// and an outcome from an older epoch is not counted (a long poll that started before the
// breaker opened must not re-open it when it times out during half-open).
#include <deque>
#include <random>
#include <utility>
#include <vector>

#include "resilience/back_off.hpp"
#include "resilience/outcome_window.hpp"
#include "resilience/spin_lock.hpp"
#include "sqs/circuit_breaker.hpp"

namespace sqs {
namespace {

constexpr std::uint64_t mode_of(CircuitState state) noexcept {
  return static_cast<std::uint64_t>(state);  // closed 0, open 1, half_open 2
}
static_assert(mode_of(CircuitState::closed) == 0 && mode_of(CircuitState::open) == 1 &&
              mode_of(CircuitState::half_open) == 2);

std::uint64_t jitter_seed(const CircuitBreakerOptions& options) {
  if (options.jitter_seed) return *options.jitter_seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::string_view to_string(CircuitState state) noexcept {
  switch (state) {
    case CircuitState::closed:
      return "closed";
    case CircuitState::open:
      return "open";
    case CircuitState::half_open:
      return "half-open";
  }
  return "unknown";
}

std::string_view to_string(CallOutcome outcome) noexcept {
  switch (outcome) {
    case CallOutcome::success:
      return "success";
    case CallOutcome::failure:
      return "failure";
    case CallOutcome::ignore:
      return "ignore";
  }
  return "unknown";
}

struct CircuitBreaker::Core {
  enum class Forced : std::uint8_t { none, open, closed };

  Core(CircuitBreaker& self, CircuitBreakerOptions opts)
      : self(self),
        options(std::move(opts)),
        clock(options.clock ? options.clock : Clock::system()),
        trip(options.should_trip ? options.should_trip : trip_on_failures(10)),
        successes_to_close(options.half_open_successes > 0 ? options.half_open_successes : 4),
        max_probes(options.half_open_max_probes > 0 ? options.half_open_max_probes
                                                    : successes_to_close),
        interval(options.window.kind == SlidingWindow::Kind::none ? options.interval
                                                                  : std::chrono::nanoseconds(0)),
        slow(options.slow_call_threshold),
        needs_now(interval.count() > 0 || options.window.kind == SlidingWindow::Kind::time ||
                  slow.count() > 0),
        window(options.window),
        back_off(options.open_timeout, options.open_back_off, jitter_seed(options)) {
    const auto now = clock->now();
    last_transition = now;
    period_end = now + interval;
    window.clear(now);
  }

  // --- configuration (immutable) ---
  CircuitBreaker& self;
  const CircuitBreakerOptions options;
  const std::shared_ptr<Clock> clock;
  const TripFunction trip;
  const int successes_to_close;
  const int max_probes;
  const std::chrono::nanoseconds interval;  // zero when unused
  const std::chrono::nanoseconds slow;
  const bool needs_now;  // done() must read the clock

  // --- state, guarded by `lock` ---
  alignas(64) detail::SpinLock lock;
  CircuitState state = CircuitState::closed;
  Forced forced = Forced::none;
  bool shutting_down = false;
  std::uint64_t epoch = 0;
  Counters counters;
  Clock::time_point period_end{};
  detail::OutcomeWindow window;
  int probes = 0;
  detail::OpenBackOff back_off;
  std::optional<Clock::time_point> half_open_at;
  std::chrono::nanoseconds last_open_timeout{0};
  std::uint64_t transitions = 0;
  Clock::time_point last_transition{};
  std::uint64_t total_successes = 0, total_failures = 0, total_slow = 0, total_ignored = 0,
                total_rejected = 0, total_stale = 0;
  // Open-period timers not known to be finished: the destructor must wait for a running one.
  std::vector<TimerHandle> timers;
  std::deque<std::pair<CircuitState, CircuitState>> hooks;  // changes not yet reported
  bool delivering = false;

  void publish() noexcept {
    self.word_.store((epoch << kModeBits) | mode_of(state), std::memory_order_release);
  }

  // Lock held. Moves to `to` (or restarts the current state: fresh counters, new epoch).
  void enter(CircuitState to) {
    const auto now = clock->now();
    const CircuitState from = state;
    state = to;
    ++epoch;
    counters = {};
    probes = 0;
    half_open_at.reset();
    // A stale timer would find the epoch changed and do nothing; cancelling it frees the timer
    // thread sooner. Running ones stay listed until they finish.
    for (auto& timer : timers) timer.cancel();
    std::erase_if(timers, [](const TimerHandle& t) { return t.finished(); });
    if (from != to) {
      ++transitions;
      last_transition = now;
      if (options.on_state_change) hooks.emplace_back(from, to);
    }
    switch (to) {
      case CircuitState::closed:
        back_off.reset();
        period_end = now + interval;
        window.clear(now);
        break;
      case CircuitState::open:
        if (forced != Forced::open && !shutting_down) {
          last_open_timeout = back_off.next();
          half_open_at = now + last_open_timeout;
          CircuitBreaker* breaker = &self;
          timers.push_back(
              clock->schedule(*half_open_at, [breaker, e = epoch] { breaker->on_open_timer(e); }));
        }
        break;
      case CircuitState::half_open:
        break;
    }
    publish();
  }

  // Lock held. Brings a closed breaker's counters up to `now`: a new interval starts from
  // zero; a time window drops what aged out.
  void refresh(Clock::time_point now) noexcept {
    if (state != CircuitState::closed) return;
    if (window.enabled()) {
      window.expire(now);
      counters.successes = window.successes();
      counters.failures = window.failures();
    } else if (interval.count() > 0 && now >= period_end) {
      counters = {};
      period_end += ((now - period_end) / interval + 1) * interval;
    }
  }

  void count(bool failure, Clock::time_point now) noexcept {
    refresh(now);
    if (failure) {
      ++counters.failures;
      ++counters.consecutive_failures;
      counters.consecutive_successes = 0;
    } else {
      ++counters.successes;
      ++counters.consecutive_successes;
      counters.consecutive_failures = 0;
    }
    if (state == CircuitState::closed && window.enabled()) {
      window.add(failure, now);
      counters.successes = window.successes();
      counters.failures = window.failures();
    }
  }

  // Lock held. Returns true when state changes wait to be reported.
  bool record(const Permit& permit, CallOutcome outcome, bool was_slow, Clock::time_point now) {
    if (permit.epoch_ != epoch) {
      ++total_stale;
      return false;
    }
    if (permit.probe_) --probes;
    switch (outcome) {
      case CallOutcome::ignore:
        ++total_ignored;
        return false;
      case CallOutcome::success:
        ++total_successes;
        count(false, now);
        if (state == CircuitState::half_open &&
            counters.consecutive_successes >= successes_to_close) {
          enter(CircuitState::closed);
        }
        break;
      case CallOutcome::failure:
        ++total_failures;
        if (was_slow) ++total_slow;
        count(true, now);
        if (state == CircuitState::half_open ||
            (state == CircuitState::closed && forced == Forced::none && trip(counters))) {
          enter(CircuitState::open);
        }
        break;
    }
    return !hooks.empty();
  }
};

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options)
    : timed_(options.slow_call_threshold.count() > 0),
      core_(std::make_unique<Core>(*this, std::move(options))) {
  core_->publish();
}

CircuitBreaker::~CircuitBreaker() {
  std::vector<TimerHandle> timers;
  {
    std::lock_guard lock(core_->lock);
    core_->shutting_down = true;
    timers = std::move(core_->timers);
  }
  for (auto& timer : timers) timer.cancel_and_wait();
}

CircuitBreaker::Permit CircuitBreaker::ready_slow() noexcept {
  Core& c = *core_;
  // A permit's start time (slow-call rule) needs the precise clock; the open-period check is
  // fine to a few ms (the timer makes the move on time anyway).
  const auto now = timed_ ? c.clock->now() : c.clock->coarse_now();
  Permit permit;
  bool report = false;
  {
    std::lock_guard lock(c.lock);
    // Normally the timer has done this already; a clock whose callbacks run late (or a
    // caller racing the timer thread) must not keep a queue out longer than its open period.
    if (c.state == CircuitState::open && c.half_open_at && now >= *c.half_open_at) {
      c.enter(CircuitState::half_open);
    }
    switch (c.state) {
      case CircuitState::closed:
        permit = Permit(this, c.epoch, false, now);
        break;
      case CircuitState::half_open:
        if (c.probes < c.max_probes) {
          ++c.probes;
          permit = Permit(this, c.epoch, true, now);
        } else {
          ++c.total_rejected;
          permit.refused_half_open_ = true;
        }
        break;
      case CircuitState::open:
        ++c.total_rejected;
        break;
    }
    report = !c.hooks.empty();
  }
  if (report) deliver_hooks();
  return permit;
}

void CircuitBreaker::done(Permit&& permit, CallOutcome outcome) noexcept {
  if (permit.breaker_ == nullptr) return;
  if (permit.breaker_ != this) {  // someone else's permit: settle it there
    permit.breaker_->done(std::move(permit), outcome);
    return;
  }
  permit.breaker_ = nullptr;
  Core& c = *core_;
  Clock::time_point now{};
  if (c.slow.count() > 0) {
    now = c.clock->now();  // a call's duration needs the precise clock
  } else if (c.needs_now) {
    now = c.clock->coarse_now();  // intervals and windows are fine to a few ms
  }
  bool was_slow = false;
  if (outcome == CallOutcome::success && c.slow.count() > 0 && now - permit.start_ > c.slow) {
    outcome = CallOutcome::failure;
    was_slow = true;
  }
  bool report;
  {
    std::lock_guard lock(c.lock);
    report = c.record(permit, outcome, was_slow, now);
  }
  if (report) deliver_hooks();
}

void CircuitBreaker::slow(Permit&& permit) noexcept {
  if (permit.breaker_ == nullptr) return;
  if (permit.breaker_ != this) {
    permit.breaker_->slow(std::move(permit));
    return;
  }
  permit.breaker_ = nullptr;
  Core& c = *core_;
  const auto now = c.needs_now ? c.clock->coarse_now() : Clock::time_point{};
  bool report;
  {
    std::lock_guard lock(c.lock);
    report = c.record(permit, CallOutcome::failure, true, now);
  }
  if (report) deliver_hooks();
}

CallOutcome CircuitBreaker::done(Permit&& permit, const Error& error) noexcept {
  const CallOutcome outcome = classify(error);
  done(std::move(permit), outcome);
  return outcome;
}

CallOutcome CircuitBreaker::classify(const Error& error) const {
  // Refusals before sending say nothing of the queue, whatever the user's classification says.
  if (error.kind == ErrorKind::circuit_open || error.kind == ErrorKind::bulkhead_full) {
    return CallOutcome::ignore;
  }
  const auto& options = core_->options;
  return options.classify ? options.classify(error) : default_call_outcome(error, options);
}

Error CircuitBreaker::refusal(const Permit& refused) const {
  return Error::make(ErrorKind::circuit_open, std::string(kCircuitOpenCode),
                     refused.refused_half_open_ ? "circuit breaker half-open: probe limit reached"
                                                : "circuit breaker open");
}

void CircuitBreaker::on_open_timer(std::uint64_t epoch) noexcept {
  Core& c = *core_;
  {
    std::lock_guard lock(c.lock);
    if (epoch != c.epoch || c.state != CircuitState::open || c.forced != Core::Forced::none) return;
    c.enter(CircuitState::half_open);
  }
  deliver_hooks();
}

// One thread at a time reports changes, in order, without the lock: whoever finds changes
// queued and nobody reporting takes the job until the queue is empty. A hook that changes the
// state queues its change, and the loop it is called from reports it next.
void CircuitBreaker::deliver_hooks() noexcept {
  Core& c = *core_;
  std::unique_lock lock(c.lock);
  if (c.delivering) return;
  c.delivering = true;
  while (!c.hooks.empty()) {
    const auto [from, to] = c.hooks.front();
    c.hooks.pop_front();
    lock.unlock();
    c.options.on_state_change(from, to);
    lock.lock();
  }
  c.delivering = false;
}

CircuitState CircuitBreaker::state() const noexcept {
  return static_cast<CircuitState>(word_.load(std::memory_order_acquire) & kModeMask);
}

CircuitBreaker::Counters CircuitBreaker::counters() const {
  Core& c = *core_;
  const auto now = c.clock->now();
  std::lock_guard lock(c.lock);
  c.refresh(now);
  return c.counters;
}

CircuitBreaker::Metrics CircuitBreaker::metrics() const {
  Core& c = *core_;
  const auto now = c.clock->now();
  std::lock_guard lock(c.lock);
  c.refresh(now);
  Metrics m;
  m.state = c.state;
  m.forced = c.forced != Core::Forced::none;
  m.counters = c.counters;
  m.transitions = c.transitions;
  m.last_transition = c.last_transition;
  m.half_open_at = c.half_open_at;
  m.last_open_timeout = c.last_open_timeout;
  m.probes_in_flight = c.probes;
  m.successes = c.total_successes;
  m.failures = c.total_failures;
  m.slow_calls = c.total_slow;
  m.ignored = c.total_ignored;
  m.rejected = c.total_rejected;
  m.stale = c.total_stale;
  return m;
}

void CircuitBreaker::reset() {
  {
    std::lock_guard lock(core_->lock);
    core_->forced = Core::Forced::none;
    core_->enter(CircuitState::closed);
  }
  deliver_hooks();
}

void CircuitBreaker::force_open() {
  {
    std::lock_guard lock(core_->lock);
    core_->forced = Core::Forced::open;
    core_->enter(CircuitState::open);
  }
  deliver_hooks();
}

void CircuitBreaker::force_closed() {
  {
    std::lock_guard lock(core_->lock);
    core_->forced = Core::Forced::closed;
    core_->enter(CircuitState::closed);
  }
  deliver_hooks();
}

void CircuitBreaker::clear() {
  {
    std::lock_guard lock(core_->lock);
    const auto was = std::exchange(core_->forced, Core::Forced::none);
    if (was == Core::Forced::open) core_->enter(CircuitState::half_open);
  }
  deliver_hooks();
}

}  // namespace sqs
