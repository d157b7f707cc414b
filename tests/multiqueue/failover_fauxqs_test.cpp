// Failover against two real SQS servers (fauxqs, one per "region"): one region frozen (SIGSTOP:
// requests time out) or killed (connection refused), then back (SIGCONT, or a restart on the
// same port and data directory). While one region works no send fails; the breaker of the
// broken one opens, then closes again once it is back, and traffic returns to it; and nothing
// is lost: every message whose send succeeded is received from the queue that took it (at least
// once: a request that timed out on a frozen server may still be carried out when it thaws).
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "multiqueue/mq_support.hpp"
#include "support/fauxqs_server.hpp"

namespace sqs::mqtest {
namespace {

using test::FauxqsServer;
using SteadyClock = std::chrono::steady_clock;

// Two regions for the whole suite: starting fauxqs takes a second or two.
class TwoRegions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* region : {"us-east-1", "eu-west-1"}) {
      dirs_.push_back(test::make_temp_dir("sqs-mq-" + std::string(region)));
      servers_.push_back(std::make_unique<FauxqsServer>(
          FauxqsServer::Options{.region = region, .data_dir = dirs_.back()}));
    }
  }
  static void TearDownTestSuite() {
    servers_.clear();
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir);
    dirs_.clear();
  }

  // Whatever a test left broken is mended for the next one.
  void TearDown() override {
    for (auto& s : servers_) {
      if (s->running()) {
        s->thaw();
      } else {
        s->restart();
      }
    }
  }

  static FauxqsServer& server(std::size_t i) { return *servers_.at(i); }

  // A fresh queue of the same name in both regions, a client per region (requests time out
  // after a second: a frozen region costs that much per try), and a dispatcher whose breakers
  // open after 2 consecutive failures, for 200 ms, and close after one successful probe.
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = std::string(info->name()) + "-" + std::to_string(::getpid());
    std::vector<DispatcherQueue> queues;
    for (std::size_t i = 0; i < servers_.size(); ++i) {
      clients_.push_back(std::make_unique<Client>(
          config_for(server(i).endpoint(), server(i).region(), std::chrono::milliseconds(1000))));
      auto created = clients_.back()->create_queue(CreateQueueRequest{name, {}, {}});
      ASSERT_TRUE(created) << created.error().to_string();
      queues.push_back({Queue(*clients_.back(), created->queue_url), 1});
    }
    DispatcherOptions o;
    o.breaker.should_trip = trip_on_consecutive_failures(2);
    // Counters never reset while closed: with the default 1 s interval, timeouts of 1 s each
    // would never be two in one interval, and a frozen region would never trip the breaker.
    o.breaker.interval = 0s;
    o.breaker.open_timeout = 200ms;
    o.breaker.half_open_successes = 1;
    o.on_state_change = log.hook();
    o.seed = 3;
    dispatcher = std::make_unique<Dispatcher>(std::move(queues), std::move(o));
  }

  // Sends `n` messages through the failover send; every one must succeed.
  void send(int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
      const std::string body = prefix + "-" + std::to_string(i);
      auto r = dispatcher->send(body);
      ASSERT_TRUE(r) << body << ": " << r.error().to_string();
      took[body] = r->queue_index;
      ++per_queue[r->queue_index];
    }
  }

  // Sends batches of 10; every entry must succeed.
  void send_batches(int batches, const std::string& prefix) {
    for (int b = 0; b < batches; ++b) {
      std::vector<OutgoingMessage> batch;
      for (int i = 0; i < 10; ++i) {
        batch.push_back({prefix + "-" + std::to_string(b) + "-" + std::to_string(i), {}});
      }
      auto r = dispatcher->send_batch(batch);
      ASSERT_TRUE(r) << r.error().to_string();
      ASSERT_TRUE(r->all_succeeded())
          << r->failed.front().code << ": " << r->failed.front().message;
      ASSERT_EQ(r->successful.size(), 10u);
      for (const auto& s : r->successful) {
        took[batch[s.index].body] = s.queue_index;
        ++per_queue[s.queue_index];
      }
    }
  }

  // Sends until a message lands on queue `index` (its breaker closed again), then `more`.
  void send_until_traffic_returns_to(std::size_t index, const std::string& prefix) {
    const auto give_up = SteadyClock::now() + 20s;
    for (int i = 0; SteadyClock::now() < give_up; ++i) {
      const std::string body = prefix + "-" + std::to_string(i);
      auto r = dispatcher->send(body);
      ASSERT_TRUE(r) << body << ": " << r.error().to_string();
      took[body] = r->queue_index;
      ++per_queue[r->queue_index];
      if (r->queue_index == index && dispatcher->executor(index).state() == kClosed) return;
    }
    FAIL() << "no message went to queue " << index << " again";
  }

  // Receives from every queue (all of them, in turn, as a consumer must) until every message
  // sent was seen; checks each was received from the queue that took it.
  void expect_nothing_lost() {
    std::map<std::string, std::set<std::size_t>> seen;  // body -> queues it came from
    std::size_t received = 0;
    const auto give_up = SteadyClock::now() + 20s;
    while (SteadyClock::now() < give_up) {
      bool all = true;
      for (const auto& [body, queue] : took) {
        if (!seen.count(body)) {
          all = false;
          break;
        }
      }
      if (all) break;
      for (const auto& ex : dispatcher->executors()) {
        auto r =
            ex.receive({.max_messages = 10, .wait_time_seconds = 0, .visibility_timeout = 600});
        ASSERT_TRUE(r) << "queue " << ex.index() << ": " << r.error().to_string();
        for (const auto& m : *r) {
          seen[m.body].insert(ex.index());
          ++received;
        }
      }
    }
    std::size_t lost = 0;
    for (const auto& [body, queue] : took) {
      auto it = seen.find(body);
      if (it == seen.end()) {
        ++lost;
        ADD_FAILURE() << body << " (sent to queue " << queue << ") never received";
      } else {
        EXPECT_TRUE(it->second.count(queue)) << body << " not received from queue " << queue;
      }
    }
    EXPECT_EQ(lost, 0u);
    EXPECT_EQ(seen.size(), took.size());  // unique bodies: nothing we did not send
    EXPECT_GE(received, took.size());     // duplicates allowed (at-least-once)
  }

  std::vector<std::unique_ptr<Client>> clients_;  // declared first: outlive the dispatcher
  TransitionLog log;
  std::unique_ptr<Dispatcher> dispatcher;
  std::map<std::string, std::size_t> took;  // body -> queue whose send succeeded
  std::map<std::size_t, int> per_queue;

 private:
  static inline std::vector<std::unique_ptr<FauxqsServer>> servers_;
  static inline std::vector<std::string> dirs_;
};

