// STS calls of the credential providers, Query protocol (form-encoded POST, Version
// 2011-06-15): AssumeRoleWithWebIdentity (unsigned) and AssumeRole (SigV4, service "sts").
// Blocking: they run on a credentials cache's worker. Transport errors, 5xx, throttling and
// IDPCommunicationError are retried (3 attempts, 100 ms then 200 ms apart).
#pragma once

#include <chrono>
#include <string>

#include "auth/http_fetch.hpp"
#include "auth/service_endpoint.hpp"
#include "auth/sigv4.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

class StsClient {
 public:
  // `who` names the provider in errors ("web identity", "profile 'dev' (assume-role)").
  StsClient(ServiceEndpoint endpoint, std::chrono::milliseconds timeout, std::string who);

  Result<Credentials> assume_role_with_web_identity(const std::string& role_arn,
                                                    const std::string& session_name,
                                                    const std::string& token);
  Result<Credentials> assume_role(const Credentials& source, const AssumeRoleOptions& role,
                                  std::chrono::system_clock::time_point now);

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  // `sign` given: the request is signed with it at `now`. `secret` is redacted from errors.
  Result<Credentials> call(const std::string& action, const std::string& role_arn,
                           const std::string& body, const Credentials* sign,
                           std::chrono::system_clock::time_point now, std::string_view secret);

  ServiceEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::string who_;
  HttpFetcher http_;
  Signer signer_;
};

// "aws-cpp-sqs-<milliseconds since 1970>", the default session name.
std::string default_session_name(std::chrono::system_clock::time_point now);

}  // namespace sqs::auth
