// A circuit breaker: stop sending work to something that keeps failing, and find out by itself
// when it works again. The design is that of mercari/go-circuitbreaker (same states, counters,
// trip functions and defaults), plus: state-change hooks run outside the lock and in order;
// the open -> half-open move happens on time even when nobody calls (a shared timer thread, not
// one per breaker); a cap on concurrent half-open probes; sliding windows and a slow-call rule;
// outcomes of calls admitted before a state change are not held against the new state.
//
//   closed --(trip function says so, on a failure)--> open
//   open --(open timeout: fixed, or exponential back-off)--> half-open
//   half-open --(N consecutive probe successes)--> closed
//   half-open --(any probe failure)--> open
//
// Two ways to use it:
//   auto result = breaker.run([&] { return queue.send(...); });   // Result<T>; circuit_open
//                                                                  // error if refused
// or, for asynchronous calls, in two steps:
//   auto permit = breaker.ready();
//   if (!permit) return breaker.refusal(permit);
//   ... later, exactly once: breaker.done(std::move(permit), result_or_error_or_outcome);
// A permit dropped without done() (an exception, a lost callback) counts as "ignore".
//
// Thread-safe. ready() on a closed breaker reads one atomic; done() takes a short spin lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "sqs/clock.hpp"
#include "sqs/error.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

enum class CircuitState : std::uint8_t { closed, open, half_open };
std::string_view to_string(CircuitState state) noexcept;  // "closed", "open", "half-open"

// What a finished call means to the breaker.
enum class CallOutcome : std::uint8_t {
  success,  // counts as a success (also used for errors that prove the queue works)
  failure,  // counts as a failure
  ignore,   // not counted at all (the caller's own fault, a cancelled call...)
};
std::string_view to_string(CallOutcome outcome) noexcept;

// Counters of the current state period. While closed they cover the current interval (or the
// sliding window); every state change starts them from zero.
struct CircuitBreakerCounters {
  std::int64_t successes = 0;
  std::int64_t failures = 0;
  std::int64_t consecutive_successes = 0;
  std::int64_t consecutive_failures = 0;
  friend bool operator==(const CircuitBreakerCounters&, const CircuitBreakerCounters&) = default;
};

// Decides, after each failure while closed, whether to open.
using TripFunction = std::function<bool(const CircuitBreakerCounters&)>;
TripFunction trip_on_failures(std::int64_t threshold);              // failures >= threshold
TripFunction trip_on_consecutive_failures(std::int64_t threshold);  // consecutive >= threshold
// failures / (successes + failures) >= rate, once successes + failures >= min_calls.
TripFunction trip_on_failure_rate(std::int64_t min_calls, double rate);

// How long an open period lasts when no fixed open_timeout is set: the n-th consecutive open
// period (counting from 0 since the breaker last closed) lasts
//   min(initial * multiplier^n, max) * (1 + jitter * u),  u uniform in [-1, 1].
// The defaults are those of the Go design (cenkalti/backoff): 500 ms, x1.5, +-50 %, 60 s, and
// never giving up. Note the jitter applies after the cap: a capped period lies in [30 s, 90 s].
struct ExponentialBackOff {
  std::chrono::nanoseconds initial = std::chrono::milliseconds(500);
  double multiplier = 1.5;
  double jitter = 0.5;  // 0 = none; must be in [0, 1]
  std::chrono::nanoseconds max = std::chrono::seconds(60);
};

// Instead of resetting the counters every interval, count the last calls only.
struct SlidingWindow {
  enum class Kind : std::uint8_t { none, count, time };
  Kind kind = Kind::none;
  std::size_t calls = 100;                                   // Kind::count: the last `calls` calls
  std::chrono::nanoseconds span = std::chrono::seconds(10);  // Kind::time: the last `span`...
  std::size_t buckets = 10;  // ...in `buckets` steps: calls leave the window span/buckets at a time

  static SlidingWindow last_calls(std::size_t n) { return {Kind::count, n, {}, 1}; }
  static SlidingWindow last(std::chrono::nanoseconds span, std::size_t buckets = 10) {
    return {Kind::time, 0, span, buckets};
  }
};

struct CircuitBreakerOptions {
  // While closed, the counters start again from zero every `interval` (the Go design's
  // "cyclic period"). Zero or less: never. Unused when a sliding window is set.
  std::chrono::nanoseconds interval = std::chrono::seconds(1);

