// ClientConfig::call_timeout, the deadline of a whole call (every attempt and back-off): a server
// that never answers ends sync and async calls at the deadline, whether one attempt or several
// fit in it; a long poll's deadline has its wait on top; retries stop at the deadline; the
// error says so; bad timeouts are refused at construction; unset, nothing changes.
// Elapsed times are checked with generous bounds only: not before the deadline (minus a little),
// not later than the deadline + 1.5 s.
#include <boost/asio/use_future.hpp>
#include <future>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

using test::Reply;
using Clock = std::chrono::steady_clock;

constexpr auto kEarly = 50ms;   // how much before the deadline a call may end (clock rounding)
constexpr auto kLate = 1500ms;  // how much after it

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// A server that accepts every connection and never answers.
std::unique_ptr<test::ScriptedHttpServer> hanging() {
  return answering(Reply::hang());
}

ClientConfig with_deadline(const std::string& endpoint, std::chrono::milliseconds call_timeout,
                           std::chrono::milliseconds request_timeout, int max_attempts = 5) {
  auto c = config_for(endpoint);
  c.call_timeout = call_timeout;
  c.request_timeout = request_timeout;
  c.retry.max_attempts = max_attempts;
  c.retry.base_delay = 1ms;  // back-offs of microseconds: the attempts fill the deadline
  c.retry.max_backoff = 5ms;
  return c;
}

void expect_deadline_error(const Error& e, std::chrono::milliseconds call_timeout) {
  EXPECT_EQ(e.kind, ErrorKind::timeout) << e.to_string();
  EXPECT_EQ(e.code, "RequestTimeout") << e.to_string();
  EXPECT_FALSE(e.retryable) << e.to_string();
  EXPECT_NE(e.message.find("call timeout of " + std::to_string(call_timeout.count()) + " ms"),
            std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("attempt"), std::string::npos) << e.message;
}

void expect_ends_at(std::chrono::milliseconds elapsed, std::chrono::milliseconds deadline) {
  EXPECT_GE(elapsed, deadline - kEarly);
  EXPECT_LE(elapsed, deadline + kLate);
}

enum class Form { sync, future, callback };

// ListQueues in the given form.
Result<ListQueuesResult> list_queues(const Client& client, Form form) {
  switch (form) {
    case Form::sync:
      return client.list_queues({});
    case Form::future:
      return client.async_list_queues({}, boost::asio::use_future).get();
    case Form::callback: {
      std::promise<Result<ListQueuesResult>> promise;
      client.async_list_queues(
          {}, [&promise](Result<ListQueuesResult> r) { promise.set_value(std::move(r)); });
      return promise.get_future().get();
    }
  }
  return Error{};
}

const char* name_of(Form form) {
  switch (form) {
    case Form::sync:
      return "sync";
    case Form::future:
      return "use_future";
    case Form::callback:
      return "callback";
  }
  return "";
}

// request_timeout larger than the call timeout: the one attempt is cut at the deadline.
TEST(CallTimeout, HangingServerEndsEveryFormAtTheDeadlineInOneAttempt) {
  auto server = hanging();
  constexpr auto call_timeout = 600ms;
  Client client(with_deadline(server->endpoint(), call_timeout, 5s));
  for (Form form : {Form::sync, Form::future, Form::callback}) {
    SCOPED_TRACE(name_of(form));
    auto before = server->requests_received();
    auto start = Clock::now();
    auto r = list_queues(client, form);
    auto elapsed = since(start);
    ASSERT_FALSE(r);
    expect_deadline_error(r.error(), call_timeout);
    EXPECT_NE(r.error().message.find("(1 attempt)"), std::string::npos) << r.error().message;
    expect_ends_at(elapsed, call_timeout);
    EXPECT_EQ(server->requests_received() - before, 1u);
  }
}

