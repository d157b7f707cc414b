// Which errors count against a queue, and run().
#include <gtest/gtest.h>

#include <string>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

Error service(std::string code, int status, bool sender_fault, std::string query_code = {}) {
  Error e = Error::make(ErrorKind::service, std::move(code), "msg");
  e.http_status = status;
  e.sender_fault = sender_fault;
  e.query_code = std::move(query_code);
  return e;
}

CallOutcome outcome(const Error& e, CircuitBreakerOptions o = {}) {
  return default_call_outcome(e, o);
}

TEST(Classification, EveryErrorKind) {
  constexpr auto F = CallOutcome::failure;
  constexpr auto I = CallOutcome::ignore;
  EXPECT_EQ(outcome(Error::make(ErrorKind::transport, "ConnectionRefused", "")), F);
  EXPECT_EQ(outcome(Error::make(ErrorKind::timeout, "RequestTimeout", "")), F);
  EXPECT_EQ(outcome(Error::make(ErrorKind::checksum, "MD5Mismatch", "")), F);
  EXPECT_EQ(outcome(Error::make(ErrorKind::protocol, "MalformedAnswer", "")), F);
  EXPECT_EQ(outcome(Error::make(ErrorKind::configuration, "NoCredentials", "")), F);
  EXPECT_EQ(outcome(Error::validation("MessageTooLong", "")), I);
  EXPECT_EQ(outcome(Error::make(ErrorKind::circuit_open, "CircuitOpen", "")), I);
  EXPECT_EQ(outcome(Error::make(ErrorKind::cancelled, "Cancelled", "")), I);
  EXPECT_EQ(outcome(Error::make(ErrorKind::cancelled, "DeadlineExceeded", "")), I);
  EXPECT_EQ(outcome(service("InternalError", 500, false)), F);
}

TEST(Classification, CancelAndDeadlineAreEachConfigurable) {
  const Error cancelled = Error::make(ErrorKind::cancelled, "Cancelled", "");
  const Error deadline = Error::make(ErrorKind::cancelled, "DeadlineExceeded", "");
  CircuitBreakerOptions o;
  o.fail_on_cancel = true;
  EXPECT_EQ(outcome(cancelled, o), CallOutcome::failure);
  EXPECT_EQ(outcome(deadline, o), CallOutcome::ignore);
  o = {};
  o.fail_on_deadline = true;
  EXPECT_EQ(outcome(cancelled, o), CallOutcome::ignore);
  EXPECT_EQ(outcome(deadline, o), CallOutcome::failure);
}

TEST(Classification, ServiceErrors) {
  constexpr auto F = CallOutcome::failure;
  constexpr auto I = CallOutcome::ignore;
  // Server side and throttling.
  EXPECT_EQ(outcome(service("ServiceUnavailable", 503, false)), F);
  EXPECT_EQ(outcome(service("Whatever", 502, true)), F);
  EXPECT_EQ(outcome(service("RequestThrottled", 400, true)), F);
  EXPECT_EQ(outcome(service("ThrottlingException", 400, true)), F);
  EXPECT_EQ(outcome(service("Anything", 429, true)), F);
  Error flagged = service("Unknown", 400, true);
  flagged.throttling = true;
  EXPECT_EQ(outcome(flagged), F);
  // The queue cannot be used: failures although SQS blames the sender.
  for (const char* code :
       {"QueueDoesNotExist", "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied",
        "AccessDeniedException", "UnrecognizedClientException", "ExpiredToken",
        "ExpiredTokenException", "IncompleteSignature", "KmsAccessDenied", "KmsDisabled"}) {
    EXPECT_EQ(outcome(service(code, 400, true)), F) << code;
    EXPECT_TRUE(makes_queue_unusable(service(code, 400, true))) << code;
  }
  EXPECT_EQ(outcome(service("", 400, true, "AWS.SimpleQueueService.NonExistentQueue")), F);
  EXPECT_EQ(outcome(service("com.amazonaws.sqs#QueueDoesNotExist", 400, true)), F);
  // The caller's own mistakes on one message or call.
  EXPECT_EQ(outcome(service("InvalidParameterValue", 400, true)), I);
  EXPECT_EQ(outcome(service("MessageNotInflight", 400, true)), I);
  EXPECT_EQ(outcome(service("ReceiptHandleIsInvalid", 404, false)), I);  // HTTP 4xx
  EXPECT_EQ(outcome(service("InvalidAttributeValue", 0, true)), I);
  // No status, not the sender's fault: the queue's side.
  EXPECT_EQ(outcome(service("Mystery", 0, false)), F);
  EXPECT_FALSE(makes_queue_unusable(service("InvalidParameterValue", 400, true)));
  EXPECT_TRUE(is_throttling_error(service("KmsThrottled", 400, true)));
}

