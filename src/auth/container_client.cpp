#include "auth/container_client.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>

#include "auth/environment.hpp"
#include "auth/json_credentials.hpp"
#include "auth/provider_support.hpp"

namespace sqs::auth {
namespace {

constexpr const char* kWho = "container";
constexpr int kAttempts = 2;

// Plain http is allowed only to hosts that cannot be on the way to somewhere else.
bool http_allowed(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_loopback()) return true;
  const std::string canonical = address.to_string();
  return canonical == "169.254.170.2" || canonical == "169.254.170.23" ||
         canonical == "fd00:ec2::23";
}

}  // namespace

std::optional<Result<ContainerSettings>> container_settings() {
  auto relative = env_var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  auto full = env_var("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative && !full) return std::nullopt;
  ContainerSettings s;
  std::string why;
  if (relative) {
    if (relative->empty() || relative->front() != '/') {
      return Result<ContainerSettings>(credentials_error(
          kInvalidConfig,
          std::string(kWho) + ": AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'"));
    }
    s.url = "http://169.254.170.2" + *relative;
  } else {
    s.url = *full;
  }
  // The endpoint is the URL without its query, which goes into the request target.
  const std::string base = s.url.substr(0, s.url.find_first_of("?#"));
  auto endpoint = http::Endpoint::parse(base, &why);
  if (!endpoint) {
    return Result<ContainerSettings>(
        credentials_error(kInvalidConfig, std::string(kWho) + ": bad AWS_CONTAINER_CREDENTIALS_" +
                                              (relative ? "RELATIVE_URI: " : "FULL_URI: ") + why));
  }
  if (!relative && !endpoint->tls && !http_allowed(endpoint->host)) {
    return Result<ContainerSettings>(credentials_error(
        kInvalidConfig, std::string(kWho) +
                            ": AWS_CONTAINER_CREDENTIALS_FULL_URI over http must name a "
                            "loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 "
                            "(got host '" +
                            endpoint->host + "'); use https for any other host"));
  }
  s.endpoint = *endpoint;
  s.target = endpoint->path;
  if (const auto q = s.url.find('?'); q != std::string::npos) {
    s.target += s.url.substr(q, s.url.find('#', q) - q);
  }
  return Result<ContainerSettings>(std::move(s));
}

ContainerClient::ContainerClient(ContainerSettings settings, std::chrono::milliseconds timeout)
    : settings_(std::move(settings)), timeout_(timeout), http_(timeout) {}

Result<Credentials> ContainerClient::credentials() {
  std::string token;
  if (auto file = env_var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auto text = read_text_file(*file);
    if (!text) {
      return credentials_error(kInvalidConfig, std::string(kWho) +
                                                   ": cannot read AWS_CONTAINER_AUTHORIZATION_"
                                                   "TOKEN_FILE " +
                                                   *file);
    }
    token = std::move(*text);
  } else if (auto value = env_var("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = std::move(*value);
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return credentials_error(kInvalidConfig,
                             std::string(kWho) +
                                 ": the authorization token contains a CR or LF character, which "
                                 "would break the request's headers");
  }
  Error last;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    http::Request request;
    request.method = "GET";
    request.target = settings_.target;
    request.headers.push_back({"Accept", "application/json"});
    request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
    if (!token.empty()) request.headers.push_back({"Authorization", token});
    auto outcome = http_.send(settings_.endpoint, std::move(request), timeout_);
    if (outcome.error) {
      last = Error::make(
          outcome.error == boost::asio::error::timed_out ? ErrorKind::timeout
                                                         : ErrorKind::transport,
          kFetchFailed,
          std::string(kWho) + ": " + settings_.url + ": " + describe(outcome.error, timeout_));
      last.retryable = true;
      continue;
    }
    const auto& response = outcome.response;
    if (response.status == 200) {
      JsonCredentialsRules rules;
      rules.token_key = "Token";
      rules.expiration_required = false;
      auto c =
          parse_json_credentials(response.body, std::string(kWho) + " " + settings_.url, rules);
      if (c) c->provider = kWho;
      return c;
    }
    // The endpoint's own error document: {"code": "...", "message": "..."}.
    std::string detail = json_string_member(response.body, "message").value_or("");
    last = Error::make(
        response.status >= 500 ? ErrorKind::service : ErrorKind::configuration, kFetchFailed,
        redact(std::string(kWho) + ": " + settings_.url + " answered HTTP " +
                   std::to_string(response.status) + (detail.empty() ? "" : ": " + detail),
               {token}));
    last.http_status = response.status;
    last.retryable = response.status >= 500;
    if (!last.retryable) break;
  }
  return last;
}

}  // namespace sqs::auth