TEST_F(TwoRegions, FailoverWhileOneRegionIsFrozenThenRecovery) {
  send(10, "before");
  EXPECT_GT(per_queue[0], 0);
  EXPECT_GT(per_queue[1], 0);

  server(0).freeze();
  const int to_frozen = per_queue[0];
  send(20, "frozen");
  send_batches(2, "frozen-batch");
  EXPECT_EQ(per_queue[0], to_frozen);  // nothing was taken by the frozen region
  EXPECT_TRUE(log.wait_for(0, kOpen));
  EXPECT_NE(dispatcher->executor(0).breaker().metrics().failures, 0u);

  server(0).thaw();
  const std::size_t mark = log.size();
  send_until_traffic_returns_to(0, "thawed");
  EXPECT_TRUE(log.wait_for(0, kClosed, mark));
  const int after_recovery = per_queue[0];
  send(10, "after");
  EXPECT_GT(per_queue[0], after_recovery);  // round-robin includes it again

  expect_nothing_lost();
}

TEST_F(TwoRegions, FailoverWhileOneRegionIsKilledThenRestarted) {
  send(10, "before");  // some of these sit in region 1 while it is down
  send_batches(1, "before-batch");
  EXPECT_GT(per_queue[1], 0);

  server(1).kill();
  const int to_killed = per_queue[1];
  send(20, "killed");
  send_batches(2, "killed-batch");
  EXPECT_EQ(per_queue[1], to_killed);
  EXPECT_TRUE(log.wait_for(1, kOpen));
  auto refused = dispatcher->executor(1).send("direct");  // open, or a refused connection
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().kind == ErrorKind::circuit_open ||
              refused.error().kind == ErrorKind::transport)
      << refused.error().to_string();

  server(1).restart();  // same port, same data directory
  const std::size_t mark = log.size();
  send_until_traffic_returns_to(1, "restarted");
  EXPECT_TRUE(log.wait_for(1, kClosed, mark));
  send_batches(2, "after-batch");
  EXPECT_GT(per_queue[1], to_killed);

  expect_nothing_lost();
}

TEST_F(TwoRegions, ValidationErrorIsNotFailedOver) {
  auto r = dispatcher->send(std::string(1048577, 'x'));  // over 1 MiB
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  // Refused by the first queue tried (not counted against it), and no other queue tried.
  std::uint64_t ignored = 0;
  for (const auto& ex : dispatcher->executors()) {
    ignored += ex.breaker().metrics().ignored;
    EXPECT_EQ(ex.breaker().metrics().failures, 0u);
  }
  EXPECT_EQ(ignored, 1u);
}

}  // namespace
}  // namespace sqs::mqtest
