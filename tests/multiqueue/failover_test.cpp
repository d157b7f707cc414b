// Dispatcher::send / send_batch against scripted SQS servers: which queue is tried first and
// next, what is failed over (counted failures, open circuits, batch entries that failed for a
// reason other than the sender's) and what is not (validation errors, sender faults), the
// deadline, and the async forms. The same against real servers that freeze or die is in
// failover_fauxqs_test.cpp.
#include <boost/asio/use_future.hpp>
#include <map>
#include <string>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

class FailoverTest : public ::testing::Test {
 protected:
  explicit FailoverTest(std::size_t n = 3, std::chrono::milliseconds request_timeout = 5s)
      : queues(n, request_timeout) {}

  DispatcherOptions options() {
    DispatcherOptions o;
    o.breaker = manual_breaker(clock);  // 2 consecutive failures open a breaker
    o.seed = 1;
    o.on_state_change = log.hook();
    return o;
  }
  static Reply internal_error(const ReceivedRequest&) { return sqs_error(500, "InternalError"); }

  ScriptedQueues queues;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  TransitionLog log;
  Dispatcher d{queues.dispatcher_queues(), options()};
};

// ---- single sends ----

TEST_F(FailoverTest, HealthyQueuesTakeMessagesInRoundRobinOrder) {
  std::vector<std::size_t> took;
  for (int i = 0; i < 6; ++i) {
    auto r = d.send("m" + std::to_string(i));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->queues_tried, 1);
    EXPECT_EQ(r->queue_url, queues[r->queue_index].queue.url());
    EXPECT_EQ(r->result.md5_of_message_body, protocol::md5_hex("m" + std::to_string(i)));
    took.push_back(r->queue_index);
  }
  EXPECT_EQ(took, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST_F(FailoverTest, AFailedSendGoesToTheNextQueue) {
  queues[0].server.set_script(internal_error);
  auto r = d.send("x");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_index, 1u);
  EXPECT_EQ(r->queue_url, queues[1].queue.url());
  EXPECT_EQ(r->queues_tried, 2);
  EXPECT_EQ(queues[0].requests(), 1u);
  EXPECT_EQ(queues[1].requests(), 1u);
  EXPECT_EQ(queues[2].requests(), 0u);
  // The failure was counted: one more and queue 0 leaves the rotation.
  EXPECT_EQ(d.executor(0).breaker().metrics().failures, 1u);
}

TEST_F(FailoverTest, AnOpenQueueIsNoLongerTried) {
  queues[0].server.set_script(internal_error);
  std::map<std::size_t, int> took;
  for (int i = 0; i < 12; ++i) {
    auto r = d.send("x");
    ASSERT_TRUE(r) << r.error().to_string();
    ++took[r->queue_index];
  }
  EXPECT_EQ(queues[0].requests(), 2u);  // two failures opened it; never tried after
  EXPECT_EQ(took[0], 0);
  EXPECT_EQ(took[1] + took[2], 12);
  EXPECT_GE(took[1], 5);
  EXPECT_GE(took[2], 5);
  EXPECT_EQ(log.log(), (std::vector<Transition>{{0, kClosed, kOpen}}));

  // Half-open after its open period: back in the rotation, its probe succeeds, closed.
  queues[0].server.set_script([](const ReceivedRequest& r) { return sqs_success(r); });
  clock->advance(1s);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(d.send("y"));
  EXPECT_EQ(d.executor(0).state(), kClosed);
  EXPECT_EQ(queues[0].requests(), 3u);
}

