#include "auth/http_fetch.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "auth/canonical_request.hpp"
#include "auth/environment.hpp"
#include "http/pool.hpp"

namespace sqs::auth {

struct HttpFetcher::Impl {
  boost::asio::io_context io{1};
  std::optional<http::Pool> pool;
};

HttpFetcher::HttpFetcher(std::chrono::milliseconds connect_timeout)
    : impl_(std::make_unique<Impl>()) {
  http::PoolOptions options;
  options.connect_timeout = connect_timeout;
  // Nothing may stay pending between requests: the loop runs only inside send().
  options.close_idle_in_background = false;
  options.max_idle_per_endpoint = 2;
  options.max_response_bytes = 1024 * 1024;
  if (auto ca = env_var("AWS_CA_BUNDLE")) options.ca_file = *ca;
  impl_->pool.emplace(impl_->io.get_executor(), options);
}

HttpFetcher::~HttpFetcher() {
  std::lock_guard lock(mutex_);
  impl_->pool.reset();  // before the io_context (its posted handlers are then dropped)
}

HttpOutcome HttpFetcher::send(const http::Endpoint& endpoint, http::Request request,
                              std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  std::optional<HttpOutcome> outcome;
  impl_->io.restart();
  impl_->pool->async_send(endpoint, std::move(request), timeout,
                          [&outcome](boost::system::error_code ec, http::Response response) {
                            outcome = HttpOutcome{ec, std::move(response)};
                          });
  // The pool's timer bounds the exchange, so this ends by `timeout`.
  while (!outcome && impl_->io.run_one() > 0) {
  }
  if (!outcome) outcome = HttpOutcome{boost::asio::error::operation_aborted, {}};
  return std::move(*outcome);
}

std::string describe(const boost::system::error_code& error, std::chrono::milliseconds timeout) {
  if (error == boost::asio::error::timed_out) {
    return "no answer within " + std::to_string(timeout.count()) + " ms";
  }
  return error.message();
}

std::string join_path(const http::Endpoint& endpoint, const std::string& path) {
  std::string base = endpoint.path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

std::string form_encode(
    std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    append_uri_encoded(out, name, true);
    out += '=';
    append_uri_encoded(out, value, true);
  }
  return out;
}

}  // namespace sqs::auth
