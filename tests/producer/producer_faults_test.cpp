// sqs::Producer against a scripted SQS (what no real server shows on demand): entries refused
// for the sender's fault go to their own completions at once, throttled entries and whole
// batches lost to a 503 are retried in later batches, a FIFO group's retried message goes before
// its later ones; and over two fauxqs regions, one of them killed, nothing is lost.
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>

#include "consumer/consumer_support.hpp"
#include "integration/itest_support.hpp"
#include "protocol/checksum.hpp"
#include "sqs/producer.hpp"
#include "support/fauxqs_server.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::itest {
namespace {

// A SendMessageBatch server: `decide(body)` says how each entry fares (empty: accepted; else
// "Code" or "Code!" for a sender fault); accepted bodies are recorded in order.
class BatchServer {
 public:
  using Decide = std::function<std::string(const std::string& body)>;
  explicit BatchServer(Decide decide)
      : decide_(std::move(decide)),
        server_([this](const test::ReceivedRequest& r) { return answer(r); }) {}
  std::string endpoint() const { return server_.endpoint(); }
  std::vector<std::string> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  // Whole-request answers to give first (e.g. a 503), one per request.
  void fail_next(test::Reply reply) {
    std::lock_guard lock(mutex_);
    whole_.push_back(std::move(reply));
  }
  std::size_t batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  test::Reply answer(const test::ReceivedRequest& r) {
    std::lock_guard lock(mutex_);
    if (target_of(r) != "AmazonSQS.SendMessageBatch") {
      return sqs_error(400, "InvalidAction", "InvalidAction");
    }
    ++batches_;
    if (!whole_.empty()) {
      auto reply = std::move(whole_.front());
      whole_.erase(whole_.begin());
      return reply;
    }
    boost::json::array ok, failed;
    auto request = boost::json::parse(r.body).as_object();
    for (const auto& e : request.at("Entries").as_array()) {
      const auto& entry = e.as_object();
      const std::string id(entry.at("Id").as_string());
      const std::string body(entry.at("MessageBody").as_string());
      std::string verdict = decide_(body);
      if (verdict.empty()) {
        accepted_.push_back(body);
        ok.push_back({{"Id", id},
                      {"MessageId", "id-" + body},
                      {"MD5OfMessageBody", protocol::md5_hex(body)}});
      } else {
        const bool sender = verdict.back() == '!';
        if (sender) verdict.pop_back();
        failed.push_back(
            {{"Id", id}, {"Code", verdict}, {"Message", "scripted"}, {"SenderFault", sender}});
      }
    }
    boost::json::object answer{{"Successful", ok}, {"Failed", failed}};
    return sqs_json(boost::json::serialize(answer));
  }

