// See scripted_http_server.hpp. One io_context on one thread; each connection is a C++20
// coroutine that reads a request (hand-parsed: test code, Content-Length bodies only), asks the
// script, and acts.
#include "support/scripted_http_server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sqs::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view find_header(const std::vector<std::pair<std::string, std::string>>& headers,
                             std::string_view name, bool* found = nullptr) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) {
      if (found) *found = true;
      return v;
    }
  }
  if (found) *found = false;
  return {};
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses "METHOD target HTTP/1.1\r\nName: value\r\n..." (without the final blank line).
ReceivedRequest parse_head(std::string_view head) {
  ReceivedRequest request;
  std::size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
    throw std::runtime_error("malformed request line");
  }
  request.method = line.substr(0, sp1);
  request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string_view::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    line = head.substr(start, line_end == std::string_view::npos ? head.npos : line_end - start);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("malformed header line");
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(trim(line.substr(colon + 1))));
  }
  return request;
}

}  // namespace

// ---- ReceivedRequest and Reply ----------------------------------------------------------------

std::string_view ReceivedRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

bool ReceivedRequest::has_header(std::string_view name) const {
  bool found = false;
  find_header(headers, name, &found);
  return found;
}

Reply Reply::ok(std::string body) {
  return with_status(200, std::move(body));
}

