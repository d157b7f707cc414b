// EC2 instance metadata (IMDS), version 2 with the version 1 fallback where allowed:
//   PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600) -> session token, kept
//   and reused until shortly before its TTL; then GETs with X-aws-ec2-metadata-token.
// The token request answered 403, 404 or 405 falls back to IMDSv1 (no token; remembered for 5
// minutes) unless AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled is true; 400 is an
// error. A token
// request that times out or cannot connect is an error without fallback, so that a machine
// without IMDS pays one timeout, not two. Each request: `timeout` (1 s) and `attempts` (1)
// against timeouts and 5xx. Blocking: runs on a credentials cache's worker.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "auth/http_fetch.hpp"
#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

struct ImdsSettings {
  bool disabled = false;  // AWS_EC2_METADATA_DISABLED=true
  bool v1_disabled = false;
  std::string url;  // http://169.254.169.254, http://[fd00:ec2::254] or the override
  http::Endpoint endpoint;
  std::chrono::milliseconds timeout{1000};
  int attempts = 1;
};

// From the environment, the profile and the options. Errors for bad values.
Result<ImdsSettings> imds_settings(const SharedConfig& config, const std::string& profile,
                                   const CredentialsOptions& options);

class ImdsClient {
 public:
  explicit ImdsClient(ImdsSettings settings);

  // The role credentials: role name discovery, then the role's credentials.
  Result<Credentials> credentials();
  // GET of a metadata path, e.g. "/latest/meta-data/placement/region".
  Result<std::string> get(const std::string& path);

  const ImdsSettings& settings() const { return settings_; }

 private:
  // The session token; empty when falling back to IMDSv1.
  Result<std::string> token();
  HttpOutcome send(http::Request request);

  ImdsSettings settings_;
  HttpFetcher http_;
  std::mutex mutex_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expires_;
  std::chrono::steady_clock::time_point v1_until_;  // falling back to IMDSv1 until then
};

}  // namespace sqs::auth
