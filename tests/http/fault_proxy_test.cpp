// The fault-injection proxy (tests/support/fault_proxy.hpp) in front of the scripted server,
// with http::Pool as the client; byte-level details with raw sockets on both ends.
#include "support/fault_proxy.hpp"

#include <atomic>
#include <bitset>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "pool_test_support.hpp"

namespace sqs::http::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using sqs::test::FaultProxy;
using Faults = FaultProxy::Faults;
using Clock = std::chrono::steady_clock;

Reply echo(const ReceivedRequest& request) {
  return Reply::ok(request.body);
}

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 + i / 251);
  return bytes;
}

// How many bits differ between two bytes.
std::size_t bits_changed(char a, char b) {
  return std::bitset<8>(static_cast<unsigned char>(a ^ b)).count();
}

class FaultProxyTest : public PoolTest {
 protected:
  struct Timed {
    Outcome out;
    Clock::duration elapsed;
  };

  Timed timed_send(Pool& pool, const FaultProxy& proxy, Request request,
                   std::chrono::milliseconds timeout = 5s) {
    const auto start = Clock::now();
    Outcome out = send(pool, endpoint_of(proxy.endpoint()), std::move(request), timeout);
    return {std::move(out), Clock::now() - start};
  }
};

// An upstream of raw sockets, and clients joined to it through a proxy: for byte-level tests.
class RawUpstream {
 public:
  std::uint16_t port() const { return listener_.local_endpoint().port(); }

  // A client connected through `proxy`, and the upstream end of that connection.
  std::pair<tcp::socket, tcp::socket> join(const FaultProxy& proxy) {
    tcp::socket client(io_);
    client.connect({asio::ip::make_address("127.0.0.1"), proxy.port()});
    tcp::socket upstream(io_);
    listener_.accept(upstream);  // the proxy connects as soon as it accepts
    return {std::move(client), std::move(upstream)};
  }

  // Up to `n` bytes from `socket`: fewer if it ends first (*error says how) or `timeout` passes.
  std::string read(tcp::socket& socket, std::size_t n, error_code* error = nullptr,
                   std::chrono::milliseconds timeout = 5s) {
    std::string bytes(n, '\0');
    std::size_t got = 0;
    bool done = false;
    asio::async_read(socket, asio::buffer(bytes), [&](error_code ec, std::size_t count) {
      if (error) *error = ec;
      got = count;
      done = true;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
      socket.cancel();
      io_.restart();
      io_.run();
    }
    bytes.resize(got);
    return bytes;
  }

 private:
  asio::io_context io_;
  tcp::acceptor listener_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
};

TEST_F(FaultProxyTest, PassesExchangesThroughIntact) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  EXPECT_EQ(proxy.endpoint(), "http://127.0.0.1:" + std::to_string(proxy.port()));
  EXPECT_NE(proxy.port(), server.port());
  Pool pool(io.get_executor(), {});

  const Outcome small = timed_send(pool, proxy, post("hello")).out;
  ASSERT_FALSE(small.ec) << small.ec.message();
  EXPECT_EQ(small.response.body, "hello");

  const std::string body = pattern(1024 * 1024);  // 1 MiB each way
  const Outcome big = timed_send(pool, proxy, post(body)).out;
  ASSERT_FALSE(big.ec) << big.ec.message();
  EXPECT_EQ(big.response.body.size(), body.size());
  EXPECT_TRUE(big.response.body == body);

  EXPECT_EQ(proxy.connections_accepted(), 1u);  // kept alive through the proxy
  EXPECT_EQ(proxy.connections_open(), 1u);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_GT(proxy.bytes_up(), body.size() + 5);
  EXPECT_GT(proxy.bytes_down(), body.size() + 5);
}

