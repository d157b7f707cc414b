// Async HTTP/1.1 client: one keep-alive connection pool per endpoint, TLS with verification,
// connect and per-request timeouts. Knows nothing of AWS.
//
// Threading: a Pool is not thread-safe. Every call must be made on the executor given to the
// constructor (an io_context run by one thread, or a strand), and every handler runs there.
// Concurrency is connections, not threads: a thousand requests in flight cost a thousand
// sockets (and a few KiB each), never a thread each. No limit on connections per endpoint.
//
// Lifetime: destroy the Pool before its execution context. Destroying it completes everything
// in flight with operation_aborted (posted: those handlers run after the Pool is gone, so they
// must not use it) and closes every connection; internal state lives on, hidden, until the
// last pending socket operation has drained. A handler may destroy the Pool.
//
// Per request: an idle kept-alive connection of the endpoint's origin is reused (most recently
// used first, probed if idle for over a second), else a new one is opened (DNS resolution shared
// by concurrent connections and cached 30 s; TCP_NODELAY; TLS with SNI, host-name verification
// and session resumption). A connection serves one request at a time (no pipelining), goes back
// to the pool when the answer is complete and both sides allow keep-alive, and is closed after
// idle_timeout, on any error or timeout, or when the origin already has max_idle_per_endpoint
// idle connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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
  // True: a timer closes idle connections when idle_timeout passes. False: no operation stays
  // pending while the pool is idle (so an io_context shared with the application runs out of
  // work when the application's does); stale connections are dropped when next taken.
  bool close_idle_in_background = true;
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  bool verify_peer = true;  // TLS peer and host name verification (SNI always sent)
  std::string ca_file;      // PEM bundle; empty: the system's default paths
};

// error_code: success (any HTTP status: a 4xx or 5xx answer is a Response, not an error),
// boost::asio::error::timed_out (connect or request deadline), operation_aborted (cancel_all,
// Pool destroyed), invalid_argument (a request whose method, target or headers would break the
// framing: CR/LF/NUL, non-token names), or a transport error: connection_refused,
// connection_reset, eof (closed before any answer byte), host_not_found, TLS errors (SSL
// category: unknown CA, name mismatch...), Beast's http errors for a malformed or cut-short
// answer (partial_message) or one over max_response_bytes (body_limit). Every error but
// invalid_argument means "the request may or may not have been processed".
using ResponseHandler = std::function<void(boost::system::error_code, Response)>;

class Pool {
 public:
  // All calls must be made on `executor` (one thread or a strand); handlers run there too.
  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pool();  // cancels everything in flight (handlers get operation_aborted, posted)
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Sends `request` to `endpoint` on an idle kept-alive connection or a new one. `timeout`
  // bounds the whole exchange (connect included; connect_timeout bounds DNS + TCP + TLS within
  // it). A reused connection that turns out to be closed by the server before any answer byte
  // (eof / reset on write or first read) is retried once on a fresh connection; a fresh
  // connection's failure is reported. The request body is moved, never copied (over TLS a body
  // up to 16 KiB is copied once, next to the head, to share one TLS record). Host and
  // Content-Length are set here (any given in request.headers are ignored).
  // The handler is called exactly once, never inline from async_send.
  // Returns the request's id, for cancel() (never 0).
  std::uint64_t async_send(const Endpoint& endpoint, Request request,
                           std::chrono::milliseconds timeout, ResponseHandler handler);

  // Completes the request `id` with operation_aborted if it is still in flight, and closes its
  // connection (the only way to stop an HTTP/1.1 exchange); does nothing once it completed.
  void cancel(std::uint64_t id);
  // Completes every request in flight with operation_aborted and closes all connections.
  void cancel_all();

  // Connections open now (idle + busy), for tests and metrics.
  std::size_t open_connections() const;
  // Connections opened since the pool was made (TCP connects started), closed or not.
  // Both counts may be read from any thread (they are atomics).
  std::uint64_t connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sqs::http
