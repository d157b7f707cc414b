// sqs::Consumer against fauxqs: handling and batched acks, the in-flight budget, retries with
// back-off, heartbeats, FIFO order per group, the graceful drain, errors and back-off.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "consumer/consumer_support.hpp"
#include "integration/itest_support.hpp"
#include "sqs/consumer.hpp"
#include "sqs/coroutine_handler.hpp"
#include "support/fauxqs_server.hpp"

namespace sqs::itest {
namespace {

class ConsumerTest : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue queue = create_queue_object(client, unique_name());
};

TEST_F(ConsumerTest, HandlesAndAcknowledgesEveryMessage) {
  fill(queue, 50, "m");
  std::mutex mutex;
  std::multiset<std::string> seen;
  Consumer consumer(queue, [&](const Message& m, const MessageContext& c) {
    EXPECT_EQ(c.queue_index, 0u);
    EXPECT_EQ(c.receive_count, 1);
    std::lock_guard lock(mutex);
    seen.insert(m.body);
    return Outcome::ack();
  });
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 50; }))
      << consumer.metrics().total.acked;
  auto summary = consumer.stop(5s);
  EXPECT_TRUE(summary.drained);
  EXPECT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen.count("m-" + std::to_string(i)), 1u);
  EXPECT_EQ(messages_left(queue), 0);
  // Deletes went in batches: far fewer calls than messages.
  EXPECT_EQ(summary.metrics.total.handled, 50u);
  EXPECT_EQ(summary.metrics.total.ack_failures, 0u);
}

// 500 async handlers at once, each taking 200 ms: the budget is reached and never exceeded,
// and refills as handlers finish.
TEST_F(ConsumerTest, MaxInFlightIsReachedAndNeverExceeded) {
  constexpr int kBudget = 500;
  fill(queue, 1500, "load");
  Later later;
  std::atomic<int> now_in{0}, peak{0}, done{0};
  Consumer consumer(queue, AsyncHandler([&](Delivery d) {
                      const int n = ++now_in;
                      for (int p = peak.load(); n > p && !peak.compare_exchange_weak(p, n);) {
                      }
                      later.after(200ms, [&, d] {
                        --now_in;
                        ++done;
                        d.ack();
                      });
                    }),
                    {.max_in_flight = kBudget, .receives_per_queue = 4});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return done.load() == 1500; }, 60s)) << done.load();
  auto summary = consumer.stop(5s);
  EXPECT_TRUE(summary.drained);
  EXPECT_EQ(peak.load(), kBudget);
  EXPECT_TRUE(eventually([&] { return messages_left(queue) == 0; }));
}

// A retried message comes back after its delay, with a higher receive count; one that throws
// is retried too, its exception reported.
TEST_F(ConsumerTest, RetriesComeBackAfterTheirDelay) {
  fill(queue, 2, "r");
  std::mutex mutex;
  std::map<std::string, std::vector<SteadyClock::time_point>> times;
  std::vector<std::string> errors;
  ConsumerHooks hooks;
  hooks.on_handler_error = [&](const Message&, const std::string& what) {
    std::lock_guard lock(mutex);
    errors.push_back(what);
  };
  Consumer consumer(
      queue,
      [&](const Message& m, const MessageContext& c) {
        {
          std::lock_guard lock(mutex);
          times[m.body].push_back(SteadyClock::now());
        }
        if (c.receive_count >= 2) return Outcome::ack();
        if (m.body == "r-0") return Outcome::retry(1s);
        throw std::runtime_error("boom");
      },
      {.wait_time_seconds = 1, .retry = {.initial = 1s}}, std::move(hooks));
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 2; }));
  consumer.stop(5s);
  std::lock_guard lock(mutex);
  for (const auto& body : {"r-0", "r-1"}) {
    ASSERT_EQ(times[body].size(), 2u) << body;
    // The delay is whole seconds (what SQS takes): 1 s, or 0.5..1 s with the policy's jitter.
    EXPECT_GE(times[body][1] - times[body][0], 400ms) << body;
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "boom");
  EXPECT_EQ(messages_left(queue), 0);
}

