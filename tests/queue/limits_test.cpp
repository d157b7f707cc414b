// Every SQS limit of DESIGN.md §2 is rejected BEFORE sending: an Error of kind `validation`
// whose code names the rule and whose message shows the value, and not one request on the wire
// (the client points at a scripted server that counts what it receives). Checked through
// sqs::Queue (sync and async), through the raw Client requests, and for batches, where one
// bad entry sends nothing.
#include <boost/asio/use_future.hpp>

#include "client/validation.hpp"
#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

class QueueLimits : public ::testing::Test {
 protected:
  std::unique_ptr<test::ScriptedHttpServer> server = answering(sqs_json("{}"));
  Client client{config_for(server->endpoint())};
  Queue queue{client, "https://sqs.us-east-1.amazonaws.com/000000000000/standard"};
  Queue fifo{client, "https://sqs.us-east-1.amazonaws.com/000000000000/ordered.fifo"};

  void TearDown() override { EXPECT_EQ(server->requests_received(), 0u) << "a request was sent"; }

  // Expects a validation error with this rule, whose message contains `value`.
  template <class T>
  void expect_invalid(const Result<T>& r, const std::string& rule, const std::string& value = {}) {
    ASSERT_FALSE(r) << "accepted; expected " << rule;
    EXPECT_EQ(r.error().kind, ErrorKind::validation) << r.error().to_string();
    EXPECT_EQ(r.error().code, rule) << r.error().to_string();
    EXPECT_TRUE(r.error().sender_fault);
    EXPECT_FALSE(r.error().retryable);
    EXPECT_EQ(r.error().http_status, 0);
    if (!value.empty()) {
      EXPECT_NE(r.error().message.find(value), std::string::npos)
          << "message '" << r.error().message << "' does not show '" << value << "'";
    }
  }
  SendOptions attr(const std::string& name, MessageAttributeValue v) {
    SendOptions o;
    o.attribute(name, std::move(v));
    return o;
  }
};

TEST_F(QueueLimits, MessageSize) {
  expect_invalid(queue.send(std::string(1048577, 'x')), "MessageTooLong", "1048577");
  SendOptions o;
  o.attribute("a", std::string(100, 'v'));  // 1 + 6 + 100 bytes
  expect_invalid(queue.send(std::string(1048576 - 100, 'x'), o), "MessageTooLong", "1048583");
  // Multi-byte characters count in bytes: 349,526 × 3 bytes = 1,048,578.
  std::string han;
  for (int i = 0; i < 349526; ++i) han += "漢";
  expect_invalid(queue.send(han), "MessageTooLong", "1048578");
}

TEST_F(QueueLimits, BodyCharacters) {
  expect_invalid(queue.send(std::string("nul \0 inside", 12)), "InvalidMessageContents", "U+0000");
  expect_invalid(queue.send("bell \x07"), "InvalidMessageContents", "U+0007");
  expect_invalid(queue.send("non-character \xEF\xBF\xBE"), "InvalidMessageContents", "U+FFFE");
  expect_invalid(queue.send("non-character \xEF\xBF\xBF"), "InvalidMessageContents", "U+FFFF");
  expect_invalid(queue.send("bad \xC3\x28 utf8"), "InvalidMessageContents", "UTF-8");
  expect_invalid(queue.send("truncated \xE6\xBC"), "InvalidMessageContents", "UTF-8");
  expect_invalid(queue.send("surrogate \xED\xA0\x80"), "InvalidMessageContents", "UTF-8");
  expect_invalid(queue.send("overlong \xC0\xAF"), "InvalidMessageContents", "UTF-8");
  expect_invalid(queue.send("lone continuation \x80"), "InvalidMessageContents", "UTF-8");
  expect_invalid(queue.send(""), "EmptyMessageBody");
}

TEST_F(QueueLimits, TooManyAttributes) {
  SendOptions o;
  for (int i = 0; i < 11; ++i) o.attribute("a" + std::to_string(i), "v");
  expect_invalid(queue.send("x", o), "TooManyMessageAttributes", "11");
}

