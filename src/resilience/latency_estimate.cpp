#include "resilience/latency_estimate.hpp"

#include <algorithm>

namespace sqs::detail {
namespace {
constexpr double kRecentWeight = 0.25;
constexpr double kBaselineDownWeight = 0.05;
constexpr double kBaselineUpSeconds = 30.0;  // time constant of a rise of the baseline
constexpr double kBaselineUpStepCap = 1.0;   // seconds an answer may stand for, at most
}  // namespace

void LatencyEstimate::add(duration latency, time_point now) noexcept {
  const double x = static_cast<double>(std::max(latency.count(), duration::rep{0}));
  if (samples_++ == 0) {
    recent_ = baseline_ = x;
    last_ = now;
    return;
  }
  recent_ += kRecentWeight * (x - recent_);
  if (x < baseline_) {
    baseline_ += kBaselineDownWeight * (x - baseline_);
  } else {
    // A time-weighted rise: the weight is the time this answer stands for (since the previous
    // one, at most 1 s) over the time constant, whatever the rate of answers (from one a second).
    const double dt = std::chrono::duration<double>(now - last_).count();
    const double weight = std::clamp(dt, 0.0, kBaselineUpStepCap) / kBaselineUpSeconds;
    baseline_ += weight * (x - baseline_);
  }
  last_ = std::max(last_, now);
}

void LatencyEstimate::add_outstanding(duration age) noexcept {
  const double x = static_cast<double>(age.count());
  if (samples_ == 0) {
    // Nothing has come back yet: no baseline to compare with; the age still says something.
    recent_ = std::max(recent_, x);
    return;
  }
  if (x > recent_) recent_ += kRecentWeight * (x - recent_);
}

bool LatencyEstimate::degraded(double tolerance, duration margin) const noexcept {
  if (samples_ == 0) return false;
  return recent_ > tolerance * baseline_ &&
         recent_ - baseline_ > static_cast<double>(margin.count());
}

}  // namespace sqs::detail