TEST_F(FaultProxyTest, LatencyHoldsEachAnswerAndCanBeChangedWhileRunning) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port(), {.latency = 300ms});
  Pool pool(io.get_executor(), {});

  Timed held = timed_send(pool, proxy, post("slow"));
  ASSERT_FALSE(held.out.ec) << held.out.ec.message();
  EXPECT_EQ(held.out.response.body, "slow");
  EXPECT_GE(held.elapsed, 300ms);
  EXPECT_LT(held.elapsed, 3s);

  proxy.set_faults({});  // on the connection already open too
  Timed fast = timed_send(pool, proxy, post("fast"));
  ASSERT_FALSE(fast.out.ec) << fast.out.ec.message();
  EXPECT_LT(fast.elapsed, 250ms);

  // Removing the latency releases what it holds at once.
  proxy.set_faults({.latency = 5s});
  auto outcome = std::make_shared<Outcome>();
  const auto start = Clock::now();
  pool.async_send(endpoint_of(proxy.endpoint()), post("released"), 10s, record_into(outcome));
  ASSERT_TRUE(run_until([&] { return server.requests_received() == 3; }));
  proxy.set_faults({});
  ASSERT_TRUE(run_until([&] { return outcome->calls > 0; }));
  ASSERT_FALSE(outcome->ec) << outcome->ec.message();
  EXPECT_EQ(outcome->response.body, "released");
  EXPECT_LT(Clock::now() - start, 2s);

  // request_latency holds the requests instead.
  proxy.set_faults({.request_latency = 200ms});
  Timed up = timed_send(pool, proxy, post("up"));
  ASSERT_FALSE(up.out.ec) << up.out.ec.message();
  EXPECT_GE(up.elapsed, 200ms);
  EXPECT_LT(up.elapsed, 3s);
  EXPECT_EQ(proxy.connections_accepted(), 1u);
}

TEST_F(FaultProxyTest, LatencyHoldsEachChunkFromItsOwnArrival) {
  RawUpstream upstream;
  FaultProxy proxy(upstream.port(), {.latency = 400ms});
  auto [client, server] = upstream.join(proxy);
  const auto start = Clock::now();
  asio::write(server, asio::buffer(std::string("A")));
  std::this_thread::sleep_for(100ms);
  asio::write(server, asio::buffer(std::string("B")));

  EXPECT_EQ(upstream.read(client, 1), "A");
  const auto a_at = Clock::now() - start;
  EXPECT_EQ(upstream.read(client, 1), "B");
  const auto b_at = Clock::now() - start;
  EXPECT_GE(a_at, 400ms);
  EXPECT_GE(b_at, 500ms);
  EXPECT_LT(b_at, 750ms);  // not queued behind A's hold (that would be >= 800 ms)
}

TEST_F(FaultProxyTest, HangTimesRequestsOutAndResumeLetsTheNextThrough) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  Pool pool(io.get_executor(), {});

  proxy.hang();
  const Timed held = timed_send(pool, proxy, post("held"), 300ms);
  EXPECT_EQ(held.out.ec, asio::error::timed_out) << held.out.ec.message();
  EXPECT_GE(held.elapsed, 290ms);
  EXPECT_EQ(server.requests_received(), 0u);
  EXPECT_EQ(proxy.bytes_up(), 0u);
  EXPECT_EQ(server.connections_accepted(), 1u);  // the upstream connection is opened anyway

  proxy.resume();
  const Outcome next = timed_send(pool, proxy, post("next")).out;
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.response.body, "next");
  // What was held went on when resumed: the timed-out request reached the server too, late.
  EXPECT_TRUE(server.wait_for_requests(2, 5s));
}

