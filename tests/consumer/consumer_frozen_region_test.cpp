// A region that hangs, through sqs::Consumer: a frozen server (SIGSTOP: connections accepted,
// never answered) costs the other region nothing, and its messages are handled once it thaws;
// a receive that never completes at all (below the client: no timeout can end it) is given up by
// the watchdog and replaced.
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "consumer/consumer_support.hpp"
#include "sqs/consumer.hpp"
#include "support/fauxqs_server.hpp"

namespace sqs::itest {
namespace {

// Bodies "r<q>-<i>" handled, each counted.
class Books {
 public:
  void handled(const std::string& body) {
    std::lock_guard lock(mutex_);
    ++counts_[body];
  }
  int of_queue(int q, int n) const {
    std::lock_guard lock(mutex_);
    int seen = 0;
    for (int i = 0; i < n; ++i)
      seen += counts_.count("r" + std::to_string(q) + "-" + std::to_string(i));
    return seen;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
};

TEST(ConsumerRegions, AFrozenRegionCostsTheOtherNothing) {
  TwoRegions regions("consumer-frozen");
  auto& servers = regions.servers;
  auto& queues = regions.queues;
  constexpr int kFirst = 100, kSecond = 200;
  fill(queues[0].queue, kFirst, "r0");
  fill(queues[1].queue, kFirst, "r1");
  DispatcherOptions d;
  d.breaker.open_timeout = 300ms;
  Dispatcher dispatcher(std::move(queues), std::move(d));

  Books books;
  std::atomic<int> poll_errors_0{0};
  ConsumerHooks hooks;
  hooks.on_poll_error = [&](std::size_t q, const Error&) {
    if (q == 0) ++poll_errors_0;
  };
  Consumer consumer(
      dispatcher,
      [&](const Message& m, const MessageContext&) {
        books.handled(m.body);
        return Outcome::ack();
      },
      {.max_in_flight = 40, .wait_time_seconds = 1, .visibility_timeout = 5, .worker_threads = 4},
      std::move(hooks));
  consumer.start();
  ASSERT_TRUE(eventually([&] { return books.of_queue(0, kFirst) == kFirst; }));
  ASSERT_TRUE(eventually([&] { return books.of_queue(1, kFirst) == kFirst; }));

  // Region 0 hangs; region 1 gets more work, which is all handled while region 0 is frozen.
  servers[0]->freeze();
  fill(dispatcher.executor(1).queue(), kSecond, "r1-late");
  ASSERT_TRUE(eventually(
      [&] {
        return consumer.metrics().queues[1].acked >= static_cast<std::uint64_t>(kFirst + kSecond);
      },
      30s))
      << "region 1 handled " << consumer.metrics().queues[1].acked << " while region 0 was frozen";
  // (Its receives time out: 3 attempts of 1 s + the 1 s wait each.)
  EXPECT_TRUE(eventually([&] { return poll_errors_0.load() >= 1; }, 30s))
      << "the frozen region's receives never failed";

  // Thawed, region 0 takes messages again.
  servers[0]->thaw();
  fill(dispatcher.executor(0).queue(), kFirst, "r0-late");
  EXPECT_TRUE(eventually(
      [&] { return consumer.metrics().queues[0].acked >= static_cast<std::uint64_t>(2 * kFirst); },
      30s))
      << "region 0 handled " << consumer.metrics().queues[0].acked << " after the thaw";
  auto summary = consumer.stop(10s);
  EXPECT_TRUE(summary.drained);
}

// Below the client, a receive that never completes (here: a receive function that holds it until
// it is cancelled): the watchdog gives it up after twice its expected time and polls again.
TEST(ConsumerWatchdog, ReplacesAReceiveThatNeverCompletes) {
  ClientConfig c = fauxqs_config();
  c.request_timeout = 500ms;
  c.retry.max_attempts = 1;  // a receive's expected time: 1 attempt of 1 s wait + 0.5 s
  Client client(c);
  std::vector<DispatcherQueue> queues;
  queues.push_back({create_queue_object(client, unique_name("watchdog")), 1});
  queues.push_back({create_queue_object(client, unique_name("watchdog")), 1});
  constexpr int kPerQueue = 50;
  fill(queues[0].queue, kPerQueue, "r0");
  fill(queues[1].queue, kPerQueue, "r1");
  Dispatcher dispatcher(std::move(queues));

  std::atomic<bool> frozen{true};
  std::atomic<int> held{0}, cancelled{0}, restarts_0{0};
  ConsumerHooks hooks;
  hooks.on_watchdog_restart = [&](std::size_t q) {
    if (q == 0) ++restarts_0;
  };
  ConsumerOptions options{
      .max_in_flight = 20, .wait_time_seconds = 1, .visibility_timeout = 10, .worker_threads = 2};
  options.receive_function = [&](const Executor& executor, const ReceiveOptions& o,
                                 boost::asio::cancellation_slot cancel, auto done) {
    if (executor.index() == 0 && frozen) {
      ++held;
      // Never answers by itself: only the consumer's cancellation ends it.
      cancel.assign([&cancelled, done](boost::asio::cancellation_type) {
        ++cancelled;
        done(Error::make(ErrorKind::cancelled, "Cancelled", "held receive given up"));
      });
      return;
    }
    executor.async_receive(o, boost::asio::bind_cancellation_slot(cancel, std::move(done)));
  };
  std::atomic<int> handled_0{0}, handled_1{0};
  Consumer consumer(
      dispatcher,
      [&](const Message&, const MessageContext& context) {
        ++(context.queue_index == 0 ? handled_0 : handled_1);
        return Outcome::ack();
      },
      std::move(options), std::move(hooks));
  consumer.start();
  // The healthy queue is handled meanwhile.
  ASSERT_TRUE(eventually([&] { return handled_1.load() == kPerQueue; })) << handled_1.load();
  // Expected time of a receive: 1 s wait + 0.5 s request timeout; the watchdog gives up at 3 s.
  ASSERT_TRUE(eventually([&] { return restarts_0.load() >= 1; }, 15s));
  EXPECT_GE(cancelled.load(), 1);
  EXPECT_TRUE(eventually([&] { return held.load() >= 2; }, 5s))
      << "no new receive after the restart";
  EXPECT_GE(consumer.metrics().queues[0].watchdog_restarts, 1u);
  EXPECT_EQ(consumer.metrics().queues[1].watchdog_restarts, 0u);
  EXPECT_EQ(handled_0.load(), 0);

  frozen = false;  // the next receive (after the next restart) goes through
  EXPECT_TRUE(eventually([&] { return handled_0.load() == kPerQueue; }, 20s)) << handled_0.load();
  auto summary = consumer.stop(5s);
  EXPECT_TRUE(summary.drained);
}

}  // namespace
}  // namespace sqs::itest