using BreakerClassification = BreakerTest;

TEST_F(BreakerClassification, ValidationErrorsNeverTakeAQueueOut) {
  CircuitBreaker b(options());
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(b.done(b.ready(), Error::validation("MessageTooLong", "")), CallOutcome::ignore);
  }
  EXPECT_EQ(b.state(), kClosed);
}

TEST_F(BreakerClassification, CustomPredicateReplacesTheDefaultButNeverCountsCircuitOpen) {
  auto o = options();
  o.classify = [](const Error&) { return CallOutcome::failure; };
  CircuitBreaker b(o);
  EXPECT_EQ(b.classify(Error::validation("X", "")), CallOutcome::failure);
  EXPECT_EQ(b.classify(Error::make(ErrorKind::circuit_open, "CircuitOpen", "")),
            CallOutcome::ignore);
  EXPECT_EQ(b.done(b.ready(), Error::make(ErrorKind::circuit_open, "CircuitOpen", "")),
            CallOutcome::ignore);
  EXPECT_EQ(b.counters().failures, 0);
}

TEST_F(BreakerClassification, RunCallsAndRecords) {
  CircuitBreaker b(options());
  int calls = 0;
  Result<int> ok = b.run([&] {
    ++calls;
    return Result<int>(7);
  });
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 7);
  for (int i = 0; i < 10; ++i) {
    auto r = b.run([&]() -> Result<std::string> {
      ++calls;
      return Error::make(ErrorKind::transport, "ConnectionReset", "boom");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ConnectionReset");  // the call's own error comes back
  }
  EXPECT_EQ(b.state(), kOpen);
  EXPECT_EQ(calls, 11);
  auto refused = b.run([&] {
    ++calls;
    return Result<Empty>(Empty{});
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::circuit_open);
  EXPECT_EQ(calls, 11);  // not called
  EXPECT_EQ(b.metrics().successes, 1u);
  EXPECT_EQ(b.metrics().failures, 10u);
}

TEST_F(BreakerClassification, RunWithAThrowingCallableFreesTheProbeSlot) {
  auto o = options();
  o.half_open_max_probes = 1;
  CircuitBreaker b(o);
  trip(b);
  clock_->advance(500ms);
  EXPECT_THROW(b.run([]() -> Result<int> { throw std::runtime_error("x"); }), std::runtime_error);
  EXPECT_EQ(b.metrics().probes_in_flight, 0);
  EXPECT_EQ(b.state(), kHalfOpen);
  EXPECT_TRUE(b.run([] { return Result<int>(1); }));
}

TEST_F(BreakerClassification, DoneWithAResult) {
  CircuitBreaker b(options());
  EXPECT_EQ(b.done(b.ready(), Result<int>(1)), CallOutcome::success);
  EXPECT_EQ(b.done(b.ready(), Result<int>(Error::make(ErrorKind::timeout, "T", ""))),
            CallOutcome::failure);
  EXPECT_EQ(b.counters(), (CircuitBreakerCounters{1, 1, 0, 1}));
}

}  // namespace
}  // namespace sqs::test
