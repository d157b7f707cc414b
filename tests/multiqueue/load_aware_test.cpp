// Gray failures, decided on a manual clock: the dispatcher's view of each queue's load (calls in
// flight, latency estimate, bulkhead limit), stall-aware dispatch, slow calls counted while still
// outstanding, the bulkhead, and hedged failover sends. Time moves only when a test says so
// (the watchdog and the hedge timers run on the breakers' ManualClock); calls are held in flight
// with Executor::admit(), or against a scripted server that never answers.
#include <boost/asio/use_future.hpp>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

class LoadAware : public ::testing::Test {
 protected:
  DispatcherOptions options(int trip_after = 100) {
    DispatcherOptions o;
    o.breaker = manual_breaker(clock, trip_after);
    o.breaker.interval = 0s;
    o.on_state_change = log.hook();
    o.seed = 1;
    return o;
  }

  // `n` calls of `each` on queue i, one after the other: gives it a latency baseline.
  void answer(const Dispatcher& d, std::size_t i, int n, std::chrono::milliseconds each = 2ms) {
    for (int k = 0; k < n; ++k) {
      auto call = d.executor(i).admit();
      ASSERT_TRUE(call) << call.error().to_string();
      clock->advance(each);
      call->settle(nullptr);
    }
  }
  // Advances the manual clock in watchdog-sized steps (so that each check runs on time).
  void pass(std::chrono::milliseconds total, std::chrono::milliseconds step = 10ms) {
    for (auto t = 0ms; t < total; t += step) clock->advance(step);
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  TransitionLog log;
};

std::vector<std::size_t> picks(const Dispatcher& d, int n) {
  std::vector<std::size_t> out;
  for (int i = 0; i < n; ++i) out.push_back(d.dispatch_rr().index());
  return out;
}

// ---- healthy: the weighted round-robin of the Go design, calls in flight or not ----

TEST_F(LoadAware, WeightedRoundRobinHoldsWhileEveryQueueIsHealthy) {
  ScriptedQueues queues(3);
  Dispatcher d(queues.dispatcher_queues({1, 5, 2}), options());
  for (std::size_t i = 0; i < 3; ++i) answer(d, i, 20);
  // Calls in flight everywhere, young: nobody is stalled.
  std::vector<detail::AdmittedCall> held;
  for (std::size_t i = 0; i < 3; ++i) held.push_back(d.executor(i).admit().value());
  pass(20ms);
  const std::vector<std::size_t> cycle{0, 1, 2, 1, 2, 1, 1, 1};
  std::vector<std::size_t> expected;
  for (int k = 0; k < 3; ++k) expected.insert(expected.end(), cycle.begin(), cycle.end());
  EXPECT_EQ(picks(d, 24), expected);
  for (auto& m : d.metrics()) {
    EXPECT_EQ(m.load.in_flight, 1);
    EXPECT_FALSE(m.load.stalled);
    EXPECT_EQ(m.load.avoided, 0u);
  }
}

// ---- stalled: a queue whose oldest call does not come back is avoided at once ----

TEST_F(LoadAware, QueueWhoseCallStopsComingBackIsAvoidedThenTakesItsShareBack) {
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 20);
  answer(d, 1, 20);
  auto stuck = d.executor(0).admit();
  ASSERT_TRUE(stuck);
  pass(40ms);  // under the 50 ms stall threshold
  EXPECT_FALSE(d.metrics()[0].load.stalled);
  EXPECT_EQ(picks(d, 4), (std::vector<std::size_t>{0, 1, 0, 1}));

  pass(30ms);  // 70 ms outstanding: stalled
  auto m = d.metrics()[0].load;
  EXPECT_TRUE(m.stalled);
  EXPECT_GE(m.oldest_call_age, 60ms);
  EXPECT_EQ(picks(d, 10), std::vector<std::size_t>(10, 1));
  EXPECT_EQ(d.dispatch().index(), 1u);
  EXPECT_GE(d.metrics()[0].load.avoided, 5u);
  // Still available (its breaker has not opened): only the load steers.
  EXPECT_EQ(d.available(), (std::vector<std::size_t>{0, 1}));

  stuck->settle(nullptr);  // it came back
  EXPECT_FALSE(d.metrics()[0].load.stalled);
  auto back = picks(d, 4);
  EXPECT_EQ(std::count(back.begin(), back.end(), 0u), 2);
}

