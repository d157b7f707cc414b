// Shared by the breaker tests: a breaker on a manual clock that records its state changes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "sqs/circuit_breaker.hpp"
#include "sqs/clock.hpp"

namespace sqs::test {

using namespace std::chrono_literals;
using Transition = std::pair<CircuitState, CircuitState>;

inline constexpr CircuitState kClosed = CircuitState::closed;
inline constexpr CircuitState kOpen = CircuitState::open;
inline constexpr CircuitState kHalfOpen = CircuitState::half_open;

class BreakerTest : public ::testing::Test {
 protected:
  // Options on the manual clock, with no jitter so open periods are exact, and a hook that
  // records every change.
  CircuitBreakerOptions options() {
    CircuitBreakerOptions o;
    o.clock = clock_;
    o.open_back_off.jitter = 0;
    o.jitter_seed = 42;
    o.on_state_change = [this](CircuitState from, CircuitState to) {
      std::lock_guard lock(mutex_);
      transitions_.emplace_back(from, to);
    };
    return o;
  }

  std::vector<Transition> transitions() {
    std::lock_guard lock(mutex_);
    return transitions_;
  }

  static void succeed(CircuitBreaker& b, int times = 1) {
    for (int i = 0; i < times; ++i) {
      auto permit = b.ready();
      ASSERT_TRUE(permit);
      b.done(std::move(permit), CallOutcome::success);
    }
  }
  static void fail(CircuitBreaker& b, int times = 1) {
    for (int i = 0; i < times; ++i) {
      auto permit = b.ready();
      ASSERT_TRUE(permit);
      b.done(std::move(permit), CallOutcome::failure);
    }
  }
  // Opens a default breaker (10 failures).
  static void trip(CircuitBreaker& b) {
    fail(b, 10);
    ASSERT_EQ(b.state(), CircuitState::open);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::mutex mutex_;
  std::vector<Transition> transitions_;
};

}  // namespace sqs::test
