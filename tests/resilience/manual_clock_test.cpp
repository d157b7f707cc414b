#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sqs/clock.hpp"

namespace sqs {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, TimeMovesOnlyWhenAdvanced) {
  ManualClock clock;
  const auto start = clock.now();
  EXPECT_EQ(clock.now(), start);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now() - start, 1500ms);
  clock.advance_to(start);  // never backwards
  EXPECT_EQ(clock.now() - start, 1500ms);
}

TEST(ManualClock, RunsDueCallbacksInTimeOrderAtTheirOwnTime) {
  ManualClock clock;
  const auto t0 = clock.now();
  std::vector<std::string> log;
  auto at = [&](std::string name) {
    return [&, name] { log.push_back(name + "@" + std::to_string((clock.now() - t0) / 1ms)); };
  };
  clock.schedule(t0 + 30ms, at("c"));
  clock.schedule(t0 + 10ms, at("a"));
  clock.schedule(t0 + 20ms, at("b1"));
  clock.schedule(t0 + 20ms, at("b2"));  // same time: scheduling order
  clock.schedule(t0 + 99ms, at("late"));
  EXPECT_EQ(clock.pending(), 5u);
  EXPECT_EQ(clock.next_due(), t0 + 10ms);

  clock.advance(30ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a@10", "b1@20", "b2@20", "c@30"}));
  EXPECT_EQ(clock.pending(), 1u);
  EXPECT_EQ(clock.now() - t0, 30ms);
}

TEST(ManualClock, CallbacksMayScheduleMoreWithinTheSameAdvance) {
  ManualClock clock;
  const auto t0 = clock.now();
  std::vector<int> fired;
  std::function<void()> tick = [&] {
    fired.push_back(static_cast<int>((clock.now() - t0) / 1ms));
    clock.schedule_after(10ms, tick);
  };
  clock.schedule_after(10ms, tick);
  clock.advance(35ms);
  EXPECT_EQ(fired, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(clock.pending(), 1u);
}

TEST(ManualClock, PastDueCallbackRunsOnNextAdvanceWithoutMovingTimeBack) {
  ManualClock clock;
  const auto t0 = clock.now();
  clock.advance(10ms);
  bool ran = false;
  clock.schedule(t0, [&] { ran = true; });
  EXPECT_FALSE(ran);  // never inside schedule()
  clock.advance(0ms);
  EXPECT_TRUE(ran);
  EXPECT_EQ(clock.now() - t0, 10ms);
}

TEST(ManualClock, CancelledCallbackNeverRunsAndLeavesTheQueue) {
  ManualClock clock;
  bool ran = false;
  auto handle = clock.schedule_after(5ms, [&] { ran = true; });
  EXPECT_TRUE(handle.pending());
  EXPECT_TRUE(handle.cancel());
  EXPECT_FALSE(handle.cancel());  // once only
  EXPECT_FALSE(handle.pending());
  EXPECT_TRUE(handle.finished());
  EXPECT_EQ(clock.pending(), 0u);
  clock.advance(10ms);
  EXPECT_FALSE(ran);
}

TEST(ManualClock, HandleOfARunCallbackCannotCancel) {
  ManualClock clock;
  int runs = 0;
  auto handle = clock.schedule_after(1ms, [&] { ++runs; });
  clock.advance(1ms);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(handle.finished());
  EXPECT_FALSE(handle.cancel());
  EXPECT_FALSE(handle.cancel_and_wait());
}

TEST(ManualClock, CallbackMayCancelItselfWithoutDeadlock) {
  ManualClock clock;
  TimerHandle handle;
  bool cancelled = true;
  handle = clock.schedule_after(1ms, [&] { cancelled = handle.cancel_and_wait(); });
  clock.advance(1ms);
  EXPECT_FALSE(cancelled);
}

TEST(ManualClock, DestroyingTheClockDropsPendingCallbacks) {
  bool ran = false;
  TimerHandle handle;
  {
    ManualClock clock;
    handle = clock.schedule_after(1ms, [&] { ran = true; });
  }
  EXPECT_FALSE(handle.pending());
  EXPECT_FALSE(handle.cancel());  // harmless after the clock is gone
  EXPECT_FALSE(ran);
}

TEST(TimerHandle, EmptyHandleIsInert) {
  TimerHandle handle;
  EXPECT_FALSE(handle.pending());
  EXPECT_TRUE(handle.finished());
  EXPECT_FALSE(handle.cancel());
  EXPECT_FALSE(handle.cancel_and_wait());
}

}  // namespace
}  // namespace sqs
