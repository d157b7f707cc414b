// Several threads dispatching at once while another one flips the breakers (force_open, clear,
// reset): every call either goes through or is refused with circuit_open, nothing else; every
// message a send reports as sent reached a server exactly once; the available set ends up
// consistent with the breakers. Short on purpose: it is mostly for TSan and ASan.
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

// Flips random breakers until `stop`, counting flips; ends with every breaker closed.
void flip_breakers(const Dispatcher& d, const std::atomic<bool>& stop, std::atomic<int>& flips,
                   std::uint64_t seed) {
  std::mt19937_64 random(seed);
  while (!stop.load()) {
    auto& breaker = d.executor(random() % d.size()).breaker();
    switch (random() % 3) {
      case 0:
        breaker.force_open();
        break;
      case 1:
        breaker.clear();  // forced open -> half-open
        break;
      default:
        breaker.reset();
        break;
    }
    (void)d.available();
    (void)d.metrics();
    ++flips;
    std::this_thread::yield();
  }
  for (const auto& ex : d.executors()) ex.breaker().reset();
}

DispatcherOptions stress_options(TransitionLog& log) {
  DispatcherOptions o;
  o.breaker.clock = std::make_shared<ManualClock>();  // no timer: only the flipper moves them
  o.seed = 11;
  o.on_state_change = log.hook();
  return o;
}

TEST(DispatcherStress, ConcurrentSendsWhileBreakersFlip) {
  ScriptedQueues queues(3);
  TransitionLog log;
  Dispatcher d(queues.dispatcher_queues({1, 3, 2}), stress_options(log));

  // Each thread sends at least 60 messages, and goes on (up to 600) until the flipper has
  // flipped 100 times: the sends must overlap the flips, however the threads are scheduled.
  constexpr int kThreads = 3;
  std::atomic<bool> stop{false};
  std::atomic<int> flips{0}, attempts{0}, sent{0}, refused{0}, failover_sent{0}, other{0};
  std::thread flipper(flip_breakers, std::cref(d), std::cref(stop), std::ref(flips), 5);

  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 600 && (i < 60 || flips.load() < 100); ++i) {
        ++attempts;
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        if (i % 4 == 3) {  // now and then, the failover send
          auto r = d.send(body);
          if (r) {
            ++failover_sent;
          } else if (r.error().kind == ErrorKind::circuit_open) {
            ++refused;  // every queue open at that moment
          } else {
            ++other;
          }
          continue;
        }
        auto r = d.dispatch_rr().send(body);
        if (r) {
          ++sent;
        } else if (r.error().kind == ErrorKind::circuit_open) {
          ++refused;
        } else {
          ++other;
          ADD_FAILURE() << r.error().to_string();
        }
      }
    });
  }
  for (auto& s : senders) s.join();
  stop = true;
  flipper.join();

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(sent + failover_sent + refused, attempts.load());
  // Each success is one request, and a refusal none.
  EXPECT_EQ(queues.total_requests(), static_cast<std::size_t>(sent + failover_sent));
  EXPECT_GT(sent.load(), 0);
  EXPECT_EQ(d.available(), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_GE(flips.load(), 1);
  EXPECT_GT(log.size(), 0u);
}

TEST(DispatcherStress, ConcurrentDispatchWithoutNetwork) {
  Client client(config_for("http://127.0.0.1:9"));
  std::vector<DispatcherQueue> queues;
  for (int i = 0; i < 4; ++i) {
    queues.push_back(
        {Queue(client, "http://127.0.0.1:9/000000000000/q" + std::to_string(i)), i + 1});
  }
  TransitionLog log;
  Dispatcher d(std::move(queues), stress_options(log));

  std::atomic<bool> stop{false};
  std::atomic<int> flips{0};
  std::atomic<long> ok{0}, refused{0};
  std::thread flipper(flip_breakers, std::cref(d), std::cref(stop), std::ref(flips), 9);
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        const Executor& ex = (i + t) % 2 ? d.dispatch_rr() : d.dispatch();
        EXPECT_LT(ex.index(), d.size());
        auto r = ex.run([](const Queue&) { return Result<int>(1); });
        r ? ++ok : ++refused;
        if (i % 1000 == 0) {
          Executor copy = d.dispatch_rr();  // copies hold strong references: fine concurrently
          (void)copy.state();
        }
      }
    });
  }
  for (auto& c : callers) c.join();
  stop = true;
  flipper.join();
  EXPECT_EQ(ok + refused, 3 * 20000);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(d.available().size(), 4u);
}

}  // namespace
}  // namespace sqs::mqtest
