// The control endpoint of `sqsctl bench`: a tiny HTTP/1.1 server on loopback, as in the Go load
// tool. GET /?index=I&duration=5s&error_rate=0.8 injects failures into queue I, &latency=300ms
// delays its calls, &hang=1 holds them until the scenario ends; any GET answers the current
// scenarios and progress as JSON. Runs on the bench's io_context (one thread), one request per
// connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "bench_faults.hpp"
#include "bench_options.hpp"
#include "sqs/error.hpp"

namespace sqsctl::bench {

// A request to inject faults: GET /?index=I&duration=D[&error_rate=R[&error=E]][&latency=L]
// [&hang=1] (at least one of them, unless D is 0: that ends the queue's scenario). E: transport
// (the default: a connection refused or reset), 503 (ServiceUnavailable) or throttling
// (ThrottlingException).
struct InjectionRequest {
  std::size_t index = 0;
  std::chrono::nanoseconds duration{0};
  Injection injection;
};

// What the endpoint answers about its parameters (in its 400 answers, and `sqsctl bench --help`).
inline constexpr const char* kControlUsage =
    "GET /?index=I&duration=D[&error_rate=R[&error=transport|503|throttling]][&latency=L]"
    "[&hang=1]: for D (a duration: 500ms, 5s), calls to queue I fail at rate R (0..1; with a "
    "transport error, a 503 or a throttling answer), are delayed by L, or hang until D is over "
    "(then go ahead); duration=0 ends the scenario; GET /?mark=NAME starts a phase of the run "
    "(the final report gives the send latency of each); any other GET answers the status";

// The query of a request target: nothing asked (no parameters), an injection, or an error
// (HTTP 400) saying what is wrong. index must be below `queues`.
sqs::Result<std::optional<InjectionRequest>> parse_control_target(const std::string& target,
                                                                  std::size_t queues);

// GET /?mark=NAME (NAME: 1-40 of [A-Za-z0-9_-]): nullopt when the target is not a mark; else
// the name, or an error (HTTP 400).
std::optional<sqs::Result<std::string>> parse_control_mark(const std::string& target);

struct ControlAnswer {
  unsigned status = 200;
  std::string body;  // JSON
};

class ControlServer {
 public:
  using Handler =
      std::function<ControlAnswer(const std::string& method, const std::string& target)>;

  // Binds and listens now (throws boost::system::system_error, e.g. address in use); accepts
  // once the io_context runs.
  ControlServer(boost::asio::io_context& io, const ControlAddress& address, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  void close();

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Handler> handler_;  // shared with the sessions in flight
  std::uint16_t port_ = 0;
};

}  // namespace sqsctl::bench