TEST_F(QueueLimits, AttributeNames) {
  auto s = MessageAttributeValue::string("v");
  expect_invalid(queue.send("x", attr("AWS.reserved", s)), "InvalidAttributeName", "AWS.reserved");
  expect_invalid(queue.send("x", attr("aws.lower", s)), "InvalidAttributeName", "aws.lower");
  expect_invalid(queue.send("x", attr("Amazon.thing", s)), "InvalidAttributeName", "Amazon.thing");
  expect_invalid(queue.send("x", attr("AMAZON.upper", s)), "InvalidAttributeName", "AMAZON.upper");
  expect_invalid(queue.send("x", attr(".leading", s)), "InvalidAttributeName", ".leading");
  expect_invalid(queue.send("x", attr("trailing.", s)), "InvalidAttributeName", "trailing.");
  expect_invalid(queue.send("x", attr("double..dot", s)), "InvalidAttributeName", "double..dot");
  expect_invalid(queue.send("x", attr("space here", s)), "InvalidAttributeName", "space here");
  expect_invalid(queue.send("x", attr("bang!", s)), "InvalidAttributeName", "bang!");
  expect_invalid(queue.send("x", attr("é", s)), "InvalidAttributeName");
  expect_invalid(queue.send("x", attr(std::string(257, 'n'), s)), "InvalidAttributeName", "257");
  expect_invalid(queue.send("x", attr("", s)), "InvalidAttributeName");
}

TEST_F(QueueLimits, AttributeNamesThatAreFine) {
  // Not errors: these are sent (to a scripted server answering "{}", hence a protocol error
  // after sending). Checked on a separate queue so the no-request check of TearDown holds.
  auto ok = answering(sqs_json("{}"));
  Client c(config_for(ok->endpoint()));
  Queue q(c, queue.url());
  auto s = MessageAttributeValue::string("v");
  for (const std::string& name : std::vector<std::string>{
           "a.b.c", "AWSish", "amazonia", "under_score-dash", std::string(256, 'n')}) {
    auto r = q.send("x", attr(name, s));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().kind, ErrorKind::validation) << name << ": " << r.error().to_string();
  }
}

TEST_F(QueueLimits, AttributeTypesAndValues) {
  expect_invalid(queue.send("x", attr("t", {"Strin", "v", {}})), "InvalidAttributeDataType",
                 "Strin");
  expect_invalid(queue.send("x", attr("t", {"string", "v", {}})), "InvalidAttributeDataType",
                 "string");
  expect_invalid(queue.send("x", attr("t", {"Text", "v", {}})), "InvalidAttributeDataType", "Text");
  expect_invalid(queue.send("x", attr("t", {"", "v", {}})), "InvalidAttributeDataType");
  expect_invalid(queue.send("x", attr("t", {"Number.", "1", {}})), "InvalidAttributeDataType",
                 "Number.");
  expect_invalid(queue.send("x", attr("t", MessageAttributeValue::string(""))),
                 "InvalidAttributeValue");
  expect_invalid(queue.send("x", attr("t", MessageAttributeValue::number(""))),
                 "InvalidAttributeValue");
  expect_invalid(queue.send("x", attr("t", MessageAttributeValue::binary(""))),
                 "InvalidAttributeValue");
  expect_invalid(queue.send("x", attr("t", MessageAttributeValue::number("12abc"))),
                 "InvalidAttributeValue", "12abc");
  expect_invalid(queue.send("x", attr("t", MessageAttributeValue::string(std::string("\0", 1)))),
                 "InvalidAttributeValue", "U+0000");
}

// SQS's rule for Number values: up to 38 significant digits, magnitude 10^-128 .. 10^+126
// (issue #8, hole 4).
TEST_F(QueueLimits, NumberAttributesOutsideSqsRangeAreRefused) {
  for (const std::string& bad :
       {std::string("1e400"), std::string("-1e127"), std::string("1e-129"), std::string(39, '9'),
        "1." + std::string(38, '1'), std::string("1e99999999999999999999"), std::string("1e"),
        std::string("."), std::string("+-1")}) {
    expect_invalid(queue.send("x", attr("n", MessageAttributeValue::number(bad))),
                   "InvalidAttributeValue");
  }
}

TEST_F(QueueLimits, NumberAttributesWithinSqsRangeAreSent) {
  auto ok = answering(sqs_json("{}"));
  Client c(config_for(ok->endpoint()));
  Queue q(c, queue.url());
  for (const std::string& good :
       {std::string(38, '9'), "1" + std::string(60, '0'), "0." + std::string(40, '0') + "5",
        std::string("1e126"), std::string("-1e-128"), std::string("0e99999"), std::string("000"),
        std::string("12.50e-3"), std::string("+.5"), std::string(38, '9') + "e88"}) {
    auto r = q.send("x", attr("n", MessageAttributeValue::number(good)));
    ASSERT_FALSE(r);  // the scripted answer is not a SendMessage result
    EXPECT_NE(r.error().kind, ErrorKind::validation) << good << ": " << r.error().to_string();
  }
}