// A handler that takes 3x the visibility timeout: heartbeats keep the message invisible, so it
// is handled once, then deleted.
TEST_F(ConsumerTest, HeartbeatsKeepSlowWorkInvisible) {
  fill(queue, 1, "slow");
  std::atomic<int> calls{0};
  Consumer consumer(queue,
                    [&](const Message&, const MessageContext& c) {
                      ++calls;
                      EXPECT_EQ(c.receive_count, 1);
                      std::this_thread::sleep_for(6s);  // the work itself (not synchronisation)
                      return Outcome::ack();
                    },
                    {.wait_time_seconds = 1, .visibility_timeout = 2});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 1; }, 30s));
  auto m = consumer.metrics();
  consumer.stop(5s);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_GE(m.total.extended, 2u);
  EXPECT_EQ(messages_left(queue), 0);
}

// Stopping during an idle long poll ends it at once.
TEST_F(ConsumerTest, StopDuringAnIdleLongPollIsQuick) {
  auto consumer = std::make_unique<Consumer>(
      queue, [](const Message&, const MessageContext&) { return Outcome::ack(); });
  consumer->start();
  ASSERT_TRUE(eventually([&] { return consumer->metrics().total.receives >= 1; }));
  const auto started = SteadyClock::now();
  auto summary = consumer->stop(10s);
  const auto took = SteadyClock::now() - started;
  consumer.reset();
  const auto destroyed = SteadyClock::now() - started - took;
  EXPECT_TRUE(summary.drained);
  EXPECT_LT(took, 3s) << "the 20 s long poll was waited for";
  EXPECT_LT(destroyed, 3s);
  auto ms = [](auto d) {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  RecordProperty("stop_ms", ms(took));
  RecordProperty("destroy_ms", ms(destroyed));
}

// A stop waits for the handlers in flight; messages received but not started are visible to
// another consumer at once.
TEST_F(ConsumerTest, StopReleasesUnstartedAndWaitsForRunningHandlers) {
  fill(queue, 10, "s");
  std::mutex mutex;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> started{0};
  Consumer consumer(queue,
                    [&](const Message&, const MessageContext&) {
                      ++started;
                      std::unique_lock lock(mutex);
                      cv.wait(lock, [&] { return release; });
                      return Outcome::ack();
                    },
                    {.max_in_flight = 10, .wait_time_seconds = 1, .worker_threads = 1});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.received == 10; }));
  ASSERT_EQ(started.load(), 1);
  auto stopping = std::async(std::launch::async, [&] { return consumer.stop(20s); });
  // The 9 waiting for the one worker are released (visibility 0): another reader gets them.
  std::set<std::string> other;
  ASSERT_TRUE(eventually([&] {
    auto r = queue.receive({.max_messages = 10, .wait_time_seconds = 0, .visibility_timeout = 60});
    if (r) {
      for (const auto& m : *r) other.insert(m.body);
    }
    return other.size() == 9;
  })) << other.size();
  EXPECT_NE(stopping.wait_for(0s), std::future_status::ready)
      << "stop did not wait for the handler";
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  auto summary = stopping.get();
  EXPECT_TRUE(summary.drained);
  EXPECT_EQ(summary.released, 9u);
  EXPECT_EQ(summary.metrics.total.acked, 1u);
}

// FIFO: several groups, random handler times: each group's messages in order, one at a time,
// groups in parallel.
// Manual acknowledgement from another thread, later.
TEST_F(ConsumerTest, ManualAckFromAnotherThread) {
  fill(queue, 5, "manual");
  std::mutex mutex;
  std::vector<Delivery> held;
  Consumer consumer(queue, AsyncHandler([&](Delivery d) {
                      std::lock_guard lock(mutex);
                      held.push_back(std::move(d));
                    }),
                    {.wait_time_seconds = 1, .ack_mode = AckMode::manual});
  consumer.start();
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return held.size() == 5;
  }));
  EXPECT_EQ(consumer.metrics().total.acked, 0u);
  std::thread([&] {
    std::lock_guard lock(mutex);
    for (auto& d : held) d.ack();
  }).join();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 5; }));
  consumer.stop(5s);
  EXPECT_EQ(messages_left(queue), 0);
}

