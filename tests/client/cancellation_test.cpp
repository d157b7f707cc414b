// Per-call cancellation through Asio's cancellation slots: a long poll in flight is stopped at
// once (its connection closed), through the Client and the Queue forms, a coroutine racing a
// receive against a timer, a retry cut short in its back-off; cancelling a call that already
// ended does nothing; the client goes on working and keeps no dead connection.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "integration/itest_support.hpp"
#include "support/run_coroutine.hpp"

namespace sqs::itest {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// Waits (polling) until `condition` holds; false after `timeout`.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = 5s) {
  const auto until = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class Cancellation : public ::testing::Test {
 protected:
  Client admin{fauxqs_config()};
  std::string url = create_queue(admin, unique_name());
  Client client{fauxqs_config()};  // no connection yet: the long poll opens the first
  Queue queue{client, url};
  asio::cancellation_signal signal;

  // A long poll (20 s on an empty queue) is in flight once the client holds a connection.
  void await_in_flight(std::size_t connections_before) {
    ASSERT_TRUE(eventually([&] { return client.metrics().open_connections > connections_before; }))
        << "the long poll never started";
  }
};

TEST_F(Cancellation, ALongPollInFlightEndsAtOnce) {
  const auto before = client.metrics().open_connections;
  std::promise<Result<std::vector<Message>>> done;
  const auto started = SteadyClock::now();
  queue.async_receive(
      {.wait_time_seconds = 20},
      asio::bind_cancellation_slot(
          signal.slot(), [&](Result<std::vector<Message>> r) { done.set_value(std::move(r)); }));
  await_in_flight(before);
  // (Emitted from this thread; the call is aborted on the client's.)
  signal.emit(asio::cancellation_type::terminal);
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready) << "the long poll was not cancelled";
  auto r = f.get();
  EXPECT_LT(SteadyClock::now() - started, 15s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::cancelled) << r.error().to_string();
  EXPECT_TRUE(r.error().maybe_processed) << "the receive was out: it may have taken messages";
  // Its connection was closed, not returned to the pool half-read.
  EXPECT_TRUE(eventually([&] { return client.metrics().open_connections <= before; }));
  // The client goes on. (Not checked with a receive: the server may keep the abandoned long
  // poll waiting on its side and hand it the next message, which then stays invisible for the
  // visibility timeout; fauxqs does. That is what maybe_processed says.)
  auto attributes = queue.attributes({"QueueArn"});
  EXPECT_TRUE(attributes) << attributes.error().to_string();
}

TEST_F(Cancellation, TheClientsGenericFormToo) {
  const auto before = client.metrics().open_connections;
  std::promise<Result<ReceiveMessageResult>> done;
  ReceiveMessageRequest request;
  request.queue_url = queue.url();
  request.wait_time_seconds = 20;
  client.async_receive_message(
      std::move(request),
      asio::bind_cancellation_slot(
          signal.slot(), [&](Result<ReceiveMessageResult> r) { done.set_value(std::move(r)); }));
  await_in_flight(before);
  signal.emit(asio::cancellation_type::partial);
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
}

// The usual way to bound a call in a coroutine: race it against a timer; the loser is
// cancelled (awaitable_operators emit the cancellation signal of the other branch).
TEST_F(Cancellation, ACoroutineRacesAReceiveAgainstATimer) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context io;
  bool timer_won = false;
  const auto started = SteadyClock::now();
  test::run_coroutine(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
    ReceiveOptions options;
    options.wait_time_seconds = 20;
    auto winner = co_await (queue.async_receive(options, asio::use_awaitable) ||
                            timer.async_wait(asio::use_awaitable));
    timer_won = winner.index() == 1;
  });
  EXPECT_TRUE(timer_won);
  EXPECT_LT(SteadyClock::now() - started, 10s) << "the coroutine waited for the long poll";
}

// A call waiting to retry (a 500, then a long back-off) ends at once too, without a second
// attempt.
TEST(CancellationScripted, ARetryIsCutShortInItsBackOff) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  ClientConfig c = config_for(server->endpoint());
  c.retry.max_attempts = 3;
  c.retry.base_delay = 60s;  // the delay is random in [0, 60 s): an attempt now would be a fluke
  c.retry.max_backoff = 60s;
  Client client(c);
  asio::cancellation_signal signal;
  std::promise<Result<SendMessageResult>> done;
  client.async_send_message(
      {.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q", .message_body = "x"},
      asio::bind_cancellation_slot(
          signal.slot(), [&](Result<SendMessageResult> r) { done.set_value(std::move(r)); }));
  ASSERT_TRUE(eventually([&] { return server->requests_received() == 1; }));
  auto f = done.get_future();
  // Wait until it is in its back-off (the 500 was read): then cancel.
  ASSERT_NE(f.wait_for(100ms), std::future_status::ready);
  signal.emit(asio::cancellation_type::terminal);
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
  EXPECT_TRUE(r.error().maybe_processed) << "the first attempt got a 500";
  EXPECT_LE(server->requests_received(), 2u);
}

// Cancelling after the call ended changes nothing (the slot's handler finds no call).
TEST_F(Cancellation, AfterCompletionNothingHappens) {
  std::promise<Result<SendMessageResult>> done;
  queue.async_send("x", {}, asio::bind_cancellation_slot(signal.slot(), [&](auto r) {
                     done.set_value(std::move(r));
                   }));
  auto r = done.get_future().get();
  ASSERT_TRUE(r) << r.error().to_string();
  signal.emit(asio::cancellation_type::terminal);
  auto got = queue.receive({.wait_time_seconds = 1});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 1u);
}

}  // namespace
}  // namespace sqs::itest
