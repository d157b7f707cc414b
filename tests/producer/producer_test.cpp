// sqs::Producer against fauxqs: batches filled under load, linger, flush and close, bounds,
// FIFO order per group with concurrent senders, refused messages.
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "consumer/consumer_support.hpp"
#include "integration/itest_support.hpp"
#include "sqs/producer.hpp"
#include "support/run_coroutine.hpp"

namespace sqs::itest {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Every body in the queue (received and deleted), with its MessageId; stops once `expected`
// different bodies came.
std::map<std::string, std::string> drain(const Queue& q, std::size_t expected) {
  std::map<std::string, std::string> bodies;
  while (bodies.size() < expected) {
    const auto got = drain_messages(q, 3, expected - bodies.size());
    if (got.empty()) break;
    for (const auto& m : got) bodies[m.body] = m.message_id;
  }
  return bodies;
}

class ProducerTest : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue queue = create_queue_object(client, unique_name("producer"));
};

// Many single sends from several threads: every one is reported sent, with the MessageId the
// queue holds, in batches that are full.
TEST_F(ProducerTest, ManySendsFromThreadsGoInFullBatches) {
  constexpr int kThreads = 4, kPerThread = 250;
  std::mutex mutex;
  std::map<std::string, std::string> reported;
  std::atomic<int> failed{0};
  {
    Producer producer(queue, {.linger = 50ms});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::future<Result<ProducerResult>>> futures;
        for (int i = 0; i < kPerThread; ++i) {
          std::string body = "t" + std::to_string(t) + "-" + std::to_string(i);
          std::promise<Result<ProducerResult>> p;
          futures.push_back(p.get_future());
          producer.async_send(
              body, {},
              [p = std::make_shared<decltype(p)>(std::move(p))](Result<ProducerResult> r) mutable {
                p->set_value(std::move(r));
              });
        }
        for (int i = 0; i < kPerThread; ++i) {
          auto r = futures[i].get();
          if (!r) {
            ++failed;
            continue;
          }
          std::lock_guard lock(mutex);
          reported["t" + std::to_string(t) + "-" + std::to_string(i)] = r->message_id;
        }
      });
    }
    for (auto& th : threads) th.join();
    const auto m = producer.metrics();
    EXPECT_EQ(m.sent, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_EQ(m.failed, 0u);
    EXPECT_EQ(m.buffered, 0u);
    RecordProperty("average_fill", std::to_string(m.average_fill()));
    EXPECT_GE(m.average_fill(), 9.0) << m.batches << " batches";
  }
  EXPECT_EQ(failed.load(), 0);
  auto in_queue = drain(queue, kThreads * kPerThread);
  EXPECT_EQ(in_queue, reported) << "what was reported sent is what the queue holds";
}

// A lone message waits for its linger; a full batch goes at once.
TEST_F(ProducerTest, LingerIsHonoured) {
  Producer producer(queue, {.linger = 300ms});
  const auto start = SteadyClock::now();
  auto r = producer.send("alone");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_GE(SteadyClock::now() - start, 280ms) << "sent before its linger";

  Producer patient(queue, {.linger = 60s});
  std::vector<std::future<Result<ProducerResult>>> futures;
  const auto full_start = SteadyClock::now();
  for (int i = 0; i < 10; ++i) {
    futures.push_back(patient.async_send("full-" + std::to_string(i), {}, boost::asio::use_future));
  }
  for (auto& f : futures) ASSERT_TRUE(f.get());
  EXPECT_LT(SteadyClock::now() - full_start, 30s) << "a full batch waited for its linger";
  EXPECT_EQ(patient.metrics().batches, 1u);
  EXPECT_EQ(patient.metrics().linger_batches, 0u);
}

// Flush sends what is buffered without waiting for the linger; close refuses new sends.
TEST_F(ProducerTest, FlushAndClose) {
  Producer producer(queue, {.linger = 60s});
  std::vector<std::future<Result<ProducerResult>>> futures;
  for (int i = 0; i < 25; ++i) {
    futures.push_back(producer.async_send("f-" + std::to_string(i), {}, boost::asio::use_future));
  }
  producer.flush();
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready) << "flush returned before a send";
    EXPECT_TRUE(f.get());
  }
  EXPECT_EQ(producer.metrics().batches, 3u);  // 10 + 10 + 5
  auto summary = producer.close(5s);
  EXPECT_TRUE(summary.flushed);
  auto refused = producer.send("late");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "ProducerClosed");
  EXPECT_EQ(drain(queue, 25).size(), 25u);
}

// Destroying a producer with messages buffered sends them (within its close deadline): none is
// lost, and every completion is called once.
TEST_F(ProducerTest, DestructionSendsWhatIsBuffered) {
  std::atomic<int> ok{0}, failed{0};
  {
    Producer producer(queue, {.linger = 60s});
    for (int i = 0; i < 37; ++i) {
      producer.async_send("d-" + std::to_string(i), {},
                          [&](Result<ProducerResult> r) { ++(r ? ok : failed); });
    }
  }
  EXPECT_EQ(ok.load() + failed.load(), 37);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(drain(queue, 37).size(), 37u);
}