Reply Reply::with_status(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

Reply Reply::json(int status, std::string body) {
  return with_status(status, std::move(body)).header("Content-Type", "application/x-amz-json-1.0");
}

Reply Reply::close_connection() {
  Reply reply;
  reply.kind = Kind::close;
  return reply;
}

Reply Reply::hang() {
  Reply reply;
  reply.kind = Kind::hang;
  return reply;
}

Reply Reply::partial(Reply full, std::size_t bytes) {
  full.kind = Kind::partial;
  full.partial_bytes = bytes;
  return full;
}

Reply Reply::raw(std::string bytes) {
  Reply reply;
  reply.kind = Kind::raw;
  reply.body = std::move(bytes);
  return reply;
}

Reply& Reply::header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Reply& Reply::after(std::chrono::milliseconds wait) {
  delay = wait;
  return *this;
}

Reply& Reply::then_close() {
  close_after = true;
  return *this;
}

Reply& Reply::use_chunked(std::size_t size_of_chunks) {
  chunked = true;
  chunk_size = std::max<std::size_t>(1, size_of_chunks);
  return *this;
}

std::string Reply::serialize() const {
  if (kind == Kind::raw) return body;
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out.append(reason_phrase(status)).append("\r\n");
  for (const auto& [name, value] : headers) out.append(name).append(": ").append(value) += "\r\n";
  bool has_length = false;
  bool has_encoding = false;
  find_header(headers, "Content-Length", &has_length);
  find_header(headers, "Transfer-Encoding", &has_encoding);
  if (chunked) {
    if (!has_encoding) out += "Transfer-Encoding: chunked\r\n";
    out += "\r\n";
    char size_hex[32];
    for (std::size_t at = 0; at < body.size(); at += chunk_size) {
      const std::size_t n = std::min(chunk_size, body.size() - at);
      std::snprintf(size_hex, sizeof size_hex, "%zx\r\n", n);
      out.append(size_hex).append(body, at, n) += "\r\n";
    }
    out += "0\r\n\r\n";
    return out;
  }
  if (!has_length && !has_encoding) {
    out.append("Content-Length: ").append(std::to_string(body.size())) += "\r\n";
  }
  out.append("\r\n").append(body);
  return out;
}

// ---- the server -------------------------------------------------------------------------------

struct ScriptedHttpServer::State {
  // Declared first, destroyed last: TLS streams still open in coroutine frames die with `io`.
  std::optional<asio::ssl::context> tls;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  Script script;
  std::vector<ReceivedRequest> log;
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> connections{0};

  Script current_script() {
    std::lock_guard lock(mutex);
    return script;
  }

  void record(ReceivedRequest& request) {
    {
      std::lock_guard lock(mutex);
      request.index = log.size();
      log.push_back(request);
      requests.fetch_add(1);
    }
    changed.notify_all();
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, std::size_t connection, std::string sni,
                              bool resumed) {
    std::string buffer;
    char chunk[16 * 1024];
    for (;;) {
      std::size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const std::size_t n =
            co_await stream.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buffer.append(chunk, n);
      }
      ReceivedRequest request = parse_head(std::string_view(buffer).substr(0, head_end));
      const std::string_view length_field = request.header("Content-Length");
      const std::size_t length = length_field.empty() ? 0 : std::stoull(std::string(length_field));
      const std::size_t total = head_end + 4 + length;
      while (buffer.size() < total) {
        const std::size_t n =
            co_await stream.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buffer.append(chunk, n);
      }
      request.body = buffer.substr(head_end + 4, length);
      buffer.erase(0, total);
      request.connection = connection;
      request.tls_server_name = sni;
      request.tls_session_resumed = resumed;
      record(request);

      const Reply reply = current_script()(request);
      asio::steady_timer timer(stream.get_executor());
      if (reply.kind == Reply::Kind::hang) {
        timer.expires_at(asio::steady_timer::time_point::max());
        co_await timer.async_wait(asio::use_awaitable);
        co_return;
      }
      if (reply.delay.count() > 0) {
        timer.expires_after(reply.delay);
        co_await timer.async_wait(asio::use_awaitable);
      }
      if (reply.kind == Reply::Kind::close) co_return;
      std::string wire = reply.serialize();
      if (reply.kind == Reply::Kind::partial) {
        wire.resize(std::min(wire.size(), reply.partial_bytes));
        co_await asio::async_write(stream, asio::buffer(wire), asio::use_awaitable);
        co_return;
      }
      co_await asio::async_write(stream, asio::buffer(wire), asio::use_awaitable);
      if (reply.close_after) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket socket, std::size_t connection) {
    try {
      socket.set_option(tcp::no_delay(true));
      if (tls) {
        asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
        const char* sni = ::SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        const bool resumed = ::SSL_session_reused(stream.native_handle()) == 1;
        co_await serve(stream, connection, sni ? sni : "", resumed);
      } else {
        co_await serve(socket, connection, "", false);
      }
    } catch (const std::exception&) {
      // The client went away, or sent something this test server does not parse: drop it.
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      const std::size_t index = connections.fetch_add(1);
      asio::co_spawn(io, session(std::move(socket), index), asio::detached);
    }
  }
};

ScriptedHttpServer::ScriptedHttpServer(Script script)
    : ScriptedHttpServer(std::move(script), Options{}) {}

ScriptedHttpServer::ScriptedHttpServer(Script script, Options options)
    : state_(std::make_unique<State>()) {
  state_->script = std::move(script);
  if (!options.tls_certificate_pem.empty()) {
    state_->tls.emplace(asio::ssl::context::tls_server);
    state_->tls->use_certificate_chain(asio::buffer(options.tls_certificate_pem));
    state_->tls->use_private_key(asio::buffer(options.tls_private_key_pem),
                                 asio::ssl::context::pem);
  }
  const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(local.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(local);
  state_->acceptor.listen();
  state_->port = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, state_->accept_loop(), [](std::exception_ptr) {});
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  state_->io.stop();
  state_->thread.join();
}

std::uint16_t ScriptedHttpServer::port() const {
  return state_->port;
}

std::string ScriptedHttpServer::endpoint() const {
  return std::string(state_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::size_t ScriptedHttpServer::requests_received() const {
  return state_->requests.load();
}

std::size_t ScriptedHttpServer::connections_accepted() const {
  return state_->connections.load();
}

bool ScriptedHttpServer::wait_for_requests(std::size_t count,
                                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->requests.load() >= count; });
}

std::vector<ReceivedRequest> ScriptedHttpServer::received() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}

void ScriptedHttpServer::set_script(Script script) {
  std::lock_guard lock(state_->mutex);
  state_->script = std::move(script);
}

}  // namespace sqs::test
