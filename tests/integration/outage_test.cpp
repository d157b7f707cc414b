// A region in trouble, played by a dedicated fauxqs per test: killed during a long poll,
// frozen during a long poll, killed and restarted with its data (SQLite persistence). The
// client must end each call with the right error kind, never hang, and work again afterwards
// on the same Client.
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <future>
#include <sstream>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

// Established TCP connections whose remote port is `port` (the client side of connections to
// a local server), from /proc/net/tcp.
std::size_t connections_to(std::uint16_t port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  std::size_t n = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    auto colon = remote.find(':');
    if (colon == std::string::npos) continue;
    if (std::stoul(remote.substr(colon + 1), nullptr, 16) == port && state == "01") ++n;
  }
  return n;
}

// Waits until `n` connections to the port are established (the calls are on the wire).
bool wait_for_connections(std::uint16_t port, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (connections_to(port) < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling a kernel table: nothing to wait on
  }
  return true;
}

ClientConfig quick(const test::FauxqsServer& server) {
  auto c = config_for(server.endpoint());
  c.retry.base_delay = 1ms;
  c.retry.max_backoff = 5ms;
  c.connect_timeout = 1000ms;
  return c;
}

TEST(Outage, ServerKilledDuringALongPollIsATransportError) {
  test::FauxqsServer server;
  Client client(quick(server));
  Queue queue = create_queue_object(client, unique_name());
  auto before = connections_to(server.port());
  auto poll = queue.async_receive({.wait_time_seconds = 15}, boost::asio::use_future);
  ASSERT_TRUE(wait_for_connections(server.port(), std::max<std::size_t>(before, 1)));
  server.kill();
  ASSERT_EQ(poll.wait_for(10s), std::future_status::ready) << "the poll hangs after the kill";
  auto r = poll.get();
  ASSERT_FALSE(r);
  // The reset ends the attempt; the retries find the port closed.
  EXPECT_EQ(r.error().kind, ErrorKind::transport) << r.error().to_string();
}

TEST(Outage, ServerFrozenDuringALongPollEndsInTimeout) {
  test::FauxqsServer server;
  auto c = quick(server);
  c.request_timeout = 500ms;  // + the 1 s wait of the poll
  c.retry.max_attempts = 1;
  Client client(c);
  Queue queue = create_queue_object(client, unique_name());
  server.freeze();
  auto r = queue.receive({.wait_time_seconds = 1});
  server.thaw();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().to_string();
  auto again = queue.receive({.wait_time_seconds = 0});
  EXPECT_TRUE(again) << again.error().to_string();
}

// Killed with SIGKILL and restarted on the same port and data directory: the queue and its
// messages are back, and the same client (whose pooled connections died) carries on.
TEST(Outage, RestartedServerKeepsItsDataAndTheClientRecovers) {
  test::FauxqsServer::Options options;
  options.data_dir = test::make_temp_dir("sqs-itest-data");
  test::FauxqsServer server(options);
  Client client(quick(server));
  Queue queue = create_queue_object(client, unique_name());
  ASSERT_TRUE(queue.send("survives"));

  server.kill();
  auto down = queue.receive();
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().kind, ErrorKind::transport) << down.error().to_string();

  server.restart();
  auto back = queue.receive({.wait_time_seconds = 2});
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].body, "survives");
  std::error_code ec;
  std::filesystem::remove_all(options.data_dir, ec);
}

// Idle pooled connections that the server closed are not an error for the next call.
TEST(Outage, StalePooledConnectionsAreReplaced) {
  test::FauxqsServer::Options options;
  options.data_dir = test::make_temp_dir("sqs-itest-data");
  test::FauxqsServer server(options);
  Client client(quick(server));
  auto url = create_queue(client, unique_name());
  ASSERT_TRUE(client.list_queues({}));
  server.stop();  // graceful: closes the kept-alive connections
  server.restart();
  auto r = client.get_queue_attributes({.queue_url = url});
  EXPECT_TRUE(r) << r.error().to_string();
  std::error_code ec;
  std::filesystem::remove_all(options.data_dir, ec);
}

}  // namespace
}  // namespace sqs::itest
