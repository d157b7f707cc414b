// One HTTP/1.1 connection of the pool (plain TCP or TLS) and the exchange it carries: connect
// (DNS, TCP, TLS handshake), write the request, read the response, then go back to the pool idle
// or close. One steady_timer per connection serves the connect, request and idle deadlines; it is
// re-armed lazily (only when a deadline moves earlier than the armed expiry), so a request on a
// kept-alive connection normally costs no timer operation at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/pool_core.hpp"
#include "http/response_reader.hpp"

namespace sqs::http::detail {

// What one request needs while it is in flight. Moved to a fresh connection on a retry.
struct Exchange {
  std::string head;  // request line and headers (request_head.hpp); buffer reused
  std::size_t head_size = 0;
  std::string body;
  ResponseHandler handler;  // empty once completed
  std::uint64_t id = 0;     // the pool's id of the request (Pool::cancel)
  Clock::time_point deadline{};
  bool head_request = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<PoolCore> core, Origin& origin);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Filled by the pool before start().
  Exchange& exchange() { return exchange_; }
  // Runs the exchange; on a fresh connection, connects first. `reused`: the connection carried
  // an earlier exchange (so a failure before any answer byte may be a stale-connection race).
  void start(bool reused, Clock::time_point now);

  // Stops everything without calling the handler (already completed or taken).
  void close();
  // Completes the exchange in flight, if any, with `ec` (posted), then closes.
  void abort(boost::system::error_code ec);

  // The origin's addresses are known (or could not be resolved: `ec`).
  void addresses_ready(boost::system::error_code ec);

  // Idle state, for the pool.
  void go_idle(Clock::time_point now);
  bool is_idle() const { return state_ == State::idle; }
  bool is_closed() const { return state_ == State::closed; }
  Clock::time_point idle_since() const { return idle_since_; }
  // False when the peer has visibly closed an idle connection (checked before reusing one that
  // sat idle for a while; costs one non-blocking recv).
  bool looks_alive();

  std::size_t live_index = 0;  // position in PoolCore::live_

 private:
  enum class State { connecting, busy, idle, closed };
  using tcp = boost::asio::ip::tcp;

  void connect();
  void connect_to_addresses();
  void on_connected(boost::system::error_code ec);
  void on_handshake(boost::system::error_code ec);
  void send_request();
  void on_written(boost::system::error_code ec);
  boost::asio::mutable_buffer read_space();
  void read_some();
  // Takes the result of one read; true when the exchange is over (completed or failed), after
  // which nothing of this connection may be touched by the caller but through its own `self`.
  bool consume(boost::system::error_code ec, std::size_t bytes);
  void finish();
  void fail(boost::system::error_code ec);
  void complete(boost::system::error_code ec);  // calls the handler now, after closing

  void arm(Clock::time_point deadline);
  void on_timer(boost::system::error_code ec);
  void expire();

  std::shared_ptr<PoolCore> core_;  // first member: outlives the sockets below
  Origin& origin_;                  // owned by core_, never erased
  State state_ = State::connecting;
  bool reused_ = false;
  tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<tcp::socket&>> tls_;
  boost::asio::steady_timer timer_;
  Clock::time_point deadline_{};  // of the current state (connect, request or idle)
  int timer_waits_ = 0;           // outstanding async_wait calls
  Clock::time_point idle_since_{};
  Exchange exchange_;
  Response response_;
  ResponseReader reader_;
  std::size_t answer_bytes_ = 0;  // bytes of the answer received so far
  // Read buffer: [read_begin_, read_end_) holds bytes not yet consumed by the parser.
  std::unique_ptr<char[]> read_buffer_;
  std::size_t read_capacity_ = 0;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;
  bool grow_read_buffer_ = false;  // the last read filled the buffer: a large answer
};

}  // namespace sqs::http::detail
