// sqs::Dispatcher: which queue it picks (weighted round-robin, random, the fallback when none
// is available), how the available set follows the breakers, the state-change hooks, the
// executors and the metrics. Queues on a client pointed at a closed port, or at a scripted SQS
// where a test needs calls to fail; breakers on a manual clock.
#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

// Queues whose client points at a port where nobody listens: dispatching never sends anything.
class OfflineQueues {
 public:
  std::vector<DispatcherQueue> make(const std::vector<int>& weights) const {
    std::vector<DispatcherQueue> out;
    for (std::size_t i = 0; i < weights.size(); ++i) out.push_back({queue(i), weights[i]});
    return out;
  }
  Queue queue(std::size_t i) const {
    return Queue(client_, "http://127.0.0.1:9/000000000000/q" + std::to_string(i));
  }

 private:
  Client client_{config_for("http://127.0.0.1:9")};
};

std::vector<std::size_t> rr_sequence(const Dispatcher& d, std::size_t n) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(d.dispatch_rr().index());
  return out;
}

using Seq = std::vector<std::size_t>;

class DispatcherTest : public ::testing::Test {
 protected:
  OfflineQueues offline;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();

  DispatcherOptions options(TransitionLog* log = nullptr) {
    DispatcherOptions o;
    o.breaker = manual_breaker(clock);
    o.seed = 1;
    if (log != nullptr) o.on_state_change = log->hook();
    return o;
  }
};

// ---- weighted round-robin ----

TEST_F(DispatcherTest, RoundRobinLargestWeightInTheMiddle) {
  Dispatcher d(offline.make({1, 5, 2}), options());
  // q1 q2 q3 q2 q3 q2 q2 q2, cycle after cycle.
  EXPECT_EQ(rr_sequence(d, 16), (Seq{0, 1, 2, 1, 2, 1, 1, 1, 0, 1, 2, 1, 2, 1, 1, 1}));
}

TEST_F(DispatcherTest, RoundRobinLargestWeightFirst) {
  Dispatcher d(offline.make({5, 1, 2}), options());
  EXPECT_EQ(rr_sequence(d, 8), (Seq{0, 1, 2, 0, 2, 0, 0, 0}));
}

TEST_F(DispatcherTest, RoundRobinLargestWeightLast) {
  // The Go version looked for the largest weight without the last queue: it would never give
  // q3 its 5 turns.
  Dispatcher d(offline.make({1, 2, 5}), options());
  EXPECT_EQ(rr_sequence(d, 16), (Seq{0, 1, 2, 1, 2, 2, 2, 2, 0, 1, 2, 1, 2, 2, 2, 2}));
}

TEST_F(DispatcherTest, RoundRobinOverTheAvailableQueuesOnly) {
  Dispatcher d(offline.make({1, 5, 2}), options());
  d.executor(1).breaker().force_open();
  EXPECT_EQ(d.available(), (Seq{0, 2}));
  const auto seq = rr_sequence(d, 30);
  EXPECT_EQ(std::count(seq.begin(), seq.end(), 1u), 0);
  EXPECT_EQ(std::count(seq.begin(), seq.end(), 0u), 10);  // weights 1 and 2 over 30 picks
  EXPECT_EQ(std::count(seq.begin(), seq.end(), 2u), 20);
}

TEST_F(DispatcherTest, RejectsNoQueueAndWeightsBelowOne) {
  EXPECT_THROW(Dispatcher({}, options()), std::invalid_argument);
  EXPECT_THROW(Dispatcher(offline.make({1, 0}), options()), std::invalid_argument);
  EXPECT_THROW(Dispatcher(offline.make({-3}), options()), std::invalid_argument);
}

// ---- executors ----

TEST_F(DispatcherTest, ExecutorsReturnEveryQueueInOrder) {
  Dispatcher d(offline.make({1, 5, 2}), options());
  d.executor(0).breaker().force_open();  // unavailable queues are listed too
  ASSERT_EQ(d.size(), 3u);
  const auto& all = d.executors();
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].index(), i);
    EXPECT_EQ(all[i].queue().url(), offline.queue(i).url());
    EXPECT_EQ(&d.executor(i), &all[i]);  // the same executors, built once
  }
  EXPECT_EQ(all[0].state(), kOpen);
  EXPECT_EQ(all[1].state(), kClosed);
  EXPECT_THROW((void)d.executor(3), std::out_of_range);
  // dispatch_rr() hands out references to those same executors.
  const Executor& picked = d.dispatch_rr();
  EXPECT_EQ(&picked, &all[picked.index()]);
}

