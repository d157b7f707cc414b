#include "bench_faults.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace sqsctl::bench {

FaultInjector::FaultInjector(std::size_t queues, std::uint64_t seed)
    : scenarios_(queues), random_(seed) {}

void FaultInjector::set(std::size_t index, const Injection& injection,
                        std::chrono::nanoseconds duration) {
  auto now = Clock::now();
  Scenario& s = scenarios_.at(index);
  static_cast<Injection&>(s) = injection;
  s.error_rate = std::clamp(s.error_rate, 0.0, 1.0);
  if (s.latency.count() < 0) s.latency = {};
  s.until = duration.count() > 0 && s.any()
                ? now + std::chrono::duration_cast<Clock::duration>(duration)
                : now;
  last_until_ = {};
  for (const auto& other : scenarios_) {
    if (other.any() && other.until > now) last_until_ = std::max(last_until_, other.until);
  }
}

bool FaultInjector::active(std::size_t index, Clock::time_point now) const {
  const Scenario& s = scenarios_.at(index);
  return s.any() && now < s.until;
}

bool FaultInjector::any_active() {
  if (last_until_ == Clock::time_point{}) return false;
  if (Clock::now() < last_until_) return true;
  last_until_ = {};  // every scenario is over: back to the clock-free fast path
  return false;
}

bool FaultInjector::hangs(std::size_t index, Clock::time_point now) const {
  return scenarios_.at(index).hang && active(index, now);
}

std::chrono::nanoseconds FaultInjector::latency(std::size_t index, Clock::time_point now) const {
  return active(index, now) ? scenarios_.at(index).latency : std::chrono::nanoseconds(0);
}

bool FaultInjector::should_fail(std::size_t index) {
  if (last_until_ == Clock::time_point{} || !active(index)) return false;
  const double rate = scenarios_[index].error_rate;
  return rate > 0 && uniform_(random_) < rate;
}

sqs::Error FaultInjector::injected_error(std::size_t index, double error_rate, InjectedError kind) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", error_rate);
  std::string message = "failure injected through the control endpoint (queue " +
                        std::to_string(index) + ", error rate " + rate + ")";
  if (kind == InjectedError::transport) {
    return sqs::Error::make(sqs::ErrorKind::transport, "InjectedFault", std::move(message));
  }
  // As the client decodes such answers from SQS (retryable; throttling flagged).
  const bool throttling = kind == InjectedError::throttling;
  sqs::Error e = sqs::Error::make(sqs::ErrorKind::service,
                                  throttling ? "ThrottlingException" : "ServiceUnavailable",
                                  std::move(message));
  e.http_status = throttling ? 400 : 503;
  e.sender_fault = throttling;
  e.retryable = true;
  e.throttling = throttling;
  return e;
}

}  // namespace sqsctl::bench
