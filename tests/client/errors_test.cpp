// How sqs::Client fails: service errors with every field set, transport failures (closed port,
// connection closed mid-answer, server killed), timeouts (a frozen server), the retry policy
// (what is retried, how often), and MD5 mismatches in answers.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "integration/itest_support.hpp"
#include "protocol/checksum.hpp"

namespace sqs::itest {
namespace {

namespace json = boost::json;
using test::Reply;

// A loopback port nobody listens on (bound, then released).
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Retries that wait microseconds, so a test of three attempts stays fast.
ClientConfig fast_retries(ClientConfig c) {
  c.retry.base_delay = 1ms;
  c.retry.throttling_base_delay = 1ms;
  c.retry.max_backoff = 5ms;
  return c;
}

const std::string kUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/q";

TEST(ClientErrors, NonexistentQueueIsATypedServiceError) {
  Client client(fauxqs_config());
  auto r = client.get_queue_url({.queue_name = unique_name("missing")});
  ASSERT_FALSE(r);
  const Error& e = r.error();
  EXPECT_EQ(e.kind, ErrorKind::service);
  EXPECT_EQ(e.code, "QueueDoesNotExist");
  EXPECT_EQ(e.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_FALSE(e.request_id.empty());
  EXPECT_TRUE(e.sender_fault);
  EXPECT_FALSE(e.retryable);
  EXPECT_FALSE(e.throttling);
  EXPECT_FALSE(e.message.empty());
  EXPECT_NE(e.to_string().find("QueueDoesNotExist"), std::string::npos) << e.to_string();

  auto send = client.send_message(
      {.queue_url = fauxqs().endpoint() + "/000000000000/" + unique_name("missing"),
       .message_body = "x"});
  ASSERT_FALSE(send);
  EXPECT_EQ(send.error().code, "QueueDoesNotExist");
  EXPECT_EQ(send.error().http_status, 400);
}

TEST(ClientErrors, ClosedPortIsATransportError) {
  auto c = fast_retries(config_for("http://127.0.0.1:" + std::to_string(closed_port())));
  Client client(c);
  auto r = client.list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::transport) << r.error().to_string();
  EXPECT_EQ(r.error().http_status, 0);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_FALSE(r.error().maybe_processed) << "no connection, so no request";
}

// A frozen server accepts connections (the kernel does) and never answers: the attempt ends at
// its deadline with a timeout; once thawed, the same client works again.
TEST(ClientErrors, FrozenServerEndsInTimeoutAndTheClientRecovers) {
  test::FauxqsServer server;
  auto c = config_for(server.endpoint());
  c.request_timeout = 500ms;
  c.retry.max_attempts = 1;
  Client client(c);
  auto url = create_queue(client, unique_name());
  server.freeze();
  auto r = client.get_queue_attributes({.queue_url = url});
  server.thaw();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().to_string();
  EXPECT_TRUE(r.error().retryable);
  EXPECT_TRUE(r.error().maybe_processed) << "the server may act on it when it thaws";
  auto after = client.get_queue_attributes({.queue_url = url});
  EXPECT_TRUE(after) << after.error().to_string();
}

TEST(ClientErrors, ConnectionClosedMidAnswerIsATransportError) {
  Reply full =
      sqs_json(R"({"QueueUrls":["https://sqs.us-east-1.amazonaws.com/1/aaaaaaaaaaaaaaaa"]})");
  auto server = answering(Reply::partial(full, full.serialize().size() / 2));
  auto c = fast_retries(config_for(server->endpoint()));
  c.retry.max_attempts = 1;
  Client client(c);
  auto r = client.list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::transport) << r.error().to_string();
  EXPECT_TRUE(r.error().maybe_processed);
  EXPECT_EQ(server->requests_received(), 1u);
}

TEST(ClientErrors, ConnectionClosedWithoutAnswerIsRetriedThenFails) {
  auto server = answering(Reply::close_connection());
  Client client(fast_retries(config_for(server->endpoint())));
  auto r = client.list_queues({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::transport) << r.error().to_string();
  // Three attempts (a fresh connection each: the pool's own replay applies only to reused ones).
  EXPECT_GE(server->requests_received(), 3u);
}

TEST(ClientErrors, ServerErrorsAreRetriedUntilSuccess) {
  std::atomic<int> n{0};
  test::ScriptedHttpServer server([&n](const test::ReceivedRequest&) {
    if (n++ < 2)
      return sqs_error(500, "InternalError", "AWS.SimpleQueueService.InternalError;Receiver");
    return sqs_json(R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/1/q"})");
  });
  Client client(fast_retries(config_for(server.endpoint())));
  auto r = client.get_queue_url({.queue_name = "q"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_url, "https://sqs.us-east-1.amazonaws.com/1/q");
  EXPECT_EQ(server.requests_received(), 3u);
  // The same request each time (signed anew, same body).
  auto sent = server.received();
  EXPECT_EQ(sent[0].body, sent[2].body);
}

TEST(ClientErrors, ServerErrorsExhaustTheAttempts) {
  auto server = answering(sqs_error(503, "ServiceUnavailable", ""));
  Client client(fast_retries(config_for(server->endpoint())));
  auto r = client.get_queue_url({.queue_name = "q"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::service);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_FALSE(r.error().sender_fault);
  EXPECT_TRUE(r.error().maybe_processed) << "a 5xx answer may follow the work";
  EXPECT_EQ(server->requests_received(), 3u);
}

TEST(ClientErrors, ThrottlingIsRetried) {
  std::atomic<int> n{0};
  test::ScriptedHttpServer server([&n](const test::ReceivedRequest&) {
    if (n++ == 0) {
      return sqs_error(400, "ThrottlingException", "AWS.SimpleQueueService.RequestThrottled;Sender",
                       "Rate exceeded");
    }
    return sqs_json("{}");
  });
  Client client(fast_retries(config_for(server.endpoint())));
  auto r = client.purge_queue({.queue_url = kUrl});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(server.requests_received(), 2u);
}

TEST(ClientErrors, ThrottlingErrorIsFlagged) {
  auto server = answering(
      sqs_error(400, "ThrottlingException", "AWS.SimpleQueueService.RequestThrottled;Sender"));
  auto c = fast_retries(config_for(server->endpoint()));
  c.retry.max_attempts = 1;
  Client client(c);
  auto r = client.purge_queue({.queue_url = kUrl});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().throttling);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().query_code, "AWS.SimpleQueueService.RequestThrottled");
  EXPECT_EQ(r.error().request_id, "req-error");
  EXPECT_EQ(server->requests_received(), 1u);
}

TEST(ClientErrors, ValidationErrorsOfTheServiceAreNotRetried) {
  auto server = answering(sqs_error(400, "InvalidParameterValue",
                                    "AWS.SimpleQueueService.InvalidParameterValue;Sender"));
  Client client(fast_retries(config_for(server->endpoint())));
  auto r = client.purge_queue({.queue_url = kUrl});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::service);
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_TRUE(r.error().sender_fault);
  EXPECT_EQ(server->requests_received(), 1u);
}

TEST(ClientErrors, MaxAttemptsOneDisablesRetries) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  auto c = fast_retries(config_for(server->endpoint()));
  c.retry.max_attempts = 1;
  Client client(c);
  auto r = client.purge_queue({.queue_url = kUrl});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(server->requests_received(), 1u);
}

TEST(ClientErrors, MaxAttemptsFiveMakesFiveAttempts) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  auto c = fast_retries(config_for(server->endpoint()));
  c.retry.max_attempts = 5;
  Client client(c);
  auto r = client.purge_queue({.queue_url = kUrl});
  ASSERT_FALSE(r);
  EXPECT_EQ(server->requests_received(), 5u);
}

