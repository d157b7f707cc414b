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

// Where an SSL finds its origin's TlsSessionCache (Asio keeps the app-data slot for itself).
int session_cache_index() {
  static const int index = ::SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL hands over each new session (after the handshake in TLS 1.2, with the server's
// NewSessionTicket in TLS 1.3). We keep a copy: the object itself stays the connection's
// current session, which OpenSSL marks not resumable when the connection ends without a TLS
// close_notify (we close sockets without one).
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<TlsSessionCache*>(::SSL_get_ex_data(ssl, session_cache_index()));
  if (cache != nullptr && ::SSL_SESSION_is_resumable(session) == 1) {
    if (SSL_SESSION* copy = ::SSL_SESSION_dup(session)) cache->store(copy);
  }
  return 0;  // OpenSSL drops its extra reference to `session`
}

// Offers a copy of the cached session, for the same reason: many connections may resume from
// it at once, and each marks the session it used when it closes.
bool offer_session(SSL* ssl, const TlsSessionCache& sessions) {
  if (sessions.get() == nullptr) return true;
  SSL_SESSION* copy = ::SSL_SESSION_dup(sessions.get());
  if (copy == nullptr) return false;
  const bool ok = ::SSL_set_session(ssl, copy) == 1;  // takes its own reference
  ::SSL_SESSION_free(copy);
  return ok;
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
  // Client-side session cache: ours, per origin (OpenSSL's internal store is server-side).
  ::SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  ::SSL_CTX_sess_set_new_cb(native, on_new_session);
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

TlsSessionCache::~TlsSessionCache() {
  store(nullptr);
}

void TlsSessionCache::store(SSL_SESSION* session) {
  if (session_ != nullptr) ::SSL_SESSION_free(session_);
  session_ = session;
}

bool configure_tls_session(SSL* ssl, const std::string& host, bool host_is_ip, bool verify,
                           TlsSessionCache& sessions, error_code& ec) {
  if (::SSL_set_ex_data(ssl, session_cache_index(), &sessions) != 1 ||
      !offer_session(ssl, sessions)) {
    ec = last_ssl_error();
    return false;
  }
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
