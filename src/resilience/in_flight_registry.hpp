// The calls in flight on one queue, with their start times: what lets the dispatcher see a
// queue whose calls stop coming back (the age of its oldest call) and count a call as slow
// while it is still outstanding (its breaker permit is held here, not by the call, so that a
// watchdog can settle it as a failure at once; the call's own outcome then counts no more).
//
// Two lists in start order: ordinary calls, and calls with an allowance (long polls: their
// wait is not slowness), which are few and never "the oldest call" of a queue. Nodes live in a
// slab with a free list: no allocation per call once warm. No lock: the owner serialises.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "sqs/circuit_breaker.hpp"

namespace sqs::detail {

class InFlightRegistry {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = Clock::time_point;
  using Id = std::uint32_t;

  struct Removed {
    CircuitBreaker::Permit permit;  // empty if the call was already counted as slow
    time_point start{};
    duration allowance{0};
    bool counted_slow = false;
  };

  // A call that started at `start` and may legitimately take `allowance` longer than an
  // ordinary call (zero for ordinary calls).
  Id add(time_point start, duration allowance, CircuitBreaker::Permit permit);
  Removed remove(Id id) noexcept;

  std::size_t size() const noexcept { return size_; }
  // Calls without an allowance (long polls aside).
  std::size_t ordinary_size() const noexcept { return ordinary_; }
  // Start of the oldest ordinary call in flight.
  std::optional<time_point> oldest_start() const noexcept;

  // Marks the calls outstanding for longer than `threshold` (plus their allowance) at `now`,
  // not yet marked, as slow and moves their permits to `out`. Returns how many.
  std::size_t take_overdue(time_point now, duration threshold,
                           std::vector<CircuitBreaker::Permit>& out);
  // When the next call not yet marked becomes overdue (for scheduling the next check).
  std::optional<time_point> next_overdue(duration threshold) const noexcept;

 private:
  static constexpr Id kNil = 0xFFFFFFFFu;
  struct Node {
    time_point start{};
    duration allowance{0};
    CircuitBreaker::Permit permit;
    bool counted_slow = false;
    bool in_use = false;
    Id prev = kNil, next = kNil;
  };
  struct List {
    Id head = kNil, tail = kNil;
  };
  List& list_of(const Node& n) noexcept { return n.allowance.count() > 0 ? long_ : short_; }
  std::size_t take_from(List& list, bool ordered, time_point now, duration threshold,
                        std::vector<CircuitBreaker::Permit>& out);

  std::vector<Node> nodes_;
  Id free_ = kNil;
  List short_, long_;
  std::size_t size_ = 0;
  std::size_t ordinary_ = 0;
};

}  // namespace sqs::detail