TEST_F(LoadAware, StallThresholdScalesWithTheQueuesOwnBaseline) {
  // A region far away (80 ms) is not "stalled" after 50 ms: only after 4 x its baseline.
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 30, 80ms);
  answer(d, 1, 20);
  auto call = d.executor(0).admit();
  pass(200ms);
  EXPECT_FALSE(d.metrics()[0].load.stalled);
  pass(200ms);
  EXPECT_TRUE(d.metrics()[0].load.stalled);
  call->settle(nullptr);
}

TEST_F(LoadAware, WithEveryQueueStalledThePlainRotationGoesOn) {
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 20);
  answer(d, 1, 20);
  auto a = d.executor(0).admit();
  auto b = d.executor(1).admit();
  pass(100ms);
  EXPECT_TRUE(d.metrics()[0].load.stalled);
  EXPECT_TRUE(d.metrics()[1].load.stalled);
  EXPECT_EQ(picks(d, 4), (std::vector<std::size_t>{0, 1, 0, 1}));
  a->settle(nullptr);
  b->settle(nullptr);
}

// ---- slow calls count while still in flight ----

TEST_F(LoadAware, CallsOutstandingPastTheSlowThresholdOpenTheBreakerBeforeTheyEnd) {
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options(/*trip_after=*/3));
  answer(d, 0, 20);
  std::vector<detail::AdmittedCall> held;
  for (int i = 0; i < 3; ++i) held.push_back(d.executor(0).admit().value());
  EXPECT_EQ(d.metrics()[0].load.slow_call_threshold, 1s);  // derived: max(1 s, 8 x 2 ms)
  pass(990ms);
  EXPECT_EQ(d.executor(0).state(), kClosed);
  pass(30ms);  // 1.02 s outstanding: three slow failures, now
  EXPECT_EQ(d.executor(0).state(), kOpen);
  auto m = d.metrics()[0];
  EXPECT_EQ(m.load.slow_in_flight, 3u);
  EXPECT_EQ(m.breaker.slow_calls, 3u);
  EXPECT_EQ(m.load.in_flight, 3);  // still outstanding
  EXPECT_EQ(d.available(), (std::vector<std::size_t>{1}));
  // When they end at last, their outcome no longer counts.
  const auto failures = m.breaker.failures;
  for (auto& c : held) c.settle(nullptr);
  EXPECT_EQ(d.metrics()[0].breaker.failures, failures);
  EXPECT_EQ(d.metrics()[0].breaker.successes, 20u);
  EXPECT_EQ(d.metrics()[0].load.in_flight, 0);
}

TEST_F(LoadAware, ALongPollIsSlowOnlyPastItsWait) {
  ScriptedQueues queues(1);
  Dispatcher d(queues.dispatcher_queues(), options(/*trip_after=*/1));
  answer(d, 0, 20);
  auto poll = d.executor(0).admit(20s);  // WaitTimeSeconds 20
  pass(5s, 100ms);
  auto m = d.metrics()[0].load;
  EXPECT_FALSE(m.stalled);  // a long poll is never the "oldest call"
  EXPECT_EQ(m.slow_in_flight, 0u);
  EXPECT_EQ(picks(d, 2), (std::vector<std::size_t>{0, 0}));
  pass(15900ms, 100ms);  // 20.9 s: within wait + 1 s
  EXPECT_EQ(d.executor(0).state(), kClosed);
  pass(300ms);  // 21.2 s
  EXPECT_EQ(d.metrics()[0].load.slow_in_flight, 1u);
  EXPECT_EQ(d.executor(0).state(), kOpen);
  poll->settle(nullptr);
}

TEST_F(LoadAware, ExplicitSlowThresholdAndZeroTurnsTheRuleOff) {
  ScriptedQueues queues(2);
  auto o = options(/*trip_after=*/1);
  o.in_flight.slow_call_threshold = 300ms;
  Dispatcher d(queues.dispatcher_queues(), o);
  auto call = d.executor(0).admit();
  pass(310ms);
  EXPECT_EQ(d.executor(0).state(), kOpen);
  call->settle(nullptr);

  auto off = options(/*trip_after=*/1);
  off.in_flight.slow_call_threshold = 0ms;
  Dispatcher d2(queues.dispatcher_queues(), off);
  auto call2 = d2.executor(0).admit();
  pass(5s, 100ms);
  EXPECT_EQ(d2.executor(0).state(), kClosed);
  EXPECT_EQ(d2.metrics()[0].load.slow_call_threshold, 0ns);
  call2->settle(nullptr);
}

