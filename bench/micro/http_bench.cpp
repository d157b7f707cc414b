// Client-side cost of the http layer: the request head writer, the response parser, and whole
// exchanges through http::Pool on kept-alive loopback connections to a trivial in-process server
// (one thread per connection, canned SQS-like answer). The CPU column is the benchmark thread's
// CPU time, i.e. the client's only: the server runs on other threads.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "http/pool.hpp"
#include "http/request_head.hpp"
#include "http/response_reader.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

const std::string kAnswerBody =
    R"({"MD5OfMessageBody":"fafb00f5732ab283681e124bf8747ed1","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"})";

std::string canned_answer() {
  return "HTTP/1.1 200 OK\r\n"
         "x-amzn-RequestId: 2a1e4c4c-6b1d-5d4e-9c3a-6f1b2e4d8a90\r\n"
         "Date: Mon, 01 Sep 2025 12:00:00 GMT\r\n"
         "Content-Type: application/x-amz-json-1.0\r\n"
         "Connection: keep-alive\r\n"
         "Content-Length: " +
         std::to_string(kAnswerBody.size()) + "\r\n\r\n" + kAnswerBody;
}

sqs::http::Request sqs_like_request() {
  sqs::http::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {
      {"Content-Type", "application/x-amz-json-1.0"},
      {"X-Amz-Target", "AmazonSQS.SendMessage"},
      {"X-Amz-Date", "20250901T120000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250901/us-east-1/sqs/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
      {"User-Agent", "aws-cpp-sqs/0.1"},
  };
  request.body =
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/bench","MessageBody":"hello world"})";
  return request;
}

// Accepts connections and answers every request (head + Content-Length body) with the canned
// answer, one thread per connection. Stops when destroyed (closes the listener and sockets).
class TrivialServer {
 public:
  TrivialServer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] { accept_loop(); });
  }
  ~TrivialServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the acceptor with a connection of our own, then shut every socket down.
    tcp::socket poke(io_);
    poke.connect({asio::ip::make_address("127.0.0.1"), port_}, ignored);
    acceptor_thread_.join();
    for (auto& s : sockets_) s->shutdown(tcp::socket::shutdown_both, ignored);
    for (auto& t : threads_) t.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) return;
      socket->set_option(tcp::no_delay(true));
      sockets_.push_back(socket);
      threads_.emplace_back([socket] { serve(*socket); });
    }
  }

  static void serve(tcp::socket& socket) {
    const std::string answer = canned_answer();
    std::string buffer;
    char chunk[16384];
    boost::system::error_code ec;
    for (;;) {
      std::size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) return;
        buffer.append(chunk, n);
      }
      std::size_t length = 0;
      const std::size_t at = buffer.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) length = std::stoul(buffer.substr(at + 16));
      while (buffer.size() < head_end + 4 + length) {
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) return;
        buffer.append(chunk, n);
      }
      buffer.erase(0, head_end + 4 + length);
      asio::write(socket, asio::buffer(answer), ec);
      if (ec) return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_thread_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
};

void BM_WriteRequestHead(benchmark::State& state) {
  const auto endpoint = *sqs::http::Endpoint::parse("https://sqs.us-east-1.amazonaws.com");
  const sqs::http::Request request = sqs_like_request();
  std::string out;
  for (auto _ : state) {
    sqs::http::write_request_head(endpoint, request, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_WriteRequestHead);

void BM_ParseResponse(benchmark::State& state) {
  const std::string answer = canned_answer();
  sqs::http::ResponseReader reader;
  for (auto _ : state) {
    sqs::http::Response response;
    boost::system::error_code ec;
    reader.start(response, 1 << 20, false);
    reader.feed(answer.data(), answer.size(), ec);
    if (ec || !reader.done()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(response.body.data());
  }
}
BENCHMARK(BM_ParseResponse);

// One request at a time on one kept-alive connection: the latency path.
void BM_PoolRoundTrip(benchmark::State& state) {
  TrivialServer server;
  asio::io_context io(1);
  sqs::http::Pool pool(io.get_executor(), {});
  const auto endpoint =
      *sqs::http::Endpoint::parse("http://127.0.0.1:" + std::to_string(server.port()));
  const sqs::http::Request prototype = sqs_like_request();
  bool done = false;
  bool failed = false;
  auto handler = [&](boost::system::error_code ec, sqs::http::Response response) {
    done = true;
    failed = ec || response.status != 200;
  };
  for (auto _ : state) {
    done = false;
    pool.async_send(endpoint, prototype, std::chrono::seconds(5), handler);
    while (!done) io.run_one();
    if (failed) {
      state.SkipWithError("request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PoolRoundTrip)->UseRealTime();

// `range(0)` requests kept in flight (as many connections), on one thread: the throughput path.
void BM_PoolConcurrent(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  TrivialServer server;
  asio::io_context io(1);
  sqs::http::Pool pool(io.get_executor(), {});
  const auto endpoint =
      *sqs::http::Endpoint::parse("http://127.0.0.1:" + std::to_string(server.port()));
  const sqs::http::Request prototype = sqs_like_request();
  std::int64_t completed = 0;
  std::int64_t failures = 0;
  std::function<void(boost::system::error_code, sqs::http::Response)> handler =
      [&](boost::system::error_code ec, sqs::http::Response response) {
        ++completed;
        if (ec || response.status != 200) ++failures;
      };
  std::int64_t sent = 0;
  for (int i = 0; i < in_flight; ++i, ++sent) {
    pool.async_send(endpoint, prototype, std::chrono::seconds(5), handler);
  }
  for (auto _ : state) {
    // One iteration = one completed request, replaced by a new one.
    const std::int64_t target = completed + 1;
    while (completed < target) io.run_one();
    pool.async_send(endpoint, prototype, std::chrono::seconds(5), handler);
    ++sent;
  }
  while (completed < sent) io.run_one();
  if (failures > 0) state.SkipWithError("requests failed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PoolConcurrent)->Arg(16)->UseRealTime();

}  // namespace