TEST_F(QueueLimits, DelaySeconds) {
  expect_invalid(queue.send("x", {.delay_seconds = 901}), "DelaySecondsOutOfRange", "901");
  expect_invalid(queue.send("x", {.delay_seconds = -1}), "DelaySecondsOutOfRange", "-1");
  SendOptions on_fifo{.delay_seconds = 5, .group_id = "g", .deduplication_id = "d"};
  expect_invalid(fifo.send("x", on_fifo), "InvalidParameterValue", "DelaySeconds");
}

TEST_F(QueueLimits, FifoGroupAndDeduplicationIds) {
  expect_invalid(fifo.send("x"), "MissingMessageGroupId");
  expect_invalid(fifo.send("x", {.group_id = "g", .deduplication_id = std::string(129, 'd')}),
                 "InvalidMessageDeduplicationId", "129");
  expect_invalid(fifo.send("x", {.group_id = std::string(129, 'g'), .deduplication_id = "d"}),
                 "InvalidMessageGroupId", "129");
  expect_invalid(fifo.send("x", {.group_id = "", .deduplication_id = "d"}),
                 "InvalidMessageGroupId");
  expect_invalid(fifo.send("x", {.group_id = "has space", .deduplication_id = "d"}),
                 "InvalidMessageGroupId", "has space");
  expect_invalid(queue.send("x", {.deduplication_id = "d"}), "InvalidParameterValue",
                 "MessageDeduplicationId");
}

TEST_F(QueueLimits, ReceiveOptions) {
  expect_invalid(queue.receive({.visibility_timeout = 43201}), "InvalidParameterValue", "43201");
  expect_invalid(queue.receive({.visibility_timeout = -1}), "InvalidParameterValue", "-1");
  expect_invalid(queue.receive({.wait_time_seconds = 21}), "InvalidParameterValue", "21");
  expect_invalid(queue.receive({.wait_time_seconds = -1}), "InvalidParameterValue",
                 "WaitTimeSeconds");
  expect_invalid(queue.receive({.max_messages = 0}), "InvalidParameterValue",
                 "MaxNumberOfMessages");
  expect_invalid(queue.receive({.max_messages = 11}), "InvalidParameterValue", "11");
  expect_invalid(fifo.receive({.receive_request_attempt_id = std::string(129, 'a')}),
                 "InvalidReceiveRequestAttemptId", "129");
}

TEST_F(QueueLimits, VisibilityChanges) {
  expect_invalid(queue.change_visibility("rh", 43201), "InvalidParameterValue", "43201");
  expect_invalid(queue.change_visibility("rh", -1), "InvalidParameterValue", "-1");
  expect_invalid(queue.change_visibility("", 10), "ReceiptHandleIsInvalid");
  expect_invalid(queue.delete_message(""), "ReceiptHandleIsInvalid");
  expect_invalid(queue.change_visibility_batch({{"a", 1}, {"b", 43201}}), "InvalidParameterValue",
                 "entry 1");
  expect_invalid(queue.delete_batch({"a", ""}), "ReceiptHandleIsInvalid", "entry 1");
}

TEST_F(QueueLimits, BatchSizes) {
  expect_invalid(queue.send_batch({}), "EmptyBatchRequest");
  std::vector<OutgoingMessage> eleven(11, OutgoingMessage{"x", {}});
  expect_invalid(queue.send_batch(eleven), "TooManyEntriesInBatchRequest", "11");
  expect_invalid(queue.delete_batch({}), "EmptyBatchRequest");
  expect_invalid(queue.delete_batch(std::vector<std::string>(11, "rh")),
                 "TooManyEntriesInBatchRequest", "11");
  expect_invalid(queue.change_visibility_batch({}), "EmptyBatchRequest");
  expect_invalid(queue.change_visibility_batch(std::vector<VisibilityChange>(11, {"rh", 1})),
                 "TooManyEntriesInBatchRequest", "11");
  // Total payload: ten entries of 110,000 bytes are over 1 MiB together.
  std::vector<OutgoingMessage> heavy(10, OutgoingMessage{std::string(110000, 'h'), {}});
  expect_invalid(queue.send_batch(heavy), "BatchRequestTooLong", "1100000");
}