TEST_F(FaultProxyTest, StallOfOpenOrOnlyOfNewConnections) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(proxy.endpoint());
  ASSERT_FALSE(send(pool, endpoint, post("warm")).ec);  // one kept-alive connection

  // stall: the open connection too.
  proxy.set_faults({.stall = true});
  EXPECT_EQ(send(pool, endpoint, post("stalled"), 300ms).ec, asio::error::timed_out);
  proxy.set_faults({});
  ASSERT_FALSE(send(pool, endpoint, post("warm again")).ec);
  ASSERT_EQ(pool.open_connections(), 1u);

  // stall_new_connections_only: two at once, one on the open connection, one on a new one.
  proxy.set_faults({.stall_new_connections_only = true});
  auto on_open = std::make_shared<Outcome>();
  auto on_new = std::make_shared<Outcome>();
  pool.async_send(endpoint, post("open"), 300ms, record_into(on_open));
  pool.async_send(endpoint, post("new"), 300ms, record_into(on_new));
  ASSERT_TRUE(run_until([&] { return on_open->calls > 0 && on_new->calls > 0; }));
  ASSERT_FALSE(on_open->ec) << on_open->ec.message();
  EXPECT_EQ(on_open->response.body, "open");
  EXPECT_EQ(on_new->ec, asio::error::timed_out) << on_new->ec.message();

  proxy.set_faults({});
  const Outcome after = send(pool, endpoint, post("after"));
  ASSERT_FALSE(after.ec) << after.ec.message();
  EXPECT_EQ(after.response.body, "after");
}

TEST_F(FaultProxyTest, CutAfterBytesCutsTheAnswerShort) {
  ScriptedHttpServer server(
      [](const ReceivedRequest&) { return Reply::ok(std::string(100, 'x')); });
  FaultProxy proxy(server.port(), {.cut_after_bytes = 30});
  Pool pool(io.get_executor(), {});

  const Outcome cut = timed_send(pool, proxy, post("x")).out;
  EXPECT_EQ(cut.ec, boost::beast::http::error::partial_message) << cut.ec.message();
  EXPECT_EQ(proxy.bytes_down(), 30u);
  EXPECT_EQ(server.requests_received(), 1u);  // answer bytes came: not retried
  EXPECT_EQ(proxy.connections_open(), 0u);

  // 0: closed as soon as accepted, before any answer.
  proxy.set_faults({.cut_after_bytes = 0});
  const Outcome closed = timed_send(pool, proxy, post("x")).out;
  EXPECT_TRUE(closed.ec == asio::error::eof || closed.ec == asio::error::connection_reset)
      << closed.ec.message();
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(FaultProxyTest, CutAndResetAfterBytesDeliverExactlyTheBytesBefore) {
  RawUpstream upstream;
  FaultProxy proxy(upstream.port(), {.cut_after_bytes = 5});
  for (const bool reset : {false, true}) {
    if (reset) proxy.set_faults({.reset_after_bytes = 5});
    auto [client, server] = upstream.join(proxy);
    asio::write(server, asio::buffer(std::string("0123456789")));
    error_code client_end;
    EXPECT_EQ(upstream.read(client, 10, &client_end), "01234");
    error_code server_end;
    EXPECT_EQ(upstream.read(server, 1, &server_end), "");  // the upstream side is closed too
    const error_code expected =
        reset ? error_code(asio::error::connection_reset) : error_code(asio::error::eof);
    EXPECT_EQ(client_end, expected) << client_end.message();
    EXPECT_EQ(server_end, expected) << server_end.message();
  }
  EXPECT_EQ(proxy.bytes_down(), 10u);
  EXPECT_EQ(proxy.connections_open(), 0u);
}

TEST_F(FaultProxyTest, ResetGivesConnectionReset) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  Pool pool(io.get_executor(), {});
  ASSERT_FALSE(timed_send(pool, proxy, post("warm")).out.ec);

  proxy.set_faults({.reset = true});
  const Outcome kept = timed_send(pool, proxy, post("kept")).out;  // open connections go on
  ASSERT_FALSE(kept.ec) << kept.ec.message();
  EXPECT_EQ(kept.response.body, "kept");

  Pool fresh(io.get_executor(), {});  // a new connection
  const Outcome reset = timed_send(fresh, proxy, post("x")).out;
  EXPECT_TRUE(reset.ec == asio::error::connection_reset || reset.ec == asio::error::eof)
      << reset.ec.message();
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(proxy.connections_accepted(), 2u);

  const std::size_t before = proxy.bytes_down();
  proxy.set_faults({.reset_after_bytes = 20});  // the open connection has forwarded more
  EXPECT_EQ(proxy.connections_open(), 0u);
  const Outcome late = timed_send(fresh, proxy, post("x")).out;
  EXPECT_EQ(late.ec, asio::error::connection_reset) << late.ec.message();
  EXPECT_EQ(proxy.bytes_down() - before, 20u);
}