  // Opens the breaker; asked after each counted failure while closed. Empty: failures >= 10.
  TripFunction should_trip;

  // Fixed length of an open period. Zero: use open_back_off instead (the default).
  std::chrono::nanoseconds open_timeout{0};
  ExponentialBackOff open_back_off;

  // Half-open closes after this many consecutive successful probes (any failure re-opens).
  // Zero or less: 4 (as in the Go design).
  int half_open_successes = 4;
  // At most this many probe calls at once while half-open; more are refused as if open.
  // Zero: half_open_successes.
  int half_open_max_probes = 0;

  SlidingWindow window;

  // A successful call that took longer than this counts as a failure. Zero: no such rule.
  // (Do not use it for long polls, whose success is slow by design.)
  std::chrono::nanoseconds slow_call_threshold{0};

  // Calls that ended because the CALLER gave up (ErrorKind::cancelled) are not counted unless
  // these say so. A caller's deadline is reported as ErrorKind::cancelled with the code
  // kDeadlineExceededCode; ErrorKind::timeout (the service or network did not answer in time)
  // is always a failure by default.
  bool fail_on_cancel = false;
  bool fail_on_deadline = false;

  // Replaces the default classification of errors (see default_call_outcome). Errors of kind
  // circuit_open are never counted, whatever this says.
  std::function<CallOutcome(const Error&)> classify;

  // Called on every state change with (from, to): outside the breaker's lock (it may call the
  // breaker, or anything else), one at a time, in the order the changes happened. It may run
  // on the timer thread, or on whichever thread caused the change. Keep it short (on the timer
  // thread it delays every other breaker's timer); it must not throw, nor destroy the breaker.
  std::function<void(CircuitState from, CircuitState to)> on_state_change;

  // Time source and timer. Empty: Clock::system().
  std::shared_ptr<Clock> clock;

  // Seed of the back-off jitter. Empty: random.
  std::optional<std::uint64_t> jitter_seed;
};

inline constexpr std::string_view kCircuitOpenCode = "CircuitOpen";
inline constexpr std::string_view kDeadlineExceededCode = "DeadlineExceeded";

// The default classification:
//  - ignore:  circuit_open; validation (the caller's bad input must not take a region out);
//             cancelled (unless fail_on_cancel / fail_on_deadline); service errors that are the
//             sender's fault (sender_fault or HTTP 4xx) and are none of the below;
//  - failure: transport, timeout, checksum, protocol, configuration; service errors with HTTP
//             5xx, or throttling, or that make the queue unusable (makes_queue_unusable), or
//             that are not the sender's fault.
CallOutcome default_call_outcome(const Error& error, const CircuitBreakerOptions& options);

// The queue cannot be used at all from here: it does not exist, or the credentials are refused,
// expired or lack access, or its KMS key is unusable. Such errors are failures even though
// SQS reports them as the sender's fault.
bool makes_queue_unusable(const Error& error) noexcept;
bool is_throttling_error(const Error& error) noexcept;

struct CircuitBreakerMetrics {
  CircuitState state = CircuitState::closed;
  bool forced = false;  // held in `state` by force_open() / force_closed()
  CircuitBreakerCounters counters;
  std::uint64_t transitions = 0;
  Clock::time_point last_transition{};            // creation time while transitions == 0
  std::optional<Clock::time_point> half_open_at;  // when open and not forced
  std::chrono::nanoseconds last_open_timeout{0};  // length chosen for the last open period
  int probes_in_flight = 0;
  // Lifetime totals.
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;  // including slow calls
  std::uint64_t slow_calls = 0;
  std::uint64_t ignored = 0;
  std::uint64_t rejected = 0;  // refused by ready() / run()
  std::uint64_t stale = 0;     // outcomes of calls admitted before a state change: not counted
};

class CircuitBreaker {
 public:
  using State = CircuitState;
  using Outcome = CallOutcome;
  using Counters = CircuitBreakerCounters;
  using Options = CircuitBreakerOptions;
  using Metrics = CircuitBreakerMetrics;