// One bad entry anywhere in a batch: nothing is sent, and the message names the entry.
TEST_F(QueueLimits, OneBadEntrySendsNothing) {
  std::vector<OutgoingMessage> batch(5, OutgoingMessage{"fine", {}});
  batch[3].body = std::string("bad \xFF", 5);
  expect_invalid(queue.send_batch(batch), "InvalidMessageContents", "entry 3");
  batch[3].body = "fine";
  batch[4].options.delay_seconds = 1000;
  expect_invalid(queue.send_batch(batch), "DelaySecondsOutOfRange", "entry 4");
  batch[4].options.delay_seconds.reset();
  batch[0].options.attribute("AWS.x", "v");
  expect_invalid(queue.send_batch(batch), "InvalidAttributeName", "AWS.x");
  std::vector<OutgoingMessage> fifo_batch = {{"a", {.group_id = "g", .deduplication_id = "1"}},
                                             {"b", {.deduplication_id = "2"}}};
  expect_invalid(fifo.send_batch(fifo_batch), "MissingMessageGroupId", "entry 1");
}

// Raw Client requests: ids of batch entries (Queue numbers them itself).
TEST_F(QueueLimits, RawBatchEntryIds) {
  const std::string url = queue.url();
  auto entry = [](std::string id) {
    return SendMessageBatchRequestEntry{.id = std::move(id), .message_body = "x"};
  };
  expect_invalid(client.send_message_batch({.queue_url = url, .entries = {entry("a"), entry("a")}}),
                 "BatchEntryIdsNotDistinct", "\"a\"");
  expect_invalid(client.send_message_batch({.queue_url = url, .entries = {entry("bad id")}}),
                 "InvalidBatchEntryId", "bad id");
  expect_invalid(client.send_message_batch({.queue_url = url, .entries = {entry("dot.id")}}),
                 "InvalidBatchEntryId", "dot.id");
  expect_invalid(
      client.send_message_batch({.queue_url = url, .entries = {entry(std::string(81, 'i'))}}),
      "InvalidBatchEntryId", "81");
  expect_invalid(client.send_message_batch({.queue_url = url, .entries = {entry("")}}),
                 "InvalidBatchEntryId");
  expect_invalid(client.delete_message_batch({.queue_url = url,
                                              .entries = {{.id = "x", .receipt_handle = "a"},
                                                          {.id = "x", .receipt_handle = "b"}}}),
                 "BatchEntryIdsNotDistinct");
  expect_invalid(client.change_message_visibility_batch(
                     {.queue_url = url,
                      .entries = {{.id = "x!", .receipt_handle = "a", .visibility_timeout = 1}}}),
                 "InvalidBatchEntryId");
}

// Raw Client requests: the system attributes that may be sent.
TEST_F(QueueLimits, RawSystemAttributes) {
  const std::string url = queue.url();
  expect_invalid(
      client.send_message(
          {.queue_url = url,
           .message_body = "x",
           .message_system_attributes = {{"Other", MessageAttributeValue::string("v")}}}),
      "InvalidMessageSystemAttribute", "Other");
  expect_invalid(
      client.send_message(
          {.queue_url = url,
           .message_body = "x",
           .message_system_attributes = {{"AWSTraceHeader", MessageAttributeValue::number("1")}}}),
      "InvalidMessageSystemAttribute");
}

// Queue URLs that are not URLs are refused before sending (issue #8, hole 5): no host, spaces,
// control characters, another scheme, user info, a query, no queue name. A password in one
// never reaches the message.
TEST_F(QueueLimits, QueueUrlsThatAreNotUrls) {
  const std::vector<std::string> bad = {
      "http://",
      "https://",
      "http:///000000000000/q",
      "http://x y/q",
      "http://x/a b",
      "http://x/q\r\nX-Injected: 1",
      std::string("http://x/q\0z", 12),
      "http://x/\x01q",
      "http://x/q\t",
      "ftp://x/1/q",
      "q",
      "/000000000000/q",
      "sqs.us-east-1.amazonaws.com/1/q",
      "http://x:99999/1/q",
      "http://x/1/q?Action=DeleteQueue",
      "http://x/1/q#frag",
      "http://x",
      "http://x/",
      "http://x/1/",
      "http://u:hunter2@x/1/q",
      "http://u:hunter2/pw@x/1/q",
  };
  for (const auto& url : bad) {
    SCOPED_TRACE(url);
    const auto r = client.send_message({.queue_url = url, .message_body = "x"});
    expect_invalid(r, "InvalidAddress");
    if (!r) {
      EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
    }
    expect_invalid(client.delete_queue({.queue_url = url}), "InvalidAddress");
    expect_invalid(client.receive_message({.queue_url = url}), "InvalidAddress");
    expect_invalid(Queue(client, url).send("x"), "InvalidAddress");
  }
  // What SQS and the local servers return is fine: AWS, IPv4, IPv6, ports, FIFO, odd names.
  const std::vector<std::string> good = {
      "https://sqs.us-east-1.amazonaws.com/000000000000/q",
      "https://sqs.us-east-1.amazonaws.com/000000000000/ordered.fifo",
      "HTTPS://SQS.EU-WEST-1.AMAZONAWS.COM/1/Q",
      "http://127.0.0.1:4566/000000000000/a-b_c",
      "http://[::1]:9324/queue/q",
      "http://localhost/q",
  };
  for (const auto& url : good) {
    EXPECT_FALSE(client::validate(DeleteQueueRequest{.queue_url = url}, {})) << url;
  }
}

