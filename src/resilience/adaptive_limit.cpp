#include "resilience/adaptive_limit.hpp"

#include <algorithm>

namespace sqs::detail {

AdaptiveLimit::AdaptiveLimit(AdaptiveLimitConfig config) noexcept : config_(config) {
  config_.floor = std::max<std::int64_t>(1, config_.floor);
  config_.tolerance = std::max(1.0, config_.tolerance);
}

void AdaptiveLimit::update(const LatencyEstimate& latency, std::int64_t in_flight) noexcept {
  if (!config_.adaptive) return;
  if (latency.degraded(config_.tolerance, config_.margin)) {
    const double ratio = config_.tolerance * static_cast<double>(latency.baseline().count()) /
                         static_cast<double>(std::max<std::int64_t>(1, latency.recent().count()));
    const double target =
        std::max(static_cast<double>(config_.floor), static_cast<double>(in_flight) * ratio);
    limit_ = shrunk_ ? std::min(limit_, target) : target;
    shrunk_ = true;
  } else if (shrunk_) {
    limit_ = limit_ * 1.25 + 1;
    if (limit_ > kLiftAbove) shrunk_ = false;
  }
}

}  // namespace sqs::detail