// The retry quota: once the bucket is empty, failures are no longer retried.
TEST(ClientErrors, RetryQuotaStopsRetries) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  auto c = fast_retries(config_for(server->endpoint()));
  c.retry.quota = 10;  // two retries of cost 5
  Client client(c);
  ASSERT_FALSE(client.purge_queue({.queue_url = kUrl}));
  EXPECT_EQ(server->requests_received(), 3u);
  ASSERT_FALSE(client.purge_queue({.queue_url = kUrl}));
  EXPECT_EQ(server->requests_received(), 4u);  // the bucket is empty: no retry
}

// Garbage in a 200 answer is a protocol error, not a crash nor a success.
TEST(ClientErrors, MalformedAnswerIsAProtocolError) {
  auto server = answering(sqs_json("{not json"));
  Client client(config_for(server->endpoint()));
  auto r = client.get_queue_url({.queue_name = "q"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::protocol) << r.error().to_string();
  EXPECT_TRUE(r.error().maybe_processed) << "a 2xx answer: SQS did it";
}

// maybe_processed tells a caller whether a failed call may have been carried out anyway: a
// refusal (4xx, throttling included) on every attempt says no; one unanswered or 5xx attempt
// among them says maybe, even when the last attempt was refused.
TEST(ClientErrors, MaybeProcessedOnlyWhenAnAttemptsOutcomeIsUnknown) {
  {
    auto server = answering(sqs_error(400, "ThrottlingException", "", "slow down"));
    Client client(fast_retries(config_for(server->endpoint())));
    auto r = client.send_message({.queue_url = kUrl, .message_body = "x"});
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().throttling) << r.error().to_string();
    EXPECT_FALSE(r.error().maybe_processed) << "every attempt was refused";
  }
  {
    auto server = answering(sqs_error(400, "InvalidParameterValue", "", "no"));
    Client client(fast_retries(config_for(server->endpoint())));
    auto r = client.send_message({.queue_url = kUrl, .message_body = "x"});
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().maybe_processed);
  }
  {
    // A 500 first, then throttled to the end: the first attempt may have sent the message.
    std::atomic<int> n{0};
    test::ScriptedHttpServer server([&n](const test::ReceivedRequest&) {
      return n++ == 0 ? sqs_error(500, "InternalError", "")
                      : sqs_error(400, "ThrottlingException", "", "slow down");
    });
    Client client(fast_retries(config_for(server.endpoint())));
    auto r = client.send_message({.queue_url = kUrl, .message_body = "x"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_TRUE(r.error().maybe_processed) << "an earlier attempt's outcome is unknown";
  }
  {
    Client client(config_for("http://127.0.0.1:1"));
    auto r = client.send_message({.queue_url = "not a url", .message_body = "x"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::validation);
    EXPECT_FALSE(r.error().maybe_processed) << "nothing was sent";
  }
}

// ---- MD5 checks -----------------------------------------------------------------------------

const std::string kWrongMd5 = "00000000000000000000000000000000";

std::string send_answer(const std::string& md5_body, const std::string& md5_attrs = {}) {
  std::string s = R"({"MessageId":"id-1","MD5OfMessageBody":")" + md5_body + "\"";
  if (!md5_attrs.empty()) s += R"(,"MD5OfMessageAttributes":")" + md5_attrs + "\"";
  return s + "}";
}

