#include "auth/service_endpoint.hpp"

#include "auth/environment.hpp"
#include "auth/provider_support.hpp"

namespace sqs::auth {

Result<ServiceEndpoint> resolve_service_endpoint(
    const SharedConfig& config, const std::string& profile, const std::string& env_suffix,
    const std::string& service_key, const std::string& default_url, const std::string& region,
    const std::string& who) {
  ServiceEndpoint out;
  const std::string specific = "AWS_ENDPOINT_URL_" + env_suffix;
  if (auto e = env_var(specific.c_str())) {
    out.url = *e;
  } else if (auto e2 = env_var("AWS_ENDPOINT_URL")) {
    out.url = *e2;
  } else if (auto e3 = config.service_setting(profile, service_key, "endpoint_url")) {
    out.url = *e3;
  } else if (auto e4 = config.get(profile, "endpoint_url")) {
    out.url = *e4;
  } else {
    out.url = default_url;
  }
  std::string why;
  auto endpoint = http::Endpoint::parse(out.url, &why);
  if (!endpoint) return credentials_error(kInvalidConfig, who + ": bad endpoint URL: " + why);
  out.endpoint = *endpoint;
  out.region = region.empty() ? "us-east-1" : region;
  return out;
}

std::string sts_region(const SharedConfig& config, const std::string& profile,
                       const std::string& explicit_region) {
  if (!explicit_region.empty()) return explicit_region;
  if (auto r = env_var("AWS_REGION")) return *r;
  if (auto r = env_var("AWS_DEFAULT_REGION")) return *r;
  return config.get(profile, "region").value_or("");
}

std::string default_sts_url(const std::string& region) {
  if (region.empty()) return "https://sts.amazonaws.com";
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://sts." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

}  // namespace sqs::auth
