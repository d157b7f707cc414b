// Web identity (EKS IRSA): STS AssumeRoleWithWebIdentity with the token in a file, read again at
// every refresh (the kubelet rotates it). From AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
// (+ AWS_ROLE_SESSION_NAME), or a profile's web_identity_token_file + role_arn
// (+ role_session_name).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/service_endpoint.hpp"
#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

struct WebIdentitySettings {
  std::string token_file;
  std::string role_arn;
  std::string session_name;  // empty: aws-cpp-sqs-<ms>
  std::string who;           // "web identity" or "profile 'x' (web identity)"
  std::string provider;      // the credentials' `provider` field
};

// nullopt: neither variable is set. An error: one is set without the other.
std::optional<Result<WebIdentitySettings>> web_identity_from_environment();

// A caching provider for `settings`, calling STS at the endpoint resolved for `profile`.
Result<std::shared_ptr<CredentialsProvider>> make_web_identity_provider(
    WebIdentitySettings settings, const SharedConfig& config, const std::string& profile,
    const CredentialsOptions& options);

}  // namespace sqs::auth