// A coroutine handler on the application's own executor: what it co_returns settles the
// message; one that throws is retried.
TEST_F(ConsumerTest, CoroutineHandlers) {
  fill(queue, 10, "co");
  boost::asio::thread_pool pool(2);
  std::atomic<int> thrown{0};
  Consumer consumer(
      queue,
      coroutine_handler(
          pool.get_executor(),
          [&](const Message& m, const MessageContext& c) -> boost::asio::awaitable<Outcome> {
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 10ms);
            co_await timer.async_wait(boost::asio::use_awaitable);
            if (m.body == "co-3" && c.receive_count == 1) {
              ++thrown;
              throw std::runtime_error("once");
            }
            co_return Outcome::ack();
          }),
      {.wait_time_seconds = 1, .retry = {.enabled = false}});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 10; }));
  consumer.stop(5s);
  EXPECT_EQ(thrown.load(), 1);
  EXPECT_EQ(messages_left(queue), 0);
  pool.join();
}

// Two regions; one is killed mid-run and restarted (same port and data): processing goes on in
// the other, and nothing is lost: every message is handled at least once (some twice: deletes
// for the dead region that could not be sent bring their messages back).
TEST(ConsumerRegions, ARegionKilledMidRunLosesNothing) {
  TwoRegions regions("consumer-regions");
  auto& servers = regions.servers;
  auto& queues = regions.queues;
  constexpr int kPerRegion = 300;
  fill(queues[0].queue, kPerRegion, "r0");
  fill(queues[1].queue, kPerRegion, "r1");
  DispatcherOptions d;
  d.breaker.open_timeout = 300ms;
  Dispatcher dispatcher(std::move(queues), std::move(d));

  std::mutex mutex;
  std::map<std::string, int> handled;
  std::atomic<int> total{0};
  Consumer consumer(
      dispatcher,
      [&](const Message& m, const MessageContext&) {
        std::this_thread::sleep_for(2ms);  // the work
        {
          std::lock_guard lock(mutex);
          ++handled[m.body];
        }
        ++total;
        return Outcome::ack();
      },
      {.max_in_flight = 20, .wait_time_seconds = 1, .visibility_timeout = 3, .worker_threads = 8});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return total.load() >= 100; }));
  servers[0]->kill();
  const int at_kill = total.load();
  // Region 1 carries on alone.
  ASSERT_TRUE(eventually([&] { return total.load() >= at_kill + 100; }, 30s));
  servers[0]->restart();
  auto all_seen = [&] {
    std::lock_guard lock(mutex);
    for (int r = 0; r < 2; ++r) {
      for (int i = 0; i < kPerRegion; ++i) {
        if (!handled.count("r" + std::to_string(r) + "-" + std::to_string(i))) return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(eventually(all_seen, 60s)) << "messages were lost";
  auto summary = consumer.stop(10s);
  EXPECT_TRUE(summary.drained);
  int duplicates = 0;
  for (const auto& [body, n] : handled) duplicates += n - 1;
  RecordProperty("duplicates", duplicates);
}

// After the queue's maxReceiveCount failed receives, SQS moves the message to the dead-letter
// queue: the consumer's retries lead there.
TEST_F(ConsumerTest, FailuresEndInTheDeadLetterQueue) {
  const auto dlq_url = create_queue(client, unique_name("dlq"));
  auto arn = Queue(client, dlq_url).attributes({"QueueArn"});
  ASSERT_TRUE(arn) << arn.error().to_string();
  auto url = create_queue(client, unique_name("src"),
                          {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + arn->at("QueueArn") +
                                                 R"(","maxReceiveCount":"2"})"}});
  Queue source(client, url);
  fill(source, 1, "doomed");
  std::atomic<int> calls{0};
  Consumer consumer(source,
                    [&](const Message&, const MessageContext&) {
                      ++calls;
                      return Outcome::retry(0s);
                    },
                    {.wait_time_seconds = 1});
  consumer.start();
  Queue dlq(client, dlq_url);
  ASSERT_TRUE(eventually([&] { return messages_left(dlq) == 1; }, 30s)) << calls.load();
  consumer.stop(5s);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(messages_left(source), 0);
}

// Batches gathered from several receives (up to 25 > 10 per receive), one outcome each:
// the failed ones come back, the others are deleted.
TEST_F(ConsumerTest, BatchHandlersWithPartialFailures) {
  fill(queue, 60, "b");
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  std::map<std::string, int> calls;
  Consumer consumer(queue, BatchHandler([&](std::span<const BatchItem> batch) {
                      std::vector<Outcome> out;
                      std::lock_guard lock(mutex);
                      sizes.push_back(batch.size());
                      for (const auto& item : batch) {
                        ++calls[item.message.body];
                        const bool fail_once =
                            item.message.body.back() == '7' && item.context.receive_count == 1;
                        out.push_back(fail_once ? Outcome::retry(0s) : Outcome::ack());
                      }
                      return out;
                    }),
                    {.max_in_flight = 50,
                     .receives_per_queue = 5,
                     .wait_time_seconds = 1,
                     .batch_size = 25,
                     .batch_linger = 200ms});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 60; }));
  consumer.stop(5s);
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls.size(), 60u);
  for (const auto& [body, n] : calls) EXPECT_EQ(n, body.back() == '7' ? 2 : 1) << body;
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 25u);
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 10u)
      << "never gathered several receives";
  EXPECT_EQ(messages_left(queue), 0);
}

