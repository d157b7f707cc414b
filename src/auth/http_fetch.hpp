// Blocking HTTP for the credential providers' fetches, which run on a credentials cache's worker
// thread (never on a client's event loop). Each fetcher owns an io_context and an http::Pool
// that run on the calling thread only while a request is in flight: no thread of its own, and
// kept-alive connections are reused between refreshes.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <boost/system/error_code.hpp>

#include "http/types.hpp"

namespace sqs::auth {

struct HttpOutcome {
  boost::system::error_code error;  // transport failure or timeout; else `response` is set
  http::Response response;
};

class HttpFetcher {
 public:
  // `connect_timeout` bounds DNS + TCP + TLS within each request's timeout. TLS uses
  // AWS_CA_BUNDLE when set.
  explicit HttpFetcher(std::chrono::milliseconds connect_timeout);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Thread-safe (requests are serialised), blocking for `timeout` at most.
  HttpOutcome send(const http::Endpoint& endpoint, http::Request request,
                   std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

// "connection refused", "no answer within 1000 ms"... for error messages.
std::string describe(const boost::system::error_code& error, std::chrono::milliseconds timeout);

// The target of `endpoint`'s path joined with `path` ("/base" + "/x" -> "/base/x").
std::string join_path(const http::Endpoint& endpoint, const std::string& path);

// application/x-www-form-urlencoded of name=value pairs (RFC 3986 unreserved kept).
std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

}  // namespace sqs::auth
