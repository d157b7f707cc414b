// sqs::Executor: every operation passes its queue's breaker. While open, nothing reaches the
// server; otherwise each outcome is recorded as the breaker's classification says (transport,
// timeout, 5xx, QueueDoesNotExist: failures; validation and sender faults: ignored). Sync,
// callback, use_future, deferred and the generic run / async_run forms. Against a scripted SQS.
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "multiqueue/mq_support.hpp"

namespace sqs::mqtest {
namespace {

namespace asio = boost::asio;

class ExecutorTest : public ::testing::Test {
 protected:
  explicit ExecutorTest(std::chrono::milliseconds request_timeout = 5s)
      : queues(1, request_timeout) {}

  DispatcherOptions options() {
    DispatcherOptions o;
    o.breaker = manual_breaker(clock, /*failures=*/100);  // these tests never trip it
    o.seed = 1;
    return o;
  }

  ScriptedQueues queues;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  Dispatcher dispatcher{queues.dispatcher_queues(), options()};
  const Executor& ex = dispatcher.executor(0);
  ScriptedQueue& server = queues[0];

  CircuitBreakerMetrics metrics() const { return ex.breaker().metrics(); }
};

std::vector<OutgoingMessage> two_messages() {
  return {{"one", {}}, {"two", {}}};
}

template <class R>
void expect_refused(const Result<R>& r, const char* what) {
  ASSERT_FALSE(r) << what;
  EXPECT_EQ(r.error().kind, ErrorKind::circuit_open) << what;
  EXPECT_EQ(r.error().code, kCircuitOpenCode) << what;
}

// ---- circuit open: fail fast, no request ----

TEST_F(ExecutorTest, OpenCircuitRefusesEverySyncOperationWithoutARequest) {
  ex.breaker().force_open();
  expect_refused(ex.send("x"), "send");
  expect_refused(ex.send_batch(two_messages()), "send_batch");
  expect_refused(ex.receive({.max_messages = 10}), "receive");
  expect_refused(ex.delete_message("rh"), "delete_message");
  expect_refused(ex.delete_batch({"rh1", "rh2"}), "delete_batch");
  expect_refused(ex.change_visibility("rh", 30), "change_visibility");
  expect_refused(ex.change_visibility_batch({{"rh", 30}}), "change_visibility_batch");
  expect_refused(ex.purge(), "purge");
  expect_refused(ex.attributes(), "attributes");
  bool called = false;
  expect_refused(ex.run([&](const Queue&) {
    called = true;
    return Result<int>(1);
  }),
                 "run");
  EXPECT_FALSE(called);
  EXPECT_EQ(server.requests(), 0u);
  EXPECT_EQ(metrics().rejected, 10u);
}

TEST_F(ExecutorTest, OpenCircuitRefusesEveryAsyncOperationWithoutARequest) {
  ex.breaker().force_open();
  Latch latch;
  std::mutex m;
  std::vector<Error> errors;
  auto on_error = [&](auto r) {
    std::lock_guard lock(m);
    EXPECT_FALSE(r);
    if (!r) errors.push_back(r.error());
    latch.count_down();
  };
  ex.async_send("x", {}, on_error);
  ex.async_send_batch(two_messages(), on_error);
  ex.async_receive({}, on_error);
  ex.async_delete_message("rh", on_error);
  ex.async_delete_batch({"rh"}, on_error);
  ex.async_change_visibility("rh", 10, on_error);
  bool started = false;
  ex.async_run<int>(
      [&](const Queue&, auto done) {
        started = true;
        done(Result<int>(1));
      },
      on_error);
  ASSERT_TRUE(latch.wait(7));
  auto future = ex.async_send("y", {}, asio::use_future);
  expect_refused(future.get(), "use_future");

  EXPECT_FALSE(started);
  for (const auto& e : errors) EXPECT_EQ(e.kind, ErrorKind::circuit_open);
  EXPECT_EQ(server.requests(), 0u);
  EXPECT_EQ(metrics().rejected, 8u);
}

// ---- outcomes ----

TEST_F(ExecutorTest, EveryOperationSucceedsAndCounts) {
  ASSERT_TRUE(ex.send("x"));
  auto batch = ex.send_batch(two_messages());
  ASSERT_TRUE(batch) << batch.error().to_string();
  EXPECT_TRUE(batch->all_succeeded());
  EXPECT_TRUE(ex.receive({.max_messages = 10}));
  EXPECT_TRUE(ex.delete_message("rh"));
  auto deleted = ex.delete_batch({"rh1", "rh2"});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->successful, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(ex.change_visibility("rh", 30));
  EXPECT_TRUE(ex.change_visibility_batch({{"rh", 30}}));
  EXPECT_TRUE(ex.purge());
  auto attributes = ex.attributes();
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->at("VisibilityTimeout"), "30");
  EXPECT_EQ(server.requests(), 9u);
  EXPECT_EQ(metrics().successes, 9u);
  EXPECT_EQ(metrics().failures, 0u);

