// TLS set-up of the pool (OpenSSL through Asio): one client context per pool, the per-connection
// settings that make verification mean something (SNI and the host-name check), and session
// resumption per origin (a reconnection, or a thousand long polls opened at once, costs an
// abbreviated handshake instead of a full one).
#pragma once

#include <memory>
#include <string>

#include <boost/system/error_code.hpp>

struct ssl_st;          // OpenSSL's SSL
struct ssl_session_st;  // OpenSSL's SSL_SESSION

namespace boost::asio::ssl {
class context;
}

namespace sqs::http {

struct PoolOptions;

// The latest resumable session of one origin (one per Origin; single-threaded like the pool).
class TlsSessionCache {
 public:
  TlsSessionCache() = default;
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  void store(ssl_session_st* session);  // takes ownership of one reference
  ssl_session_st* get() const { return session_; }
  void clear() { store(nullptr); }

 private:
  ssl_session_st* session_ = nullptr;
};

// The client context: TLS 1.2 or later; when options.verify_peer, the peer must present a chain
// to a trusted root: from options.ca_file (a PEM bundle) when set, else the system's default
// verify paths. Returns null and sets `ec` when the CA bundle cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const PoolOptions& options,
                                                            boost::system::error_code& ec);

// Before the handshake of one connection to `host`: sends SNI (for names, never for IP
// literals); when `verify`, makes OpenSSL check that the certificate matches the name or IP
// address (RFC 6125 rules, no partial wildcards); offers the session in `sessions` for
// resumption, and has new sessions stored there (`sessions` must outlive `ssl`). False and
// `ec` on failure.
bool configure_tls_session(ssl_st* ssl, const std::string& host, bool host_is_ip, bool verify,
                           TlsSessionCache& sessions, boost::system::error_code& ec);

}  // namespace sqs::http
