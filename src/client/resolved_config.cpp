#include "client/resolved_config.hpp"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "auth/shared_config.hpp"

namespace sqs::client {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

Error config_error(std::string code, std::string message) {
  return Error::make(ErrorKind::configuration, std::move(code), std::move(message));
}

// A timeout must be positive, and small enough that a deadline `now + timeout` cannot overflow
// the clocks (anything longer than a day is a mistake, not a timeout).
std::optional<Error> check_timeout(const char* name, std::chrono::milliseconds value) {
  constexpr std::chrono::milliseconds max_timeout = std::chrono::hours(24);
  if (value > std::chrono::milliseconds::zero() && value <= max_timeout) return std::nullopt;
  return config_error("InvalidTimeout", std::string("ClientConfig::") + name +
                                            " must be more than 0 ms and at most 24 hours (" +
                                            std::to_string(max_timeout.count()) + " ms), got " +
                                            std::to_string(value.count()) + " ms");
}

}  // namespace

std::string default_endpoint(const std::string& region) {
  std::string suffix = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://sqs." + region + "." + suffix;
}

Result<ResolvedConfig> resolve(ClientConfig config) {
  if (auto e = check_timeout("connect_timeout", config.connect_timeout)) return std::move(*e);
  if (auto e = check_timeout("request_timeout", config.request_timeout)) return std::move(*e);
  if (config.call_timeout) {
    if (auto e = check_timeout("call_timeout", *config.call_timeout)) return std::move(*e);
  }
  ResolvedConfig out;
  auto files = auth::SharedConfig::load();
  std::string profile = auth::SharedConfig::profile_name(config.profile);

  if (config.region) {
    out.region = *config.region;
  } else if (auto r = env("AWS_REGION")) {
    out.region = *r;
  } else if (auto r2 = env("AWS_DEFAULT_REGION")) {
    out.region = *r2;
  } else if (auto r3 = files.get(profile, "region")) {
    out.region = *r3;
  } else if (config.region_from_instance_metadata) {
    auto imds = region_from_instance_metadata();
    if (!imds) {
      return config_error("MissingRegion",
                          "no AWS region: none set (ClientConfig::region, AWS_REGION, the profile "
                          "'" +
                              profile +
                              "'), and instance metadata gave none: " + imds.error().message);
    }
    out.region = std::move(*imds);
  }
  if (out.region.empty()) {
    return config_error("MissingRegion",
                        "no AWS region: set ClientConfig::region, AWS_REGION, or `region` in the "
                        "profile '" +
                            profile + "' of the shared config file");
  }

  if (config.endpoint) {
    out.endpoint_url = *config.endpoint;
  } else if (auto e = env("AWS_ENDPOINT_URL_SQS")) {
    out.endpoint_url = *e;
  } else if (auto e2 = env("AWS_ENDPOINT_URL")) {
    out.endpoint_url = *e2;
  } else if (auto e3 = files.service_setting(profile, "sqs", "endpoint_url")) {
    out.endpoint_url = *e3;
  } else if (auto e4 = files.get(profile, "endpoint_url")) {
    out.endpoint_url = *e4;
  } else {
    out.endpoint_url = default_endpoint(out.region);
  }
  std::string why;
  auto endpoint = http::Endpoint::parse(out.endpoint_url, &why);
  if (!endpoint) {
    // (why names the URL, with any password in it redacted.)
    return config_error("InvalidEndpoint", "bad endpoint URL: " + why);
  }
  out.endpoint = *endpoint;

  if (config.retry.max_attempts) {
    out.max_attempts = *config.retry.max_attempts;
  } else {
    std::optional<std::string> v = env("AWS_MAX_ATTEMPTS");
    if (!v) v = files.get(profile, "max_attempts");
    if (v) {
      char* end = nullptr;
      long n = std::strtol(v->c_str(), &end, 10);
      if (end == v->c_str() || *end != '\0' || n < 1) {
        return config_error("InvalidMaxAttempts",
                            "max_attempts must be a positive integer, got '" + *v + "'");
      }
      out.max_attempts = static_cast<int>(n);
    }
  }
  if (out.max_attempts < 1) {
    return config_error("InvalidMaxAttempts", "max_attempts must be at least 1");
  }
  std::optional<std::string> mode = env("AWS_RETRY_MODE");
  if (!mode) mode = files.get(profile, "retry_mode");
  if (mode && *mode != "standard" && *mode != "legacy" && *mode != "adaptive") {
    return config_error("InvalidRetryMode",
                        "retry mode must be standard, legacy or adaptive, got '" + *mode + "'");
  }
  // legacy and adaptive are served by standard mode (adaptive's client-side rate limiting is
  // not implemented): the attempts and quota rules are those of standard.

  if (!config.ca_bundle.empty()) {
    out.ca_bundle = config.ca_bundle;
  } else if (auto ca = env("AWS_CA_BUNDLE")) {
    out.ca_bundle = *ca;
  } else if (auto ca2 = files.get(profile, "ca_bundle")) {
    out.ca_bundle = *ca2;
  }

  if (config.credentials) {
    out.credentials = make_static_credentials_provider(*config.credentials);
  } else if (config.credentials_provider) {
    out.credentials = config.credentials_provider;
  } else {
    // The client's region is also where STS is called (assume-role, web identity).
    CredentialsOptions options;
    options.profile = config.profile;
    options.region = out.region;
    out.credentials = make_default_credentials_provider(std::move(options));
  }
  config.retry.max_attempts = out.max_attempts;
  out.config = std::move(config);
  return out;
}

}  // namespace sqs::client
