#include "auth/sts_client.hpp"

#include <boost/asio/error.hpp>
#include <thread>

#include "auth/provider_support.hpp"
#include "auth/sts_xml.hpp"

namespace sqs::auth {
namespace {

constexpr int kAttempts = 3;

bool retryable_code(const std::string& code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestThrottled" ||
         code == "IDPCommunicationError" || code == "ServiceUnavailable" ||
         code == "InternalFailure";
}

}  // namespace

std::string default_session_name(std::chrono::system_clock::time_point now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return "aws-cpp-sqs-" + std::to_string(ms);
}

StsClient::StsClient(ServiceEndpoint endpoint, std::chrono::milliseconds timeout, std::string who)
    : endpoint_(std::move(endpoint)), timeout_(timeout), who_(std::move(who)), http_(timeout) {}

Result<Credentials> StsClient::assume_role_with_web_identity(const std::string& role_arn,
                                                             const std::string& session_name,
                                                             const std::string& token) {
  const std::string body = form_encode({{"Action", "AssumeRoleWithWebIdentity"},
                                        {"Version", "2011-06-15"},
                                        {"RoleArn", role_arn},
                                        {"RoleSessionName", session_name},
                                        {"WebIdentityToken", token}});
  return call("AssumeRoleWithWebIdentity", role_arn, body, nullptr, {}, token);
}

Result<Credentials> StsClient::assume_role(const Credentials& source, const AssumeRoleOptions& role,
                                           std::chrono::system_clock::time_point now) {
  const std::string session =
      role.role_session_name.empty() ? default_session_name(now) : role.role_session_name;
  const std::string duration = role.duration_seconds ? std::to_string(*role.duration_seconds) : "";
  std::string body = form_encode({{"Action", "AssumeRole"},
                                  {"Version", "2011-06-15"},
                                  {"RoleArn", role.role_arn},
                                  {"RoleSessionName", session}});
  if (!duration.empty()) body += "&" + form_encode({{"DurationSeconds", duration}});
  if (!role.external_id.empty()) body += "&" + form_encode({{"ExternalId", role.external_id}});
  return call("AssumeRole", role.role_arn, body, &source, now, source.secret_access_key);
}

Result<Credentials> StsClient::call(const std::string& action, const std::string& role_arn,
                                    const std::string& body, const Credentials* sign,
                                    std::chrono::system_clock::time_point now,
                                    std::string_view secret) {
  const std::string what = who_ + ": STS " + action + " of " + role_arn + " at " + endpoint_.url;
  constexpr std::string_view content_type = "application/x-www-form-urlencoded; charset=utf-8";
  Error last;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(100 << (attempt - 2)));
    http::Request request;
    request.method = "POST";
    request.target = endpoint_.endpoint.path;
    request.headers.push_back({"Content-Type", std::string(content_type)});
    request.headers.push_back({"Accept", "application/xml"});
    request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
    if (sign != nullptr) {
      const HeaderView to_sign[] = {{"content-type", content_type},
                                    {"host", endpoint_.endpoint.host_header}};
      SigningInput input;
      input.method = "POST";
      input.path = endpoint_.endpoint.path;
      input.headers = to_sign;
      input.payload = body;
      input.region = endpoint_.region;
      input.service = "sts";
      input.time = now;
      auto signature = signer_.sign(input, *sign);
      request.headers.push_back({"X-Amz-Date", std::move(signature.amz_date)});
      if (!signature.security_token.empty()) {
        request.headers.push_back({"X-Amz-Security-Token", std::move(signature.security_token)});
      }
      request.headers.push_back({"Authorization", std::move(signature.authorization)});
    }
    request.body = body;
    auto outcome = http_.send(endpoint_.endpoint, std::move(request), timeout_);
    if (outcome.error) {
      last = Error::make(outcome.error == boost::asio::error::timed_out ? ErrorKind::timeout
                                                                        : ErrorKind::transport,
                         kFetchFailed, what + ": " + describe(outcome.error, timeout_));
      last.retryable = true;
      continue;
    }
    const auto& response = outcome.response;
    if (response.status >= 200 && response.status < 300) {
      auto c = parse_sts_credentials(response.body, action);
      if (!c) {
        Error e = std::move(c).error();
        e.message = who_ + ": " + e.message;
        return e;
      }
      return c;
    }
    Error e;
    e.http_status = response.status;
    if (auto sts = parse_sts_error(response.body)) {
      e.code = sts->code;
      e.request_id = sts->request_id;
      e.message = redact(what + ": " + sts->code + ": " + sts->message, {secret});
    } else {
      e.code = kFetchFailed;
      e.message = what + ": HTTP " + std::to_string(response.status) + " without an STS error";
    }
    e.request_id =
        e.request_id.empty() ? std::string(response.header("x-amzn-RequestId")) : e.request_id;
    e.retryable = response.status >= 500 || retryable_code(e.code);
    e.throttling = e.code.find("hrottl") != std::string::npos;
    e.kind = e.retryable ? ErrorKind::service : ErrorKind::configuration;
    last = std::move(e);
    if (!last.retryable) break;
  }
  return last;
}

}  // namespace sqs::auth
