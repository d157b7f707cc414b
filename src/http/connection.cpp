// See connection.hpp. Every completion checks the state first: a connection closed by a timeout,
// cancel_all() or the pool's destruction ignores whatever its pending operations report.
#include "http/connection.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "http/tls.hpp"

namespace sqs::http::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// An idle connection older than this is probed (one recv) before being reused.
constexpr auto kProbeAfterIdle = std::chrono::seconds(1);
// Over TLS, a body up to this size is sent in the same record as the head (one copy saves a
// record and a packet); larger bodies, and every body over plain TCP, are written in place.
constexpr std::size_t kCoalesceBodyLimit = 16 * 1024;
constexpr std::size_t kReadBufferInitial = 4 * 1024;
constexpr std::size_t kReadBufferMaxGrowth = 64 * 1024;
constexpr std::size_t kReadBufferKeptIdle = 16 * 1024;

// Errors by which a server that closed a kept-alive connection shows itself.
bool is_stale_connection_error(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::ssl::error::stream_truncated;
}

bool is_end_of_stream(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

Connection::Connection(std::shared_ptr<PoolCore> core, Origin& origin)
    : core_(std::move(core)),
      origin_(origin),
      socket_(core_->executor()),
      timer_(core_->executor()) {}

Connection::~Connection() {
  if (state_ != State::closed) core_->detach(*this);
}

void Connection::start(bool reused, Clock::time_point now) {
  reused_ = reused;
  answer_bytes_ = 0;
  if (reused) {
    state_ = State::busy;
    arm(exchange_.deadline);
    send_request();
    return;
  }
  state_ = State::connecting;
  arm(std::min(exchange_.deadline, now + core_->options().connect_timeout));
  connect();
}

// ---- connecting -------------------------------------------------------------------------------

void Connection::connect() {
  if (!origin_.addresses.empty() &&
      (origin_.host_is_ip || Clock::now() - origin_.resolved_at < PoolCore::kDnsCacheTtl)) {
    connect_to_addresses();
    return;
  }
  core_->resolve(origin_, shared_from_this());
}

void Connection::addresses_ready(error_code ec) {
  if (state_ != State::connecting) return;
  if (ec) return fail(ec);
  connect_to_addresses();
}

void Connection::connect_to_addresses() {
  asio::async_connect(
      socket_, origin_.addresses,
      [self = shared_from_this()](error_code ec, const tcp::endpoint&) { self->on_connected(ec); });
}

void Connection::on_connected(error_code ec) {
  if (state_ != State::connecting) return;
  if (ec) {
    if (!origin_.host_is_ip) origin_.resolved_at = {};  // resolve again next time
    return fail(ec);
  }
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);  // small requests: never wait for Nagle
  // The synchronous write in send_request must never block the event loop: would_block instead.
  socket_.non_blocking(true, ec);
  if (ec) return fail(ec);
  if (!origin_.tls) {
    state_ = State::busy;
    arm(exchange_.deadline);
    return send_request();
  }
  tls_.emplace(socket_, core_->tls_context());
  if (!configure_tls_session(tls_->native_handle(), origin_.host, origin_.host_is_ip,
                             core_->options().verify_peer, origin_.tls_sessions, ec)) {
    return fail(ec);
  }
  tls_->async_handshake(asio::ssl::stream_base::client,
                        [self = shared_from_this()](error_code e) { self->on_handshake(e); });
}

void Connection::on_handshake(error_code ec) {
  if (state_ != State::connecting) return;
  if (ec) {
    origin_.tls_sessions.clear();  // never offer a session again to a server that failed us
    return fail(ec);
  }
  state_ = State::busy;
  arm(exchange_.deadline);
  send_request();
}

// ---- one exchange -----------------------------------------------------------------------------