TEST_F(LoadAware, ACompletedSlowCallIsAFailureToo) {
  ScriptedQueues queues(1);
  auto o = options(/*trip_after=*/1);
  o.in_flight.slow_call_threshold = 300ms;
  o.in_flight.check_interval = 1s;  // the watchdog looks too late: the end decides
  Dispatcher d(queues.dispatcher_queues(), o);
  auto call = d.executor(0).admit();
  clock->advance(400ms);
  call->settle(nullptr);
  EXPECT_EQ(d.executor(0).state(), kOpen);
  EXPECT_EQ(d.metrics()[0].breaker.slow_calls, 1u);
}

// ---- the bulkhead ----

TEST_F(LoadAware, FixedBulkheadRefusesFastAndDispatchAvoidsAFullQueue) {
  ScriptedQueues queues(2);
  auto qs = queues.dispatcher_queues();
  qs[0].bulkhead = BulkheadOptions{.max_in_flight = 2, .adaptive = false};
  Dispatcher d(std::move(qs), options());
  auto a = d.executor(0).admit();
  auto b = d.executor(0).admit();
  ASSERT_TRUE(a && b);
  auto c = d.executor(0).admit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::bulkhead_full);
  EXPECT_EQ(c.error().code, "BulkheadFull");
  EXPECT_TRUE(c.error().retryable);
  // The sync form refuses the same way, and sends nothing.
  auto sent = d.executor(0).send("x");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::bulkhead_full);
  EXPECT_EQ(queues[0].requests(), 0u);
  EXPECT_EQ(d.metrics()[0].load.limit, 2);
  EXPECT_EQ(d.metrics()[0].load.bulkhead_rejected, 2u);
  // A refusal says nothing of the queue: the breaker counted nothing.
  EXPECT_EQ(d.metrics()[0].breaker.failures, 0u);
  EXPECT_EQ(picks(d, 4), std::vector<std::size_t>(4, 1));
  // Failover moves on to the next queue.
  auto r = d.send("over");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_index, 1u);
  a->settle(nullptr);
  auto again = picks(d, 2);
  EXPECT_EQ(std::count(again.begin(), again.end(), 0u), 1);  // room again: its turn is back
  b->settle(nullptr);
}

TEST_F(LoadAware, AdaptiveBulkheadShrinksWhileAQueueHangsAndLiftsWhenItAnswersAgain) {
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 50);
  EXPECT_FALSE(d.metrics()[0].load.limit);  // healthy: no limit
  std::vector<detail::AdmittedCall> held;
  for (int i = 0; i < 20; ++i) held.push_back(d.executor(0).admit().value());
  pass(300ms);  // their age so far raises the estimate: degraded
  auto m = d.metrics()[0].load;
  ASSERT_TRUE(m.limit);
  EXPECT_EQ(*m.limit, 2);  // the floor: 20 x 2 x 2 ms / ~300 ms < 2
  EXPECT_GT(m.latency, 100ms);
  auto refused = d.executor(0).admit();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::bulkhead_full);
  // The region answers again: the stuck calls end slow, then fast answers lift the limit.
  for (auto& c : held) c.settle(nullptr);
  held.clear();
  answer(d, 0, 60);
  EXPECT_FALSE(d.metrics()[0].load.limit);
  EXPECT_LT(d.metrics()[0].load.latency, 20ms);
}

// The last queue that works is slow (its adaptive limit at its floor, every slot taken) and the
// other's breaker is open: a failover send still goes, to the slow queue, past the adaptive
// limit (found by the soak run: every send was refused while a region worked). Its fixed
// ceiling still holds.
TEST_F(LoadAware, FailoverTriesASlowQueuePastItsAdaptiveLimitWhenEveryQueueRefused) {
  ScriptedQueues queues(2);
  auto qs = queues.dispatcher_queues();
  qs[0].bulkhead = BulkheadOptions{.max_in_flight = 8};
  Dispatcher d(std::move(qs), options());
  answer(d, 0, 50);
  std::vector<detail::AdmittedCall> held;
  for (int i = 0; i < 4; ++i) held.push_back(d.executor(0).admit().value());
  pass(300ms);
  ASSERT_EQ(d.metrics()[0].load.limit, 2);
  ASSERT_FALSE(d.executor(0).admit());  // refused by the adaptive limit
  d.executor(1).breaker().force_open();
  auto sent = d.send("still goes");
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_EQ(sent->queue_index, 0u);
  auto batch = d.send_batch({{"b1", {}}, {"b2", {}}});
  ASSERT_TRUE(batch) << batch.error().to_string();
  EXPECT_TRUE(batch->all_succeeded());
  // At the fixed ceiling, it is refused all the same.
  for (int i = 0; i < 4; ++i) held.push_back(d.executor(0).admit_last_resort().value());
  auto full = d.send("no room");
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().kind, ErrorKind::bulkhead_full);
  for (auto& c : held) c.settle(nullptr);
}