ClientConfig unverified(ClientConfig c) {
  c.verify_checksums = false;
  return c;
}

TEST(ClientChecksums, SendMessageWithWrongBodyMd5IsAChecksumError) {
  auto server = answering(sqs_json(send_answer(kWrongMd5)));
  Client client(config_for(server->endpoint()));
  auto r = client.send_message({.queue_url = kUrl, .message_body = "hello"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::checksum) << r.error().to_string();
  EXPECT_EQ(r.error().code, "MD5Mismatch");
  EXPECT_NE(r.error().message.find("MD5OfMessageBody"), std::string::npos);
  EXPECT_TRUE(r.error().maybe_processed) << "SQS answered 200: the message is in the queue";
  EXPECT_EQ(server->requests_received(), 1u);  // not retried

  Client lax(unverified(config_for(server->endpoint())));
  auto ok = lax.send_message({.queue_url = kUrl, .message_body = "hello"});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->md5_of_message_body, kWrongMd5);
}

TEST(ClientChecksums, SendMessageWithWrongAttributesMd5IsAChecksumError) {
  auto server = answering(sqs_json(send_answer(protocol::md5_hex("hello"), kWrongMd5)));
  Client client(config_for(server->endpoint()));
  auto r = client.send_message({.queue_url = kUrl,
                                .message_body = "hello",
                                .message_attributes = {{"a", MessageAttributeValue::string("b")}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::checksum);
  EXPECT_NE(r.error().message.find("MD5OfMessageAttributes"), std::string::npos);
}

TEST(ClientChecksums, SendMessageWithCorrectMd5sIsAccepted) {
  MessageAttributes attrs{{"a", MessageAttributeValue::string("b")}};
  auto server = answering(sqs_json(
      send_answer(protocol::md5_hex("hello"), protocol::md5_of_message_attributes(attrs))));
  Client client(config_for(server->endpoint()));
  auto r = client.send_message(
      {.queue_url = kUrl, .message_body = "hello", .message_attributes = attrs});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->message_id, "id-1");
}

std::string receive_answer(const std::string& body, const std::string& md5) {
  return R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"rh1","MD5OfBody":")" + md5 +
         R"(","Body":")" + body + R"("}]})";
}

