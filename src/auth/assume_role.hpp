// Assume-role: a signed STS AssumeRole with the credentials of a source provider, cached and
// refreshed. The source is asked (blocking) on the cache's worker at each refresh.
#pragma once

#include <memory>
#include <string>

#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

// STS is reached at the endpoint resolved for `profile` (region: options.region, AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region). `provider` names the credentials; `who` starts
// the error messages.
Result<std::shared_ptr<CredentialsProvider>> make_assume_role_provider(
    std::shared_ptr<CredentialsProvider> source, AssumeRoleOptions role, const SharedConfig& config,
    const std::string& profile, const CredentialsOptions& options, std::string provider,
    std::string who);

}  // namespace sqs::auth