// Raw Client requests of the other actions.
TEST_F(QueueLimits, RawQueueActions) {
  expect_invalid(client.create_queue({.queue_name = "bad name"}), "InvalidQueueName", "bad name");
  expect_invalid(client.create_queue({.queue_name = std::string(81, 'q')}), "InvalidQueueName",
                 "81");
  expect_invalid(client.create_queue({.queue_name = ""}), "InvalidQueueName");
  expect_invalid(client.get_queue_url({.queue_name = "x/y"}), "InvalidQueueName", "x/y");
  expect_invalid(client.list_queues({.max_results = 0}), "InvalidParameterValue", "MaxResults");
  expect_invalid(client.list_queues({.max_results = 1001}), "InvalidParameterValue", "1001");
  expect_invalid(client.delete_queue({}), "MissingQueueUrl");
  expect_invalid(client.purge_queue({}), "MissingQueueUrl");
  expect_invalid(client.send_message({.message_body = "x"}), "MissingQueueUrl");
  expect_invalid(client.set_queue_attributes({.queue_url = queue.url()}), "MissingParameter");
  expect_invalid(client.tag_queue({.queue_url = queue.url()}), "MissingParameter");
  expect_invalid(client.untag_queue({.queue_url = queue.url()}), "MissingParameter");
  expect_invalid(client.start_message_move_task({}), "MissingParameter", "SourceArn");
  expect_invalid(client.start_message_move_task(
                     {.source_arn = "arn", .max_number_of_messages_per_second = 501}),
                 "InvalidParameterValue", "501");
  expect_invalid(client.cancel_message_move_task({}), "MissingParameter", "TaskHandle");
  expect_invalid(client.list_message_move_tasks({.source_arn = "arn", .max_results = 11}),
                 "InvalidParameterValue", "11");
  expect_invalid(client.add_permission({.queue_url = queue.url(),
                                        .label = "bad label!",
                                        .aws_account_ids = {"1"},
                                        .actions = {"*"}}),
                 "InvalidParameterValue", "bad label!");
  expect_invalid(client.add_permission({.queue_url = queue.url(), .label = "ok", .actions = {"*"}}),
                 "MissingParameter", "AWSAccountIds");
  expect_invalid(client.remove_permission({.queue_url = queue.url()}), "MissingParameter", "Label");
}

// The async forms reject the same way, through the completion token.
TEST_F(QueueLimits, AsyncFormsRejectBeforeSending) {
  auto f = queue.async_send(std::string(1048577, 'x'), {}, boost::asio::use_future);
  expect_invalid(f.get(), "MessageTooLong");
  auto b = queue.async_send_batch({}, boost::asio::use_future);
  expect_invalid(b.get(), "EmptyBatchRequest");
  auto r = queue.async_receive({.max_messages = 11}, boost::asio::use_future);
  expect_invalid(r.get(), "InvalidParameterValue");
  auto c = client.async_send_message(
      {.queue_url = queue.url(), .message_body = "x", .delay_seconds = -1},
      boost::asio::use_future);
  expect_invalid(c.get(), "DelaySecondsOutOfRange");
  // make_* builds the request without sending it.
  expect_invalid(queue.make_send("x", {.delay_seconds = 901}), "DelaySecondsOutOfRange");
  auto built = queue.make_send("fine", {.delay_seconds = 900});
  ASSERT_TRUE(built) << built.error().to_string();
  EXPECT_EQ(built->delay_seconds, 900);
}

}  // namespace
}  // namespace sqs::itest