TEST_F(FailoverTest, AForcedOpenQueueIsSkippedWithoutARequest) {
  d.executor(0).breaker().force_open();
  d.executor(1).breaker().force_open();
  for (int i = 0; i < 4; ++i) {
    auto r = d.send("x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->queue_index, 2u);
    EXPECT_EQ(r->queues_tried, 1);  // the only available queue is picked first
  }
  EXPECT_EQ(queues[0].requests() + queues[1].requests(), 0u);
}

TEST_F(FailoverTest, ValidationErrorIsReturnedAtOnce) {
  auto r = d.send("x", {.delay_seconds = 901});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  EXPECT_EQ(queues.total_requests(), 0u);
}

TEST_F(FailoverTest, SenderFaultIsReturnedAtOnce) {
  for (std::size_t i = 0; i < queues.size(); ++i) {
    queues[i].server.set_script(
        [](const ReceivedRequest&) { return sqs_error(400, "InvalidParameterValue"); });
  }
  auto r = d.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  EXPECT_EQ(queues.total_requests(), 1u);  // another region would refuse it too
}

TEST_F(FailoverTest, EveryQueueFailingReturnsTheLastError) {
  for (std::size_t i = 0; i < queues.size(); ++i) {
    queues[i].server.set_script(internal_error);
  }
  auto r = d.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_EQ(r.error().http_status, 500);
  for (std::size_t i = 0; i < queues.size(); ++i) EXPECT_EQ(queues[i].requests(), 1u);
}

// The last queue's error, but the uncertainty of every queue tried: a message that may have
// reached queue 0 (a 500) is "maybe processed" even though queues 1 and 2 refused it (4xx).
TEST_F(FailoverTest, MaybeProcessedOnAnyQueueIsKeptInTheFinalError) {
  queues[0].server.set_script(internal_error);
  for (std::size_t i = 1; i < queues.size(); ++i) {
    queues[i].server.set_script(
        [](const ReceivedRequest&) { return sqs_error(403, "AccessDenied"); });
  }
  auto r = d.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 403) << r.error().to_string();
  EXPECT_TRUE(r.error().maybe_processed);

  // Refused everywhere: surely not sent.
  queues[0].server.set_script(
      [](const ReceivedRequest&) { return sqs_error(403, "AccessDenied"); });
  auto refused = d.send("y");
  ASSERT_FALSE(refused);
  EXPECT_FALSE(refused.error().maybe_processed) << refused.error().to_string();
}

TEST_F(FailoverTest, NoQueueAvailableFailsFastWithCircuitOpen) {
  for (std::size_t i = 0; i < queues.size(); ++i) d.executor(i).breaker().force_open();
  auto r = d.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::circuit_open);
  auto b = d.send_batch({{"a", {}}});
  ASSERT_TRUE(b);
  ASSERT_EQ(b->failed.size(), 1u);
  EXPECT_EQ(b->failed[0].code, kCircuitOpenCode);
  EXPECT_EQ(queues.total_requests(), 0u);
}

TEST_F(FailoverTest, RandomFirstQueue) {
  std::map<std::size_t, int> took;
  for (int i = 0; i < 30; ++i) {
    auto r = d.send("x", {}, {.round_robin = false});
    ASSERT_TRUE(r);
    ++took[r->queue_index];
  }
  EXPECT_EQ(took.size(), 3u);  // every queue took some (1 in 10^5 to miss one with 30 draws)
}

class FailoverDeadline : public FailoverTest {
 protected:
  FailoverDeadline() : FailoverTest(3, 200ms) {
    for (std::size_t i = 0; i < queues.size(); ++i) {
      queues[i].server.set_script([](const ReceivedRequest&) { return Reply::hang(); });
    }
  }
};

