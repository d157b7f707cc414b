#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include "sqs/clock.hpp"

namespace sqs {
namespace {

using namespace std::chrono_literals;

// Waits for a condition that another thread makes true (the timer thread winding down has no
// event to wait on from outside).
template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(SystemClock, RunsCallbacksOnOneSharedThreadInTimeOrder) {
  auto clock = Clock::system();
  SystemClock other;  // a second SystemClock shares the same thread
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  std::promise<void> all_done;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
      threads.push_back(std::this_thread::get_id());
      if (order.size() == 3) all_done.set_value();
    };
  };
  const auto now = clock->now();
  clock->schedule(now + 30ms, record(3));
  other.schedule(now + 10ms, record(1));
  clock->schedule(now + 20ms, record(2));
  ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(threads[0], threads[1]);
  EXPECT_EQ(threads[1], threads[2]);
  EXPECT_NE(threads[0], std::this_thread::get_id());
}

TEST(SystemClock, CallbackDoesNotRunBeforeItsTime) {
  auto clock = Clock::system();
  std::promise<Clock::time_point> fired;
  const auto due = clock->now() + 20ms;
  clock->schedule(due, [&] { fired.set_value(clock->now()); });
  auto future = fired.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_GE(future.get(), due);
}

TEST(SystemClock, TimerThreadEndsWhenNoTimerRemainsAndRestartsOnDemand) {
  auto clock = Clock::system();
  std::promise<void> fired;
  clock->schedule_after(1ms, [&] { fired.set_value(); });
  ASSERT_EQ(fired.get_future().wait_for(10s), std::future_status::ready);
  ASSERT_TRUE(eventually([] { return !SystemClock::timer_thread_running(); }));

  const auto started = SystemClock::timer_threads_started();
  std::promise<void> again;
  clock->schedule_after(1ms, [&] { again.set_value(); });
  ASSERT_EQ(again.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(SystemClock::timer_threads_started(), started + 1);
}

TEST(SystemClock, CancellingTheLastTimerEndsTheThread) {
  auto clock = Clock::system();
  auto handle = clock->schedule_after(1h, [] { FAIL() << "must not run"; });
  EXPECT_TRUE(SystemClock::timer_thread_running());
  EXPECT_TRUE(handle.cancel());
  EXPECT_TRUE(eventually([] { return !SystemClock::timer_thread_running(); }));
}

TEST(SystemClock, CancelAndWaitWaitsForARunningCallback) {
  auto clock = Clock::system();
  std::promise<void> entered;
  std::promise<void> release;
  auto release_future = release.get_future();
  std::atomic<bool> finished{false};
  auto handle = clock->schedule_after(0ms, [&] {
    entered.set_value();
    release_future.wait();
    finished = true;
  });
  entered.get_future().wait();
  std::thread releaser([&] {
    std::this_thread::sleep_for(20ms);  // give cancel_and_wait time to start waiting
    release.set_value();
  });
  EXPECT_FALSE(handle.cancel_and_wait());  // too late to cancel...
  EXPECT_TRUE(finished);                   // ...but it returned only after the callback did
  releaser.join();
}

TEST(SystemClock, ManyTimersAllFire) {
  auto clock = Clock::system();
  constexpr int kTimers = 200;
  std::atomic<int> fired{0};
  std::promise<void> all;
  for (int i = 0; i < kTimers; ++i) {
    clock->schedule_after(std::chrono::microseconds(i * 50), [&] {
      if (fired.fetch_add(1) + 1 == kTimers) all.set_value();
    });
  }
  ASSERT_EQ(all.get_future().wait_for(10s), std::future_status::ready);
}

// At exit, the timer thread is stopped and joined by static destruction (a pending timer an
// hour away must neither run nor hold the process), also when a breaker-like owner of the clock
// is itself a static destroyed later, or leaked.
TEST(SystemClockDeathTest, ProcessExitsPromptlyWithTimersPending) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static std::shared_ptr<Clock> late_owner = std::make_shared<SystemClock>();
        Clock::system()->schedule_after(1h, [] { std::_Exit(3); });
        late_owner->schedule_after(1h, [] { std::_Exit(4); });
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        // Never freed (but reachable, so LeakSanitizer does not object).
        static auto* leaked = new std::shared_ptr<Clock>(std::make_shared<SystemClock>());
        (*leaked)->schedule_after(1h, [] { std::_Exit(5); });
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace sqs
