#include "resilience/back_off.hpp"

#include <algorithm>

namespace sqs::detail {

OpenBackOff::OpenBackOff(std::chrono::nanoseconds fixed, const ExponentialBackOff& exponential,
                         std::uint64_t seed)
    : fixed_(fixed), exponential_(exponential), random_(seed) {
  exponential_.initial = std::max(exponential_.initial, std::chrono::nanoseconds(0));
  exponential_.max = std::max(exponential_.max, exponential_.initial);
  exponential_.multiplier = std::max(exponential_.multiplier, 1.0);
  exponential_.jitter = std::clamp(exponential_.jitter, 0.0, 1.0);
  reset();
}

std::chrono::nanoseconds OpenBackOff::next() {
  if (fixed_.count() > 0) return fixed_;
  const double base = current_;
  const double max = static_cast<double>(exponential_.max.count());
  current_ = std::min(current_ * exponential_.multiplier, max);
  const double jittered = base * (1.0 + exponential_.jitter * uniform_minus1_to_1());
  return std::chrono::nanoseconds(static_cast<std::int64_t>(jittered));
}

double OpenBackOff::uniform_minus1_to_1() {
  // 53 random bits -> [0, 1] -> [-1, 1]; std::uniform_real_distribution would do, but its
  // output differs between standard libraries and tests pin a seed.
  const double unit = static_cast<double>(random_() >> 11) * 0x1.0p-53;
  return 2.0 * unit - 1.0;
}

}  // namespace sqs::detail
