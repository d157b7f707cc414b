// Async HTTP/1.1 client: one keep-alive connection pool per endpoint, TLS with verification,
// connect and per-request timeouts. Knows nothing of AWS.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "http/types.hpp"

namespace sqs::http {

struct PoolOptions {
  std::chrono::milliseconds connect_timeout{3000};  // DNS + TCP + TLS handshake
  std::chrono::milliseconds idle_timeout{50000};    // idle keep-alive connections closed after
  std::size_t max_idle_per_endpoint = 256;
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  bool verify_peer = true;   // TLS peer and host name verification (SNI always sent)
  std::string ca_file;       // PEM bundle; empty: the system's default paths
};

// error_code: success, boost::asio::error::timed_out (connect or request deadline),
// boost::asio::error::operation_aborted (cancelled / pool destroyed), or the transport error
// (connection_refused, connection_reset, eof, TLS errors, host_not_found...).
using ResponseHandler = std::function<void(boost::system::error_code, Response)>;

class Pool {
 public:
  // All calls must be made on `executor` (one thread or a strand); handlers run there too.
  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pool();  // cancels everything in flight (handlers get operation_aborted, posted)
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Sends `request` to `endpoint` on an idle kept-alive connection or a new one. `timeout`
  // bounds the whole exchange (connect included). A reused connection that turns out to be
  // closed by the server before any answer byte is retried once on a fresh connection.
  // The handler is called exactly once, never inline from async_send.
  void async_send(const Endpoint& endpoint, Request request, std::chrono::milliseconds timeout,
                  ResponseHandler handler);

  // Completes every request in flight with operation_aborted and closes all connections.
  void cancel_all();

  // Connections open now (idle + busy), for tests and metrics.
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sqs::http
