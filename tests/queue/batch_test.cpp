// Batches through sqs::Queue: results by input index (MessageIds of the successes kept, failures
// reported at their position), per-entry failures that fauxqs reports itself, failures of a
// canned 200 answer from the scripted server, and the batch planner.
#include <boost/json.hpp>

#include "integration/itest_support.hpp"
#include "protocol/checksum.hpp"

namespace sqs::itest {
namespace {

namespace json = boost::json;

std::vector<OutgoingMessage> bodies(std::initializer_list<std::string> list) {
  std::vector<OutgoingMessage> out;
  for (const auto& b : list) out.push_back({b, {}});
  return out;
}

class QueueBatch : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue queue = create_queue_object(client, unique_name());

  std::vector<Message> drain(std::size_t n) {
    std::vector<Message> out;
    while (out.size() < n) {
      auto r =
          queue.receive({.max_messages = 10, .wait_time_seconds = 1, .visibility_timeout = 600});
      EXPECT_TRUE(r) << r.error().to_string();
      if (!r || r->empty()) break;
      out.insert(out.end(), r->begin(), r->end());
    }
    return out;
  }
};

TEST_F(QueueBatch, SendBatchReportsMessageIdsByIndex) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 10; ++i) {
    OutgoingMessage m{"batch " + std::to_string(i), {}};
    m.options.attribute("index", i);
    messages.push_back(m);
  }
  auto r = queue.send_batch(messages);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->all_succeeded());
  ASSERT_EQ(r->successful.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r->successful[i].index, i);
    EXPECT_FALSE(r->successful[i].message_id.empty());
  }
  // Each id names the message sent at that index.
  auto got = drain(10);
  ASSERT_EQ(got.size(), 10u);
  for (const auto& m : got) {
    auto index = std::stoul(m.message_attributes.at("index").string_value);
    EXPECT_EQ(m.message_id, r->successful[index].message_id);
    EXPECT_EQ(m.body, "batch " + std::to_string(index));
  }
}

// fauxqs fails, entry by entry, messages over the queue's MaximumMessageSize (the client cannot
// know that limit): the others go through, failures keep their input index.
TEST_F(QueueBatch, PerEntryFailuresFromTheServerKeepTheirIndex) {
  ASSERT_TRUE(queue.set_attributes({{"MaximumMessageSize", "1024"}}));
  auto r = queue.send_batch(
      bodies({"small 0", std::string(2000, 'L'), "small 2", std::string(1500, 'L'), "small 4"}));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->all_succeeded());
  ASSERT_EQ(r->successful.size(), 3u);
  EXPECT_EQ(r->successful[0].index, 0u);
  EXPECT_EQ(r->successful[1].index, 2u);
  EXPECT_EQ(r->successful[2].index, 4u);
  for (const auto& s : r->successful) EXPECT_FALSE(s.message_id.empty());
  ASSERT_EQ(r->failed.size(), 2u);
  EXPECT_EQ(r->failed[0].index, 1u);
  EXPECT_EQ(r->failed[1].index, 3u);
  EXPECT_EQ(r->failed[0].code, "InvalidParameterValue");
  EXPECT_TRUE(r->failed[0].sender_fault);
  EXPECT_FALSE(r->failed[0].message.empty());
  EXPECT_EQ(drain(3).size(), 3u);
}

