// ClientConfig resolved once, as the AWS SDKs do: explicit values, then environment variables,
// then the shared config file's profile, then defaults.
#pragma once

#include <memory>
#include <string>

#include "http/types.hpp"
#include "sqs/client.hpp"

namespace sqs::client {

struct ResolvedConfig {
  ClientConfig config;  // as given, with max_attempts filled in
  std::string region;
  std::string endpoint_url;
  http::Endpoint endpoint;
  std::string ca_bundle;
  int max_attempts = 3;
  std::shared_ptr<CredentialsProvider> credentials;
};

Result<ResolvedConfig> resolve(ClientConfig config);

// https://sqs.REGION.amazonaws.com (amazonaws.com.cn for cn-* regions).
std::string default_endpoint(const std::string& region);

}  // namespace sqs::client