TEST_F(DispatcherTest, AnExecutorCopyOutlivesTheDispatcher) {
  TransitionLog log;
  std::optional<Executor> kept;
  {
    Dispatcher d(offline.make({1, 1}), options(&log));
    kept = d.executor(1);
  }
  EXPECT_EQ(kept->queue().url(), offline.queue(1).url());
  // Its breaker still works; the dispatcher's hook is no longer called.
  kept->breaker().force_open();
  EXPECT_EQ(kept->state(), kOpen);
  auto r = kept->run([](const Queue&) { return Result<int>(1); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::circuit_open);
  EXPECT_TRUE(log.log().empty());
}

// ---- the available set follows the breakers ----

TEST_F(DispatcherTest, ForcedOpenLeavesAndComesBackWhenHalfOpen) {
  TransitionLog log;
  Dispatcher d(offline.make({1, 1, 1}), options(&log));
  EXPECT_EQ(d.available(), (Seq{0, 1, 2}));

  d.executor(1).breaker().force_open();
  EXPECT_EQ(d.available(), (Seq{0, 2}));
  for (int i = 0; i < 50; ++i) {
    EXPECT_NE(d.dispatch_rr().index(), 1u);
    EXPECT_NE(d.dispatch().index(), 1u);
  }
  // Forced open: no timer, time does not bring it back.
  clock->advance(1h);
  EXPECT_EQ(d.available(), (Seq{0, 2}));

  d.executor(1).breaker().clear();  // half-open: back in the set, its probes decide
  EXPECT_EQ(d.executor(1).state(), kHalfOpen);
  EXPECT_EQ(d.available(), (Seq{0, 1, 2}));
  auto probe = d.executor(1).run([](const Queue&) { return Result<int>(1); });
  ASSERT_TRUE(probe);
  EXPECT_EQ(d.executor(1).state(), kClosed);
  EXPECT_EQ(d.available(), (Seq{0, 1, 2}));

  EXPECT_EQ(log.log(), (std::vector<Transition>{
                           {1, kClosed, kOpen}, {1, kOpen, kHalfOpen}, {1, kHalfOpen, kClosed}}));
}

TEST_F(DispatcherTest, FailingQueueLeavesAndComesBackOnTime) {
  ScriptedQueues queues(2);
  queues[1].server.set_script(
      [](const ReceivedRequest&) { return sqs_error(500, "InternalError"); });
  TransitionLog log;
  Dispatcher d(queues.dispatcher_queues(), options(&log));  // 2 consecutive failures open it

  const Executor& failing = d.executor(1);
  auto first = failing.send("a");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().http_status, 500);
  EXPECT_EQ(d.available(), (Seq{0, 1}));  // one failure: still in
  ASSERT_FALSE(failing.send("b"));
  EXPECT_EQ(failing.state(), kOpen);
  EXPECT_EQ(d.available(), (Seq{0}));
  EXPECT_EQ(queues[1].requests(), 2u);

  // Open for exactly 1 s (manual clock): refused without a request until then.
  clock->advance(999ms);
  EXPECT_EQ(failing.state(), kOpen);
  auto refused = failing.send("c");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::circuit_open);
  EXPECT_EQ(queues[1].requests(), 2u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.dispatch_rr().index(), 0u);

  clock->advance(1ms);  // the timer moves it to half-open, nobody calling
  EXPECT_EQ(failing.state(), kHalfOpen);
  EXPECT_EQ(d.available(), (Seq{0, 1}));

  // The region is back: the probe succeeds and the breaker closes.
  queues[1].server.set_script([](const ReceivedRequest& r) { return sqs_success(r); });
  auto probe = failing.send("d");
  ASSERT_TRUE(probe) << probe.error().to_string();
  EXPECT_EQ(failing.state(), kClosed);
  EXPECT_EQ(queues[1].requests(), 3u);

  EXPECT_EQ(log.log(), (std::vector<Transition>{
                           {1, kClosed, kOpen}, {1, kOpen, kHalfOpen}, {1, kHalfOpen, kClosed}}));
}