  std::vector<std::string> actions;
  for (const auto& r : server.server.received()) actions.push_back(action_of(r));
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
                         "DeleteMessageBatch", "ChangeMessageVisibility",
                         "ChangeMessageVisibilityBatch", "PurgeQueue", "GetQueueAttributes"}));
}

TEST_F(ExecutorTest, ValidationErrorIsIgnoredAndSendsNothing) {
  auto r = ex.send("x", {.delay_seconds = 901});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  std::vector<OutgoingMessage> eleven(11, OutgoingMessage{"m", {}});
  auto batch = ex.send_batch(eleven);
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().kind, ErrorKind::validation);
  EXPECT_EQ(server.requests(), 0u);
  EXPECT_EQ(metrics().ignored, 2u);
  EXPECT_EQ(metrics().failures, 0u);
  EXPECT_EQ(metrics().successes, 0u);
}

struct OutcomeCase {
  const char* name;
  std::function<Reply()> reply;
  ErrorKind kind;
  CallOutcome outcome;
};

class ExecutorOutcome : public ExecutorTest, public ::testing::WithParamInterface<OutcomeCase> {};

TEST_P(ExecutorOutcome, IsRecordedAsTheBreakerClassifiesIt) {
  const auto& c = GetParam();
  server.server.set_script([reply = c.reply](const ReceivedRequest&) { return reply(); });
  auto r = ex.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, c.kind) << r.error().to_string();
  EXPECT_EQ(server.requests(), 1u);
  const auto m = metrics();
  EXPECT_EQ(m.failures, c.outcome == CallOutcome::failure ? 1u : 0u);
  EXPECT_EQ(m.ignored, c.outcome == CallOutcome::ignore ? 1u : 0u);
  EXPECT_EQ(m.successes, 0u);
  EXPECT_EQ(m.counters.consecutive_failures, c.outcome == CallOutcome::failure ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ExecutorOutcome,
    ::testing::Values(
        OutcomeCase{"ConnectionClosed", [] { return Reply::close_connection(); },
                    ErrorKind::transport, CallOutcome::failure},
        OutcomeCase{"InternalError", [] { return sqs_error(500, "InternalError"); },
                    ErrorKind::service, CallOutcome::failure},
        OutcomeCase{"QueueDoesNotExist",
                    [] {
                      return sqs_error(400, "QueueDoesNotExist",
                                       "AWS.SimpleQueueService.NonExistentQueue");
                    },
                    ErrorKind::service, CallOutcome::failure},
        OutcomeCase{"AccessDenied", [] { return sqs_error(403, "AccessDenied"); },
                    ErrorKind::service, CallOutcome::failure},
        OutcomeCase{"Throttling", [] { return sqs_error(400, "ThrottlingException"); },
                    ErrorKind::service, CallOutcome::failure},
        OutcomeCase{"SenderFault", [] { return sqs_error(400, "InvalidParameterValue"); },
                    ErrorKind::service, CallOutcome::ignore},
        OutcomeCase{"MalformedAnswer", [] { return Reply::json(200, "{not json"); },
                    ErrorKind::protocol, CallOutcome::failure},
        OutcomeCase{"ChecksumMismatch",
                    [] {
                      return sqs_json(boost::json::object{
                          {"MessageId", "m"}, {"MD5OfMessageBody", protocol::md5_hex("other")}});
                    },
                    ErrorKind::checksum, CallOutcome::failure}),
    [](const auto& info) { return std::string(info.param.name); });

class ExecutorTimeout : public ExecutorTest {
 protected:
  ExecutorTimeout() : ExecutorTest(200ms) {}
};