TEST_F(LoadAware, LongPollsNeverTakeTheRoomOfTheAdaptiveLimit) {
  // A queue's receivers poll again as soon as a poll ends: if they counted toward the adaptive
  // limit, a queue once slowed down would have no room left for the sends that prove it is fast.
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 50);
  std::vector<detail::AdmittedCall> stuck, polls;
  for (int i = 0; i < 5; ++i) stuck.push_back(d.executor(0).admit().value());
  pass(300ms);
  for (auto& c : stuck) c.settle(nullptr);  // slow answers: the limit is at its floor
  ASSERT_EQ(d.metrics()[0].load.limit, 2);
  for (int i = 0; i < 4; ++i) polls.push_back(d.executor(0).admit(20s).value());
  EXPECT_FALSE(d.metrics()[0].load.stalled);
  const auto p4 = picks(d, 4);  // not "full": it keeps its turns
  EXPECT_EQ(std::count(p4.begin(), p4.end(), 0u), 2);
  // Room for ordinary calls all the same; fast answers lift the limit.
  answer(d, 0, 60);
  EXPECT_FALSE(d.metrics()[0].load.limit);
  for (auto& p : polls) p.settle(nullptr);
}

TEST_F(LoadAware, TheLimitIsTheSmallerOfTheCeilingAndTheAdaptiveLimit) {
  ScriptedQueues queues(1);
  auto qs = queues.dispatcher_queues();
  qs[0].bulkhead = BulkheadOptions{.max_in_flight = 20};
  Dispatcher d(std::move(qs), options());
  answer(d, 0, 50);
  EXPECT_EQ(d.metrics()[0].load.limit, 20);  // healthy: the ceiling
  std::vector<detail::AdmittedCall> stuck;
  for (int i = 0; i < 5; ++i) stuck.push_back(d.executor(0).admit().value());
  pass(300ms);
  EXPECT_EQ(d.metrics()[0].load.limit, 2);  // degraded: the adaptive limit, below it
  for (auto& c : stuck) c.settle(nullptr);
  answer(d, 0, 60);
  EXPECT_EQ(d.metrics()[0].load.limit, 20);  // lifted: the ceiling again, never above it
}

TEST_F(LoadAware, AFixedCeilingCountsLongPollsToo) {
  ScriptedQueues queues(1);
  auto qs = queues.dispatcher_queues();
  qs[0].bulkhead = BulkheadOptions{.max_in_flight = 3};
  Dispatcher d(std::move(qs), options());
  std::vector<detail::AdmittedCall> polls;
  for (int i = 0; i < 3; ++i) polls.push_back(d.executor(0).admit(20s).value());
  auto refused = d.executor(0).admit();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::bulkhead_full);
  for (auto& p : polls) p.settle(nullptr);
}

TEST_F(LoadAware, AnOrdinaryCallBringsTheNextCheckForwardWhileOnlyLongPollsAreInFlight) {
  // With only long polls in flight, checks are up to a second apart; the first ordinary call
  // must still be seen stalled within the stall threshold plus one check interval.
  ScriptedQueues queues(2);
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 20);
  answer(d, 1, 20);
  auto poll = d.executor(0).admit(20s).value();
  pass(30ms);  // the watchdog checked once, and now waits long
  auto call = d.executor(0).admit().value();
  pass(70ms);
  EXPECT_TRUE(d.metrics()[0].load.stalled);
  call.settle(nullptr);
  poll.settle(nullptr);
}

