// A queue's latency, as two moving estimates (no lock: the owner serialises the calls):
//  - recent(): an exponentially weighted moving average of the last answers (weight 1/4 each),
//    quick to follow a region that slows down, and to come back when it recovers;
//  - baseline(): what is normal for this queue, found apart from any slowdown. It follows a
//    faster answer quickly (weight 1/20) and a slower one only over time (a time constant of
//    30 s, counting at most 1 s per answer): so a burst of slow answers after a stall
//    barely moves it, a region that is simply far away (70 ms across an ocean) gets its own
//    baseline within a minute, and a lasting change in a region becomes its new normal.
// Long polls are never samples: their duration is the server's wait, not its speed. A call
// still outstanding can be given as a "censored" sample of its age so far (add_outstanding):
// it moves recent() only, so that a hang raises the estimate before any call has come back.
#pragma once

#include <chrono>
#include <cstdint>

namespace sqs::detail {

class LatencyEstimate {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::steady_clock::time_point;

  // An answer that took `latency`, received at `now`.
  void add(duration latency, time_point now) noexcept;
  // A call outstanding for `age` so far: counts only if it is slower than recent().
  void add_outstanding(duration age) noexcept;

  bool empty() const noexcept { return samples_ == 0; }
  std::uint64_t samples() const noexcept { return samples_; }
  duration recent() const noexcept { return to_duration(recent_); }
  duration baseline() const noexcept { return to_duration(baseline_); }

  // recent() is above tolerance × baseline() and above baseline() + margin: the queue is slower
  // than it normally is, by a factor and by an amount that matter. False with no samples.
  bool degraded(double tolerance, duration margin) const noexcept;

 private:
  static duration to_duration(double ns) noexcept {
    return duration(static_cast<duration::rep>(ns));
  }

  double recent_ = 0;    // ns
  double baseline_ = 0;  // ns
  std::uint64_t samples_ = 0;
  time_point last_{};
};

}  // namespace sqs::detail