TEST_F(FailoverDeadline, NoFurtherQueueIsTriedOnceTheDeadlineHasPassed) {
  // The first try times out after 200 ms, past the 50 ms deadline: no second try.
  auto r = d.send("x", {}, {.deadline = 50ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  EXPECT_EQ(queues.total_requests(), 1u);
  EXPECT_EQ(queues[0].requests(), 1u);

  auto b = d.send_batch({{"a", {}}, {"b", {}}}, {.deadline = 50ms});
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->successful.empty());
  ASSERT_EQ(b->failed.size(), 2u);
  EXPECT_EQ(queues.total_requests(), 2u);
}

TEST_F(FailoverDeadline, WithinTheDeadlineEveryQueueIsTried) {
  auto r = d.send("x", {}, {.deadline = 30s});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  for (std::size_t i = 0; i < queues.size(); ++i) EXPECT_EQ(queues[i].requests(), 1u);
}

TEST_F(FailoverTest, SyncSendOnAnyQueuesEventLoopIsRefusedInsteadOfDeadlocking) {
  // Queue 0 open: the send would need queue 1, whose only event-loop thread is the caller.
  d.executor(0).breaker().force_open();
  Latch latch;
  std::optional<Result<FailoverSendResult>> single;
  std::optional<Result<FailoverBatchResult>> batch;
  queues[1].client.defer([&] {
    single.emplace(d.send("x"));
    batch.emplace(d.send_batch({{"y", {}}}));
    latch.count_down();
  });
  ASSERT_TRUE(latch.wait(1, 5s)) << "deadlocked";
  ASSERT_FALSE(*single);
  EXPECT_EQ(single->error().code, "WouldDeadlock");
  ASSERT_FALSE(*batch);
  EXPECT_EQ(batch->error().code, "WouldDeadlock");
  EXPECT_EQ(queues.total_requests(), 0u);
}

// ---- batches ----

std::vector<OutgoingMessage> messages(int n) {
  std::vector<OutgoingMessage> out;
  for (int i = 0; i < n; ++i) out.push_back({"m" + std::to_string(i), {}});
  return out;
}

// The bodies of the entries of a SendMessageBatch request, in order.
std::vector<std::string> batch_bodies(const ReceivedRequest& r) {
  std::vector<std::string> out;
  const json::value request = json::parse(r.body);
  for (const auto& e : request.at("Entries").as_array()) {
    out.push_back(json::value_to<std::string>(e.at("MessageBody")));
  }
  return out;
}

TEST_F(FailoverTest, BatchEntriesThatFailedForOtherReasonsGoToTheNextQueue) {
  // Queue 0 takes entries 0 and 2, fails 1 (its own fault) and 3 (the sender's fault).
  queues[0].server.set_script([](const ReceivedRequest& r) {
    json::array ok, failed;
    const json::value request = json::parse(r.body);
    for (const auto& e : request.at("Entries").as_array()) {
      const auto id = json::value_to<std::string>(e.at("Id"));
      const auto body = json::value_to<std::string>(e.at("MessageBody"));
      if (id == "1") {
        failed.push_back(json::object{
            {"Id", id}, {"SenderFault", false}, {"Code", "InternalError"}, {"Message", "x"}});
      } else if (id == "3") {
        failed.push_back(json::object{{"Id", id},
                                      {"SenderFault", true},
                                      {"Code", "InvalidParameterValue"},
                                      {"Message", "bad"}});
      } else {
        ok.push_back(json::object{
            {"Id", id}, {"MessageId", "q0-" + id}, {"MD5OfMessageBody", protocol::md5_hex(body)}});
      }
    }
    return sqs_json(json::object{{"Successful", ok}, {"Failed", failed}});
  });
  auto r = d.send_batch(messages(4));
  ASSERT_TRUE(r) << r.error().to_string();

  ASSERT_EQ(r->successful.size(), 3u);
  EXPECT_EQ(r->successful[0].index, 0u);
  EXPECT_EQ(r->successful[0].queue_index, 0u);
  EXPECT_EQ(r->successful[0].message_id, "q0-0");
  EXPECT_EQ(r->successful[1].index, 1u);
  EXPECT_EQ(r->successful[1].queue_index, 1u);
  EXPECT_EQ(r->successful[2].index, 2u);
  EXPECT_EQ(r->successful[2].queue_index, 0u);
  EXPECT_EQ(r->successful[2].message_id, "q0-2");
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].index, 3u);
  EXPECT_EQ(r->failed[0].code, "InvalidParameterValue");
  EXPECT_TRUE(r->failed[0].sender_fault);
  EXPECT_FALSE(r->all_succeeded());

  // Queue 1 got only the entry that was not the sender's fault.
  ASSERT_EQ(queues[1].requests(), 1u);
  EXPECT_EQ(batch_bodies(queues[1].server.received()[0]), (std::vector<std::string>{"m1"}));
  EXPECT_EQ(queues[2].requests(), 0u);
}

