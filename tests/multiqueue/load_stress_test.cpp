// The load accounting under concurrency, on the real clock (the watchdog on the shared timer
// thread): threads admitting and settling calls, hedged failover sends whose copies complete on
// two clients' threads, dispatching and metrics read at once. Every call ends accounted for
// (nothing left in flight), every send completes exactly once. Short on purpose: it is mostly
// for TSan and ASan.
#include <atomic>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

TEST(LoadStress, ConcurrentCallsHedgedSendsAndTheWatchdog) {
  ScriptedQueues queues(2, 2s);
  auto counter = std::make_shared<std::atomic<int>>(0);
  // q0 answers some sends late (so hedges fire and late copies arrive), q1 at once.
  queues[0].server.set_script([counter](const ReceivedRequest& r) {
    auto reply = sqs_success(r);
    if (counter->fetch_add(1) % 3 == 0) reply.after(30ms);
    return reply;
  });
  std::atomic<int> late{0};
  DispatcherOptions o;
  o.seed = 5;
  o.hedge = HedgeOptions{.delay = 5ms};
  o.in_flight.check_interval = 1ms;
  o.in_flight.stall_after = 1ms;  // stalls come and go all the time
  o.on_late_copy = [&late](const LateCopy&) { ++late; };
  Dispatcher d(queues.dispatcher_queues(), o);

  std::atomic<bool> stop{false};
  std::atomic<int> sync_calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        auto r = d.dispatch_rr().run([](const Queue&) { return Result<int>(1); });
        if (r) ++sync_calls;
        auto held = d.dispatch().admit();
        if (held) held->settle(nullptr);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      (void)d.metrics();
      std::this_thread::yield();
    }
  });

  std::vector<std::future<Result<FailoverSendResult>>> sends;
  for (int i = 0; i < 200; ++i) {
    sends.push_back(d.async_send("m" + std::to_string(i), {}, {}, boost::asio::use_future));
  }
  int ok = 0;
  for (auto& f : sends) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto r = f.get();
    EXPECT_TRUE(r) << r.error().to_string();
    ok += r ? 1 : 0;
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 200);
  EXPECT_GT(sync_calls.load(), 0);

  // The copies still in flight complete (late or not); then nothing is left in flight.
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  auto in_flight = [&] {
    std::int64_t n = 0;
    for (const auto& m : d.metrics()) n += m.load.in_flight;
    return n;
  };
  while (in_flight() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);  // polling a counter: no event to wait on
  }
  EXPECT_EQ(in_flight(), 0);
  std::uint64_t hedges = 0, late_copies = 0;
  for (const auto& m : d.metrics()) {
    hedges += m.load.hedges;
    late_copies += m.load.late_copies;
  }
  EXPECT_GT(hedges, 0u);
  EXPECT_EQ(late_copies, static_cast<std::uint64_t>(late.load()));
}

}  // namespace
}  // namespace sqs::mqtest