TEST(ClientChecksums, ReceiveMessageWithWrongBodyMd5IsAChecksumError) {
  auto server = answering(sqs_json(receive_answer("hello", kWrongMd5)));
  Client client(config_for(server->endpoint()));
  auto r = client.receive_message({.queue_url = kUrl});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::checksum) << r.error().to_string();
  EXPECT_NE(r.error().message.find("m1"), std::string::npos) << r.error().message;

  Client lax(unverified(config_for(server->endpoint())));
  auto ok = lax.receive_message({.queue_url = kUrl});
  ASSERT_TRUE(ok) << ok.error().to_string();
  ASSERT_EQ(ok->messages.size(), 1u);
  EXPECT_EQ(ok->messages[0].body, "hello");
}

TEST(ClientChecksums, ReceiveMessageWithWrongAttributesMd5IsAChecksumError) {
  auto server = answering(sqs_json(
      R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"rh1","MD5OfBody":")" +
      protocol::md5_hex("hello") + R"(","Body":"hello","MD5OfMessageAttributes":")" + kWrongMd5 +
      R"(","MessageAttributes":{"a":{"DataType":"String","StringValue":"b"}}}]})"));
  Client client(config_for(server->endpoint()));
  auto r = client.receive_message({.queue_url = kUrl, .message_attribute_names = {"All"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::checksum) << r.error().to_string();
}

TEST(ClientChecksums, BatchEntryWithWrongMd5IsReportedAsFailed) {
  auto good = protocol::md5_hex("zero");
  auto server = answering(sqs_json(
      R"({"Successful":[{"Id":"e0","MessageId":"id0","MD5OfMessageBody":")" + good +
      R"("},{"Id":"e1","MessageId":"id1","MD5OfMessageBody":")" + kWrongMd5 +
      R"("}],"Failed":[{"Id":"e2","Code":"InternalError","Message":"try again","SenderFault":false}]})"));
  SendMessageBatchRequest batch{.queue_url = kUrl,
                                .entries = {{.id = "e0", .message_body = "zero"},
                                            {.id = "e1", .message_body = "one"},
                                            {.id = "e2", .message_body = "two"}}};
  Client client(config_for(server->endpoint()));
  auto r = client.send_message_batch(batch);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->successful.size(), 1u);
  EXPECT_EQ(r->successful[0].id, "e0");
  EXPECT_EQ(r->successful[0].message_id, "id0");
  ASSERT_EQ(r->failed.size(), 2u);
  std::map<std::string, BatchResultErrorEntry> failed;
  for (const auto& f : r->failed) failed[f.id] = f;
  EXPECT_EQ(failed.at("e1").code, "MD5Mismatch");
  EXPECT_FALSE(failed.at("e1").sender_fault);
  EXPECT_EQ(failed.at("e2").code, "InternalError");
  EXPECT_EQ(failed.at("e2").message, "try again");

  Client lax(unverified(config_for(server->endpoint())));
  auto all = lax.send_message_batch(batch);
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(all->successful.size(), 2u);
  EXPECT_EQ(all->failed.size(), 1u);
}

TEST(ClientChecksums, FauxqsAnswersPassVerification) {
  Client client(fauxqs_config());
  auto url = create_queue(client, unique_name());
  MessageAttributes attrs{{"s", MessageAttributeValue::string("text")},
                          {"n", MessageAttributeValue::number(42)},
                          {"b", MessageAttributeValue::binary(std::string("\x00\x01\xff", 3))}};
  auto sent = client.send_message(
      {.queue_url = url, .message_body = "checked", .message_attributes = attrs});
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_EQ(sent->md5_of_message_attributes, protocol::md5_of_message_attributes(attrs));
  auto got = client.receive_message({.queue_url = url, .message_attribute_names = {"All"}});
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].message_attributes, attrs);
}

}  // namespace
}  // namespace sqs::itest
