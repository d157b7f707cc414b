// Fault injection for `sqsctl bench`, as in the Go load tool: for a while, calls to one queue
// fail client-side at a given rate, are delayed by a given latency, or hang (are held until the
// scenario ends, then go ahead). The injected behaviour runs inside the queue's Executor
// (start_run), so its circuit breaker counts the failures exactly like a real outage (a transport
// error, the kind a dead region gives), and its load accounting (calls in flight, latency, the
// bulkhead, stall detection) sees the delays and hangs exactly like a slow or frozen region.
// Used from the bench's own thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "sqs/error.hpp"

namespace sqsctl::bench {

// What an injected failure looks like: a transport error (connection refused or reset: a region
// that is gone), an HTTP 503 ServiceUnavailable answer, or a throttling answer
// (ThrottlingException, HTTP 400).
enum class InjectedError { transport, unavailable, throttling };

// What a scenario does to the calls of one queue while it runs.
struct Injection {
  double error_rate = 0;               // 0..1: share of the calls that fail
  std::chrono::nanoseconds latency{};  // added before each call that starts meanwhile
  bool hang = false;                   // calls are held until the scenario ends
  // What the failing calls fail with.
  InjectedError error = InjectedError::transport;
  bool any() const noexcept { return error_rate > 0 || latency.count() > 0 || hang; }
};

class FaultInjector {
 public:
  using Clock = std::chrono::steady_clock;

  struct Scenario : Injection {
    Clock::time_point until{};  // the scenario is over from then on
  };

  FaultInjector(std::size_t queues, std::uint64_t seed);

  // From now on, for `duration`, calls to queue `index` get `injection` (replacing the queue's
  // scenario). A zero duration (or an injection that does nothing) ends the queue's scenario.
  // Precondition: index < size().
  void set(std::size_t index, const Injection& injection, std::chrono::nanoseconds duration);

  std::size_t size() const noexcept { return scenarios_.size(); }
  const Scenario& scenario(std::size_t index) const { return scenarios_.at(index); }
  bool active(std::size_t index, Clock::time_point now = Clock::now()) const;
  // Whether any queue has a scenario running now (cheap: no clock read when none was ever set).
  bool any_active();

  // What a call to queue `index` starting `now` gets: held, or delayed by this much.
  bool hangs(std::size_t index, Clock::time_point now = Clock::now()) const;
  std::chrono::nanoseconds latency(std::size_t index, Clock::time_point now = Clock::now()) const;

  // Draws whether this call to queue `index` fails.
  bool should_fail(std::size_t index);

  // The error an injected failure reports.
  static sqs::Error injected_error(std::size_t index, double error_rate,
                                   InjectedError kind = InjectedError::transport);

 private:
  std::vector<Scenario> scenarios_;
  Clock::time_point last_until_{};  // the end of the latest scenario
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace sqsctl::bench
