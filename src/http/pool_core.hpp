// Internals of http::Pool (no Beast): the origins with their idle keep-alive connections, the
// list of open connections, DNS and TLS state shared by the connections. Connection (see
// connection.hpp) runs one exchange at a time and hands itself back here when it is done.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/pool.hpp"
#include "http/tls.hpp"

namespace boost::asio::ssl {
class context;
}

namespace sqs::http::detail {

using Clock = std::chrono::steady_clock;
class Connection;

// Everything known about one scheme://host:port.
struct Origin {
  bool tls = false;
  std::string host;
  std::string service;  // the port, as getaddrinfo wants it
  bool host_is_ip = false;
  std::vector<boost::asio::ip::tcp::endpoint> addresses;  // resolved (or the IP literal)
  Clock::time_point resolved_at{};
  // One resolution at a time per origin: a thousand connections opened at once wait for the
  // same answer instead of queueing a thousand getaddrinfo calls on Asio's resolver thread.
  bool resolving = false;
  unsigned resolve_generation = 0;  // bumped by cancel_all: a cancelled answer is ignored
  std::vector<std::shared_ptr<Connection>> awaiting_addresses;
  std::vector<std::shared_ptr<Connection>> idle;  // kept-alive, most recently used last (LIFO)
  Clock::time_point swept_at{};                   // last sweep of the oldest idle ones
  TlsSessionCache tls_sessions;
};

class PoolCore : public std::enable_shared_from_this<PoolCore> {
 public:
  PoolCore(boost::asio::any_io_executor executor, PoolOptions options);
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  // The operations of http::Pool.
  std::uint64_t async_send(const Endpoint& endpoint, Request request,
                           std::chrono::milliseconds timeout, ResponseHandler handler);
  void cancel(std::uint64_t id);
  void cancel_all();
  void shutdown();  // cancel_all, and refuse new requests (the Pool is gone)
  // From any thread.
  std::size_t open_connections() const { return open_count_.load(std::memory_order_relaxed); }
  std::uint64_t connections_opened() const { return opened_.load(std::memory_order_relaxed); }

  // For connections.
  const PoolOptions& options() const { return options_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }
  boost::asio::ip::tcp::resolver& resolver() { return resolver_; }
  boost::asio::ssl::context& tls_context() { return *tls_context_; }  // set before any TLS use
  // Resolved addresses are reused for new connections this long (AWS publishes 60 s TTLs).
  static constexpr std::chrono::seconds kDnsCacheTtl{30};
  // Resolves origin.host (or joins the resolution in flight); calls addresses_ready() on
  // `connection` when done.
  void resolve(Origin& origin, std::shared_ptr<Connection> connection);
  // A new connection to `origin`, counted as open (the caller starts it).
  std::shared_ptr<Connection> open_connection(Origin& origin);
  // Keeps a connection that finished an exchange as idle; false (caller closes it) when the
  // origin already has max_idle_per_endpoint idle connections or the pool is shut down.
  bool park(std::shared_ptr<Connection> connection, Origin& origin);
  // An idle connection closes (idle timeout): it leaves its origin's idle list.
  void unpark(Connection& connection, Origin& origin);
  // A connection closes: it is no longer counted as open.
  void detach(Connection& connection);

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using OriginMap =
      std::unordered_map<std::string, std::unique_ptr<Origin>, KeyHash, std::equal_to<>>;

  Origin& origin_for(const Endpoint& endpoint);
  std::shared_ptr<Connection> take_idle(Origin& origin, Clock::time_point now);
  void sweep_oldest(Origin& origin, Clock::time_point now);
  void post_completion(ResponseHandler handler, boost::system::error_code ec);

  boost::asio::any_io_executor executor_;
  PoolOptions options_;
  boost::asio::ip::tcp::resolver resolver_;
  std::unique_ptr<boost::asio::ssl::context> tls_context_;  // created at the first TLS request
  boost::system::error_code tls_error_;                     // why it could not be
  OriginMap origins_;
  std::vector<Connection*> live_;  // every open connection (Connection::live_index_ into it)
  // live_.size() and the connections ever opened, for readers on other threads.
  std::atomic<std::size_t> open_count_{0};
  std::atomic<std::uint64_t> opened_{0};
  std::uint64_t next_request_id_ = 0;
  std::string key_scratch_;   // origin key of the current request, without allocating
  std::string head_scratch_;  // request head being written, swapped into the connection
  bool shut_down_ = false;
};

}  // namespace sqs::http::detail
