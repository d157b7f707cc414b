// The scripted test server itself: the parts other layers' tests rely on.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "pool_test_support.hpp"

namespace sqs::http::testing {
namespace {

namespace asio = boost::asio;

// Sends raw bytes on a blocking socket and reads until the server closes.
std::string exchange_raw(std::uint16_t port, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  std::string answer;
  error_code ec;
  asio::read(socket, asio::dynamic_buffer(answer), ec);
  return answer;
}

TEST(ScriptedHttpServer, SerializesRepliesWithLengthOrChunks) {
  EXPECT_EQ(Reply::ok("hi").header("X-A", "1").serialize(),
            "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(Reply::with_status(503, "abcde").use_chunked(2).serialize(),
            "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n");
  EXPECT_EQ(Reply::json(400, "{}").serialize(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(ScriptedHttpServer, ParsesRequestsAndCounts) {
  ScriptedHttpServer server([](const ReceivedRequest& r) {
    return Reply::ok(r.method + " " + r.target + " " + std::string(r.header("x-test")) + " " +
                     r.body)
        .then_close();
  });
  const std::string answer = exchange_raw(server.port(),
                                          "PUT /path?q=1 HTTP/1.1\r\nHost: h\r\nX-Test:  value \r\n"
                                          "Content-Length: 4\r\n\r\nbody");
  EXPECT_NE(answer.find("\r\n\r\nPUT /path?q=1 value body"), std::string::npos) << answer;
  ASSERT_TRUE(server.wait_for_requests(1, 5s));
  EXPECT_EQ(server.connections_accepted(), 1u);
  const auto received = server.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].has_header("X-TEST"));
  EXPECT_FALSE(received[0].has_header("X-Other"));
  EXPECT_EQ(received[0].index, 0u);
}

TEST(ScriptedHttpServer, WaitForRequestsTimesOut) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::ok(); });
  EXPECT_FALSE(server.wait_for_requests(1, 20ms));
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST(ScriptedHttpServer, ScriptCanBeReplaced) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::ok("one").then_close(); });
  const std::string request = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_NE(exchange_raw(server.port(), request).find("one"), std::string::npos);
  server.set_script([](const ReceivedRequest&) { return Reply::ok("two").then_close(); });
  EXPECT_NE(exchange_raw(server.port(), request).find("two"), std::string::npos);
}

TEST(ScriptedHttpServer, PartialAndRawReplies) {
  ScriptedHttpServer server([](const ReceivedRequest& r) {
    if (r.target == "/partial") return Reply::partial(Reply::ok("0123456789"), 12);
    return Reply::raw("HTTP/1.0 204 No Content\r\n\r\n").then_close();
  });
  EXPECT_EQ(exchange_raw(server.port(), "GET /partial HTTP/1.1\r\n\r\n"), "HTTP/1.1 200");
  EXPECT_EQ(exchange_raw(server.port(), "GET /raw HTTP/1.1\r\n\r\n"),
            "HTTP/1.0 204 No Content\r\n\r\n");
}

}  // namespace
}  // namespace sqs::http::testing
