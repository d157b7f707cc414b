// http::Pool when things go wrong: timeouts, refused connections, servers that close or cut
// answers short, stale kept-alive connections, bad requests.
#include <atomic>

#include <boost/asio/ip/tcp.hpp>

#include "pool_test_support.hpp"

namespace sqs::http::testing {
namespace {

namespace asio = boost::asio;

// A loopback port nobody listens on (bound, then closed).
std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST_F(PoolTest, RequestTimeoutWithHangingServer) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
  Pool pool(io.get_executor(), {});
  const auto start = std::chrono::steady_clock::now();
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("x"), 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.ec, asio::error::timed_out);
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(pool.open_connections(), 0u);  // a timed-out connection is never reused
}

TEST_F(PoolTest, TimedOutConnectionIsNotReused) {
  std::atomic<int> count{0};
  ScriptedHttpServer server(
      [&](const ReceivedRequest&) { return count++ == 1 ? Reply::hang() : Reply::ok("fine"); });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  EXPECT_FALSE(send(pool, endpoint, post("1")).ec);
  EXPECT_EQ(send(pool, endpoint, post("2"), 200ms).ec, asio::error::timed_out);
  const Outcome third = send(pool, endpoint, post("3"));
  ASSERT_FALSE(third.ec) << third.ec.message();
  EXPECT_EQ(third.response.body, "fine");
  EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(PoolTest, TimeoutCoversAnAnswerThatTricklesIn) {
  // The header arrives, the body never completes: the deadline is for the whole exchange.
  ScriptedHttpServer server([](const ReceivedRequest&) {
    return Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  });
  Pool pool(io.get_executor(), {});
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("x"), 200ms);
  EXPECT_EQ(out.ec, asio::error::timed_out);
}

TEST_F(PoolTest, ConnectTimeoutCoversTheTlsHandshake) {
  // A plain HTTP server never answers a TLS ClientHello: the handshake hangs.
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::ok(); });
  PoolOptions options;
  options.connect_timeout = 200ms;
  options.verify_peer = false;
  Pool pool(io.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  const Outcome out =
      send(pool, endpoint_of("https://127.0.0.1:" + std::to_string(server.port())), post("x"), 10s);
  EXPECT_EQ(out.ec, asio::error::timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTest, ConnectionRefused) {
  Pool pool(io.get_executor(), {});
  const Outcome out =
      send(pool, endpoint_of("http://127.0.0.1:" + std::to_string(closed_port())), post("x"));
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.ec, asio::error::connection_refused);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTest, StaleKeptAliveConnectionIsRetriedTransparently) {
  // The server closes after every answer without saying so: each kept-alive connection is
  // stale by the time it is reused.
  ScriptedHttpServer server(
      [](const ReceivedRequest& r) { return Reply::ok(r.body).then_close(); });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  for (int i = 0; i < 5; ++i) {
    const Outcome out = send(pool, endpoint, post(std::to_string(i)));
    ASSERT_FALSE(out.ec) << i << ": " << out.ec.message();
    EXPECT_EQ(out.response.body, std::to_string(i));
  }
  EXPECT_EQ(server.requests_received(), 5u);
  EXPECT_EQ(server.connections_accepted(), 5u);
}

TEST_F(PoolTest, ReusedConnectionClosedWithoutAnswerIsRetriedOnce) {
  std::atomic<int> count{0};
  ScriptedHttpServer server([&](const ReceivedRequest& r) {
    return count++ == 1 ? Reply::close_connection() : Reply::ok(r.body);
  });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  EXPECT_EQ(send(pool, endpoint, post("first")).response.body, "first");
  const Outcome second = send(pool, endpoint, post("second"));
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_EQ(second.response.body, "second");
  const auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[2].body, "second");  // the retry, on a new connection
  EXPECT_NE(received[2].connection, received[1].connection);
}

TEST_F(PoolTest, RetryOnAFreshConnectionThatFailsIsReported) {
  std::atomic<int> count{0};
  ScriptedHttpServer server([&](const ReceivedRequest&) {
    return count++ == 0 ? Reply::ok("first") : Reply::close_connection();
  });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  EXPECT_FALSE(send(pool, endpoint, post("1")).ec);
  const Outcome out = send(pool, endpoint, post("2"));
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.ec, asio::error::eof);
  EXPECT_EQ(server.requests_received(), 3u);  // once on the stale connection, once retried
}

TEST_F(PoolTest, FreshConnectionClosedWithoutAnswerIsReported) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::close_connection(); });
  Pool pool(io.get_executor(), {});
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("x"));
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.ec, asio::error::eof);
  EXPECT_EQ(server.requests_received(), 1u);  // no retry on a fresh connection
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(PoolTest, PartialAnswerIsAnErrorAndNotRetried) {
  std::atomic<int> count{0};
  ScriptedHttpServer server([&](const ReceivedRequest&) {
    return count++ == 0 ? Reply::ok("first") : Reply::partial(Reply::ok("0123456789"), 30);
  });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  EXPECT_FALSE(send(pool, endpoint, post("1")).ec);
  const Outcome out = send(pool, endpoint, post("2"));
  EXPECT_TRUE(out.ec);
  EXPECT_NE(out.ec, asio::error::timed_out);
  EXPECT_EQ(server.requests_received(), 2u);  // bytes of an answer came: never retried
}

TEST_F(PoolTest, MalformedAnswerIsAnError) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::raw("NOT HTTP\r\n\r\n"); });
  Pool pool(io.get_executor(), {});
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("x"));
  EXPECT_TRUE(out.ec);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTest, InvalidRequestIsRejectedWithoutConnecting) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::ok(); });
  Pool pool(io.get_executor(), {});
  Request bad = post("x");
  bad.headers.push_back({"X-Injected", "a\r\nEvil: yes"});
  const Outcome out = send(pool, endpoint_of(server.endpoint()), bad);
  EXPECT_EQ(out.ec, asio::error::invalid_argument);
  EXPECT_EQ(server.connections_accepted(), 0u);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTest, HandlerIsNeverCalledInsideAsyncSend) {
  Pool pool(io.get_executor(), {});
  auto refused = std::make_shared<Outcome>();
  auto invalid = std::make_shared<Outcome>();
  pool.async_send(endpoint_of("http://127.0.0.1:" + std::to_string(closed_port())), post("x"), 5s,
                  record_into(refused));
  Request bad;
  bad.method = "BAD METHOD";
  pool.async_send(endpoint_of("http://127.0.0.1:1"), bad, 5s, record_into(invalid));
  EXPECT_EQ(refused->calls, 0);
  EXPECT_EQ(invalid->calls, 0);
  ASSERT_TRUE(run_until([&] { return refused->calls == 1 && invalid->calls == 1; }));
  EXPECT_EQ(invalid->ec, asio::error::invalid_argument);
}

}  // namespace
}  // namespace sqs::http::testing
