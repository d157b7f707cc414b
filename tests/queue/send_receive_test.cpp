// sqs::Queue against fauxqs: every option of a send (delay, message attributes of each type,
// group id, trace header) and of a receive (visibility timeout, max messages, wait time, system
// and message attribute names, attempt id), single delete and visibility change, multi-byte
// UTF-8 bodies and 1 MiB bodies.
#include <boost/json.hpp>

#include "integration/itest_support.hpp"
#include "protocol/checksum.hpp"

namespace sqs::itest {
namespace {

namespace json = boost::json;

class QueueSendReceive : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue queue = create_queue_object(client, unique_name());

  // Receives until `n` messages arrived (or a poll comes back empty).
  std::vector<Message> receive_n(const Queue& q, std::size_t n, ReceiveOptions o = {}) {
    std::vector<Message> out;
    if (!o.max_messages) o.max_messages = 10;
    if (!o.wait_time_seconds) o.wait_time_seconds = 1;
    while (out.size() < n) {
      auto r = q.receive(o);
      EXPECT_TRUE(r) << r.error().to_string();
      if (!r || r->empty()) break;
      out.insert(out.end(), r->begin(), r->end());
    }
    return out;
  }
};

TEST_F(QueueSendReceive, OpenByNameAndByUrl) {
  auto by_name = Queue::open(client, queue.name());
  ASSERT_TRUE(by_name) << by_name.error().to_string();
  EXPECT_EQ(by_name->url(), queue.url());
  EXPECT_EQ(by_name->name(), queue.name());
  EXPECT_FALSE(by_name->is_fifo());

  auto by_url = Queue::open(client, queue.url());
  ASSERT_TRUE(by_url);
  EXPECT_EQ(by_url->url(), queue.url());

  auto missing = Queue::open(client, unique_name("missing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "QueueDoesNotExist");
}

TEST_F(QueueSendReceive, CopiesAreIndependentHandlesOfTheSameClient) {
  std::vector<Queue> queues{queue, queue};  // copies, e.g. into an initializer list
  {
    Queue copy = queues[0];
    ASSERT_TRUE(copy.send("from a copy"));
  }  // a copy going away does not shut the client down
  ASSERT_TRUE(queues[1].send("from another copy"));
  EXPECT_EQ(queues[1].url(), queue.url());
  EXPECT_FALSE(queues[1].client().is_owner());
  EXPECT_EQ(receive_n(queue, 2).size(), 2u);

  queues[0] = Queue(client, "https://sqs.eu-west-1.amazonaws.com/123456789012/other");
  queues[0] = queues[1];  // copy assignment
  EXPECT_EQ(queues[0].url(), queue.url());
}

TEST_F(QueueSendReceive, SendAndReceiveABody) {
  auto sent = queue.send("hello queue");
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_EQ(sent->md5_of_message_body, protocol::md5_hex("hello queue"));
  auto got = receive_n(queue, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hello queue");
  EXPECT_EQ(got[0].message_id, sent->message_id);
}

TEST_F(QueueSendReceive, MessageAttributesOfEveryType) {
  const std::string bytes("\x00\x01\x02\xfe\xff", 5);
  SendOptions o;
  o.attribute("text", "héllo 漢字")
      .attribute("count", 42)
      .attribute("negative", -7LL)
      .attribute("blob", Bytes{bytes})
      .attribute("custom", MessageAttributeValue{"Number.int", "12345", {}})
      .attribute("image", MessageAttributeValue{"Binary.gif", {}, "GIF89a"})
      .attribute("float", MessageAttributeValue{"Number.float", "3.25", {}})
      .attribute("tagged", MessageAttributeValue{"String.json", R"({"a":1})", {}});
  auto sent = queue.send("with attributes", o);
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_EQ(sent->md5_of_message_attributes, protocol::md5_of_message_attributes(o.attributes));

  auto got = receive_n(queue, 1, {.message_attribute_names = {"All"}});
  ASSERT_EQ(got.size(), 1u);
  const auto& a = got[0].message_attributes;
  EXPECT_EQ(a, o.attributes);
  EXPECT_EQ(a.at("text"), MessageAttributeValue::string("héllo 漢字"));
  EXPECT_EQ(a.at("count"), MessageAttributeValue::number("42"));
  EXPECT_EQ(a.at("negative"), MessageAttributeValue::number("-7"));
  EXPECT_EQ(a.at("blob").binary_value, bytes);
  EXPECT_TRUE(a.at("blob").is_binary());
  EXPECT_EQ(a.at("custom").data_type, "Number.int");
  EXPECT_EQ(a.at("image").data_type, "Binary.gif");
}

TEST_F(QueueSendReceive, MessageAttributeNamesSelectWhatComesBack) {
  SendOptions o;
  o.attribute("trace.id", "t1").attribute("trace.span", "s1").attribute("other", "x");
  ASSERT_TRUE(queue.send("selected", o));
  // Names and prefixes ("trace.*"). fauxqs returns MD5OfMessageAttributes of ALL the
  // attributes even when it returns a subset (SQS digests what it returns), so the check is
  // off here.
  auto c = fauxqs_config();
  c.verify_checksums = false;
  Client lax(c);
  Queue q(lax, queue.url());
  auto got = receive_n(q, 1, {.visibility_timeout = 0, .message_attribute_names = {"trace.*"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_attributes.size(), 2u);
  EXPECT_TRUE(got[0].message_attributes.count("trace.id"));
  EXPECT_TRUE(got[0].message_attributes.count("trace.span"));

  got = receive_n(q, 1, {.visibility_timeout = 0, .message_attribute_names = {"other"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_attributes.size(), 1u);
  EXPECT_TRUE(got[0].message_attributes.count("other"));

  // With the default checks, fauxqs's digest of the subset is refused.
  auto strict = queue.receive({.message_attribute_names = {"other"}});
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().kind, ErrorKind::checksum);
}

TEST_F(QueueSendReceive, SystemAttributeNamesAllOrList) {
  ASSERT_TRUE(queue.send("sys"));
  auto all = receive_n(queue, 1, {.visibility_timeout = 0, .attribute_names = {"All"}});
  ASSERT_EQ(all.size(), 1u);
  const auto& a = all[0].attributes;
  EXPECT_TRUE(a.count("SentTimestamp"));
  EXPECT_TRUE(a.count("SenderId"));
  EXPECT_EQ(a.at("ApproximateReceiveCount"), "1");
  EXPECT_TRUE(a.count("ApproximateFirstReceiveTimestamp"));

  auto some = receive_n(queue, 1, {.attribute_names = {"ApproximateReceiveCount"}});
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].attributes, (StringMap{{"ApproximateReceiveCount", "2"}}));
}

TEST_F(QueueSendReceive, DelaySecondsHidesTheMessage) {
  ASSERT_TRUE(queue.send("later", {.delay_seconds = 2}));
  auto attrs = queue.attributes({"ApproximateNumberOfMessagesDelayed"});
  ASSERT_TRUE(attrs) << attrs.error().to_string();
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessagesDelayed"), "1");
  auto now = queue.receive({.max_messages = 10});
  ASSERT_TRUE(now);
  EXPECT_TRUE(now->empty());
  auto later = queue.receive({.max_messages = 10, .wait_time_seconds = 5});  // long poll wakes up
  ASSERT_TRUE(later) << later.error().to_string();
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].body, "later");
}

TEST_F(QueueSendReceive, DelaySecondsZeroOverridesTheQueueDelay) {
  ASSERT_TRUE(queue.set_attributes({{"DelaySeconds", "60"}}));
  ASSERT_TRUE(queue.send("queue delay"));
  ASSERT_TRUE(queue.send("no delay", {.delay_seconds = 0}));
  auto got = queue.receive({.max_messages = 10});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "no delay");
}

TEST_F(QueueSendReceive, VisibilityTimeoutAndChangeVisibility) {
  ASSERT_TRUE(queue.send("v"));
  auto first = queue.receive({.visibility_timeout = 600});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  auto hidden = queue.receive({});
  ASSERT_TRUE(hidden);
  EXPECT_TRUE(hidden->empty());
  ASSERT_TRUE(queue.change_visibility((*first)[0].receipt_handle, 0));
  auto visible = queue.receive({.visibility_timeout = 0});
  ASSERT_TRUE(visible);
  ASSERT_EQ(visible->size(), 1u);
  auto bad = queue.change_visibility("garbage-receipt", 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::service);
  // fauxqs says MessageNotInflight for a receipt handle it does not know (SQS:
  // ReceiptHandleIsInvalid for a malformed one).
  EXPECT_TRUE(bad.error().code == "ReceiptHandleIsInvalid" ||
              bad.error().code == "MessageNotInflight")
      << bad.error().code;
}

TEST_F(QueueSendReceive, MaxMessagesAndDelete) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(queue.send("m" + std::to_string(i)));
  auto three = queue.receive({.max_messages = 3});
  ASSERT_TRUE(three);
  EXPECT_EQ(three->size(), 3u);
  for (const auto& m : *three) ASSERT_TRUE(queue.delete_message(m.receipt_handle));
  auto rest = receive_n(queue, 4);
  EXPECT_EQ(rest.size(), 4u);
  for (const auto& m : rest) ASSERT_TRUE(queue.delete_message(m.receipt_handle));
  auto attrs =
      queue.attributes({"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(QueueSendReceive, LongPollWakesUpOnSend) {
  std::promise<Result<std::vector<Message>>> got;
  queue.async_receive({.wait_time_seconds = 10},
                      [&](Result<std::vector<Message>> r) { got.set_value(std::move(r)); });
  auto f = got.get_future();
  // Send from another client while the poll waits.
  Client other(fauxqs_config());
  ASSERT_TRUE(Queue(other, queue.url()).send("wake up"));
  ASSERT_EQ(f.wait_for(15s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r) << r.error().to_string();
  // Either the poll got it, or it had not reached the server before the send: then a second
  // receive must see it.
  if (r->empty()) {
    r = queue.receive({.wait_time_seconds = 1});
    ASSERT_TRUE(r);
  }
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].body, "wake up");
}

TEST_F(QueueSendReceive, EmptyLongPollReturnsNothing) {
  auto r = queue.receive({.wait_time_seconds = 1});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->empty());
}

TEST_F(QueueSendReceive, MultiByteUtf8Bodies) {
  const std::vector<std::string> bodies = {"café é", "漢字テスト", "mixed é 漢 \t\r\n end",
                                           std::string(1000, 'x') + "漢"};
  for (const auto& b : bodies) {
    auto sent = queue.send(b);
    ASSERT_TRUE(sent) << sent.error().to_string();
    EXPECT_EQ(sent->md5_of_message_body, protocol::md5_hex(b));
  }
  auto got = receive_n(queue, bodies.size());
  ASSERT_EQ(got.size(), bodies.size());
  std::multiset<std::string> expected(bodies.begin(), bodies.end()), actual;
  for (const auto& m : got) actual.insert(m.body);
  EXPECT_EQ(actual, expected);
}

// Characters beyond the BMP are valid SQS message characters. fauxqs rejects them (its body
// check is a JavaScript regex without the `u` flag, so the UTF-16 surrogates of 😀 fail it):
// the client sends them, fauxqs answers InvalidMessageContents. The round trip of an emoji is
// checked against the scripted server below.
TEST_F(QueueSendReceive, EmojiBodyIsSentAndFauxqsRejectsIt) {
  auto sent = queue.send("smile 😀");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ErrorKind::service) << sent.error().to_string();
  EXPECT_EQ(sent.error().code, "InvalidMessageContents");
}

