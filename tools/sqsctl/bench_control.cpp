#include "bench_control.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cmath>
#include <memory>

namespace sqsctl::bench {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

sqs::Error bad_request(std::string message) {
  return sqs::Error::validation("BadControlRequest", std::move(message));
}

// One request, one answer, then the connection closes (as curl and the Go tool expect nothing
// more of it).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ControlServer::Handler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    ControlAnswer answer{405, R"({"error":"only GET is supported"})"};
    if (request_.method() == http::verb::get) {
      answer = (*handler_)(std::string(request_.method_string()), std::string(request_.target()));
    }
    response_.version(request_.version());
    response_.result(answer.status);
    response_.set(http::field::content_type, "application/json");
    response_.set(http::field::connection, "close");
    response_.body() = std::move(answer.body) + "\n";
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](boost::system::error_code, std::size_t) {
                        boost::system::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::shared_ptr<ControlServer::Handler> handler_;
};

}  // namespace

std::optional<sqs::Result<std::string>> parse_control_mark(const std::string& target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  auto params = url->params();
  auto it = params.find("mark");
  if (it == params.end()) return std::nullopt;
  if (params.size() != 1) {
    return sqs::Result<std::string>(
        sqs::Error::validation("BadRequest", "mark takes no other parameter: /?mark=NAME"));
  }
  const std::string name((*it).value);
  const bool ok =
      !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
  if (!ok) {
    return sqs::Result<std::string>(sqs::Error::validation(
        "BadRequest", "a mark's name is 1-40 letters, digits, '_' or '-', got '" + name + "'"));
  }
  return sqs::Result<std::string>(name);
}

sqs::Result<std::optional<InjectionRequest>> parse_control_target(const std::string& target,
                                                                  std::size_t queues) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return bad_request("cannot parse the request target '" + target + "'");
  auto params = url->params();
  std::optional<std::string> index_text, duration_text, rate_text, latency_text, hang_text,
      error_text;
  for (const auto& param : params) {
    if (param.key == "index")
      index_text = param.value;
    else if (param.key == "duration")
      duration_text = param.value;
    else if (param.key == "error_rate")
      rate_text = param.value;
    else if (param.key == "latency")
      latency_text = param.value;
    else if (param.key == "hang")
      hang_text = param.value;
    else if (param.key == "error")
      error_text = param.value;
    else
      return bad_request("unknown parameter '" + param.key +
                         "' (index, duration, error_rate, error, latency, hang)");
  }
  if (!index_text && !duration_text && !rate_text && !latency_text && !hang_text && !error_text) {
    return std::optional<InjectionRequest>();
  }
  if (!index_text || !duration_text) {
    return bad_request("give index and duration, e.g. /?index=0&duration=5s&error_rate=0.8");
  }
  InjectionRequest request;
  {
    const std::string& t = *index_text;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), request.index);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || request.index >= queues) {
      return bad_request("index must be a queue index from 0 to " + std::to_string(queues - 1) +
                         ", got '" + t + "'");
    }
  }
  auto duration = parse_duration(*duration_text);
  if (!duration) return bad_request("duration: " + duration.error().message);
  request.duration = *duration;
  if (rate_text) {
    const std::string& t = *rate_text;
    double& rate = request.injection.error_rate;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), rate);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !(rate >= 0 && rate <= 1)) {
      return bad_request("error_rate must be a number from 0 to 1, got '" + t + "'");
    }
  }
  if (error_text) {
    const std::string& t = *error_text;
    if (t == "transport") {
      request.injection.error = InjectedError::transport;
    } else if (t == "503") {
      request.injection.error = InjectedError::unavailable;
    } else if (t == "throttling") {
      request.injection.error = InjectedError::throttling;
    } else {
      return bad_request("error must be transport, 503 or throttling, got '" + t + "'");
    }
    if (!rate_text) {
      return bad_request("error goes with error_rate, e.g. &error_rate=0.5&error=503");
    }
  }
  if (latency_text) {
    auto latency = parse_duration(*latency_text);
    if (!latency) return bad_request("latency: " + latency.error().message);
    request.injection.latency = *latency;
  }
  if (hang_text) {
    const std::string& t = *hang_text;
    if (t == "1" || t == "true") {
      request.injection.hang = true;
    } else if (t != "0" && t != "false") {
      return bad_request("hang must be 1 (or true) or 0 (or false), got '" + t + "'");
    }
  }
  if (request.duration.count() > 0 && !rate_text && !latency_text && !hang_text) {
    return bad_request("give error_rate, latency or hang (or duration=0 to end the scenario)");
  }
  return std::optional<InjectionRequest>(request);
}

ControlServer::ControlServer(boost::asio::io_context& io, const ControlAddress& address,
                             Handler handler)
    : acceptor_(io), handler_(std::make_shared<Handler>(std::move(handler))) {
  tcp::endpoint endpoint(boost::asio::ip::make_address(address.host), address.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
}

ControlServer::~ControlServer() {
  close();
}

void ControlServer::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void ControlServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handler_)->start();
    accept();
  });
}

}  // namespace sqsctl::bench