TEST_F(LoadAware, BulkheadOptionsAreValidated) {
  ScriptedQueues queues(1);
  auto bad = [&](auto mutate) {
    auto o = options();
    mutate(o);
    EXPECT_THROW(Dispatcher(queues.dispatcher_queues(), o), std::invalid_argument);
  };
  bad([](DispatcherOptions& o) { o.bulkhead.max_in_flight = -1; });
  bad([](DispatcherOptions& o) { o.bulkhead.min_in_flight = 0; });
  bad([](DispatcherOptions& o) { o.bulkhead.tolerance = 0.5; });
  bad([](DispatcherOptions& o) { o.in_flight.check_interval = 0ms; });
  bad([](DispatcherOptions& o) { o.in_flight.stall_after = -1ms; });
  bad([](DispatcherOptions& o) { o.hedge = HedgeOptions{.percentile = 1.5}; });
  bad([](DispatcherOptions& o) { o.hedge = HedgeOptions{.max_copies = 0}; });
  bad([](DispatcherOptions& o) {
    o.hedge = HedgeOptions{.delay = std::chrono::milliseconds::max()};
  });
  bad([](DispatcherOptions& o) { o.in_flight.stall_after = std::chrono::milliseconds::max(); });
  bad([](DispatcherOptions& o) {
    o.in_flight.slow_call_threshold = std::chrono::milliseconds::max();
  });
  bad([](DispatcherOptions& o) { o.bulkhead.latency_margin = std::chrono::hours(25); });
}

// ---- the watchdog: nothing runs while nothing is in flight ----

TEST_F(LoadAware, WatchdogRunsOnlyWhileCallsAreInFlight) {
  ScriptedQueues queues(1);
  Dispatcher d(queues.dispatcher_queues(), options());
  EXPECT_EQ(clock->pending(), 0u);
  auto call = d.executor(0).admit();
  EXPECT_EQ(clock->pending(), 1u);
  pass(50ms);
  EXPECT_EQ(clock->pending(), 1u);
  call->settle(nullptr);
  pass(20ms);
  EXPECT_EQ(clock->pending(), 0u);
  auto again = d.executor(0).admit();  // armed again
  EXPECT_EQ(clock->pending(), 1u);
  again->settle(nullptr);
}

TEST_F(LoadAware, ADroppedCallIsSettledAsIgnored) {
  ScriptedQueues queues(1);
  Dispatcher d(queues.dispatcher_queues(), options());
  { auto call = d.executor(0).admit(); }
  auto m = d.metrics()[0];
  EXPECT_EQ(m.load.in_flight, 0);
  EXPECT_EQ(m.breaker.ignored, 1u);
}

// ---- async calls are accounted for too ----

TEST_F(LoadAware, AsyncCallsAreInFlightUntilTheyAnswer) {
  ScriptedQueues queues(1, /*request_timeout=*/1s);
  queues[0].server.set_script([](const ReceivedRequest&) { return Reply::hang(); });
  Dispatcher d(queues.dispatcher_queues(), options());
  answer(d, 0, 20);  // a baseline (with none, a call is "stalled" only after 1 s)
  auto f = d.executor(0).async_send("x", {}, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  EXPECT_EQ(d.metrics()[0].load.in_flight, 1);
  auto poll = d.executor(0).async_receive({.wait_time_seconds = 1}, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(2, 5s));
  EXPECT_EQ(d.metrics()[0].load.in_flight, 2);
  pass(100ms);
  EXPECT_TRUE(d.metrics()[0].load.stalled);  // the send; the long poll is within its wait
  auto r = f.get();                          // times out (1 s)
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  (void)poll.get();
  EXPECT_EQ(d.metrics()[0].load.in_flight, 0);
  EXPECT_FALSE(d.metrics()[0].load.stalled);
}

// ---- hedged failover sends ----

class Hedging : public LoadAware {
 protected:
  Hedging() {
    queues[0].server.set_script([](const ReceivedRequest&) { return Reply::hang(); });
  }
  ScriptedQueues queues{2, /*request_timeout=*/1s};
};

TEST_F(Hedging, AfterTheHedgeDelayACopyGoesToTheNextQueueAndTheFirstSuccessWins) {
  auto o = options();
  o.in_flight.slow_call_threshold = 0ms;
  Dispatcher d(queues.dispatcher_queues(), o);
  FailoverOptions f;
  f.hedge = HedgeOptions{.delay = 100ms};
  auto future = d.async_send("hedged", {}, f, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  clock->advance(90ms);
  EXPECT_EQ(queues[1].requests(), 0u);
  clock->advance(20ms);  // 110 ms: the copy goes
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  auto r = future.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_index, 1u);
  EXPECT_TRUE(r->hedged);
  ASSERT_EQ(r->copies.size(), 2u);
  EXPECT_EQ(r->copies[0].queue_index, 0u);
  EXPECT_EQ(r->copies[0].status, SendCopy::Status::pending);  // a possible duplicate
  EXPECT_EQ(r->copies[1].queue_index, 1u);
  EXPECT_EQ(r->copies[1].status, SendCopy::Status::accepted);
  auto m = d.metrics();
  EXPECT_EQ(m[1].load.hedges, 1u);
  EXPECT_EQ(m[1].load.hedge_wins, 1u);
}

TEST_F(Hedging, AFastAnswerSendsNoCopy) {
  queues[0].server.set_script([](const ReceivedRequest& r) { return sqs_success(r); });
  auto o = options();
  o.hedge = HedgeOptions{.delay = 100ms};  // the dispatcher's default
  Dispatcher d(queues.dispatcher_queues(), o);
  auto r = d.send("fast");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_index, 0u);
  EXPECT_FALSE(r->hedged);
  clock->advance(1s);
  EXPECT_EQ(queues[1].requests(), 0u);
  EXPECT_EQ(clock->pending(), 0u);  // the hedge timer was cancelled
}