TEST(QueueSendReceiveScripted, EmojiBodyRoundTrip) {
  const std::string body = "smile 😀 and 𝄞";
  test::ScriptedHttpServer server([&](const test::ReceivedRequest& r) {
    if (target_of(r) == "AmazonSQS.SendMessage") {
      return sqs_json(R"({"MessageId":"e1","MD5OfMessageBody":")" + protocol::md5_hex(body) +
                      "\"}");
    }
    // Escaped as a JSON surrogate pair, as some servers write it.
    return sqs_json(R"({"Messages":[{"MessageId":"e1","ReceiptHandle":"r","MD5OfBody":")" +
                    protocol::md5_hex(body) +
                    R"(","Body":"smile \ud83d\ude00 and \ud834\udd1e"}]})");
  });
  Client client(config_for(server.endpoint()));
  Queue q(client, "https://sqs.us-east-1.amazonaws.com/1/q");
  auto sent = q.send(body);
  ASSERT_TRUE(sent) << sent.error().to_string();
  auto wire = json::parse(server.received().at(0).body);
  EXPECT_EQ(json::value_to<std::string>(wire.at("MessageBody")), body);
  auto got = q.receive();
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, body);
}

TEST_F(QueueSendReceive, OneMebibyteBodyIsAccepted) {
  std::string body(1048576, 'a');
  body.replace(0, 4, "漢a");  // multi-byte characters count in bytes
  ASSERT_EQ(body.size(), 1048576u);
  auto sent = queue.send(body);
  ASSERT_TRUE(sent) << sent.error().to_string();
  auto got = receive_n(queue, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body.size(), 1048576u);
  EXPECT_EQ(got[0].body, body);
}