// request_timeout smaller: several attempts fit (at 0, 200 and 400 ms), the last is cut short.
TEST(CallTimeout, HangingServerEndsEveryFormAtTheDeadlineAfterSeveralAttempts) {
  auto server = hanging();
  constexpr auto call_timeout = 700ms;
  Client client(with_deadline(server->endpoint(), call_timeout, 200ms));
  for (Form form : {Form::sync, Form::future, Form::callback}) {
    SCOPED_TRACE(name_of(form));
    auto before = server->requests_received();
    auto start = Clock::now();
    auto r = list_queues(client, form);
    auto elapsed = since(start);
    ASSERT_FALSE(r);
    expect_deadline_error(r.error(), call_timeout);
    expect_ends_at(elapsed, call_timeout);
    // Not all five attempts: the deadline ended the call, not max_attempts.
    ASSERT_TRUE(server->wait_for_requests(before + 2, 1s));
    auto made = server->requests_received() - before;
    EXPECT_GE(made, 2u);
    EXPECT_LE(made, 4u);
    EXPECT_NE(r.error().message.find("(" + std::to_string(made) + " attempts)"), std::string::npos)
        << r.error().message;
  }
}

// A long poll's deadline is call_timeout + WaitTimeSeconds: never before its wait.
TEST(CallTimeout, LongPollEndsAtItsWaitPlusTheCallTimeout) {
  auto server = hanging();
  constexpr auto call_timeout = 500ms;
  auto config = with_deadline(server->endpoint(), call_timeout, 10s);
  Client client(config);
  ReceiveMessageRequest request;
  request.queue_url = server->endpoint() + "/000000000000/q";
  request.wait_time_seconds = 1;
  auto start = Clock::now();
  auto r = client.receive_message(request);
  auto elapsed = since(start);
  ASSERT_FALSE(r);
  expect_deadline_error(r.error(), call_timeout);
  EXPECT_NE(r.error().message.find("wait of 1 s"), std::string::npos) << r.error().message;
  expect_ends_at(elapsed, 1s + call_timeout);
  EXPECT_EQ(server->requests_received(), 1u);

  // The async form too.
  start = Clock::now();
  auto f = client.async_receive_message(request, boost::asio::use_future).get();
  elapsed = since(start);
  ASSERT_FALSE(f);
  expect_deadline_error(f.error(), call_timeout);
  expect_ends_at(elapsed, 1s + call_timeout);
}

// An answer that comes after the call timeout but within the wait + call timeout is taken.
TEST(CallTimeout, LongPollAnswerWithinItsWaitIsTaken) {
  auto server = answering(sqs_json(R"({"Messages":[]})").after(900ms));
  Client client(with_deadline(server->endpoint(), 300ms, 10s));
  ReceiveMessageRequest request;
  request.queue_url = server->endpoint() + "/000000000000/q";
  request.wait_time_seconds = 1;
  auto r = client.receive_message(request);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->messages.empty());
}

// 503s with real back-offs: no retry is made whose back-off would end past the deadline; the
// call fails with the last error (here: the 503), well before max_attempts.
TEST(CallTimeout, ServerErrorStormStopsAtTheDeadline) {
  auto server = answering(sqs_error(503, "ServiceUnavailable", "").after(100ms));
  constexpr auto call_timeout = 700ms;
  auto config = config_for(server->endpoint());
  config.call_timeout = call_timeout;
  config.retry.max_attempts = 10;
  config.retry.base_delay = 100ms;
  config.retry.max_backoff = 300ms;
  Client client(config);
  auto start = Clock::now();
  auto r = client.get_queue_url({.queue_name = "q"});
  auto elapsed = since(start);
  ASSERT_FALSE(r);
  // Either the last 503 (a back-off would have crossed the deadline) or the deadline itself
  // (the last attempt was cut short).
  if (r.error().kind == ErrorKind::timeout) {
    expect_deadline_error(r.error(), call_timeout);
  } else {
    EXPECT_EQ(r.error().kind, ErrorKind::service) << r.error().to_string();
    EXPECT_EQ(r.error().http_status, 503);
  }
  EXPECT_LE(elapsed, call_timeout + kLate);
  // Each attempt takes 100 ms: at most 7 fit in 700 ms, far from the 10 allowed.
  EXPECT_LE(server->requests_received(), 7u);
  EXPECT_GE(server->requests_received(), 1u);
}

