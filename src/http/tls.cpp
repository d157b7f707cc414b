// See tls.hpp.
#include "http/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>

#include "http/pool.hpp"

namespace sqs::http {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

error_code last_ssl_error() {
  const unsigned long code = ::ERR_get_error();
  return error_code(static_cast<int>(code), boost::asio::error::get_ssl_category());
}

}  // namespace

std::unique_ptr<ssl::context> make_tls_context(const PoolOptions& options, error_code& ec) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  if (::SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    ec = last_ssl_error();
    return nullptr;
  }
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  // Idle keep-alive connections (a thousand long polls) give their OpenSSL buffers back.
  ::SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (!options.verify_peer) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file, ec);
  } else {
    ctx->set_default_verify_paths(ec);
  }
  if (ec) return nullptr;
  return ctx;
}

bool configure_tls_session(SSL* ssl, const std::string& host, bool host_is_ip, bool verify,
                           error_code& ec) {
  // SNI carries DNS names only (RFC 6066 §3).
  if (!host_is_ip && ::SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    ec = last_ssl_error();
    return false;
  }
  if (!verify) return true;
  X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
  ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = host_is_ip ? ::X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                            : ::X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1) {
    ec = last_ssl_error();
    return false;
  }
  return true;
}

}  // namespace sqs::http