TEST_F(DispatcherTest, FailedProbeTakesItOutAgain) {
  ScriptedQueues queues(2);
  queues[0].server.set_script([](const ReceivedRequest&) { return Reply::close_connection(); });
  TransitionLog log;
  Dispatcher d(queues.dispatcher_queues(), options(&log));
  ASSERT_FALSE(d.executor(0).send("a"));
  auto transport = d.executor(0).send("b");
  ASSERT_FALSE(transport);
  EXPECT_EQ(transport.error().kind, ErrorKind::transport);
  EXPECT_EQ(d.available(), (Seq{1}));
  clock->advance(1s);
  EXPECT_EQ(d.available(), (Seq{0, 1}));
  ASSERT_FALSE(d.executor(0).send("probe"));  // still failing
  EXPECT_EQ(d.executor(0).state(), kOpen);
  EXPECT_EQ(d.available(), (Seq{1}));
  EXPECT_EQ(log.log(), (std::vector<Transition>{
                           {0, kClosed, kOpen}, {0, kOpen, kHalfOpen}, {0, kHalfOpen, kOpen}}));
}

// ---- no queue available ----

TEST_F(DispatcherTest, WithNoQueueAvailableItStillAnswersAtRandomAmongAll) {
  Dispatcher d(offline.make({1, 5, 2}), options());
  for (std::size_t i = 0; i < d.size(); ++i) d.executor(i).breaker().force_open();
  EXPECT_TRUE(d.available().empty());
  std::map<std::size_t, int> rr, random;
  for (int i = 0; i < 3000; ++i) {
    ++rr[d.dispatch_rr().index()];
    ++random[d.dispatch().index()];
  }
  // Uniform, whatever the weights: each about 1000 (a binomial's sd is about 26).
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_GT(rr[i], 850) << "queue " << i;
    EXPECT_LT(rr[i], 1150) << "queue " << i;
    EXPECT_GT(random[i], 850) << "queue " << i;
    EXPECT_LT(random[i], 1150) << "queue " << i;
  }
  // And the executor answers: circuit open, fast.
  auto r = d.dispatch_rr().send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::circuit_open);
}

// ---- random choice ----

TEST_F(DispatcherTest, RandomChoiceIsUniformOverTheAvailableQueues) {
  Dispatcher d(offline.make({1, 5, 2}), options());  // weights do not matter to dispatch()
  std::map<std::size_t, int> counts;
  for (int i = 0; i < 30000; ++i) ++counts[d.dispatch().index()];
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_GT(counts[i], 9500) << "queue " << i;  // sd about 82
    EXPECT_LT(counts[i], 10500) << "queue " << i;
  }
  d.executor(2).breaker().force_open();
  counts.clear();
  for (int i = 0; i < 20000; ++i) ++counts[d.dispatch().index()];
  EXPECT_EQ(counts[2], 0);
  EXPECT_GT(counts[0], 9500);
  EXPECT_GT(counts[1], 9500);
}

TEST_F(DispatcherTest, RandomChoiceIsReproducibleFromTheSeed) {
  auto sequence = [&](std::uint64_t seed) {
    DispatcherOptions o = options();
    o.seed = seed;
    Dispatcher d(offline.make({1, 1, 1, 1}), std::move(o));
    Seq out;
    for (int i = 0; i < 200; ++i) out.push_back(d.dispatch().index());
    return out;
  };
  EXPECT_EQ(sequence(42), sequence(42));
  EXPECT_NE(sequence(42), sequence(43));
}

// ---- hooks ----

TEST_F(DispatcherTest, HooksGetTheQueueAndTheTransitionInOrder) {
  std::mutex m;
  std::vector<std::string> calls;
  DispatcherOptions o = options();
  o.breaker.on_state_change = [&](CircuitState from, CircuitState to) {
    std::lock_guard lock(m);
    calls.push_back("breaker " + std::string(to_string(from)) + ">" + std::string(to_string(to)));
  };
  std::optional<Dispatcher> d;
  o.on_state_change = [&](std::size_t index, const Queue& queue, CircuitState from,
                          CircuitState to) {
    std::lock_guard lock(m);
    EXPECT_EQ(queue.url(), offline.queue(index).url());
    // The available set is already up to date when the hook runs.
    auto available = d->available();
    const bool listed = std::find(available.begin(), available.end(), index) != available.end();
    EXPECT_EQ(listed, to != kOpen);
    calls.push_back("q" + std::to_string(index) + " " + std::string(to_string(from)) + ">" +
                    std::string(to_string(to)));
  };
  d.emplace(offline.make({1, 1, 1}), std::move(o));

  d->executor(2).breaker().force_open();
  d->executor(0).breaker().force_open();
  clock->advance(10s);  // forced: no timer
  d->executor(2).breaker().clear();
  d->executor(2).breaker().reset();
  d->executor(0).breaker().reset();

  EXPECT_EQ(calls, (std::vector<std::string>{"breaker closed>open", "q2 closed>open",            //
                                             "breaker closed>open", "q0 closed>open",            //
                                             "breaker open>half-open", "q2 open>half-open",      //
                                             "breaker half-open>closed", "q2 half-open>closed",  //
                                             "breaker open>closed", "q0 open>closed"}));
}