TEST_F(FaultProxyTest, ThrottleLimitsBandwidthEachWay) {
  const std::string big = pattern(150'000);
  ScriptedHttpServer server([&big](const ReceivedRequest& request) {
    return request.target == "/big" ? Reply::ok(big) : Reply::ok(request.body);
  });
  FaultProxy proxy(server.port(), {.bytes_per_second = 100'000});
  Pool pool(io.get_executor(), {});

  // One 5,000-byte slice at once, then 100 kB/s: at least 1.45 s for 150 kB.
  const Timed down = timed_send(pool, proxy, post("x", "/big"), 10s);
  ASSERT_FALSE(down.out.ec) << down.out.ec.message();
  EXPECT_TRUE(down.out.response.body == big);
  EXPECT_GE(down.elapsed, 1400ms);
  EXPECT_LT(down.elapsed, 6s);

  // The requests have their own option (the 50 kB echo comes back unthrottled).
  proxy.set_faults({.request_bytes_per_second = 100'000});
  const std::string body = pattern(50'000);
  const Timed up = timed_send(pool, proxy, post(body), 10s);
  ASSERT_FALSE(up.out.ec) << up.out.ec.message();
  EXPECT_TRUE(up.out.response.body == body);
  EXPECT_GE(up.elapsed, 440ms);
  EXPECT_LT(up.elapsed, 4s);
}

TEST_F(FaultProxyTest, CorruptFlipsOneBitAtEachGivenOffsetReproducibly) {
  const std::string body = "abcdefghijklmnopqrstuvwxyz";
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\n" + body;
  ScriptedHttpServer server([&wire](const ReceivedRequest&) { return Reply::raw(wire); });
  const std::size_t at = wire.size() - body.size();
  FaultProxy proxy(server.port(),
                   {.corrupt_offsets = {at, at + 7, at + 7, at + 25}, .corrupt_seed = 42});

  auto fetch = [&] {
    Pool pool(io.get_executor(), {});  // each on a new connection: offsets count from its start
    Outcome out = timed_send(pool, proxy, post("x")).out;
    EXPECT_FALSE(out.ec) << out.ec.message();
    return out.response.body;
  };
  const std::string first = fetch();
  ASSERT_EQ(first.size(), body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    const bool corrupted = i == 0 || i == 7 || i == 25;  // 7 listed twice: still flipped once
    EXPECT_EQ(bits_changed(first[i], body[i]), corrupted ? 1u : 0u) << i;
  }
  EXPECT_EQ(proxy.bytes_down(), wire.size());

  EXPECT_EQ(fetch(), first);  // the same seed: the same bits
  proxy.set_faults({.corrupt_offsets = {at, at + 7, at + 25}, .corrupt_seed = 43});
  const std::string other = fetch();
  EXPECT_NE(other, first);
  for (const std::size_t i : {0, 7, 25}) EXPECT_EQ(bits_changed(other[i], body[i]), 1u) << i;
  EXPECT_EQ(proxy.connections_accepted(), 3u);
}

TEST_F(FaultProxyTest, CorruptEveryNthByteWhateverTheChunking) {
  RawUpstream upstream;
  FaultProxy proxy(upstream.port(), {.corrupt_every = 10, .corrupt_seed = 7});
  const std::string sent = pattern(1000);
  std::vector<std::string> received;
  for (const std::size_t split : {337u, 1000u}) {  // two writes, then one
    auto [client, server] = upstream.join(proxy);
    asio::write(server, asio::buffer(sent.data(), split));
    if (split < sent.size()) {
      std::this_thread::sleep_for(20ms);
      asio::write(server, asio::buffer(sent.data() + split, sent.size() - split));
    }
    received.push_back(upstream.read(client, sent.size()));
    ASSERT_EQ(received.back().size(), sent.size());
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(bits_changed(received[0][i], sent[i]), (i + 1) % 10 == 0 ? 1u : 0u) << i;
  }
  EXPECT_EQ(received[1], received[0]);
}

TEST_F(FaultProxyTest, ConnectionScriptGivesEachConnectionItsFaults) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  std::atomic<std::size_t> asked{0};
  proxy.set_connection_script([&asked](std::size_t index) {
    ++asked;
    return index == 0 ? Faults{.latency = 300ms} : Faults{};
  });
  Pool first(io.get_executor(), {});   // connection 0
  Pool second(io.get_executor(), {});  // connection 1

  const Timed slow = timed_send(first, proxy, post("0"));
  ASSERT_FALSE(slow.out.ec) << slow.out.ec.message();
  EXPECT_GE(slow.elapsed, 300ms);
  const Timed fast = timed_send(second, proxy, post("1"));
  ASSERT_FALSE(fast.out.ec) << fast.out.ec.message();
  EXPECT_LT(fast.elapsed, 250ms);
  EXPECT_GE(timed_send(first, proxy, post("0 again")).elapsed, 300ms);  // kept: its faults too
  EXPECT_EQ(proxy.connections_accepted(), 2u);
  EXPECT_EQ(asked.load(), 2u);

  proxy.set_faults({});  // every open connection, scripted or not
  EXPECT_LT(timed_send(first, proxy, post("0 now")).elapsed, 250ms);
}

TEST_F(FaultProxyTest, CloseAllAndTheListener) {
  ScriptedHttpServer server(echo);
  FaultProxy proxy(server.port());
  Pool pool(io.get_executor(), {});
  ASSERT_FALSE(timed_send(pool, proxy, post("1")).out.ec);
  EXPECT_EQ(proxy.connections_open(), 1u);

  proxy.close_all();
  EXPECT_EQ(proxy.connections_open(), 0u);
  const Outcome again = timed_send(pool, proxy, post("2")).out;  // stale: retried on a new one
  ASSERT_FALSE(again.ec) << again.ec.message();
  EXPECT_EQ(proxy.connections_accepted(), 2u);

  proxy.close_all();
  proxy.close_listener();
  EXPECT_EQ(timed_send(pool, proxy, post("3")).out.ec, asio::error::connection_refused);
  proxy.reopen();
  const Outcome back = timed_send(pool, proxy, post("4")).out;
  ASSERT_FALSE(back.ec) << back.ec.message();
  EXPECT_EQ(back.response.body, "4");
}

TEST_F(FaultProxyTest, DestructorReturnsPromptlyWithStalledConnections) {
  ScriptedHttpServer server(echo);
  auto proxy = std::make_unique<FaultProxy>(server.port());
  proxy->hang();
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(proxy->endpoint());
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int i = 0; i < 3; ++i) {
    outcomes.push_back(std::make_shared<Outcome>());
    pool.async_send(endpoint, post(std::string(100'000, 'h')), 10s, record_into(outcomes.back()));
  }
  ASSERT_TRUE(run_until([&] { return proxy->connections_open() == 3; }));
  io.restart();
  io.run_for(50ms);  // the requests go out, to be held

  const auto start = Clock::now();
  proxy.reset();
  EXPECT_LT(Clock::now() - start, 1s);
  ASSERT_TRUE(run_until([&] {
    for (const auto& o : outcomes) {
      if (o->calls == 0) return false;
    }
    return true;
  }));
  for (const auto& o : outcomes) {
    EXPECT_TRUE(o->ec);
    EXPECT_NE(o->ec, asio::error::timed_out);  // closed by the proxy's end, not the deadline
  }
  EXPECT_EQ(server.requests_received(), 0u);
}

}  // namespace
}  // namespace sqs::http::testing
