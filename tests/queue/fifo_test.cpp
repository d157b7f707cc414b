// FIFO queues through sqs::Queue against fauxqs: order within a message group, deduplication
// by id and by content, sequence numbers, receive attempt ids, and batches on FIFO queues.
#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

class QueueFifo : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue make(bool content_dedup = false) {
    StringMap attrs{{"FifoQueue", "true"}};
    if (content_dedup) attrs["ContentBasedDeduplication"] = "true";
    return create_queue_object(client, unique_name("f", true), attrs);
  }
  // Receives, deletes, and returns the bodies of everything in the queue, in receive order.
  std::vector<Message> drain(const Queue& q) {
    std::vector<Message> out;
    for (;;) {
      auto r = q.receive({.max_messages = 10, .attribute_names = {"All"}});
      EXPECT_TRUE(r) << r.error().to_string();
      if (!r || r->empty()) break;
      for (auto& m : *r) {
        EXPECT_TRUE(q.delete_message(m.receipt_handle));
        out.push_back(std::move(m));
      }
    }
    return out;
  }
};

SendOptions in_group(std::string group, std::string dedup = {}) {
  SendOptions o;
  o.group_id = std::move(group);
  if (!dedup.empty()) o.deduplication_id = std::move(dedup);
  return o;
}

TEST_F(QueueFifo, OrderWithinEachGroupAndSequenceNumbers) {
  auto q = make();
  EXPECT_TRUE(q.is_fifo());
  std::string last_sequence;
  for (int i = 0; i < 6; ++i) {
    std::string group = i % 2 == 0 ? "even" : "odd";
    auto sent = q.send(group + std::to_string(i), in_group(group, "d" + std::to_string(i)));
    ASSERT_TRUE(sent) << sent.error().to_string();
    ASSERT_TRUE(sent->sequence_number.has_value());
    EXPECT_FALSE(sent->sequence_number->empty());
    if (!last_sequence.empty()) {  // increasing (compared as numbers of equal width or longer)
      EXPECT_TRUE(sent->sequence_number->size() > last_sequence.size() ||
                  *sent->sequence_number > last_sequence)
          << *sent->sequence_number << " after " << last_sequence;
    }
    last_sequence = *sent->sequence_number;
  }
  auto got = drain(q);
  ASSERT_EQ(got.size(), 6u);
  std::vector<std::string> even, odd;
  for (const auto& m : got) {
    (m.attributes.at("MessageGroupId") == "even" ? even : odd).push_back(m.body);
    EXPECT_TRUE(m.attributes.count("SequenceNumber"));
    EXPECT_TRUE(m.attributes.count("MessageDeduplicationId"));
  }
  EXPECT_EQ(even, (std::vector<std::string>{"even0", "even2", "even4"}));
  EXPECT_EQ(odd, (std::vector<std::string>{"odd1", "odd3", "odd5"}));
}

TEST_F(QueueFifo, SameDeduplicationIdTwiceMakesOneMessage) {
  auto q = make();
  auto first = q.send("once", in_group("g", "same-id"));
  auto second = q.send("once again", in_group("g", "same-id"));
  ASSERT_TRUE(first) << first.error().to_string();
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(second->message_id, first->message_id);
  EXPECT_EQ(second->sequence_number, first->sequence_number);
  auto got = drain(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "once");
}

TEST_F(QueueFifo, ContentBasedDeduplication) {
  auto q = make(true);
  auto a = q.send("identical", in_group("g"));
  auto b = q.send("identical", in_group("g"));
  auto c = q.send("different", in_group("g"));
  ASSERT_TRUE(a) << a.error().to_string();
  ASSERT_TRUE(b);
  ASSERT_TRUE(c);
  EXPECT_EQ(a->message_id, b->message_id);
  EXPECT_NE(a->message_id, c->message_id);
  auto got = drain(q);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "identical");
  EXPECT_EQ(got[1].body, "different");
}

// Without content-based deduplication, a message without a deduplication id is refused by the
// server (the client cannot know the queue's setting).
TEST_F(QueueFifo, MissingDeduplicationIdWithoutContentDedup) {
  auto q = make();
  auto r = q.send("no dedup id", in_group("g"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::service);
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
}

TEST_F(QueueFifo, BatchKeepsOrderAndSequenceNumbers) {
  auto q = make(true);
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 10; ++i) batch.push_back({"item " + std::to_string(i), in_group("batch")});
  auto r = q.send_batch(batch);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(r->all_succeeded());
  for (const auto& s : r->successful) EXPECT_TRUE(s.sequence_number.has_value()) << s.index;
  auto got = drain(q);
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i].body, "item " + std::to_string(i));
}

// One entry without a deduplication id on a queue without content-based deduplication fails
// alone, at its index.
TEST_F(QueueFifo, BatchEntryWithoutDeduplicationIdFailsAlone) {
  auto q = make();
  auto r =
      q.send_batch({{"a", in_group("g", "a")}, {"b", in_group("g")}, {"c", in_group("g", "c")}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->successful.size(), 2u);
  EXPECT_EQ(r->successful[0].index, 0u);
  EXPECT_EQ(r->successful[1].index, 2u);
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].index, 1u);
  EXPECT_EQ(r->failed[0].code, "InvalidParameterValue");
}

// A group's next message stays hidden while an earlier one is in flight.
TEST_F(QueueFifo, InFlightMessageBlocksItsGroup) {
  auto q = make(true);
  ASSERT_TRUE(q.send("first", in_group("g")));
  ASSERT_TRUE(q.send("second", in_group("g")));
  ASSERT_TRUE(q.send("other", in_group("h")));
  auto one = q.receive(
      {.max_messages = 1, .visibility_timeout = 600, .receive_request_attempt_id = "attempt-1"});
  ASSERT_TRUE(one) << one.error().to_string();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].body, "first");
  auto rest = q.receive({.max_messages = 10, .visibility_timeout = 600});
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].body, "other");
}

TEST_F(QueueFifo, OpenedByNameIsFifo) {
  auto q = make();
  auto opened = Queue::open(client, q.name());
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->is_fifo());
  // FIFO rules apply to the opened queue before anything is sent.
  auto r = opened->send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  EXPECT_EQ(r.error().code, "MissingMessageGroupId");
}

}  // namespace
}  // namespace sqs::itest
