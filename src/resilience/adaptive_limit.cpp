#include "resilience/adaptive_limit.hpp"

#include <algorithm>
#include <cmath>

namespace sqs::detail {

AdaptiveLimit::AdaptiveLimit(AdaptiveLimitConfig config) noexcept : config_(config) {
  config_.floor = std::max<std::int64_t>(1, config_.floor);
  config_.tolerance = std::max(1.0, config_.tolerance);
  limit_ = ceiling();
}

void AdaptiveLimit::update(const LatencyEstimate& latency, std::int64_t in_flight) noexcept {
  if (!config_.adaptive) return;
  const auto floor = static_cast<double>(config_.floor);
  if (latency.degraded(config_.tolerance, config_.margin)) {
    const double ratio = config_.tolerance * static_cast<double>(latency.baseline().count()) /
                         static_cast<double>(std::max<std::int64_t>(1, latency.recent().count()));
    const double target = std::max(floor, static_cast<double>(in_flight) * ratio);
    adaptive_ = shrunk_ ? std::min(adaptive_, target) : target;
    shrunk_ = true;
  } else if (shrunk_) {
    adaptive_ = adaptive_ * 1.25 + 1;
    if (adaptive_ > kLiftAbove) shrunk_ = false;
  }
  if (!shrunk_) {
    limit_ = ceiling();
    return;
  }
  limit_ = std::min(ceiling(), static_cast<std::int64_t>(std::floor(adaptive_)));
}

}  // namespace sqs::detail