TEST_F(ExecutorTimeout, ATimeoutIsAFailure) {
  server.server.set_script([](const ReceivedRequest&) { return Reply::hang(); });
  auto r = ex.send("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().to_string();
  EXPECT_EQ(metrics().failures, 1u);
}

TEST_F(ExecutorTest, FailuresOpenTheBreakerThenCallsAreRefused) {
  // A breaker of its own that trips after 3 consecutive failures.
  DispatcherOptions o = options();
  o.breaker.should_trip = trip_on_consecutive_failures(3);
  Dispatcher d(queues.dispatcher_queues(), std::move(o));
  server.server.set_script(
      [](const ReceivedRequest&) { return sqs_error(503, "ServiceUnavailable"); });
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(d.executor(0).send("x"));
  EXPECT_EQ(d.executor(0).state(), kOpen);
  expect_refused(d.executor(0).send("x"), "after tripping");
  EXPECT_EQ(server.requests(), 3u);
}

// ---- async forms ----

TEST_F(ExecutorTest, AsyncCallbackAndFutureRecordOutcomes) {
  Latch latch;
  std::optional<Result<SendMessageResult>> by_callback;
  ex.async_send("cb", {}, [&](Result<SendMessageResult> r) {
    by_callback.emplace(std::move(r));
    latch.count_down();
  });
  ASSERT_TRUE(latch.wait(1));
  ASSERT_TRUE(*by_callback) << by_callback->error().to_string();
  EXPECT_EQ(by_callback->value().md5_of_message_body, protocol::md5_hex("cb"));

  auto received = ex.async_receive({.max_messages = 5}, asio::use_future).get();
  ASSERT_TRUE(received);
  EXPECT_TRUE(received->empty());
  EXPECT_TRUE(ex.async_delete_message("rh", asio::use_future).get());
  EXPECT_TRUE(ex.async_delete_batch({"a", "b"}, asio::use_future).get());
  EXPECT_TRUE(ex.async_change_visibility("rh", 5, asio::use_future).get());
  EXPECT_TRUE(ex.async_send_batch(two_messages(), asio::use_future).get());
  EXPECT_EQ(metrics().successes, 6u);

  server.server.set_script([](const ReceivedRequest&) { return sqs_error(500, "InternalError"); });
  auto failed = ex.async_send("f", {}, asio::use_future).get();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().http_status, 500);
  EXPECT_EQ(metrics().failures, 1u);
  EXPECT_EQ(server.requests(), 7u);
}

TEST_F(ExecutorTest, GenericRunAndAsyncRun) {
  // Sync run: f(queue) under the breaker.
  auto seven = ex.run([&](const Queue& q) {
    EXPECT_EQ(q.url(), server.queue.url());
    return Result<int>(7);
  });
  ASSERT_TRUE(seven);
  EXPECT_EQ(*seven, 7);
  auto failed = ex.run(
      [](const Queue&) { return Result<int>(Error::make(ErrorKind::transport, "Reset", "x")); });
  EXPECT_FALSE(failed);

  // Async run: any asynchronous work, completed through `done` (here from another thread).
  std::thread worker;
  auto future = ex.async_run<std::string>(
      [&worker](const Queue& q, auto done) {
        worker = std::thread(
            [url = q.url(), done = std::move(done)]() mutable { done(Result<std::string>(url)); });
      },
      asio::use_future);
  auto url = future.get();
  worker.join();
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, server.queue.url());

  auto ignored = ex.async_run<int>(
                       [](const Queue&, auto done) {
                         done(Result<int>(Error::validation("Bad", "the caller's fault")));
                       },
                       asio::use_future)
                     .get();
  EXPECT_FALSE(ignored);

  const auto m = metrics();
  EXPECT_EQ(m.successes, 2u);
  EXPECT_EQ(m.failures, 1u);
  EXPECT_EQ(m.ignored, 1u);
  EXPECT_EQ(server.requests(), 0u);
}

TEST_F(ExecutorTest, AbandonedAsyncRunCountsAsIgnored) {
  // A start function that drops `done` without calling it: the permit is settled as "ignore",
  // and the token is never completed (nothing to wait for).
  ex.async_run<int>([](const Queue&, auto) {}, [](Result<int>) { ADD_FAILURE() << "completed"; });
  EXPECT_EQ(metrics().ignored, 1u);
}

TEST_F(ExecutorTest, DeferredOperationOutlivesTheExecutorItCameFrom) {
  auto op = [&] {
    Executor copy = ex;  // a temporary executor: gone before the operation starts
    return copy.async_send("deferred", {}, asio::deferred);
  }();
  auto future = std::move(op)(asio::use_future);
  auto r = future.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(server.requests(), 1u);
  EXPECT_EQ(metrics().successes, 1u);
}

}  // namespace
}  // namespace sqs::mqtest
