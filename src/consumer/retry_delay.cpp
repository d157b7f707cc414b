#include "consumer/retry_delay.hpp"

#include <algorithm>
#include <cmath>

namespace sqs::detail {

std::chrono::seconds retry_delay(const RetryPolicy& policy, int receive_count,
                                 std::mt19937_64& rng) {
  if (!policy.enabled) return std::chrono::seconds::zero();
  const double exponent = std::max(0, receive_count - 1);
  // Computed in double and capped before converting: 2^1000 must not overflow.
  double delay =
      static_cast<double>(policy.initial.count()) * std::pow(policy.multiplier, exponent);
  delay = std::min(delay, static_cast<double>(policy.max.count()));
  if (policy.jitter) delay = std::uniform_real_distribution<double>(delay / 2, delay)(rng);
  return std::chrono::seconds(static_cast<long long>(std::llround(delay)));
}

std::chrono::milliseconds next_poll_backoff(std::chrono::milliseconds previous,
                                            std::chrono::milliseconds min,
                                            std::chrono::milliseconds max, std::mt19937_64& rng) {
  const auto doubled = previous.count() <= 0 ? min : std::min(max, previous * 2);
  const auto bounded = std::clamp(doubled, min, max);
  const auto low = bounded.count() / 2;
  return std::chrono::milliseconds(
      std::uniform_int_distribution<long long>(low, bounded.count())(rng));
}

}  // namespace sqs::detail
