#include "auth/imds_client.hpp"

#include <cctype>
#include <cstdlib>

#include <boost/asio/error.hpp>

#include "auth/environment.hpp"
#include "auth/json_credentials.hpp"
#include "auth/provider_support.hpp"

namespace sqs::auth {
namespace {

constexpr const char* kWho = "instance metadata";
constexpr int kTokenTtlSeconds = 21600;
constexpr const char* kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<std::string> setting(const SharedConfig& config, const std::string& profile,
                                   const char* env, const char* key) {
  if (auto v = env_var(env)) return v;
  return config.get(profile, key);
}

Error imds_error(ErrorKind kind, std::string message) {
  Error e = Error::make(kind, kFetchFailed, std::string(kWho) + ": " + std::move(message));
  e.retryable = kind != ErrorKind::configuration;
  return e;
}

}  // namespace

Result<ImdsSettings> imds_settings(const SharedConfig& config, const std::string& profile,
                                   const CredentialsOptions& options) {
  ImdsSettings s;
  s.disabled = is_true(env_var("AWS_EC2_METADATA_DISABLED"));
  s.v1_disabled =
      is_true(setting(config, profile, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
  if (auto url = setting(config, profile, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                         "ec2_metadata_service_endpoint")) {
    s.url = *url;
  } else {
    const auto mode = setting(config, profile, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                              "ec2_metadata_service_endpoint_mode")
                          .value_or("IPv4");
    if (lower(mode) == "ipv4") {
      s.url = "http://169.254.169.254";
    } else if (lower(mode) == "ipv6") {
      s.url = "http://[fd00:ec2::254]";
    } else {
      return credentials_error(kInvalidConfig,
                               std::string(kWho) +
                                   ": AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or "
                                   "IPv6, got '" +
                                   mode + "'");
    }
  }
  std::string why;
  auto endpoint = http::Endpoint::parse(s.url, &why);
  if (!endpoint) {
    return credentials_error(kInvalidConfig, std::string(kWho) + ": bad endpoint URL: " + why);
  }
  s.endpoint = *endpoint;
  if (options.imds_timeout) {
    s.timeout = *options.imds_timeout;
  } else if (auto t = setting(config, profile, "AWS_METADATA_SERVICE_TIMEOUT",
                              "metadata_service_timeout")) {
    char* end = nullptr;
    const double seconds = std::strtod(t->c_str(), &end);
    if (end == t->c_str() || *end != '\0' || !(seconds > 0) || seconds > 3600) {
      return credentials_error(kInvalidConfig, std::string(kWho) +
                                                   ": AWS_METADATA_SERVICE_TIMEOUT must be a "
                                                   "number of seconds, got '" +
                                                   *t + "'");
    }
    s.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  if (options.imds_attempts) {
    s.attempts = *options.imds_attempts;
  } else if (auto n = setting(config, profile, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                              "metadata_service_num_attempts")) {
    char* end = nullptr;
    const long attempts = std::strtol(n->c_str(), &end, 10);
    if (end == n->c_str() || *end != '\0' || attempts < 1 || attempts > 10) {
      return credentials_error(kInvalidConfig, std::string(kWho) +
                                                   ": AWS_METADATA_SERVICE_NUM_ATTEMPTS must be "
                                                   "1 to 10, got '" +
                                                   *n + "'");
    }
    s.attempts = static_cast<int>(attempts);
  }
  s.attempts = std::max(1, s.attempts);
  return s;
}

ImdsClient::ImdsClient(ImdsSettings settings)
    : settings_(std::move(settings)), http_(settings_.timeout) {}

HttpOutcome ImdsClient::send(http::Request request) {
  HttpOutcome outcome;
  for (int attempt = 1; attempt <= settings_.attempts; ++attempt) {
    outcome = http_.send(settings_.endpoint, request, settings_.timeout);
    const bool transient = outcome.error == boost::asio::error::timed_out ||
                           (!outcome.error && outcome.response.status >= 500);
    if (!transient) break;
  }
  return outcome;
}

Result<std::string> ImdsClient::token() {
  if (settings_.disabled) {
    return credentials_error(kNotFound,
                             std::string(kWho) + ": disabled by AWS_EC2_METADATA_DISABLED=true");
  }
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (!token_.empty() && now < token_expires_) return token_;
    if (now < v1_until_) return std::string();
  }
  http::Request request;
  request.method = "PUT";
  request.target = join_path(settings_.endpoint, "/latest/api/token");
  request.headers.push_back(
      {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kTokenTtlSeconds)});
  auto outcome = send(std::move(request));
  if (outcome.error) {
    return imds_error(
        outcome.error == boost::asio::error::timed_out ? ErrorKind::timeout : ErrorKind::transport,
        "no session token from " + settings_.url + ": " +
            describe(outcome.error, settings_.timeout) + " (" + std::to_string(settings_.attempts) +
            (settings_.attempts == 1 ? " attempt)" : " attempts)"));
  }
  const int status = outcome.response.status;
  if (status == 200 && !outcome.response.body.empty()) {
    std::lock_guard lock(mutex_);
    token_ = outcome.response.body;
    token_expires_ = now + std::chrono::seconds(kTokenTtlSeconds - 60);
    return token_;
  }
  if (status == 403 || status == 404 || status == 405) {
    if (settings_.v1_disabled) {
      return imds_error(ErrorKind::configuration,
                        "the session token request was refused (HTTP " + std::to_string(status) +
                            ") and the IMDSv1 fallback is disabled "
                            "(AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled)");
    }
    // IMDSv1, remembered for a while (the metadata service's settings rarely change).
    std::lock_guard lock(mutex_);
    v1_until_ = now + std::chrono::minutes(5);
    return std::string();
  }
  return imds_error(status >= 500 ? ErrorKind::service : ErrorKind::configuration,
                    "the session token request got HTTP " + std::to_string(status));
}

Result<std::string> ImdsClient::get(const std::string& path) {
  for (int round = 0; round < 2; ++round) {
    auto session = token();
    if (!session) return std::move(session).error();
    http::Request request;
    request.method = "GET";
    request.target = join_path(settings_.endpoint, path);
    if (!session->empty()) request.headers.push_back({"X-aws-ec2-metadata-token", *session});
    auto outcome = send(std::move(request));
    if (outcome.error) {
      return imds_error(outcome.error == boost::asio::error::timed_out ? ErrorKind::timeout
                                                                       : ErrorKind::transport,
                        "GET " + path + ": " + describe(outcome.error, settings_.timeout));
    }
    const int status = outcome.response.status;
    if (status == 200) return std::move(outcome.response.body);
    if (status == 401 && round == 0 && !session->empty()) {
      std::lock_guard lock(mutex_);  // the token expired early: get a new one, once
      token_.clear();
      continue;
    }
    if (status == 404) {
      Error e = imds_error(ErrorKind::configuration, "GET " + path + ": not found (HTTP 404)");
      e.http_status = 404;
      return e;
    }
    return imds_error(status >= 500 ? ErrorKind::service : ErrorKind::configuration,
                      "GET " + path + ": HTTP " + std::to_string(status));
  }
  return imds_error(ErrorKind::configuration, "GET " + path + ": the session token was refused");
}

Result<Credentials> ImdsClient::credentials() {
  auto roles = get(kCredentialsPath);
  if (!roles) {
    Error e = std::move(roles).error();
    if (e.http_status == 404) {
      e.message =
          std::string(kWho) + ": no IAM role is attached to this instance (no instance profile)";
    }
    return e;
  }
  std::string role = roles->substr(0, roles->find('\n'));
  while (!role.empty() && std::isspace(static_cast<unsigned char>(role.back()))) role.pop_back();
  if (role.empty()) {
    return imds_error(ErrorKind::configuration, "no IAM role is attached to this instance");
  }
  auto document = get(kCredentialsPath + role);
  if (!document) return std::move(document).error();
  JsonCredentialsRules rules;
  rules.token_key = "Token";
  rules.check_code = true;
  auto c = parse_json_credentials(*document, std::string(kWho) + " (role " + role + ")", rules);
  if (c) c->provider = "instance-metadata";
  return c;
}

}  // namespace sqs::auth