// Slow 503s: two attempts end, the third is cut by the deadline: a timeout, not the 503.
TEST(CallTimeout, SlowServerErrorsEndInTheDeadlineError) {
  auto server = answering(sqs_error(503, "ServiceUnavailable", "").after(400ms));
  constexpr auto call_timeout = 1000ms;
  Client client(with_deadline(server->endpoint(), call_timeout, 5s));
  auto start = Clock::now();
  auto r = client.list_queues({});
  auto elapsed = since(start);
  ASSERT_FALSE(r);
  expect_deadline_error(r.error(), call_timeout);
  EXPECT_NE(r.error().message.find("(3 attempts)"), std::string::npos) << r.error().message;
  expect_ends_at(elapsed, call_timeout);
  EXPECT_EQ(server->requests_received(), 3u);
}

TEST(CallTimeout, AnswerWithinTheDeadlineSucceeds) {
  auto server = answering(sqs_json(R"({"QueueUrls":[]})").after(100ms));
  Client client(with_deadline(server->endpoint(), 2s, 1s));
  auto r = client.list_queues({});
  ASSERT_TRUE(r) << r.error().to_string();
}

// Unset (the default): attempts × request_timeout, as before; the error is the attempt's own.
TEST(CallTimeout, UnsetMeansNoBoundBeyondTheAttempts) {
  auto server = hanging();
  auto config = config_for(server->endpoint());
  EXPECT_FALSE(config.call_timeout.has_value());
  config.request_timeout = 200ms;
  config.retry.max_attempts = 3;
  config.retry.base_delay = 1ms;
  config.retry.max_backoff = 5ms;
  Client client(config);
  auto start = Clock::now();
  auto r = client.list_queues({});
  auto elapsed = since(start);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().to_string();
  EXPECT_EQ(r.error().code, "RequestTimeout");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().message.find("call timeout"), std::string::npos) << r.error().message;
  EXPECT_GE(elapsed, 3 * 200ms - kEarly);
  EXPECT_EQ(server->requests_received(), 3u);
}

TEST(CallTimeout, OutOfRangeTimeoutsAreConfigurationErrors) {
  struct Case {
    const char* field;
    void (*set)(ClientConfig&);
  };
  const Case cases[] = {
      {"call_timeout", [](ClientConfig& c) { c.call_timeout = 0ms; }},
      {"call_timeout", [](ClientConfig& c) { c.call_timeout = -5ms; }},
      {"call_timeout", [](ClientConfig& c) { c.call_timeout = std::chrono::milliseconds::max(); }},
      {"request_timeout", [](ClientConfig& c) { c.request_timeout = 0ms; }},
      {"request_timeout", [](ClientConfig& c) { c.request_timeout = -1ms; }},
      {"request_timeout", [](ClientConfig& c) { c.request_timeout = std::chrono::hours(25); }},
      {"connect_timeout", [](ClientConfig& c) { c.connect_timeout = 0ms; }},
      {"connect_timeout", [](ClientConfig& c) { c.connect_timeout = -3000ms; }},
  };
  for (const auto& test_case : cases) {
    SCOPED_TRACE(test_case.field);
    auto config = config_for("http://127.0.0.1:9");
    test_case.set(config);
    auto r = Client::make(config);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::configuration);
    EXPECT_EQ(r.error().code, "InvalidTimeout");
    EXPECT_NE(r.error().message.find(test_case.field), std::string::npos) << r.error().message;
    EXPECT_THROW(Client{config}, Exception);
  }
  // The bounds themselves are fine.
  auto config = config_for("http://127.0.0.1:9");
  config.call_timeout = 1ms;
  config.request_timeout = std::chrono::hours(24);
  EXPECT_TRUE(Client::make(config));
}

}  // namespace
}  // namespace sqs::itest