TEST_F(Hedging, ALateSuccessOfTheFirstCopyIsReportedAsALateCopy) {
  queues[0].server.set_script(
      [](const ReceivedRequest& r) { return sqs_success(r, "late").after(300ms); });
  std::promise<LateCopy> late;
  auto o = options();
  o.on_late_copy = [&late](const LateCopy& c) { late.set_value(c); };
  Dispatcher d(queues.dispatcher_queues(), o);
  FailoverOptions f;
  f.hedge = HedgeOptions{.delay = 50ms};
  auto future = d.async_send("twice", {}, f, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  clock->advance(60ms);
  auto r = future.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->queue_index, 1u);
  auto lf = late.get_future();
  ASSERT_EQ(lf.wait_for(5s), std::future_status::ready);
  auto c = lf.get();
  EXPECT_EQ(c.queue_index, 0u);
  EXPECT_EQ(c.winner_index, 1u);
  EXPECT_EQ(c.message_id.rfind("late-", 0), 0u);
  EXPECT_EQ(d.metrics()[0].load.late_copies, 1u);
}

TEST_F(Hedging, PerCallOffOverridesTheDispatchersDefault) {
  auto o = options();
  o.hedge = HedgeOptions{.delay = 50ms};
  o.in_flight.slow_call_threshold = 0ms;
  Dispatcher d(queues.dispatcher_queues(), o);
  FailoverOptions f;
  f.hedge = HedgeOptions{.enabled = false};
  f.deadline = 0ms;  // one queue only, then give up
  auto future = d.async_send("no copy", {}, f, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  clock->advance(500ms);
  EXPECT_EQ(queues[1].requests(), 0u);
  (void)future.get();  // the hang times out (1 s)
}

TEST_F(Hedging, FifoQueuesAreNeverHedged) {
  std::vector<DispatcherQueue> qs;
  for (std::size_t i = 0; i < 2; ++i) {
    qs.push_back({Queue(queues[i].client, queues[i].server.endpoint() + "/000000000000/q" +
                                              std::to_string(i) + ".fifo"),
                  1});
  }
  auto o = options();
  o.in_flight.slow_call_threshold = 0ms;
  o.hedge = HedgeOptions{.delay = 50ms};
  Dispatcher d(std::move(qs), o);
  ASSERT_TRUE(d.executor(0).queue().is_fifo());
  SendOptions s;
  s.group_id = "g";
  s.deduplication_id = "d1";
  FailoverOptions f;
  f.deadline = 0ms;
  auto future = d.async_send("ordered", s, f, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  clock->advance(500ms);
  EXPECT_EQ(queues[1].requests(), 0u);
  (void)future.get();
}

TEST_F(Hedging, AdaptiveDelayFollowsTheFirstQueuesLatency) {
  auto o = options();
  o.in_flight.slow_call_threshold = 0ms;
  Dispatcher d(queues.dispatcher_queues(), o);
  answer(d, 0, 40, 30ms);  // q0 answers in 30 ms
  FailoverOptions f;
  f.hedge = HedgeOptions{.delay = 500ms, .percentile = 0.95};
  f.round_robin = true;
  // The rotation is at q0 again after an even number of picks.
  if (d.dispatch_rr().index() == 0) (void)d.dispatch_rr();
  auto future = d.async_send("adaptive", {}, f, boost::asio::use_future);
  ASSERT_TRUE(queues[0].server.wait_for_requests(1, 5s));
  clock->advance(25ms);
  EXPECT_EQ(queues[1].requests(), 0u);
  clock->advance(20ms);  // 45 ms > the p95 bucket of 30 ms (its upper edge: 31.5 ms)
  auto r = future.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_index, 1u);
}

}  // namespace
}  // namespace sqs::mqtest
