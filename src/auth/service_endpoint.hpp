// Where the providers' AWS calls go (STS, SSO, SSO-OIDC), resolved as the SQS endpoint is:
// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's `services` section, the profile's
// endpoint_url, else the regional default.
#pragma once

#include <string>

#include "auth/shared_config.hpp"
#include "http/types.hpp"
#include "sqs/error.hpp"

namespace sqs::auth {

struct ServiceEndpoint {
  std::string url;
  http::Endpoint endpoint;
  std::string region;  // for signing
};

// `env_suffix`: "STS", "SSO", "SSO_OIDC"; `service_key`: "sts", "sso", "sso_oidc";
// `default_url`: used when nothing overrides it. `who` names the provider in errors.
Result<ServiceEndpoint> resolve_service_endpoint(const SharedConfig& config,
                                                 const std::string& profile,
                                                 const std::string& env_suffix,
                                                 const std::string& service_key,
                                                 const std::string& default_url,
                                                 const std::string& region, const std::string& who);

// The region STS calls are signed for and sent to: `explicit_region`, AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region; empty when none (the global endpoint).
std::string sts_region(const SharedConfig& config, const std::string& profile,
                       const std::string& explicit_region);

// https://sts.REGION.amazonaws.com (.com.cn in China), https://sts.amazonaws.com without one.
std::string default_sts_url(const std::string& region);

}  // namespace sqs::auth