void Connection::send_request() {
  Exchange& ex = exchange_;
  ex.head.resize(ex.head_size);  // drop a body coalesced by an earlier attempt
  auto written = [self = shared_from_this()](error_code ec, std::size_t) { self->on_written(ec); };
  if (tls_) {
    if (!ex.body.empty() && ex.body.size() <= kCoalesceBodyLimit) {
      ex.head.append(ex.body);
      asio::async_write(*tls_, asio::buffer(ex.head), std::move(written));
    } else {
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(ex.head), asio::buffer(ex.body)};
      asio::async_write(*tls_, buffers, std::move(written));
    }
    return;
  }
  // Plain TCP: the socket buffer almost always takes a whole request at once, so write now (one
  // writev) and skip a trip through the scheduler; finish asynchronously only what is left.
  std::array<asio::const_buffer, 2> buffers{asio::buffer(ex.head), asio::buffer(ex.body)};
  error_code ec;
  std::size_t sent = socket_.write_some(buffers, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    // Reported later: this may run inside async_send, which never completes inline.
    asio::post(core_->executor(), [self = shared_from_this(), ec]() { self->on_written(ec); });
    return;
  }
  if (sent == ex.head.size() + ex.body.size()) return on_written({});
  for (auto& buffer : buffers) {
    const std::size_t skip = std::min(sent, buffer.size());
    buffer += skip;
    sent -= skip;
  }
  asio::async_write(socket_, buffers, std::move(written));
}

void Connection::on_written(error_code ec) {
  if (state_ != State::busy) return;
  if (ec) return fail(ec);
  reader_.start(response_, core_->options().max_response_bytes, exchange_.head_request);
  read_some();
}

asio::mutable_buffer Connection::read_space() {
  // Keep the unparsed tail at the front; grow when a read filled the whole free space (a large
  // answer), up to a bound (the parser limits headers anyway).
  if (read_begin_ == read_end_) {
    read_begin_ = read_end_ = 0;
  } else if (read_begin_ > 0) {
    std::memmove(read_buffer_.get(), read_buffer_.get() + read_begin_, read_end_ - read_begin_);
    read_end_ -= read_begin_;
    read_begin_ = 0;
  }
  if (read_end_ == read_capacity_ || grow_read_buffer_) {
    grow_read_buffer_ = false;
    const std::size_t capacity = std::max(kReadBufferInitial, read_capacity_ * 2);
    auto grown = std::make_unique<char[]>(capacity);
    if (read_end_ > 0) std::memcpy(grown.get(), read_buffer_.get(), read_end_);
    read_buffer_ = std::move(grown);
    read_capacity_ = capacity;
  }
  return asio::buffer(read_buffer_.get() + read_end_, read_capacity_ - read_end_);
}

void Connection::read_some() {
  // No wait-then-read: Asio remembers that the last read drained the socket and queues this one
  // for epoll without trying it first, so an answer costs one epoll_wait and one recv.
  auto on_read = [self = shared_from_this()](error_code ec, std::size_t n) {
    if (!self->consume(ec, n)) self->read_some();
  };
  if (tls_) {
    tls_->async_read_some(read_space(), std::move(on_read));
  } else {
    socket_.async_read_some(read_space(), std::move(on_read));
  }
}

bool Connection::consume(error_code ec, std::size_t bytes) {
  if (state_ != State::busy) return true;
  if (bytes > 0) {
    const bool filled = read_end_ + bytes == read_capacity_;
    read_end_ += bytes;
    answer_bytes_ += bytes;
    error_code parse_ec;
    read_begin_ +=
        reader_.feed(read_buffer_.get() + read_begin_, read_end_ - read_begin_, parse_ec);
    if (parse_ec) {
      fail(parse_ec);
      return true;
    }
    if (reader_.done()) {
      finish();
      return true;
    }
    if (filled && read_capacity_ < kReadBufferMaxGrowth) grow_read_buffer_ = true;
  }
  if (ec) {
    if (is_end_of_stream(ec) && answer_bytes_ > 0) {
      // A body delimited by the end of the connection, or an answer cut short.
      error_code eof_ec;
      reader_.feed_eof(eof_ec);
      if (!eof_ec && reader_.done()) {
        finish();
      } else {
        fail(eof_ec ? eof_ec : ec);
      }
      return true;
    }
    fail(ec);
    return true;
  }
  return false;
}

