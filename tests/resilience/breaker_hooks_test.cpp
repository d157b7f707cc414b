// State-change hooks: outside the lock, in order, re-entrant, and on time without calls.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

using BreakerHooks = BreakerTest;

TEST_F(BreakerHooks, HookSeesTheNewStateAndMayCallTheBreaker) {
  auto o = options();
  std::vector<std::string> seen;
  CircuitBreaker* self = nullptr;
  o.on_state_change = [&](CircuitState from, CircuitState to) {
    // Inside the hook the breaker is usable: no lock is held.
    seen.push_back(std::string(to_string(from)) + ">" + std::string(to_string(to)) + " now " +
                   std::string(to_string(self->state())) + " ready " +
                   (self->ready() ? "yes" : "no"));
    (void)self->metrics();
  };
  CircuitBreaker b(o);
  self = &b;
  trip(b);
  clock_->advance(500ms);
  EXPECT_EQ(seen, (std::vector<std::string>{"closed>open now open ready no",
                                            "open>half-open now half-open ready yes"}));
}

TEST_F(BreakerHooks, StateChangesMadeInsideAHookAreReportedAfterItInOrder) {
  auto o = options();
  std::vector<Transition> seen;
  CircuitBreaker* self = nullptr;
  o.on_state_change = [&](CircuitState from, CircuitState to) {
    seen.emplace_back(from, to);
    // An operator's rule: a queue that opens is held open for inspection; when half-open is
    // reached by clearing, it is reset at once.
    if (to == kOpen && seen.size() == 1) self->force_open();  // open -> open: no change
    if (to == kHalfOpen) self->reset();
  };
  CircuitBreaker b(o);
  self = &b;
  trip(b);
  EXPECT_EQ(seen, (std::vector<Transition>{{kClosed, kOpen}}));
  clock_->advance(1h);
  EXPECT_EQ(b.state(), kOpen);  // forced
  b.clear();
  EXPECT_EQ(seen,
            (std::vector<Transition>{{kClosed, kOpen}, {kOpen, kHalfOpen}, {kHalfOpen, kClosed}}));
  EXPECT_EQ(b.state(), kClosed);
}

TEST_F(BreakerHooks, NestedChangesAreDeliveredAfterTheCurrentHookReturns) {
  auto o = options();
  std::vector<std::string> log;
  CircuitBreaker* self = nullptr;
  o.on_state_change = [&](CircuitState from, CircuitState to) {
    log.push_back("enter " + std::string(to_string(from)) + ">" + std::string(to_string(to)));
    if (to == kOpen) self->force_closed();
    log.push_back("leave " + std::string(to_string(to)));
  };
  CircuitBreaker b(o);
  self = &b;
  fail(b, 10);
  EXPECT_EQ(b.state(), kClosed);
  EXPECT_EQ(log, (std::vector<std::string>{"enter closed>open", "leave open", "enter open>closed",
                                           "leave closed"}));
}

TEST_F(BreakerHooks, NoHookNoProblem) {
  auto o = options();
  o.on_state_change = nullptr;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  EXPECT_EQ(b.state(), kHalfOpen);
}

TEST_F(BreakerHooks, HooksFromManyThreadsFormOneConsistentSequence) {
  auto o = options();
  o.should_trip = trip_on_consecutive_failures(1);
  o.half_open_successes = 1;
  o.open_timeout = 1ms;
  CircuitBreaker b(o);
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) clock_->advance(1ms);
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        auto p = b.ready();
        if (p) b.done(std::move(p), (i + t) % 3 == 0 ? CallOutcome::failure : CallOutcome::success);
      }
    });
  }
  for (auto& w : workers) w.join();
  stop = true;
  ticker.join();
  const auto seen = transitions();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().first, kClosed);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i].first, seen[i - 1].second) << "hook " << i << " out of order";
    ASSERT_NE(seen[i].first, seen[i].second);
  }
  EXPECT_EQ(seen.back().second, b.state());
  EXPECT_EQ(seen.size(), b.metrics().transitions);
}

TEST(BreakerOnSystemClock, HalfOpenArrivesOnTheTimerThreadWithNoCalls) {
  std::promise<std::thread::id> half_open;
  CircuitBreakerOptions o;
  o.open_timeout = 5ms;
  o.on_state_change = [&](CircuitState, CircuitState to) {
    if (to == CircuitState::half_open) half_open.set_value(std::this_thread::get_id());
  };
  CircuitBreaker b(o);
  b.force_open();
  b.clear();  // half-open at once, on this thread
  EXPECT_EQ(b.state(), CircuitState::half_open);
  std::promise<std::thread::id> again;
  half_open = std::move(again);
  auto future = half_open.get_future();
  b.done(b.ready(), CallOutcome::failure);  // re-open: 5 ms
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
  EXPECT_EQ(b.state(), CircuitState::half_open);
}

TEST(BreakerOnSystemClock, DestroyingAnOpenBreakerLeavesNoTimerBehind) {
  CircuitBreakerOptions o;
  o.open_timeout = 1h;
  {
    CircuitBreaker b(o);
    b.done(b.ready(), CallOutcome::failure);
    for (int i = 0; i < 9; ++i) b.done(b.ready(), CallOutcome::failure);
    ASSERT_EQ(b.state(), CircuitState::open);
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (SystemClock::timer_thread_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_FALSE(SystemClock::timer_thread_running());
}

}  // namespace
}  // namespace sqs::test
