// The trip functions of the Go design: when a closed breaker opens.
#include "sqs/circuit_breaker.hpp"

namespace sqs {

TripFunction trip_on_failures(std::int64_t threshold) {
  return [threshold](const CircuitBreakerCounters& c) { return c.failures >= threshold; };
}

TripFunction trip_on_consecutive_failures(std::int64_t threshold) {
  return
      [threshold](const CircuitBreakerCounters& c) { return c.consecutive_failures >= threshold; };
}

TripFunction trip_on_failure_rate(std::int64_t min_calls, double rate) {
  return [min_calls, rate](const CircuitBreakerCounters& c) {
    const std::int64_t calls = c.successes + c.failures;
    if (calls < min_calls || calls == 0) return false;
    return static_cast<double>(c.failures) / static_cast<double>(calls) >= rate;
  };
}

}  // namespace sqs