// A close whose deadline passes completes what it could not send with "ProducerClosed" —
// and what it reports sent is in the queue, what it reports failed is not.
TEST_F(ProducerTest, CloseDeadlineCompletesTheRestWithAnError) {
  std::mutex mutex;
  std::set<std::string> ok, failed;
  {
    // One batch at a time, and a throttled start: a deadline of zero leaves most unsent.
    Producer producer(queue, {.linger = 60s, .max_in_flight_batches = 1});
    for (int i = 0; i < 200; ++i) {
      const std::string body = "c-" + std::to_string(i);
      producer.async_send(body, {}, [&, body](Result<ProducerResult> r) {
        std::lock_guard lock(mutex);
        if (r) {
          ok.insert(body);
        } else {
          EXPECT_EQ(r.error().code, "ProducerClosed");
          failed.insert(body);
        }
      });
    }
    auto summary = producer.close(0ms);
    EXPECT_EQ(summary.abandoned, failed.size());
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(ok.size() + failed.size(), 200u);
  EXPECT_FALSE(failed.empty()) << "the deadline left nothing unsent: the test shows nothing";
  auto in_queue = drain(queue, 200);
  for (const auto& b : ok)
    EXPECT_TRUE(in_queue.count(b)) << b << " reported sent, not in the queue";
  for (const auto& b : failed) EXPECT_FALSE(in_queue.count(b)) << b << " reported failed, sent";
}

// when_full = fail: a send that finds the buffer full fails at once, nothing is dropped
// silently; wait: it goes later.
TEST_F(ProducerTest, BufferFullPolicies) {
  {
    Producer producer(
        queue,
        {.linger = 60s, .max_buffered_messages = 5, .when_full = ProducerOptions::WhenFull::fail});
    std::vector<std::future<Result<ProducerResult>>> futures;
    for (int i = 0; i < 8; ++i) {
      futures.push_back(producer.async_send("b-" + std::to_string(i), {}, boost::asio::use_future));
    }
    producer.flush();
    int sent = 0, full = 0;
    for (auto& f : futures) {
      auto r = f.get();
      if (r) {
        ++sent;
      } else {
        EXPECT_EQ(r.error().code, "ProducerBufferFull");
        ++full;
      }
    }
    EXPECT_EQ(sent, 5);
    EXPECT_EQ(full, 3);
  }
  {
    Producer producer(queue, {.linger = 10ms, .max_buffered_messages = 5});
    std::vector<std::future<Result<ProducerResult>>> futures;
    for (int i = 0; i < 30; ++i) {
      futures.push_back(producer.async_send("w-" + std::to_string(i), {}, boost::asio::use_future));
    }
    for (auto& f : futures) EXPECT_TRUE(f.get());
    EXPECT_GT(producer.metrics().waited_for_room, 0u);
  }
  EXPECT_EQ(drain(queue, 35).size(), 35u);
}

// Batches respect the payload limit: a message as big as it travels alone, the small ones
// around it share batches.
TEST_F(ProducerTest, AMessageAsBigAsTheLimitTravelsAlone) {
  Producer producer(queue, {.linger = 200ms});
  std::vector<std::future<Result<ProducerResult>>> futures;
  for (int i = 0; i < 4; ++i) {
    futures.push_back(
        producer.async_send("small-" + std::to_string(i), {}, boost::asio::use_future));
  }
  const std::string big(1048576 - 16, 'b');  // with "big-" and the digits, just under 1 MiB
  futures.push_back(producer.async_send("big-" + big, {}, boost::asio::use_future));
  for (int i = 4; i < 8; ++i) {
    futures.push_back(
        producer.async_send("small-" + std::to_string(i), {}, boost::asio::use_future));
  }
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r) << r.error().to_string();
  }
  const auto m = producer.metrics();
  EXPECT_EQ(m.sent, 9u);
  EXPECT_EQ(m.batches, 3u) << "small ones, the big one alone, the rest";
  EXPECT_EQ(drain(queue, 9).size(), 9u);
}

// In a coroutine: co_await each send (its completion resumes the coroutine on its executor),
// and a flush.
TEST_F(ProducerTest, CoroutineForms) {
  Producer producer(queue, {.linger = 1ms});
  boost::asio::io_context io;
  std::vector<std::string> ids;
  std::thread::id resumed_on;
  test::run_coroutine(io, [&]() -> boost::asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      std::string body = "co-" + std::to_string(i);
      SendOptions options;
      auto r = co_await producer.async_send(body, options, boost::asio::use_awaitable);
      EXPECT_TRUE(r) << r.error().to_string();
      if (r) ids.push_back(r->message_id);
      resumed_on = std::this_thread::get_id();
    }
    auto flushed = co_await producer.async_flush(boost::asio::use_awaitable);
    EXPECT_TRUE(flushed);
  });
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(resumed_on, std::this_thread::get_id()) << "not resumed on the coroutine's executor";
  EXPECT_EQ(drain(queue, 3).size(), 3u);
}