TEST_F(QueueSendReceive, BodyPlusAttributesCountTowardsTheLimit) {
  SendOptions o;
  o.attribute("k", "v");  // 1 + 6 ("String") + 1 = 8 bytes
  auto exact = queue.send(std::string(1048576 - 8, 'b'), o);
  EXPECT_TRUE(exact) << exact.error().to_string();
  auto over = queue.send(std::string(1048576 - 7, 'b'), o);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::validation);
  EXPECT_EQ(over.error().code, "MessageTooLong");
}

// A smaller max_message_bytes (some regions and compatible services keep 256 KiB).
TEST_F(QueueSendReceive, ConfigurableMessageLimit) {
  auto c = fauxqs_config();
  c.max_message_bytes = 262144;
  Client small(c);
  Queue q(small, queue.url());
  EXPECT_TRUE(q.send(std::string(262144, 's')));
  auto over = q.send(std::string(262145, 's'));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "MessageTooLong");
  EXPECT_NE(over.error().message.find("262145"), std::string::npos) << over.error().message;
}

// What each option puts on the wire, checked on the scripted server: AWSTraceHeader goes as a
// message system attribute (fauxqs accepts and ignores it), the attempt id and attribute
// names as SQS names them.
TEST(QueueWire, SendAndReceiveOptionsOnTheWire) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest& r) {
    if (target_of(r) == "AmazonSQS.SendMessage") {
      auto b = json::parse(r.body);
      std::string body = json::value_to<std::string>(b.at("MessageBody"));
      // The attributes this test sends.
      auto attrs = protocol::md5_of_message_attributes({{"n", MessageAttributeValue::number(7)}});
      return sqs_json(R"({"MessageId":"x","MD5OfMessageBody":")" + protocol::md5_hex(body) +
                      R"(","MD5OfMessageAttributes":")" + attrs + "\"}");
    }
    return sqs_json("{}");
  });
  Client client(config_for(server.endpoint()));
  Queue q(client, "https://sqs.us-east-1.amazonaws.com/1/fair");
  // group_id on a standard queue: the tenant of a fair queue.
  SendOptions o{.delay_seconds = 5,
                .group_id = "tenant-1",
                .aws_trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"};
  o.attribute("n", 7);
  auto sent_result = q.send("traced", o);
  ASSERT_TRUE(sent_result) << sent_result.error().to_string();
  auto sent = json::parse(server.received().at(0).body).as_object();
  EXPECT_EQ(sent.at("QueueUrl"), "https://sqs.us-east-1.amazonaws.com/1/fair");
  EXPECT_EQ(sent.at("DelaySeconds"), 5);
  EXPECT_EQ(sent.at("MessageGroupId"), "tenant-1");
  EXPECT_EQ(sent.at("MessageSystemAttributes"),
            json::parse(R"({"AWSTraceHeader":{"DataType":"String",
                "StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}})"));
  EXPECT_EQ(sent.at("MessageAttributes"),
            json::parse(R"({"n":{"DataType":"Number","StringValue":"7"}})"));
  EXPECT_FALSE(sent.contains("MessageDeduplicationId"));

  ASSERT_TRUE(q.receive({.max_messages = 4,
                         .wait_time_seconds = 0,
                         .visibility_timeout = 30,
                         .attribute_names = {"All"},
                         .message_attribute_names = {"a", "b.*"},
                         .receive_request_attempt_id = "attempt-1"}));
  auto recv = json::parse(server.received().at(1).body).as_object();
  EXPECT_EQ(recv.at("MaxNumberOfMessages"), 4);
  EXPECT_EQ(recv.at("WaitTimeSeconds"), 0);
  EXPECT_EQ(recv.at("VisibilityTimeout"), 30);
  EXPECT_EQ(recv.at("MessageSystemAttributeNames"), json::parse(R"(["All"])"));
  EXPECT_EQ(recv.at("MessageAttributeNames"), json::parse(R"(["a","b.*"])"));
  EXPECT_EQ(recv.at("ReceiveRequestAttemptId"), "attempt-1");
  EXPECT_FALSE(recv.contains("AttributeNames"));  // deprecated name not used

  // Unset options are absent, not zero.
  ASSERT_TRUE(q.receive());
  auto bare = json::parse(server.received().at(2).body).as_object();
  EXPECT_EQ(bare.size(), 1u) << json::serialize(bare);
}

// fauxqs accepts the AWSTraceHeader system attribute (and ignores it).
TEST_F(QueueSendReceive, TraceHeaderIsAccepted) {
  auto sent =
      queue.send("traced", {.aws_trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793"});
  ASSERT_TRUE(sent) << sent.error().to_string();
  auto got = receive_n(queue, 1, {.attribute_names = {"AWSTraceHeader"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "traced");
}

}  // namespace
}  // namespace sqs::itest
