#include "client/operation.hpp"

#include <algorithm>
#include <cmath>

namespace sqs::detail {

Error cancelled_error() {
  return Error::make(ErrorKind::cancelled, "Cancelled",
                     "the client was destroyed or the call cancelled before it completed");
}

Error transport_error(const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  Error e;
  if (ec == boost::asio::error::timed_out) {
    e.kind = ErrorKind::timeout;
    e.code = "RequestTimeout";
    e.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  } else if (ec == boost::asio::error::invalid_argument) {
    // The HTTP layer refused the request itself (a header it cannot send): sending it again
    // would fail the same way.
    e.kind = ErrorKind::transport;
    e.code = "InvalidRequest";
    e.message = ec.message();
    return e;
  } else {
    e.kind = ErrorKind::transport;
    e.code = "TransportError";
    e.message = ec.message();
  }
  e.retryable = true;
  return e;
}

std::string_view request_id_of(const http::Response& response) {
  auto id = response.header("x-amzn-RequestId");
  if (id.empty()) id = response.header("x-amz-request-id");
  return id;
}

Result<http::Request> make_http_request(ClientImpl& client, std::string_view target,
                                        const std::string& body) {
  const auto& config = client.config();
  auto credentials = config.credentials->credentials();
  if (!credentials) return std::move(credentials).error();
  const auto& endpoint = config.endpoint;

  constexpr std::string_view content_type = "application/x-amz-json-1.0";
  const auth::HeaderView to_sign[] = {
      {"content-type", content_type},
      {"host", endpoint.host_header},
      {"x-amz-target", target},
  };
  auth::SigningInput input;
  input.method = "POST";
  input.path = endpoint.path;
  input.headers = to_sign;
  input.payload = body;
  input.region = config.region;
  input.service = "sqs";
  input.time = std::chrono::system_clock::now();
  auto signature = client.signer().sign(input, *credentials);

  http::Request request;
  request.method = "POST";
  request.target = endpoint.path;
  request.headers.reserve(6);
  request.headers.push_back({"Content-Type", std::string(content_type)});
  request.headers.push_back({"X-Amz-Target", std::string(target)});
  request.headers.push_back({"X-Amz-Date", std::move(signature.amz_date)});
  if (!signature.security_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", std::move(signature.security_token)});
  }
  request.headers.push_back({"Authorization", std::move(signature.authorization)});
  request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
  request.body = body;
  return request;
}

std::chrono::milliseconds backoff_delay(ClientImpl& client, const Error& error, int retry) {
  const auto& r = client.config().config.retry;
  auto base = error.throttling ? r.throttling_base_delay : r.base_delay;
  double cap = static_cast<double>(r.max_backoff.count());
  double exp = static_cast<double>(base.count()) * std::pow(2.0, std::max(0, retry - 1));
  return std::chrono::milliseconds(
      static_cast<long long>(client.random_unit() * std::min(exp, cap)));
}

}  // namespace sqs::detail