// A bad message is refused before it is buffered; the others go.
TEST_F(ProducerTest, BadMessagesAreRefusedAtOnce) {
  Producer producer(queue);
  auto big = producer.send(std::string(1048577, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::validation);
  SendOptions delay;
  delay.delay_seconds = 901;
  auto late = producer.send("x", delay);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::validation);
  EXPECT_TRUE(producer.send("fine"));
  {
    // Refused alone, before its batch: the message sent beside it is not failed with it.
    Producer together(queue, {.linger = 100ms});
    SendOptions trace;
    trace.aws_trace_header = std::string("Root=1-\x01");
    auto good = together.async_send("beside", {}, boost::asio::use_future);
    auto bad_trace = together.async_send("x", trace, boost::asio::use_future).get();
    ASSERT_FALSE(bad_trace);
    EXPECT_EQ(bad_trace.error().kind, ErrorKind::validation);
    EXPECT_TRUE(good.get());
  }
  EXPECT_EQ(producer.metrics().sent, 1u);
  EXPECT_TRUE(Producer::check({.max_batch_entries = 11}).has_value());
  EXPECT_THROW(Producer(queue, {.max_in_flight_batches = 0}), Exception);
}

// FIFO: concurrent senders, several groups; each group's messages arrive in the order each
// thread sent them.
TEST(ProducerFifo, OrderPerGroupWithConcurrentSenders) {
  Client client{fauxqs_config()};
  auto url = create_queue(client, unique_name("pfifo", true), {{"FifoQueue", "true"}});
  Queue queue(client, url);
  constexpr int kThreads = 4, kPerThread = 100;
  {
    Producer producer(queue, {.linger = 5ms});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::future<Result<ProducerResult>>> futures;
        for (int i = 0; i < kPerThread; ++i) {
          SendOptions o;
          o.group_id = "g" + std::to_string(t);
          o.deduplication_id = "t" + std::to_string(t) + "-" + std::to_string(i);
          futures.push_back(producer.async_send("t" + std::to_string(t) + "-" + std::to_string(i),
                                                o, boost::asio::use_future));
        }
        for (auto& f : futures) EXPECT_TRUE(f.get());
      });
    }
    for (auto& th : threads) th.join();
  }
  // Received in order per group (fauxqs delivers a group in order).
  std::map<std::string, std::vector<int>> order;
  for (const auto& m : drain_messages(queue)) {
    const auto dash = m.body.find('-');
    order[m.body.substr(0, dash)].push_back(std::stoi(m.body.substr(dash + 1)));
  }
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kThreads));
  for (const auto& [group, got] : order) {
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kPerThread)) << group;
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(got[i], i) << group;
  }
}

// A dispatcher of FIFO queues, no failover asked: each group goes to one queue only, in order.
TEST(ProducerFifo, OverADispatcherEachGroupStaysInOneQueue) {
  Client client{fauxqs_config()};
  std::vector<DispatcherQueue> queues;
  for (int i = 0; i < 2; ++i) {
    auto url = create_queue(client, unique_name("pfd", true), {{"FifoQueue", "true"}});
    queues.push_back({Queue(client, url), 1});
  }
  Dispatcher dispatcher(std::move(queues));
  constexpr int kGroups = 8, kPerGroup = 20;
  std::map<std::string, std::set<std::size_t>> queue_of_group;
  {
    Producer producer(dispatcher, {.linger = 2ms});
    std::vector<std::pair<std::string, std::future<Result<ProducerResult>>>> sends;
    for (int i = 0; i < kPerGroup; ++i) {
      for (int g = 0; g < kGroups; ++g) {
        SendOptions o;
        o.group_id = "g" + std::to_string(g);
        o.deduplication_id = *o.group_id + "-" + std::to_string(i);
        sends.emplace_back(*o.group_id,
                           producer.async_send(*o.deduplication_id, o, boost::asio::use_future));
      }
    }
    for (auto& [group, f] : sends) {
      auto r = f.get();
      ASSERT_TRUE(r) << r.error().to_string();
      queue_of_group[group].insert(r->queue_index);
    }
  }
  std::set<std::size_t> used;
  for (const auto& [group, qs] : queue_of_group) {
    EXPECT_EQ(qs.size(), 1u) << group << " went to two queues";
    used.insert(*qs.begin());
  }
  EXPECT_EQ(used.size(), 2u) << "the groups should spread over both queues";
  for (std::size_t q = 0; q < 2; ++q) {
    std::map<std::string, std::vector<int>> order;
    for (const auto& m : drain_messages(dispatcher.executor(q).queue())) {
      const auto dash = m.body.find('-');
      order[m.body.substr(0, dash)].push_back(std::stoi(m.body.substr(dash + 1)));
    }
    for (const auto& [group, got] : order) {
      ASSERT_EQ(got.size(), static_cast<std::size_t>(kPerGroup)) << group;
      for (int i = 0; i < kPerGroup; ++i) ASSERT_EQ(got[i], i) << group;
    }
  }
}

}  // namespace
}  // namespace sqs::itest