// handler_timeout fires the handler's stop token (cooperative: the handler decides).
TEST_F(ConsumerTest, HandlerTimeoutFiresTheStopToken) {
  fill(queue, 1, "t");
  std::atomic<bool> stopped{false};
  Consumer consumer(queue,
                    [&](const Message&, const MessageContext& c) {
                      const auto until = SteadyClock::now() + 10s;
                      while (!c.stop_token.stop_requested() && SteadyClock::now() < until) {
                        std::this_thread::sleep_for(5ms);  // polling the token while "working"
                      }
                      stopped = c.stop_token.stop_requested();
                      return Outcome::ack();
                    },
                    {.wait_time_seconds = 1, .handler_timeout = 300ms});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.acked == 1; }));
  consumer.stop(5s);
  EXPECT_TRUE(stopped.load());
}

// pause() stops receiving (handlers in flight go on); resume() receives again.
TEST_F(ConsumerTest, PauseAndResume) {
  std::atomic<int> handled{0};
  Consumer consumer(queue,
                    [&](const Message&, const MessageContext&) {
                      ++handled;
                      return Outcome::ack();
                    },
                    {.wait_time_seconds = 1});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return consumer.metrics().total.receives >= 1; }));
  consumer.pause();
  // Once the poll in flight has ended, no new one starts.
  ASSERT_TRUE(eventually([&] {
    const auto m = consumer.metrics().total;
    return m.receives == m.empty_receives + m.poll_errors;  // every receive has answered
  }));
  const auto receives = consumer.metrics().total.receives;
  fill(queue, 3, "p");
  EXPECT_EQ(messages_left(queue), 3);
  EXPECT_EQ(consumer.metrics().total.receives, receives);
  consumer.resume();
  ASSERT_TRUE(eventually([&] { return handled.load() == 3; }));
  EXPECT_TRUE(consumer.running());
  consumer.stop(5s);
  EXPECT_FALSE(consumer.running());
}

// A server answering 500 to every receive: the consumer backs off instead of looping.
TEST(ConsumerErrors, PollErrorsBackOff) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  ClientConfig c = config_for(server->endpoint());
  c.retry.max_attempts = 1;
  Client client(c);
  Queue queue(client, "https://sqs.us-east-1.amazonaws.com/000000000000/q");
  std::atomic<int> errors{0};
  ConsumerHooks hooks;
  hooks.on_poll_error = [&](std::size_t, const Error&) { ++errors; };
  Consumer consumer(
      queue, [](const Message&, const MessageContext&) { return Outcome::ack(); },
      {.visibility_timeout = 30}, std::move(hooks));
  consumer.start();
  std::this_thread::sleep_for(2s);  // the span over which the rate is measured
  consumer.stop(1s);
  // Back-off from 100 ms doubling (with jitter) allows at most ~6 receives in 2 s (the breaker
  // opening after the failures only lowers it); a tight loop would make thousands.
  EXPECT_LE(server->requests_received(), 12u);
  EXPECT_GE(errors.load(), 1);
}

TEST(ConsumerOptionsCheck, BadOptionsAreRefused) {
  EXPECT_TRUE(Consumer::check({.max_in_flight = 0}));
  EXPECT_TRUE(Consumer::check({.wait_time_seconds = 21}));
  EXPECT_TRUE(Consumer::check({.visibility_timeout = 43201}));
  EXPECT_FALSE(Consumer::check({}));
  Client client{fauxqs_config()};
  Queue queue(client, "https://sqs.us-east-1.amazonaws.com/000000000000/q");
  EXPECT_THROW(Consumer(queue, [](const Message&, const MessageContext&) { return Outcome::ack(); },
                        {.ack_mode = AckMode::manual}),
               Exception);
}

}  // namespace
}  // namespace sqs::itest