  // The right to make one call. Move-only; false when the breaker refused.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept { *this = std::move(other); }
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        abandon();
        breaker_ = std::exchange(other.breaker_, nullptr);
        epoch_ = other.epoch_;
        probe_ = other.probe_;
        refused_half_open_ = other.refused_half_open_;
        start_ = other.start_;
      }
      return *this;
    }
    ~Permit() { abandon(); }

    explicit operator bool() const noexcept { return breaker_ != nullptr; }
    bool probe() const noexcept { return probe_; }  // admitted as a half-open probe

   private:
    friend class CircuitBreaker;
    Permit(CircuitBreaker* breaker, std::uint64_t epoch, bool probe, Clock::time_point start)
        : breaker_(breaker), epoch_(epoch), probe_(probe), start_(start) {}
    void abandon() noexcept {
      if (breaker_ != nullptr) breaker_->done(std::move(*this), CallOutcome::ignore);
    }

    CircuitBreaker* breaker_ = nullptr;
    std::uint64_t epoch_ = 0;
    bool probe_ = false;
    bool refused_half_open_ = false;
    Clock::time_point start_{};
  };

  explicit CircuitBreaker(CircuitBreakerOptions options = {});
  // Cancels the open-period timer and waits for its callback if it is running elsewhere.
  ~CircuitBreaker();
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Step 1: may a call go ahead? A true permit must reach done() (or be dropped: "ignore").
  [[nodiscard]] Permit ready() noexcept {
    const std::uint64_t word = word_.load(std::memory_order_acquire);
    if ((word & kModeMask) == kModeClosed && !timed_) {
      return Permit(this, word >> kModeBits, false, {});
    }
    return ready_slow();
  }

  // Step 2: the call's outcome. Each consumes the permit; a refused permit is a no-op.
  void done(Permit&& permit, CallOutcome outcome) noexcept;
  CallOutcome done(Permit&& permit, const Error& error) noexcept;  // classifies, returns outcome
  template <class T>
  CallOutcome done(Permit&& permit, const Result<T>& result) noexcept {
    if (result.has_value()) {
      done(std::move(permit), CallOutcome::success);
      return CallOutcome::success;
    }
    return done(std::move(permit), result.error());
  }

  // The call has been outstanding too long: count it now as a failure (a slow call), without
  // waiting for its end. Consumes the permit: whatever the call later returns is not counted.
  // (The dispatcher's watchdog uses it, so that a queue whose calls hang opens its breaker
  // long before they time out.)
  void slow(Permit&& permit) noexcept;

  // The error a refused call reports: kind circuit_open, code kCircuitOpenCode.
  Error refusal(const Permit& refused) const;

  // Calls f() (returning some Result<T>) if the breaker allows, records the outcome and
  // returns f's result; otherwise returns the refusal error without calling f.
  template <class F>
  std::remove_cvref_t<std::invoke_result_t<F&&>> run(F&& f) {
    using R = std::remove_cvref_t<std::invoke_result_t<F&&>>;
    static_assert(is_result<R>::value, "run() needs a callable returning sqs::Result<T>");
    Permit permit = ready();
    if (!permit) return R(refusal(permit));
    R result = std::invoke(std::forward<F>(f));
    done(std::move(permit), result);
    return result;
  }

  // The outcome this breaker gives an error (options.classify, or the default).
  CallOutcome classify(const Error& error) const;

  State state() const noexcept;
  Counters counters() const;
  Metrics metrics() const;

  // Back to closed with fresh counters and back-off; ends any forcing.
  void reset();
  // Hold the breaker open (no timer: it stays open) or closed (it never trips) until clear()
  // or reset(). Calls admitted before are not counted.
  void force_open();
  void force_closed();
  // Ends the forcing: a forced-open breaker goes half-open (probing at once), a forced-closed
  // one stays closed and may trip again.
  void clear();

 private:
  struct Core;
  template <class R>
  struct is_result : std::false_type {};
  template <class T>
  struct is_result<Result<T>> : std::true_type {};

  // The state word: (epoch << kModeBits) | mode. The epoch changes with every state change.
  static constexpr unsigned kModeBits = 2;
  static constexpr std::uint64_t kModeMask = 3;
  static constexpr std::uint64_t kModeClosed = 0;

  Permit ready_slow() noexcept;
  void on_open_timer(std::uint64_t epoch) noexcept;
  void deliver_hooks() noexcept;

  alignas(64) std::atomic<std::uint64_t> word_{0};  // read by every ready(): own cache line
  bool timed_ = false;                              // permits need a start time (slow-call rule)
  std::unique_ptr<Core> core_;
};

}  // namespace sqs

#pragma GCC visibility pop
