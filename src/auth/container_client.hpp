// The container credentials endpoint of ECS and EKS Pod Identity:
//   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -> http://169.254.170.2<uri>, or
//   AWS_CONTAINER_CREDENTIALS_FULL_URI -> https anywhere; http only to loopback, 169.254.170.2,
//   169.254.170.23 and fd00:ec2::23.
// Authorization header: the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read again at
// every fetch: it rotates) or AWS_CONTAINER_AUTHORIZATION_TOKEN; a token with CR or LF is
// refused. Two attempts against timeouts and 5xx. Blocking: runs on a credentials cache's
// worker.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "auth/http_fetch.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

struct ContainerSettings {
  std::string url;  // the full URL (never holds a token)
  http::Endpoint endpoint;
  std::string target;  // path and query
};

// nullopt: neither variable is set (not configured). An error: set but unusable.
std::optional<Result<ContainerSettings>> container_settings();

class ContainerClient {
 public:
  ContainerClient(ContainerSettings settings, std::chrono::milliseconds timeout);
  Result<Credentials> credentials();

 private:
  ContainerSettings settings_;
  std::chrono::milliseconds timeout_;
  HttpFetcher http_;
};

}  // namespace sqs::auth