TEST_F(DispatcherTest, TimerTransitionsReachTheHook) {
  TransitionLog log;
  Dispatcher d(offline.make({1, 1}), options(&log));
  // Two failures open it (manual_breaker), through Executor::run.
  for (int i = 0; i < 2; ++i) {
    auto r = d.executor(0).run(
        [](const Queue&) { return Result<int>(Error::make(ErrorKind::timeout, "Timeout", "x")); });
    EXPECT_FALSE(r);
  }
  clock->advance(1s);
  EXPECT_EQ(log.log(), (std::vector<Transition>{{0, kClosed, kOpen}, {0, kOpen, kHalfOpen}}));
}

TEST_F(DispatcherTest, OnStateChangeReplacesTheHook) {
  TransitionLog first, second;
  Dispatcher d(offline.make({1, 1}), options(&first));
  d.executor(0).breaker().force_open();
  d.on_state_change(second.hook());
  d.executor(0).breaker().reset();
  d.on_state_change(nullptr);
  d.executor(1).breaker().force_open();
  EXPECT_EQ(first.log(), (std::vector<Transition>{{0, kClosed, kOpen}}));
  EXPECT_EQ(second.log(), (std::vector<Transition>{{0, kOpen, kClosed}}));
  EXPECT_EQ(d.available(), (Seq{0}));  // the available set follows, hook or not
}

// ---- metrics ----

TEST_F(DispatcherTest, MetricsSnapshot) {
  Dispatcher d(offline.make({1, 5}), options());
  auto ok = [](const Queue&) { return Result<int>(1); };
  auto fail = [](const Queue&) {
    return Result<int>(Error::make(ErrorKind::transport, "ConnectionRefused", "x"));
  };
  (void)d.executor(0).run(ok);
  (void)d.executor(0).run(ok);
  (void)d.executor(1).run(fail);
  (void)d.executor(1).run(fail);  // opens
  (void)d.executor(1).run(ok);    // refused

  auto m = d.metrics();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].index, 0u);
  EXPECT_EQ(m[0].queue_url, offline.queue(0).url());
  EXPECT_EQ(m[0].weight, 1);
  EXPECT_TRUE(m[0].available);
  EXPECT_EQ(m[0].breaker.state, kClosed);
  EXPECT_EQ(m[0].breaker.successes, 2u);
  EXPECT_EQ(m[0].breaker.counters.successes, 2);
  EXPECT_EQ(m[0].breaker.transitions, 0u);

  EXPECT_EQ(m[1].index, 1u);
  EXPECT_EQ(m[1].queue_url, offline.queue(1).url());
  EXPECT_EQ(m[1].weight, 5);
  EXPECT_FALSE(m[1].available);
  EXPECT_EQ(m[1].breaker.state, kOpen);
  EXPECT_FALSE(m[1].breaker.forced);
  EXPECT_EQ(m[1].breaker.failures, 2u);
  EXPECT_EQ(m[1].breaker.rejected, 1u);
  EXPECT_EQ(m[1].breaker.transitions, 1u);
  EXPECT_EQ(m[1].breaker.last_transition, clock->now());
  ASSERT_TRUE(m[1].breaker.half_open_at);
  EXPECT_EQ(*m[1].breaker.half_open_at, clock->now() + 1s);

  // A snapshot: later changes do not alter it.
  d.executor(1).breaker().reset();
  EXPECT_FALSE(m[1].available);
  EXPECT_TRUE(d.metrics()[1].available);
}

}  // namespace
}  // namespace sqs::mqtest
