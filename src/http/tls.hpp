// TLS set-up of the pool (OpenSSL through Asio): one client context per pool, and the per-
// connection settings that make verification mean something (SNI and the host-name check).
#pragma once

#include <memory>
#include <string>

#include <boost/system/error_code.hpp>

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}

namespace sqs::http {

struct PoolOptions;

// The client context: TLS 1.2 or later; when options.verify_peer, the peer must present a chain
// to a trusted root: from options.ca_file (a PEM bundle) when set, else the system's default
// verify paths. Returns null and sets `ec` when the CA bundle cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const PoolOptions& options,
                                                            boost::system::error_code& ec);

// Before the handshake of one connection to `host`: sends SNI (for names, never for IP
// literals) and, when `verify`, makes OpenSSL check that the certificate matches the name or
// IP address (RFC 6125 rules, no partial wildcards). False and `ec` on failure.
bool configure_tls_session(ssl_st* ssl, const std::string& host, bool host_is_ip, bool verify,
                           boost::system::error_code& ec);

}  // namespace sqs::http