void Connection::finish() {
  // Leftover bytes after a complete answer mean the server does not speak plain HTTP/1.1 as we
  // do: never reuse such a connection.
  const bool keep_alive = reader_.keep_alive() && read_begin_ == read_end_;
  ResponseHandler handler = std::move(exchange_.handler);
  exchange_.handler = nullptr;
  exchange_.body = std::string();  // the request body may be large: free it now
  Response response = std::move(response_);
  auto self = shared_from_this();
  if (keep_alive) {
    go_idle(Clock::now());
    if (!core_->park(self, origin_)) close();
  } else {
    close();
  }
  // Last: the handler may send again (and get this very connection) or destroy the pool.
  handler(error_code{}, std::move(response));
}

void Connection::fail(error_code ec) {
  if (!exchange_.handler) return close();
  if (reused_ && answer_bytes_ == 0 && is_stale_connection_error(ec)) {
    // The server closed this idle connection while we sent on it: the request never reached
    // an application, so try once more on a fresh connection, as if nothing happened.
    auto fresh = core_->open_connection(origin_);
    std::swap(fresh->exchange(), exchange_);
    close();
    fresh->start(false, Clock::now());
    return;
  }
  complete(ec);
}

void Connection::complete(error_code ec) {
  ResponseHandler handler = std::move(exchange_.handler);
  exchange_.handler = nullptr;
  auto self = shared_from_this();
  close();
  if (handler) handler(ec, Response{});
}

// ---- idle, close, abort -----------------------------------------------------------------------

void Connection::go_idle(Clock::time_point now) {
  state_ = State::idle;
  idle_since_ = now;
  // A large answer grew the read buffer: give it back while idle (idle connections add up).
  if (read_capacity_ > kReadBufferKeptIdle && read_begin_ == read_end_) {
    read_buffer_.reset();
    read_capacity_ = read_begin_ = read_end_ = 0;
  }
  grow_read_buffer_ = false;
  if (core_->options().close_idle_in_background) {
    arm(now + core_->options().idle_timeout);
  } else {
    // Nothing may stay pending on an idle connection (it would keep a user's io_context::run()
    // from returning): the idle timeout is enforced when the connection is next taken.
    deadline_ = now + core_->options().idle_timeout;
    timer_.cancel();
  }
}

bool Connection::looks_alive() {
  if (Clock::now() - idle_since_ < kProbeAfterIdle) return true;
  char byte;
  const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;  // orderly close by the peer
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  // Unsolicited bytes: over TLS, likely a session ticket (harmless); over plain HTTP, garbage.
  return origin_.tls;
}

void Connection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  error_code ignored;
  socket_.close(ignored);  // pending operations complete with operation_aborted
  timer_.cancel();
  core_->detach(*this);
}

void Connection::abort(error_code ec) {
  if (exchange_.handler) {
    asio::post(core_->executor(),
               [handler = std::move(exchange_.handler), ec]() { handler(ec, Response{}); });
    exchange_.handler = nullptr;
  }
  close();
}

// ---- the one timer ----------------------------------------------------------------------------

void Connection::arm(Clock::time_point deadline) {
  deadline_ = deadline;
  if (timer_waits_ > 0 && timer_.expiry() <= deadline) return;  // it will wake up and re-arm
  timer_.expires_at(deadline);  // a pending wait completes with operation_aborted
  ++timer_waits_;
  timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_timer(ec); });
}

void Connection::on_timer(error_code) {
  --timer_waits_;
  if (state_ == State::closed || timer_waits_ > 0) return;  // closed, or superseded
  if (state_ == State::idle && !core_->options().close_idle_in_background) return;
  if (Clock::now() < deadline_) {
    timer_.expires_at(deadline_);
    ++timer_waits_;
    timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_timer(ec); });
    return;
  }
  expire();
}

void Connection::expire() {
  if (state_ == State::idle) {
    core_->unpark(*this, origin_);
    return close();
  }
  complete(asio::error::timed_out);
}

}  // namespace sqs::http::detail