  Decide decide_;
  mutable std::mutex mutex_;
  std::vector<std::string> accepted_;
  std::vector<test::Reply> whole_;
  std::size_t batches_ = 0;
  test::ScriptedHttpServer server_;  // (last: its thread uses the members above)
};

ClientConfig scripted_config(const BatchServer& server) {
  ClientConfig c = config_for(server.endpoint());
  c.retry.max_attempts = 1;  // the producer's retries, not the client's
  return c;
}

constexpr const char* kUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/q";

TEST(ProducerFaults, PartialFailuresGoToTheirOwnCompletions) {
  BatchServer server([](const std::string& body) {
    return body.rfind("bad", 0) == 0 ? std::string("InvalidParameterValue!") : std::string();
  });
  Client client(scripted_config(server));
  Queue queue(client, kUrl);
  Producer producer(queue, {.linger = 50ms});
  std::vector<std::pair<std::string, std::future<Result<ProducerResult>>>> sends;
  for (int i = 0; i < 10; ++i) {
    const std::string body = (i % 3 == 0 ? "bad-" : "good-") + std::to_string(i);
    sends.emplace_back(body, producer.async_send(body, {}, boost::asio::use_future));
  }
  for (auto& [body, f] : sends) {
    auto r = f.get();
    if (body.rfind("bad", 0) == 0) {
      ASSERT_FALSE(r) << body;
      EXPECT_EQ(r.error().code, "InvalidParameterValue");
      EXPECT_TRUE(r.error().sender_fault);
    } else {
      ASSERT_TRUE(r) << body << ": " << r.error().to_string();
      EXPECT_EQ(r->message_id, "id-" + body);
      EXPECT_EQ(r->attempts, 1);
    }
  }
  const auto m = producer.metrics();
  EXPECT_EQ(m.retries, 0u) << "a sender's fault is not retried";
  EXPECT_EQ(m.sent, 6u);
  EXPECT_EQ(m.failed, 4u);
  EXPECT_EQ(server.batches(), 1u);
}

TEST(ProducerFaults, ThrottledEntriesAndLostBatchesAreRetried) {
  std::mutex mutex;
  std::set<std::string> throttled;
  BatchServer server([&](const std::string& body) {
    std::lock_guard lock(mutex);
    // Odd messages are throttled the first time they come.
    if ((body.back() - '0') % 2 == 1 && throttled.insert(body).second) {
      return std::string("ThrottlingException");
    }
    return std::string();
  });
  server.fail_next(sqs_error(503, "ServiceUnavailable", "ServiceUnavailable"));
  Client client(scripted_config(server));
  Queue queue(client, kUrl);
  Producer producer(queue, {.linger = 20ms, .retry_base_delay = 10ms, .retry_max_delay = 50ms});
  std::vector<std::future<Result<ProducerResult>>> futures;
  for (int i = 0; i < 10; ++i) {
    futures.push_back(producer.async_send("m-" + std::to_string(i), {}, boost::asio::use_future));
  }
  for (int i = 0; i < 10; ++i) {
    auto r = futures[i].get();
    ASSERT_TRUE(r) << i << ": " << r.error().to_string();
    // First the 503 (the whole batch again), then the throttled ones once more.
    EXPECT_EQ(r->attempts, i % 2 == 1 ? 3 : 2) << i;
    EXPECT_TRUE(r->possible_duplicate) << "a 503 may have been processed";
  }
  const auto m = producer.metrics();
  EXPECT_EQ(m.sent, 10u);
  EXPECT_EQ(m.retries, 15u);  // 10 after the 503, 5 throttled
  std::set<std::string> accepted;
  for (const auto& b : server.accepted()) EXPECT_TRUE(accepted.insert(b).second) << b << " twice";
  EXPECT_EQ(accepted.size(), 10u);
}

TEST(ProducerFaults, RetriesGiveUpAfterMaxAttempts) {
  BatchServer server([](const std::string&) { return std::string("InternalError"); });
  Client client(scripted_config(server));
  Queue queue(client, kUrl);
  Producer producer(
      queue, {.linger = 0ms, .max_attempts = 3, .retry_base_delay = 1ms, .retry_max_delay = 5ms});
  auto r = producer.send("doomed");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_EQ(server.batches(), 3u);
}

// FIFO: a throttled message is sent again before its group's later messages, which wait.
TEST(ProducerFaults, FifoRetriedMessageGoesBeforeItsGroupsLaterOnes) {
  std::mutex mutex;
  bool throttled = false;
  BatchServer server([&](const std::string& body) {
    std::lock_guard lock(mutex);
    if (body == "a-1" && !throttled) {
      throttled = true;
      return std::string("ThrottlingException");
    }
    return std::string();
  });
  Client client(scripted_config(server));
  Queue queue(client, "https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo");
  // One entry per batch: the group's order is the order of the batches.
  Producer producer(queue, {.linger = 1ms, .max_batch_entries = 1, .retry_base_delay = 20ms});
  std::vector<std::future<Result<ProducerResult>>> futures;
  for (int i = 0; i < 5; ++i) {
    for (const char* g : {"a", "b"}) {
      SendOptions o;
      o.group_id = g;
      o.deduplication_id = std::string(g) + std::to_string(i);
      futures.push_back(producer.async_send(std::string(g) + "-" + std::to_string(i), o,
                                            boost::asio::use_future));
    }
  }
  for (auto& f : futures) ASSERT_TRUE(f.get());
  std::map<char, std::vector<std::string>> per_group;
  for (const auto& b : server.accepted()) per_group[b[0]].push_back(b);
  for (const auto& [g, bodies] : per_group) {
    ASSERT_EQ(bodies.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(bodies[i], std::string(1, g) + "-" + std::to_string(i));
  }
}

// Over two fauxqs regions, one killed mid-run and restarted: every send succeeds (the other
// region takes them), and every message reported sent is in the queue it names.
TEST(ProducerRegions, ARegionKilledMidRunFailsNoSend) {
  TwoRegions regions("producer-regions");
  auto& servers = regions.servers;
  auto& queues = regions.queues;
  DispatcherOptions d;
  d.breaker.open_timeout = 300ms;
  Dispatcher dispatcher(std::move(queues), std::move(d));
  constexpr int kMessages = 3000;
  std::mutex mutex;
  std::map<std::string, std::size_t> sent_to;  // body -> queue
  int failures = 0;
  {
    Producer producer(dispatcher, {.linger = 5ms});
    std::atomic<int> completed{0};
    for (int i = 0; i < kMessages; ++i) {
      if (i == kMessages / 3) servers[0]->kill();
      if (i == 2 * kMessages / 3) servers[0]->restart();
      const std::string body = "p-" + std::to_string(i);
      producer.async_send(body, {}, [&, body](Result<ProducerResult> r) {
        std::lock_guard lock(mutex);
        if (r) {
          sent_to[body] = r->queue_index;
        } else {
          ++failures;
          ADD_FAILURE() << body << ": " << r.error().to_string();
        }
        ++completed;
      });
      // A steady sender, not a burst: a few hundred in flight at most.
      while (i - completed.load() > 300) std::this_thread::sleep_for(1ms);
    }
    producer.flush();
    const auto m = producer.metrics();
    RecordProperty("average_fill", std::to_string(m.average_fill()));
    RecordProperty("region0", static_cast<int>(m.queues[0].sent));
    RecordProperty("region1", static_cast<int>(m.queues[1].sent));
    EXPECT_GT(m.queues[1].sent, m.queues[0].sent) << "region 1 took the outage's share";
  }
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(sent_to.size(), static_cast<std::size_t>(kMessages));
  // What each queue holds is what was reported sent to it.
  for (std::size_t q = 0; q < 2; ++q) {
    // (All of it: a batch lost with its region may also have landed there.)
    std::set<std::string> held;
    for (const auto& m : drain_messages(dispatcher.executor(q).queue())) held.insert(m.body);
    for (const auto& [body, queue_index] : sent_to) {
      if (queue_index == q) {
        EXPECT_TRUE(held.count(body)) << body << " reported sent to " << q;
      }
    }
  }
}

}  // namespace
}  // namespace sqs::itest