// The same per batch entry: an entry whose batch got no usable answer on queue 0 stays "maybe
// sent" after queue 1 failed it outright.
TEST_F(FailoverTest, BatchEntriesKeepMaybeProcessedAcrossQueues) {
  queues[0].server.set_script(internal_error);
  auto fail_entries = [](const ReceivedRequest& r) {
    json::array failed;
    const json::value request = json::parse(r.body);
    for (const auto& e : request.at("Entries").as_array()) {
      failed.push_back(json::object{
          {"Id", e.at("Id")}, {"SenderFault", false}, {"Code", "InternalError"}, {"Message", "x"}});
    }
    return sqs_json(json::object{{"Successful", json::array{}}, {"Failed", failed}});
  };
  for (std::size_t i = 1; i < queues.size(); ++i) queues[i].server.set_script(fail_entries);
  auto r = d.send_batch(messages(3));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->failed.size(), 3u);
  for (const auto& f : r->failed) EXPECT_TRUE(f.maybe_processed) << f.index;

  queues[0].server.set_script(fail_entries);
  auto refused = d.send_batch(messages(3));
  ASSERT_TRUE(refused) << refused.error().to_string();
  ASSERT_EQ(refused->failed.size(), 3u);
  for (const auto& f : refused->failed) EXPECT_FALSE(f.maybe_processed) << f.index;
}

TEST_F(FailoverTest, AFailedBatchGoesWholeToTheNextQueue) {
  queues[0].server.set_script([](const ReceivedRequest&) { return Reply::close_connection(); });
  auto r = d.send_batch(messages(10));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->all_succeeded());
  ASSERT_EQ(r->successful.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r->successful[i].index, i);
    EXPECT_EQ(r->successful[i].queue_index, 1u);
  }
  EXPECT_EQ(batch_bodies(queues[1].server.received()[0]).size(), 10u);
}

TEST_F(FailoverTest, BatchEntriesEveryQueueRefusedAreReportedByIndex) {
  for (std::size_t i = 0; i < queues.size(); ++i) queues[i].server.set_script(internal_error);
  auto r = d.send_batch(messages(3));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->successful.empty());
  ASSERT_EQ(r->failed.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->failed[i].index, i);
    EXPECT_EQ(r->failed[i].code, "InternalError");
    EXPECT_FALSE(r->failed[i].sender_fault);
  }
  EXPECT_EQ(queues.total_requests(), 3u);
}

TEST_F(FailoverTest, AnInvalidBatchIsRefusedBeforeAnythingIsSent) {
  auto too_many = d.send_batch(messages(11));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().kind, ErrorKind::validation);
  auto empty = d.send_batch({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::validation);
  auto bad_entry = d.send_batch({{"ok", {}}, {"bad", {.delay_seconds = 901}}});
  ASSERT_FALSE(bad_entry);
  EXPECT_EQ(bad_entry.error().kind, ErrorKind::validation);
  EXPECT_EQ(queues.total_requests(), 0u);
}

TEST_F(FailoverTest, BatchSenderFaultOfTheWholeRequestIsNotFailedOver) {
  queues[0].server.set_script(
      [](const ReceivedRequest&) { return sqs_error(400, "BatchRequestTooLong"); });
  auto r = d.send_batch(messages(2));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->failed.size(), 2u);
  EXPECT_EQ(r->failed[0].code, "BatchRequestTooLong");
  EXPECT_EQ(queues.total_requests(), 1u);
}

// ---- async forms ----

TEST_F(FailoverTest, AsyncSendAndBatch) {
  queues[0].server.set_script(internal_error);
  auto single = d.async_send("a", {}, {}, asio::use_future).get();
  ASSERT_TRUE(single) << single.error().to_string();
  EXPECT_EQ(single->queue_index, 1u);

  Latch latch;
  std::optional<Result<FailoverBatchResult>> batch;
  d.async_send_batch(messages(3), {}, [&](Result<FailoverBatchResult> r) {
    batch.emplace(std::move(r));
    latch.count_down();
  });
  ASSERT_TRUE(latch.wait(1));
  ASSERT_TRUE(*batch);
  EXPECT_TRUE((*batch)->all_succeeded());
  EXPECT_EQ((*batch)->successful.size(), 3u);
  for (const auto& s : (*batch)->successful) EXPECT_NE(s.queue_index, 0u);

  auto invalid = d.async_send_batch(messages(0), {}, asio::use_future).get();
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, ErrorKind::validation);
}

}  // namespace
}  // namespace sqs::mqtest
