// The length of successive open periods: fixed, or growing exponentially with jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "sqs/circuit_breaker.hpp"

namespace sqs::detail {

class OpenBackOff {
 public:
  OpenBackOff(std::chrono::nanoseconds fixed, const ExponentialBackOff& exponential,
              std::uint64_t seed);

  // The length of the next open period; each call grows the next one.
  std::chrono::nanoseconds next();
  // Back to the first period (when the breaker closes).
  void reset() noexcept { current_ = static_cast<double>(exponential_.initial.count()); }

 private:
  double uniform_minus1_to_1();

  std::chrono::nanoseconds fixed_;
  ExponentialBackOff exponential_;
  double current_;  // un-jittered length of the next period, in nanoseconds
  std::mt19937_64 random_;
};

}  // namespace sqs::detail
