// Error answers: both code forms, the query-error header, bodies that are not JSON, and the
// retry classification.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace sqs::protocol {
namespace {

TEST(DecodeError, NamespacedTypeAndQueryHeader) {
  Error e = decode_error(
      400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
      "AWS.SimpleQueueService.NonExistentQueue;Sender", "req-1");
  EXPECT_EQ(e.kind, ErrorKind::service);
  EXPECT_EQ(e.code, "QueueDoesNotExist");
  EXPECT_EQ(e.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(e.message, "The specified queue does not exist.");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_TRUE(e.sender_fault);
  EXPECT_FALSE(e.retryable);
  EXPECT_FALSE(e.throttling);
}

TEST(DecodeError, PlainTypeAndCapitalisedMessage) {
  Error e =
      decode_error(400, R"({"__type":"InvalidParameterValue","Message":"bad value"})", "", "");
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.query_code, "");
  EXPECT_EQ(e.message, "bad value");
  EXPECT_TRUE(e.sender_fault) << "4xx without header is the sender's fault";
}

TEST(DecodeError, TypeWithUriSuffix) {
  Error e = decode_error(
      400,
      R"({"__type":"aws.protocoltests#FooError:http://internal.amazon.com/coral/x/","message":"m"})",
      "", "");
  EXPECT_EQ(e.code, "FooError");
}

TEST(DecodeError, CodeMemberInsteadOfType) {
  EXPECT_EQ(decode_error(400, R"({"code":"AccessDenied","message":"no"})", "", "").code,
            "AccessDenied");
}

TEST(DecodeError, ReceiverFaultFromHeader) {
  Error e = decode_error(500, R"({"__type":"com.amazonaws.sqs#InternalError","message":"oops"})",
                         "AWS.SimpleQueueService.InternalError;Receiver", "r");
  EXPECT_FALSE(e.sender_fault);
  EXPECT_TRUE(e.retryable);
  EXPECT_FALSE(e.throttling);
}

TEST(DecodeError, HeaderOverridesStatusForFault) {
  Error e = decode_error(400, R"({"__type":"X"})", "X;Receiver", "");
  EXPECT_FALSE(e.sender_fault);
  e = decode_error(500, R"({"__type":"X"})", "X;Sender", "");
  EXPECT_TRUE(e.sender_fault);
}

TEST(DecodeError, CodeFromHeaderWhenBodyHasNone) {
  Error e = decode_error(400, "{}", "AWS.SimpleQueueService.NonExistentQueue;Sender", "");
  EXPECT_EQ(e.code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(e.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_FALSE(e.message.empty());
}

TEST(DecodeError, HeaderWithoutFault) {
  Error e = decode_error(403, R"({"__type":"com.amazonaws.sqs#OverLimit"})", "OverLimit", "");
  EXPECT_EQ(e.query_code, "OverLimit");
  EXPECT_TRUE(e.sender_fault);
}

TEST(DecodeError, BodyThatIsNotJson) {
  Error e = decode_error(502, "<html><body>Bad Gateway</body>\n</html>", "", "");
  EXPECT_EQ(e.kind, ErrorKind::service);
  EXPECT_EQ(e.http_status, 502);
  EXPECT_EQ(e.code, "InternalFailure");
  EXPECT_NE(e.message.find("Bad Gateway"), std::string::npos);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_FALSE(e.sender_fault);
  EXPECT_TRUE(e.retryable);

  e = decode_error(503, "", "", "");
  EXPECT_EQ(e.code, "ServiceUnavailable");
  EXPECT_NE(e.message.find("503"), std::string::npos);
  EXPECT_TRUE(e.retryable);

  e = decode_error(413, "Request Entity Too Large", "", "");
  EXPECT_EQ(e.code, "HttpError");
  EXPECT_TRUE(e.sender_fault);
  EXPECT_FALSE(e.retryable);

  e = decode_error(400, std::string(10000, 'x'), "", "");
  EXPECT_LT(e.message.size(), 300u);
}

TEST(DecodeError, Http429IsThrottling) {
  Error e = decode_error(429, "Too Many Requests", "", "");
  EXPECT_EQ(e.code, "TooManyRequestsException");
  EXPECT_TRUE(e.throttling);
  EXPECT_TRUE(e.retryable);
}

TEST(DecodeError, ThrottlingCodes) {
  for (const char* code :
       {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException"}) {
    Error e =
        decode_error(400, std::string(R"({"__type":"com.amazonaws.sqs#)") + code + "\"}", "", "");
    EXPECT_EQ(e.code, code);
    EXPECT_TRUE(e.throttling) << code;
    EXPECT_TRUE(e.retryable) << code;
  }
  // SQS's RequestThrottled comes as a 403 with the query code too.
  Error e = decode_error(403, R"({"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow"})",
                         "RequestThrottled;Sender", "");
  EXPECT_TRUE(e.throttling);
  // A throttling code known only from the header still counts.
  e = decode_error(400, "{}", "ThrottlingException;Sender", "");
  EXPECT_TRUE(e.throttling);
  // The customer's KMS quota is not ours to retry.
  e = decode_error(400, R"({"__type":"com.amazonaws.sqs#KmsThrottled"})",
                   "KMS.ThrottlingException;Sender", "");
  EXPECT_FALSE(e.throttling);
  EXPECT_FALSE(e.retryable);
}

TEST(DecodeError, TransientCodes) {
  for (const char* code : {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
                           "InternalError", "InternalFailure", "ServiceUnavailable"}) {
    Error e = decode_error(400, std::string(R"({"__type":")") + code + "\"}", "", "");
    EXPECT_TRUE(e.retryable) << code;
    EXPECT_FALSE(e.throttling) << code;
  }
  for (int status : {500, 502, 503, 504}) {
    Error e = decode_error(status, R"({"__type":"Whatever"})", "", "");
    EXPECT_TRUE(e.retryable) << status;
  }
  for (int status : {501, 505, 400, 403, 404}) {
    Error e = decode_error(status, R"({"__type":"Whatever"})", "", "");
    EXPECT_FALSE(e.retryable) << status;
  }
}

TEST(Classify, ValidationErrorsAreNeverRetried) {
  Error e = decode_error(400, R"({"__type":"com.amazonaws.sqs#InvalidParameterValue"})", "", "");
  EXPECT_FALSE(e.retryable);
  Error v = Error::validation("MessageTooLong", "too long");
  v.retryable = true;
  classify(v);
  EXPECT_FALSE(v.retryable);
}

TEST(Classify, ByKind) {
  Error t = Error::make(ErrorKind::transport, "ConnectionRefused", "");
  classify(t);
  EXPECT_TRUE(t.retryable);
  EXPECT_FALSE(t.throttling);
  Error to = Error::make(ErrorKind::timeout, "Timeout", "");
  classify(to);
  EXPECT_TRUE(to.retryable);
  for (ErrorKind k : {ErrorKind::checksum, ErrorKind::protocol, ErrorKind::cancelled,
                      ErrorKind::circuit_open, ErrorKind::configuration}) {
    Error e = Error::make(k, "Throttling", "");  // the code does not matter for these kinds
    e.retryable = true;
    e.throttling = true;
    classify(e);
    EXPECT_FALSE(e.retryable);
    EXPECT_FALSE(e.throttling);
  }
}

TEST(DecodeError, ToStringCarriesEverything) {
  Error e =
      decode_error(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})",
                   "AWS.SimpleQueueService.NonExistentQueue;Sender", "abc");
  EXPECT_EQ(e.to_string(), "QueueDoesNotExist: gone (HTTP 400, request id abc)");
}

}  // namespace
}  // namespace sqs::protocol