TEST_F(QueueBatch, DeleteBatchByIndex) {
  ASSERT_TRUE(queue.send_batch(bodies({"a", "b", "c"})));
  auto got = drain(3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<std::string> receipts;
  for (const auto& m : got) receipts.push_back(m.receipt_handle);
  auto r = queue.delete_batch(receipts);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->all_succeeded());
  EXPECT_EQ(r->successful, (std::vector<std::size_t>{0, 1, 2}));
  auto attrs = queue.attributes({"ApproximateNumberOfMessagesNotVisible"});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(QueueBatch, ChangeVisibilityBatchReportsFailuresByIndex) {
  ASSERT_TRUE(queue.send_batch(bodies({"a", "b"})));
  auto got = drain(2);
  ASSERT_EQ(got.size(), 2u);
  auto r = queue.change_visibility_batch(
      {{got[0].receipt_handle, 0}, {"unknown-receipt", 0}, {got[1].receipt_handle, 0}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->successful, (std::vector<std::size_t>{0, 2}));
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].index, 1u);
  EXPECT_EQ(r->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(r->failed[0].sender_fault);
  // Both are visible again.
  EXPECT_EQ(drain(2).size(), 2u);
}

// A canned 200 answer with Failed entries, out of order, for each batch action.
TEST(QueueBatchScripted, CannedFailuresMapToInputIndices) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest& r) {
    auto target = target_of(r);
    if (target == "AmazonSQS.SendMessageBatch") {
      auto entries = json::parse(r.body).at("Entries").as_array();
      std::string ok;
      for (std::size_t i : {3u, 0u}) {
        auto body = json::value_to<std::string>(entries.at(i).at("MessageBody"));
        if (!ok.empty()) ok += ",";
        ok += R"({"Id":")" + std::to_string(i) + R"(","MessageId":"mid-)" + std::to_string(i) +
              R"(","MD5OfMessageBody":")" + protocol::md5_hex(body) + "\"}";
      }
      return sqs_json(R"({"Successful":[)" + ok + R"(],"Failed":[
          {"Id":"2","Code":"InternalError","Message":"retry me","SenderFault":false},
          {"Id":"1","Code":"InvalidParameterValue","Message":"bad","SenderFault":true}]})");
    }
    return sqs_json(R"({"Successful":[{"Id":"1"}],"Failed":[
        {"Id":"0","Code":"ReceiptHandleIsInvalid","Message":"gone","SenderFault":true}]})");
  });
  Client client(config_for(server.endpoint()));
  Queue q(client, "https://sqs.us-east-1.amazonaws.com/1/q");

  auto sent = q.send_batch(bodies({"zero", "one", "two", "three"}));
  ASSERT_TRUE(sent) << sent.error().to_string();
  ASSERT_EQ(sent->successful.size(), 2u);
  EXPECT_EQ(sent->successful[0].index, 0u);
  EXPECT_EQ(sent->successful[0].message_id, "mid-0");
  EXPECT_EQ(sent->successful[1].index, 3u);
  EXPECT_EQ(sent->successful[1].message_id, "mid-3");
  ASSERT_EQ(sent->failed.size(), 2u);
  EXPECT_EQ(sent->failed[0].index, 1u);
  EXPECT_EQ(sent->failed[0].code, "InvalidParameterValue");
  EXPECT_TRUE(sent->failed[0].sender_fault);
  EXPECT_EQ(sent->failed[1].index, 2u);
  EXPECT_EQ(sent->failed[1].message, "retry me");
  EXPECT_FALSE(sent->failed[1].sender_fault);

  auto deleted = q.delete_batch({"r0", "r1"});
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  EXPECT_EQ(deleted->successful, (std::vector<std::size_t>{1}));
  ASSERT_EQ(deleted->failed.size(), 1u);
  EXPECT_EQ(deleted->failed[0].index, 0u);
  EXPECT_EQ(deleted->failed[0].code, "ReceiptHandleIsInvalid");

  auto changed = q.change_visibility_batch({{"r0", 5}, {"r1", 6}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->successful, (std::vector<std::size_t>{1}));
  EXPECT_EQ(changed->failed.at(0).index, 0u);
  auto wire = json::parse(server.received().at(2).body);
  EXPECT_EQ(wire.at("Entries"),
            json::parse(R"([{"Id":"0","ReceiptHandle":"r0","VisibilityTimeout":5},
                                                 {"Id":"1","ReceiptHandle":"r1","VisibilityTimeout":6}])"));
}

// A batch entry whose MD5 in the answer is wrong is a failure at its index.
TEST(QueueBatchScripted, Md5MismatchOfOneEntryFailsThatEntry) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest&) {
    return sqs_json(R"({"Successful":[
        {"Id":"0","MessageId":"m0","MD5OfMessageBody":")" +
                    protocol::md5_hex("zero") + R"("},
        {"Id":"1","MessageId":"m1","MD5OfMessageBody":"ffffffffffffffffffffffffffffffff"}],"Failed":[]})");
  });
  Client client(config_for(server.endpoint()));
  Queue q(client, "https://sqs.us-east-1.amazonaws.com/1/q");
  auto r = q.send_batch(bodies({"zero", "one"}));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->successful.size(), 1u);
  EXPECT_EQ(r->successful[0].index, 0u);
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].index, 1u);
  EXPECT_EQ(r->failed[0].code, "MD5Mismatch");
  EXPECT_FALSE(r->failed[0].sender_fault);
}

TEST(QueueBatchPlanner, SplitsByCountAndPayload) {
  std::vector<OutgoingMessage> m;
  for (int i = 0; i < 23; ++i) m.push_back({"x", {}});
  auto plan = plan_batches(m);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].size(), 10u);
  EXPECT_EQ(plan[1].size(), 10u);
  EXPECT_EQ(plan[2], (std::vector<std::size_t>{20, 21, 22}));

  std::vector<OutgoingMessage> big = {{std::string(600, 'a'), {}},
                                      {std::string(600, 'b'), {}},
                                      {std::string(300, 'c'), {}},
                                      {std::string(2000, 'd'), {}},
                                      {"e", {}}};
  auto p = plan_batches(big, 1000);
  EXPECT_EQ(p, (std::vector<std::vector<std::size_t>>{{0}, {1, 2}, {3}, {4}}));
  EXPECT_TRUE(plan_batches({}).empty());
}

// plan_batches + send_batch send a large set with every index accounted for.
TEST_F(QueueBatch, PlannedBatchesSendEverything) {
  std::vector<OutgoingMessage> m;
  for (int i = 0; i < 25; ++i) m.push_back({std::string(100000, 'p'), {}});  // 10 per MiB
  auto plan = plan_batches(m);
  std::size_t sent = 0;
  for (const auto& batch : plan) {
    std::vector<OutgoingMessage> part;
    for (auto i : batch) part.push_back(m[i]);
    auto r = queue.send_batch(part);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->all_succeeded());
    sent += r->successful.size();
  }
  EXPECT_EQ(sent, 25u);
  auto attrs = queue.attributes({"ApproximateNumberOfMessages"});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "25");
}

}  // namespace
}  // namespace sqs::itest
