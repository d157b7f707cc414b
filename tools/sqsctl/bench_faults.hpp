// Error injection for `sqsctl bench`, as in the Go load tool: for a while, calls to one queue
// fail client-side at a given rate. The failures are run through the queue's Executor
// (start_run), so its circuit breaker counts them exactly like a real outage; the error is a
// transport error, the kind a dead region gives. Used from the bench's own thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "sqs/error.hpp"

namespace sqsctl::bench {

class FaultInjector {
 public:
  using Clock = std::chrono::steady_clock;

  struct Scenario {
    double error_rate = 0;      // 0..1
    Clock::time_point until{};  // the scenario is over from then on
  };

  FaultInjector(std::size_t queues, std::uint64_t seed);

  // From now on, for `duration`, calls to queue `index` fail with probability `error_rate`.
  // A zero duration (or rate) ends the queue's scenario. Precondition: index < size().
  void set(std::size_t index, double error_rate, std::chrono::nanoseconds duration);

  std::size_t size() const noexcept { return scenarios_.size(); }
  const Scenario& scenario(std::size_t index) const { return scenarios_.at(index); }
  bool active(std::size_t index, Clock::time_point now = Clock::now()) const;
  // Whether any queue has a scenario running now (cheap: no clock read when none was ever set).
  bool any_active();

  // Draws whether this call to queue `index` fails.
  bool should_fail(std::size_t index);

  // The error an injected failure reports.
  static sqs::Error injected_error(std::size_t index, double error_rate);

 private:
  std::vector<Scenario> scenarios_;
  Clock::time_point last_until_{};  // the end of the latest scenario
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace sqsctl::bench
